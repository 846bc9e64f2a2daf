/* strlist: a growable list of owned strings. */
#ifndef POSTSEAL_STRLIST_H
#define POSTSEAL_STRLIST_H

#include <stddef.h>

struct strlist {
	char **v;	/* v[n] is NULL */
	size_t n;
};

void strlist_add(struct strlist *l, const char *s);	/* copies s */
void strlist_addf(struct strlist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int strlist_contains(const struct strlist *l, const char *s);	/* case-insensitive */
void strlist_clear(struct strlist *l);	/* frees the strings, leaves l empty */

#endif
