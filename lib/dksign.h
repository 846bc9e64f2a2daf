/*
 * dksign: postseal's own DKIM signer (RFC 6376, RFC 8463) on OpenSSL.
 *
 * Keys are EVP_PKEYs parsed once by lib/keys and owned by the caller; no
 * per-message work re-parses them (DESIGN.md "DKIM: who signs, who
 * verifies").  One message: dksign_new(), every header with
 * dksign_header() in message order, the body in chunks of any size with
 * dksign_body(), then dksign_eom() for one DKIM-Signature per key.
 *
 * Headers are kept (the h= selection needs them all), the body is hashed
 * as it streams: one body hash, shared by every key.  Headers are signed
 * in RFC 6376 5.4.2 order (the bottom-most instance of a repeated name
 * first); oversigned names are listed once more than they occur.
 * Algorithms: rsa-sha256 (RSA key) and ed25519-sha256 (Ed25519 key: the
 * SHA-256 of the canonical header data is signed with PureEdDSA).
 *
 * A struct dksign belongs to one message and one thread; many may sign
 * with the same EVP_PKEYs at once.
 */
#ifndef POSTSEAL_DKSIGN_H
#define POSTSEAL_DKSIGN_H

#include <stddef.h>

#include <openssl/evp.h>

#include "dkcanon.h"
#include "strlist.h"

/* Bounds on the headers one message may make the signer hold. */
#define DKSIGN_MAX_HEADERS	2000
#define DKSIGN_MAX_HEADER_BYTES	(4 * 1024 * 1024)
#define DKSIGN_MAX_KEYS		16

struct dksign_key {
	const char *domain;	/* d= */
	const char *selector;	/* s= */
	EVP_PKEY *pkey;		/* RSA or Ed25519; borrowed, must outlive the signer */
};

struct dksign_opts {
	int header_canon;	/* DKCANON_SIMPLE / DKCANON_RELAXED */
	int body_canon;
	/* Names to sign when present (case-insensitive); NULL/0: the
	 * default list below.  From is always signed. */
	const char *const *sign_headers;
	size_t n_sign_headers;
	/* Names signed once more than they occur (From is typical). */
	const char *const *oversign_headers;
	size_t n_oversign;
	long timestamp;		/* t=; -1: no t= */
	long ttl;		/* x= t + ttl; 0: no x= (needs t=) */
};

/* RFC 6376 5.4.1's list, NULL-terminated. */
extern const char *const dksign_default_headers[];

/*
 * Start one message.  Copies opts, the header name lists and the domain /
 * selector strings; the EVP_PKEYs are borrowed.  Never returns NULL: a
 * problem with the arguments (no keys, too many keys, a key that is
 * neither RSA nor Ed25519, bad canonicalization) is reported by
 * dksign_eom().
 */
struct dksign *dksign_new(const struct dksign_opts *o,
    const struct dksign_key *keys, size_t nkeys);

/*
 * One header, in message order: name without the colon, value exactly
 * as after the colon (leading whitespace included), folds as CRLF or LF.
 * Returns 0, or -1 when a bound is hit or the name is not a field name;
 * the message then cannot be signed (dksign_eom fails and says why).
 */
int dksign_header(struct dksign *s, const char *name, const char *value);

/* Body bytes (CRLF line ends), any chunking.  Returns 0, or -1 after an
 * earlier error. */
int dksign_body(struct dksign *s, const unsigned char *buf, size_t len);

/*
 * Finish: append one DKIM-Signature header VALUE per key to sigs, in key
 * order, without the "DKIM-Signature:" name.  Each value starts with a
 * SP and is folded at about 78 columns with "\r\n\t", so that
 * "DKIM-Signature:" + value is the exact header that was signed (Postfix
 * inserts a milter's header as "name:value" when the value starts with
 * whitespace).  Returns 0, or -1 with why and nothing appended.
 * Call once.
 */
int dksign_eom(struct dksign *s, struct strlist *sigs, char *why,
    size_t whylen);

void dksign_free(struct dksign **s);

#endif
