// SPDX-License-Identifier: MIT
/*
 * The same shapes as fixture_nofp.c, built with -O2 -fno-omit-frame-pointer: fpcheck must find a
 * frame-pointer prologue in each.
 */
#include "fixture.h"

static volatile int fp_fixture_sink;

UNW_NOIPA int fp_fixture_leaf(int x)
{
	fp_fixture_sink = x;
	return fp_fixture_sink + 1;
}

UNW_NOIPA int fp_fixture_caller(int x)
{
	int r = fp_fixture_leaf(x) + fp_fixture_leaf(x + 1);

	fp_fixture_sink = r;
	return r;
}

UNW_NOIPA int fp_fixture_capture_mid(struct unw_capture *c)
{
	unw_capture__take(c);
	fp_fixture_sink = 2;
	return fp_fixture_sink;
}

UNW_NOIPA int fp_fixture_capture_outer(struct unw_capture *c)
{
	int r = fp_fixture_capture_mid(c);

	fp_fixture_sink = r;
	return r + 1;
}
