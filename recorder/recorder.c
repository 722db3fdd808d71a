// SPDX-License-Identifier: MIT
/*
 * The recording loop: open one event per (task, CPU) or per CPU, map one ring per CPU, and until
 * the target exits, the duration passes or a signal arrives, drain every ring, merge their records
 * by time and hand them to the trace writer.  At the end, add the kernel symbols the samples hit,
 * the kernel's build-id and the JIT perf maps of the profiled processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/recorder.h"
#include "frec/trace.h"
#include "recorder_internal.h"
#include "ring.h"
#include "ustack.h"

#define STAGE_BYTES (256u << 10)
/* Threads whose copies are kept for stack deltas, per frame: up to 16 MiB; others are whole. */
#define REC_STACK_THREADS 256
#define POLL_MS 100
#define NS_PER_SEC 1000000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void rec__set_error(struct recorder *rec, int err, int kind, const char *fmt, ...)
{
	va_list ap;

	rec->e->err = err;
	rec->e->kind = kind;
	va_start(ap, fmt);
	vsnprintf(rec->e->what, sizeof(rec->e->what), fmt, ap);
	va_end(ap);
}

/* ---- Output ------------------------------------------------------------------------------------ */

static int stage_flush(struct recorder *rec)
{
	int err = 0;

	if (rec->stage_len)
		err = trace_writer__write(rec->w, rec->stage, rec->stage_len);
	rec->stage_len = 0;
	return err;
}

/* Make room for @size bytes in the staging buffer, if it can hold them. */
static int stage_room(struct recorder *rec, size_t size)
{
	return rec->stage_len + size > STAGE_BYTES ? stage_flush(rec) : 0;
}

/* Append one whole record (8-byte aligned size) to the staging buffer. */
int rec__emit(struct recorder *rec, const void *r, size_t size)
{
	int err = stage_room(rec, size);

	if (err)
		return err;
	if (size > STAGE_BYTES)
		return trace_writer__write(rec->w, r, size);
	memcpy(rec->stage + rec->stage_len, r, size);
	rec->stage_len += size;
	rec->st->records++;
	return 0;
}

/* ---- Per-record work in the hot path ------------------------------------------------------------ */

static uint64_t record_time(const struct perf_event_header *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint64_t t;

	/* IDENTIFIER, IP, TID, TIME lead every sample; the sample_id trailer ends in TID, TIME, CPU,
	 * IDENTIFIER (see rec_events__attr()). */
	if (h->type == PERF_RECORD_SAMPLE) {
		if (h->size < 40)
			return 0;
		memcpy(&t, p + 32, 8);
	} else {
		if (h->size < sizeof(*h) + 32)
			return 0;
		memcpy(&t, p + h->size - 24, 8);
	}
	return t;
}

/*
 * A process seen for the first time: remember who runs it while it still does, so that its perf
 * map, read at the end when it may be gone, is read only if that user owns it (synth.c).  One
 * stat() per process, not per sample.
 */
void rec__note_pid(struct recorder *rec, uint32_t pid)
{
	uint64_t *owner;
	bool added;

	if (!pid || pid == UINT32_MAX)
		return;
	owner = frec_hashmap__slot(&rec->pids, pid, &added);
	if (owner && added)
		*owner = rec_proc__owner(pid);
}

/*
 * Process @pid exited: drop what was kept for it, so that a long recording of a system where
 * processes come and go stays its size (pid_max may be 4 million).  Its pid stays in the set whose
 * perf maps are read at the end only if it left one in /tmp, the one place it can still be found.
 */
static void forget_process(struct recorder *rec, uint32_t pid)
{
	char path[48];
	struct stat st;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	if (lstat(path, &st))
		frec_hashmap__del(&rec->pids, pid);
	if (rec->last_pid == pid)
		rec->last_pid = 0;
}

