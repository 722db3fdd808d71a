// SPDX-License-Identifier: MIT
/*
 * Opening files in a process's root: links and ".." stay inside it, /proc magic links are not
 * followed, only regular files open, and nothing blocks.  And the file a process maps, through
 * its mapping, whatever its name leads to now.  A directory stands for the root here, as
 * /proc/PID/root does for a process in a container.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/proc_root.h"
#include "helpers.h"

static char base[256], root_path[300];
static int root = -1;

/*
 * base/outside          "OUT": outside the root, the target of every escape attempt
 * base/root/lib/real    "IN"
 * base/root/lib/rel ->  real
 * base/root/lib/abs ->  base/outside (absolute)
 * base/root/lib/up  ->  ../../../../../../outside
 * base/root/lnk     ->  lib
 * base/root/fifo, base/root/dir/
 */
static void make_tree(void)
{
	char p[512], aim[512];
	FILE *f;

	test_tmpdir(base, sizeof(base));
	snprintf(root_path, sizeof(root_path), "%s/root", base);
	snprintf(p, sizeof(p), "%s/outside", base);
	cr_assert_not_null(f = fopen(p, "w"));
	fputs("OUT", f);
	fclose(f);
	snprintf(aim, sizeof(aim), "%s", p);
	cr_assert_eq(mkdir(root_path, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib", root_path);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/lib/real", root_path);
	cr_assert_not_null(f = fopen(p, "w"));
	fputs("IN", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/lib/rel", root_path);
	cr_assert_eq(symlink("real", p), 0);
	snprintf(p, sizeof(p), "%s/lib/abs", root_path);
	cr_assert_eq(symlink(aim, p), 0);
	snprintf(p, sizeof(p), "%s/lib/up", root_path);
	cr_assert_eq(symlink("../../../../../../outside", p), 0);
	snprintf(p, sizeof(p), "%s/lnk", root_path);
	cr_assert_eq(symlink("lib", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", root_path);
	cr_assert_eq(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/dir", root_path);
	cr_assert_eq(mkdir(p, 0755), 0);
	root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(root, 0);
}

static void drop_tree(void)
{
	if (root >= 0)
		close(root);
}

TestSuite(common_proc_root, .init = make_tree, .fini = drop_tree, .timeout = 10.);

/* What @fd holds ("" when it is not open), closing it. */
static const char *contents(int fd, char *buf, size_t size)
{
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : 0;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

Test(common_proc_root, opens_regular_files_and_links_inside_the_root)
{
	struct stat sb;
	char buf[16];

	cr_assert_str_eq(contents(frec_proc_root__open_file(root, "/lib/real", O_RDONLY, &sb), buf, sizeof(buf)), "IN");
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_str_eq(contents(frec_proc_root__open_file(root, "/lib/rel", O_RDONLY, &sb), buf, sizeof(buf)), "IN");
	cr_assert_str_eq(contents(frec_proc_root__open_file(root, "/lnk/real", O_RDONLY, &sb), buf, sizeof(buf)), "IN");
	cr_assert_str_eq(contents(frec_proc_root__open_file(root, "lib/real", O_RDONLY, &sb), buf, sizeof(buf)), "IN");
}

Test(common_proc_root, never_leaves_the_root)
{
	char p[600], buf[16];
	struct stat sb;
	int fd;

	/* Through the path alone, as /proc/PID/root/... used to be opened, the link does lead out. */
	snprintf(p, sizeof(p), "%s/lib/abs", root_path);
	cr_assert_str_eq(contents(open(p, O_RDONLY), buf, sizeof(buf)), "OUT");

	fd = frec_proc_root__open_file(root, "/lib/abs", O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
	cr_assert_eq(fd, -ENOENT, "an absolute link resolved outside the root: %d", fd);
	fd = frec_proc_root__open_file(root, "/lib/up", O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
	cr_assert_eq(fd, -ENOENT, "'..' went above the root: %d", fd);
	fd = frec_proc_root__open_file(root, "/../outside", O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
	/* relative to the root, as well */
	fd = frec_proc_root__open_file(root, "lib/abs", O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
	fd = frec_proc_root__open_file(root, "lnk/up", O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
}

Test(common_proc_root, refuses_proc_magic_links)
{
	char p[600], buf[16];
	struct stat sb;
	int self = frec_proc_root__open(getpid()), fd;

	/* Our own root: /proc/self/root is a magic link, which a process could plant in its /proc. */
	cr_assert_geq(self, 0);
	snprintf(p, sizeof(p), "/proc/self/root%s/outside", base);
	fd = frec_proc_root__open_file(self, p, O_RDONLY, &sb);
	cr_assert_str_neq(contents(fd, buf, sizeof(buf)), "OUT");
	cr_assert_eq(fd, -ELOOP, "%d", fd);
	snprintf(p, sizeof(p), "%s/outside", base);
	cr_assert_str_eq(contents(frec_proc_root__open_file(self, p, O_RDONLY, &sb), buf, sizeof(buf)), "OUT");
	close(self);
}

Test(common_proc_root, opens_only_regular_files_and_never_blocks)
{
	struct stat sb;

	/* A FIFO without a writer would block open(2) for ever. */
	cr_assert_eq(frec_proc_root__open_file(root, "/fifo", O_RDONLY, &sb), -FREC_E_NOT_REGULAR);
	cr_assert(S_ISFIFO(sb.st_mode));
	cr_assert_str_eq(frec_proc_root__file_kind(sb.st_mode), "a FIFO");
	cr_assert_eq(frec_proc_root__open_file(root, "/dir", O_RDONLY, &sb), -FREC_E_NOT_REGULAR);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert_eq(frec_proc_root__open_file(AT_FDCWD, "/dev/null", O_RDONLY, &sb), -FREC_E_NOT_REGULAR);
	cr_assert(S_ISCHR(sb.st_mode));
}

Test(common_proc_root, o_nofollow_refuses_a_final_link)
{
	struct stat sb;
	char p[600];

	cr_assert_eq(frec_proc_root__open_file(root, "/lib/rel", O_RDONLY | O_NOFOLLOW, &sb), -ELOOP);
	snprintf(p, sizeof(p), "%s/lib/rel", root_path);
	cr_assert_eq(frec_proc_root__open_file(AT_FDCWD, p, O_RDONLY | O_NOFOLLOW, &sb), -ELOOP);
}

/* Without openat2(2): links and ".." are refused wherever they are, plain paths still open. */
Test(common_proc_root, the_fallback_walk_follows_no_link)
{
	char buf[16];

	cr_assert_str_eq(contents(frec_proc_root__walk(root, "/lib/real", O_RDONLY), buf, sizeof(buf)), "IN");
	cr_assert_str_eq(contents(frec_proc_root__walk(root, "lib//./real", O_RDONLY), buf, sizeof(buf)), "IN");
	cr_assert_eq(frec_proc_root__walk(root, "/lib/rel", O_RDONLY), -ELOOP);
	cr_assert_eq(frec_proc_root__walk(root, "/lib/abs", O_RDONLY), -ELOOP);
	cr_assert_eq(frec_proc_root__walk(root, "/lnk/real", O_RDONLY), -ELOOP);
	cr_assert_eq(frec_proc_root__walk(root, "/lib/../lib/real", O_RDONLY), -EXDEV);
	cr_assert_eq(frec_proc_root__walk(root, "/lib/real/x", O_RDONLY), -ENOTDIR);
	cr_assert_eq(frec_proc_root__walk(root, "/nothing/real", O_RDONLY), -ENOENT);
}

/* A file mapped, then replaced on disk by another one of the same name, as a package upgrade does. */
Test(common_proc_mapped, opens_the_mapped_file_after_its_name_went_to_another)
{
	char dir[256], path[300], other[300], buf[8] = { 0 };
	struct stat sb;
	void *map;
	FILE *f;
	int fd;

	test_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/lib.so", dir);
	snprintf(other, sizeof(other), "%s/new.so", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("OLD", f);
	fclose(f);
	cr_assert_not_null(f = fopen(other, "w"));
	fputs("NEW", f);
	fclose(f);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	cr_assert_neq(map, MAP_FAILED);
	close(fd);
	cr_assert_eq(rename(other, path), 0);

	fd = frec_proc_root__open_mapped(getpid(), (uint64_t)(uintptr_t)map, (uint64_t)(uintptr_t)map + 4096, &sb);
	if (fd == -EPERM)
		cr_skip_test("/proc/self/map_files needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN");
	cr_assert_geq(fd, 0, "%s", frec_strerror(fd));
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_eq(read(fd, buf, 3), 3);
	cr_assert_str_eq(buf, "OLD", "the file at the name was opened, not the mapped one");
	close(fd);
	cr_assert_eq(frec_proc_root__open_mapped(getpid(), 4096, 8192, &sb), -ENOENT, "no such mapping");
	munmap(map, 4096);
}
