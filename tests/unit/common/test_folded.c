// SPDX-License-Identifier: MIT
/*
 * Folded stacks in and out of a profile: the importer on the dialects of the tools frec must read,
 * and the writer, whose output reads back the same.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/profile.h"

static struct frec_profile *import(const char *text, int expect)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;

	cr_assert_eq(frec_profile__import_folded(p, text, strlen(text), &st), expect);
	return p;
}

/* Node of the root-first path "a;b;c", or FREC_NONE. */
static uint32_t find(const struct frec_profile *p, const char *path)
{
	char buf[512], *save, *tok;
	uint32_t node = FREC_NODE_ROOT;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		uint32_t c;

		for (c = frec_profile__node(p, node)->first_child; c != FREC_NONE;
		     c = frec_profile__node(p, c)->next_sibling)
			if (!strcmp(frec_profile__frame_name(p, frec_profile__node(p, c)->frame), tok))
				break;
		if (c == FREC_NONE)
			return FREC_NONE;
		node = c;
	}
	return node;
}

Test(folded, flamegraph_pl_style_stacks)
{
	struct frec_profile *p = import("main;foo;bar 10\nmain;foo 5\nmain;baz 1\n\nmain;foo;bar 2\n", 4);

	cr_assert_eq(frec_profile__total(p), 18);
	cr_assert_eq(frec_profile__node(p, find(p, "main;foo;bar"))->self, 12);
	cr_assert_eq(frec_profile__node(p, find(p, "main;foo"))->total, 17);
	cr_assert_eq(frec_profile__node(p, find(p, "main;baz"))->self, 1);
	frec_profile__free(p);
}

Test(folded, names_with_spaces_and_crlf)
{
	/* py-spy --format raw and async-profiler names */
	struct frec_profile *p = import("<module> (app.py:10);handle (app.py:42) 7\r\n"
					"java/lang/Thread.run;Foo::bar(int, char) 3\r\n",
					2);

	cr_assert_neq(find(p, "<module> (app.py:10);handle (app.py:42)"), FREC_NONE);
	cr_assert_eq(frec_profile__node(p, find(p, "java/lang/Thread.run;Foo::bar(int, char)"))->self, 3);
	frec_profile__free(p);
}

Test(folded, kind_suffixes_become_kinds)
{
	struct frec_profile *p = import("main;do_syscall_64_[k];js:hot_[j];helper_[i];[unknown] 4\n", 1);
	uint32_t n = find(p, "main;do_syscall_64;js:hot;helper;[unknown]");
	const struct frec_frame *f;

	cr_assert_neq(n, FREC_NONE);
	f = frec_profile__frame(p, frec_profile__node(p, n)->frame);
	cr_assert_eq(f->kind, FREC_FRAME_UNKNOWN);
	n = frec_profile__node(p, n)->parent;
	f = frec_profile__frame(p, frec_profile__node(p, n)->frame);
	cr_assert_eq(f->flags, FREC_FRAME_INLINED);
	n = frec_profile__node(p, n)->parent;
	cr_assert_eq(frec_profile__frame(p, frec_profile__node(p, n)->frame)->kind, FREC_FRAME_JIT);
	n = frec_profile__node(p, n)->parent;
	cr_assert_eq(frec_profile__frame(p, frec_profile__node(p, n)->frame)->kind, FREC_FRAME_KERNEL);
	frec_profile__free(p);
}

Test(folded, bad_lines_are_counted_not_fatal)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	const char *text = "main;ok 3\nno count here\nmain;neg -1\n;;; 5\nmain;fine 2\n";

	cr_assert_eq(frec_profile__import_folded(p, text, strlen(text), &st), 2);
	cr_assert_eq(st.lines, 5);
	cr_assert_eq(st.bad_lines, 3);
	cr_assert_eq(st.first_bad, 2);
	/* the first bad line itself, for the message to quote */
	cr_assert_eq(st.first_bad_len, 13);
	cr_assert(!memcmp(st.first_bad_text, "no count here", 13));
	cr_assert_eq(frec_profile__node(p, find(p, "main;fine"))->self, 2);
	frec_profile__free(p);
}

Test(folded, nothing_valid_is_an_error)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_eq(frec_profile__import_folded(p, "hello\nworld\n", 12, NULL), -FREC_E_FOLDED_EMPTY);
	frec_profile__free(p);
}

