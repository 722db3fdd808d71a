// SPDX-License-Identifier: MIT
/*
 * The registry of ELF files (sym_modules.h).
 *
 * A mapped file is looked for, in order: in the root of the process that mapped it
 * (/proc/PID/root, opened so that no link planted there leads out of it: common/proc_root.c),
 * at its path on this machine, as /usr/lib/debug/.build-id/xx/rest.debug (a debug file stands in
 * for a binary that is not installed: it has the symbols and the layout), then through the
 * process's mapping itself while the process runs (first, for a file replaced since it was
 * mapped).  The recorded build-id, when there is one, must match; the first mismatch is what the
 * warning names.  Files are cached by build-id, or by the name they were opened at.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/proc_root.h"
#include "frec/profile.h"
#include "sym_internal.h"
#include "sym_modules.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

struct recorded_build_id {
	char *path;
	uint8_t id[20];
	uint8_t size;
};

struct module_ent {
	uint8_t build_id[20];
	uint8_t build_id_size;
	char *path; /* path opened, the key when there is no build-id */
	struct sym_elf *elf;
};

struct sym_modules {
	struct recorded_build_id *bids;
	size_t nr_bids, bids_cap;
	struct module_ent *ents;
	size_t nr_ents, ents_cap;
	char *release, *machine;
	bool vdso_tried;
	struct sym_elf *vdso;
	char *cache_dir;
	char *debug_path; /* libdwfl search path: the cache first, then the caller's */
	uint32_t nr_ids;  /* files numbered so far (sym_elf__id()) */
	Dwfl_Callbacks cb; /* of the clients' Dwfls (sym_modules__callbacks()) */
};

int sym_modules__new(const struct sym_modules_opts *o, struct sym_modules **out)
{
	struct sym_modules *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	if (o->cache_dir && *o->cache_dir) {
		const char *dp = o->debug_path ? o->debug_path : ":.debug:/usr/lib/debug";

		/* an empty entry is the file's own directory: keep the one dp starts with */
		if (asprintf(&m->debug_path, "%s:%s", o->cache_dir, dp) < 0)
			m->debug_path = NULL;
		m->cache_dir = strdup(o->cache_dir);
		if (!m->debug_path || !m->cache_dir)
			goto nomem;
	} else if (o->debug_path && !(m->debug_path = strdup(o->debug_path))) {
		goto nomem;
	}
	if ((o->release && !(m->release = strdup(o->release))) || (o->machine && !(m->machine = strdup(o->machine))))
		goto nomem;
	m->cb = (Dwfl_Callbacks){
		.find_elf = sym_elf__find_elf,
		.find_debuginfo = sym_elf__find_debuginfo,
		.debuginfo_path = &m->debug_path,
	};
	*out = m;
	return 0;
nomem:
	sym_modules__free(m);
	return -ENOMEM;
}

void sym_modules__free(struct sym_modules *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr_bids; i++)
		free(m->bids[i].path);
	free(m->bids);
	for (size_t i = 0; i < m->nr_ents; i++) {
		sym_elf__close(m->ents[i].elf);
		free(m->ents[i].path);
	}
	free(m->ents);
	sym_elf__close(m->vdso);
	free(m->release);
	free(m->machine);
	free(m->cache_dir);
	free(m->debug_path);
	free(m);
}

int sym_modules__add_build_id(struct sym_modules *m, const char *path, const uint8_t *id, uint8_t size)
{
	struct recorded_build_id *r;

	if (size > sizeof(r->id))
		return 0;
	if (frec_array__grow((void **)&m->bids, &m->bids_cap, m->nr_bids + 1, sizeof(*m->bids)))
		return -ENOMEM;
	r = &m->bids[m->nr_bids];
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	memcpy(r->id, id, size);
	r->size = size;
	m->nr_bids++;
	return 0;
}

const Dwfl_Callbacks *sym_modules__callbacks(const struct sym_modules *m)
{
	return &m->cb;
}

size_t sym_modules__count(const struct sym_modules *m)
{
	return m->nr_ents;
}

