// SPDX-License-Identifier: MIT
/*
 * Repeated and conflicting options (opt_seen.h): one place decides what a command line that says
 * two things means, for every subcommand, so that the messages read the same everywhere.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opt_seen.h"

void cli_opt_seen__init(struct cli_opt_seen *s, const char *cmd, const struct option *longopts,
			const int *repeatable)
{
	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->longopts = longopts;
	s->repeatable = repeatable;
}

static bool valid(int key)
{
	return key > 0 && key < CLI_OPT_KEYS;
}

/* How messages name @key: its short form when it has one ("-e"), else "--name". */
static const char *key_name(const struct cli_opt_seen *s, int key, char *buf, size_t size)
{
	const char *name = "?";

	if (key < 128) {
		snprintf(buf, size, "-%c", key);
		return buf;
	}
	for (const struct option *o = s->longopts; o && o->name; o++)
		if (o->val == key && !o->flag)
			name = o->name;
	snprintf(buf, size, "--%s", name);
	return buf;
}

/* "-e cycles", "--folded", "--svg a.svg": an occurrence of @key as the user wrote it. */
static void occurrence(const struct cli_opt_seen *s, int key, const char *via, const char *arg, char *buf,
		       size_t size)
{
	char name[64];

	snprintf(buf, size, "%s%s%s", via ? via : key_name(s, key, name, sizeof(name)), *arg ? " " : "", arg);
}

static bool is_repeatable(const struct cli_opt_seen *s, int key)
{
	for (const int *r = s->repeatable; r && *r; r++)
		if (*r == key)
			return true;
	return false;
}

bool cli_opt_seen__add_as(struct cli_opt_seen *s, int key, const char *via, const char *arg)
{
	char first[320], second[320], name[64];

	if (!valid(key))
		return true;
	arg = arg ? arg : "";
	if (s->seen[key].order && !is_repeatable(s, key)) {
		/* The same flag twice says one thing. */
		if (!*arg && !*s->seen[key].arg && !via && !s->seen[key].via)
			return true;
		occurrence(s, key, s->seen[key].via, s->seen[key].arg, first, sizeof(first));
		occurrence(s, key, via, arg, second, sizeof(second));
		key_name(s, key, name, sizeof(name));
		if (!via && !s->seen[key].via) {
			cli_error(s->cmd, "%s given twice: %s, then %s", name, first, second);
			cli_hint("give %s once: frec does not let the last one win", name);
		} else {
			cli_error(s->cmd, "%s and %s exclude each other", first, second);
			cli_hint("%s does what %s does: give one", via ? second : first, name);
		}
		return false;
	}
	if (!s->seen[key].order)
		s->seen[key].order = ++s->nr_seen;
	s->seen[key].via = via;
	s->seen[key].arg = arg;
	return true;
}

bool cli_opt_seen__add(struct cli_opt_seen *s, int key, const char *arg)
{
	return cli_opt_seen__add_as(s, key, NULL, arg);
}

bool cli_opt_seen__has(const struct cli_opt_seen *s, int key)
{
	return valid(key) && s->seen[key].order;
}

bool cli_opt_seen__exclusive(const struct cli_opt_seen *s, const int *keys, const char *hint)
{
	char first[320], second[320];
	int a = 0, b = 0;

	/* the two given first */
	for (const int *k = keys; *k; k++) {
		if (!cli_opt_seen__has(s, *k))
			continue;
		if (!a || s->seen[*k].order < s->seen[a].order) {
			b = a;
			a = *k;
		} else if (!b || s->seen[*k].order < s->seen[b].order) {
			b = *k;
		}
	}
	if (!b)
		return true;
	occurrence(s, a, s->seen[a].via, s->seen[a].arg, first, sizeof(first));
	occurrence(s, b, s->seen[b].via, s->seen[b].arg, second, sizeof(second));
	cli_error(s->cmd, "%s and %s exclude each other", first, second);
	if (hint)
		cli_hint("%s", hint);
	return false;
}
