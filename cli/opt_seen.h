/* SPDX-License-Identifier: MIT */
/*
 * Options given twice, and options that exclude each other, are usage errors: a command line means
 * what it says or is refused, never "the last one wins" (`-e cycles -e cpu-clock` would record one
 * event with no word about the other).  Each subcommand's parser notes every option it reads with
 * cli_opt_seen__add(), which refuses a second one that takes a value, and checks its groups of
 * exclusive options after the loop with cli_opt_seen__exclusive().  Options that take a list may
 * be declared repeatable (-p 1 -p 2 is -p 1,2); a flag given twice means it once.
 *
 * The state lives on the parser's stack: nothing is allocated, arguments are borrowed from argv.
 */
#ifndef FREC_CLI_OPT_SEEN_H
#define FREC_CLI_OPT_SEEN_H

#include <getopt.h>
#include <stdbool.h>

/* Keys are getopt_long's values: short option characters, and the parsers' OPT_* from 256. */
#define CLI_OPT_KEYS 320

struct cli_opt_seen {
	const char *cmd;
	const struct option *longopts;
	const int *repeatable;
	unsigned int nr_seen;
	struct {
		unsigned int order; /* 0: not seen; 1 for the first option seen, 2 for the next... */
		const char *via;    /* the option that gave it, if not itself (cli_opt_seen__add_as()) */
		const char *arg;    /* its value, "" for a flag */
	} seen[CLI_OPT_KEYS];
};

/**
 * cli_opt_seen__init() - start a parse of subcommand @cmd with @longopts (borrowed, as given to
 * getopt_long).  Messages name a key below 128 as the short option "-c", others as "--name".
 * @repeatable: keys that may be given more than once, 0-terminated; NULL if none.
 */
void cli_opt_seen__init(struct cli_opt_seen *s, const char *cmd, const struct option *longopts,
			const int *repeatable);

/**
 * cli_opt_seen__add() - note option @key with @arg (NULL for a flag).  Returns false after a
 * usage error ("-e given twice") when an option that takes a value was given before, unless it
 * is repeatable.
 */
bool cli_opt_seen__add(struct cli_opt_seen *s, int key, const char *arg);

/**
 * cli_opt_seen__add_as() - the same, for a value that option @via gives: --svg FILE names the
 * output as -o FILE does, so it is noted as key 'o' but shown as "--svg FILE" in messages.
 */
bool cli_opt_seen__add_as(struct cli_opt_seen *s, int key, const char *via, const char *arg);

/** cli_opt_seen__has() - whether @key was given. */
bool cli_opt_seen__has(const struct cli_opt_seen *s, int key);

/**
 * cli_opt_seen__exclusive() - at most one of @keys (0-terminated) may have been given: else a
 * usage error naming the first two, in the order given, and @hint if not NULL.  Returns whether
 * the command line is fine.
 */
bool cli_opt_seen__exclusive(const struct cli_opt_seen *s, const int *keys, const char *hint);

#endif /* FREC_CLI_OPT_SEEN_H */
