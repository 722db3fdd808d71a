// SPDX-License-Identifier: MIT
/*
 * Each kind of finding on hand-written profiles: where it must speak, and where it must stay
 * silent (a flat profile has no hotspot, one caller is not repeated work, a deep framework is not
 * recursion, main and thread entries are never findings on their own), how overlapping
 * explanations fold into the most specific one, and how findings rank.
 */
#include "analyze_fixture.h"

TestSuite(analyze, .fini = fixture_fini);

Test(analyze, hotspot_names_the_function_with_a_large_self_share)
{
	struct sbuf b = { 0 };
	const struct analyze_finding *f;
	size_t rank;

	sb_add(&b, "_start;__libc_start_main;main;serve;parse_header 40\n");
	for (int i = 0; i < 10; i++)
		sb_add(&b, "_start;__libc_start_main;main;serve;step%d 6\n", i);
	load(b.s);
	free(b.s);
	analyze();
	f = find("hotspot", "parse_header", &rank);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(rank, 0, "%s", dump());
	cr_assert_float_eq(share(f), 40.0, 0.01);
	cr_assert_eq(f->nr_callers, 1);
	cr_assert_str_eq(str(f->callers[0].name), "serve");
	cr_assert(strstr(f->summary, "parse_header spends 40.0% of the samples in its own code"), "%s", f->summary);
	/* the stack leads there, with _start, __libc_start_main and main marked as boilerplate */
	cr_assert_eq(f->stack_len, 5);
	cr_assert_eq(f->stack_trim, 3);
	cr_assert_str_eq(frec_profile__frame_name(prof, f->stack[4]), "parse_header");
	/* none of the steps stands out */
	cr_assert_null(find("hotspot", "step0", NULL), "%s", dump());
}

Test(analyze, flat_profile_has_no_finding)
{
	struct sbuf b = { 0 };

	for (int i = 0; i < 12; i++)
		sb_add(&b, "main;serve;handler%d 10\n", i);
	load(b.s);
	free(b.s);
	analyze();
	/* twelve functions at 8.3% each: none is the hotspot, and serve (on every stack) is the program */
	cr_assert_eq(analyze_report__nr_findings(rep), 0, "%s", dump());
}

Test(analyze, hotspot_in_library_code_names_the_user_caller)
{
	load("main;simulate;integrate;__ieee754_pow_fma 50\nmain;simulate;render 20\nmain;simulate;report 15\n"
	     "main;simulate;other 15\n");
	analyze();
	const struct analyze_finding *f = find("hotspot", "__ieee754_pow_fma", NULL);

	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(f->nr_responsible, 1);
	cr_assert_str_eq(str(f->responsible[0].name), "integrate");
	cr_assert(strstr(f->summary, "called from integrate"), "%s", f->summary);
}

Test(analyze, main_and_thread_entries_are_never_findings_on_their_own)
{
	struct sbuf b = { 0 };

	for (int i = 0; i < 10; i++) {
		sb_add(&b, "_start;__libc_start_main;main;work%d 5\n", i);
		sb_add(&b, "clone3;start_thread;worker_main;job%d 5\n", i);
	}
	load(b.s);
	free(b.s);
	analyze();
	for (size_t i = 0; i < analyze_report__nr_findings(rep); i++) {
		const char *s = str(analyze_report__finding(rep, i)->subject.name);

		cr_assert(strcmp(s, "main") && strcmp(s, "_start") && strcmp(s, "start_thread") &&
			  strcmp(s, "worker_main") && strcmp(s, "__libc_start_main") && strcmp(s, "clone3"),
			  "%s", dump());
	}
}

Test(analyze, heavy_subtree_says_which_children_carry_it)
{
	struct sbuf b = { 0 };
	const struct analyze_finding *f;

	for (int i = 0; i < 8; i++)
		sb_add(&b, "main;app;handle_request;step%d 8\n", i);
	sb_add(&b, "main;app;background 36\n");
	load(b.s);
	free(b.s);
	analyze();
	f = find("heavy-subtree", "handle_request", NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 64.0, 0.01);
	cr_assert_eq(f->nr_inside, 3);
	cr_assert(!strncmp(str(f->inside[0].name), "step", 4));
	cr_assert_not_null(find("hotspot", "background", NULL), "%s", dump());
	/* app holds everything: the program, not a finding */
	cr_assert_null(find("heavy-subtree", "app", NULL), "%s", dump());
}

