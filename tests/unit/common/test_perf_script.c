// SPDX-License-Identifier: MIT
/*
 * The perf script importer: perf's field layouts, frame kinds, inlined frames and source lines,
 * the first event kept, and text that is not perf script refused rather than misread.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/profile.h"
#include "helpers.h"

static char *slurp(const char *rel)
{
	char path[512], *buf;
	FILE *f = fopen(test_data(rel, path, sizeof(path)), "r");
	long n;

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static struct frec_profile *import(const char *text, const struct frec_perf_script_opts *o,
				   struct frec_perf_script_stats *st, int expect)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_eq(frec_profile__import_perf_script(p, text, strlen(text), o, st), expect);
	return p;
}

/* Node of the root-first path "a|b|c" below @node, or FREC_NONE; names may repeat among siblings. */
static uint32_t find_from(const struct frec_profile *p, uint32_t node, const char *path)
{
	const char *bar = strchr(path, '|');
	size_t len = bar ? (size_t)(bar - path) : strlen(path);

	for (uint32_t c = frec_profile__node(p, node)->first_child; c != FREC_NONE;
	     c = frec_profile__node(p, c)->next_sibling) {
		const char *name = frec_profile__frame_name(p, frec_profile__node(p, c)->frame);
		uint32_t r;

		if (strlen(name) != len || memcmp(name, path, len))
			continue;
		r = bar ? find_from(p, c, bar + 1) : c;
		if (r != FREC_NONE)
			return r;
	}
	return FREC_NONE;
}

static uint32_t find(const struct frec_profile *p, const char *path)
{
	return find_from(p, FREC_NODE_ROOT, path);
}

static const struct frec_frame *frame_at(const struct frec_profile *p, const char *path)
{
	uint32_t n = find(p, path);

	cr_assert_neq(n, FREC_NONE, "no node %s", path);
	return frec_profile__frame(p, frec_profile__node(p, n)->frame);
}

Test(perf_script, callchains_with_kernel_user_jit_unknown_inline_and_srcline)
{
	char *text = slurp("perf_script/callchain.txt");
	struct frec_perf_script_stats st;
	struct frec_profile *p = import(text, NULL, &st, 5);
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const struct frec_frame *f;

	cr_assert_eq(st.bad_lines, 0, "first bad line %llu", (unsigned long long)st.first_bad);
	cr_assert_eq(frec_profile__total(p), 5);
	/* root first: perf prints the leaf first */
	f = frame_at(p, "main|handle_request|__GI___libc_write|entry_SYSCALL_64_after_hwframe|copy_user_generic");
	cr_assert_eq(f->kind, FREC_FRAME_KERNEL);
	cr_assert_str_eq(frec_profile__str(p, f->module), "[kernel.kallsyms]");
	f = frame_at(p, "main|handle_request|__GI___libc_write");
	cr_assert_eq(f->kind, FREC_FRAME_USER);
	cr_assert_str_eq(frec_profile__str(p, f->module), "/usr/lib/x86_64-linux-gnu/libc.so.6");
	/* an inlined frame: flagged, in the module of the frame it is inlined into */
	f = frame_at(p, "main|handle_request|parse_header");
	cr_assert_eq(f->flags, FREC_FRAME_INLINED);
	cr_assert_str_eq(frec_profile__str(p, f->module), "/srv/bin/server");
	/* a perf map frame is JIT code; [unknown] in [unknown] has no module */
	f = frame_at(p, "[unknown]|LFoo;::bar");
	cr_assert_eq(f->kind, FREC_FRAME_JIT);
	cr_assert_str_eq(frec_profile__str(p, f->module), "/tmp/perf-4100.map");
	f = frame_at(p, "[unknown]");
	cr_assert_eq(f->kind, FREC_FRAME_UNKNOWN);
	cr_assert_eq(f->module, 0);
	/* blanks and parentheses in a C++ name, its offset cut */
	frame_at(p, "main|handle_request|std::vector<int, std::allocator<int> >::push_back(int const&)");
	/* a -F +srcline line names the source of the frame above it */
	{
		uint32_t n = frec_profile__node(p, find(p, "main"))->first_child;
		bool found = false;

		for (; n != FREC_NONE; n = frec_profile__node(p, n)->next_sibling) {
			f = frec_profile__frame(p, frec_profile__node(p, n)->frame);
			if (f->line == 42 && !strcmp(frec_profile__str(p, f->file), "server.c"))
				found = frec_profile__node(p, n)->self == 1;
		}
		cr_assert(found, "no handle_request at server.c:42 with one sample");
	}
	cr_assert_str_eq(frec_profile__str(p, m->event), "cpu-clock");
	cr_assert_str_eq(frec_profile__str(p, m->command), "/usr/bin/perf record -g -a -- ./server");
	cr_assert_str_eq(frec_profile__str(p, m->hostname), "buildhost");
	cr_assert_str_eq(frec_profile__str(p, m->release), "6.1.0-test");
	cr_assert_eq(m->samples, 5);
	cr_assert_eq(m->duration_ns, 4000000);
	/* cpu-clock periods are nanoseconds: the profile carries CPU time */
	cr_assert_eq(m->period_total, 5000000);
	cr_assert_float_eq(frec_profile__ns_per_weight(p), 1e6, 1e-6);
	cr_assert_eq(m->health.samples, 5);
	cr_assert_eq(m->health.has_unknown, 1);
	frec_profile__free(p);
	free(text);
}

