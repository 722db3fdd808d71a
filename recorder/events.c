// SPDX-License-Identifier: MIT
/*
 * The perf events: names to perf_event_attr type and config, the attr a recording uses, and its
 * events opened on every online CPU for each target task.
 */
#define pr_fmt(fmt) "recorder: " fmt

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/recorder.h"
#include "recorder_internal.h"

struct named_event {
	const char *name;
	uint32_t type;
	uint64_t config;
};

static const struct named_event named_events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

/* The numeric id of tracepoint "sys:name", from tracefs. */
static int tracepoint_id(const char *sys, size_t sys_len, const char *name, uint64_t *id)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512], buf[32];
	bool denied = false;

	/* Names come from the command line: refuse anything that could leave the events directory. */
	if (!sys_len || !*name || memchr(sys, '/', sys_len) || strchr(name, '/') || sys[0] == '.' ||
	    name[0] == '.')
		return -FREC_E_EVENT_UNKNOWN;
	for (size_t i = 0; i < FREC_ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", roots[i], (int)sys_len, sys, name);
		if (rec_read_small(path, buf, sizeof(buf)) < 0) {
			/* tracefs is often root's only: that is no unknown event */
			denied |= errno == EACCES;
			continue;
		}
		*id = strtoull(buf, NULL, 10);
		return 0;
	}
	return denied ? -EACCES : -FREC_E_EVENT_UNKNOWN;
}

/* tracefs is not always mounted; as perf does, mount it where the kernel expects it (root only). */
static bool mount_tracefs(void)
{
	struct stat sb;

	if (!stat("/sys/kernel/tracing/events", &sb) || !stat("/sys/kernel/debug/tracing/events", &sb))
		return false; /* mounted already: the event does not exist */
	return !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

int rec_event__parse(const char *name, struct perf_event_attr *attr)
{
	const char *colon = strchr(name, ':');

	for (size_t i = 0; i < FREC_ARRAY_SIZE(named_events); i++) {
		if (!strcmp(name, named_events[i].name)) {
			attr->type = named_events[i].type;
			attr->config = named_events[i].config;
			return 0;
		}
	}
	if (colon) {
		uint64_t id;
		int err = tracepoint_id(name, (size_t)(colon - name), colon + 1, &id);

		if (err && mount_tracefs())
			err = tracepoint_id(name, (size_t)(colon - name), colon + 1, &id);

		if (err)
			return err;
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = id;
		return 0;
	}
	return -FREC_E_EVENT_UNKNOWN;
}

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group, unsigned long flags)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group, flags);
}

/* ---- Events ------------------------------------------------------------------------------------ */

static unsigned int read_sysctl_uint(const char *path, unsigned int dflt)
{
	char buf[32];

	if (rec_read_small(path, buf, sizeof(buf)) < 0)
		return dflt;
	return (unsigned int)strtoul(buf, NULL, 10);
}

#if defined(__x86_64__)
#include <asm/perf_regs.h>
/* General-purpose registers; the segment registers are always 0 in user mode. */
#define USER_REGS_MASK (((1ull << PERF_REG_X86_64_MAX) - 1) & \
	~((1ull << PERF_REG_X86_DS) | (1ull << PERF_REG_X86_ES) | (1ull << PERF_REG_X86_FS) | \
	  (1ull << PERF_REG_X86_GS)))
#elif defined(__aarch64__)
#include <asm/perf_regs.h>
#define USER_REGS_MASK ((1ull << PERF_REG_ARM64_MAX) - 1)
#else
#define USER_REGS_MASK 0ull
#endif

