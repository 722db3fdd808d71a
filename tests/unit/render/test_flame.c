// SPDX-License-Identifier: MIT
/*
 * SVG flame graphs on hand-written folded profiles (differential graphs and the text diff:
 * test_diff.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"
#include "render_fixture.h"

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
	/* V8's '*': optimised code; each class but the program's own (main, above) names itself for the legend. */
	cr_assert_not_null(strstr(frame(&o, "LazyCompile:*run", 0), "\n[JIT, optimised]\n"));
	cr_assert_not_null(strstr(frame(&o, "memcpy", 0), "\n[libc]\n"));
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

Test(render_flame, long_titles_are_cut_to_the_width)
{
	struct frec_profile *p = folded("main;a 1\n");
	char cmd[400];
	struct out o;
	const char *t, *e;

	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	memcpy(cmd, "java -cp <&>", 12);
	frec_profile__meta(p)->command = (uint32_t)frec_profile__intern_str(p, cmd);
	o = render(p, &(struct render_flame_opts){ .width = 600, .minwidth = -1 });
	t = strstr(o.buf, "<text id=\"title\" x=\"300\" y=\"22\">");
	cr_assert_not_null(t);
	t = strchr(t, '>') + 1;
	/* The whole title in a tooltip, then what fits. */
	cr_assert_eq(strncmp(t, "<title>Flame graph: java -cp &lt;&amp;&gt;xxx", 45), 0, "%.60s", t);
	cr_assert_eq(strncmp(strstr(t, "</title>") - 4, "xxxx</title>", 12), 0);
	t = strstr(t, "</title>") + 8;
	e = strstr(t, "</text>");
	/* 580 px of 17 px characters: 56 of them, the last two "..", escapes counting as one. */
	cr_assert_eq(e - t, 56 + 3 + 4 + 3, "%.*s", (int)(e - t), t);
	cr_assert_eq(strncmp(t, "Flame graph: java -cp &lt;&amp;&gt;xxx", 38), 0);
	cr_assert_eq(strncmp(e - 3, "x..", 3), 0);
	free(o.buf);
	frec_profile__free(p);
}