Test(perf_script, per_thread_and_per_process_roots_and_no_kernel)
{
	char *text = slurp("perf_script/callchain.txt");
	struct frec_profile *p;
	const struct frec_frame *f;

	p = import(text, &(struct frec_perf_script_opts){ .per_thread = true }, NULL, 5);
	f = frame_at(p, "Web Content [4107]");
	cr_assert_eq(f->kind, FREC_FRAME_THREAD);
	cr_assert_eq(frec_profile__node(p, find(p, "server [4100]"))->total, 4);
	frec_profile__free(p);

	p = import(text, &(struct frec_perf_script_opts){ .per_process = true }, NULL, 5);
	cr_assert_eq(frame_at(p, "Web Content [4100]")->kind, FREC_FRAME_PROCESS);
	frec_profile__free(p);

	p = import(text, &(struct frec_perf_script_opts){ .no_kernel = true }, NULL, 5);
	cr_assert_eq(frec_profile__node(p, find(p, "main|handle_request|__GI___libc_write"))->self, 1);
	cr_assert_eq(find(p, "main|handle_request|__GI___libc_write|entry_SYSCALL_64_after_hwframe"), FREC_NONE);
	frec_profile__free(p);
	free(text);
}

/* Header layouts perf prints, by recording (-a: CPU; varying periods) and -F; each over "leaf;main". */
/* Arrays, not pointers: Criterion hands parameters to a new process, where pointers are not valid. */
struct layout {
	char header[128];
	char comm[32];
	unsigned int pid, tid;
	char event[32];
};

ParameterizedTestParameters(perf_script, layouts)
{
	static struct layout layouts[] = {
		{ "sh  9583 10160.240368:    1001001 cpu-clock:ppp: ", "sh", 9583, 9583, "cpu-clock" },
		{ "iperf 27409/28744 [000] 441995.133575: cpu-clock: ", "iperf", 27409, 28744, "cpu-clock" },
		{ "perf 47118 [011] 51499.088689:          1 page-faults: ", "perf", 47118, 47118, "page-faults" },
		{ "Web Content  4321/4322 [002]  12.5:  100 cycles:u: ", "Web Content", 4321, 4322, "cycles" },
		{ "kworker/0:1H-kb   310 [003]  7.000001: sched:sched_switch: prev_comm=a prev_pid=1 next_prio=120",
		  "kworker/0:1H-kb", 310, 310, "sched:sched_switch" },
		{ "java 99 instructions: ", "java", 99, 99, "instructions" },
		{ "123 456 [000] 1.000000: cycles: ", "123", 456, 456, "cycles" },
		{ "noploop 21796 [001] 1410597.984841: ", "noploop", 21796, 21796, "" },
	};
	return cr_make_param_array(struct layout, layouts, sizeof(layouts) / sizeof(layouts[0]));
}