/*
 * A sample @s (record @h) whose stack copy ends at its thread's boundary: stored as a delta against
 * the thread's earlier copies in this frame when it has some with the same top, else whole
 * (frec-trace(5)).  Written straight into the staging buffer: it goes out in one
 * trace_writer__write(), in the frame open now, so the copies the delta refers to are in its frame.
 */
static int emit_stack(struct recorder *rec, const struct perf_event_header *h, const struct trace_sample *s)
{
	uint32_t len = (uint32_t)FREC_ALIGN(s->stack_dyn_size, 8);
	uint64_t sp = rec_ustack__sp(s), top = sp ? sp + len : 0;
	struct trace_stack *st;
	size_t n, dlen = 0;
	int err;

	/* the record only shrinks: a delta is shorter than the copy, a copy cut to dyn_size; and
	 * making room may close the frame */
	err = stage_room(rec, h->size);
	if (err)
		return err;
	if (trace_writer__frames(rec->w) != rec->stacks_frame) {
		trace_stacks__reset(&rec->stacks);
		rec->stacks_frame = trace_writer__frames(rec->w);
	}
	st = trace_stacks__get(&rec->stacks, s->tid);
	if (st && top && st->known && st->top == top)
		dlen = trace_stack__encode(st, s->stack, len, rec->cut, len);
	if (dlen) {
		n = trace_sample__put_stack(s, h, rec->cut, dlen, s->stack_dyn_size | TRACE_STACK_DELTA,
					    rec->stage + rec->stage_len);
	} else {
		if (st)
			trace_stack__set(st, top, s->stack, len);
		n = trace_sample__put_stack(s, h, s->stack, len, s->stack_dyn_size, rec->stage + rec->stage_len);
	}
	rec->stage_len += n;
	rec->st->records++;
	return 0;
}

static int emit_sample(struct recorder *rec, const struct perf_event_header *h)
{
	struct trace_sample s;
	bool kernel;

	rec->st->samples++;
	/* Both events have one sample layout (events.c), so the main event's decodes either. */
	if (trace_event__parse_sample(&rec->event, h, &s))
		return rec__emit(rec, h, h->size); /* kept as is: the reader will report it */
	if (rec->o->off_cpu && frec_hashmap__find(&rec->off_ids, s.id, NULL))
		rec->st->off_cpu_samples++;
	if (!rec->first_ns)
		rec->first_ns = s.time;
	rec->last_ns = s.time;
	if (s.pid != rec->last_pid) {
		rec__note_pid(rec, s.pid);
		rec->last_pid = s.pid;
	}
	/* Remember the kernel addresses, so that only their symbols are stored at the end. */
	kernel = s.cpumode == PERF_RECORD_MISC_KERNEL;
	if (!s.nr_callchain && kernel)
		frec_hashmap__set(&rec->kips, s.ip, 1);
	for (uint64_t i = 0; i < s.nr_callchain; i++) {
		uint64_t ip = s.callchain[i];

		if (ip >= PERF_CONTEXT_MAX) {
			kernel = ip == PERF_CONTEXT_KERNEL;
			continue;
		}
		if (kernel)
			frec_hashmap__set(&rec->kips, ip, 1);
	}
	rec_ustack__cut(&rec->ustack, &s);
	if (rec->stack_deltas && s.stack && s.stack_dyn_size)
		return emit_stack(rec, h, &s);
	if (s.stack && s.stack_size != FREC_ALIGN(s.stack_dyn_size, 8)) {
		size_t n = trace_sample__cut_stack(&s, h, rec->cut);

		return rec__emit(rec, rec->cut, n);
	}
	return rec__emit(rec, h, h->size);
}

