// SPDX-License-Identifier: MIT
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/profile.h"

static uint32_t frame(struct frec_profile *p, const char *name, enum frec_frame_kind kind)
{
	struct frec_frame f = { .kind = (uint8_t)kind };
	int id = frec_profile__intern_str(p, name);

	cr_assert_geq(id, 0);
	f.name = (uint32_t)id;
	id = frec_profile__add_frame(p, &f);
	cr_assert_geq(id, 0);
	return (uint32_t)id;
}

Test(profile, frames_are_deduplicated_by_every_field)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t a = frame(p, "foo", FREC_FRAME_USER);
	uint32_t b = frame(p, "foo", FREC_FRAME_USER);
	uint32_t k = frame(p, "foo", FREC_FRAME_KERNEL);
	struct frec_frame inl = *frec_profile__frame(p, a);

	cr_assert_eq(a, b);
	cr_assert_neq(a, k);
	inl.flags = FREC_FRAME_INLINED;
	cr_assert_neq(frec_profile__add_frame(p, &inl), (int)a);
	cr_assert_eq(frec_profile__nr_frames(p), 3);
	cr_assert_str_eq(frec_profile__frame_name(p, k), "foo");
	frec_profile__free(p);
}

Test(profile, many_frames_stay_deduplicated_as_the_index_grows)
{
	struct frec_profile *p = frec_profile__new();
	char name[32];

	/* far past the index's first size, with two kinds per name */
	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < 5000; i++) {
			snprintf(name, sizeof(name), "f%u", i);
			cr_assert_eq(frame(p, name, FREC_FRAME_USER), 2 * i, "%s, round %d", name, round);
			cr_assert_eq(frame(p, name, FREC_FRAME_KERNEL), 2 * i + 1, "%s, round %d", name, round);
		}
	cr_assert_eq(frec_profile__nr_frames(p), 10000);
	frec_profile__free(p);
}

Test(profile, a_trimmed_profile_still_finds_its_strings_and_frames)
{
	struct frec_profile *p = frec_profile__new();
	char name[32];

	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		cr_assert_eq(frame(p, name, FREC_FRAME_USER), i);
	}
	frec_profile__trim(p);
	/* the same frames, then new ones, as many as before again (the indexes grow back from empty) */
	for (uint32_t i = 0; i < 6000; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		cr_assert_eq(frame(p, name, FREC_FRAME_USER), i, "%s", name);
	}
	frec_profile__trim(p);
	cr_assert_eq(frec_profile__intern_str(p, "f5999"), (int)frec_profile__frame(p, 5999)->name);
	cr_assert_eq(frec_profile__nr_frames(p), 6000);
	frec_profile__free(p);
}

Test(profile, a_wide_node_finds_each_child_once)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t f[300], a, b;

	for (uint32_t i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%u", i);
		f[i] = frame(p, name, FREC_FRAME_USER);
	}
	a = (uint32_t)frec_profile__child(p, FREC_NODE_ROOT, f[0]);
	b = (uint32_t)frec_profile__child(p, FREC_NODE_ROOT, f[1]);
	/* two wide nodes with the same frames: the children of one are not the other's */
	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < 300; i++) {
			int ca = frec_profile__child(p, a, f[i]), cb = frec_profile__child(p, b, f[i]);

			cr_assert_eq(ca, (int)(3 + 2 * i), "a's child %u, round %d", i, round);
			cr_assert_eq(cb, (int)(4 + 2 * i), "b's child %u, round %d", i, round);
			if (round == 0)
				cr_assert_eq(frec_profile__child(p, a, f[i]), ca);
		}
	cr_assert_eq(frec_profile__nr_nodes(p), 3 + 600);
	frec_profile__free(p);
}

