// SPDX-License-Identifier: MIT
/*
 * Differential flame graphs and the text diff on hand-written profiles: folded stacks (counts), and
 * the same made into cpu-clock recordings (CPU time), so that each normalisation is tried.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "render_fixture.h"

static struct frec_profile *before, *after;
static struct out o;
static char *copies[16];
static size_t nr_copies;

static void teardown(void)
{
	frec_profile__free(before);
	frec_profile__free(after);
	free(o.buf);
	while (nr_copies)
		free(copies[--nr_copies]);
}

TestSuite(render_diff, .fini = teardown);

/* @text as a cpu-clock recording of file @name at @hz for @secs: each sample is 1e9 / @hz ns of CPU. */
static struct frec_profile *timed(const char *text, const char *name, uint64_t hz, double secs)
{
	struct frec_profile *p = folded(text);
	struct frec_profile_meta *m = frec_profile__meta(p);

	m->event = (uint32_t)frec_profile__intern_str(p, "cpu-clock");
	m->source = (uint32_t)frec_profile__intern_str(p, name);
	m->freq = hz;
	m->duration_ns = (uint64_t)(secs * 1e9);
	m->health.samples = frec_profile__total(p);
	m->period_total = frec_profile__total(p) * (1000000000 / hz);
	return p;
}

static struct out svg(enum frec_norm norm, bool negate)
{
	struct render_flame_opts opts = { .minwidth = -1, .negate = negate, .norm = norm };
	struct out out = { 0 };
	FILE *f = open_memstream(&out.buf, &out.len);

