// SPDX-License-Identifier: MIT
/*
 * A shared library whose only call frame information is .debug_frame, kept in a separate debug
 * file found by build-id: built without unwind tables, then stripped (tests/unit/unwind/unwind.am
 * rules).  The unwinder reaches its caller only through the debug path it is given.
 */
typedef void (*unw_dframe_fn)(void *arg);

static volatile int unw_dframe_sink;

__attribute__((noinline)) int unw_dframe_call(unw_dframe_fn fn, void *arg)
{
	fn(arg);
	unw_dframe_sink = 1; /* a real call, not a tail jump: this frame stays on the stack */
	return unw_dframe_sink;
}
