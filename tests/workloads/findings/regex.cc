// SPDX-License-Identifier: MIT
/*
 * A validator that builds its regular expressions again for every record (a std::regex
 * constructed in the loop, then one match): the planted cause is validate_record -> std::regex's
 * compiler, about 40% of the CPU; the workload's clock times the construction only.  See planted.h.
 *
 * std::regex rather than glibc's regcomp or PCRE2: both of those put more than 8 KiB on the stack
 * (glibc's regexec builds its automaton lazily in a large frame, pcre2_compile keeps its work area
 * there), so their stacks overflow the default stack copy and end truncated, which the findings
 * rightly report as broken stacks instead.
 */
#include <regex>

#include "planted.h"

static const char *const patterns[] = {
	"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
	"^\\+?[0-9]{1,3}[ -]?\\(?[0-9]{2,4}\\)?[ -]?[0-9]{3,4}[ -]?[0-9]{3,4}$",
	"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
};
static const char *const fields[] = { "alice@example.com", "+44 (20) 7946 0958", "2026-01-31" };

NOINLINE static int validate_record(void)
{
	int ok = 0;

	for (int i = 0; i < 3; i++) {
		std::regex *re;

		PLANTED(re = new std::regex(patterns[i], std::regex::extended));
		ok += std::regex_match(fields[i], *re);
		delete re;
	}
	return ok;
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);

	/* as planted_loop(), with the clock inside validate_record, around the construction alone */
	while (planted_running(seconds)) {
		if (planted_seconds < 0.40 * clock_s(CLOCK_THREAD_CPUTIME_ID))
			planted_sink += (uint64_t)validate_record();
		else
			background_step();
	}
	planted_report("validate_record");
	return 0;
}