Test(profile, weights_add_up_along_the_stack)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t m = frame(p, "main", FREC_FRAME_USER), f = frame(p, "foo", FREC_FRAME_USER),
		 g = frame(p, "bar", FREC_FRAME_USER);
	uint32_t s1[] = { m, f }, s2[] = { m, f, g }, s3[] = { m };
	int leaf;

	cr_assert_geq(frec_profile__add_stack(p, s1, 2, 3), 0);
	leaf = frec_profile__add_stack(p, s2, 3, 5);
	cr_assert_geq(leaf, 0);
	cr_assert_geq(frec_profile__add_stack(p, s3, 1, 2), 0);
	cr_assert_geq(frec_profile__add_stack(p, s2, 3, 1), 0);

	cr_assert_eq(frec_profile__total(p), 11);
	cr_assert_eq(frec_profile__nr_nodes(p), 4);
	const struct frec_node *n = frec_profile__node(p, (uint32_t)leaf);
	cr_assert_eq(n->self, 6);
	cr_assert_eq(n->total, 6);
	n = frec_profile__node(p, n->parent);
	cr_assert_eq(n->self, 3);
	cr_assert_eq(n->total, 9);
	n = frec_profile__node(p, n->parent);
	cr_assert_eq(n->self, 2);
	cr_assert_eq(n->total, 11);
	cr_assert_eq(n->parent, FREC_NODE_ROOT);
	frec_profile__free(p);
}

Test(profile, weights_never_wrap)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t a = frame(p, "a", FREC_FRAME_USER), b = frame(p, "b", FREC_FRAME_USER);
	uint32_t s1[] = { a, b }, s2[] = { a };
	int leaf = frec_profile__add_stack(p, s1, 2, UINT64_MAX - 1);

	cr_assert_geq(leaf, 0);
	cr_assert_eq(frec_profile__add_stack(p, s2, 1, 2), -ERANGE);
	cr_assert_eq(frec_profile__add_weight(p, (uint32_t)leaf, 2), -ERANGE);
	cr_assert_eq(frec_profile__total(p), UINT64_MAX - 1, "a refused weight was added in part");
	cr_assert_eq(frec_profile__node(p, (uint32_t)leaf)->self, UINT64_MAX - 1);
	cr_assert_eq(frec_profile__add_weight(p, (uint32_t)leaf, 1), 0);
	cr_assert_eq(frec_profile__total(p), UINT64_MAX);
	frec_profile__free(p);
}

Test(profile, a_stack_continues_from_a_node)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t m = frame(p, "main", FREC_FRAME_USER), f = frame(p, "foo", FREC_FRAME_USER),
		 g = frame(p, "bar", FREC_FRAME_USER);
	uint32_t outer[] = { m, f }, inner[] = { g }, whole[] = { m, f, g };
	int mid = frec_profile__add_stack(p, outer, 2, 1), leaf;

	cr_assert_geq(mid, 0);
	leaf = frec_profile__add_stack_at(p, (uint32_t)mid, inner, 1, 2);
	cr_assert_geq(leaf, 0);
	/* the same node as the whole stack from the root */
	cr_assert_eq(frec_profile__add_stack(p, whole, 3, 4), leaf);
	cr_assert_eq(frec_profile__node(p, (uint32_t)leaf)->parent, (uint32_t)mid);
	cr_assert_eq(frec_profile__node(p, (uint32_t)leaf)->self, 6);
	cr_assert_eq(frec_profile__node(p, (uint32_t)mid)->total, 7);
	cr_assert_eq(frec_profile__total(p), 7);
	/* weight 0: the path only, nothing counted */
	cr_assert_eq(frec_profile__add_stack_at(p, (uint32_t)mid, inner, 1, 0), leaf);
	cr_assert_eq(frec_profile__node(p, (uint32_t)leaf)->self, 6);
	cr_assert_eq(frec_profile__total(p), 7);
	/* no frames: the weight goes on the node itself */
	cr_assert_eq(frec_profile__add_stack_at(p, (uint32_t)mid, NULL, 0, 1), mid);
	cr_assert_eq(frec_profile__node(p, (uint32_t)mid)->self, 2);
	frec_profile__free(p);
}

Test(profile, sort_orders_children_by_name)
{
	struct frec_profile *p = frec_profile__new();
	const char *names[] = { "zeta", "alpha", "mid", "beta" };
	uint32_t root = frame(p, "root", FREC_FRAME_USER);
	const char *prev = "";

	for (int i = 0; i < 4; i++) {
		uint32_t s[] = { root, frame(p, names[i], FREC_FRAME_USER) };

		cr_assert_geq(frec_profile__add_stack(p, s, 2, 1), 0);
	}
	cr_assert_eq(frec_profile__sort(p), 0);
	uint32_t r = frec_profile__node(p, FREC_NODE_ROOT)->first_child;
	int count = 0;
	for (uint32_t c = frec_profile__node(p, r)->first_child; c != FREC_NONE;
	     c = frec_profile__node(p, c)->next_sibling) {
		const char *name = frec_profile__frame_name(p, frec_profile__node(p, c)->frame);

		cr_assert_gt(strcmp(name, prev), 0, "%s after %s", name, prev);
		prev = name;
		count++;
	}
	cr_assert_eq(count, 4);
	frec_profile__free(p);
}

