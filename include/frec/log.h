/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics on stderr.  A file sets its tag before including this header:
 *
 *	#define pr_fmt(fmt) "recorder: " fmt
 *
 * Modules log where a failure happens, naming the cpu, fd, pid or path involved; only cli/ prints
 * results or picks exit codes.
 */
#ifndef FREC_LOG_H
#define FREC_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frec/compiler.h"

enum frec_log_level {
	FREC_LOG_ERROR,
	FREC_LOG_WARN,
	FREC_LOG_INFO,
	FREC_LOG_DEBUG,
};

/** frec_log() - print one diagnostic line if @level is enabled; adds "frec: " and a newline. */
void frec_log(enum frec_log_level level, const char *fmt, ...) frec_printf(2, 3);
/** frec_vlog() - va_list form of frec_log(). */
void frec_vlog(enum frec_log_level level, const char *fmt, va_list ap) frec_printf(2, 0);

/** frec_log__set_level() / frec_log__level() - the process-wide level (default FREC_LOG_WARN). */
void frec_log__set_level(enum frec_log_level level);
enum frec_log_level frec_log__level(void);
/** frec_log__enabled() - whether messages of @level are printed (to skip costly formatting). */
bool frec_log__enabled(enum frec_log_level level);

/** A function called before each message is printed, e.g. to erase a progress line on stderr. */
typedef void (*frec_log_hook_fn)(void *ctx);

/**
 * frec_log__set_hook() - call @fn(@ctx) before each message from now on (NULL: none).  Part of
 * the process-wide sink, set by the CLI only.
 */
void frec_log__set_hook(frec_log_hook_fn fn, void *ctx);

/**
 * frec_log__init_env() - apply FREC_LOG_LEVEL=error|warn|info|debug from the environment.
 * Called once by the CLI before options (-v/-q) adjust the level.
 */
void frec_log__init_env(void);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_err(fmt, ...) frec_log(FREC_LOG_ERROR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) frec_log(FREC_LOG_WARN, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) frec_log(FREC_LOG_INFO, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                                              \
	do {                                                                            \
		if (frec_log__enabled(FREC_LOG_DEBUG))                                  \
			frec_log(FREC_LOG_DEBUG, pr_fmt(fmt), ##__VA_ARGS__);           \
	} while (0)

/* Warn the first time only, like the kernel's WARN_ONCE; later occurrences are meant to be counted. */
#define pr_warn_once(fmt, ...)                                                          \
	do {                                                                            \
		static bool frec_warned_;                                               \
		if (!frec_warned_) {                                                    \
			frec_warned_ = true;                                            \
			pr_warn(fmt, ##__VA_ARGS__);                                    \
		}                                                                       \
	} while (0)

/* ---- Untrusted text on a terminal ----------------------------------------------------------- */

/**
 * frec_term__write() - write @len bytes of untrusted text (a frame name, a module path, a command
 * line from a trace or a folded file) to @f so that a terminal shows it and obeys none of it: C0
 * and C1 control characters, DEL and bytes that are not UTF-8 become "\xNN", Unicode C1 and
 * bidirectional controls "\uNNNN"; everything else, other UTF-8 included, is written as it is.
 * Stops at a NUL.  Check ferror(@f) for write errors.
 */
void frec_term__write(FILE *f, const char *s, size_t len);
/** frec_term__puts() - frec_term__write() of the NUL-terminated @s. */
void frec_term__puts(FILE *f, const char *s);
/**
 * frec_term__escape() - frec_term__write() into @dst of @size bytes, always NUL-terminated when
 * @size > 0 and cut at a piece boundary, never inside an escape.  Returns the length the whole
 * escaped text needs (as snprintf()).
 */
size_t frec_term__escape(char *dst, size_t size, const char *s, size_t len);

/**
 * frec_utf8__decode() - decode one UTF-8 character of @s (@n >= 1 bytes left).  Returns its length
 * and sets *@cp, or returns 1 with *@cp = U+FFFD for a byte that does not start a valid,
 * shortest-form, non-surrogate sequence.
 */
size_t frec_utf8__decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif /* FREC_LOG_H */
