/*
 * pfconf: pure parsers of Postfix's main.cf and master.cf.
 *
 * main.cf (postconf(5)): a logical line starts with non-whitespace text
 * "name = value"; a line that starts with whitespace continues it; empty
 * lines and lines whose first non-whitespace character is '#' are skipped
 * (they do not end a logical line).  A later setting of a name overrides an
 * earlier one, as in Postfix.  Values are kept raw; pfconf_expand() expands
 * $name, ${name} and $(name), and ${name?text} / ${name:text} (text when
 * name is set and not empty / when it is unset or empty), with a bounded
 * depth; a name that is not set expands to nothing, as an unknown
 * parameter does in Postfix.
 *
 * master.cf (master(5)): "service type private unpriv chroot wakeup
 * maxproc command [args]", continued on lines that start with whitespace.
 * "-o name=value" (also "-oname=value" and "-o { name = value }") options
 * are collected per service; other arguments are kept in order.
 *
 * No I/O, no logging, no globals: safe from any thread on distinct
 * objects.  Results are owned by the struct; free with *_clear().
 */
#ifndef POSTSEAL_PFCONF_H
#define POSTSEAL_PFCONF_H

#include <stddef.h>

#include "strlist.h"

#define PFCONF_MAX_FILE		(1024 * 1024)	/* bytes of one file */
#define PFCONF_MAX_LINE		(64 * 1024)	/* bytes of one logical line */
#define PFCONF_MAX_ENTRIES	4096		/* settings or services */
#define PFCONF_MAX_DEPTH	16		/* nested $name expansions */
#define PFCONF_MAX_EXPAND	(64 * 1024)	/* bytes of an expanded value */
#define PFCONF_MAX_REFS		4096		/* references expanded per value */

struct pfconf_param {
	char *name;
	char *value;		/* raw, leading/trailing space trimmed */
	size_t line;		/* where its logical line starts */
};

struct pfconf_main {
	struct pfconf_param *v;	/* file order, names unique (last wins) */
	size_t n;
};

struct pfconf_service {
	char *name;		/* "smtp", "submission", "127.0.0.1:10025" */
	char *type;		/* "inet", "unix", "unix-dgram", "fifo", "pass" */
	char *private_;		/* the five flag columns, "-" kept as is */
	char *unpriv;
	char *chroot;
	char *wakeup;
	char *maxproc;
	char *command;		/* "smtpd", "spawn", ... */
	struct pfconf_param *opts;	/* -o name=value, file order */
	size_t n_opts;
	struct strlist args;	/* every other argument */
	size_t line;
};

struct pfconf_master {
	struct pfconf_service *v;	/* file order */
	size_t n;
};

/*
 * Parse main.cf held in buf[0..len).  Returns 0; or -1 with *why (static
 * text) and *line_r (1-based line) on a line without "=", a bad name, a
 * NUL byte, or a limit exceeded.  out is cleared first; on -1 it is left
 * empty.
 */
int pfconf_main_parse(const char *buf, size_t len, struct pfconf_main *out,
    const char **why, size_t *line_r);

/* The setting of name (borrowed), or NULL when main.cf does not set it. */
const struct pfconf_param *pfconf_main_find(const struct pfconf_main *m,
    const char *name);

/*
 * The value of name with every $reference expanded: a new string (caller
 * frees), or NULL when name is not set.  Expansion stops at
 * PFCONF_MAX_DEPTH levels or after PFCONF_MAX_REFS references (the
 * text is then left as written) and at PFCONF_MAX_EXPAND bytes (the rest
 * is dropped).
 */
char *pfconf_expand(const struct pfconf_main *m, const char *name);

/* Expand the references in text (see pfconf_expand).  Caller frees. */
char *pfconf_expand_text(const struct pfconf_main *m, const char *text);

/*
 * Split a Postfix list value (separated by commas and/or whitespace,
 * "{ ... }" kept together as one item) into items appended to out.
 */
void pfconf_split(const char *value, struct strlist *out);

/* Parse master.cf; same contract as pfconf_main_parse. */
int pfconf_master_parse(const char *buf, size_t len, struct pfconf_master *out,
    const char **why, size_t *line_r);

/* The first service with this name and type (type NULL: any), or NULL. */
const struct pfconf_service *pfconf_master_find(const struct pfconf_master *m,
    const char *name, const char *type);

/* The last -o value of name on s (borrowed), or NULL. */
const char *pfconf_service_opt(const struct pfconf_service *s, const char *name);

void pfconf_main_clear(struct pfconf_main *m);
void pfconf_master_clear(struct pfconf_master *m);

#endif