Test(analyze, heavy_subtree_prefers_the_deepest_function)
{
	struct sbuf b = { 0 };

	for (int i = 0; i < 8; i++)
		sb_add(&b, "main;run;dispatch;render_page;widget%d 8\n", i);
	for (int i = 0; i < 6; i++)
		sb_add(&b, "main;run;other%d 6\n", i);
	load(b.s);
	free(b.s);
	analyze();
	/* dispatch holds just render_page: render_page is where the weight spreads */
	cr_assert_not_null(find("heavy-subtree", "render_page", NULL), "%s", dump());
	cr_assert_null(find("heavy-subtree", "dispatch", NULL), "%s", dump());
}

Test(analyze, scattered_utility_is_not_a_heavy_subtree)
{
	struct sbuf b = { 0 };

	/* log_event is on 20% of the stacks, but its time splits into 200 slivers */
	for (int i = 0; i < 200; i++)
		sb_add(&b, "main;caller%d;log_event;format_field%d 1\n", i % 40, i);
	for (int i = 0; i < 16; i++)
		sb_add(&b, "main;work%d 50\n", i);
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_null(find("heavy-subtree", "log_event", NULL), "%s", dump());
}

static void recursive_stack(struct sbuf *b, const char *fn, int depth, const char *leaf, int weight)
{
	sb_add(b, "main;solve");
	for (int i = 0; i < depth; i++)
		sb_add(b, ";%s", fn);
	sb_add(b, "%s%s %d\n", leaf ? ";" : "", leaf ? leaf : "", weight);
}

