// SPDX-License-Identifier: MIT
/*
 * The command frec launches: forked at once, it waits on a pipe until the events exist and only
 * then runs the command, so that sampling starts at its exec; a second pipe carries the errno of
 * a failed exec back.
 */
#define pr_fmt(fmt) "recorder: " fmt

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frec/log.h"
#include "frec/recorder.h"
#include "recorder_internal.h"

int rec_command__fork(struct recorder *rec)
{
	pid_t self = getpid();
	int go[2], status[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(status, O_CLOEXEC))
		return -errno;
	rec->child = fork();
	if (rec->child < 0)
		return -errno;
	if (rec->child == 0) {
		char c;
		int err;

		/*
		 * Die with frec, even by SIGKILL, rather than run on unobserved.  (The kernel sends the
		 * signal when the thread that forked exits: frec records from one thread.)  If frec died
		 * before prctl(), no signal will come: the child has been re-parented already.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self)
			_exit(127);
		/* Until it runs the command, a Ctrl-C ends it as it would the command (frec's own
		 * handler, which the child inherits, would only set a flag nobody reads here). */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/* The trace is frec's standard output: the command's output must not mix into it. */
		if (rec->o->output_fd == STDOUT_FILENO && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		close(go[1]);
		close(status[0]);
		/* Wait until the events exist; EOF means the recorder gave up. */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(rec->o->argv[0], rec->o->argv);
		err = errno;
		if (write(status[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(status[1]);
	rec->go_fd = go[1];
	rec->status_fd = status[0];
	return 0;
}

/* Whether @cmd names an executable, directly or through $PATH, as execvp() will look it up. */
int rec_command__check(const char *cmd)
{
	const char *path = getenv("PATH");
	char buf[4096];
	int err = -ENOENT;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) ? -errno : 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", cmd);

		if (n > 0 && (size_t)n < sizeof(buf)) {
			if (!access(buf, X_OK))
				return 0;
			if (errno == EACCES)
				err = -EACCES;
		}
		if (!*end)
			break;
		p = end;
	}
	return err;
}

/* Let the command exec; returns 0 once it did, or -errno of the failed exec. */
int rec_command__start(struct recorder *rec)
{
	ssize_t n;
	int err;

	if (write(rec->go_fd, "g", 1) != 1)
		return -errno;
	close(rec->go_fd);
	rec->go_fd = -1;
	do
		n = read(rec->status_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(rec->status_fd);
	rec->status_fd = -1;
	if (n == sizeof(err)) {
		waitpid(rec->child, NULL, 0);
		rec->child = 0;
		return -err;
	}
	return 0;
}
