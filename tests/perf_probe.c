// SPDX-License-Identifier: MIT
/*
 * perf_probe: exit 0 if this process may open a perf event (what kernel tests need), else print the
 * reason and the current kernel.perf_event_paranoid and exit 1.  Used by tests/cli/lib.sh.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
	};
	int fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0);
	char paranoid[16] = "?";
	FILE *f;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fprintf(stderr, "%s", strerror(errno));
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fgets(paranoid, sizeof(paranoid), f))
			paranoid[strcspn(paranoid, "\n")] = '\0';
		fclose(f);
	}
	fprintf(stderr, " (perf_event_paranoid=%s)\n", paranoid);
	return 1;
}
