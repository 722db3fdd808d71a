// SPDX-License-Identifier: MIT
/*
 * Creating the output files of every subcommand under one policy (output.h, frec-record(1)).
 *
 * Every check is made on the open descriptor, not on the name, so that nothing swapped in between
 * a check and the open (a link, another user's file) is written: create with O_EXCL | O_NOFOLLOW;
 * if the name exists, open it with O_NOFOLLOW | O_NONBLOCK (a FIFO must not block) and look at
 * what was opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "cli.h"
#include "frec/error.h"
#include "frec/proc_root.h"
#include "output.h"

#define MAX_INPUTS 4

/* "refusing to write NAME: WHY" and @hint; closes what was opened.  Returns CLI_FAIL. */
static int refuse(struct cli_output *o, const char *hint, const char *fmt, ...) frec_printf(3, 4);
static int refuse(struct cli_output *o, const char *hint, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cli_error(o->cmd, "refusing to write %s: %s", o->name, why);
	if (hint)
		cli_hint("%s", hint);
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	return CLI_FAIL;
}

static bool has_zst_name(const char *path)
{
	size_t len = strlen(path);

	return len >= 4 && !strcmp(path + len - 4, ".zst");
}

/* Whether the file open at @fd (for reading too) starts as a zstd stream, as every trace does. */
static bool holds_zstd(int fd)
{
	uint8_t magic[4];
	uint32_t v;

	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic))
		return false;
	v = (uint32_t)magic[0] | (uint32_t)magic[1] << 8 | (uint32_t)magic[2] << 16 | (uint32_t)magic[3] << 24;
	return v == ZSTD_MAGICNUMBER;
}

static int open_stdout(struct cli_output *o, unsigned int flags)
{
	o->name = "standard output";
	o->fd = STDOUT_FILENO;
	if ((flags & CLI_OUTPUT_TRACE) && isatty(STDOUT_FILENO)) {
		o->fd = -1;
		cli_error(o->cmd, "refusing to write a trace to the terminal");
		cli_hint("redirect it to a file or a pipe: frec record -o - ... > trace.zst");
		return CLI_FAIL;
	}
	return 0;
}

