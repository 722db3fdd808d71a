// SPDX-License-Identifier: MIT
/*
 * Folded stacks fed to the streaming reader in pieces: whatever the cuts (in a frame, in a count,
 * between a CR and its newline, one byte at a time), the profile, the statistics and the return
 * value are those of the whole input read at once.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/profile.h"

struct outcome {
	int ret;
	struct frec_folded_stats st;
	char *folded; /* frec_profile__write_folded() of the sorted profile, then its unit */
};

static void outcome__free(struct outcome *o)
{
	free(o->folded);
}

static void describe(struct frec_profile *p, int ret, const struct frec_folded_stats *st, struct outcome *o)
{
	size_t size;
	FILE *f = open_memstream(&o->folded, &size);

	cr_assert(f);
	o->ret = ret;
	o->st = *st;
	cr_assert_eq(frec_profile__sort(p), 0);
	cr_assert_eq(frec_profile__write_folded(p, f), 0);
	fprintf(f, "unit %s\n", frec_profile__str(p, frec_profile__meta_const(p)->unit));
	fclose(f);
	frec_profile__free(p);
}

static void whole(const char *text, struct outcome *o)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_stats st;
	int ret = frec_profile__import_folded(p, text, strlen(text), &st);

	describe(p, ret, &st, o);
}

/* @text fed in pieces that end at @cuts (ascending offsets), then the rest. */
static void pieces(const char *text, const size_t *cuts, size_t nr_cuts, struct outcome *o)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_reader *r;
	struct frec_folded_stats st;
	size_t at = 0, len = strlen(text);
	int ret;

	cr_assert_eq(frec_folded_reader__new(p, &r), 0);
	for (size_t i = 0; i <= nr_cuts; i++) {
		size_t to = i < nr_cuts ? cuts[i] : len;
		/* each piece in its own buffer: nothing may be read from a buffer once it is given back */
		char *piece = malloc(to - at + 1);

		memcpy(piece, text + at, to - at);
		frec_folded_reader__feed(r, piece, to - at);
		memset(piece, '#', to - at);
		free(piece);
		at = to;
	}
	ret = frec_folded_reader__finish(r, &st);
	frec_folded_reader__free(r);
	describe(p, ret, &st, o);
}

static void same(const struct outcome *a, const struct outcome *b, const char *how)
{
	cr_assert_eq(a->ret, b->ret, "%s: returned %d, not %d", how, b->ret, a->ret);
	cr_assert_str_eq(a->folded, b->folded, "%s", how);
	cr_assert_eq(a->st.lines, b->st.lines, "%s", how);
	cr_assert_eq(a->st.bad_lines, b->st.bad_lines, "%s", how);
	cr_assert_eq(a->st.first_bad, b->st.first_bad, "%s", how);
	cr_assert_eq(a->st.first_bad_len, b->st.first_bad_len, "%s", how);
	cr_assert(!memcmp(a->st.first_bad_text, b->st.first_bad_text,
			  a->st.first_bad_len < FREC_FOLDED_QUOTE ? a->st.first_bad_len : FREC_FOLDED_QUOTE),
		  "%s: first bad line", how);
	cr_assert_eq(a->st.error_line, b->st.error_line, "%s", how);
}

/* Every cut into two pieces, every cut into three, and one byte at a time. */
static void check_every_cut(const char *text)
{
	size_t len = strlen(text);
	struct outcome ref, o;
	size_t *bytes = malloc((len + 1) * sizeof(*bytes));
	char how[64];

	whole(text, &ref);
	for (size_t i = 0; i <= len; i++) {
		pieces(text, &i, 1, &o);
		snprintf(how, sizeof(how), "cut at %zu", i);
		same(&ref, &o, how);
		outcome__free(&o);
		for (size_t j = i; j <= len; j += 3) {
			size_t two[2] = { i, j };

			pieces(text, two, 2, &o);
			snprintf(how, sizeof(how), "cuts at %zu and %zu", i, j);
			same(&ref, &o, how);
			outcome__free(&o);
		}
		bytes[i] = i;
	}
	pieces(text, bytes, len + 1, &o);
	same(&ref, &o, "one byte at a time");
	outcome__free(&o);
	outcome__free(&ref);
	free(bytes);
}

