// SPDX-License-Identifier: MIT
/*
 * sym_table: the kallsyms snapshot and JIT perf-map parsers and their lookups.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sym_internal.h"

static struct sym_table t;

static void setup(void)
{
	sym_table__init(&t);
}

static void teardown(void)
{
	sym_table__exit(&t);
}

TestSuite(sym_table, .init = setup, .fini = teardown);

static const char *name_at(uint64_t addr)
{
	const struct sym_table_entry *e = sym_table__find(&t, addr);

	return e ? sym_table__str(&t, e->name) : NULL;
}

Test(sym_table, perf_map_hex_without_0x_and_names_with_spaces)
{
	static const char map[] = "7f0000001000 40 LazyCompile:*hot /app/x.js:10\n"
				  "0x7f0000002000 0x10 py::fib:/tmp/fib.py\n";

	cr_assert_eq(sym_table__parse_perf_map(&t, map, strlen(map)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_eq(t.bad_lines, 0);
	cr_assert_str_eq(name_at(0x7f0000001000), "LazyCompile:*hot /app/x.js:10");
	cr_assert_str_eq(name_at(0x7f000000103f), "LazyCompile:*hot /app/x.js:10");
	cr_assert_null(name_at(0x7f0000001040));
	cr_assert_str_eq(name_at(0x7f0000002008), "py::fib:/tmp/fib.py");
	cr_assert_null(name_at(0x7f0000000fff));
}

Test(sym_table, perf_map_overlap_later_wins)
{
	static const char map[] = "1000 1000 old_big\n"
				  "1800 100 new_small\n"
				  "1000 10 newest_head\n";

	cr_assert_eq(sym_table__parse_perf_map(&t, map, strlen(map)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_str_eq(name_at(0x1005), "newest_head");
	cr_assert_str_eq(name_at(0x1010), "old_big");
	cr_assert_str_eq(name_at(0x1850), "new_small");
	cr_assert_str_eq(name_at(0x1900), "old_big");
	cr_assert_str_eq(name_at(0x1fff), "old_big");
}

Test(sym_table, perf_map_bad_lines_are_counted)
{
	static const char map[] = "zzzz 10 bad\n1000\n2000 0 empty\n3000 10 ok\n\n   \r\n";

	cr_assert_eq(sym_table__parse_perf_map(&t, map, strlen(map)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_eq(t.bad_lines, 3);
	cr_assert_eq(t.nr, 1);
	cr_assert_str_eq(name_at(0x3001), "ok");
}

Test(sym_table, kallsyms_with_sizes_and_modules)
{
	static const char ks[] = "ffffffff81000000 100 T _stext\n"
				 "ffffffff81000100 80 t do_syscall_64\n"
				 "ffffffff82000000 10 D some_data\n"
				 "ffffffffc0001000 40 t ext4_read\t[ext4]\n";
	const struct sym_table_entry *e;

	cr_assert_eq(sym_table__parse_kallsyms(&t, ks, strlen(ks)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_eq(t.bad_lines, 0);
	cr_assert_eq(t.nr, 3, "data symbols are dropped");
	cr_assert_str_eq(name_at(0xffffffff81000150), "do_syscall_64");
	cr_assert_null(name_at(0xffffffff81000180));
	e = sym_table__find(&t, 0xffffffffc0001010);
	cr_assert_not_null(e);
	cr_assert_str_eq(sym_table__str(&t, e->name), "ext4_read");
	cr_assert_str_eq(sym_table__str(&t, e->module), "ext4");
	cr_assert_str_eq(sym_table__str(&t, sym_table__find(&t, 0xffffffff81000010)->module), "");
}

Test(sym_table, kallsyms_proc_format_runs_to_next_symbol)
{
	static const char ks[] = "ffffffff81000000 T first\nffffffff81000200 t second\nnot a line\n";

	cr_assert_eq(sym_table__parse_kallsyms(&t, ks, strlen(ks)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_eq(t.bad_lines, 1);
	cr_assert_str_eq(name_at(0xffffffff810001ff), "first");
	cr_assert_str_eq(name_at(0xffffffff81000200), "second");
}

Test(sym_table, kallsyms_single_digit_size)
{
	static const char ks[] = "ffffffff81000000 5 T tiny\n";

	cr_assert_eq(sym_table__parse_kallsyms(&t, ks, strlen(ks)), 0);
	cr_assert_eq(sym_table__finish(&t), 0);
	cr_assert_str_eq(name_at(0xffffffff81000004), "tiny");
	cr_assert_null(name_at(0xffffffff81000005));
}
