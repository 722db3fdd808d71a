// SPDX-License-Identifier: MIT
/*
 * The hint after a refused recording (perm_hint.h): what the kernel's rules require for what was
 * asked, compared with what this system allows, so that it names a change that helps.
 */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "frec/recorder.h"
#include "perm_hint.h"

static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = INT_MAX;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = INT_MAX;
		fclose(f);
	}
	return v;
}

/* Whether the running kernel is 5.8 or later, which knows CAP_PERFMON. */
static bool kernel_has_perfmon(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return true;
	return major > 5 || (major == 5 && minor >= 8);
}

/* The first process of @ids (@n of them) that another user owns: *@uid is its owner. */
static pid_t foreign_process(const pid_t *ids, size_t n, uid_t *uid)
{
	char path[32];
	struct stat sb;

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d", (int)ids[i]);
		if (!stat(path, &sb) && sb.st_uid != geteuid()) {
			*uid = sb.st_uid;
			return ids[i];
		}
	}
	return 0;
}

void cli_perm__probe(const struct rec_opts *o, const char *event, struct cli_perm *out)
{
	uid_t uid = 0;
	ssize_t n;

	*out = (struct cli_perm){
		.target = CLI_PERM_OWN,
		.paranoid = read_paranoid(),
		.root = geteuid() == 0,
		.has_perfmon = kernel_has_perfmon(),
	};
	n = readlink("/proc/self/exe", out->exe, sizeof(out->exe) - 1);
	if (n > 0)
		out->exe[n] = '\0';
	else
		snprintf(out->exe, sizeof(out->exe), "frec");
	if (event && strchr(event, ':')) {
		out->target = CLI_PERM_TRACEPOINT;
	} else if (o->system_wide) {
		out->target = CLI_PERM_SYSTEM;
	} else if ((out->pid = foreign_process(o->pids, o->nr_pids, &uid)) ||
		   (out->pid = foreign_process(o->tids, o->nr_tids, &uid))) {
		const struct passwd *pw = getpwuid(uid);

		out->target = CLI_PERM_OTHER_USER;
		if (pw)
			snprintf(out->owner, sizeof(out->owner), "%s", pw->pw_name);
		else
			snprintf(out->owner, sizeof(out->owner), "uid %u", (unsigned int)uid);
	}
}

/* The recording is allowed by the rules above and was refused all the same. */
static int something_else(const struct cli_perm *p, char *buf, size_t size)
{
	return snprintf(buf, size, "kernel.perf_event_paranoid is %d and frec runs as %s, which the kernel's "
			"rules allow: something else refuses perf_event_open (a container's seccomp profile, a "
			"security module such as SELinux); record outside it, or have perf_event_open allowed there",
			p->paranoid, p->root ? "root" : "this user");
}

int cli_perm__hint(const struct cli_perm *p, char *buf, size_t size)
{
	const char *perfmon = p->has_perfmon ? "CAP_PERFMON" : "CAP_SYS_ADMIN";
	const char *cap = p->has_perfmon ? "cap_perfmon" : "cap_sys_admin";

	if (p->paranoid == INT_MAX)
		return snprintf(buf, size, "kernel.perf_event_paranoid cannot be read: this kernel may lack perf "
				"events (CONFIG_PERF_EVENTS), or /proc is not mounted");
	if (p->root)
		return something_else(p, buf, size);
	switch (p->target) {
	case CLI_PERM_SYSTEM:
		if (p->paranoid <= 0)
			return something_else(p, buf, size);
		return snprintf(buf, size, "-a samples every CPU, which needs kernel.perf_event_paranoid at most 0 "
				"(it is %d) or %s: run frec as root, give it the capability (sudo setcap "
				"%s,cap_sys_ptrace+ep %s), or sudo sysctl kernel.perf_event_paranoid=0",
				p->paranoid, perfmon, cap, p->exe);
	case CLI_PERM_OTHER_USER:
		/* ptrace rights, whatever perf_event_paranoid says: frec reads the process's maps too */
		if (p->paranoid > 2)
			return snprintf(buf, size, "process %d belongs to %s: profiling another user's process needs "
					"ptrace rights over it and, with kernel.perf_event_paranoid at %d, %s: run "
					"frec as root, or give it both (sudo setcap %s,cap_sys_ptrace+ep %s)",
					(int)p->pid, p->owner, p->paranoid, perfmon, cap, p->exe);
		return snprintf(buf, size, "process %d belongs to %s: profiling another user's process needs "
				"ptrace rights over it: run frec as %s%s, or give it CAP_SYS_PTRACE (sudo setcap "
				"cap_sys_ptrace+ep %s)",
				(int)p->pid, p->owner, p->owner, strcmp(p->owner, "root") ? " or as root" : "", p->exe);
	case CLI_PERM_TRACEPOINT:
		if (p->paranoid <= -1)
			return something_else(p, buf, size);
		return snprintf(buf, size, "tracepoints need privileges: their ids are read from tracefs "
				"(/sys/kernel/tracing, usually root's only), and sampling their data needs %s or "
				"kernel.perf_event_paranoid=-1: run frec as root",
				perfmon);
	case CLI_PERM_OFF_CPU:
		if (p->paranoid <= 1)
			return something_else(p, buf, size);
		return snprintf(buf, size, "--off-cpu samples the kernel's switch of a thread off its CPU, so it "
				"needs kernel samples: kernel.perf_event_paranoid at most 1 (it is %d; recording "
				"without --off-cpu needs 2) or %s: sudo sysctl kernel.perf_event_paranoid=1, run frec "
				"as root, or give it %s (sudo setcap %s+ep %s)",
				p->paranoid, perfmon, perfmon, cap, p->exe);
	case CLI_PERM_OWN:
	default:
		if (p->paranoid <= 2)
			return something_else(p, buf, size);
		return snprintf(buf, size, "kernel.perf_event_paranoid is %d, which refuses profiling to users "
				"without privileges (your own processes need 2 or less): sudo sysctl "
				"kernel.perf_event_paranoid=2, run frec as root, or give it %s (sudo setcap %s+ep %s)",
				p->paranoid, perfmon, cap, p->exe);
	}
}
