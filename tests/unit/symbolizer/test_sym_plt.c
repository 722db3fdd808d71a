// SPDX-License-Identifier: MIT
/*
 * sym_plt through sym_elf__lookup(): the PLT stubs of the fixture ELF files are named FUNC@plt,
 * as objdump labels them (read independently with `objdump -d`), whatever the linker's layout:
 * GNU ld's .plt and .plt.got, its IBT PLT (.plt for lazy binding, .plt.sec for calls), lld's .plt.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sym_fixture.h"
#include "sym_internal.h"

static struct sym_elf *e;

static void teardown(void)
{
	sym_elf__close(e);
	e = NULL;
}

TestSuite(sym_plt, .fini = teardown);

static const char *name_at(uint64_t vaddr)
{
	struct sym_elf_frame fr[8];
	int n = sym_elf__lookup(e, vaddr, true, true, fr, 8);

	cr_assert_leq(n, 1);
	return n == 1 ? fr[0].name : NULL;
}

/* Compare every stub objdump names in @name's PLT sections with ours; returns how many there were. */
static int check_stubs(const char *name)
{
	char path[512], cmd[700], line[1024];
	int stubs = 0;
	FILE *p;

	symfix(name, path, sizeof(path));
	cr_assert_eq(sym_elf__open(path, "", &e), 0, "%s", path);
	snprintf(cmd, sizeof(cmd), "LC_ALL=C objdump -d -j .plt -j .plt.sec -j .plt.got '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char label[512];
		uint64_t addr;
		size_t len;

		if (sscanf(line, "%" SCNx64 " <%511[^>]>:", &addr, label) != 2)
			continue;
		len = strlen(label);
		if (len < 5 || strcmp(label + len - 4, "@plt"))
			continue; /* the header, "<.plt>" or "<FUNC@plt-0x10>" */
		cr_assert_str_eq(name_at(addr), label, "%s: the stub at 0x%" PRIx64, name, addr);
		cr_assert_str_eq(name_at(addr + 5), label, "%s: inside the stub at 0x%" PRIx64, name, addr);
		stubs++;
	}
	pclose(p);
	return stubs;
}

Test(sym_plt, gnu_ld_plt_and_plt_got)
{
	/* strtol through .plt, __cxa_finalize through .plt.got */
	char path[512];
	uint64_t addr, size;

	cr_assert_geq(check_stubs("fix_debug"), 2);
	/* outside the PLT, symbols as ever */
	symfix_sym(symfix("fix_debug", path, sizeof(path)), "fix_leaf", &addr, &size);
	cr_assert_str_eq(name_at(addr), "fix_leaf");
}

Test(sym_plt, lld_plt)
{
	cr_assert_geq(check_stubs("fix_lld"), 1);
}

Test(sym_plt, ibt_plt_sec_and_its_lazy_stubs)
{
	char path[512], cmd[700], line[256];
	uint64_t lazy = 0;
	bool has_sec = false;
	FILE *p;

	cr_assert_geq(check_stubs("fix_ibt"), 1);
	/* .plt holds the header, then one lazy-binding stub per function, which pushes its index */
	snprintf(cmd, sizeof(cmd), "LC_ALL=C readelf -SW '%s'", symfix("fix_ibt", path, sizeof(path)));
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, " .plt ");

		if (s)
			cr_assert_eq(sscanf(s, " .plt PROGBITS %" SCNx64, &lazy), 1, "%s", line);
		has_sec |= strstr(line, " .plt.sec ") != NULL;
	}
	pclose(p);
	if (!has_sec)
		cr_skip_test("fix_ibt was linked without an IBT PLT (no -z ibtplt)");
	cr_assert_neq(lazy, 0, "no .plt in fix_ibt");
	cr_assert_str_eq(name_at(lazy + 16), "strtol@plt");
	cr_assert_str_eq(name_at(lazy), ".plt", "the PLT's header is named after its section");
}