Test(profile, module_stats_are_kept_in_order)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_module_stat st = { .module = (uint32_t)frec_profile__intern_str(p, "/lib/libz.so.1"),
				       .flags = FREC_MODULE_NO_FRAME_PTRS, .samples = 10 };
	size_t n;

	cr_assert_eq(frec_profile__add_module_stat(p, &st), 0);
	st.samples = 20;
	cr_assert_eq(frec_profile__add_module_stat(p, &st), 0);
	const struct frec_module_stat *m = frec_profile__module_stats(p, &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(m[0].samples, 10);
	cr_assert_eq(m[1].samples, 20);
	cr_assert_str_eq(frec_profile__str(p, m[0].module), "/lib/libz.so.1");
	cr_assert_str_eq(frec_profile__str(p, frec_profile__meta(p)->unit), "samples");
	frec_profile__free(p);
}

Test(profile, weight_is_cpu_time_only_when_the_recording_says_so)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_profile_meta *m = frec_profile__meta(p);

	cr_assert_eq(frec_profile__ns_per_weight(p), 0, "folded stacks carry no time");
	m->event = (uint32_t)frec_profile__intern_str(p, "cpu-clock");
	m->freq = 999;
	m->health.samples = 4;
	m->period_total = 4000000;
	cr_assert_float_eq(frec_profile__ns_per_weight(p), 1e6, 1e-9, "a clock's periods are nanoseconds");
	m->event = (uint32_t)frec_profile__intern_str(p, "cycles");
	cr_assert_float_eq(frec_profile__ns_per_weight(p), 1e9 / 999, 1e-6, "other events: one sample per 1/freq");
	m->freq = 0;
	m->period = 100000;
	cr_assert_eq(frec_profile__ns_per_weight(p), 0, "a count of events is no time");
	frec_profile__free(p);
}

Test(profile, normalisation_defaults_to_time_only_when_both_sides_have_it)
{
	struct frec_profile *a = frec_profile__new(), *b = frec_profile__new();
	enum frec_norm n;

	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_DEFAULT), FREC_NORM_COUNT);
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_TIME), -FREC_E_NORM_NO_TIME);
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_SHARE), FREC_NORM_SHARE);
	frec_profile__meta(a)->freq = 100;
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_DEFAULT), FREC_NORM_COUNT, "one side has no time");
	frec_profile__meta(b)->freq = 50;
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_DEFAULT), FREC_NORM_TIME);
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_RATE), -FREC_E_NORM_NO_TIME, "no durations");
	frec_profile__meta(a)->duration_ns = 2000000000;
	frec_profile__meta(b)->duration_ns = 1000000000;
	cr_assert_eq(frec_norm__resolve(a, b, FREC_NORM_RATE), FREC_NORM_RATE);
	/* 100 Hz: a sample is 10 ms; 50 Hz: 20 ms */
	cr_assert_float_eq(frec_profile__norm_scale(a, FREC_NORM_TIME), 1e7, 1e-3);
	cr_assert_float_eq(frec_profile__norm_scale(b, FREC_NORM_TIME), 2e7, 1e-3);
	cr_assert_float_eq(frec_profile__norm_scale(a, FREC_NORM_RATE), 5e6, 1e-3, "10 ms per 2 s");
	cr_assert_eq(frec_norm__parse("rate", &n), 0);
	cr_assert_eq(n, FREC_NORM_RATE);
	cr_assert_str_eq(frec_norm__name(n), "rate");
	cr_assert_eq(frec_norm__parse("default", &n), -EINVAL, "only explicit choices parse");
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(profile, sampling_noise_grows_with_the_counts)
{
	/* 100 vs 120 samples at the same scale: 20 / sqrt(220) = 1.35 deviations */
	cr_assert_float_eq(frec_norm__z(100, 1, 120, 1), 20 / sqrt(220), 1e-9);
	/* the same 20% change on 100x the samples is 10x more certain */
	cr_assert_float_eq(frec_norm__z(10000, 1, 12000, 1), 2000 / sqrt(22000), 1e-9);
	cr_assert_eq(frec_norm__z(0, 1, 0, 1), 0);
	/* 9 samples that vanished: 3 deviations, not infinity */
	cr_assert_float_eq(frec_norm__z(9, 1, 0, 1), 9 / sqrt(10), 1e-9);
	/* scales apply: 50 samples of 2 units equal 100 of 1 */
	cr_assert_float_eq(frec_norm__z(50, 2, 100, 1), 0, 1e-9);
	/* weights of 1e6 per sample (mean waits of 1 ms) count as 100 and 120 samples */
	struct frec_diff_norm dn = { .scale = { 1, 1 }, .per_sample = { 1e6, 1e6 } };
	cr_assert_float_eq(frec_diff_norm__z(&dn, 100000000, 120000000), 20e6 / sqrt(220 * 1e12), 1e-9);
}