Test(folded, empty_and_comment_only_input_holds_no_stacks)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	const char *comments = "# collapsed by hand\n\n#main;foo 3\n";

	cr_assert_eq(frec_profile__import_folded(p, "", 0, &st), 0);
	cr_assert_eq(st.lines, 0);
	cr_assert_eq(frec_profile__import_folded(p, comments, strlen(comments), &st), 0);
	cr_assert_eq(st.lines, 0);
	cr_assert_eq(st.bad_lines, 0);
	cr_assert_eq(frec_profile__total(p), 0);
	frec_profile__free(p);
}

Test(folded, bad_line_numbers_count_blank_lines)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	const char *text = "\n# c\nmain;a 1\n\nnot a stack\n";

	cr_assert_eq(frec_profile__import_folded(p, text, strlen(text), &st), 1);
	cr_assert_eq(st.first_bad, 5);
	frec_profile__free(p);
}

Test(folded, counts_that_overflow_64_bits_are_refused_with_their_line)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	/* 2^63 three times: wrapped, the root would be 2^63 and smaller than its children. */
	const char *sum = "a;b 9223372036854775808\n\na;c 9223372036854775808\na;d 9223372036854775808\n";
	const char *one = "a;b 1\na;c 18446744073709551616\n";
	const char *max = "a;b 18446744073709551615\n";
	const char *round = "a;b 18446744073709551615.5\n";

	cr_assert_eq(frec_profile__import_folded(p, sum, strlen(sum), &st), -ERANGE);
	cr_assert_eq(st.error_line, 3);
	cr_assert_eq(frec_profile__total(p), 9223372036854775808ull);
	frec_profile__free(p);

	p = frec_profile__new();
	cr_assert_eq(frec_profile__import_folded(p, one, strlen(one), &st), -ERANGE);
	cr_assert_eq(st.error_line, 2);
	cr_assert_eq(frec_profile__import_folded(p, round, strlen(round), &st), -ERANGE);
	frec_profile__free(p);

	p = frec_profile__new();
	cr_assert_eq(frec_profile__import_folded(p, max, strlen(max), &st), 1);
	cr_assert_eq(frec_profile__total(p), UINT64_MAX);
	frec_profile__free(p);
}

Test(folded, text_that_is_not_folded_is_refused_early)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	size_t n = 1000 * 6;
	char *text = malloc(n + 16);

	for (size_t i = 0; i < 1000; i++)
		memcpy(text + i * 6, "log: \n", 6);
	strcpy(text + n, "main;foo 1\n");
	cr_assert_eq(frec_profile__import_folded(p, text, strlen(text), &st), -FREC_E_FOLDED_EMPTY);
	cr_assert_eq(st.lines, 1000, "read on after 1,000 lines of something else: %" PRIu64, st.lines);
	/* one line fewer and the stack at the end is found */
	cr_assert_eq(frec_profile__import_folded(p, text + 6, strlen(text + 6), &st), 1);
	free(text);
	frec_profile__free(p);
}

Test(folded, detection)
{
	cr_assert(frec_profile__looks_folded("\nmain;foo 12\n", 13));
	cr_assert(frec_profile__looks_folded("single 1", 8));
	cr_assert_not(frec_profile__looks_folded("\x28\xb5\x2f\xfd", 4));
	cr_assert_not(frec_profile__looks_folded("just text\n", 10));
	cr_assert_not(frec_profile__looks_folded("", 0));
}

Test(folded, a_stack_deeper_than_any_real_one_is_refused_with_its_line)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	size_t depth = 65537, len = 12 + depth * 2 + 8;
	char *text = malloc(len);
	size_t o = (size_t)sprintf(text, "main;ok 1\n");

	for (size_t i = 0; i < depth; i++)
		o += (size_t)sprintf(text + o, "%sa", i ? ";" : "");
	o += (size_t)sprintf(text + o, " 1\n");
	cr_assert_eq(frec_profile__import_folded(p, text, o, &st), -E2BIG);
	cr_assert_eq(st.error_line, 2);
	/* one frame fewer is a stack */
	frec_profile__free(p);
	p = frec_profile__new();
	cr_assert_eq(frec_profile__import_folded(p, text + 10 + 2, o - 12, &st), 1);
	free(text);
	frec_profile__free(p);
}

static const char *unit(const struct frec_profile *p)
{
	return frec_profile__str(p, frec_profile__meta_const(p)->unit);
}

