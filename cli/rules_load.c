// SPDX-License-Identifier: MIT
/*
 * The rules of the findings: the user's --rules files first (they take precedence), then the rules
 * installed in frec's data directory, or the copy built into frec when none is installed (an
 * uninstalled ./frec, or a copy moved elsewhere).  Also the options report and diff share for
 * findings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frec/analyze.h"
#include "frec/error.h"

#ifndef FREC_PKGDATADIR
#define FREC_PKGDATADIR "/usr/local/share/frec"
#endif

#define RULES_MAX_BYTES (16u << 20) /* a rules file is text written by people */

/* The whole of @path, NUL-terminated; NULL with errno set on failure. */
static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 14, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		char *nb;

		n += r;
		if (r == 0)
			break;
		if (n + 1 < cap)
			continue;
		if (cap >= RULES_MAX_BYTES) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		nb = realloc(buf, cap *= 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = nb;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int parse(const char *cmd, struct analyze_rules *r, const char *what, const char *text, size_t len)
{
	struct analyze_rules_error e;
	int err = analyze_rules__parse(r, text, len, &e);

	if (err >= 0)
		return 0;
	if (err == -FREC_E_PARSE) {
		cli_error(cmd, "%s:%u: %s", what, e.line, e.msg);
		cli_hint("the format of rules files is described in frec-findings(7)");
	} else {
		cli_error(cmd, "cannot read rules %s: %s", what, frec_strerror(err));
	}
	return CLI_FAIL;
}

int cli_load_rules(const char *cmd, char *const *files, size_t nr_files, struct analyze_rules **out)
{
	struct analyze_rules *r = analyze_rules__new();
	const char *installed = FREC_PKGDATADIR "/known-ops.rules";
	size_t len;
	char *text;

	*out = NULL;
	if (!r) {
		cli_error(cmd, "cannot load rules: %s", strerror(ENOMEM));
		return CLI_FAIL;
	}
	for (size_t i = 0; i < nr_files; i++) {
		text = read_text(files[i], &len);
		if (!text) {
			cli_error(cmd, "cannot read rules %s: %s", files[i], strerror(errno));
			cli_hint("--rules names a rules file (format: frec-findings(7))");
			goto fail;
		}
		if (parse(cmd, r, files[i], text, len)) {
			free(text);
			goto fail;
		}
		free(text);
	}
	text = read_text(installed, &len);
	if (text) {
		int err = parse(cmd, r, installed, text, len);

		free(text);
		if (err)
			goto fail;
	} else {
		const char *builtin = analyze_rules__builtin();

		if (parse(cmd, r, "the built-in rules", builtin, strlen(builtin)))
			goto fail;
	}
	*out = r;
	return 0;
fail:
	analyze_rules__free(r);
	return CLI_FAIL;
}

int cli_parse_format(const char *cmd, const char *arg, enum analyze_format *out)
{
	if (!analyze_format__parse(arg, out))
		return 0;
	cli_error(cmd, "--format: unknown format '%s'", arg);
	cli_hint("the formats of findings are text, markdown and json");
	return CLI_USAGE;
}

int cli_add_rules(char ***files, size_t *n, const char *arg)
{
	char **nv = realloc(*files, (*n + 1) * sizeof(*nv));

	if (!nv)
		return CLI_FAIL;
	*files = nv;
	(*files)[(*n)++] = (char *)arg;
	return 0;
}