int rec_events__attr(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;
	struct perf_event_attr *a = &rec->attr;
	const char *name = o->event ? o->event : "cycles";
	int err;

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	err = rec_event__parse(name, a);
	if (err) {
		rec__set_error(rec, err, REC_ERR_EVENT, "%s", name);
		return err;
	}
	snprintf(rec->st->event, sizeof(rec->st->event), "%s", name);
	if (o->period) {
		a->sample_period = o->period;
	} else if (a->type == PERF_TYPE_TRACEPOINT && !o->freq) {
		a->sample_period = 1;
	} else {
		a->freq = 1;
		a->sample_freq = o->freq ? o->freq : 99;
	}
	a->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD;
	if (a->type == PERF_TYPE_TRACEPOINT)
		a->sample_type |= PERF_SAMPLE_RAW;
	if (o->call_graph != REC_CG_NONE) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
		a->sample_max_stack = (uint16_t)FREC_MIN(
			read_sysctl_uint("/proc/sys/kernel/perf_event_max_stack", 127), UINT16_MAX);
	}
	if (o->call_graph == REC_CG_DWARF || o->call_graph == REC_CG_AUTO) {
		if (!USER_REGS_MASK) {
			rec__set_error(rec, -FREC_E_EVENT_UNSUPPORTED, REC_ERR_EVENT,
				  "--call-graph dwarf on this architecture");
			return -FREC_E_EVENT_UNSUPPORTED;
		}
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = USER_REGS_MASK;
		a->sample_stack_user = FREC_ALIGN(o->stack_size ? o->stack_size : REC_STACK_DEFAULT, 8);
		/* DWARF mode unwinds user space itself: the kernel walks only its own frames. */
		a->exclude_callchain_user = o->call_graph == REC_CG_DWARF;
	}
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->build_id = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->disabled = 1;
	a->inherit = !o->system_wide;
	a->enable_on_exec = o->argv != NULL;
	a->exclude_guest = 1;
	a->watermark = 1;
	return 0;
}

const char *rec_events__name(struct recorder *rec)
{
	return rec->st->event;
}

/*
 * Open the event for (@pid, @cpu), adapting the attr on the first success-or-failure: a hardware
 * event the machine lacks becomes cpu-clock, a kernel that refuses kernel samples gets user-only
 * ones, an old kernel without build-ids in MMAP2 goes without.  Returns an fd or -errno.
 */