Test(folded, fractional_counts_are_kept_as_weights_in_thousandths)
{
	/* rounded to whole samples, 0.4 would vanish and 1.2345 weigh as much as 1 */
	struct frec_profile *p = import("a;b 0.4\na;c 1\na;e 1.2345\na;f 2.\n", 4);

	cr_assert_str_eq(unit(p), FREC_UNIT_THOUSANDTHS);
	cr_assert_eq(frec_profile__node(p, find(p, "a;b"))->self, 400);
	cr_assert_eq(frec_profile__node(p, find(p, "a;c"))->self, 1000);
	cr_assert_eq(frec_profile__node(p, find(p, "a;e"))->self, 1235);
	cr_assert_eq(frec_profile__node(p, find(p, "a;f"))->self, 2000);
	cr_assert_eq(frec_profile__total(p), 4635);
	/* compared with whole counts, thousandths count as what they are */
	cr_assert_float_eq(frec_profile__norm_scale(p, FREC_NORM_COUNT), 0.001, 1e-12);
	frec_profile__free(p);

	/* a zero fraction is a whole count: the file keeps counting samples */
	p = import("a;b 3.0\na;c 1\n", 2);
	cr_assert_str_eq(unit(p), "samples");
	cr_assert_eq(frec_profile__node(p, find(p, "a;b"))->self, 3);
	cr_assert_float_eq(frec_profile__norm_scale(p, FREC_NORM_COUNT), 1, 1e-12);
	frec_profile__free(p);
}

Test(folded, a_trailing_semicolon_adds_no_frame)
{
	/* flamegraph.pl splits the stack with Perl's split, which drops a trailing empty field */
	struct frec_profile *p = import("a;b; 2\na;b 3\na; 1\n", 3);
	uint32_t b = find(p, "a;b");

	cr_assert_neq(b, FREC_NONE);
	cr_assert_eq(frec_profile__node(p, b)->self, 5);
	cr_assert_eq(frec_profile__node(p, b)->first_child, FREC_NONE);
	cr_assert_eq(frec_profile__node(p, find(p, "a"))->self, 1);
	frec_profile__free(p);
}

Test(folded, comment_lines_such_as_austins_header_are_skipped)
{
	static const char austin[] = "# austin: 3.6.0\n# interval: 100\n# mode: wall\n\n"
				     "P42;T7;<module> (app.py:1);main (app.py:9) 300\n"
				     "P42;T7;<module> (app.py:1) 100\n# duration: 1000\n";
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;

	cr_assert_eq(frec_profile__import_folded(p, austin, strlen(austin), &st), 2);
	cr_assert_eq(st.bad_lines, 0);
	cr_assert_eq(frec_profile__total(p), 400);
	cr_assert_eq(frec_profile__node(p, find(p, "P42;T7;<module> (app.py:1);main (app.py:9)"))->self, 300);
	cr_assert(frec_profile__looks_folded(austin, strlen(austin)));
	frec_profile__free(p);
}

Test(folded, two_count_lines_are_a_diff_not_a_frame_name)
{
	static const char diff[] = "main;f 6 4\nmain;g 0 2\nmain;h 3 0\n";
	static const char mixed[] = "main;f 6 4\nmain;g 1\n";
	struct frec_profile *before = frec_profile__new(), *after = frec_profile__new();
	struct frec_folded_stats st;

	cr_assert(frec_profile__looks_folded_diff(diff, strlen(diff)));
	cr_assert_not(frec_profile__looks_folded(diff, strlen(diff)));
	cr_assert_not(frec_profile__looks_folded_diff("main;f 6\n", 9));
	cr_assert_eq(frec_profile__import_folded_diff(before, after, diff, strlen(diff), &st), 2);
	cr_assert_eq(st.bad_lines, 0);
	cr_assert_eq(frec_profile__node(before, find(before, "main;f"))->self, 6);
	cr_assert_eq(frec_profile__node(after, find(after, "main;f"))->self, 4);
	cr_assert_eq(find(before, "main;g"), FREC_NONE);
	cr_assert_eq(frec_profile__node(after, find(after, "main;g"))->self, 2);
	cr_assert_eq(frec_profile__node(before, find(before, "main;h"))->self, 3);
	cr_assert_eq(find(after, "main;h"), FREC_NONE);
	cr_assert_eq(find(after, "main;f 6"), FREC_NONE);
	frec_profile__free(before);
	frec_profile__free(after);

	/* read as one count, the two-count line is refused, not taken for a frame "f 6" */
	before = import(mixed, 1);
	cr_assert_eq(find(before, "main;f 6"), FREC_NONE);
	cr_assert_eq(frec_profile__node(before, find(before, "main;g"))->self, 1);
	frec_profile__free(before);
}

