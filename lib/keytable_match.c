/*
 * keytable: matching an address against a parsed SigningTable (see
 * keytable_match() in keytable.h), with OpenDKIM's order of look-ups for
 * file: tables and a '*'-only glob for refile: ones.
 */
#include "keytable.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* bsearch() of a pattern among rules sorted by keytable_parse_rules(). */
static int
keytable_cmp_key(const void *pattern, const void *rule)
{
	return strcasecmp(pattern, ((const struct keytable_rule *)rule)->pattern);
}

/* The keys of every rule from rules[first] on with its exact pattern. */
static size_t
keytable_collect(const struct keytable *t, size_t first, size_t *out,
    size_t max)
{
	const char *pattern = t->rules[first].pattern;
	size_t n = 0;

	for (size_t i = first; i < t->n_rules && n < max; i++) {
		if (strcasecmp(t->rules[i].pattern, pattern) == 0)
			out[n++] = t->rules[i].key;
		else if (t->type == KEYTABLE_FILE)
			break;	/* sorted: the equal ones are adjacent */
	}
	return n;
}

/* file: tables: binary search among the sorted patterns, then back to
 * the first rule of that pattern. */
static size_t
keytable_lookup(const struct keytable *t, const char *pattern, size_t *out,
    size_t max)
{
	struct keytable_rule *r;

	if (t->n_rules == 0 || (r = bsearch(pattern, t->rules, t->n_rules,
	    sizeof *t->rules, keytable_cmp_key)) == NULL)
		return 0;
	while (r > t->rules && strcasecmp(r[-1].pattern, pattern) == 0)
		r--;
	return keytable_collect(t, (size_t)(r - t->rules), out, max);
}

/* OpenDKIM's order: user@host, host, then for each parent user@.parent
 * and .parent ("a.b.c": ".b.c", ".c"), then user@* and *. */
static size_t
keytable_match_file(const struct keytable *t, const char *local, int llen,
    const char *domain, size_t *out, size_t max)
{
	char cand[600];
	size_t n = 0;

	for (const char *d = domain; n == 0 && d != NULL;
	    d = *d != '\0' ? strchr(d + 1, '.') : NULL) {
		if (local && snprintf(cand, sizeof cand, "%.*s@%s", llen, local,
		    d) > 0)
			n = keytable_lookup(t, cand, out, max);
		if (n == 0)
			n = keytable_lookup(t, d, out, max);
	}
	if (n == 0 && local && snprintf(cand, sizeof cand, "%.*s@*", llen,
	    local) > 0)
		n = keytable_lookup(t, cand, out, max);
	return n > 0 ? n : keytable_lookup(t, "*", out, max);
}

/* Glob with '*' only, case-insensitive.  Backtracking goes to the last
 * star only, so no pattern costs more than length(pat) * length(s). */
static int
keytable_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (tolower((unsigned char)*pat) ==
		    tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

size_t
keytable_match(const struct keytable *t, const char *address, size_t *out,
    size_t max)
{
	const char *at = strrchr(address, '@');
	const char *domain = at != NULL ? at + 1 : address;
	int llen = at != NULL ? (int)(at - address) : 0;
	char addr[600];

	if (strlen(domain) > 255 || llen > 255)
		return 0;
	if (t->type == KEYTABLE_FILE)
		return keytable_match_file(t, at ? address : NULL, llen, domain,
		    out, max);
	if (t->type != KEYTABLE_REFILE)
		return 0;
	snprintf(addr, sizeof addr, "%.*s@%s", llen, address, domain);
	for (size_t i = 0; i < t->n_rules; i++)
		if (keytable_glob(t->rules[i].pattern, addr))
			return keytable_collect(t, i, out, max);
	return 0;
}