static int emit_record(struct recorder *rec, const struct perf_event_header *h)
{
	struct trace_lost lost;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		return emit_sample(rec, h);
	case PERF_RECORD_LOST:
		if (!trace_event__parse_lost(&rec->event, h, &lost)) {
			rec->st->lost += lost.lost;
			rec->st->lost_records++;
		}
		break;
	case PERF_RECORD_THROTTLE:
		rec->st->throttles++;
		break;
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE:
		rec->st->switches++;
		break;
	case PERF_RECORD_EXIT:
		/* pid, ppid, tid, ptid: a process ends when its main thread does */
		if (h->size >= sizeof(*h) + 16 && ((const uint32_t *)(h + 1))[0] == ((const uint32_t *)(h + 1))[2])
			forget_process(rec, ((const uint32_t *)(h + 1))[0]);
		rec_ustack__note(&rec->ustack, h);
		break;
	case PERF_RECORD_COMM:
	case PERF_RECORD_FORK:
		if (h->size >= sizeof(*h) + 8)
			rec__note_pid(rec, ((const uint32_t *)(h + 1))[0]);
		rec_ustack__note(&rec->ustack, h);
		break;
	default:
		break;
	}
	return rec__emit(rec, h, h->size);
}

/*
 * One pass: every ring's records up to its current head, merged by time so that the trace is in
 * time order (each ring already is).  Returns 0 or a write error.
 */
static int drain(struct recorder *rec)
{
	const struct perf_event_header **cur = rec->cur;
	uint64_t *t = rec->cur_time;
	size_t n = rec->nr_rings, live = 0;
	int bad = 0, err = 0;

	for (size_t i = 0; i < n; i++) {
		ring__begin(&rec->rings[i]);
		cur[i] = ring__next(&rec->rings[i], &bad);
		if (cur[i]) {
			t[i] = record_time(cur[i]);
			live++;
		}
	}
	if (!live)
		return 0;
	while (live && !err) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < n; i++)
			if (cur[i] && (best == SIZE_MAX || t[i] < t[best]))
				best = i;
		err = emit_record(rec, cur[best]);
		cur[best] = ring__next(&rec->rings[best], &bad);
		if (cur[best])
			t[best] = record_time(cur[best]);
		else
			live--;
	}
	for (size_t i = 0; i < n; i++)
		ring__end(&rec->rings[i]);
	if (bad)
		pr_warn_once("a ring buffer held a malformed record; the rest of that pass was skipped");
	if (!err)
		err = stage_flush(rec);
	if (!err)
		err = trace_writer__write_rec(rec->w, TRACE_REC_ROUND, NULL, 0);
	return err;
}

/* ---- Rings ------------------------------------------------------------------------------------- */

