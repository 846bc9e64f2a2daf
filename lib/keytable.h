/*
 * keytable: OpenDKIM KeyTable / SigningTable files, parsed and matched.
 *
 * KeyTable line:      name  domain:selector:/path/to/key
 * SigningTable line:  pattern  name
 * Blank lines and '#' comments are skipped; fields are separated by spaces
 * or tabs.  A table is named "file:/path", "refile:/path", or a plain path
 * (meaning "file:").  Only the names are parsed here: keys/ loads the key
 * files.
 *
 * Bad input is reported line by line as "path:line: problem" and the line
 * is skipped; every good line is kept.  Refused: lines over
 * KEYTABLE_MAX_LINE bytes, NUL bytes and other control characters, missing
 * or extra fields, a name used twice, a SigningTable name missing from the
 * KeyTable, a domain or selector with characters other than letters,
 * digits, '-', '_' and '.', a domain "%" or an inline key (postseal needs
 * key files), in a
 * refile: table a pattern with regular expression syntax (OpenDKIM passes
 * it to regcomp, postseal matches '*' only, so it is refused rather than
 * read differently), in a file: table a '*' anywhere but in "*" and
 * "user@*" (such a pattern can never match; it belongs in a refile:
 * table), and more than KEYTABLE_MAX_ENTRIES lines of data.  At most 100
 * problems per file are reported, then one "path: more problems not shown".
 *
 * Parsing is pure (no I/O); keytable_read() adds the file reading.  A
 * parsed table is read-only: keytable_match() may run in many threads.
 */
#ifndef POSTSEAL_KEYTABLE_H
#define POSTSEAL_KEYTABLE_H

#include <stddef.h>

#include "strlist.h"

#define KEYTABLE_MAX_LINE	4096		/* bytes, newline excluded */
#define KEYTABLE_MAX_ENTRIES	100000		/* lines of data per table */
#define KEYTABLE_MAX_FILE	(16 * 1024 * 1024)	/* bytes per file */
#define KEYTABLE_MAX_MATCH	32		/* keys one pattern may name */

enum { KEYTABLE_NONE = 0, KEYTABLE_FILE, KEYTABLE_REFILE };

struct keytable_key {		/* one KeyTable line */
	char *name;
	char *domain;
	char *selector;
	char *path;		/* absolute */
	size_t line;
};

struct keytable_rule {		/* one SigningTable line */
	char *pattern;
	size_t key;		/* index into keys[] */
	size_t line;
};

struct keytable {
	int type;		/* KEYTABLE_* of the SigningTable */
	struct keytable_key *keys;	/* KeyTable order */
	size_t n_keys;
	struct keytable_rule *rules;	/* file order; for KEYTABLE_FILE
					 * sorted by pattern, then line */
	size_t n_rules;
	struct keytable_key **by_name;	/* keys sorted by name */
};

/*
 * The type of a table spec and, in *path_r (borrowed from spec), its file:
 * KEYTABLE_FILE for "file:P" or a plain path, KEYTABLE_REFILE for
 * "refile:P"; -1 for any other "type:" (db:, dsn:, ...).
 */
int keytable_spec(const char *spec, const char **path_r);

/*
 * Parse a KeyTable held in buf[0..len) (NUL bytes allowed: they are
 * reported); path names it in problems.  Adds to t's keys; call it before
 * keytable_parse_rules().  Returns 0, or -1 when any line was bad (good
 * lines are kept; of a name used twice, its first line).
 */
int keytable_parse_keys(struct keytable *t, const char *buf, size_t len,
    const char *path, struct strlist *problems);

/*
 * Parse a SigningTable of the given type (KEYTABLE_FILE or KEYTABLE_REFILE)
 * against the keys already in t.  Sets t->type.  Returns 0, or -1 when any
 * line was bad (good lines are kept).
 */
int keytable_parse_rules(struct keytable *t, int type, const char *buf,
    size_t len, const char *path, struct strlist *problems);

/*
 * Read and parse the KeyTable spec keytable and the SigningTable spec
 * signingtable; either may be "" (a SigningTable alone is an error).
 * Files over KEYTABLE_MAX_FILE bytes or not regular are refused.  Problems
 * are "path: problem" or "path:line: problem".  Returns 0 or -1; what
 * parsed stays in t (caller clears it with keytable_clear).
 */
int keytable_read(struct keytable *t, const char *keytable,
    const char *signingtable, struct strlist *problems);

/*
 * The KeyTable entries (indices into t->keys, in the file order of their
 * rules) that sign mail from address: "local@domain" (split at the last
 * '@'), or a bare domain, which "user@" patterns cannot match.  At most max
 * into out.  Returns how many; 0 when no rule matches, when t has no
 * SigningTable, or when the local part or domain is over 255 bytes.
 *   KEYTABLE_FILE: the first pattern that exists among, in OpenDKIM's
 *     order, local@domain, domain, then for each parent ".parent" (from
 *     "a.b.c": ".b.c", ".c") local@.parent and .parent, then local@* and *;
 *     compared case-insensitively.
 *   KEYTABLE_REFILE: the first pattern in file order whose glob matches all
 *     of "local@domain" ("@domain" for a bare domain; '*' matches any run,
 *     runs of '*' act as one, case-insensitive).
 * Every rule with that exact pattern counts (RSA + Ed25519 dual signing).
 */
size_t keytable_match(const struct keytable *t, const char *address,
    size_t *out, size_t max);

/* Free everything in t and leave it empty. */
void keytable_clear(struct keytable *t);

#endif
