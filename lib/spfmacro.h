/*
 * spfmacro: SPF macro strings (RFC 7208 section 7), pure.
 *
 * No I/O, no logging, no globals: callable from any thread.  Input is
 * (buffer, length); output goes to a caller-owned buffer of explicit size,
 * and an expansion that does not fit is an error, never a truncation the
 * caller does not see.
 *
 * Two contexts: a domain-spec (mechanism and modifier arguments), where
 * the letters c, r and t are not allowed and no space may appear, and an
 * explanation string (the TXT record that exp= points at), where they are
 * and spaces are literal.
 */
#ifndef POSTSEAL_SPFMACRO_H
#define POSTSEAL_SPFMACRO_H

#include <stddef.h>

#define SPFMACRO_MAX_OUT	4096	/* longest expansion spfmacro produces */
#define SPFMACRO_MAX_NAME	253	/* a domain name after truncation */

enum spfmacro_kind {
	SPFMACRO_DOMAIN = 0,	/* domain-spec: letters slodiphv */
	SPFMACRO_EXP,		/* explanation text: also c, r, t and spaces */
	SPFMACRO_ANY,		/* unknown-modifier value: every letter */
};

/*
 * The values the letters stand for.  All are NUL-terminated strings the
 * caller owns; NULL reads as "unknown".
 *   s  sender (local@domain)      l  its local part    o  its domain
 *   d  the domain being checked   h  the HELO name
 *   i  the client address: dotted quad, or 32 dot-separated nibbles
 *   c  the client address in its readable form (inet_ntop)
 *   v  "in-addr" or "ip6"         p  the validated name of the client
 *   r  the receiving host         t  seconds since the epoch
 */
struct spfmacro_ctx {
	const char *s, *l, *o, *d, *h, *i, *c, *v, *p, *r;
	long long t;
};

/*
 * Syntax check of s (len bytes) as a macro-string of the given kind.
 * Returns 0, or -1 with *why (static text) and *pos (byte offset of the
 * problem) set: a byte outside 0x21..0x7e (a space is allowed only in
 * SPFMACRO_EXP), '%' not followed by '{', '%', '_' or '-', an unknown or
 * (in a domain-spec) explanation-only letter, a zero or over-long digit
 * transformer, a bad delimiter or a missing '}'.
 */
int spfmacro_check(const char *s, size_t len, enum spfmacro_kind kind,
    const char **why, size_t *pos);

/*
 * Expand s (len bytes) into out (size n, NUL-terminated).  Checks the
 * syntax as spfmacro_check().  An upper-case letter's value is
 * URL-escaped (RFC 3986 unreserved characters are kept).  Returns the
 * length written, or -1 with *why on a syntax error or when the result
 * does not fit into n - 1 bytes.
 */
long spfmacro_expand(const char *s, size_t len, enum spfmacro_kind kind,
    const struct spfmacro_ctx *ctx, char *out, size_t n, const char **why);

/*
 * A domain-spec's expansion as a name to query (RFC 7208 7.3): one
 * trailing dot removed, then whole labels removed from the left until at
 * most 253 bytes remain.  out must hold SPFMACRO_MAX_OUT bytes.  Returns
 * 0, or -1 with *why (syntax error, too long, nothing left).
 */
int spfmacro_domain(const char *s, size_t len, const struct spfmacro_ctx *ctx,
    char *out, size_t n, const char **why);

/* 1 when the macro-string s (len bytes) uses the letter (either case). */
int spfmacro_uses(const char *s, size_t len, char letter);

#endif