static int map_rings(struct recorder *rec)
{
	unsigned int pages = rec->o->mmap_pages;
	bool dwarf = rec->o->call_graph == REC_CG_DWARF || rec->o->call_graph == REC_CG_AUTO;
	bool reduced = false;

	if (!pages)
		pages = dwarf ? 1024 : 128;
	rec->rings = calloc(rec->nr_cpus, sizeof(*rec->rings));
	rec->cur = calloc(rec->nr_cpus, sizeof(*rec->cur));
	rec->cur_time = calloc(rec->nr_cpus, sizeof(*rec->cur_time));
	if (!rec->rings || !rec->cur || !rec->cur_time)
		return -ENOMEM;
retry:
	for (size_t c = 0; c < rec->nr_cpus; c++) {
		size_t len = (size_t)(pages + 1) * rec->page_size;
		int fd = -1, err;
		void *base;

		for (size_t i = 0; i < rec->nr_fds; i++) {
			if (rec->fds[i].cpu_index == (int)c) {
				fd = rec->fds[i].fd;
				break;
			}
		}
		if (fd < 0)
			continue;
		base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (base == MAP_FAILED) {
			err = -errno;
			for (size_t i = 0; i < rec->nr_rings; i++) {
				munmap(rec->rings[i].meta, rec->ring_len);
				ring__exit(&rec->rings[i]);
			}
			rec->nr_rings = 0;
			/* Over the mlock limit: halve the rings down to 8 pages before giving up. */
			if ((err == -EPERM || err == -ENOMEM) && pages > 8) {
				pages /= 2;
				reduced = true;
				goto retry;
			}
			return err;
		}
		rec->ring_len = len;
		err = ring__init(&rec->rings[rec->nr_rings], base, rec->page_size,
				 (uint64_t)pages * rec->page_size, fd, rec->cpus[c]);
		if (err) {
			munmap(base, len);
			return err;
		}
		rec->nr_rings++;
	}
	/* Every other fd of a CPU writes into that CPU's ring. */
	for (size_t i = 0; i < rec->nr_fds; i++) {
		struct ring *r = NULL;

		for (size_t k = 0; k < rec->nr_rings; k++)
			if (rec->rings[k].cpu == rec->cpus[rec->fds[i].cpu_index])
				r = &rec->rings[k];
		if (r && r->fd != rec->fds[i].fd &&
		    ioctl(rec->fds[i].fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0)
			return -errno;
	}
	/* Only a size the user asked for is worth a warning; the summary hints when samples are lost. */
	if (reduced)
		frec_log(rec->o->mmap_pages ? FREC_LOG_WARN : FREC_LOG_INFO,
			 "ring buffers reduced to %u pages per CPU by the locked-memory limit; "
			 "raise it (ulimit -l, kernel.perf_event_mlock_kb) if samples are lost", pages);
	rec->st->mmap_pages = pages;
	return 0;
}

/* ---- Header ------------------------------------------------------------------------------------ */

static char *join_argv(char *const *argv)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = 0;
	for (size_t i = 0; argv && argv[i]; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	return s;
}

/* TRACE_REC_ATTR for the main event or the off-CPU one, with the sample ids of its fds. */
static int write_attr(struct recorder *rec, bool off_cpu, const struct perf_event_attr *attr, const char *name)
{
	uint64_t *ids = calloc(rec->nr_fds ? rec->nr_fds : 1, sizeof(*ids));
	uint32_t n = 0;
	int err;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < rec->nr_fds; i++)
		if (rec->fds[i].off_cpu == off_cpu)
			ids[n++] = rec->fds[i].id;
	err = trace_writer__write_attr(rec->w, attr, ids, n, name);
	free(ids);
	return err;
}

/*
 * What an attached process runs, for the header's command (titles of its graphs): its command
 * line with spaces for NULs, else its name in brackets (a kernel thread), else "pid N".
 */