static const struct recorded_build_id *recorded_build_id(const struct sym_modules *m, const char *path)
{
	/* the last record for a path wins (a file replaced during the recording) */
	for (size_t i = m->nr_bids; i-- > 0;)
		if (!strcmp(m->bids[i].path, path))
			return &m->bids[i];
	return NULL;
}

static struct sym_elf *cached(const struct sym_modules *m, const uint8_t *bid, uint8_t bid_size, const char *path)
{
	for (size_t i = 0; i < m->nr_ents; i++) {
		const struct module_ent *e = &m->ents[i];

		if (bid_size ? (e->build_id_size == bid_size && !memcmp(e->build_id, bid, bid_size))
			     : (!e->build_id_size && !strcmp(e->path, path)))
			return e->elf;
	}
	return NULL;
}

static int cache(struct sym_modules *m, struct sym_elf *elf, const char *path)
{
	struct module_ent *e;
	const uint8_t *bid;
	size_t n = sym_elf__build_id(elf, &bid);

	if (frec_array__grow((void **)&m->ents, &m->ents_cap, m->nr_ents + 1, sizeof(*m->ents)))
		return -ENOMEM;
	e = &m->ents[m->nr_ents];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;
	e->build_id_size = (uint8_t)n;
	memcpy(e->build_id, bid, n);
	e->elf = elf;
	sym_elf__set_id(elf, ++m->nr_ids);
	m->nr_ents++;
	return 0;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

struct sym_elf *sym_modules__vdso(struct sym_modules *m)
{
	const unsigned char *img;
	struct utsname u;
	size_t len;

	if (m->vdso_tried)
		return m->vdso;
	m->vdso_tried = true;
	/* Our own vDSO is the recorded one only on the same kernel. */
	if (uname(&u) || !m->release || strcmp(m->release, u.release) || (m->machine && strcmp(m->machine, u.machine)))
		return NULL;
	img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img || memcmp(img, "\177ELF", 4) || img[4] != 2 /* ELFCLASS64 */)
		return NULL;
	{
		uint64_t shoff;
		uint16_t shentsize, shnum;

		/* the image ends with its section headers */
		memcpy(&shoff, img + 0x28, 8);
		memcpy(&shentsize, img + 0x3a, 2);
		memcpy(&shnum, img + 0x3c, 2);
		len = shoff + (size_t)shentsize * shnum;
		if (len > (1u << 20))
			return NULL;
	}
	if (sym_elf__open_mem(img, len, "[vdso]", &m->vdso))
		return NULL;
	sym_elf__set_id(m->vdso, ++m->nr_ids);
	return m->vdso;
}

/* Where a candidate file is opened. */
enum cand_kind {
	CAND_ROOT,   /* in the process's root: a link planted there must not lead to a file of ours */
	CAND_PATH,   /* as frec itself sees it */
	CAND_MAPPED, /* the mapping itself, /proc/PID/map_files/START-END */
};

struct cand {
	enum cand_kind kind;
	char name[4200]; /* what it is called in messages and the cache */
	const char *file; /* the path opened (CAND_ROOT: inside the root) */
};

static int open_cand(const struct sym_modules *m, const struct sym_module_key *k, const struct cand *c,
		     struct sym_elf **out)
{
	struct stat sb;
	int root, fd;

	switch (c->kind) {
	case CAND_ROOT:
		root = frec_proc_root__open(k->pid);
		if (root < 0)
			return root;
		fd = frec_proc_root__open_file(root, c->file, O_RDONLY, &sb);
		close(root);
		break;
	case CAND_MAPPED:
		fd = frec_proc_root__open_mapped(k->pid, k->map_start, k->map_end, &sb);
		break;
	default:
		return sym_elf__open(c->file, m->debug_path, out);
	}
	return fd < 0 ? fd : sym_elf__open_fd(fd, c->name, m->debug_path, out);
}

/*
 * The candidates for the file of @k, in the order they are tried: in the process's root (a
 * process in a container sees its own), at its path, in the build-id directory (a debug file
 * stands in for a binary that is not installed), and the process's mapping while it runs.  A
 * file replaced or removed since it was mapped is "PATH (deleted)": its mapping first, then PATH,
 * which the build-id tells if it is still the same file.
 */
