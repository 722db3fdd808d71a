/* SPDX-License-Identifier: MIT */
/*
 * Files read on a process's behalf, as that process sees them.  A profiler running as root reads
 * files that a profiled process names (its mapped ELF files, its JIT perf map) through
 * /proc/PID/root, which is where the process's own root directory is.  That process controls what
 * lies below it: a symbolic link there must not lead out of its root, a FIFO must not block the
 * reader, and a device must not be read.  Everything here opens regular files only.
 */
#ifndef FREC_PROC_ROOT_H
#define FREC_PROC_ROOT_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/**
 * frec_proc_root__open() - an O_PATH descriptor of process @pid's root directory (/proc/PID/root),
 * for frec_proc_root__open_file().  Returns the fd (close it), or -errno: -ENOENT when the process
 * is gone, -EACCES when it is not ours to see.
 */
int frec_proc_root__open(pid_t pid);

/**
 * frec_proc_root__open_file() - open the regular file @path inside @root.
 * @root: a directory descriptor that stands for "/" (from frec_proc_root__open()): every symbolic
 *	  link and ".." under it is resolved as if it were the root (openat2(2) RESOLVE_IN_ROOT), and
 *	  no /proc magic link is followed.  AT_FDCWD opens @path as frec itself sees it.
 * @path: the file, absolute or relative to @root
 * @flags: O_RDONLY, and O_NOFOLLOW to refuse a symbolic link as the last component.  O_CLOEXEC,
 *	   O_NOCTTY and O_NONBLOCK are added: opening a FIFO or a device never blocks.
 * @sb: the file's status, filled also when it is refused for not being a regular file
 *
 * Without openat2(2) (Linux < 5.6, or a seccomp filter that hides it), paths under a @root other
 * than AT_FDCWD are walked one component at a time and a symbolic link or ".." anywhere in them
 * is refused: fewer files are found, none outside the root.
 *
 * Returns an fd, or -errno (-ELOOP: a symbolic link refused, -EXDEV: ".." refused), or
 * -FREC_E_NOT_REGULAR: the file is a FIFO, device, directory or socket (*@sb says which).
 */
int frec_proc_root__open_file(int root, const char *path, int flags, struct stat *sb);

/**
 * frec_proc_root__walk() - the fallback of frec_proc_root__open_file() without openat2(2), exposed
 * for the unit tests: open @path under @root following no symbolic link and no "..".  Returns an
 * fd of any type, or -errno.
 */
int frec_proc_root__walk(int root, const char *path, int flags);

/**
 * frec_proc_root__open_mapped() - open the regular file that process @pid maps at [@start, @end),
 * through the kernel's link to it (/proc/PID/map_files/START-END): the file itself, also when its
 * name now leads to another file or to none (replaced or removed since it was mapped), as long as
 * the process runs.  What the link leads to is checked before it is opened.  Needs the right to
 * see the process's mappings (root, or CAP_CHECKPOINT_RESTORE).  Returns an fd and fills @sb, or
 * -errno (-ENOENT: no such mapping, -EPERM: not allowed), or -FREC_E_NOT_REGULAR.
 */
int frec_proc_root__open_mapped(pid_t pid, uint64_t start, uint64_t end, struct stat *sb);

/** frec_proc_root__file_kind() - "a FIFO", "a directory"...: what @mode is, for messages. */
const char *frec_proc_root__file_kind(mode_t mode);

#endif /* FREC_PROC_ROOT_H */
