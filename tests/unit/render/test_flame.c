// SPDX-License-Identifier: MIT
/*
 * SVG flame graphs, differential graphs and the text diff, on hand-written folded profiles.  The
 * output is parsed back just enough to find a frame's rectangle by its tooltip's first line.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"

struct out {
	char *buf;
	size_t len;
};

static struct frec_profile *folded(const char *text)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_not_null(p);
	cr_assert_gt(frec_profile__import_folded(p, text, strlen(text), NULL), 0, "fixture: %s", text);
	return p;
}

static struct out render(const struct frec_profile *p, const struct render_flame_opts *opts)
{
	struct out o = { 0 };
	FILE *f = open_memstream(&o.buf, &o.len);

	cr_assert_not_null(f);
	cr_assert_eq(render_flame__write(p, opts, f), 0);
	cr_assert_eq(fclose(f), 0);
	return o;
}

static struct out render_diff(const struct frec_profile *a, const struct frec_profile *b, bool negate)
{
	struct render_flame_opts opts = { .minwidth = -1, .negate = negate };
	struct out o = { 0 };
	FILE *f = open_memstream(&o.buf, &o.len);

	cr_assert_not_null(f);
	cr_assert_eq(render_flame__write_diff(a, b, &opts, f), 0);
	cr_assert_eq(fclose(f), 0);
	return o;
}

/* The frame whose tooltip starts with the line @name (the n-th such frame, from 0), or NULL. */
static const char *frame(const struct out *o, const char *name, int nth)
{
	char key[512];
	const char *s = o->buf;

	snprintf(key, sizeof(key), "<g><title>%s\n", name);
	while ((s = strstr(s, key))) {
		if (!nth--)
			return s;
		s++;
	}
	return NULL;
}

/* Whether frame @g has a label. */
static bool has_label(const char *g)
{
	const char *end = strstr(g, "</g>"), *t = strstr(g, "<text");

	return t && t < end;
}

/* Attribute @attr of the <rect> of frame @g. */
static double rect_attr(const char *g, const char *attr)
{
	char key[32];
	const char *r = strstr(g, "<rect ");

	cr_assert_not_null(r);
	snprintf(key, sizeof(key), " %s=\"", attr);
	r = strstr(r, key);
	cr_assert_not_null(r, "no %s", attr);
	return strtod(r + strlen(key), NULL);
}

/* The fill of frame @g as 0xRRGGBB. */
static unsigned int fill(const char *g)
{
	const char *r = strstr(strstr(g, "<rect "), "fill=\"#");

	cr_assert_not_null(r);
	return (unsigned int)strtoul(r + 7, NULL, 16);
}

static size_t count(const struct out *o, const char *needle)
{
	size_t n = 0;

	for (const char *s = o->buf; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* Whether @len bytes are valid UTF-8 without control characters other than newline. */
static bool clean_utf8(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

		if (!n || i + n > len || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if (c == 0xed && s[i + 1] >= 0xa0) /* surrogate */
			return false;
		i += n;
	}
	return true;
}

Test(render_flame, widths_are_proportional_to_weight)
{
	struct frec_profile *p = folded("main;a 30\nmain;b 10\nmain 60\n");
	struct render_flame_opts opts = { .width = 1020, .minwidth = -1 };
	struct out o = render(p, &opts);
	const char *a = frame(&o, "a", 0), *b = frame(&o, "b", 0), *m = frame(&o, "main", 0);

	cr_assert(a && b && m);
	/* 1000 drawable pixels for 100 samples. */
	cr_assert_float_eq(rect_attr(m, "width"), 1000, 0.01);
	cr_assert_float_eq(rect_attr(a, "width"), 300, 0.01);
	cr_assert_float_eq(rect_attr(b, "width"), 100, 0.01);
	/* Children in name order from the parent's left edge, one level up. */
	cr_assert_float_eq(rect_attr(a, "x"), rect_attr(m, "x"), 0.01);
	cr_assert_float_eq(rect_attr(b, "x"), rect_attr(m, "x") + 300, 0.01);
	cr_assert_float_eq(rect_attr(a, "y"), rect_attr(m, "y") - 16, 0.01);
	cr_assert_not_null(strstr(a, "30 samples (30.00%), self 30 (30.00%)"));
	free(o.buf);
	frec_profile__free(p);
}

Test(render_flame, icicle_puts_the_root_on_top)
{
	struct frec_profile *p = folded("main;a;b 1\n");
	struct render_flame_opts opts = { .icicle = true, .minwidth = -1 };
	struct out o = render(p, &opts);

	cr_assert_lt(rect_attr(frame(&o, "all", 0), "y"), rect_attr(frame(&o, "b", 0), "y"));
	free(o.buf);
	frec_profile__free(p);
}

Test(render_flame, same_input_same_bytes_whatever_the_line_order)
{
	struct frec_profile *p = folded("main;x;y 3\nmain;a 2\nother 1\nmain;x 4\n");
	struct frec_profile *q = folded("main;x 4\nother 1\nmain;a 2\nmain;x;y 3\n");
	struct out a = render(p, NULL), b = render(q, NULL), c = render(p, NULL);

	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.buf, b.buf, a.len), 0);
	cr_assert_eq(a.len, c.len);
	cr_assert_eq(memcmp(a.buf, c.buf, a.len), 0);
	free(a.buf);
	free(b.buf);
	free(c.buf);
	frec_profile__free(p);
	frec_profile__free(q);
}