/* A profile of one function with @w samples, @total in all, at @hz, lasting @secs. */
static struct frec_profile *timed_profile(uint64_t w, uint64_t total, uint64_t hz, double secs)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t f[2];

	f[0] = (uint32_t)frec_profile__add_frame(p, &(struct frec_frame){ .name = (uint32_t)frec_profile__intern_str(p, "main") });
	f[1] = (uint32_t)frec_profile__add_frame(p, &(struct frec_frame){ .name = (uint32_t)frec_profile__intern_str(p, "f") });
	cr_assert_geq(frec_profile__add_stack(p, f, 2, w), 0);
	if (total > w)
		cr_assert_geq(frec_profile__add_stack(p, f, 1, total - w), 0);
	frec_profile__meta(p)->freq = hz;
	frec_profile__meta(p)->duration_ns = (uint64_t)(secs * 1e9);
	return p;
}

Test(profile, a_diff_puts_both_sides_on_one_scale)
{
	/* 100 Hz for 2 s before, 50 Hz for 1 s after: a sample is 10 ms, then 20 ms */
	struct frec_profile *a = timed_profile(50, 200, 100, 2), *b = timed_profile(25, 50, 50, 1);
	struct frec_diff_norm dn;

	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_DEFAULT), 0);
	cr_assert_eq(dn.norm, FREC_NORM_TIME);
	cr_assert_float_eq(dn.total[0], 2e9, 1, "200 samples of 10 ms");
	cr_assert_float_eq(dn.total[1], 1e9, 1);
	cr_assert_float_eq(frec_diff_norm__delta(&dn, 50, 25), 0, 1, "50 x 10 ms = 25 x 20 ms: unchanged");
	cr_assert_float_eq(dn.min_size, 2e6, 1, "0.1%% of the baseline's 2 s");
	cr_assert_float_eq(dn.duration_change, -0.5, 1e-9);
	cr_assert_not(dn.suggest_rate, "launched commands: their duration is the work's");

	frec_profile__meta(a)->windowed = frec_profile__meta(b)->windowed = true;
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_TIME), 0);
	cr_assert(dn.suggest_rate, "two windows of 2 s and 1 s compare per second");
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_RATE), 0);
	cr_assert_not(dn.suggest_rate, "already per second");
	cr_assert_float_eq(frec_diff_norm__delta(&dn, 50, 25), 0.25e9, 1, "250 ms/s before, 500 ms/s after");
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_SHARE), 0);
	cr_assert_not(dn.suggest_rate, "shares do not grow with the duration");
	cr_assert_float_eq(frec_diff_norm__delta(&dn, 50, 25), 0.25, 1e-9, "25% -> 50%");
	cr_assert_float_eq(dn.min_size, 0.001, 1e-12, "0.1 points");
	frec_profile__meta(b)->duration_ns = 2100000000;
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_COUNT), 0);
	cr_assert_not(dn.suggest_rate, "5%% apart is close enough");
	frec_profile__meta(b)->duration_ns = 2300000000;
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_COUNT), 0);
	cr_assert(dn.suggest_rate, "15%% apart");
	frec_profile__meta(b)->freq = 0;
	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_TIME), -FREC_E_NORM_NO_TIME);
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(profile, a_change_must_clear_noise_and_size)
{
	struct frec_profile *a = timed_profile(25, 100, 100, 1), *b = timed_profile(75, 150, 100, 1.5);
	struct frec_profile *big = timed_profile(1000000, 100000000, 100, 1);
	struct frec_diff_norm dn;

	cr_assert_eq(frec_diff_norm__init(&dn, a, b, FREC_NORM_DEFAULT), 0);
	cr_assert(frec_diff_norm__is_change(&dn, 25, 75), "3x: 50 / sqrt(100) = 5 deviations");
	cr_assert_not(frec_diff_norm__is_change(&dn, 25, 30), "+5 of 25 is chance");
	cr_assert_not(frec_diff_norm__is_change(&dn, 25, 25));
	cr_assert_not(frec_diff_norm__is_change(&dn, 0, 2), "2 samples of a new function are not news");
	cr_assert(frec_diff_norm__is_change(&dn, 0, 20), "20 are");
	cr_assert(frec_diff_norm__is_change(&dn, 20, 0), "and so are 20 that vanished");
	/* 1% more of 1,000,000 samples is 7 deviations, but 0.01% of the baseline's total */
	cr_assert_eq(frec_diff_norm__init(&dn, big, big, FREC_NORM_DEFAULT), 0);
	cr_assert_gt(frec_norm__z(1000000, 1, 1010000, 1), 7);
	cr_assert_not(frec_diff_norm__is_change(&dn, 1000000, 1010000));
	cr_assert(frec_diff_norm__is_change(&dn, 1000000, 1200000), "0.2%% of the total is");
	frec_profile__free(a);
	frec_profile__free(b);
	frec_profile__free(big);
}

