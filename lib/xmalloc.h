/*
 * xmalloc: allocation that cannot return NULL.  On exhaustion the process
 * logs and aborts: a mail daemon that cannot allocate a few bytes cannot
 * apply any fallback either, and Postfix's milter_default_action /
 * default_action then decide, so no mail is lost.
 */
#ifndef POSTSEAL_XMALLOC_H
#define POSTSEAL_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Wipe len bytes at p (explicit_bzero), then free it.  For key material. */
void xfreezero(void *p, size_t len);

#endif