ParameterizedTest(struct layout *l, perf_script, layouts)
{
	char text[512];
	struct frec_profile *p;
	const struct frec_profile_meta *m;

	snprintf(text, sizeof(text), "%s\n\t  401000 leaf+0x10 (/bin/app)\n\t  400800 main+0x5 (/bin/app)\n\n", l->header);
	cr_assert(frec_profile__looks_perf_script(text, strlen(text)), "not recognised: %s", l->header);
	p = import(text, &(struct frec_perf_script_opts){ .per_thread = true }, NULL, 1);
	m = frec_profile__meta_const(p);
	{
		char root[128];

		snprintf(root, sizeof(root), "%s [%u]|main|leaf", l->comm, l->tid);
		cr_assert_neq(find(p, root), FREC_NONE, "%s: no %s", l->header, root);
	}
	frec_profile__free(p);
	p = import(text, &(struct frec_perf_script_opts){ .per_process = true }, NULL, 1);
	{
		char root[128];

		snprintf(root, sizeof(root), "%s [%u]|main|leaf", l->comm, l->pid);
		cr_assert_neq(find(p, root), FREC_NONE, "%s: no %s", l->header, root);
	}
	m = frec_profile__meta_const(p);
	cr_assert_str_eq(frec_profile__str(p, m->event), l->event);
	frec_profile__free(p);
}

Test(perf_script, without_callchains_the_first_event_is_kept)
{
	char *text = slurp("perf_script/flat.txt");
	struct frec_perf_script_stats st;
	struct frec_profile *p = import(text, NULL, &st, 3);

	cr_assert(frec_profile__looks_perf_script(text, strlen(text)));
	cr_assert_eq(st.other_events, 1);
	cr_assert_str_eq(frec_profile__str(p, st.other_event), "instructions");
	cr_assert_str_eq(frec_profile__str(p, frec_profile__meta_const(p)->event), "cycles");
	cr_assert_eq(frec_profile__node(p, find(p, "compute"))->self, 2);
	cr_assert_eq(frame_at(p, "native_safe_halt")->kind, FREC_FRAME_KERNEL);
	/* cycles carry no time: the periods are not nanoseconds */
	cr_assert_eq(frec_profile__ns_per_weight(p), 0);
	frec_profile__free(p);
	free(text);
}

Test(perf_script, kernel_addresses_and_modules_without_a_symbol_file)
{
	const char *text = "app 1 [000] 1.0: cycles:\n"
			   "\tffffffffc0a01234 [unknown] ([unknown])\n"
			   "\tffffffffc0b00000 ext4_read ([ext4])\n"
			   "\t            4000 f (/lib/modules/6.1/build/vmlinux)\n"
			   "\t            5000 g (/opt/app/jitted-10-1.so)\n\n";
	struct frec_profile *p = import(text, NULL, NULL, 1);

	cr_assert_eq(frame_at(p, "g")->kind, FREC_FRAME_JIT);
	cr_assert_eq(frame_at(p, "g|f")->kind, FREC_FRAME_KERNEL);
	cr_assert_eq(frame_at(p, "g|f|ext4_read")->kind, FREC_FRAME_KERNEL);
	cr_assert_eq(frame_at(p, "g|f|ext4_read|[unknown]")->kind, FREC_FRAME_KERNEL);
	frec_profile__free(p);
}

Test(perf_script, damaged_lines_are_counted_and_the_rest_read)
{
	const char *text = "app 1 [000] 1.0: cycles:\n"
			   "\t  4000 f (/bin/app)\n"
			   "\tthis is not a frame\n"
			   "\t  3000 main (/bin/app)\n\n"
			   "garbage between samples\n"
			   "app 1 [000] 1.1: cycles:\n"
			   "\t  3000 main (/bin/app)\n";
	struct frec_perf_script_stats st;
	struct frec_profile *p = import(text, NULL, &st, 2);

	cr_assert_eq(st.bad_lines, 2);
	cr_assert_eq(st.first_bad, 3);
	cr_assert_eq(frec_profile__node(p, find(p, "main|f"))->self, 1);
	cr_assert_eq(frec_profile__node(p, find(p, "main"))->self, 1);
	frec_profile__free(p);
}