static int candidates(const struct sym_module_key *k, const char *hexid, struct cand c[4])
{
	size_t plen = strlen(k->path);
	bool deleted = plen > 10 && !strcmp(k->path + plen - 10, " (deleted)");
	bool mapped = k->pid > 0 && k->map_end > k->map_start;
	int n = 0, at;

	if (deleted)
		plen -= 10;
	if (mapped && deleted) {
		c[n].kind = CAND_MAPPED;
		snprintf(c[n].name, sizeof(c[n].name), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, k->pid,
			 k->map_start, k->map_end);
		n++;
	}
	if (k->pid > 0) {
		c[n].kind = CAND_ROOT;
		at = snprintf(c[n].name, sizeof(c[n].name), "/proc/%d/root", k->pid);
		snprintf(c[n].name + at, sizeof(c[n].name) - (size_t)at, "%.*s", (int)plen, k->path);
		c[n].file = c[n].name + at;
		n++;
	}
	c[n].kind = CAND_PATH;
	snprintf(c[n].name, sizeof(c[n].name), "%.*s", (int)plen, k->path);
	n++;
	if (*hexid) {
		c[n].kind = CAND_PATH;
		snprintf(c[n].name, sizeof(c[n].name), "/usr/lib/debug/.build-id/%.2s/%s.debug", hexid, hexid + 2);
		n++;
	}
	if (mapped && !deleted) {
		c[n].kind = CAND_MAPPED;
		snprintf(c[n].name, sizeof(c[n].name), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, k->pid,
			 k->map_start, k->map_end);
		n++;
	}
	for (int i = 0; i < n; i++)
		if (c[i].kind == CAND_PATH)
			c[i].file = c[i].name;
	return n;
}

struct sym_elf *sym_modules__find(struct sym_modules *m, const struct sym_module_key *k, uint32_t *flags,
				  char **why)
{
	struct cand cand[4];
	char want[41] = "", got[41] = "";
	const uint8_t *bid = k->build_id;
	uint8_t bid_size = k->build_id ? k->build_id_size : 0;
	const struct recorded_build_id *rec;
	bool mismatch = false;
	struct sym_elf *found;
	int nc, mismatch_at = 0;

	if (!bid_size && (rec = recorded_build_id(m, k->path))) {
		bid = rec->id;
		bid_size = rec->size;
	}
	if (bid_size && (found = cached(m, bid, bid_size, NULL)))
		return found;
	if (bid_size)
		hex(want, bid, bid_size);
	nc = candidates(k, want, cand);
	for (int i = 0; i < nc; i++) {
		struct sym_elf *e;
		const uint8_t *fbid;
		size_t n;

		if (!bid_size && (e = cached(m, NULL, 0, cand[i].name)))
			return e;
		if (open_cand(m, k, &cand[i], &e))
			continue;
		n = sym_elf__build_id(e, &fbid);
		if (bid_size && (n != bid_size || memcmp(fbid, bid, n))) {
			if (!mismatch) {
				hex(got, fbid, n);
				mismatch = true;
				mismatch_at = i;
			}
			sym_elf__close(e);
			continue;
		}
		if (cache(m, e, cand[i].name)) {
			sym_elf__close(e);
			return NULL;
		}
		return e;
	}
	*flags |= mismatch ? FREC_MODULE_BUILD_ID_MISMATCH : FREC_MODULE_NOT_FOUND;
	if (mismatch ? asprintf(why, "%s: build-id %s differs from the recorded %s (rebuilt since recording?): "
				     "its frames show as module+offset",
				cand[mismatch_at].name, got[0] ? got : "(none)", want) < 0
		     : asprintf(why, "%s: not found on this machine", k->path) < 0)
		*why = NULL;
	return NULL;
}

void sym_modules__save_debug(struct sym_modules *m)
{
	if (!m->cache_dir)
		return;
	for (size_t i = 0; i < m->nr_ents; i++) {
		int err = sym_elf__save_debug(m->ents[i].elf, m->cache_dir);

		if (err) {
			pr_info("cannot keep the debug info of %s in %s: %s", m->ents[i].path, m->cache_dir,
				frec_strerror(err));
			return;
		}
	}
}