static void attached_command(pid_t pid, const char *kind, size_t more, char *buf, size_t size)
{
	char path[64], line[400], comm[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = rec_read_small(path, line, sizeof(line));
	if (n > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (!line[i])
				line[i] = ' ';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
	} else {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		n = rec_read_small(path, comm, sizeof(comm));
		if (n > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(line, sizeof(line), "[%s]", comm);
		}
	}
	if (n <= 0)
		snprintf(line, sizeof(line), "%s %d", kind, (int)pid);
	if (more)
		snprintf(buf, size, "%s (and %zu more)", line, more);
	else
		snprintf(buf, size, "%s", line);
}

static int write_header(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;
	char kv[12][512], *cmd = NULL, *self = NULL, attached[480];
	const char *ptrs[12];
	struct trace_meta meta;
	struct utsname u;
	size_t n = 0;
	int err;

	uname(&u);
	if (o->argv)
		cmd = join_argv(o->argv);
	self = join_argv(o->frec_argv);
	snprintf(kv[n++], sizeof(kv[0]), "frec_version=%s", PACKAGE_VERSION);
	snprintf(kv[n++], sizeof(kv[0]), "hostname=%s", u.nodename);
	snprintf(kv[n++], sizeof(kv[0]), "release=%s", u.release);
	snprintf(kv[n++], sizeof(kv[0]), "machine=%s", u.machine);
	if (o->argv)
		snprintf(kv[n++], sizeof(kv[0]), "command=%.500s", cmd ? cmd : o->argv[0]);
	else if (o->system_wide)
		snprintf(kv[n++], sizeof(kv[0]), "command=system-wide");
	else {
		attached_command(o->nr_pids ? o->pids[0] : o->tids[0], o->nr_pids ? "pid" : "tid",
				 o->nr_pids + o->nr_tids - 1, attached, sizeof(attached));
		snprintf(kv[n++], sizeof(kv[0]), "command=%s", attached);
	}
	snprintf(kv[n++], sizeof(kv[0]), "frec_command=frec %.480s", self ? self : "");
	snprintf(kv[n++], sizeof(kv[0]), "target=%s",
		 o->argv ? "command" : o->system_wide ? "system-wide" : o->nr_pids ? "pid" : "tid");
	snprintf(kv[n++], sizeof(kv[0]), "event=%s", rec_events__name(rec));
	if (rec->attr.freq)
		snprintf(kv[n++], sizeof(kv[0]), "freq=%" PRIu64, (uint64_t)rec->attr.sample_freq);
	else
		snprintf(kv[n++], sizeof(kv[0]), "period=%" PRIu64, (uint64_t)rec->attr.sample_period);
	switch (o->call_graph) {
	case REC_CG_FP:
		snprintf(kv[n++], sizeof(kv[0]), "call_graph=fp");
		break;
	case REC_CG_DWARF:
	case REC_CG_AUTO:
		snprintf(kv[n++], sizeof(kv[0]), "call_graph=%s,%u",
			 o->call_graph == REC_CG_DWARF ? "dwarf" : "auto", (unsigned int)rec->attr.sample_stack_user);
		break;
	case REC_CG_NONE:
		snprintf(kv[n++], sizeof(kv[0]), "call_graph=none");
		break;
	}
	snprintf(kv[n++], sizeof(kv[0]), "max_stack=%u", (unsigned int)rec->attr.sample_max_stack);
	free(cmd);
	free(self);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = kv[i];
	meta = (struct trace_meta){
		.start_ns = rec->start_ns,
		.start_realtime_ns = realtime_ns(),
		.clockid = CLOCK_MONOTONIC,
		.nr_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_CONF),
		.page_size = (uint32_t)rec->page_size,
		.version_major = rec->stack_deltas ? TRACE_VERSION_MAJOR_STACK_DELTA :
				 o->off_cpu ? TRACE_VERSION_MAJOR_OFF_CPU : TRACE_VERSION_MAJOR_BASE,
		.nr_kv = n,
		.kv = ptrs,
	};
	err = trace_writer__write_header(rec->w, &meta);
	if (!err)
		err = write_attr(rec, false, &rec->attr, rec_events__name(rec));
	if (!err && o->off_cpu)
		err = write_attr(rec, true, &rec->off_attr, TRACE_EVENT_OFF_CPU);
	return err;
}

/* ---- Main loop --------------------------------------------------------------------------------- */