static int open_adapting(struct recorder *rec, pid_t pid, int cpu)
{
	struct perf_event_attr *a = &rec->attr;

	for (;;) {
		int fd = sys_perf_event_open(a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		int err = -errno;

		if (fd >= 0) {
			/* Say so once the reduced recording is known to work. */
			/* (--off-cpu stops instead, saying why: see open_off_cpu()) */
			if (!rec->nr_fds && rec->st->no_kernel && !rec->o->off_cpu)
				pr_warn("kernel samples are not permitted (kernel.perf_event_paranoid is %u): "
					"recording user space only; run as root, with CAP_PERFMON, or after "
					"sysctl kernel.perf_event_paranoid=1",
					read_sysctl_uint("/proc/sys/kernel/perf_event_paranoid", 2));
			return fd;
		}
		if (rec->nr_fds) /* the attr was settled by the first open */
			return err;
		if ((err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV) && a->type == PERF_TYPE_HARDWARE) {
			a->type = PERF_TYPE_SOFTWARE;
			a->config = PERF_COUNT_SW_CPU_CLOCK;
			rec->st->event_fallback = rec->o->event != NULL;
			snprintf(rec->st->event, sizeof(rec->st->event), "cpu-clock");
			if (rec->o->event)
				pr_warn("%s is not supported on this machine (no hardware PMU?): sampling cpu-clock",
					rec->o->event);
			continue;
		}
		if (err == -EINVAL && a->build_id) {
			a->build_id = 0;
			continue;
		}
		if ((err == -EACCES || err == -EPERM) && !a->exclude_kernel) {
			a->exclude_kernel = 1;
			a->exclude_hv = 1;
			rec->st->no_kernel = true;
			continue;
		}
		return err;
	}
}

/*
 * The off-CPU event: a software context-switch event with the recording's sample layout (so that
 * one decoder reads every sample), sampled at each switch out (period 1), and switch records for
 * the times threads leave and come back.  Its records share the CPU's ring with the main event,
 * which alone reports mappings, names and tasks.  Settled from the main event's attr once that
 * has been opened: what the kernel refused there (kernel samples, build-ids) is left out here.
 * Returns an fd or -errno.
 */
static int open_off_cpu(struct recorder *rec, pid_t pid, int cpu)
{
	struct perf_event_attr *a = &rec->off_attr;
	int fd;

	if (!a->size) {
		*a = rec->attr;
		a->type = PERF_TYPE_SOFTWARE;
		a->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
		a->freq = 0;
		a->sample_period = 1;
		a->mmap = a->mmap2 = a->comm = a->comm_exec = a->task = a->build_id = 0;
		a->context_switch = 1;
	}
	/* The switch is taken in the kernel: an event that excludes it never fires. */
	if (a->exclude_kernel)
		return -EACCES;
	fd = sys_perf_event_open(a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int add_fd(struct recorder *rec, int fd, int cpu_index, bool off_cpu)
{
	struct frec_fd *f;

	if (rec->nr_fds == rec->cap_fds) {
		size_t cap = rec->cap_fds ? rec->cap_fds * 2 : 16;
		struct frec_fd *nf = realloc(rec->fds, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		rec->fds = nf;
		rec->cap_fds = cap;
	}
	f = &rec->fds[rec->nr_fds++];
	f->fd = fd;
	f->cpu_index = cpu_index;
	f->off_cpu = off_cpu;
	if (ioctl(fd, PERF_EVENT_IOC_ID, &f->id) < 0)
		f->id = 0;
	return off_cpu ? frec_hashmap__set(&rec->off_ids, f->id, 1) : 0;
}

/* Open the event for @pid (-1: every task) on every CPU. */
int rec_events__open_task(struct recorder *rec, pid_t pid)
{
	for (size_t c = 0; c < rec->nr_cpus; c++) {
		int fd = open_adapting(rec, pid, rec->cpus[c]);
		int err;

		if (fd < 0)
			return fd;
		err = add_fd(rec, fd, (int)c, false);
		if (err) {
			close(fd);
			return err;
		}
		if (!rec->o->off_cpu)
			continue;
		fd = open_off_cpu(rec, pid, rec->cpus[c]);
		if (fd < 0) {
			rec->off_cpu_failed = fd != -ESRCH;
			return fd;
		}
		err = add_fd(rec, fd, (int)c, true);
		if (err) {
			close(fd);
			return err;
		}
	}
	return 0;
}

/* Every thread of process @pid.  Threads that exit meanwhile are skipped. */
int rec_events__open_process(struct recorder *rec, pid_t pid)
{
	char path[64];
	struct dirent *d;
	size_t opened = 0;
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0)
			continue;
		err = rec_events__open_task(rec, tid);
		if (err == -ESRCH) {
			err = 0;
			continue;
		}
		if (err)
			break;
		opened++;
	}
	closedir(dir);
	if (!err && !opened)
		err = -ESRCH;
	return err;
}

int rec_events__online_cpus(struct recorder *rec)
{
	char buf[1024];
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	rec->cpus = calloc((size_t)(ncpu > 0 ? ncpu : 1) + 1024, sizeof(*rec->cpus));
	if (!rec->cpus)
		return -ENOMEM;
	if (rec_read_small("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0) {
		for (long i = 0; i < (ncpu > 0 ? ncpu : 1); i++)
			rec->cpus[rec->nr_cpus++] = (int)i;
		return 0;
	}
	/* "0-3,5,7-8" */
	for (char *s = buf; *s && *s != '\n';) {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long i = a; i <= b && rec->nr_cpus < (size_t)ncpu + 1024; i++)
			rec->cpus[rec->nr_cpus++] = (int)i;
		s = *end == ',' ? end + 1 : end;
	}
	return rec->nr_cpus ? 0 : -ENODEV;
}
