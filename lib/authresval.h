/*
 * authresval: the lexical rules of the values in Authentication-Results
 * (RFC 8601) and Received-SPF (RFC 7208 9.1) headers, shared by the
 * writers (authres.h) and the authserv-id reader (authresid.h): RFC 2045
 * tokens, RFC 5322 dot-atoms, RFC 8601 pvalues, and the cleaning that
 * keeps control characters out of every value written.
 *
 * Pure: no I/O, no logging, no globals; every function may be called from
 * any thread.  Strings are NUL-terminated unless a length is given.
 */
#ifndef POSTSEAL_AUTHRESVAL_H
#define POSTSEAL_AUTHRESVAL_H

#include <stddef.h>

/*
 * Copy s (NULL: empty) into out, which has room for max + 1 bytes, with
 * every control character (CR, LF, NUL, DEL, ...) left out, at most max
 * bytes kept and never ending inside a UTF-8 sequence.  out is always
 * NUL-terminated.  Returns the bytes written, without the NUL.
 */
size_t authresval_clean(const char *s, char *out, size_t max);

/* 1 when s is 1..64 bytes of ASCII letters, digits and characters of
 * extra ("-_" for methods, results and ptype / property names); else 0
 * (also for NULL). */
int authresval_keyword(const char *s, const char *extra);

/* 1 when c may appear in an RFC 2045 token (printable ASCII, no space and
 * no tspecial); else 0. */
int authresval_tchar(char c);

/* 1 when s is a non-empty RFC 2045 token; else 0. */
int authresval_token(const char *s);

/*
 * 1 when the n bytes at s are an RFC 5322 dot-atom in ASCII (domain 0),
 * or a domain name of letters, digits, '-' and '_' labels (domain 1): no
 * empty label, no leading or trailing dot; else 0.
 */
int authresval_dot_atom(const char *s, size_t n, int domain);

/* 1 when s can be written as an RFC 8601 pvalue without quotes: a token,
 * or [dot-atom] "@" domain; else 0. */
int authresval_pvalue(const char *s);

#endif
