// SPDX-License-Identifier: MIT
/*
 * A pricing engine that counts the ways to make an amount with a naive recursion (no memo): the
 * planted cause is count_ways calling itself up to 64 levels deep, about 40% of the CPU.  See
 * planted.h.
 */
#include "planted.h"

static const int coins[] = { 1, 2, 3, 5, 7, 11 };

/* noipa: keep the recursion a recursion (no cloning or conversion into a loop) */
__attribute__((noipa)) static uint64_t count_ways(int amount, int first)
{
	uint64_t n = 0;

	if (amount == 0)
		return 1;
	for (int i = first; i < 6; i++)
		if (coins[i] <= amount)
			n += count_ways(amount - coins[i], i);
	return n;
}

static void price(void)
{
	planted_sink += count_ways(64, 0);
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);

	planted_loop(seconds, 0.40, price);
	planted_report("count_ways");
	return 0;
}
