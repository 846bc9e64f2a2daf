/*
 * dovecotconf: a minimal parser of dovecot.conf and its conf.d includes.
 *
 * Understood: "key = value" (value to the end of the line, quotes around
 * the whole value removed), "name [arg] {" opening a section and "}"
 * closing it, "# comments", "!include PATTERN" and "!include_try PATTERN".
 * Every setting becomes one entry whose section is the path of its
 * sections, each level "name" or "name arg", levels joined by " > ":
 *   service auth { unix_listener /var/spool/postfix/private/auth { mode = 0660 } }
 * gives section "service auth > unix_listener /var/spool/postfix/private/auth",
 * key "mode", value "0660".  Includes are entries too (key "!include" or
 * "!include_try", value the pattern, section where they appear), so the
 * caller decides how to read them; dovecotconf_read() does it for files.
 *
 * dovecotconf_parse() is pure (no I/O, no globals); dovecotconf_read()
 * reads files.  Neither logs.  Entries are owned by the struct.
 */
#ifndef POSTSEAL_DOVECOTCONF_H
#define POSTSEAL_DOVECOTCONF_H

#include <stddef.h>

#include "strlist.h"

#define DOVECOTCONF_MAX_FILE	(1024 * 1024)	/* bytes of one file */
#define DOVECOTCONF_MAX_LINE	8192		/* bytes of one line */
#define DOVECOTCONF_MAX_DEPTH	16		/* nested sections */
#define DOVECOTCONF_MAX_ENTRIES	8192		/* settings over all files */
#define DOVECOTCONF_MAX_FILES	128		/* files read by includes */

struct dovecotconf_entry {
	char *section;		/* "" at top level */
	char *key;
	char *value;
	const char *file;	/* borrowed from files below */
	size_t line;
};

struct dovecotconf {
	struct dovecotconf_entry *v;	/* file order, includes expanded in place
					 * by dovecotconf_read() */
	size_t n;
	struct strlist files;		/* names given to parse/read */
};

/*
 * Append the settings of buf[0..len) to dc.  file names the buffer in
 * entries (copied into dc->files); section is the section the text sits
 * in ("" for the top; an included file inherits its includer's).  Returns
 * 0, or -1 with *why (static) and *line_r on an unbalanced "}", a section
 * left open at the end, a line without "=" that is no section, a NUL byte
 * or a limit; entries before the error stay.
 */
int dovecotconf_parse(struct dovecotconf *dc, const char *buf, size_t len,
    const char *file, const char *section, const char **why, size_t *line_r);

/*
 * Read path (joined under root, which may be "" for "/") and every file
 * its !include / !include_try patterns name (glob(3), relative patterns
 * from the including file's directory, paths in patterns taken as seen
 * from root).  A missing !include is a problem, a missing !include_try
 * is not.  Problems are "file:line: problem" or "file: problem".
 * Returns 0, or -1 when anything could not be read or parsed.
 */
int dovecotconf_read(struct dovecotconf *dc, const char *root,
    const char *path, struct strlist *problems);

/* The value of the last setting of key in exactly this section, or NULL. */
const char *dovecotconf_get(const struct dovecotconf *dc, const char *section,
    const char *key);

/* The last entry of key in exactly this section, or NULL. */
const struct dovecotconf_entry *dovecotconf_find(const struct dovecotconf *dc,
    const char *section, const char *key);

void dovecotconf_clear(struct dovecotconf *dc);

#endif