/* Folded stacks, logs and empty input are not perf script: refused, never misread. */
Test(perf_script, other_text_is_refused)
{
	static const char *const others[] = {
		"main;foo;bar 10\nmain;foo 5\n",
		"2016-01-01 12:00:00 INFO server started\n2016-01-01 12:00:01 INFO ready\n",
		"# only a comment\n\n",
		"",
		"perf 1234\n",
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct frec_profile *p;

		cr_assert_not(frec_profile__looks_perf_script(others[i], strlen(others[i])), "taken: %s", others[i]);
		p = import(others[i], NULL, NULL, -FREC_E_PARSE);
		frec_profile__free(p);
	}
}

Test(perf_script, a_stack_deeper_than_any_real_one_is_refused)
{
	size_t n = 65537, len = 64 + n * 16;
	char *text = malloc(len), *s = text;
	struct frec_perf_script_stats st;
	struct frec_profile *p;

	s += sprintf(s, "app 1 [000] 1.0: cycles:\n");
	for (size_t i = 0; i < n; i++)
		s += sprintf(s, "\t  4000 f (/a)\n");
	p = import(text, NULL, &st, -E2BIG);
	cr_assert_eq(st.error_line, 65538);
	frec_profile__free(p);
	free(text);
}

/*
 * A frame line met again is the same frame (the importer keeps a memo of lines), unless what
 * surrounds it makes another: a source line under it, or, for an inlined frame, its caller's module.
 */
Test(perf_script, a_frame_line_met_again_is_the_frame_its_context_makes)
{
	const char *text = "app 1 [000] 1.0: cycles:\n"
			   "\t  4000 f+0x1 (/bin/app)\n"
			   "\t  3000 main (/bin/app)\n\n"
			   "app 1 [000] 1.1: cycles:\n"
			   "\t  4000 f+0x1 (/bin/app)\n"
			   "  f.c:10\n"
			   "\t  3000 main (/bin/app)\n\n"
			   "app 1 [000] 1.2: cycles:\n"
			   "\t  4000 f+0x1 (/bin/app)\n"
			   "\t  3000 main (/bin/app)\n\n"
			   "app 1 [000] 1.3: cycles:\n"
			   "\t  4000 f+0x1 (/bin/app)\n"
			   "  f.c:20\n"
			   "\t  3000 main (/bin/app)\n\n"
			   "app 1 [000] 1.4: cycles:\n"
			   "\t  5000 g (inlined)\n"
			   "\t  5000 x (/lib/x.so)\n\n"
			   "app 1 [000] 1.5: cycles:\n"
			   "\t  5000 g (inlined)\n"
			   "\t  5000 y (/lib/y.so)\n\n"
			   "app 1 [000] 1.6: cycles:\n"
			   "\t  5000 g (inlined)\n"
			   "\t  5000 x (/lib/x.so)\n\n";
	struct frec_perf_script_stats st;
	struct frec_profile *p = import(text, NULL, &st, 7);
	uint32_t lines[3] = { 0 }, main_node = find(p, "main");

	cr_assert_eq(st.bad_lines, 0, "first bad line %llu", (unsigned long long)st.first_bad);
	/* f without a source line (twice), at f.c:10 and at f.c:20: three frames below main */
	for (uint32_t n = frec_profile__node(p, main_node)->first_child; n != FREC_NONE;
	     n = frec_profile__node(p, n)->next_sibling) {
		const struct frec_frame *f = frec_profile__frame(p, frec_profile__node(p, n)->frame);

		cr_assert_str_eq(frec_profile__str(p, f->name), "f");
		cr_assert(f->line == 0 || f->line == 10 || f->line == 20, "f at line %u", f->line);
		cr_assert_eq(lines[f->line / 10], 0, "two nodes of f at line %u", f->line);
		lines[f->line / 10] = (uint32_t)frec_profile__node(p, n)->self;
		if (f->line)
			cr_assert_str_eq(frec_profile__str(p, f->file), "f.c");
	}
	cr_assert_eq(lines[0], 2);
	cr_assert_eq(lines[1], 1);
	cr_assert_eq(lines[2], 1);
	/* the same inlined line in two callers' modules */
	cr_assert_str_eq(frec_profile__str(p, frame_at(p, "x|g")->module), "/lib/x.so");
	cr_assert_str_eq(frec_profile__str(p, frame_at(p, "y|g")->module), "/lib/y.so");
	cr_assert_eq(frec_profile__node(p, find(p, "x|g"))->self, 2);
	cr_assert_eq(frec_profile__node(p, find(p, "y|g"))->self, 1);
	frec_profile__free(p);
}

