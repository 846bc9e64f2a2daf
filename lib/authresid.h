/*
 * authresid: the authserv-id of an incoming Authentication-Results header
 * (RFC 8601 2.2), read so that a header claiming to come from us can be
 * told apart and removed (RFC 8601 5).  Pure: no I/O, no logging, no
 * globals; every function may be called from any thread.  Values are
 * (pointer, length) and need not be NUL-terminated.
 */
#ifndef POSTSEAL_AUTHRESID_H
#define POSTSEAL_AUTHRESID_H

#include <stddef.h>

/* Bytes of an authserv-id read; a longer one is an error.  As many as
 * authres.h writes (AUTHRES_MAX_ID). */
#define AUTHRESID_MAX	255

/*
 * The authserv-id of an incoming Authentication-Results value (len bytes,
 * NUL bytes are an error): leading CFWS and comments skipped, a token or a
 * quoted string (unescaped), optionally followed by a version number, then
 * ";" or the end.  Writes it into id (size idlen).  Returns 0, or -1 with
 * *why (static).
 */
int authresid_parse(const char *value, size_t len, char *id, size_t idlen,
    const char **why);

/*
 * 1 when the value names our_id as its authserv-id (case-insensitive, one
 * trailing dot ignored on either side), judged on the id alone even if
 * the rest of the value is malformed: a header that claims our id must go,
 * broken or not.  0 otherwise.
 */
int authresid_claims(const char *value, size_t len, const char *our_id);

#endif
