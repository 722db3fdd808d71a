// SPDX-License-Identifier: MIT
/*
 * Rules: the data that tells findings what a frame is.  A rules file (frec-findings(7)) is a list of
 * sections:
 *
 *	[op CATEGORY]          a known expensive operation, reported as known-op/CATEGORY
 *	title     TEXT         what it is, in a few words
 *	match     PATTERN... [in MODULE...]
 *	threshold PERCENT      below this share of all samples the rule says nothing (default 5)
 *	generic                a broad category: more specific operations inside it win
 *	waits                  only for profiles weighted by time waited (off-CPU, wall-clock), where
 *	                       the kernel's frames say why a thread waited rather than what ran
 *	why       TEXT         why it costs this much
 *	fix       TEXT         what to do
 *
 *	[boilerplate]          frames that are never a finding nor responsible on their own
 *	[system]               frames of code the user does not own
 *
 * with match lines only in the last two.  '#' starts a comment line; a line that starts with blanks
 * continues the previous why or fix.  Patterns are globs ('*' any run, '?' one byte) on the frame's
 * name, quoted with "..." when they hold blanks; module patterns match the module's last path
 * component, or its whole path when they hold a '/'.
 *
 * Matching a frame against hundreds of patterns must stay cheap on profiles of 100k frames: exact
 * patterns are kept sorted and found by binary search, wildcard patterns are bucketed by their first
 * byte (those that start with a wildcard are tried for every name).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "frec/error.h"

struct an_match {
	uint32_t rule;
	char **names, **modules;
	size_t nr_names, nr_modules;
	bool no_module_ok; /* a frame without a module path matches (set by build_index()) */
};

/* A name pattern and the match line it belongs to, for the index. */
struct an_pat {
	const char *pat;
	uint32_t match;
	uint32_t lit, lit_len; /* a glob's longest run without wildcards, which a name must hold */
	uint64_t need;         /* char_mask() of its other bytes, which a name must hold too */
	bool any;              /* only stars: it matches every name */
};

/* The set of bytes of @s, folded to 64 bits: a glob whose bytes are not all there cannot match. */
static uint64_t char_mask(const char *s)
{
	uint64_t m = 0;

	for (; *s; s++)
		if (*s != '*' && *s != '?')
			m |= (uint64_t)1 << (*s & 63);
	return m;
}

struct analyze_rules {
	struct an_rule *rules;
	size_t nr_rules, rules_cap;
	struct an_match *matches;
	size_t nr_matches, matches_cap;
	/* index of the name patterns */
	struct an_pat *exact; /* sorted by pattern */
	size_t nr_exact;
	struct an_pat *glob_sorted; /* wildcard patterns by bucket, then in match order */
	size_t nr_glob;
	uint32_t bucket[257]; /* patterns of bucket b: glob_sorted[bucket[b]..bucket[b+1]) */
};

struct analyze_rules *analyze_rules__new(void)
{
	return calloc(1, sizeof(struct analyze_rules));
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void rules_clear(struct analyze_rules *r)
{
	for (size_t i = 0; i < r->nr_rules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].title);
		free(r->rules[i].why);
		free(r->rules[i].fix);
	}
	for (size_t i = 0; i < r->nr_matches; i++) {
		free_strv(r->matches[i].names, r->matches[i].nr_names);
		free_strv(r->matches[i].modules, r->matches[i].nr_modules);
	}
	free(r->rules);
	free(r->matches);
	free(r->exact);
	free(r->glob_sorted);
}

void analyze_rules__free(struct analyze_rules *r)
{
	if (!r)
		return;
	rules_clear(r);
	free(r);
}

size_t an_rules__nr(const struct analyze_rules *r)
{
	return r ? r->nr_rules : 0;
}

const struct an_rule *an_rules__get(const struct analyze_rules *r, size_t i)
{
	return &r->rules[i];
}

