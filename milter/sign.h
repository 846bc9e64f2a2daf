/* sign: outbound mail, the milter side of lib/dksign. */
#ifndef POSTSEAL_MILTER_SIGN_H
#define POSTSEAL_MILTER_SIGN_H

#include <stddef.h>

#include "session.h"
#include "strlist.h"

/*
 * At end of headers: pick the keys for the From domain and feed the
 * headers to a new signer.  Returns 1 when the message will be signed,
 * 0 when no key applies (logged), -1 on error with why.
 */
int sign_start(struct session *s, char *why, size_t n);
int sign_body(struct session *s, const unsigned char *buf, size_t len);
/* One DKIM-Signature header value per key into sigs.  0 or -1 with why. */
int sign_finish(struct session *s, struct strlist *sigs, char *why, size_t n);

#endif