/* Create @o->path, or open what is there already: an fd, or -errno. */
static int open_path(struct cli_output *o, mode_t mode)
{
	int fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd >= 0) {
		o->created = true;
		return fd;
	}
	if (errno != EEXIST)
		return -errno;
	/* Read access too, to tell a trace from a report; a file of ours we may not read is rare. */
	fd = open(o->path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == ETXTBSY))
		fd = open(o->path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cli_output__open(struct cli_output *o, const char *cmd, const char *path, unsigned int flags,
		     const char *const *inputs, const char *hint)
{
	struct stat in[MAX_INPUTS], sb;
	bool in_exists[MAX_INPUTS] = { false };
	size_t nr_in = 0;
	int fd, fl;

	*o = (struct cli_output){ .cmd = cmd, .path = path, .name = path, .fd = -1 };
	if (!path || !strcmp(path, "-")) {
		o->path = NULL;
		return open_stdout(o, flags);
	}
	if (!(flags & CLI_OUTPUT_TRACE) && has_zst_name(path))
		return refuse(o, hint, "its name ends in .zst, as a trace's does");
	/* The inputs as they are before anything is created: one that does not exist yet is known by its name. */
	for (; inputs && inputs[nr_in] && nr_in < MAX_INPUTS; nr_in++) {
		const char *name = inputs[nr_in];

		in_exists[nr_in] = !strcmp(name, "-") ? !fstat(STDIN_FILENO, &in[nr_in]) : !stat(name, &in[nr_in]);
		if (!in_exists[nr_in] && !strcmp(name, path))
			return refuse(o, hint, "it is also an input of this command");
	}

	fd = open_path(o, flags & CLI_OUTPUT_TRACE ? 0600 : 0666);
	if (fd == -ELOOP)
		return refuse(o, "an output is never written through a link (one planted in a shared directory "
				 "could aim anywhere): remove it, or choose another name",
			      "it is a symbolic link");
	if (fd == -EISDIR || fd == -ENXIO) {
		/* a directory, or a FIFO or socket nobody reads */
		if (lstat(path, &sb))
			sb.st_mode = S_IFDIR;
		return refuse(o, "write to standard output with -o - and redirect or pipe it", "it is %s, not a regular file",
			      frec_proc_root__file_kind(sb.st_mode));
	}
	if (fd < 0) {
		cli_error(cmd, "cannot create %s: %s", path, frec_strerror(fd));
		if (fd == -ENOSPC || fd == -EDQUOT)
			cli_hint("the disk is full: free some space or write elsewhere");
		else
			cli_hint("check that the directory exists and is writable, or write to standard output with -o -");
		return CLI_FAIL;
	}
	o->fd = fd;
	if (fstat(fd, &sb)) {
		cli_error(cmd, "cannot create %s: %s", path, strerror(errno));
		close(fd);
		o->fd = -1;
		return CLI_FAIL;
	}
	o->dev = sb.st_dev;
	o->ino = sb.st_ino;
	o->is_file = S_ISREG(sb.st_mode);
	/* Devices are made by root alone (/dev/null, /dev/full): no one else can plant one. */
	if (!o->is_file && !S_ISCHR(sb.st_mode))
		return refuse(o, "write to standard output with -o - and redirect or pipe it", "it is %s, not a regular file",
			      frec_proc_root__file_kind(sb.st_mode));
	if (o->is_file && sb.st_uid != geteuid())
		return refuse(o, "remove it first if it is to be replaced, or choose another name",
			      "it belongs to uid %u, not to uid %u", (unsigned int)sb.st_uid, (unsigned int)geteuid());
	for (size_t i = 0; i < nr_in; i++)
		if (in_exists[i] && in[i].st_dev == sb.st_dev && in[i].st_ino == sb.st_ino)
			return refuse(o, hint, "it is also an input of this command");
	if (!(flags & CLI_OUTPUT_TRACE) && o->is_file && holds_zstd(fd))
		return refuse(o, hint, "it is a frec trace (zstd)");
	/* A trace holds stack memory: its owner's alone, also when it replaces a file. */
	if ((flags & CLI_OUTPUT_TRACE) && o->is_file && !o->created && fchmod(fd, 0600)) {
		cli_error(cmd, "cannot make %s private (mode 0600): %s", path, strerror(errno));
		close(fd);
		o->fd = -1;
		return CLI_FAIL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return 0;
}

FILE *cli_output__stream(struct cli_output *o)
{
	if (!o->path)
		return o->f = stdout;
	if (o->is_file && !o->created && ftruncate(o->fd, 0)) {
		cli_error(o->cmd, "cannot write %s: %s", o->name, strerror(errno));
		return NULL;
	}
	o->f = fdopen(o->fd, "w");
	if (!o->f) {
		cli_error(o->cmd, "cannot write %s: %s", o->name, strerror(errno));
		return NULL;
	}
	o->fd = -1; /* the stream's now */
	return o->f;
}

int cli_output__close(struct cli_output *o)
{
	int err = 0;

	if (o->f) {
		if (fflush(o->f) || ferror(o->f))
			err = errno ? -errno : -EIO;
		if (o->f != stdout && fclose(o->f) && !err)
			err = errno ? -errno : -EIO;
		o->f = NULL;
	}
	if (o->fd >= 0 && o->fd != STDOUT_FILENO && close(o->fd) && !err)
		err = -errno;
	o->fd = -1;
	return err;
}

void cli_output__discard(struct cli_output *o)
{
	struct stat sb;

	cli_output__close(o);
	if (o->created && !lstat(o->path, &sb) && S_ISREG(sb.st_mode) && sb.st_dev == o->dev &&
	    sb.st_ino == o->ino && !sb.st_size)
		unlink(o->path);
	o->created = false;
}
