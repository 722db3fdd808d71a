// SPDX-License-Identifier: MIT
/*
 * sym_switches: the period off CPU that a switch-out sample begins ends at its thread's next switch
 * in, whatever order the switches were added in and whatever other threads did meanwhile.
 */
#include <criterion/criterion.h>

#include "sym_switches.h"

static struct sym_switches sw;

static void setup(void)
{
	sym_switches__init(&sw);
	/* added out of order, as CPUs' rings interleave them; thread 7 then thread 9 */
	cr_assert_eq(sym_switches__add(&sw, 7, 1100, SYM_SWITCH_IN), 0);
	cr_assert_eq(sym_switches__add(&sw, 9, 1050, SYM_SWITCH_OUT), 0);
	cr_assert_eq(sym_switches__add(&sw, 7, 1001, SYM_SWITCH_OUT), 0);
	cr_assert_eq(sym_switches__add(&sw, 7, 2001, SYM_SWITCH_OUT_PREEMPT), 0);
	cr_assert_eq(sym_switches__add(&sw, 7, 2300, SYM_SWITCH_IN), 0);
	cr_assert_eq(sym_switches__add(&sw, 7, 3001, SYM_SWITCH_OUT), 0);
	sym_switches__finish(&sw);
}

static void teardown(void)
{
	sym_switches__exit(&sw);
}

TestSuite(sym_switches, .init = setup, .fini = teardown);

Test(sym_switches, a_wait_ends_at_the_threads_next_switch_in)
{
	uint64_t len = 0;

	/* the sample comes just before its SWITCH out record */
	cr_assert_eq(sym_switches__period(&sw, 7, 1000, 5000, &len), SYM_OFF_BLOCKED);
	cr_assert_eq(len, 100);
}

Test(sym_switches, a_preemption_says_so)
{
	uint64_t len = 0;

	cr_assert_eq(sym_switches__period(&sw, 7, 2000, 5000, &len), SYM_OFF_PREEMPTED);
	cr_assert_eq(len, 300);
}

Test(sym_switches, a_thread_not_back_waits_until_the_end)
{
	uint64_t len = 0;

	cr_assert_eq(sym_switches__period(&sw, 7, 3000, 5000, &len), SYM_OFF_OPEN);
	cr_assert_eq(len, 2000);
	/* another thread's switch in does not end it */
	cr_assert_eq(sym_switches__period(&sw, 9, 1049, 5000, &len), SYM_OFF_OPEN);
	cr_assert_eq(len, 3951);
	/* nor does anything for a thread never seen */
	cr_assert_eq(sym_switches__period(&sw, 8, 1000, 5000, &len), SYM_OFF_OPEN);
	cr_assert_eq(len, 4000);
	cr_assert_eq(sym_switches__period(&sw, 8, 6000, 5000, &len), SYM_OFF_OPEN);
	cr_assert_eq(len, 0);
}

Test(sym_switches, time_on_cpu_runs_from_each_switch_in_to_the_next_switch_out)
{
	/* thread 7: ran from the start (1000) to 1001, 1100-2001, 2300-3001 */
	cr_assert_eq(sym_switches__on_cpu(&sw, 7, 1000, 5000), 1 + 901 + 701);
	/* thread 9: ran from the start until its only switch out */
	cr_assert_eq(sym_switches__on_cpu(&sw, 9, 1000, 5000), 50);
	/* a thread never seen: nothing known */
	cr_assert_eq(sym_switches__on_cpu(&sw, 8, 1000, 5000), 0);
}

Test(sym_switches, a_thread_still_running_runs_until_the_end)
{
	cr_assert_eq(sym_switches__add(&sw, 9, 4000, SYM_SWITCH_IN), 0);
	sym_switches__finish(&sw);
	cr_assert_eq(sym_switches__on_cpu(&sw, 9, 1000, 5000), 50 + 1000);
}