Test(analyze, recursion_is_found_with_its_depth)
{
	struct sbuf b = { 0 };
	const struct analyze_finding *f;

	for (int d = 12; d <= 24; d++)
		recursive_stack(&b, "fib", d, NULL, 4);
	sb_add(&b, "main;other 48\n");
	load(b.s);
	free(b.s);
	analyze();
	f = find("recursion", "fib", NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(f->depth, 24);
	cr_assert_float_eq(share(f), 52.0, 0.01);
	/* its self time is the same samples: folded in as evidence, not a second finding */
	cr_assert_null(find("hotspot", "fib", NULL), "%s", dump());
	cr_assert_eq(f->nr_also, 1, "%s", dump());
	cr_assert_str_eq(f->also[0].id, "hotspot");
}

Test(analyze, deep_framework_and_shallow_recursion_are_not_recursion)
{
	struct sbuf b = { 0 };

	/* forty distinct frames deep: a framework, not recursion */
	sb_add(&b, "main");
	for (int i = 0; i < 40; i++)
		sb_add(&b, ";layer%d", i);
	sb_add(&b, ";handler 50\n");
	/* a tree walk three levels deep */
	for (int d = 1; d <= 3; d++)
		recursive_stack(&b, "walk", d, "visit", 10);
	sb_add(&b, "main;idle 20\n");
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_null(find("recursion", NULL, NULL), "%s", dump());
}

Test(analyze, mutual_recursion_is_one_finding)
{
	struct sbuf b = { 0 };

	for (int d = 10; d <= 16; d++) {
		sb_add(&b, "main;parse");
		for (int i = 0; i < d; i++)
			sb_add(&b, ";parse_expr;parse_term");
		sb_add(&b, " 10\n");
	}
	sb_add(&b, "main;other 30\n");
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_not_null(find("recursion", "parse_expr", NULL), "%s", dump());
	cr_assert_null(find("recursion", "parse_term", NULL), "%s", dump());
}

Test(analyze, repeated_subtree_under_several_callers)
{
	const struct analyze_finding *f;

	load("main;load_orders;fetch_customer;query;parse_row 15\n"
	     "main;load_orders;fetch_customer;query;exec 10\n"
	     "main;load_invoices;fetch_customer;query;parse_row 12\n"
	     "main;load_invoices;fetch_customer;query;exec 8\n"
	     "main;render_page 30\n"
	     "main;log_request 25\n");
	analyze();
	f = find("repeated-subtree", "fetch_customer", NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 45.0, 0.01);
	cr_assert_eq(f->nr_callers, 2);
	cr_assert_str_eq(str(f->callers[0].name), "load_orders");
	cr_assert_str_eq(str(f->callers[1].name), "load_invoices");
	cr_assert_eq(analyze_report__finding(rep, 0), f, "%s", dump());
}

Test(analyze, one_caller_is_not_repeated_work)
{
	load("main;load_orders;fetch_customer;query;parse_row 25\n"
	     "main;load_orders;fetch_customer;query;exec 20\n"
	     "main;render_page 30\n"
	     "main;log_request 25\n");
	analyze();
	cr_assert_null(find("repeated-subtree", NULL, NULL), "%s", dump());
}

Test(analyze, different_subtrees_are_not_repeated_work)
{
	load("main;load_orders;lookup;query;exec 25\n"
	     "main;load_invoices;lookup;cache_hit 20\n"
	     "main;render_page 30\n"
	     "main;log_request 25\n");
	analyze();
	cr_assert_null(find("repeated-subtree", NULL, NULL), "%s", dump());
}

Test(analyze, threads_running_the_same_loop_are_not_repeated_work)
{
	/* two thread functions running one loop: the threads' entries are not callers doing the same work */
	load("clone3;start_thread;io_worker;serve;handle;parse 25\nclone3;start_thread;io_worker;serve;handle;respond 25\n"
	     "clone3;start_thread;cpu_worker;serve;handle;parse 25\nclone3;start_thread;cpu_worker;serve;handle;respond 25\n");
	analyze();
	cr_assert_null(find("repeated-subtree", NULL, NULL), "%s", dump());
}

Test(analyze, library_block_names_the_user_function_calling_in)
{
	const struct analyze_finding *f;

	add_stack("main@/opt/app/app;handle@/opt/app/app;xform@/usr/lib/libfoo.so.1;xform_inner@/usr/lib/libfoo.so.1", 25);
	add_stack("main@/opt/app/app;handle@/opt/app/app;xform@/usr/lib/libfoo.so.1;xform_step@/usr/lib/libfoo.so.1", 20);
	add_stack("main@/opt/app/app;handle@/opt/app/app;xform@/usr/lib/libfoo.so.1", 5);
	for (int i = 0; i < 10; i++) {
		char s[128];

		snprintf(s, sizeof(s), "main@/opt/app/app;other%d@/opt/app/app", i);
		add_stack(s, 5);
	}
	analyze();
	f = find("library-block", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 50.0, 0.01);
	cr_assert_str_eq(str(f->subject.module), "/usr/lib/libfoo.so.1");
	cr_assert_str_eq(str(f->responsible[0].name), "handle");
	cr_assert(strstr(f->summary, "handle spends 50.0% of the samples inside libfoo.so.1"), "%s", f->summary);
	/* its heaviest function is only evidence: the block is the more specific explanation */
	cr_assert_null(find("hotspot", "xform_inner", NULL), "%s", dump());
}

Test(analyze, kernel_time_is_a_block_of_its_own)
{
	const struct analyze_finding *f;

	add_stack("main@/opt/app/app;flush_all@/opt/app/app;fsync@/usr/lib/libc.so.6;vfs_fsync_range_[k];ext4_sync_file_[k]", 40);
	for (int i = 0; i < 10; i++) {
		char s[128];

		snprintf(s, sizeof(s), "main@/opt/app/app;other%d@/opt/app/app", i);
		add_stack(s, 6);
	}
	analyze();
	f = find("library-block", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert(f->subject.kernel);
	cr_assert_str_eq(str(f->responsible[0].name), "flush_all");
}

Test(analyze, known_operation_is_matched_anywhere_on_the_stack)
{
	const struct analyze_finding *f;
	size_t rank;

	/* crypt_r is not the leaf: the unnamed frames of a stripped libcrypt are */
	load("main;handle_login;validate_password;crypt_r;libcrypt.so.1+0x16830;libcrypt.so.1+0x150d0 50\n"
	     "main;handle_login;validate_password;crypt_r;libcrypt.so.1+0x16830;libcrypt.so.1+0x9070 12\n"
	     "main;handle_login;render_page 20\n"
	     "main;handle_login;load_user 18\n");
	analyze();
	f = find("known-op/password-hashing", "crypt_r", &rank);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(rank, 0, "%s", dump());
	cr_assert_float_eq(share(f), 62.0, 0.01);
	cr_assert_str_eq(str(f->responsible[0].name), "validate_password");
	cr_assert(strstr(f->summary, "validate_password spends 62.0% of the samples in password hashing"), "%s", f->summary);
	cr_assert(f->why && f->fix && strstr(f->fix, "never per request"), "%s", f->fix);
	/* the hot unnamed frame of libcrypt is the same samples: evidence */
	cr_assert_null(find("hotspot", "libcrypt.so.1+0x150d0", NULL), "%s", dump());
	cr_assert_geq(f->nr_also, 1);
	cr_assert_str_eq(f->also[0].id, "hotspot");
	cr_assert_str_eq(str(f->also[0].what.name), "libcrypt.so.1+0x150d0");
}

Test(analyze, known_operation_below_its_threshold_is_silent)
{
	struct sbuf b = { 0 };

	sb_add(&b, "main;compress_log;deflate 3\n");
	for (int i = 0; i < 20; i++)
		sb_add(&b, "main;step%d 5\n", i);
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_null(find("known-op/compression", NULL, NULL), "%s", dump());
}

Test(analyze, specific_operation_inside_a_generic_one_wins)
{
	const struct analyze_finding *f;

	/* a futex system call inside pthread_mutex_lock: locks, not system calls */
	load("main;update_stats;pthread_mutex_lock;__lll_lock_wait;entry_SYSCALL_64_[k];do_syscall_64_[k];"
	     "__x64_sys_futex_[k];futex_wait_[k] 40\n"
	     "main;write_log;__libc_write;entry_SYSCALL_64_[k];do_syscall_64_[k];ksys_write_[k];vfs_write_[k] 30\n"
	     "main;compute 30\n");
	analyze();
	f = find("known-op/locks", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 40.0, 0.01);
	cr_assert_str_eq(str(f->responsible[0].name), "update_stats");
	f = find("known-op/syscalls", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 30.0, 0.01, "%s", dump());
	cr_assert_str_eq(str(f->responsible[0].name), "write_log");
}

Test(analyze, operation_inside_a_specific_one_belongs_to_it)
{
	const struct analyze_finding *f;

	/* memcpy and malloc inside JSON serialisation are the serialisation's cost */
	load("main;send_response;json_object_to_json_string_ext;printbuf_memappend;__memcpy_avx_unaligned_erms 20\n"
	     "main;send_response;json_object_to_json_string_ext;printbuf_memappend;realloc;_int_realloc 15\n"
	     "main;send_response;json_object_to_json_string_ext;json_escape_str 15\n"
	     "main;compute 50\n");
	analyze();
	f = find("known-op/serialization", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 50.0, 0.01);
	cr_assert_null(find("known-op/memcpy", NULL, NULL), "%s", dump());
	cr_assert_null(find("known-op/allocation", NULL, NULL), "%s", dump());
}

Test(analyze, ranking_near_ties_go_to_the_more_specific_kind)
{
	struct sbuf b = { 0 };

	/* a hotspot of 20.4% and a known operation of 20.2%: within half a point, the operation first */
	sb_add(&b, "main;checksum 204\n");
	sb_add(&b, "main;sort_rows;qsort;msort_with_tmp 202\n");
	for (int i = 0; i < 6; i++)
		sb_add(&b, "main;work%d 99\n", i);
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_str_eq(analyze_report__finding(rep, 0)->id, "known-op/sorting", "%s", dump());
	cr_assert_str_eq(analyze_report__finding(rep, 1)->id, "hotspot", "%s", dump());
}

Test(analyze, bigger_cause_ranks_first_whatever_its_kind)
{
	load("main;checksum 35\nmain;sort_rows;qsort;msort_with_tmp 20\nmain;a 15\nmain;b 15\nmain;c 15\n");
	analyze();
	cr_assert_str_eq(analyze_report__finding(rep, 0)->id, "hotspot", "%s", dump());
	cr_assert_str_eq(analyze_report__finding(rep, 1)->id, "known-op/sorting", "%s", dump());
}

Test(analyze, broken_stacks_from_the_stack_health)
{
	struct frec_profile_meta *m;
	const struct analyze_finding *f;
	size_t rank;

	/* stacks cut inside libc (a stack copy too small for regexec's frame): no program code left */
	load("libc.so.6+0x9a0b0;libc.so.6+0x1234 70\nmain;work 20\nmain;other 10\n");
	m = frec_profile__meta(prof);
	m->health = (struct frec_stack_health){ .samples = 100, .truncated = 70, .stack_copy_full = 65 };
	analyze();
	f = find("broken-stacks", NULL, &rank);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(rank, 0, "%s", dump());
	cr_assert_float_eq(share(f), 70.0, 0.01);
	cr_assert(strstr(f->fix, "the DWARF stack copy is too small"), "%s", f->fix);
}

Test(analyze, stacks_cut_above_the_program_still_say_who_did_the_work)
{
	/* a stripped program's main unnamed: every stack "truncated", yet the work is attributed */
	add_stack("sqlite3+0x2c220@/usr/bin/sqlite3;sqlite3+0x20080@/usr/bin/sqlite3;"
		  "sqlite3_step@/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", 70);
	add_stack("sqlite3+0x2c220@/usr/bin/sqlite3;sqlite3+0x1f000@/usr/bin/sqlite3", 30);
	frec_profile__meta(prof)->health = (struct frec_stack_health){ .samples = 100, .truncated = 100 };
	analyze();
	cr_assert_null(find("broken-stacks", NULL, NULL), "%s", dump());
}

Test(analyze, unnamed_program_frames_are_broken_stacks)
{
	load("[unknown];[unknown];handler 30\n[unknown] 20\nmain;work 25\nmain;other 25\n");
	analyze();
	cr_assert_not_null(find("broken-stacks", NULL, NULL), "%s", dump());
	cr_assert_null(find("hotspot", "[unknown]", NULL), "%s", dump());
}

Test(analyze, healthy_stacks_are_not_a_finding)
{
	load("main;work 60\nmain;other 40\n");
	frec_profile__meta(prof)->health = (struct frec_stack_health){ .samples = 100, .truncated = 2 };
	analyze();
	cr_assert_null(find("broken-stacks", NULL, NULL), "%s", dump());
}

Test(analyze, jit_tiers_and_compiler_clones_are_one_function)
{
	const struct analyze_finding *f;

	load("main;run;JS:~handler /srv/app.js:10:3 20\nmain;run;JS:*handler /srv/app.js:10:3 25\n"
	     "main;run;checksum.constprop.0 20\nmain;run;checksum 15\nmain;run;a 5\nmain;run;b 5\nmain;run;c 5\n"
	     "main;run;d 5\n");
	analyze();
	f = find("hotspot", NULL, NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_float_eq(share(f), 45.0, 0.01, "%s", dump());
	cr_assert(strstr(f->summary, "handler (app.js:10:3) spends 45.0%"), "%s", f->summary);
	cr_assert_eq(analyze_report__nr_findings(rep), 2, "%s", dump());
	cr_assert_float_eq(share(analyze_report__finding(rep, 1)), 35.0, 0.01, "%s", dump());
}

Test(analyze, empty_profile_has_no_findings)
{
	prof = frec_profile__new();
	cr_assert_not_null(prof);
	analyze();
	cr_assert_eq(analyze_report__nr_findings(rep), 0);
}

Test(analyze, same_profile_same_findings_whatever_the_line_order)
{
	static const char *const a = "main;load;fetch;q 20\nmain;save;fetch;q 20\nmain;sort_rows;qsort 30\nmain;x 30\n";
	static const char *const b = "main;x 30\nmain;sort_rows;qsort 30\nmain;save;fetch;q 20\nmain;load;fetch;q 20\n";
	char *out[2];
	size_t len[2];

	for (int i = 0; i < 2; i++) {
		FILE *f = open_memstream(&out[i], &len[i]);
		struct analyze_write_opts o = { .format = ANALYZE_FORMAT_JSON };

		load(i ? b : a);
		analyze();
		cr_assert_eq(analyze_report__write(rep, &o, f), 0);
		fclose(f);
		fixture_fini();
	}
	cr_assert_eq(len[0], len[1]);
	cr_assert_eq(memcmp(out[0], out[1], len[0]), 0, "%s\n---\n%s", out[0], out[1]);
	free(out[0]);
	free(out[1]);
}

/*
 * Functions are numbered in the order stacks bring them (for the walk's sake), but where two weigh
 * the same, the order of names still decides: here zeta and render come first in the input, and
 * alpha and parse must still be named first.
 */
Test(analyze, ties_between_functions_go_by_name_not_by_input_order)
{
	const struct analyze_finding *f;
	struct sbuf b = { 0 };

	load("main;zeta;work;render 10\nmain;zeta;work;parse 10\nmain;alpha;work;render 10\nmain;alpha;work;parse 10\n"
	     "main;other 5\n");
	analyze();
	f = find("repeated-subtree", "work", NULL);
	cr_assert_not_null(f, "%s", dump());
	cr_assert_eq(f->nr_callers, 2);
	cr_assert_str_eq(str(f->callers[0].name), "alpha");
	cr_assert_str_eq(str(f->callers[1].name), "zeta");
	cr_assert_eq(f->nr_inside, 2);
	cr_assert_str_eq(str(f->inside[0].name), "parse");
	cr_assert_str_eq(str(f->inside[1].name), "render");
	fixture_fini();

	/* two functions recursing together, of the same weight: one finding, for the first by name */
	sb_add(&b, "main");
	for (int i = 0; i < 12; i++)
		sb_add(&b, ";zeta;alpha");
	sb_add(&b, ";leaf 100\nmain;other 10\n");
	load(b.s);
	free(b.s);
	analyze();
	cr_assert_not_null(find("recursion", "alpha", NULL), "%s", dump());
	cr_assert_null(find("recursion", "zeta", NULL), "%s", dump());
}

/* Ten functions of self 1, then six of self @mid, then hot of 12, and unnamed frames for the rest of 100. */
static void load_light_mid_hot(int mid)
{
	struct sbuf b = { 0 };

	for (int i = 0; i < 10; i++)
		sb_add(&b, "main;light%d 1\n", i);
	for (int i = 0; i < 6; i++)
		sb_add(&b, "main;mid%d %d\n", i, mid);
	sb_add(&b, "main;hot 12\nmain;[unknown] %d\n", 100 - 10 - 6 * mid - 12);
	load(b.s);
	free(b.s);
}

/*
 * A hotspot under 15% must stand out against the median of the ten heaviest selves, whatever order
 * the functions come in: here ten light ones first, then six of 8% that set the median at 8%, so
 * that hot's 12% (under twice that) is no hotspot; with the six at 4%, it stands out.
 */
Test(analyze, hotspot_standout_is_against_the_ten_heaviest_whatever_their_order)
{
	load_light_mid_hot(8);
	analyze();
	cr_assert_null(find("hotspot", "hot", NULL), "%s", dump());
	fixture_fini();
	load_light_mid_hot(4);
	analyze();
	cr_assert_not_null(find("hotspot", "hot", NULL), "%s", dump());
}