/* The state letter of /proc/PID[/task/TID]/stat (after the last ')' of the name), or 0. */
static char proc_state(const char *path)
{
	char buf[512], *p;

	if (rec_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Whether task @pid still runs.  A zombie does not, though kill(pid, 0) finds it: nothing reaps a
 * target whose parent is blocked (or is frec, when a shell exec'ed it after starting the target).
 * A zombie thread-group leader may still have live threads, though: with @process, they count.
 */
static bool task_alive(pid_t pid, bool process)
{
	char path[64];
	struct dirent *de;
	bool alive = false;
	DIR *dir;
	char st;

	if (kill(pid, 0) && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	st = proc_state(path);
	if (st != 'Z' && st != 'X')
		return true;
	if (!process)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!alive && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/stat", (int)pid, de->d_name);
		st = proc_state(path);
		alive = st && st != 'Z' && st != 'X';
	}
	closedir(dir);
	return alive;
}

static bool targets_alive(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;

	if (o->system_wide)
		return true;
	if (o->argv) {
		int status;
		pid_t r = waitpid(rec->child, &status, WNOHANG);

		if (r == rec->child) {
			rec->st->target_status = status;
			rec->child = 0;
			return false;
		}
		return r == 0;
	}
	for (size_t i = 0; i < o->nr_pids; i++)
		if (task_alive(o->pids[i], true))
			return true;
	for (size_t i = 0; i < o->nr_tids; i++)
		if (task_alive(o->tids[i], false))
			return true;
	return false;
}

static void cpu_times(struct rec_stats *st)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	st->cpu_user_ns = (uint64_t)ru.ru_utime.tv_sec * NS_PER_SEC + (uint64_t)ru.ru_utime.tv_usec * 1000;
	st->cpu_sys_ns = (uint64_t)ru.ru_stime.tv_sec * NS_PER_SEC + (uint64_t)ru.ru_stime.tv_usec * 1000;
}

static int record_loop(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;
	struct pollfd *pfd = calloc(rec->nr_rings ? rec->nr_rings : 1, sizeof(*pfd));
	uint64_t next_progress = rec->start_ns + NS_PER_SEC;
	int err = 0;

	if (!pfd)
		return -ENOMEM;
	for (size_t i = 0; i < rec->nr_rings; i++)
		pfd[i] = (struct pollfd){ .fd = rec->rings[i].fd, .events = POLLIN };
	for (;;) {
		uint64_t now;

		if (poll(pfd, rec->nr_rings, POLL_MS) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		/* A ring whose tasks all exited reports POLLHUP for ever: stop polling it. */
		for (size_t i = 0; i < rec->nr_rings; i++)
			if (pfd[i].revents & (POLLHUP | POLLERR))
				pfd[i].fd = -1;
		err = drain(rec);
		now = now_ns();
		if (!err)
			err = trace_writer__tick(rec->w, now);
		if (err) {
			rec->st->stop_flags |= TRACE_FOOTER_DISK_FULL;
			break;
		}
		if (o->progress && now >= next_progress) {
			rec->st->elapsed_ns = now - rec->start_ns;
			rec->st->trace_bytes = trace_writer__bytes(rec->w);
			rec->st->data_bytes = trace_writer__data_bytes(rec->w);
			o->progress(o->progress_ctx, rec->st);
			next_progress = now + NS_PER_SEC;
		}
		if (o->stop && *o->stop) {
			rec->st->stop_flags |= TRACE_FOOTER_INTERRUPTED;
			break;
		}
		if (o->duration_ns && now - rec->start_ns >= o->duration_ns) {
			rec->st->stop_flags |= TRACE_FOOTER_DURATION;
			break;
		}
		if (!targets_alive(rec)) {
			rec->st->stop_flags |= TRACE_FOOTER_TARGET_EXITED;
			break;
		}
	}
	free(pfd);
	return err;
}

static int finish_trace(struct recorder *rec)
{
	struct trace_footer f = { 0 };
	int err;

	for (size_t i = 0; i < rec->nr_fds; i++)
		ioctl(rec->fds[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	err = drain(rec);
	if (!err)
		err = rec_synth__kernel_symbols(rec);
	if (!err)
		err = rec_synth__perf_maps(rec);
	if (!err)
		err = stage_flush(rec);
	cpu_times(rec->st);
	f.samples = rec->st->samples;
	f.lost = rec->st->lost;
	f.lost_records = rec->st->lost_records;
	f.throttles = rec->st->throttles;
	f.first_ns = rec->first_ns;
	f.last_ns = rec->last_ns;
	f.end_ns = rec->stop_ns; /* the duration is the recording's, not the finishing's (frec-trace(5)) */
	f.cpu_user_ns = rec->st->cpu_user_ns;
	f.cpu_sys_ns = rec->st->cpu_sys_ns;
	f.data_bytes = trace_writer__data_bytes(rec->w);
	f.flags = rec->st->stop_flags;
	if (!err)
		err = trace_writer__write_footer(rec->w, &f);
	return err;
}

static void recorder_exit(struct recorder *rec)
{
	for (size_t i = 0; i < rec->nr_rings; i++) {
		munmap(rec->rings[i].meta, rec->ring_len);
		ring__exit(&rec->rings[i]);
	}
	for (size_t i = 0; i < rec->nr_fds; i++)
		close(rec->fds[i].fd);
	if (rec->go_fd >= 0)
		close(rec->go_fd);
	if (rec->status_fd >= 0)
		close(rec->status_fd);
	if (rec->child > 0) {
		kill(rec->child, SIGTERM);
		waitpid(rec->child, &rec->st->target_status, 0);
	}
	free(rec->rings);
	free(rec->cur);
	free(rec->cur_time);
	free(rec->fds);
	free(rec->cpus);
	free(rec->stage);
	free(rec->cut);
	trace_stacks__exit(&rec->stacks);
	frec_hashmap__exit(&rec->pids);
	rec_ustack__exit(&rec->ustack);
	frec_hashmap__exit(&rec->kips);
	frec_hashmap__exit(&rec->off_ids);
}

static int open_targets(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;
	int err = 0;

	if (o->system_wide || o->argv) {
		err = rec_events__open_task(rec, o->system_wide ? -1 : rec->child);
		if (err)
			rec__set_error(rec, err, REC_ERR_EVENT, "%s", rec_events__name(rec));
	}
	for (size_t i = 0; i < o->nr_pids && !err; i++) {
		err = rec_events__open_process(rec, o->pids[i]);
		if (err)
			rec__set_error(rec, err, err == -ESRCH ? REC_ERR_TARGET : REC_ERR_EVENT, "%d", (int)o->pids[i]);
	}
	for (size_t i = 0; i < o->nr_tids && !err; i++) {
		err = rec_events__open_task(rec, o->tids[i]);
		if (err)
			rec__set_error(rec, err, err == -ESRCH ? REC_ERR_TARGET : REC_ERR_EVENT, "%d", (int)o->tids[i]);
	}
	if (err && rec->e->kind == REC_ERR_EVENT)
		snprintf(rec->e->what, sizeof(rec->e->what), "%s", rec_events__name(rec));
	if (err && rec->off_cpu_failed)
		rec__set_error(rec, err, REC_ERR_OFF_CPU, "the context-switch event of --off-cpu");
	return err;
}

int recorder__run(const struct rec_opts *o, struct rec_stats *st, struct rec_error *e)
{
	struct recorder rec = { .o = o, .st = st, .e = e, .go_fd = -1, .status_fd = -1 };
	const char *output = o->output ? o->output : "the trace";
	int out_fd = o->output_fd;
	struct trace_writer_opts wopts = { 0 };
	int err;

	memset(st, 0, sizeof(*st));
	memset(e, 0, sizeof(*e));
	rec.page_size = (size_t)sysconf(_SC_PAGESIZE);
	frec_hashmap__init(&rec.pids);
	rec_ustack__init(&rec.ustack);
	trace_stacks__init(&rec.stacks, REC_STACK_THREADS);
	frec_hashmap__init(&rec.kips);
	frec_hashmap__init(&rec.off_ids);
	rec.stage = malloc(STAGE_BYTES);
	rec.cut = malloc(UINT16_MAX + 1);
	if (!rec.stage || !rec.cut) {
		err = -ENOMEM;
		rec__set_error(&rec, err, REC_ERR_OTHER, "memory");
		goto out;
	}
	err = rec_events__attr(&rec);
	if (err)
		goto out;
	rec.stack_deltas = REC_USTACK_DELTAS && (rec.attr.sample_type & PERF_SAMPLE_STACK_USER);
	err = rec_events__online_cpus(&rec);
	if (err) {
		rec__set_error(&rec, err, REC_ERR_OTHER, "online CPUs");
		goto out;
	}
	if (o->argv) {
		err = rec_command__check(o->argv[0]);
		if (err) {
			rec__set_error(&rec, err, REC_ERR_COMMAND, "%s", o->argv[0]);
			goto out;
		}
		err = rec_command__fork(&rec);
		if (err) {
			rec__set_error(&rec, err, REC_ERR_COMMAND, "%s", o->argv[0]);
			goto out;
		}
	}
	err = open_targets(&rec);
	if (err)
		goto out;
	rec.event = (struct trace_event){ .attr = rec.attr, .name = st->event };
	err = map_rings(&rec);
	if (err) {
		rec__set_error(&rec, err, REC_ERR_MMAP, "ring buffers");
		goto out;
	}
	/* Only now, with the target and the events known good, may an existing file be replaced. */
	/*
	 * Callchains alone are a few MiB a minute: a stronger level costs little and saves a
	 * quarter.  Stack copies are far more bytes: stay fast there (long-distance matching does
	 * the rest).
	 */
	wopts.level = o->call_graph == REC_CG_DWARF || o->call_graph == REC_CG_AUTO ? 3 : 6;
	err = o->output_truncate && ftruncate(out_fd, 0) ? -errno : 0;
	if (!err) {
		err = trace_writer__open_fd(out_fd, &wopts, &rec.w);
		out_fd = -1; /* the writer's, also when it failed */
	}
	if (err) {
		rec__set_error(&rec, err, REC_ERR_OUTPUT, "%s", output);
		goto out;
	}
	cpu_times(st);
	rec.cpu_at_start_ns = st->cpu_user_ns + st->cpu_sys_ns;
	rec.start_ns = now_ns();
	err = write_header(&rec);
	if (!err && !o->argv)
		err = rec_synth__processes(&rec);
	if (!err)
		err = stage_flush(&rec);
	/* The description and the initial state in a frame of their own: a reader opening the trace
	 * decompresses just that, and the frames of samples after it can be skipped (frec-trace(5)). */
	if (!err)
		err = trace_writer__flush(rec.w);
	if (err) {
		rec__set_error(&rec, err, REC_ERR_OUTPUT, "%s", output);
		goto out;
	}
	if (o->argv) {
		err = rec_command__start(&rec);
		if (err) {
			rec__set_error(&rec, err, REC_ERR_COMMAND, "%s", o->argv[0]);
			goto out;
		}
	} else {
		for (size_t i = 0; i < rec.nr_fds; i++)
			ioctl(rec.fds[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	rec.started = true;
	err = record_loop(&rec);
	rec.stop_ns = now_ns();
	cpu_times(st);
	st->cpu_recording_ns = st->cpu_user_ns + st->cpu_sys_ns - rec.cpu_at_start_ns;
	if (!err)
		err = finish_trace(&rec);
	if (err)
		rec__set_error(&rec, err, REC_ERR_OUTPUT, "%s", output);
out:
	if (out_fd >= 0)
		close(out_fd);
	if (rec.w) {
		/* flushed first, to count every byte written */
		int cerr = trace_writer__flush(rec.w), cerr2;

		st->data_bytes = trace_writer__data_bytes(rec.w);
		st->trace_bytes = trace_writer__bytes(rec.w);
		cerr2 = trace_writer__close(rec.w);
		cerr = cerr ? cerr : cerr2;
		if (!err && cerr) {
			err = cerr;
			rec__set_error(&rec, err, REC_ERR_OUTPUT, "%s", output);
		}
	}
	st->elapsed_ns = rec.stop_ns ? rec.stop_ns - rec.start_ns : 0;
	/* Also when the trace could not be finished (a full disk): the summary reports it. */
	cpu_times(st);
	recorder_exit(&rec);
	return err;
}
