// SPDX-License-Identifier: MIT
/*
 * Loading a profile for report and diff: a frec trace (symbolized) or folded stacks from any tool,
 * told apart by their first bytes.  "-" reads folded stacks from standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "frec/error.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"

static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* Read all of @fd into a malloc'ed buffer. */
static int slurp(int fd, char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int load_folded(const char *cmd, const char *path, const char *buf, size_t len, struct frec_profile **out)
{
	struct frec_folded_stats st;
	struct frec_profile *p = frec_profile__new();
	int n;

	if (!p)
		return -ENOMEM;
	n = frec_profile__import_folded(p, buf, len, &st);
	if (n < 0) {
		cli_error(cmd, "cannot read %s: %s", path, frec_strerror(n));
		if (n == -FREC_E_FOLDED_EMPTY)
			cli_hint("expected a frec trace or folded stacks, one \"frame;frame;leaf COUNT\" per line");
		frec_profile__free(p);
		return CLI_FAIL;
	}
	if (st.bad_lines)
		cli_warn(cmd, "%s: skipped %" PRIu64 " of %" PRIu64 " lines that are not \"STACK COUNT\" (first: line %" PRIu64 ")",
			 path, st.bad_lines, st.lines, st.first_bad);
	/* Sorted children make every view independent of the order of the input lines. */
	n = frec_profile__sort(p);
	if (n < 0) {
		cli_error(cmd, "cannot read %s: %s", path, frec_strerror(n));
		frec_profile__free(p);
		return CLI_FAIL;
	}
	frec_profile__meta(p)->source = (uint32_t)frec_profile__intern_str(p, path);
	frec_profile__meta(p)->samples = frec_profile__total(p);
	*out = p;
	return 0;
}

/*
 * Where uncompressed copies of compressed debug files are kept: $FREC_CACHE_DIR (empty: nowhere),
 * else $XDG_CACHE_HOME/frec, else ~/.cache/frec.  Returns a malloc'ed path or NULL.
 */
static char *debug_cache_dir(void)
{
	const char *env = getenv("FREC_CACHE_DIR"), *base;
	char *dir = NULL;

	if (env)
		return *env ? strdup(env) : NULL;
	if ((base = getenv("XDG_CACHE_HOME")) && *base == '/')
		return asprintf(&dir, "%s/frec", base) < 0 ? NULL : dir;
	if ((base = getenv("HOME")) && *base == '/')
		return asprintf(&dir, "%s/.cache/frec", base) < 0 ? NULL : dir;
	return NULL;
}

int cli_load_profile(const char *cmd, const char *path, const struct sym_opts *opts, struct frec_profile **out)
{
	static const struct sym_opts defaults;
	struct sym_opts o = opts ? *opts : defaults;
	char *cache = NULL;
	struct trace_reader *r;
	char *buf = NULL;
	size_t len = 0;
	int fd, err;

	*out = NULL;
	if (!strcmp(path, "-")) {
		err = slurp(STDIN_FILENO, &buf, &len);
		if (err) {
			cli_error(cmd, "cannot read standard input: %s", frec_strerror(err));
			return CLI_FAIL;
		}
		err = load_folded(cmd, "standard input", buf, len, out);
		free(buf);
		return err;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		uint8_t magic[4] = { 0 };
		ssize_t n = read(fd, magic, sizeof(magic));

		if (n == (ssize_t)sizeof(magic) && memcmp(magic, zstd_magic, sizeof(magic)) &&
		    lseek(fd, 0, SEEK_SET) == 0) {
			/* Not zstd: folded text (or garbage, which the importer reports). */
			err = slurp(fd, &buf, &len);
			close(fd);
			if (err) {
				cli_error(cmd, "cannot read %s: %s", path, frec_strerror(err));
				return CLI_FAIL;
			}
			err = load_folded(cmd, path, buf, len, out);
			free(buf);
			return err;
		}
		close(fd);
	}

	if (cli_open_trace(cmd, path, &r))
		return CLI_FAIL;
	if (!o.cache_dir)
		o.cache_dir = cache = debug_cache_dir();
	err = sym_profile__from_trace(r, &o, out);
	free(cache);
	if (err) {
		cli_error(cmd, "cannot build a profile from %s: %s", path, frec_strerror(err));
		trace_reader__close(r);
		return CLI_FAIL;
	}
	cli_trace_damage(cmd, path, r);
	trace_reader__close(r);
	frec_profile__meta(*out)->source = (uint32_t)frec_profile__intern_str(*out, path);
	return 0;
}