bool an_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy with one backtrack point: the last '*' absorbs one more byte on a mismatch. */
	while (*s) {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

/* ---- Parsing ------------------------------------------------------------------------------------- */

struct parser {
	struct analyze_rules *r; /* the new rules, appended to the caller's on success */
	const char *p, *end;
	unsigned int line;
	struct analyze_rules_error *err;
	char **cont;             /* the text a continuation line extends, or NULL */
};

static int fail(struct parser *ps, const char *msg)
{
	if (ps->err) {
		ps->err->line = ps->line;
		snprintf(ps->err->msg, sizeof(ps->err->msg), "%s", msg);
	}
	return -FREC_E_PARSE;
}

static void *grow(void *v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 8;
	void *nv;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	nv = realloc(v, n * elem);
	if (nv)
		*cap = n;
	return nv;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next blank-separated (or "quoted") token of [*s, end) into a new string; NULL at the end. */
static int next_token(struct parser *ps, const char **s, const char *end, char **out)
{
	const char *a = *s, *b;

	*out = NULL;
	while (a < end && is_blank(*a))
		a++;
	if (a == end)
		return 0;
	if (*a == '"') {
		b = memchr(a + 1, '"', (size_t)(end - a - 1));
		if (!b)
			return fail(ps, "unterminated quoted pattern");
		*out = dup_range(a + 1, (size_t)(b - a - 1));
		*s = b + 1;
	} else {
		for (b = a; b < end && !is_blank(*b); b++)
			;
		*out = dup_range(a, (size_t)(b - a));
		*s = b;
	}
	return *out ? 1 : -ENOMEM;
}

static int push_str(char ***v, size_t *n, size_t *cap, char *s)
{
	char **nv = grow(*v, cap, *n + 1, sizeof(**v));

	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	*v = nv;
	(*v)[(*n)++] = s;
	return 0;
}

/* "match PATTERN... [in MODULE...]" after the key. */
static int parse_match(struct parser *ps, const char *s, const char *end)
{
	struct analyze_rules *r = ps->r;
	struct an_match m = { .rule = (uint32_t)(r->nr_rules - 1) };
	size_t names_cap = 0, modules_cap = 0;
	bool in = false;
	int err;

	for (;;) {
		char *tok;

		err = next_token(ps, &s, end, &tok);
		if (err <= 0)
			break;
		if (!in && !strcmp(tok, "in") && m.nr_names) {
			free(tok);
			in = true;
			continue;
		}
		if (!*tok) {
			free(tok);
			err = fail(ps, "empty pattern");
			break;
		}
		err = in ? push_str(&m.modules, &m.nr_modules, &modules_cap, tok)
			 : push_str(&m.names, &m.nr_names, &names_cap, tok);
		if (err)
			break;
	}
	if (!err && !m.nr_names)
		err = fail(ps, "match needs at least one pattern");
	if (!err && in && !m.nr_modules)
		err = fail(ps, "match ... in needs at least one module pattern");
	if (!err) {
		struct an_match *nv = grow(r->matches, &r->matches_cap, r->nr_matches + 1, sizeof(*nv));

		if (nv) {
			r->matches = nv;
			r->matches[r->nr_matches++] = m;
			return 0;
		}
		err = -ENOMEM;
	}
	free_strv(m.names, m.nr_names);
	free_strv(m.modules, m.nr_modules);
	return err;
}

static bool valid_category(const char *s, size_t n)
{
	if (!n || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* "[op CATEGORY]", "[boilerplate]" or "[system]". */
static int parse_header(struct parser *ps, const char *s, const char *end)
{
	struct analyze_rules *r = ps->r;
	struct an_rule *nv, rule = { .threshold = 5, .line = ps->line };
	const char *close = memchr(s, ']', (size_t)(end - s));

	if (!close)
		return fail(ps, "a section header ends with ']'");
	for (const char *t = close + 1; t < end; t++)
		if (!is_blank(*t))
			return fail(ps, "text after a section header");
	s++;
	if (close - s == 11 && !memcmp(s, "boilerplate", 11)) {
		rule.type = AN_RULE_BOILERPLATE;
	} else if (close - s == 6 && !memcmp(s, "system", 6)) {
		rule.type = AN_RULE_SYSTEM;
	} else if (close - s > 3 && !memcmp(s, "op ", 3)) {
		const char *cat = s + 3;

		while (cat < close && is_blank(*cat))
			cat++;
		if (!valid_category(cat, (size_t)(close - cat)))
			return fail(ps, "an operation's category is 1 to 40 of a-z, 0-9 and '-'");
		rule.type = AN_RULE_OP;
		rule.id = malloc(9 + (size_t)(close - cat) + 1);
		if (!rule.id)
			return -ENOMEM;
		memcpy(rule.id, "known-op/", 9);
		memcpy(rule.id + 9, cat, (size_t)(close - cat));
		rule.id[9 + (close - cat)] = '\0';
	} else {
		return fail(ps, "unknown section: expected [op CATEGORY], [boilerplate] or [system]");
	}
	nv = grow(r->rules, &r->rules_cap, r->nr_rules + 1, sizeof(*nv));
	if (!nv) {
		free(rule.id);
		return -ENOMEM;
	}
	r->rules = nv;
	r->rules[r->nr_rules++] = rule;
	return 0;
}

/* Set *@dst to the text in [s, end), or append it after a blank (continuation lines). */
static int set_text(char **dst, const char *s, const char *end, bool append)
{
	size_t old = append && *dst ? strlen(*dst) : 0, n;
	char *t;

	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	n = (size_t)(end - s);
	if (!append) {
		free(*dst);
		*dst = NULL;
	}
	t = realloc(*dst, old + (old ? 1 : 0) + n + 1);
	if (!t)
		return -ENOMEM;
	if (old)
		t[old++] = ' ';
	memcpy(t + old, s, n);
	t[old + n] = '\0';
	*dst = t;
	return 0;
}

static int parse_threshold(struct parser *ps, struct an_rule *rule, const char *s, const char *end)
{
	char buf[32], *e;
	size_t n;
	double v;

	while (s < end && is_blank(*s))
		s++;
	while (end > s && (is_blank(end[-1]) || end[-1] == '%'))
		end--;
	n = (size_t)(end - s);
	if (!n || n >= sizeof(buf))
		return fail(ps, "threshold is a percentage, like 5%");
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, &e);
	if (*e || !(v > 0 && v <= 100))
		return fail(ps, "threshold is a percentage above 0 and at most 100, like 5%");
	rule->threshold = v;
	return 0;
}

static int parse_line(struct parser *ps, const char *s, const char *end)
{
	struct an_rule *rule = ps->r->nr_rules ? &ps->r->rules[ps->r->nr_rules - 1] : NULL;
	const char *key = s, *val;
	size_t klen;

	if (is_blank(*s)) {
		while (s < end && is_blank(*s))
			s++;
		if (s == end)
			return 0;
		if (!ps->cont)
			return fail(ps, "an indented line continues a why or fix line");
		return set_text(ps->cont, s, end, true);
	}
	ps->cont = NULL;
	if (*s == '#')
		return 0;
	if (*s == '[')
		return parse_header(ps, s, end);
	if (!rule)
		return fail(ps, "a rule starts with a section header, like [op compression]");
	for (val = s; val < end && !is_blank(*val); val++)
		;
	klen = (size_t)(val - key);
	if (klen == 5 && !memcmp(key, "match", 5))
		return parse_match(ps, val, end);
	if (rule->type != AN_RULE_OP)
		return fail(ps, "[boilerplate] and [system] sections hold match lines only");
	if (klen == 5 && !memcmp(key, "title", 5))
		return set_text(&rule->title, val, end, false);
	if (klen == 3 && !memcmp(key, "why", 3)) {
		ps->cont = &rule->why;
		return set_text(&rule->why, val, end, false);
	}
	if (klen == 3 && !memcmp(key, "fix", 3)) {
		ps->cont = &rule->fix;
		return set_text(&rule->fix, val, end, false);
	}
	if (klen == 9 && !memcmp(key, "threshold", 9))
		return parse_threshold(ps, rule, val, end);
	if (klen == 7 && !memcmp(key, "generic", 7)) {
		rule->generic = true;
		return 0;
	}
	if (klen == 5 && !memcmp(key, "waits", 5)) {
		rule->waits = true;
		return 0;
	}
	return fail(ps, "unknown key: expected match, title, threshold, generic, waits, why or fix");
}

/* Every section complete: operations need a match, a why and a fix; others a match. */
static int check_sections(struct parser *ps)
{
	struct analyze_rules *r = ps->r;

	for (size_t i = 0; i < r->nr_rules; i++) {
		struct an_rule *rule = &r->rules[i];
		bool matched = false;

		ps->line = rule->line;
		for (size_t m = 0; m < r->nr_matches && !matched; m++)
			matched = r->matches[m].rule == i;
		if (!matched)
			return fail(ps, "a section without a match line");
		if (rule->type != AN_RULE_OP)
			continue;
		if (!rule->why || !rule->fix || !*rule->why || !*rule->fix)
			return fail(ps, "an [op] section needs a why and a fix line");
		if (!rule->title && set_text(&rule->title, rule->id + 9, rule->id + strlen(rule->id), false))
			return -ENOMEM;
	}
	return 0;
}

static int cmp_pat(const void *a, const void *b)
{
	const struct an_pat *x = a, *y = b;
	int c = strcmp(x->pat, y->pat);

	return c ? c : (x->match > y->match) - (x->match < y->match);
}

/* The bucket of a wildcard pattern: its first byte, or 0 when that is a wildcard. */
static unsigned int pat_key(const char *pat)
{
	return pat[0] == '*' || pat[0] == '?' ? 0 : (unsigned char)pat[0];
}

static int cmp_pat_byte(const void *a, const void *b)
{
	const struct an_pat *x = a, *y = b;
	unsigned int ca = pat_key(x->pat), cb = pat_key(y->pat);

	if (ca != cb)
		return ca < cb ? -1 : 1;
	return (x->match > y->match) - (x->match < y->match);
}

/* Rebuild the index of name patterns over all match lines. */
static int build_index(struct analyze_rules *r)
{
	size_t ne = 0, ng = 0;

	free(r->exact);
	free(r->glob_sorted);
	r->exact = r->glob_sorted = NULL;
	r->nr_exact = r->nr_glob = 0;
	for (size_t m = 0; m < r->nr_matches; m++) {
		struct an_match *ma = &r->matches[m];

		for (size_t i = 0; i < ma->nr_names; i++)
			*(has_wildcard(ma->names[i]) ? &ng : &ne) += 1;
		/* only a module pattern of stars matches no module */
		ma->no_module_ok = !ma->nr_modules;
		for (size_t i = 0; i < ma->nr_modules; i++)
			ma->no_module_ok |= !ma->modules[i][strspn(ma->modules[i], "*")];
	}
	r->exact = malloc((ne + 1) * sizeof(*r->exact));
	r->glob_sorted = malloc((ng + 1) * sizeof(*r->glob_sorted));
	if (!r->exact || !r->glob_sorted)
		return -ENOMEM;
	for (size_t m = 0; m < r->nr_matches; m++)
		for (size_t i = 0; i < r->matches[m].nr_names; i++) {
			const char *pat = r->matches[m].names[i];
			struct an_pat e = { pat, (uint32_t)m };

			if (has_wildcard(pat))
				r->glob_sorted[r->nr_glob++] = e;
			else
				r->exact[r->nr_exact++] = e;
		}
	qsort(r->exact, r->nr_exact, sizeof(*r->exact), cmp_pat);
	qsort(r->glob_sorted, r->nr_glob, sizeof(*r->glob_sorted), cmp_pat_byte);
	for (size_t i = 0; i < r->nr_glob; i++) {
		struct an_pat *g = &r->glob_sorted[i];

		g->lit = g->lit_len = 0;
		g->need = char_mask(g->pat);
		g->any = !g->pat[strspn(g->pat, "*")];
		for (size_t at = 0, run; g->pat[at]; at += run ? run : 1) {
			run = strcspn(g->pat + at, "*?");
			if (run > g->lit_len) {
				g->lit = (uint32_t)at;
				g->lit_len = (uint32_t)run;
			}
		}
	}
	/* bucket[b]: the first glob pattern whose key (first byte, 0 for a wildcard) is b or more. */
	for (size_t b = 0, i = 0; b <= 256; b++) {
		while (i < r->nr_glob && pat_key(r->glob_sorted[i].pat) < b)
			i++;
		r->bucket[b] = (uint32_t)i;
	}
	return 0;
}

/* Move the rules parsed into @from to the end of @to. */
static int append_rules(struct analyze_rules *to, struct analyze_rules *from)
{
	size_t base = to->nr_rules;
	struct an_rule *nr = grow(to->rules, &to->rules_cap, to->nr_rules + from->nr_rules, sizeof(*nr));
	struct an_match *nm;

	if (!nr)
		return -ENOMEM;
	to->rules = nr;
	nm = grow(to->matches, &to->matches_cap, to->nr_matches + from->nr_matches, sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	to->matches = nm;
	if (from->nr_rules)
		memcpy(to->rules + to->nr_rules, from->rules, from->nr_rules * sizeof(*nr));
	to->nr_rules += from->nr_rules;
	for (size_t i = 0; i < from->nr_matches; i++) {
		to->matches[to->nr_matches] = from->matches[i];
		to->matches[to->nr_matches++].rule += (uint32_t)base;
	}
	from->nr_rules = from->nr_matches = 0;
	return 0;
}

int analyze_rules__parse(struct analyze_rules *r, const char *buf, size_t len, struct analyze_rules_error *err)
{
	struct analyze_rules tmp = { 0 };
	struct parser ps = { .r = &tmp, .p = buf, .end = buf + len, .err = err };
	size_t added;
	int ret = 0;

	if (err)
		*err = (struct analyze_rules_error){ 0 };
	while (ps.p < ps.end && !ret) {
		const char *eol = memchr(ps.p, '\n', (size_t)(ps.end - ps.p));
		const char *line_end = eol ? eol : ps.end;

		ps.line++;
		if (memchr(ps.p, '\0', (size_t)(line_end - ps.p)))
			ret = fail(&ps, "a NUL byte");
		else if (line_end > ps.p)
			ret = parse_line(&ps, ps.p, line_end);
		else
			ps.cont = NULL;
		ps.p = eol ? eol + 1 : ps.end;
	}
	if (!ret)
		ret = check_sections(&ps);
	added = tmp.nr_rules;
	if (!ret)
		ret = append_rules(r, &tmp);
	if (!ret)
		ret = build_index(r);
	rules_clear(&tmp);
	return ret ? ret : (int)added;
}

/* ---- Matching ------------------------------------------------------------------------------------ */

static bool module_matches(const struct an_match *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (!m->nr_modules || !*path)
		return m->no_module_ok;
	for (size_t i = 0; i < m->nr_modules; i++)
		if (an_glob(m->modules[i], strchr(m->modules[i], '/') ? path : base))
			return true;
	return false;
}

/*
 * Every type is matched in one walk over the patterns: classifying a frame asks for three types,
 * and with hundreds of thousands of distinct frames the walk, not the globs, was the cost.  A type
 * nobody asked for starts with best 0, which no rule index beats.
 */
struct an_want {
	uint32_t best[AN_RULE_TYPE_MAX]; /* the lowest rule index so far per type, AN_NONE for none */
	bool waits[AN_RULE_TYPE_MAX];    /* rules marked "waits" may match this type */
};

/* Whether rule @i may still improve @w: lower than its type's best, and a waits rule only when allowed. */
static bool rule_wanted(const struct analyze_rules *r, uint32_t i, const struct an_want *w)
{
	const struct an_rule *rule = &r->rules[i];

	return i < w->best[rule->type] && (w->waits[rule->type] || !rule->waits);
}

/* Consider match line @m for its type's best (lowest) rule index so far. */
static void consider(const struct analyze_rules *r, uint32_t m, const char *path, struct an_want *w)
{
	const struct an_match *ma = &r->matches[m];

	if (rule_wanted(r, ma->rule, w) && module_matches(ma, path))
		w->best[r->rules[ma->rule].type] = ma->rule;
}

static void try_globs(const struct analyze_rules *r, unsigned int bucket, const char *name, size_t len,
		      uint64_t have, const char *path, struct an_want *w)
{
	for (uint32_t i = r->bucket[bucket]; i < r->bucket[bucket + 1]; i++) {
		const struct an_pat *g = &r->glob_sorted[i];
		const struct an_match *ma = &r->matches[g->match];

		/*
		 * The cheap tests first (the bytes a name must hold, which the pattern keeps at hand): a profile of many distinct names spent its analysis in globs.
		 * A frame without a module cannot match a line that needs one ("match * in libc.so*",
		 * whose name pattern accepts every name), and a pattern of stars matches any name.
		 */
		if (!(g->need & ~have) && rule_wanted(r, ma->rule, w) && (*path || ma->no_module_ok) &&
		    (!g->lit_len || memmem(name, len, g->pat + g->lit, g->lit_len)) &&
		    (g->any || an_glob(g->pat, name)))
			consider(r, g->match, path, w);
	}
}

static void match_all(const struct analyze_rules *r, const char *name, const char *path, struct an_want *w)
{
	size_t lo = 0, hi, len;
	uint64_t have;

	if (!r || !r->nr_matches)
		return;
	/* exact patterns: the first entry equal to name, then every equal one */
	hi = r->nr_exact;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(r->exact[mid].pat, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->nr_exact && !strcmp(r->exact[lo].pat, name); lo++)
		consider(r, r->exact[lo].match, path, w);
	len = strlen(name);
	have = char_mask(name);
	try_globs(r, 0, name, len, have, path, w);
	if (*name)
		try_globs(r, (unsigned char)name[0], name, len, have, path, w);
}

uint32_t an_rules__match(const struct analyze_rules *r, enum an_rule_type type, const char *name, const char *path)
{
	return an_rules__match_op(r, type, name, path, false);
}

uint32_t an_rules__match_op(const struct analyze_rules *r, enum an_rule_type type, const char *name,
			    const char *path, bool waits)
{
	struct an_want w = { .best = { 0 } };

	w.best[type] = AN_NONE;
	w.waits[type] = waits;
	match_all(r, name, path, &w);
	return w.best[type];
}

void an_rules__match_types(const struct analyze_rules *r, const char *name, const char *path, bool waits,
			   uint32_t best[AN_RULE_TYPE_MAX])
{
	struct an_want w = { .waits = { [AN_RULE_OP] = waits } };

	for (int t = 0; t < AN_RULE_TYPE_MAX; t++)
		w.best[t] = AN_NONE;
	match_all(r, name, path, &w);
	memcpy(best, w.best, sizeof(w.best));
}

const char *an_module_path(const char *name, const char *module, char *buf, size_t size)
{
	const char *plus;
	size_t n;

	if (module && *module)
		return module;
	plus = strstr(name, "+0x");
	if (!plus || plus == name || size < 2)
		return "";
	n = (size_t)(plus - name) < size - 1 ? (size_t)(plus - name) : size - 1;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return buf;
}

const char *analyze_rules__classify(const struct analyze_rules *r, const char *name, const char *module,
				    bool *boilerplate, bool *system)
{
	char buf[256];
	const char *path = an_module_path(name, module, buf, sizeof(buf));
	uint32_t best[AN_RULE_TYPE_MAX];

	an_rules__match_types(r, name, path, false, best);
	if (boilerplate)
		*boilerplate = best[AN_RULE_BOILERPLATE] != AN_NONE;
	if (system)
		*system = best[AN_RULE_SYSTEM] != AN_NONE;
	return best[AN_RULE_OP] == AN_NONE ? NULL : r->rules[best[AN_RULE_OP]].id + 9;
}