/* Lines alike in their length, their first 32 bytes and their last 16 are still told apart. */
Test(perf_script, frame_lines_alike_at_both_ends_stay_apart)
{
	enum { N = 40 };
	char *text = malloc(N * 3 * 160), *s = text;
	struct frec_profile *p;

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			if (round == 2 && i % 2)
				continue;
			s += sprintf(s, "app 1 [000] 1.0: cycles:\n"
					"\t            1000 a_shared_prefix_%02d_and_a_shared_suffix+0x1 (/usr/lib/libsame.so)\n\n",
				     i);
		}
	}
	p = import(text, NULL, NULL, N * 2 + N / 2);
	for (int i = 0; i < N; i++) {
		char name[64];

		snprintf(name, sizeof(name), "a_shared_prefix_%02d_and_a_shared_suffix", i);
		cr_assert_eq(frec_profile__node(p, find(p, name))->self, i % 2 ? 2 : 3, "%s", name);
	}
	frec_profile__free(p);
	free(text);
}

/* Headers that differ from an earlier one only in their time: each time is read, each thread kept. */
Test(perf_script, headers_alike_but_for_the_time_keep_their_times_and_threads)
{
	const char *text = "app 10/11 [000] 1.0000000019: cycles:\n\t  4000 f (/bin/app)\n\n"
			   "app 10/12 [000] 1.0000000020: cycles:\n\t  4000 f (/bin/app)\n\n"
			   "app 10/11 [000] 1.5000000000: cycles:\n\t  4000 f (/bin/app)\n\n"
			   "app 10/12 [001] 2.25: cycles:\n\t  4000 f (/bin/app)\n\n"
			   "app 10/12 [001] 2.75: cycles:\n\t  4000 f (/bin/app)\n\n";
	struct frec_profile *p = import(text, &(struct frec_perf_script_opts){ .per_thread = true }, NULL, 5);

	/* nanoseconds: the digits past the ninth are not read */
	cr_assert_eq(frec_profile__meta_const(p)->duration_ns, 2750000000ull - 1000000001ull);
	cr_assert_eq(frec_profile__node(p, find(p, "app [11]|f"))->self, 2);
	cr_assert_eq(frec_profile__node(p, find(p, "app [12]|f"))->self, 3);
	frec_profile__free(p);
}

Test(perf_script, sniffing_needs_the_first_200_lines_whole)
{
	size_t cap = 300 * 16, o = 0;
	char *text = malloc(cap);

	/* comments and blank lines do not count */
	o += (size_t)sprintf(text + o, "# header\n\n   \n");
	for (int i = 0; i < 199; i++)
		o += (size_t)sprintf(text + o, "main;f%d 1\n", i);
	cr_assert_not(frec_profile__sniffed(text, o), "199 lines are not enough");
	o += (size_t)sprintf(text + o, "main;last 1");
	cr_assert_not(frec_profile__sniffed(text, o), "the 200th line may go on");
	o += (size_t)sprintf(text + o, "\n");
	cr_assert(frec_profile__sniffed(text, o));
	free(text);
}
