// SPDX-License-Identifier: MIT
/*
 * Untrusted text for a terminal: what is escaped, what is kept, and that log lines go through it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frec/log.h"
#include "helpers.h"

static const char *esc(const char *s)
{
	static char buf[256];

	frec_term__escape(buf, sizeof(buf), s, strlen(s));
	return buf;
}

Test(term, control_characters_are_escaped)
{
	cr_assert_str_eq(esc("a\033[31mred"), "a\\x1b[31mred");
	cr_assert_str_eq(esc("tab\there\nnl\r\x7f"), "tab\\x09here\\x0anl\\x0d\\x7f");
	/* C1 as UTF-8 (U+009B, CSI) and as a raw byte, which is not UTF-8 */
	cr_assert_str_eq(esc("a\xc2\x9b" "b"), "a\\u009bb");
	cr_assert_str_eq(esc("a\x9b" "b"), "a\\x9bb");
	/* bidirectional overrides reorder what a terminal shows */
	cr_assert_str_eq(esc("\xe2\x80\xae" "evil"), "\\u202eevil");
	/* invalid UTF-8: overlong, surrogate, truncated */
	cr_assert_str_eq(esc("\xc0\xaf|\xed\xa0\x80|\xe2\x82"), "\\xc0\\xaf|\\xed\\xa0\\x80|\\xe2\\x82");
}

Test(term, other_text_is_kept_as_it_is)
{
	const char *s = "std::vector<int>::push_back (caf\xc3\xa9.cc:12) \xe6\x97\xa5\xf0\x9f\x94\xa5 \\x1b";

	cr_assert_str_eq(esc(s), s);
}

Test(term, a_short_buffer_never_cuts_an_escape)
{
	char buf[8];

	cr_assert_eq(frec_term__escape(buf, sizeof(buf), "abcd\033efgh", 9), 12);
	cr_assert_str_eq(buf, "abcd");
	cr_assert_eq(frec_term__escape(buf, sizeof(buf), "ab\xc3\xa9\xc3\xa9\xc3\xa9", 8), 8);
	cr_assert_str_eq(buf, "ab\xc3\xa9\xc3\xa9");
}

Test(term, write_is_escape_to_a_stream)
{
	const char *s = "x\033]0;title\007y\xc2\x85z";
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	frec_term__puts(f, s);
	fclose(f);
	cr_assert_str_eq(out, esc(s));
	free(out);
}

Test(term, log_lines_are_escaped)
{
	char dir[128], path[256], line[512] = "";
	int saved = dup(STDERR_FILENO);
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", test_tmpdir(dir, sizeof(dir)));
	cr_assert(freopen(path, "w", stderr));
	frec_log(FREC_LOG_WARN, "cannot open %s", "/tmp/\033[2Jx");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	f = fopen(path, "r");
	cr_assert(fgets(line, sizeof(line), f));
	fclose(f);
	cr_assert_str_eq(line, "frec: warning: cannot open /tmp/\\x1b[2Jx\n");
}