Test(render_flame, hostile_names_are_escaped)
{
	static const char text[] = "main;<script>alert(1)</script> 1\n"
				   "main;]]></script><script>x()</script> 1\n"
				   "main;a&b\"c'd 1\n"
				   "main;ctl\x01\x1b[31m\x7f 1\n"
				   "main;bad\xff\xc3( 1\n"
				   "main;cut\xe2\x82 1\n"
				   "main;\xed\xa0\x80 1\n";
	struct frec_profile *p = folded(text);
	struct render_flame_opts opts = { .title = "<title>&", .subtitle = "\x01", .minwidth = -1 };
	struct out o = render(p, &opts);

	cr_assert_eq(count(&o, "<script"), 1, "only the graph's own script");
	cr_assert_eq(count(&o, "]]>"), 1, "only the end of the graph's own CDATA");
	cr_assert_not_null(strstr(o.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_assert_not_null(strstr(o.buf, "a&amp;b&quot;c&#39;d"));
	cr_assert_not_null(strstr(o.buf, "&lt;title&gt;&amp;"));
	cr_assert_not_null(frame(&o, "ctl\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd", 0));
	cr_assert_not_null(frame(&o, "bad\xef\xbf\xbd\xef\xbf\xbd(", 0));
	cr_assert_not_null(frame(&o, "cut\xef\xbf\xbd\xef\xbf\xbd", 0));
	cr_assert(clean_utf8(o.buf, o.len), "output is clean UTF-8");
	free(o.buf);
	frec_profile__free(p);
}

Test(render_flame, labels_are_cut_to_fit)
{
	struct frec_profile *p = folded("main;a_function_with_a_very_long_name_indeed 1\nmain;x 99\n");
	struct render_flame_opts opts = { .width = 1020, .minwidth = -1 };
	struct out o = render(p, &opts);
	const char *g = frame(&o, "a_function_with_a_very_long_name_indeed", 0);

	/* 10 px: no room for three characters, so no label at all. */
	cr_assert_not_null(g);
	cr_assert_not(has_label(g));
	free(o.buf);
	frec_profile__free(p);

	p = folded("main;a_function_with_a_very_long_name_indeed 6\nmain;x 94\n");
	o = render(p, &opts);
	g = frame(&o, "a_function_with_a_very_long_name_indeed", 0);
	/* 60 px: (60 - 6) / 7.3 = 7 characters, the last two of them "..". */
	cr_assert_not_null(strstr(g, ">a_fun..</text>"));
	free(o.buf);
	frec_profile__free(p);
}

Test(render_flame, frames_under_minwidth_merge_into_their_parent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct frec_profile *p;
	struct out o;

	for (int i = 0; i < 1000; i++)
		fprintf(f, "main;tiny%04d;deeper 1\n", i);
	fprintf(f, "main;big 1000\n");
	fclose(f);
	p = folded(text);
	/* Each tiny frame is 1180 / 2000 = 0.59 px. */
	o = render(p, &(struct render_flame_opts){ .minwidth = 0.5 });
	cr_assert_eq(count(&o, "<g><title>"), 3 + 2000);
	free(o.buf);
	o = render(p, &(struct render_flame_opts){ .minwidth = 1 });
	cr_assert_eq(count(&o, "<g><title>"), 3);
	/* Their weight still widens main. */
	cr_assert_float_eq(rect_attr(frame(&o, "main", 0), "width"), 1180, 0.01);
	free(o.buf);
	free(text);
	frec_profile__free(p);
}

Test(render_flame, colours_follow_names_not_positions)
{
	struct frec_profile *p = folded("main;parse;lex 5\nmain;eval 3\n");
	struct frec_profile *q = folded("other;lex 1\nzzz;more;stuff;lex 9\nsys_read_[k] 1\nlex_[k] 1\n");
	struct out a = render(p, NULL), b = render(q, NULL);

	/* In b, frames come in name order: the kernel's lex (a root) first, then other;lex, zzz;...;lex. */
	cr_assert_eq(fill(frame(&a, "lex", 0)), fill(frame(&b, "lex", 1)));
	cr_assert_eq(fill(frame(&b, "lex", 1)), fill(frame(&b, "lex", 2)));
	/* The kernel's lex is another class, so another colour family. */
	cr_assert_neq(fill(frame(&b, "lex", 0)), fill(frame(&b, "lex", 1)));
	cr_assert_not_null(strstr(frame(&b, "lex", 0), "[kernel]"));
	free(a.buf);
	free(b.buf);
	frec_profile__free(p);
	frec_profile__free(q);
}

Test(render_flame, palettes)
{
	struct frec_profile *p = folded("main;a 1\n");
	FILE *f = fopen("/dev/null", "w");

	cr_assert(render_flame__has_palette("hot"));
	cr_assert(render_flame__has_palette("aqua"));
	cr_assert_not(render_flame__has_palette("plaid"));
	cr_assert_eq(render_flame__write(p, &(struct render_flame_opts){ .palette = "plaid" }, f), -EINVAL);
	cr_assert_eq(render_flame__write(p, &(struct render_flame_opts){ .palette = "io" }, f), 0);
	fclose(f);
	frec_profile__free(p);
}

Test(render_flame, write_errors_are_reported)
{
	struct frec_profile *p = folded("main;a 1\n");
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		cr_skip_test("no /dev/full");
	cr_assert_eq(render_flame__write(p, NULL, f), -EIO);
	fclose(f);
	frec_profile__free(p);
}

Test(render_flame, metadata_makes_the_subtitle)
{
	struct frec_profile *p = folded("main;a 990\n");
	struct frec_profile_meta *m = frec_profile__meta(p);
	struct out o;

	m->command = (uint32_t)frec_profile__intern_str(p, "./server --port 80");
	m->event = (uint32_t)frec_profile__intern_str(p, "cpu-clock");
	m->freq = 99;
	m->duration_ns = 10000000000ull;
	m->samples = 990;
	m->lost = 10;
	o = render(p, NULL);
	cr_assert_not_null(strstr(o.buf, ">Flame graph: ./server --port 80</text>"));
	cr_assert_not_null(strstr(o.buf, ">cpu-clock, 99 Hz, 10.0 s, 990 samples, 1.00% lost</text>"));
	free(o.buf);
	frec_profile__free(p);
}

/* ---- Differential graphs -------------------------------------------------------------------- */

static const char before_text[] = "main;same 50\nmain;grows 10\nmain;shrinks 40\n";
/* After has twice the samples: "same" keeps its 50% share, "grows" goes 10% -> 40%. */
static const char after_text[] = "main;same 100\nmain;grows 80\nmain;shrinks 10\nmain;fresh 10\n";

Test(render_diff, colour_is_the_change_of_self_share)
{
	struct frec_profile *a = folded(before_text), *b = folded(after_text);
	struct out o = render_diff(a, b, false);
	unsigned int grew = fill(frame(&o, "grows", 0)), shrank = fill(frame(&o, "shrinks", 0));
	unsigned int same = fill(frame(&o, "same", 0));

	cr_assert_eq(same, 0xdcdcdc, "unchanged share is grey, not %06x", same);
	cr_assert_gt(grew >> 16, grew & 0xff, "grew is red: %06x", grew);
	cr_assert_gt(shrank & 0xff, shrank >> 16, "shrank is blue: %06x", shrank);
	/* The largest change (shrinks, -35 points) gets the strongest colour, grows (+30) a bit less. */
	cr_assert_eq(shrank, 0x2828e0);
	cr_assert_eq(grew, 0xe04242);
	cr_assert_not_null(strstr(frame(&o, "grows", 0), "before: 10 samples (10.00%)"));
	cr_assert_not_null(strstr(frame(&o, "grows", 0), "after: 80 samples (40.00%)"));
	cr_assert_not_null(strstr(frame(&o, "grows", 0), "change: self +30 pt (+300%), total +30 pt (+300%)"));
	cr_assert_not_null(strstr(frame(&o, "fresh", 0), "[new]"));
	cr_assert_null(frame(&o, "gone", 0), "widths come from AFTER");
	/* Shape from after: 200 samples over 1180 px. */
	cr_assert_float_eq(rect_attr(frame(&o, "grows", 0), "width"), 1180.0 * 80 / 200, 0.01);
	free(o.buf);
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(render_diff, negate_draws_the_before_shape)
{
	struct frec_profile *a = folded("main;same 50\nmain;vanished 50\n"), *b = folded(after_text);
	struct out o = render_diff(a, b, true);
	const char *g = frame(&o, "vanished", 0);

	cr_assert_not_null(g);
	cr_assert_not_null(strstr(g, "[gone]"));
	cr_assert_not_null(strstr(g, "change: self -50 pt (-100%)"));
	cr_assert_gt(fill(g) & 0xff, fill(g) >> 16, "vanished is blue");
	cr_assert_null(frame(&o, "fresh", 0));
	cr_assert_float_eq(rect_attr(g, "width"), 590, 0.01);
	free(o.buf);
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(render_diff, matches_frames_by_path)
{
	/* "x" moved from under a to under b: the path changed, so both are changes. */
	struct frec_profile *a = folded("main;a;x 10\nmain;b 10\n"), *b = folded("main;a 10\nmain;b;x 10\n");
	struct out o = render_diff(a, b, false);
	const char *x = frame(&o, "x", 0);

	cr_assert_not_null(strstr(x, "[new]"));
	cr_assert_not_null(strstr(frame(&o, "a", 0), "change: self +50 pt"));
	free(o.buf);
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(render_diff, text_lists_regressions_and_improvements)
{
	struct frec_profile *a = folded(before_text), *b = folded(after_text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *reg, *imp, *line;

	cr_assert_eq(render_diff__write_text(a, b, &(struct render_diff_opts){ .top = 2 }, f), 0);
	fclose(f);
	reg = strstr(buf, "regressions by self share");
	imp = strstr(buf, "improvements by self share");
	cr_assert(reg && imp && reg < imp, "%s", buf);
	line = strstr(reg, "\n   10.00%    40.00%   +30.00pt     +300%  grows\n");
	cr_assert(line && line < imp, "%s", buf);
	cr_assert_not_null(strstr(reg, "+5.00pt    from 0  fresh [new]"));
	line = strstr(imp, "\n   40.00%     5.00%   -35.00pt      -88%  shrinks\n");
	cr_assert_not_null(line, "%s", buf);
	/* "same" kept its share: in no table. */
	cr_assert_null(strstr(buf, "  same"), "%s", buf);
	free(buf);
	frec_profile__free(a);
	frec_profile__free(b);
}

Test(render_diff, text_counts_recursion_once)
{
	struct frec_profile *a = folded("main;rec;rec;rec 100\nmain;other 100\n"),
			    *b = folded("main;rec;rec;rec 300\nmain;other 100\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(render_diff__write_text(a, b, NULL, f), 0);
	fclose(f);
	/* rec is on 50% then 75% of the stacks, not 150%. */
	cr_assert_not_null(strstr(strstr(buf, "regressions by total share"), "\n   50.00%    75.00%   +25.00pt      +50%  rec\n"),
			   "%s", buf);
	free(buf);
	frec_profile__free(a);
	frec_profile__free(b);
}

/* A profile as the symbolizer builds it: modules, source lines, kinds. */
static uint32_t add_frame(struct frec_profile *p, const char *name, const char *module, const char *file,
			  uint32_t line, uint8_t kind, uint8_t flags)
{
	struct frec_frame f = {
		.name = (uint32_t)frec_profile__intern_str(p, name),
		.module = module ? (uint32_t)frec_profile__intern_str(p, module) : 0,
		.file = file ? (uint32_t)frec_profile__intern_str(p, file) : 0,
		.line = line,
		.kind = kind,
		.flags = flags,
	};
	int id = frec_profile__add_frame(p, &f);

	cr_assert_geq(id, 0);
	return (uint32_t)id;
}

Test(render_flame, tooltips_and_colours_from_modules_and_kinds)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t stack[] = {
		add_frame(p, "main", "/usr/bin/app", "app.c", 12, FREC_FRAME_USER, 0),
		add_frame(p, "helper", "/usr/bin/app", "app.c", 40, FREC_FRAME_USER, FREC_FRAME_INLINED),
		add_frame(p, "compress", "/usr/lib/libz.so.1", NULL, 0, FREC_FRAME_USER, 0),
		add_frame(p, "memcpy", "/usr/lib/x86_64-linux-gnu/libc.so.6", NULL, 0, FREC_FRAME_USER, 0),
		add_frame(p, "page_fault", "[kernel.kallsyms]", NULL, 0, FREC_FRAME_KERNEL, 0),
	};
	uint32_t jit[] = { stack[0], add_frame(p, "LazyCompile:*run", "/tmp/perf-1.map", NULL, 0, FREC_FRAME_JIT, 0) };
	struct out o;
	unsigned int c;

	cr_assert_geq(frec_profile__add_stack(p, stack, 5, 10), 0);
	cr_assert_geq(frec_profile__add_stack(p, jit, 2, 10), 0);
	o = render(p, NULL);
	cr_assert_not_null(strstr(frame(&o, "main", 0), "main\nmodule: /usr/bin/app\nsource: app.c:12\n20 samples"));
	cr_assert_not_null(strstr(frame(&o, "helper", 0), "\n[inlined]\n"));
	cr_assert_not_null(strstr(frame(&o, "page_fault", 0), "\n[kernel]\n"));
	cr_assert_not_null(strstr(frame(&o, "LazyCompile:*run", 0), "\n[JIT]\n"));
	/* Colour families: red program, aqua inlined, yellow library, pink libc, orange kernel, green JIT. */
	c = fill(frame(&o, "main", 0));
	cr_assert(c >> 16 >= 210 && (c >> 8 & 0xff) <= 110, "program %06x", c);
	c = fill(frame(&o, "helper", 0));
	cr_assert((c & 0xff) >= 200 && c >> 16 <= 110, "inlined %06x", c);
	c = fill(frame(&o, "compress", 0));
	cr_assert((c >> 8 & 0xff) >= 195 && (c & 0xff) <= 90, "library %06x", c);
	c = fill(frame(&o, "memcpy", 0));
	cr_assert((c & 0xff) >= 160 && c >> 16 >= 225, "libc %06x", c);
	c = fill(frame(&o, "page_fault", 0));
	cr_assert(c >> 16 >= 235 && (c >> 8 & 0xff) >= 140 && (c & 0xff) <= 50, "kernel %06x", c);
	c = fill(frame(&o, "LazyCompile:*run", 0));
	cr_assert((c >> 8 & 0xff) >= 190 && c >> 16 <= 120, "JIT %06x", c);
	/* The legend names each class drawn, and only those. */
	cr_assert_not_null(strstr(o.buf, ">library</text>"));
	cr_assert_not_null(strstr(o.buf, ">libc</text>"));
	cr_assert_null(strstr(o.buf, ">unknown</text>"));
	free(o.buf);
	frec_profile__free(p);
}

/* The label of the frame named @name, drawn @pct % wide in a 1020 px graph (1000 px of frames). */
static char *label_at(const char *name, int pct)
{
	char text[1024], *lbl;
	struct frec_profile *p;
	struct out o;
	const char *g, *t, *e;

	snprintf(text, sizeof(text), "main;%s %d\nmain;zzz %d\n", name, pct, 100 - pct);
	p = folded(text);
	o = render(p, &(struct render_flame_opts){ .width = 1020, .minwidth = -1 });
	{
		char esc[1024] = "";

		for (const char *c = name; *c; c++)
			strcat(esc, *c == '<' ? "&lt;" : *c == '>' ? "&gt;" : *c == '&' ? "&amp;" : (char[]){ *c, 0 });
		g = frame(&o, esc, 0);
	}
	cr_assert_not_null(g, "no frame %s", name);
	t = strstr(g, "<text");
	e = strstr(g, "</g>");
	if (!t || t > e) {
		lbl = strdup("");
	} else {
		t = strchr(t, '>') + 1;
		lbl = strndup(t, (size_t)(strstr(t, "</text>") - t));
	}
	free(o.buf);
	frec_profile__free(p);
	return lbl;
}

Test(render_flame, long_names_shorten_brackets_before_cutting)
{
	static const struct {
		const char *name;
		int pct;
		const char *label;
	} cases[] = {
		/* Fits: unchanged. */
		{ "f(int)", 10, "f(int)" },
		/* 100 px = 12 characters. */
		{ "std::vector<int, std::allocator<int> >::size() const", 10, "std::vecto.." },
		{ "std::vector<int, std::allocator<int> >::size() const", 30, "std::vector&lt;..&gt;::size() const" },
		/* 200 px = 26 characters. */
		{ "ns::Foo<Bar>::run(Baz<int> const&)", 20, "ns::Foo&lt;..&gt;::run(..)" },
		{ "ns::Foo<T>::run(Baz<int> const&)", 20, "ns::Foo&lt;T&gt;::run(..)" },
		/* Brackets that are not brackets, and unbalanced ones, stay. */
		{ "operator<<(std::ostream&, Foo const&)", 20, "operator&lt;&lt;(std::ostream&amp;.." },
		{ "weird(unbalanced<name and some more", 20, "weird(unbalanced&lt;name an.." },
		/* py-spy: the location goes first (300 px = 40 characters). */
		{ "handle_request_in_a_long_name (app.py:22)", 30, "handle_request_in_a_long_name (..)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *lbl = label_at(cases[i].name, cases[i].pct);

		cr_expect_str_eq(lbl, cases[i].label, "%s at %d%%: got %s", cases[i].name, cases[i].pct, lbl);
		free(lbl);
	}
}

Test(render_flame, wide_parents_merge_repeated_children)
{
	/* 20 children of main, each seen three times: the profile finds them again past 8 children. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct frec_profile *p;
	struct out o;

	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 20; i++)
			fprintf(f, "main;child%02d;leaf 1\n", (i * 7 + round) % 20);
	fclose(f);
	p = folded(text);
	cr_assert_eq(frec_profile__nr_nodes(p), 1 + 1 + 20 + 20);
	o = render(p, NULL);
	cr_assert_eq(count(&o, "<g><title>child"), 20);
	cr_assert_not_null(strstr(frame(&o, "child13", 0), "\n3 samples (5.00%), self 0 (0.00%)"));
	free(o.buf);
	free(text);
	frec_profile__free(p);
}

Test(render_diff, changes_within_sampling_noise_stay_grey)
{
	/* 3 -> 1 samples of 100: -2 points, but sampling explains it (z = 1.0). */
	struct frec_profile *a = folded("main;wobbly 3\nmain;rest 97\n"), *b = folded("main;wobbly 1\nmain;rest 99\n");
	struct out o = render_diff(a, b, false);

	cr_assert_eq(fill(frame(&o, "wobbly", 0)), 0xdcdcdc);
	cr_assert_not_null(strstr(frame(&o, "wobbly", 0), "\n(self change within sampling noise)</title>"));
	free(o.buf);
	frec_profile__free(a);
	frec_profile__free(b);
	/* The same shares from 100 times the samples: significant, and the largest change, so deep blue. */
	a = folded("main;wobbly 300\nmain;rest 9700\n");
	b = folded("main;wobbly 100\nmain;rest 9900\n");
	o = render_diff(a, b, false);
	cr_assert_eq(fill(frame(&o, "wobbly", 0)), 0x2828e0);
	cr_assert_null(strstr(frame(&o, "wobbly", 0), "noise"));
	free(o.buf);
	frec_profile__free(a);
	frec_profile__free(b);
}