Test(folded, a_diff_with_fractions_has_both_sides_in_thousandths)
{
	static const char diff[] = "main;f 1 0.5\n";
	struct frec_profile *before = frec_profile__new(), *after = frec_profile__new();

	cr_assert_eq(frec_profile__import_folded_diff(before, after, diff, strlen(diff), NULL), 1);
	cr_assert_str_eq(unit(before), FREC_UNIT_THOUSANDTHS);
	cr_assert_str_eq(unit(after), FREC_UNIT_THOUSANDTHS);
	cr_assert_eq(frec_profile__total(before), 1000);
	cr_assert_eq(frec_profile__total(after), 500);
	frec_profile__free(before);
	frec_profile__free(after);
}

/* A sorted profile of folded stacks @text. */
static struct frec_profile *load(const char *text)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_not_null(p);
	cr_assert_gt(frec_profile__import_folded(p, text, strlen(text), NULL), 0);
	cr_assert_eq(frec_profile__sort(p), 0);
	return p;
}

/* @p as folded text (malloc'ed). */
static char *write_folded(const struct frec_profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(frec_profile__write_folded(p, f), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(common_folded, writes_what_it_reads_sorted)
{
	struct frec_profile *prof;
	char *out;
	static const char in[] = "main;work;leaf 5\n"
				 "main;syscall_[k];do_read_[k] 2\n"
				 "main;jit_fn_[j] 1\n"
				 "main;outer;helper_[i] 3\n"
				 "main 4\n"
				 "[unknown] 1\n";
	static const char sorted[] = "[unknown] 1\n"
				     "main 4\n"
				     "main;jit_fn_[j] 1\n"
				     "main;outer;helper_[i] 3\n"
				     "main;syscall_[k];do_read_[k] 2\n"
				     "main;work;leaf 5\n";

	prof = load(in);
	out = write_folded(prof);
	cr_assert_str_eq(out, sorted);
	frec_profile__free(prof);
	prof = load(out);
	free(out);
	out = write_folded(prof);
	cr_assert_str_eq(out, sorted, "a second round trip changes nothing");
	free(out);
	frec_profile__free(prof);
}

Test(common_folded, writes_identical_stacks_merged)
{
	struct frec_profile *prof;
	char *out;

	prof = load("a;b 1\na;b 2\na;c 1\n");
	out = write_folded(prof);
	cr_assert_str_eq(out, "a;b 3\na;c 1\n");
	free(out);
	frec_profile__free(prof);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of @text (modified), sorted; *@n of them. */
static char **sorted_lines(char *text, size_t *n)
{
	char **v = NULL, *save, *tok;
	size_t cap = 0;

	*n = 0;
	for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			cr_assert_not_null(v);
		}
		v[(*n)++] = tok;
	}
	qsort(v, *n, sizeof(*v), cmp_lines);
	return v;
}

Test(common_folded, every_text_names_its_own_frame)
{
	/*
	 * The importer finds a frame by the text that names it: "fn7", "fn7_[k]", "fn7_[j]" and
	 * "fn7_[i]" are four frames, "fn7" is not "fn70", and thousands of them (more than the
	 * importer's first index holds) still each find their own.  Written back, every line is the
	 * line read.
	 */
	static const char *const suffix[] = { "", "_[k]", "_[j]", "_[i]" };
	char *in = NULL, *out, **a, **b;
	size_t len = 0, na, nb;
	FILE *f = open_memstream(&in, &len);
	struct frec_profile *prof;

	cr_assert_not_null(f);
	/* from the last: "fn70" is seen before "fn7", which must not take it for itself */
	for (int i = 2999; i >= 0; i--)
		fprintf(f, "root;fn%d%s;fn%d%s %d\n", i % 1500, suffix[i % 4], i / 2, suffix[(i / 3) % 4], i + 1);
	cr_assert_eq(fclose(f), 0);
	prof = load(in);
	out = write_folded(prof);
	a = sorted_lines(in, &na);
	b = sorted_lines(out, &nb);
	cr_assert_eq(na, nb);
	for (size_t i = 0; i < na; i++)
		cr_assert_str_eq(a[i], b[i]);
	free(a);
	free(b);
	free(in);
	free(out);
	frec_profile__free(prof);
}
