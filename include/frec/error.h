/* SPDX-License-Identifier: MIT */
/*
 * Error codes.  Every fallible function returns >= 0 (0, a count or an offset) on success and a
 * negative value on failure: -errno for system errors, -FREC_E_* for frec's own.  frec_strerror()
 * turns either into a message.
 */
#ifndef FREC_ERROR_H
#define FREC_ERROR_H

/* X(name, message): the one list of frec's own error codes and their messages. */
#define FREC_ERRORS(X)                                                                  \
	X(TRACE_MAGIC, "not a frec trace")                                              \
	X(TRACE_VERSION, "trace format version is newer than this frec understands")    \
	X(TRACE_TRUNCATED, "trace is truncated")                                        \
	X(TRACE_CORRUPT, "trace is corrupt")                                            \
	X(TRACE_NO_HEADER, "trace has no header record")                                \
	X(ZSTD, "zstd (de)compression failed")                                          \
	X(ELF, "ELF error")                                                             \
	X(DWARF, "DWARF error")                                                         \
	X(CAPSTONE, "disassembler error")                                               \
	X(EVENT_UNSUPPORTED, "event not supported on this machine")                     \
	X(EVENT_UNKNOWN, "unknown event")                                               \
	X(PARSE, "malformed input")                                                     \
	X(FOLDED_EMPTY, "no folded stack lines found")                                  \
	X(NORM_NO_TIME, "the profiles carry no CPU time to compare")                    \
	X(NOT_REGULAR, "not a regular file")                                            \
	X(EMPTY, "the input is empty")                                                  \
	X(NO_OFF_CPU, "the trace has no off-CPU samples")                               \
	X(NO_CODE, "the file holds no code there (a debug file stands in for the binary)") \
	X(ARCH, "no disassembler for this architecture")

enum {
	FREC_E_BASE = 4096,
#define FREC_E_ENUM(name, msg) FREC_E_##name,
	FREC_ERRORS(FREC_E_ENUM)
#undef FREC_E_ENUM
	FREC_E_MAX,
};

/**
 * frec_strerror() - message for an error code
 * @err: a negative (or positive) errno or FREC_E_* code
 *
 * Returns a static string; never NULL.  Thread-safe.
 */
const char *frec_strerror(int err);

#endif /* FREC_ERROR_H */