Test(folded_reader, sorted_stacks_that_share_prefixes)
{
	check_every_cut("main;a;b 1\nmain;a;b;c 2\nmain;a;bb 3\nmain;a 4\nmain;ab;c 5\nmain;a;b 6\nmain 7");
}

Test(folded_reader, comments_bad_lines_crlf_and_zero_counts)
{
	check_every_cut("# header\r\n\r\nmain;f_[k];g_[j] 2\r\nnot a stack at all, quoted in a warning\n"
			";;; 4\nmain;f_[k] 0\nmain;f 1 2\nmain;f 3\n\n");
}

Test(folded_reader, a_fraction_after_whole_counts_turns_them_into_thousandths)
{
	/* the fraction of a bad line (two counts) counts too, as it did when the input was scanned first */
	const char *text = "a;b 3\na;c 2.0\nx 1 0.5\na;d 1\na;b 1\n";
	struct outcome o;

	check_every_cut(text);
	whole(text, &o);
	cr_assert_eq(o.ret, 4);
	cr_assert_str_eq(o.folded, "a;b 4000\na;c 2000\na;d 1000\nunit " FREC_UNIT_THOUSANDTHS "\n");
	outcome__free(&o);
	check_every_cut("a;b 3\na;c 2\na;d 0.25\n");
	whole("a;b 3\na;c 2\na;d 0.25\n", &o);
	cr_assert_str_eq(o.folded, "a;b 3000\na;c 2000\na;d 250\nunit " FREC_UNIT_THOUSANDTHS "\n");
	outcome__free(&o);
}

Test(folded_reader, a_long_line_across_many_pieces)
{
	char text[4096];
	size_t o = 0;

	for (int i = 0; i < 300; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%sframe_%d", i ? ";" : "", i % 7);
	snprintf(text + o, sizeof(text) - o, " 5\nframe_0;x 1\n");
	check_every_cut(text);
}

Test(folded_reader, counts_that_overflow_in_thousandths_are_refused_where_they_stop_fitting)
{
	/*
	 * 18446744073709552 samples fit in 64 bits, but not in thousandths: the fraction two lines
	 * later makes the file one of thousandths, which line 1 already overflows.
	 */
	const char *text = "a;b 18446744073709552\na;c 1\na;d 0.5\n";
	struct outcome ref;

	check_every_cut(text);
	whole(text, &ref);
	cr_assert_eq(ref.ret, -ERANGE);
	cr_assert_eq(ref.st.error_line, 1);
	outcome__free(&ref);
	/* the sum rather than a count: line 2 takes it past 2^64 thousandths */
	whole("a;b 9223372036854775\na;c 9223372036854777\na;d 0.5\n", &ref);
	cr_assert_eq(ref.ret, -ERANGE);
	cr_assert_eq(ref.st.error_line, 2);
	outcome__free(&ref);
	/* without a fraction, they are whole samples and fit */
	whole("a;b 18446744073709552\na;c 1\n", &ref);
	cr_assert_eq(ref.ret, 2);
	outcome__free(&ref);
}

Test(folded_reader, an_error_stops_the_reader_for_good)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_reader *r;
	const char *bad = "a;b 18446744073709551615\na;c 1\n";

	cr_assert_eq(frec_folded_reader__new(p, &r), 0);
	cr_assert_eq(frec_folded_reader__feed(r, bad, strlen(bad)), -ERANGE);
	cr_assert_eq(frec_folded_reader__feed(r, "a;d 1\n", 6), -ERANGE);
	cr_assert_eq(frec_folded_reader__finish(r, NULL), -ERANGE);
	cr_assert_eq(frec_profile__total(p), UINT64_MAX);
	frec_folded_reader__free(r);
	frec_profile__free(p);
}
