/*
 * pfconf_int: what pfconf.c and pfconf_master.c share; not for other
 * modules.
 */
#ifndef POSTSEAL_PFCONF_INT_H
#define POSTSEAL_PFCONF_INT_H

#include <stddef.h>

/* Called with each logical line (NUL-terminated, writable) and the line
 * where it starts; returns 0, or -1 with *why (static text). */
typedef int (*pfconf_line_fn)(void *arg, char *text, size_t line,
    const char **why);

/*
 * Cut buf[0..len) into logical lines (continuation lines joined by one
 * space, physical line ends and trailing blanks dropped; blank and comment
 * lines skipped) and hand each to fn.  Returns 0, or -1 with *why and
 * *line_r (1-based) on a NUL byte, a file over PFCONF_MAX_FILE bytes, a
 * logical line over PFCONF_MAX_LINE bytes, a continuation with nothing to
 * continue, or the first error of fn.
 */
int pfconf_lines(const char *buf, size_t len, pfconf_line_fn fn, void *arg,
    const char **why, size_t *line_r);

/* s[0..n) without leading and trailing white space, as a new string. */
char *pfconf_trimdup(const char *s, size_t n);

#endif
