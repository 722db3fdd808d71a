// SPDX-License-Identifier: MIT
/*
 * A call chain without frame pointers (see fixture.h).  noipa keeps every function a real call
 * with its own frame; the volatile store after each call stops gcc from turning the recursion or
 * the calls into jumps, which would leave nothing to unwind.
 */
#include "fixture.h"

static volatile int unw_fixture_sink;

UNW_NOIPA int unw_fixture_inner(struct unw_capture *c)
{
	unw_capture__take(c);
	unw_fixture_sink = 1;
	return unw_fixture_sink;
}

UNW_NOIPA int unw_fixture_middle(struct unw_capture *c, int depth)
{
	int r = depth > 0 ? unw_fixture_middle(c, depth - 1) : unw_fixture_inner(c);

	unw_fixture_sink = r;
	return r + depth;
}

UNW_NOIPA int unw_fixture_outer(struct unw_capture *c, int depth)
{
	int r = unw_fixture_middle(c, depth);

	unw_fixture_sink = r;
	return r * 2;
}