	cr_assert_not_null(f);
	cr_assert_eq(render_flame__write_diff(before, after, &opts, f), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

static struct out text(enum frec_norm norm)
{
	struct out out = { 0 };
	FILE *f = open_memstream(&out.buf, &out.len);

	cr_assert_not_null(f);
	cr_assert_eq(render_diff__write_text(before, after, &(struct render_diff_opts){ .norm = norm }, f), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

/* The table that starts with @heading, up to the blank line after it. */
static char *table(const struct out *out, const char *heading)
{
	const char *s = strstr(out->buf, heading), *e;

	cr_assert_not_null(s, "no table '%s' in:\n%s", heading, out->buf);
	e = strstr(s, "\n\n");
	return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

/* The <g> element of frame @name (the @nth of that name) in o, on its own, or NULL. */
static const char *el(const char *name, int nth)
{
	const char *g = frame(&o, name, nth), *e;

	if (!g)
		return NULL;
	e = strstr(g, "</g>");
	cr_assert_not_null(e);
	cr_assert_lt(nr_copies, sizeof(copies) / sizeof(copies[0]));
	return copies[nr_copies++] = strndup(g, (size_t)(e - g + 4));
}

#define assert_has(hay, needle) cr_assert_not_null(strstr((hay), (needle)), "no \"%s\" in:\n%s", (needle), (hay))
#define assert_lacks(hay, needle) cr_assert_null(strstr((hay), (needle)), "\"%s\" in:\n%s", (needle), (hay))

/* One function 3x slower, two unchanged: 3 s of CPU before, 5 s after. */
static const char slow_before[] = "main;parse 100\nmain;hash 100\nmain;format 100\n";
static const char slow_after[] = "main;parse 100\nmain;hash 300\nmain;format 100\n";

Test(render_diff, unchanged_code_stays_neutral_when_another_function_grows)
{
	char *reg, *imp;

	before = timed(slow_before, "before.zst", 100, 3);
	after = timed(slow_after, "after.zst", 100, 5);
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_eq(fill(el("parse", 0)), 0xdcdcdc, "parse kept its 1 s: grey, not %06x", fill(el("parse", 0)));
	cr_assert_eq(fill(el("format", 0)), 0xdcdcdc);
	/* 1 s -> 3 s: two thirds of the larger side changed. */
	cr_assert_eq(fill(el("hash", 0)), 0xe05757, "%06x", fill(el("hash", 0)));
	assert_has(el("hash", 0), "\nbefore: 1.00 s (33.33%), self 1.00 s\nafter: 3.00 s (60.00%), self 3.00 s\n"
					 "change: self +2.00 s (+200%), total +2.00 s (+200%)</title>");
	assert_has(el("parse", 0), "change: self +0 s (+0%), total +0 s (+0%)</title>");
	free(o.buf);

	o = text(FREC_NORM_DEFAULT);
	reg = table(&o, "regressions by self CPU time");
	imp = table(&o, "improvements by self CPU time");
	assert_has(reg, "function\n    1.00 s     3.00 s     +2.00 s     +200%  hash");
	assert_lacks(o.buf, "  parse");
	assert_lacks(o.buf, "  format");
	assert_has(imp, "(none)");
	assert_has(o.buf, "\nwithin the noise floor, not listed: 2 of 4 functions\n");
	free(reg);
	free(imp);
	free(o.buf);

	/* Compared as shares, parse went from 33% to 20%: shrank, the picture that misled users. */
	o = svg(FREC_NORM_SHARE, false);
	cr_assert_gt(fill(el("parse", 0)) & 0xff, fill(el("parse", 0)) >> 16, "blue under share");
}

Test(render_diff, time_compares_recordings_at_different_rates)
{
	/* After samples twice as often: twice the samples for the same CPU time. */
	before = timed("main;same 100\nmain;grows 100\n", "b", 100, 2);
	after = timed("main;same 200\nmain;grows 600\n", "a", 200, 4);
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_eq(fill(el("same", 0)), 0xdcdcdc);
	cr_assert_gt(fill(el("grows", 0)) >> 16, fill(el("grows", 0)) & 0xff);
	free(o.buf);
	o = svg(FREC_NORM_COUNT, false);
	cr_assert_gt(fill(el("same", 0)) >> 16, fill(el("same", 0)) & 0xff, "counts doubled");
}

Test(render_diff, vanished_frames_are_drawn_where_they_were)
{
	const char *old, *leaf, *fresh;

	before = folded("main;keep 100\nmain;old;old_leaf 60\nmain;old 20\n");
	after = folded("main;keep 100\nmain;new 80\n");
	o = svg(FREC_NORM_DEFAULT, false);
	old = el("old", 0);
	leaf = el("old_leaf", 0);
	fresh = el("new", 0);
	cr_assert(old && leaf && fresh, "%s", o.buf);
	assert_has(old, "fill=\"url(#frec-gone)\"");
	assert_has(old, "stroke-dasharray");
	assert_has(old, "\nbefore: 80 samples (44.44%), self 20\nafter: 0 samples (0.00%), self 0\n"
			"change: self -20 (-100%), total -80 (-100%) [gone]</title>");
	assert_has(leaf, "fill=\"url(#frec-gone)\"");
	assert_has(leaf, "[gone]");
	/* 180 samples after plus the 80 that vanished over 1180 px; old sorts after new, at 180. */
	cr_assert_float_eq(rect_attr(old, "width"), 1180.0 * 80 / 260, 0.01);
	cr_assert_float_eq(rect_attr(old, "x"), 10 + 1180.0 * 180 / 260, 0.01);
	cr_assert_float_eq(rect_attr(leaf, "width"), 1180.0 * 60 / 260, 0.01);
	cr_assert_float_eq(rect_attr(el("main", 0), "width"), 1180, 0.01);
	cr_assert_eq(fill(fresh), 0xf0b020, "new frames are amber");
	assert_has(fresh, "stroke=\"#600060\"");
	assert_has(fresh, "change: self +80 (from 0), total +80 (from 0) [new]</title>");
	assert_lacks(el("keep", 0), "stroke");
	/* The legend shows both, and the pattern is defined. */
	assert_has(o.buf, "<pattern id=\"frec-gone\"");
	assert_has(o.buf, ">new</text>");
	assert_has(o.buf, ">gone</text>");
}

Test(render_diff, vanished_frames_take_the_width_of_their_time)
{
	/* Before: 10 ms a sample; after: 20 ms.  old's 0.8 s is 40 of after's samples. */
	before = timed("main;keep 100\nmain;old 80\n", "b", 100, 2);
	after = timed("main;keep 50\nmain;new 40\n", "a", 50, 2);
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_float_eq(rect_attr(el("old", 0), "width"), 1180.0 * 40 / 130, 0.01);
	assert_has(el("old", 0), "\nbefore: 800 ms (44.44%), self 800 ms\nafter: 0 s (0.00%), self 0 s\n");
	cr_assert_eq(fill(el("keep", 0)), 0xdcdcdc, "1 s both times");
}

Test(render_diff, negate_draws_the_before_shape_with_new_frames_beside)
{
	const char *gone, *fresh;

	before = folded("main;keep 100\nmain;old 80\n");
	after = folded("main;keep 100\nmain;new 80\n");
	o = svg(FREC_NORM_DEFAULT, true);
	gone = el("old", 0);
	fresh = el("new", 0);
	cr_assert(gone && fresh, "%s", o.buf);
	assert_has(gone, "fill=\"url(#frec-gone)\"");
	assert_has(gone, "[gone]");
	cr_assert_eq(fill(fresh), 0xf0b020);
	assert_has(fresh, "[new]");
	/* new is after's, drawn beside before's frames: keep, new, old over 260 samples. */
	cr_assert_float_eq(rect_attr(fresh, "x"), 10 + 1180.0 * 100 / 260, 0.01);
	assert_has(o.buf, "; widths: before</text>");
}

Test(render_diff, frames_of_one_side_within_the_noise_floor_stay_grey)
{
	const char *g;

	before = folded("main;a 100\nmain;rare 1\n");
	after = folded("main;a 100\nmain;fresh 1\n");
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_null(el("rare", 0), "a ghost of 1 sample is not drawn");
	g = el("fresh", 0);
	cr_assert_eq(fill(g), 0xdcdcdc);
	assert_has(g, "[new]\n(within the noise floor)</title>");
	assert_lacks(g, "stroke");
	free(o.buf);
	o = text(FREC_NORM_DEFAULT);
	assert_lacks(o.buf, "fresh");
	assert_lacks(o.buf, "rare");
}

Test(render_diff, a_new_subtree_is_new_all_through)
{
	before = folded("main;a 100\n");
	after = folded("main;a 100\nmain;lib;x 1\nmain;lib;y 1\nmain;lib 40\n");
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_eq(fill(el("lib", 0)), 0xf0b020);
	cr_assert_eq(fill(el("x", 0)), 0xf0b020, "1 sample, but of a new subtree that clears the floor");
}

Test(render_diff, colour_intensity_is_the_same_scale_in_every_graph)
{
	before = folded("main;double 100\nmain;tenfold 100\nmain;half 200\n");
	after = folded("main;double 200\nmain;tenfold 1000\nmain;half 100\n");
	o = svg(FREC_NORM_DEFAULT, false);
	/* 2x and 1/2 are half the way to full colour however large the graph's largest change. */
	cr_assert_eq(fill(el("double", 0)), 0xe07373, "%06x", fill(el("double", 0)));
	cr_assert_eq(fill(el("half", 0)), 0x7373e0, "%06x", fill(el("half", 0)));
	cr_assert_eq(fill(el("tenfold", 0)), 0xe02f2f, "%06x", fill(el("tenfold", 0)));
}

Test(render_diff, changes_within_sampling_noise_stay_grey)
{
	/* 3 -> 1 samples: one deviation of sampling noise. */
	before = folded("main;wobbly 3\nmain;rest 97\n");
	after = folded("main;wobbly 1\nmain;rest 99\n");
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_eq(fill(el("wobbly", 0)), 0xdcdcdc);
	assert_has(el("wobbly", 0), "\n(self change within the noise floor)</title>");
	teardown();
	/* 300 -> 100: ten deviations. */
	before = folded("main;wobbly 300\nmain;rest 9700\n");
	after = folded("main;wobbly 100\nmain;rest 9900\n");
	o = svg(FREC_NORM_DEFAULT, false);
	cr_assert_eq(fill(el("wobbly", 0)), 0x5757e0, "%06x", fill(el("wobbly", 0)));
	assert_lacks(el("wobbly", 0), "noise");
	before = after = NULL;
	o.buf = NULL;
}

Test(render_diff, matches_frames_by_path)
{
	/* "x" moved from under a to under b: the path changed, so one is gone and one is new. */
	before = folded("main;a;x 10\nmain;b 10\n");
	after = folded("main;a 10\nmain;b;x 10\n");
	o = svg(FREC_NORM_DEFAULT, false);
	assert_has(el("a", 0), "change: self +10 (from 0)");
	cr_assert(strstr(el("x", 0), "[gone]") || strstr(el("x", 1), "[gone]"), "%s", o.buf);
	cr_assert(strstr(el("x", 0), "[new]") || strstr(el("x", 1), "[new]"), "%s", o.buf);
}

Test(render_diff, each_normalisation_in_its_unit)
{
	static const struct {
		enum frec_norm norm;
		const char *compared, *in_svg, *row;
	} cases[] = {
		{ FREC_NORM_TIME, "CPU time (samples x period)", "CPU time (samples x period)",
		  "    1.00 s     3.00 s     +2.00 s     +200%  hash\n" },
		{ FREC_NORM_COUNT, "sample counts", "sample counts", "       100        300        +200     +200%  hash\n" },
		{ FREC_NORM_SHARE, "shares of each profile's total", "shares of each profile&#39;s total",
		  "    33.33%     60.00%   +26.67 pt      +80%  hash\n" },
		{ FREC_NORM_RATE, "CPU time per second of recording", "CPU time per second of recording",
		  "  333 ms/s   600 ms/s   +267 ms/s      +80%  hash\n" },
	};
	char want[128];

	before = timed(slow_before, "before.zst", 100, 3);
	after = timed(slow_after, "after.zst", 100, 5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = text(cases[i].norm);
		snprintf(want, sizeof(want), "\ncompared as %s [--normalize %s]\n", cases[i].compared,
			 frec_norm__name(cases[i].norm));
		assert_has(o.buf, want);
		assert_has(o.buf, cases[i].row);
		free(o.buf);
		o = svg(cases[i].norm, false);
		snprintf(want, sizeof(want), "; compared as %s; widths: after</text>", cases[i].in_svg);
		assert_has(o.buf, want);
		free(o.buf);
	}
	o.buf = NULL;
}

Test(render_diff, every_output_names_the_baseline)
{
	before = timed(slow_before, "/data/before.zst", 100, 3);
	after = timed(slow_after, "/data/after.zst", 100, 5);
	o = text(FREC_NORM_DEFAULT);
	cr_assert_eq(strncmp(o.buf, "before (baseline): /data/before.zst, 300 samples, 3.00 s\n"
				    "after:             /data/after.zst, 500 samples, 5.00 s\n", 113), 0, "%s", o.buf);
	assert_has(o.buf, "\nnoise floor: 3 standard deviations of sampling noise and 0.1% of before's total (3.00 ms);\n");
	free(o.buf);
	o = svg(FREC_NORM_DEFAULT, false);
	assert_has(o.buf, ">before (baseline): before.zst, 300 samples, 3.00 s; after: after.zst, 500 samples, 5.00 s; "
			  "compared as CPU time (samples x period); widths: after</text>");
	free(o.buf);
	o = (struct out){ 0 };
	FILE *f = open_memstream(&o.buf, &o.len);
	cr_assert_eq(render_diff__write_summary(before, after, FREC_NORM_SHARE, f), 0);
	fclose(f);
	cr_assert_str_eq(o.buf, "before (baseline): /data/before.zst, 300 samples, 3.00 s; after: /data/after.zst, "
				"500 samples, 5.00 s; compared as shares of each profile's total\n");
}

/* @text as a profile of time waited (@event "off-cpu") or wall-clock time ("wall"): weights in ns. */
static struct frec_profile *waited(const char *text, const char *event)
{
	struct frec_profile *p = folded(text);
	struct frec_profile_meta *m = frec_profile__meta(p);

	m->event = (uint32_t)frec_profile__intern_str(p, event);
	m->unit = (uint32_t)frec_profile__intern_str(p, "ns");
	m->source = (uint32_t)frec_profile__intern_str(p, "t.zst");
	m->duration_ns = 1000000000;
	m->windowed = true;
	return p;
}

/* A diff of two off-CPU or wall-clock profiles names that time, not CPU time, in each output. */
Test(render_diff, waits_are_not_called_cpu_time)
{
	static const struct {
		const char *event, *time, *how;
	} cases[] = {
		{ "off-cpu", "off-CPU time", " (nanoseconds waited)" },
		{ "wall", "wall-clock time", " (on and off CPU)" },
	};
	char want[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		before = waited("main;wait 100000000\nmain;read 100000000\n", cases[i].event);
		after = waited("main;wait 300000000\nmain;read 100000000\n", cases[i].event);
		frec_profile__meta(after)->duration_ns = 2000000000;
		o = text(FREC_NORM_DEFAULT);
		snprintf(want, sizeof(want), "\ncompared as %s%s [--normalize time]\n", cases[i].time, cases[i].how);
		assert_has(o.buf, want);
		snprintf(want, sizeof(want), "\nregressions by self %s (in the function itself)\n", cases[i].time);
		assert_has(o.buf, want);
		assert_has(o.buf, "    100 ms     300 ms     +200 ms     +200%  wait\n");
		snprintf(want, sizeof(want), "--normalize rate compares %s per second\n", cases[i].time);
		assert_has(o.buf, want);
		assert_has(o.buf, "before (baseline): t.zst, 200,000,000 ns, 1.00 s\n");
		assert_lacks(o.buf, " CPU time");
		free(o.buf);
		o = text(FREC_NORM_RATE);
		snprintf(want, sizeof(want), "\ncompared as %s per second of recording [--normalize rate]\n", cases[i].time);
		assert_has(o.buf, want);
		snprintf(want, sizeof(want), "\nimprovements by total %s per second\n", cases[i].time);
		assert_has(o.buf, want);
		free(o.buf);
		o = svg(FREC_NORM_DEFAULT, false);
		snprintf(want, sizeof(want), "; compared as %s%s; widths: after</text>", cases[i].time, cases[i].how);
		assert_has(o.buf, want);
		assert_lacks(o.buf, " CPU time");
		free(o.buf);
		o.buf = NULL;
		frec_profile__free(before);
		frec_profile__free(after);
		before = after = NULL;
	}
	/* two kinds of time compared: neither name fits both */
	before = waited("main;wait 100\n", "off-cpu");
	after = waited("main;wait 300\n", "wall");
	o = text(FREC_NORM_DEFAULT);
	assert_has(o.buf, "\ncompared as time [--normalize time]\n");
}

/*
 * Time waited varies with the number of waits, not like a count of nanoseconds: 10% more of 100
 * waits is within the noise (z = 10 / sqrt(210), not 1e7 / sqrt(2.1e8)); three times as many is not.
 */
Test(render_diff, time_waited_is_as_noisy_as_its_waits)
{
	before = waited("main;wait 100000000\nmain;read 100000000\n", "off-cpu");
	frec_profile__meta(before)->samples = 200; /* 1 ms waits */
	after = waited("main;wait 110000000\nmain;read 100000000\n", "off-cpu");
	frec_profile__meta(after)->samples = 210;
	o = text(FREC_NORM_DEFAULT);
	assert_lacks(o.buf, "  wait\n");
	free(o.buf);
	frec_profile__free(after);
	after = waited("main;wait 300000000\nmain;read 100000000\n", "off-cpu");
	frec_profile__meta(after)->samples = 400;
	o = text(FREC_NORM_DEFAULT);
	assert_has(o.buf, "    100 ms     300 ms     +200 ms     +200%  wait\n");
}

Test(render_diff, windows_of_different_lengths_suggest_rate)
{
	before = timed(slow_before, "b", 100, 3);
	after = timed(slow_after, "a", 100, 5);
	o = text(FREC_NORM_DEFAULT);
	assert_lacks(o.buf, "note:");
	free(o.buf);
	frec_profile__meta(before)->windowed = frec_profile__meta(after)->windowed = true;
	o = text(FREC_NORM_DEFAULT);
	assert_has(o.buf, "\nnote: both recordings lasted as long as you chose, and after's is 67% longer than before's:\n"
			  "      unchanged code differs by as much; --normalize rate compares CPU time per second\n");
	free(o.buf);
	o = text(FREC_NORM_RATE);
	assert_lacks(o.buf, "note:");
}

Test(render_diff, time_needs_profiles_that_carry_it)
{
	FILE *f;

	before = folded(slow_before);
	after = timed(slow_after, "a", 100, 5);
	f = open_memstream(&o.buf, &o.len);
	cr_assert_eq(render_flame__write_diff(before, after, &(struct render_flame_opts){ .norm = FREC_NORM_TIME }, f),
		     -FREC_E_NORM_NO_TIME);
	cr_assert_eq(render_diff__write_text(before, after, &(struct render_diff_opts){ .norm = FREC_NORM_RATE }, f),
		     -FREC_E_NORM_NO_TIME);
	fclose(f);
	free(o.buf);
	/* By default, a folded side makes it counts. */
	o = text(FREC_NORM_DEFAULT);
	assert_has(o.buf, "[--normalize count]");
}

Test(render_diff, text_counts_recursion_once)
{
	char *t;

	before = folded("main;rec;rec;rec 100\nmain;other 100\n");
	after = folded("main;rec;rec;rec 300\nmain;other 100\n");
	o = text(FREC_NORM_SHARE);
	t = table(&o, "regressions by total share");
	/* rec is on 50% then 75% of the stacks, not 150%. */
	assert_has(t, "\n    50.00%     75.00%   +25.00 pt      +50%  rec");
	free(t);
}

Test(render_diff, text_lists_regressions_and_improvements_most_first)
{
	char *reg, *imp;

	before = folded("main;same 500\nmain;grows 100\nmain;grows_more 100\nmain;shrinks 400\nmain;gone 50\n");
	after = folded("main;same 500\nmain;grows 200\nmain;grows_more 400\nmain;shrinks 100\nmain;fresh 50\n");
	o = text(FREC_NORM_DEFAULT);
	reg = table(&o, "regressions by self samples");
	imp = table(&o, "improvements by self samples");
	assert_has(reg, "function\n       100        400        +300     +300%  grows_more\n"
			"       100        200        +100     +100%  grows\n"
			"         0         50         +50    from 0  fresh [new]");
	assert_has(imp, "function\n       400        100        -300      -75%  shrinks\n"
			"        50          0         -50     -100%  gone [gone]");
	assert_lacks(o.buf, "  same");
	free(reg);
	free(imp);
}
