/* SPDX-License-Identifier: MIT */
/*
 * What to change when the kernel refuses to let frec record: the hint depends on what was asked
 * (the whole system, another user's process, your own, a tracepoint) and on the kernel's rules
 * (perf_event_open(2), "perf_event related configuration files"):
 *   - per-CPU events, as -a opens, need kernel.perf_event_paranoid <= 0 or CAP_PERFMON;
 *   - another user's process needs ptrace rights over it (CAP_SYS_PTRACE; frec also reads its
 *     /proc/PID/maps) or CAP_PERFMON for the event alone: lowering perf_event_paranoid never helps;
 *   - your own processes need perf_event_paranoid <= 2 (Debian's kernels add level 3, and others
 *     4, which refuse every unprivileged use);
 *   - kernel samples need perf_event_paranoid <= 1 or CAP_PERFMON: a plain recording goes without
 *     them, but frec record --off-cpu cannot (the switch off a CPU is taken in the kernel);
 *   - a tracepoint's id is read from tracefs, which is often root's only, and sampling its raw
 *     data needs perf_event_paranoid <= -1 or CAP_PERFMON.
 * CAP_PERFMON exists since Linux 5.8; before, CAP_SYS_ADMIN is what grants the same.
 * A hint never suggests a setting that would not help: when the settings allow the recording and
 * it is refused all the same, something else refuses it (a container's seccomp profile, a
 * security module) and the hint says so.
 */
#ifndef FREC_CLI_PERM_HINT_H
#define FREC_CLI_PERM_HINT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rec_opts;

enum cli_perm_target {
	CLI_PERM_OWN,        /* a command frec starts, or processes of frec's own user */
	CLI_PERM_OTHER_USER, /* -p/-t of a process of another user */
	CLI_PERM_SYSTEM,     /* -a */
	CLI_PERM_TRACEPOINT, /* a tracepoint event, whatever the target */
	CLI_PERM_OFF_CPU,    /* the context-switch event of --off-cpu, of frec's own processes */
};

/** What the hint is about; filled from the running system by cli_perm__probe(). */
struct cli_perm {
	enum cli_perm_target target;
	int paranoid;        /* kernel.perf_event_paranoid; INT_MAX when unreadable */
	bool root;           /* frec runs with euid 0 */
	bool has_perfmon;    /* the kernel knows CAP_PERFMON (5.8 and later) */
	pid_t pid;           /* CLI_PERM_OTHER_USER: the process */
	char owner[64];      /* CLI_PERM_OTHER_USER: its user, by name or uid */
	char exe[512];       /* frec's own path, for setcap; "frec" when unknown */
};

/**
 * cli_perm__probe() - what recording @o (event @event) needs, and what this system allows: the
 * target's kind and owner, perf_event_paranoid, frec's user and path, the kernel's version.
 */
void cli_perm__probe(const struct rec_opts *o, const char *event, struct cli_perm *out);

/** cli_perm__hint() - the hint for @p, written to @buf like snprintf() (no "hint: " prefix). */
int cli_perm__hint(const struct cli_perm *p, char *buf, size_t size);

#endif /* FREC_CLI_PERM_HINT_H */
