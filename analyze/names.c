// SPDX-License-Identifier: MIT
/*
 * Function names, as findings count them and as people read them.
 *
 * One source function can stand under several symbol names: compiler clones (".constprop.0",
 * ".part.1", ".isra.0", ".cold"), glibc's internal aliases ("__GI___qsort_r"), and the tiers of a
 * JIT ("JS:~f", "JS:^f", "JS:*f" are V8's interpreted, baseline and optimised copies of f).  The
 * findings count them as one function (frec_name__key(), shared with the report's views), or a
 * function compiled twice would show as two half-size findings.
 *
 * In sentences a name is shortened as a reader would say it: C++ parameter lists and return types
 * dropped, long template arguments elided ("std::vector<..>::push_back"), a JIT frame's script path
 * cut to its file name ("handler (server.js:10:3)").  JSON keeps the full names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "frec/log.h"

#define NAME_MAX_SHORT 80 /* characters of a name in a sentence */

/* Skip a balanced (...) or <...> starting at s[i]; returns the index after it, or len if unbalanced. */
static size_t skip_group(const char *s, size_t i, size_t len)
{
	char open = s[i], close = open == '(' ? ')' : '>';
	int depth = 0;

	for (; i < len; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return len;
}

/* "NAME /path/to/file.js:1:2" -> "NAME (file.js:1:2)"; "py::NAME:/path/file.py" -> "NAME (file.py)". */
static bool jit_short(const char *name, char *buf, size_t size)
{
	size_t tier, js = frec_name__js_prefix(name, &tier);
	const char *fn, *path, *slash;
	size_t fn_len;

	if (js) {
		fn = name + js + tier;
		path = strchr(fn, ' ');
		fn_len = path ? (size_t)(path - fn) : strlen(fn);
		path = path ? path + 1 : "";
	} else if (!strncmp(name, "py::", 4) && (path = strchr(name + 4, ':'))) {
		fn = name + 4;
		fn_len = (size_t)(path - fn);
		path++;
	} else {
		return false;
	}
	slash = strrchr(path, '/');
	path = slash ? slash + 1 : path;
	if (fn_len > NAME_MAX_SHORT)
		fn_len = NAME_MAX_SHORT;
	if (!fn_len) {
		fn = "(anonymous)";
		fn_len = strlen(fn);
	}
	snprintf(buf, size, "%.*s%s%s%s", (int)fn_len, fn, *path ? " (" : "", path, *path ? ")" : "");
	return true;
}

const char *an_short_name(const char *name, char *buf, size_t size)
{
	size_t len, o = 0, start = 0, cut;

	if (size < 8)
		return name;
	if (jit_short(name, buf, size))
		return buf;
	/* glibc's internal aliases: __GI___qsort_r is __qsort_r */
	if (!strncmp(name, "__GI_", 5) && name[5])
		name += 5;
	len = frec_name__base_len(name, strlen(name));
	cut = len;
	if (!strstr(name, "operator")) {
		/* the parameter list: the last top-level (...) that ends the name (or precedes "const") */
		for (size_t i = 0; i < len;) {
			if (name[i] == '<' || name[i] == '(') {
				size_t j = skip_group(name, i, len);

				if (name[i] == '(' && i && (j == len || (len - j == 6 && !memcmp(name + j, " const", 6))))
					cut = i;
				i = j;
			} else {
				i++;
			}
		}
		/* a return type: the last top-level blank before the cut, when the name is a C++ one */
		for (size_t i = 0; cut < len && i < cut;) {
			if (name[i] == '<' || name[i] == '(')
				i = skip_group(name, i, cut);
			else if (name[i++] == ' ' && memmem(name + i, cut - i, "::", 2))
				start = i;
		}
	}
	for (size_t i = start; i < cut && o + 5 < size && o < NAME_MAX_SHORT;) {
		if (name[i] == '<') {
			size_t j = skip_group(name, i, cut);

			if (j - i > 12) {
				memcpy(buf + o, "<..>", 4);
				o += 4;
				i = j;
				continue;
			}
		}
		buf[o++] = name[i++];
	}
	if (o >= NAME_MAX_SHORT && o + 3 < size) {
		memcpy(buf + o, "..", 2);
		o += 2;
	}
	buf[o] = '\0';
	return buf;
}

char *an_fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	/* names come from anywhere: no escape sequence or newline reaches a terminal through a sentence */
	if (s) {
		size_t len = strlen(s), need = frec_term__escape(NULL, 0, s, len);
		char *safe = need == len ? NULL : malloc(need + 1);

		if (safe) {
			frec_term__escape(safe, need + 1, s, len);
			free(s);
			s = safe;
		} else if (need != len) {
			free(s);
			s = NULL;
		}
	}
	return s;
}

int an_keys__init(struct an_keys *k, size_t n, const char *(*name)(const void *arg, size_t i), const void *arg)
{
	size_t cap = 4096, len = 0;

	k->off = malloc((n + 1) * sizeof(*k->off));
	k->text = malloc(cap);
	if (!k->off || !k->text)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char buf[1024];
		size_t l = frec_name__key(name(arg, i), buf, sizeof(buf));

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;

		if (len + l + 1 > cap) {
			char *t;

			while (len + l + 1 > cap)
				cap *= 2;
			if (!(t = realloc(k->text, cap)))
				return -ENOMEM;
			k->text = t;
		}
		memcpy(k->text + len, buf, l + 1);
		k->off[i] = len;
		len += l + 1;
	}
	return 0;
}

void an_keys__exit(struct an_keys *k)
{
	free(k->text);
	free(k->off);
}