Test(profile, normalised_values_read_in_their_unit)
{
	char buf[48];

	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, 1.234e9, false, buf, sizeof(buf)), "1.23 s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, 245e6, false, buf, sizeof(buf)), "245 ms");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, 12.34e6, true, buf, sizeof(buf)), "+12.3 ms");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, -999.7e6, true, buf, sizeof(buf)), "-1.00 s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, -7800, true, buf, sizeof(buf)), "-7.80 us");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, 3600e9, false, buf, sizeof(buf)), "3600 s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_TIME, -0.2, true, buf, sizeof(buf)), "+0 s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_RATE, 250e6, false, buf, sizeof(buf)), "250 ms/s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_RATE, 1.5e9, false, buf, sizeof(buf)), "1.50 s/s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_RATE, -42e3, true, buf, sizeof(buf)), "-42.0 us/s");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_COUNT, 1234567, false, buf, sizeof(buf)), "1,234,567");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_COUNT, -130, true, buf, sizeof(buf)), "-130");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_COUNT, -0.2, true, buf, sizeof(buf)), "+0");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_SHARE, 0.2615, false, buf, sizeof(buf)), "26.15%");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_SHARE, -0.1615, true, buf, sizeof(buf)), "-16.15 pt");
	cr_assert_str_eq(frec_norm__fmt(FREC_NORM_COUNT, 1234, false, buf, 4), "1,2", "cut to the buffer");
	struct frec_diff_norm dn = { .norm = FREC_NORM_TIME, .time = "CPU time" };

	cr_assert_str_eq(frec_diff_norm__describe(&dn, buf, sizeof(buf)), "CPU time (samples x period)");
	dn.norm = FREC_NORM_RATE;
	dn.time = "off-CPU time";
	cr_assert_str_eq(frec_diff_norm__describe(&dn, buf, sizeof(buf)), "off-CPU time per second of recording");
}

Test(profile, frames_sort_as_strcmp_orders_their_names)
{
	/* names that share their first 8 bytes, end within them, or hold bytes above 0x7f */
	static const char *const names[] = {
		"abcdefgh", "abcdefghi", "abcdefg", "abcdefgg", "abcdefgh\x80", "abcdefgha", "a", "",
		"\xc3\xa9t\xc3\xa9", "zz", "abcdefg\xff", "ab", "abcdefgi", "abcdefgh\x7f", "B", "\x01",
	};
	struct frec_profile *p = frec_profile__new();
	uint32_t ids[FREC_ARRAY_SIZE(names)];
	const uint32_t *rank;

	for (size_t i = 0; i < FREC_ARRAY_SIZE(names); i++)
		ids[i] = frame(p, names[i], FREC_FRAME_USER);
	cr_assert_eq(frec_profile__sort(p), 0);
	rank = frec_profile__frame_rank(p);
	cr_assert_not_null(rank);
	for (size_t i = 0; i < FREC_ARRAY_SIZE(names); i++)
		for (size_t j = 0; j < FREC_ARRAY_SIZE(names); j++) {
			int c = strcmp(names[i], names[j]);

			cr_assert_eq(c < 0, rank[ids[i]] < rank[ids[j]], "\"%s\" and \"%s\"", names[i], names[j]);
		}
	frec_profile__free(p);
}
