// SPDX-License-Identifier: MIT
/*
 * An API that serialises every response to JSON with json-c (building the objects, then
 * json_object_to_json_string_ext): the planted cause is serialize_response -> json-c, about 40%
 * of the CPU, beside the service's own work.  See planted.h.
 */
#include <json-c/json.h>
#include <string.h>

#include "planted.h"

struct order {
	int id, quantity;
	double price;
	char customer[24], status[12];
};

static struct order orders[200];

NOINLINE static size_t serialize_response(const struct order *o, size_t n)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_new_object();

		json_object_object_add(item, "id", json_object_new_int(o[i].id));
		json_object_object_add(item, "customer", json_object_new_string(o[i].customer));
		json_object_object_add(item, "quantity", json_object_new_int(o[i].quantity));
		json_object_object_add(item, "price", json_object_new_double(o[i].price));
		json_object_object_add(item, "status", json_object_new_string(o[i].status));
		json_object_array_add(list, item);
	}
	json_object_object_add(root, "orders", list);
	json_object_object_add(root, "count", json_object_new_int((int)n));
	len = strlen(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return len;
}

static void respond(void)
{
	planted_sink += serialize_response(orders, sizeof(orders) / sizeof(orders[0]));
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);

	for (int i = 0; i < 200; i++) {
		orders[i] = (struct order){ .id = 1000 + i, .quantity = i % 7 + 1, .price = 9.99 + i };
		snprintf(orders[i].customer, sizeof(orders[i].customer), "customer-%04d", i * 37 % 1000);
		snprintf(orders[i].status, sizeof(orders[i].status), "%s", i % 3 ? "shipped" : "pending");
	}
	planted_loop(seconds, 0.40, respond);
	planted_report("serialize_response");
	return 0;
}
