// SPDX-License-Identifier: MIT
/*
 * What the kernel does not write but offline symbolization needs:
 *   - for processes that already ran when recording began, COMM and MMAP2 records as the kernel
 *     would have written them (with the build-id of each mapped ELF file);
 *   - at the end, the kallsyms lines of the kernel functions the samples hit, the kernel's
 *     build-id, and the JIT perf map of every process seen.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/proc_root.h"
#include "recorder_internal.h"

#define MAX_FILE_BYTES (256u << 20)

/* Read all of @fd, at most @max bytes, into a malloc'ed, NUL-terminated buffer; -EFBIG past @max. */
static int read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 1 << 14, n = 0;
	char *buf = malloc(cap);

	for (;;) {
		ssize_t r;

		if (!buf)
			return -ENOMEM;
		if (n + 1 >= cap) {
			/* room for one byte more than @max, to tell a file of @max bytes from a longer one */
			size_t ncap = FREC_MIN(cap * 2, max + 2);
			char *nb = ncap > cap ? realloc(buf, ncap) : NULL;

			if (!nb) {
				free(buf);
				return ncap > cap ? -ENOMEM : -EFBIG;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* Read a whole (possibly /proc) file into a malloc'ed, NUL-terminated buffer. */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = read_fd(fd, MAX_FILE_BYTES, out, len);
	close(fd);
	return err;
}

/* The sample_id trailer of a synthesized record: TID, TIME, CPU, IDENTIFIER (see event_attr()). */
static size_t put_trailer(struct recorder *rec, uint8_t *p, uint32_t pid, uint32_t tid)
{
	uint64_t u[4];
	uint32_t pt[2] = { pid, tid };

	memcpy(&u[0], pt, 8);
	u[1] = rec->start_ns;
	u[2] = 0;
	u[3] = rec->nr_fds ? rec->fds[0].id : 0;
	memcpy(p, u, sizeof(u));
	return sizeof(u);
}

static int synth_comm(struct recorder *rec, uint32_t pid, uint32_t tid, const char *comm)
{
	uint8_t buf[128] = { 0 };
	struct perf_event_header *h = (struct perf_event_header *)buf;
	size_t len = strnlen(comm, 15), off;
	uint32_t ids[2] = { pid, tid };

	h->type = PERF_RECORD_COMM;
	h->misc = PERF_RECORD_MISC_USER;
	memcpy(buf + 8, ids, 8);
	memcpy(buf + 16, comm, len);
	off = 16 + FREC_ALIGN(len + 1, 8);
	off += put_trailer(rec, buf + off, pid, tid);
	h->size = (uint16_t)off;
	return rec__emit(rec, buf, off);
}

/* Build-ids of files already read in this recording, keyed by device and inode. */
struct bid_cache {
	struct frec_hashmap map; /* key -> index + 1 into ids */
	struct {
		uint8_t id[20];
		uint8_t size;
	} *ids;
	size_t nr, cap;
};

/*
 * The build-id of @m's file, read in the root @root (frec_proc_root__open()) of process @pid, or
 * through the process's mapping itself when the file was replaced or removed since it was mapped.
 */
static int file_build_id(struct bid_cache *c, uint32_t pid, int root, const struct rec_map *m, uint8_t id[20])
{
	uint64_t key = frec_hash64(((uint64_t)m->maj << 44) ^ ((uint64_t)m->min << 24) ^ m->ino ^
				   frec_hash_bytes(m->path, m->path_len));
	char path[4096];
	struct stat sb;
	uint64_t idx;
	void *map;
	int fd = -1, n = 0;

	if (frec_hashmap__find(&c->map, key, &idx)) {
		memcpy(id, c->ids[idx - 1].id, 20);
		return c->ids[idx - 1].size;
	}
	if (m->path_len >= 4096 || m->path[0] != '/')
		return 0;
	/*
	 * In the process's root, so that files of processes in containers are found; the process
	 * controls what is there, so no link may lead out of it and nothing but a regular file is read.
	 */
	snprintf(path, sizeof(path), "%.*s", (int)m->path_len, m->path);
	/* "PATH (deleted)": PATH is another file now, or none; the mapping is still the old one */
	if (m->path_len > 10 && !memcmp(m->path + m->path_len - 10, " (deleted)", 10))
		fd = frec_proc_root__open_mapped((pid_t)pid, m->start, m->end, &sb);
	else if (root >= 0)
		fd = frec_proc_root__open_file(root, path, O_RDONLY, &sb);
	if (fd >= 0 && sb.st_size > 0) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			n = rec_build_id__from_elf(map, (size_t)sb.st_size, id);
			munmap(map, (size_t)sb.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *ni = realloc(c->ids, cap * sizeof(*c->ids));

		if (!ni)
			return n;
		c->ids = ni;
		c->cap = cap;
	}
	memcpy(c->ids[c->nr].id, id, 20);
	c->ids[c->nr].size = (uint8_t)n;
	c->nr++;
	frec_hashmap__set(&c->map, key, c->nr);
	return n;
}

static int synth_mmap2(struct recorder *rec, struct bid_cache *c, uint32_t pid, int root, const struct rec_map *m)
{
	uint8_t buf[8 + 64 + 4096 + 8 + 32] = { 0 };
	struct perf_event_header *h = (struct perf_event_header *)buf;
	uint32_t ids[2] = { pid, pid }, pf[2] = { m->prot, m->flags };
	uint64_t v[3] = { m->start, m->end - m->start, m->pgoff };
	uint8_t id[20] = { 0 };
	size_t plen = FREC_MIN(m->path_len, (size_t)4095), off;
	int n = file_build_id(c, pid, root, m, id);

	h->type = PERF_RECORD_MMAP2;
	h->misc = PERF_RECORD_MISC_USER;
	memcpy(buf + 8, ids, 8);
	memcpy(buf + 16, v, 24);
	if (n > 0) {
		h->misc |= PERF_RECORD_MISC_MMAP_BUILD_ID;
		buf[40] = (uint8_t)n;
		memcpy(buf + 44, id, 20);
	} else {
		uint32_t mm[2] = { m->maj, m->min };
		uint64_t ino[2] = { m->ino, 0 };

		memcpy(buf + 40, mm, 8);
		memcpy(buf + 48, ino, 16);
	}
	memcpy(buf + 64, pf, 8);
	memcpy(buf + 72, m->path, plen);
	off = 72 + FREC_ALIGN(plen + 1, 8);
	off += put_trailer(rec, buf + off, pid, pid);
	h->size = (uint16_t)off;
	return rec__emit(rec, buf, off);
}

static int synth_process(struct recorder *rec, struct bid_cache *c, uint32_t pid)
{
	char path[64], *maps = NULL, *comm;
	struct dirent *d;
	size_t len;
	DIR *dir;
	int err = 0, root;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0; /* exited meanwhile */
	while (!err && (d = readdir(dir))) {
		uint32_t tid = (uint32_t)strtoul(d->d_name, NULL, 10);

		if (!tid)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
		if (read_file(path, &comm, &len))
			continue;
		if (len && comm[len - 1] == '\n')
			comm[len - 1] = 0;
		err = synth_comm(rec, pid, tid, comm);
		free(comm);
	}
	closedir(dir);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	if (read_file(path, &maps, &len))
		return 0;
	root = frec_proc_root__open((pid_t)pid);
	for (char *line = maps, *end; !err && *line; line = *end ? end + 1 : end) {
		struct rec_map m;

		end = strchrnul(line, '\n');
		if (rec_maps__parse_line(line, (size_t)(end - line), &m) || !(m.prot & PROT_EXEC))
			continue;
		err = synth_mmap2(rec, c, pid, root, &m);
	}
	if (root >= 0)
		close(root);
	free(maps);
	return err;
}

/* The process a thread belongs to (its Tgid), or @tid itself. */
static uint32_t tgid_of(uint32_t tid)
{
	char path[64], *buf, *p;
	uint32_t tgid = tid;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	if (read_file(path, &buf, &len))
		return tid;
	p = strstr(buf, "\nTgid:");
	if (p)
		tgid = (uint32_t)strtoul(p + 6, NULL, 10);
	free(buf);
	return tgid;
}

int rec_synth__processes(struct recorder *rec)
{
	const struct rec_opts *o = rec->o;
	struct bid_cache c = { 0 };
	int err = 0;

	frec_hashmap__init(&c.map);
	if (o->system_wide) {
		DIR *dir = opendir("/proc");
		struct dirent *d;

		while (!err && dir && (d = readdir(dir))) {
			uint32_t pid = (uint32_t)strtoul(d->d_name, NULL, 10);

			if (pid)
				err = synth_process(rec, &c, pid);
		}
		if (dir)
			closedir(dir);
	}
	/* The processes asked for, sampled or not: their perf maps are read, their users known now. */
	for (size_t i = 0; !err && i < o->nr_pids; i++) {
		rec__note_pid(rec, (uint32_t)o->pids[i]);
		err = synth_process(rec, &c, (uint32_t)o->pids[i]);
	}
	for (size_t i = 0; !err && i < o->nr_tids; i++) {
		uint32_t pid = tgid_of((uint32_t)o->tids[i]);

		rec__note_pid(rec, pid);
		err = synth_process(rec, &c, pid);
	}
	frec_hashmap__exit(&c.map);
	free(c.ids);
	return err;
}

/* ---- Kernel symbols ---------------------------------------------------------------------------- */

struct ksym {
	uint64_t addr;
	const char *line; /* "ADDR TYPE NAME[\t[MODULE]]" in the kallsyms buffer */
	size_t len;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The GNU build-id in the raw notes of /sys/kernel/notes. */
static int kernel_build_id(uint8_t id[20])
{
	char *buf;
	size_t len, off = 0;
	int n = 0;

	if (read_file("/sys/kernel/notes", &buf, &len))
		return 0;
	while (off + 12 <= len) {
		uint32_t nh[3];
		size_t name = off + 12, desc;

		memcpy(nh, buf + off, 12);
		desc = name + FREC_ALIGN((size_t)nh[0], 4);
		if (desc > len || nh[1] > len - desc)
			break;
		if (nh[2] == 3 /* NT_GNU_BUILD_ID */ && nh[0] == 4 && !memcmp(buf + name, "GNU", 4)) {
			n = (int)FREC_MIN((size_t)nh[1], (size_t)20);
			memcpy(id, buf + desc, (size_t)n);
			break;
		}
		off = desc + FREC_ALIGN((size_t)nh[1], 4);
	}
	free(buf);
	return n;
}

int rec_synth__kernel_symbols(struct recorder *rec)
{
	struct ksym *syms = NULL;
	uint64_t *ips = NULL;
	size_t nr = 0, cap = 0, nr_ips = 0, len, out_len = 0;
	char *buf = NULL, *out = NULL;
	uint8_t id[20];
	int err = 0, n;

	n = kernel_build_id(id);
	if (n > 0)
		err = trace_writer__write_build_id(rec->w, -1, id, (uint8_t)n, "[kernel.kallsyms]");
	if (err || !frec_hashmap__count(&rec->kips))
		return err;
	if (read_file("/proc/kallsyms", &buf, &len)) {
		pr_warn("cannot read /proc/kallsyms: kernel frames will show as addresses");
		return 0;
	}
	for (char *line = buf, *end; *line; line = *end ? end + 1 : end) {
		char *sp;
		uint64_t addr;

		end = strchrnul(line, '\n');
		addr = strtoull(line, &sp, 16);
		/* Code symbols only (t, T, w, W); all-zero addresses mean kptr_restrict hides them. */
		if (sp == line || sp + 3 > end || !strchr("tTwW", sp[1]) || sp[2] != ' ' || !addr)
			continue;
		if (nr == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			struct ksym *ns = realloc(syms, ncap * sizeof(*ns));

			if (!ns) {
				err = -ENOMEM;
				goto out;
			}
			syms = ns;
			cap = ncap;
		}
		syms[nr++] = (struct ksym){ addr, sp + 1, (size_t)(end - sp - 1) };
	}
	if (!nr) {
		pr_warn("/proc/kallsyms shows no addresses (kernel.kptr_restrict?): kernel frames will show as "
			"addresses");
		goto out;
	}
	qsort(syms, nr, sizeof(*syms), ksym_cmp);
	ips = malloc(frec_hashmap__count(&rec->kips) * sizeof(*ips));
	out = malloc(frec_hashmap__count(&rec->kips) * 160 + 1);
	if (!ips || !out) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rec->kips.cap; i++)
		if (rec->kips.entries[i].key != FREC_HASHMAP_EMPTY)
			ips[nr_ips++] = rec->kips.entries[i].key;
	if (rec->kips.has_empty_key)
		ips[nr_ips++] = FREC_HASHMAP_EMPTY;
	qsort(ips, nr_ips, sizeof(*ips), u64_cmp);
	/* Walk both sorted lists: each symbol that contains an address is written once. */
	for (size_t i = 0, s = 0; i < nr_ips; i++) {
		size_t last;

		while (s + 1 < nr && syms[s + 1].addr <= ips[i])
			s++;
		if (syms[s].addr > ips[i])
			continue;
		last = s;
		out_len += (size_t)snprintf(out + out_len, 160, "%" PRIx64 " %" PRIx64 " %.*s\n", syms[s].addr,
					    s + 1 < nr ? syms[s + 1].addr - syms[s].addr : 0,
					    (int)FREC_MIN(syms[s].len, (size_t)120), syms[s].line);
		while (i + 1 < nr_ips && (last + 1 >= nr || ips[i + 1] < syms[last + 1].addr))
			i++;
	}
	err = trace_writer__write_text(rec->w, TRACE_REC_KSYMS, -1, out, out_len);
out:
	free(buf);
	free(syms);
	free(ips);
	free(out);
	return err;
}

/* ---- JIT perf maps ------------------------------------------------------------------------------ */

/* The PID of @pid in its own namespace (the name its perf map carries), from NSpid. */
static uint32_t ns_pid(uint32_t pid)
{
	char path[64], *buf, *p;
	uint32_t v = pid;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (read_file(path, &buf, &len))
		return pid;
	p = strstr(buf, "\nNSpid:");
	if (p) {
		char *end = strchrnul(p + 1, '\n'), *last = p + 7;

		for (char *q = p + 7; q < end; q++)
			if (isspace((unsigned char)q[0]) && isdigit((unsigned char)q[1]))
				last = q + 1;
		v = (uint32_t)strtoul(last, NULL, 10);
	}
	free(buf);
	return v ? v : pid;
}

/* What the warning about a refused perf map says. */
struct perf_map_refusal {
	char name[96]; /* the file */
	char why[128];
};

/*
 * Read process @pid's perf map: inside its root (/tmp/perf-NSPID.map, as the process names it) while
 * it runs, else (or if there is none there) /tmp/perf-PID.map in ours.  The process's user chose what is there, so only a
 * regular file of that user (@owner, or root), of at most REC_PERF_MAP_MAX bytes, is read
 * (frec-record(1), SECURITY).  Returns 0 with *@text, -ENOENT when there is none, -ENOMEM, or
 * another error with @r saying why the file was refused.
 */
static int read_perf_map(uint32_t pid, uint64_t owner, char **text, size_t *len, struct perf_map_refusal *r)
{
	int root = frec_proc_root__open((pid_t)pid), fd, err;
	char path[64];
	struct stat sb;

	if (root >= 0) {
		uint64_t now = rec_proc__owner(pid);

		owner = now != REC_OWNER_UNKNOWN ? now : owner;
		snprintf(path, sizeof(path), "/tmp/perf-%u.map", ns_pid(pid));
		snprintf(r->name, sizeof(r->name), "/proc/%u/root%s", pid, path);
		fd = frec_proc_root__open_file(root, path, O_RDONLY | O_NOFOLLOW, &sb);
		close(root);
	}
	if (root < 0 || fd == -ENOENT) {
		snprintf(r->name, sizeof(r->name), "/tmp/perf-%u.map", pid);
		fd = frec_proc_root__open_file(AT_FDCWD, r->name, O_RDONLY | O_NOFOLLOW, &sb);
	}
	/* A process never seen running: its user can only be assumed to be frec's. */
	if (owner == REC_OWNER_UNKNOWN)
		owner = (uint64_t)geteuid() + 1;
	if (fd < 0) {
		if (fd == -ELOOP)
			snprintf(r->why, sizeof(r->why), "it is a symbolic link");
		else if (fd == -FREC_E_NOT_REGULAR)
			snprintf(r->why, sizeof(r->why), "it is %s, not a regular file",
				 frec_proc_root__file_kind(sb.st_mode));
		else
			snprintf(r->why, sizeof(r->why), "%s", frec_strerror(fd));
		return fd;
	}
	if (sb.st_uid && (uint64_t)sb.st_uid + 1 != owner) {
		snprintf(r->why, sizeof(r->why), "it belongs to uid %u, not to the process's user (uid %u) or root",
			 (unsigned int)sb.st_uid, (unsigned int)(owner - 1));
		err = -EPERM;
	} else if ((uint64_t)sb.st_size > REC_PERF_MAP_MAX) {
		err = -EFBIG;
	} else {
		/* still at most the limit: the file may grow while it is read */
		err = read_fd(fd, REC_PERF_MAP_MAX, text, len);
		if (err && err != -EFBIG)
			snprintf(r->why, sizeof(r->why), "%s", frec_strerror(err));
	}
	if (err == -EFBIG)
		snprintf(r->why, sizeof(r->why), "it is larger than the limit of %u MiB", REC_PERF_MAP_MAX >> 20);
	close(fd);
	return err;
}

int rec_synth__perf_maps(struct recorder *rec)
{
	int err = 0;

	for (size_t i = 0; !err && i < rec->pids.cap; i++) {
		uint32_t pid = (uint32_t)rec->pids.entries[i].key;
		struct perf_map_refusal r;
		char *text = NULL;
		size_t len = 0;

		if (rec->pids.entries[i].key == FREC_HASHMAP_EMPTY)
			continue;
		err = read_perf_map(pid, rec->pids.entries[i].val, &text, &len, &r);
		if (err == -ENOMEM)
			break;
		if (err) {
			/* A missing map is the common case (no JIT); a refused one is the user's to know. */
			if (err != -ENOENT)
				pr_warn("%s: not read: %s; JIT frames of process %u will show as addresses", r.name,
					r.why, pid);
			err = 0;
			continue;
		}
		if (len)
			err = trace_writer__write_text(rec->w, TRACE_REC_PERF_MAP, (int32_t)pid, text, len);
		free(text);
	}
	return err;
}
