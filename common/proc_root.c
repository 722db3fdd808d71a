// SPDX-License-Identifier: MIT
/*
 * Opening files as a profiled process sees them, through /proc/PID/root, without letting that
 * process lead the opener anywhere else.
 *
 * /proc/PID/root is a link to the process's root directory, but a path looked up below it is not
 * confined to it: an absolute symbolic link (lib/libc.so.6 -> /etc/shadow) or enough ".." resolve
 * against the opener's root, and a link into the process's own /proc (-> /proc/1/root/...) jumps
 * anywhere.  openat2(2) with RESOLVE_IN_ROOT resolves both inside the directory it is given, and
 * RESOLVE_NO_MAGICLINKS refuses the /proc links.  Where openat2 is missing, the path is walked a
 * component at a time and any link or ".." is refused.
 */
#define pr_fmt(fmt) "proc: " fmt

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/log.h"
#include "frec/proc_root.h"

/* Flags of every open here: never keep a descriptor across exec, never acquire a terminal, never
 * wait for the other end of a FIFO or for a device. */
#define OPEN_ALWAYS (O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int frec_proc_root__open(pid_t pid)
{
	char path[48];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int frec_proc_root__walk(int root, const char *path, int flags)
{
	char name[NAME_MAX + 1];
	const char *p = path;
	int dir = root, fd;

	for (;;) {
		const char *end, *rest;
		size_t len;
		struct stat sb;
		int next;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len > NAME_MAX) {
			fd = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		for (rest = end; *rest == '/'; rest++)
			;
		if (!strcmp(name, "..")) {
			fd = -EXDEV;
			break;
		}
		if (!*rest) {
			fd = openat(dir, len && strcmp(name, ".") ? name : ".", flags | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				fd = -errno;
			break;
		}
		p = rest;
		if (!len || !strcmp(name, "."))
			continue;
		/* O_PATH with O_NOFOLLOW opens a link itself: fstat tells it from a directory. */
		next = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			fd = -errno;
			break;
		}
		fd = fstat(next, &sb) ? -errno : S_ISLNK(sb.st_mode) ? -ELOOP : !S_ISDIR(sb.st_mode) ? -ENOTDIR : 0;
		if (fd) {
			close(next);
			break;
		}
		if (dir != root)
			close(dir);
		dir = next;
	}
	if (dir != root)
		close(dir);
	return fd;
}

/* openat2() confined to @root; -ENOSYS where the kernel (or a seccomp filter) lacks it. */
static int open_in_root(int root, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | OPEN_ALWAYS),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* EAGAIN: a rename raced with a ".." lookup; the kernel asks for a retry. */
	for (int i = 0; i < 3; i++) {
		fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd >= 0)
		return fd;
	/* Some container runtimes' filters answer EPERM for system calls they do not know. */
	return errno == EPERM ? -ENOSYS : -errno;
}

int frec_proc_root__open_file(int root, const char *path, int flags, struct stat *sb)
{
	int fd;

	if (root == AT_FDCWD) {
		fd = openat(AT_FDCWD, path, flags | OPEN_ALWAYS);
		fd = fd < 0 ? -errno : fd;
	} else {
		fd = open_in_root(root, path, flags);
		if (fd == -ENOSYS) {
			fd = frec_proc_root__walk(root, path, flags | OPEN_ALWAYS);
			if (fd == -ELOOP)
				pr_warn_once("%s: a symbolic link in a process's root is not followed: that needs "
					     "openat2(2), Linux 5.6 or later (files reached through links are skipped)",
					     path);
		}
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, sb)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		return -FREC_E_NOT_REGULAR;
	}
	return fd;
}

int frec_proc_root__open_mapped(pid_t pid, uint64_t start, uint64_t end, struct stat *sb)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	/* stat() follows the link: a device is refused before anything opens it */
	if (stat(path, sb))
		return -errno;
	if (!S_ISREG(sb->st_mode))
		return -FREC_E_NOT_REGULAR;
	return frec_proc_root__open_file(AT_FDCWD, path, O_RDONLY, sb);
}

const char *frec_proc_root__file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a regular file";
	}
}
