// SPDX-License-Identifier: MIT
/*
 * The hint after a refused recording (cli/perm_hint.h) for every kind of target, paranoid level
 * and user: a sysctl it suggests is one that allows the recording, and where the settings allow it
 * already, the hint blames something else instead of suggesting one.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perm_hint.h"

static char hint[1024];

static const char *hint_for(enum cli_perm_target target, int paranoid, bool root)
{
	struct cli_perm p = {
		.target = target,
		.paranoid = paranoid,
		.root = root,
		.has_perfmon = true,
		.pid = 4242,
		.owner = "alice",
		.exe = "/usr/local/bin/frec",
	};

	cli_perm__hint(&p, hint, sizeof(hint));
	return hint;
}

/* The level the hint tells to set kernel.perf_event_paranoid to, or INT_MIN if none. */
static int suggested_level(const char *h)
{
	const char *s = strstr(h, "sysctl kernel.perf_event_paranoid=");

	return s ? atoi(s + strlen("sysctl kernel.perf_event_paranoid=")) : INT_MIN;
}

Test(perm_hint, a_suggested_level_allows_the_recording)
{
	/* the most a level may be for each target, INT_MIN where no level helps */
	static const struct {
		enum cli_perm_target target;
		int most;
	} rules[] = {
		{ CLI_PERM_SYSTEM, 0 },
		{ CLI_PERM_OWN, 2 },
		{ CLI_PERM_OTHER_USER, INT_MIN },
		{ CLI_PERM_TRACEPOINT, INT_MIN },
		{ CLI_PERM_OFF_CPU, 1 },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		for (int level = -1; level <= 4; level++) {
			for (int root = 0; root <= 1; root++) {
				const char *h = hint_for(rules[i].target, level, root);
				int want = suggested_level(h);

				if (want == INT_MIN)
					continue;
				cr_assert(!root, "root is not helped by a sysctl: %s", h);
				cr_assert_neq(rules[i].most, INT_MIN, "no level helps here: %s", h);
				cr_assert_leq(want, rules[i].most, "level %d does not allow it: %s", want, h);
				cr_assert_gt(level, rules[i].most, "level %d allows it already: %s", level, h);
			}
		}
	}
}

Test(perm_hint, system_wide_needs_level_0_or_perfmon)
{
	const char *h = hint_for(CLI_PERM_SYSTEM, 2, false);

	cr_assert(strstr(h, "at most 0 (it is 2)"), "%s", h);
	cr_assert(strstr(h, "sudo setcap cap_perfmon,cap_sys_ptrace+ep /usr/local/bin/frec"), "%s", h);
	cr_assert_eq(suggested_level(h), 0, "%s", h);
	h = hint_for(CLI_PERM_SYSTEM, 0, false);
	cr_assert(strstr(h, "something else refuses perf_event_open"), "%s", h);
}

Test(perm_hint, another_users_process_needs_ptrace_rights_not_a_sysctl)
{
	const char *h = hint_for(CLI_PERM_OTHER_USER, 1, false);

	cr_assert(strstr(h, "process 4242 belongs to alice"), "%s", h);
	cr_assert(strstr(h, "run frec as alice or as root"), "%s", h);
	cr_assert(strstr(h, "sudo setcap cap_sys_ptrace+ep /usr/local/bin/frec"), "%s", h);
	cr_assert_null(strstr(h, "sysctl"), "%s", h);
	h = hint_for(CLI_PERM_OTHER_USER, 3, false);
	cr_assert(strstr(h, "cap_perfmon,cap_sys_ptrace+ep"), "%s", h);
	cr_assert_null(strstr(h, "sysctl"), "%s", h);
}

Test(perm_hint, own_processes_need_level_2)
{
	const char *h = hint_for(CLI_PERM_OWN, 3, false);

	cr_assert(strstr(h, "kernel.perf_event_paranoid is 3"), "%s", h);
	cr_assert_eq(suggested_level(h), 2, "%s", h);
	cr_assert(strstr(h, "sudo setcap cap_perfmon+ep /usr/local/bin/frec"), "%s", h);
	h = hint_for(CLI_PERM_OWN, 2, false);
	cr_assert(strstr(h, "something else refuses perf_event_open"), "%s", h);
	h = hint_for(CLI_PERM_OWN, 2, true);
	cr_assert(strstr(h, "frec runs as root"), "%s", h);
}

Test(perm_hint, off_cpu_needs_kernel_samples)
{
	const char *h = hint_for(CLI_PERM_OFF_CPU, 2, false);

	cr_assert(strstr(h, "--off-cpu"), "%s", h);
	cr_assert(strstr(h, "at most 1 (it is 2; recording without --off-cpu needs 2)"), "%s", h);
	cr_assert_eq(suggested_level(h), 1, "%s", h);
	cr_assert(strstr(h, "sudo setcap cap_perfmon+ep /usr/local/bin/frec"), "%s", h);
	h = hint_for(CLI_PERM_OFF_CPU, 1, false);
	cr_assert(strstr(h, "something else refuses perf_event_open"), "%s", h);
	h = hint_for(CLI_PERM_OFF_CPU, 2, true);
	cr_assert(strstr(h, "frec runs as root"), "%s", h);
}

Test(perm_hint, old_kernels_name_cap_sys_admin)
{
	struct cli_perm p = { .target = CLI_PERM_SYSTEM, .paranoid = 2, .exe = "frec" };

	cli_perm__hint(&p, hint, sizeof(hint));
	cr_assert(strstr(hint, "CAP_SYS_ADMIN"), "%s", hint);
	cr_assert(strstr(hint, "setcap cap_sys_admin,cap_sys_ptrace+ep frec"), "%s", hint);
	cr_assert_null(strstr(hint, "PERFMON"), "%s", hint);
}

Test(perm_hint, tracepoints_need_root)
{
	const char *h = hint_for(CLI_PERM_TRACEPOINT, 2, false);

	cr_assert(strstr(h, "tracefs"), "%s", h);
	cr_assert(strstr(h, "run frec as root"), "%s", h);
	cr_assert_eq(suggested_level(h), INT_MIN, "%s", h);
}
