/*
 * authres: Authentication-Results (RFC 8601) and Received-SPF (RFC 7208
 * 9.1) header values, built.  Pure: no I/O, no logging, no globals; a
 * struct authres belongs to one thread at a time.  The lexical rules are
 * in authresval.h; reading the authserv-id of an incoming header is
 * authresid.h's job.
 *
 * Injection: whatever a caller passes (domains, selectors, addresses,
 * reasons taken from the client or from DNS), CR, LF, NUL and every other
 * control character are dropped before anything is written, values that
 * are neither RFC 2045 tokens nor plain addresses / dot-atoms are written
 * as quoted strings with '"' and '\' escaped, and each value is cut to
 * AUTHRES_MAX_VALUE bytes (on a UTF-8 character boundary).  So the only
 * line breaks in a value produced here are the folds this module adds.
 */
#ifndef POSTSEAL_AUTHRES_H
#define POSTSEAL_AUTHRES_H

#include <stddef.h>

#define AUTHRES_MAX_VALUE	256	/* bytes of a property value or reason kept */
#define AUTHRES_MAX_ID		255	/* bytes of an authserv-id */
#define AUTHRES_MAX_LINE	900	/* a one-line value (no folding) stays below */
#define AUTHRES_FOLD_AT		78	/* fold before a line grows past this */

struct authres;

/* New builder for one header; authserv_id (our host name) is cleaned and
 * cut like any value. */
struct authres *authres_new(const char *authserv_id);
void authres_free(struct authres **ar);

/*
 * Line break used when folding: "\r\n" (the default), "\n" (what some
 * milter hosts expect), or "" for one line without folding (policy
 * service PREPEND), where whole results that would push the value past
 * AUTHRES_MAX_LINE are left out.  Anything else is ignored.
 */
void authres_set_fold(struct authres *ar, const char *eol);

/*
 * Add one result: method ("spf", "dkim", "dmarc", ...) and result ("pass",
 * "fail", ...) must be keywords (letters, digits, '-', '_'), else -1 and
 * nothing is added.  reason (NULL for none) becomes reason="...".  Then
 * property pairs name, value, ..., NULL: name is "ptype.property"
 * ("smtp.mailfrom", "header.d", "policy.dmarc"); a pair with an invalid
 * name or a NULL value is skipped and makes the call return -1 (the rest
 * is still added).  Returns 0.
 */
int authres_add(struct authres *ar, const char *method, const char *result,
    const char *reason, ...) __attribute__((sentinel));

/* One more property for the result added last.  Returns 0 or -1 (no result
 * yet, invalid name, NULL value). */
int authres_prop(struct authres *ar, const char *name, const char *value);

size_t authres_count(const struct authres *ar);

/*
 * The header value (without "Authentication-Results:"): "id; none" when no
 * result was added, else "id;" EOL TAB "spf=pass smtp.mailfrom=a@b.example;"
 * EOL TAB "dkim=pass header.d=b.example header.s=s1 ...", folded before
 * AUTHRES_FOLD_AT columns.  *value_r is new (caller frees).  Returns 0.
 */
int authres_format(const struct authres *ar, char **value_r);

/*
 * Received-SPF value (without "Received-SPF:"), one line of at most
 * AUTHRES_MAX_LINE bytes: result "(comment)" key=value; key=value ...
 * result must be a keyword; comment may be NULL; then key, value pairs
 * ("client-ip", "envelope-from", "helo", "receiver", "identity",
 * "mechanism", "problem", ...) ending with NULL.  Values are dot-atoms or
 * quoted strings; a pair with an invalid key or NULL value is skipped, a
 * value is cut to what still fits.  Returns a new string (caller frees), or
 * NULL when result is not a keyword.
 */
char *authres_received_spf(const char *result, const char *comment, ...)
    __attribute__((sentinel));

#endif
