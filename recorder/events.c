// SPDX-License-Identifier: MIT
/*
 * Event names to perf_event_attr type and config.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/recorder.h"
#include "recorder_internal.h"

struct named_event {
	const char *name;
	uint32_t type;
	uint64_t config;
};

static const struct named_event named_events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

/* The numeric id of tracepoint "sys:name", from tracefs. */
static int tracepoint_id(const char *sys, size_t sys_len, const char *name, uint64_t *id)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512], buf[32];
	bool denied = false;

	/* Names come from the command line: refuse anything that could leave the events directory. */
	if (!sys_len || !*name || memchr(sys, '/', sys_len) || strchr(name, '/') || sys[0] == '.' ||
	    name[0] == '.')
		return -FREC_E_EVENT_UNKNOWN;
	for (size_t i = 0; i < FREC_ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", roots[i], (int)sys_len, sys, name);
		if (rec_read_small(path, buf, sizeof(buf)) < 0) {
			/* tracefs is often root's only: that is no unknown event */
			denied |= errno == EACCES;
			continue;
		}
		*id = strtoull(buf, NULL, 10);
		return 0;
	}
	return denied ? -EACCES : -FREC_E_EVENT_UNKNOWN;
}

/* tracefs is not always mounted; as perf does, mount it where the kernel expects it (root only). */
static bool mount_tracefs(void)
{
	struct stat sb;

	if (!stat("/sys/kernel/tracing/events", &sb) || !stat("/sys/kernel/debug/tracing/events", &sb))
		return false; /* mounted already: the event does not exist */
	return !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

int rec_event__parse(const char *name, struct perf_event_attr *attr)
{
	const char *colon = strchr(name, ':');

	for (size_t i = 0; i < FREC_ARRAY_SIZE(named_events); i++) {
		if (!strcmp(name, named_events[i].name)) {
			attr->type = named_events[i].type;
			attr->config = named_events[i].config;
			return 0;
		}
	}
	if (colon) {
		uint64_t id;
		int err = tracepoint_id(name, (size_t)(colon - name), colon + 1, &id);

		if (err && mount_tracefs())
			err = tracepoint_id(name, (size_t)(colon - name), colon + 1, &id);

		if (err)
			return err;
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = id;
		return 0;
	}
	return -FREC_E_EVENT_UNKNOWN;
}
