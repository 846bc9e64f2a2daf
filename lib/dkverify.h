/*
 * dkverify: DKIM verification with libopendkim, key look-ups through
 * lib/dns (DESIGN.md "DKIM: who signs, who verifies").
 *
 * One struct dkverify_lib per process (it wraps the DKIM_LIB, shared by
 * every thread); one struct dkverify per message, used by one thread.
 * Key look-ups go through libopendkim's query hooks to dns_raw(), so they
 * use the configured name servers and timeout; a temporary DNS failure
 * gives DKVERIFY_TEMPERROR, never a fail (STYLE.md 4).
 *
 * Per message: dkverify_header() for every header in order,
 * dkverify_eoh(), dkverify_body() for the body in chunks (CRLF line
 * ends), dkverify_eom() for one result per DKIM-Signature header.
 */
#ifndef POSTSEAL_DKVERIFY_H
#define POSTSEAL_DKVERIFY_H

#include <stddef.h>

#include "dns.h"

enum dkverify_status {
	DKVERIFY_PASS = 0,
	DKVERIFY_FAIL,		/* body hash mismatch, signature did not verify */
	DKVERIFY_NEUTRAL,	/* not verified (beyond max_signatures) */
	DKVERIFY_POLICY,	/* verifiable but refused by local policy (key too small) */
	DKVERIFY_TEMPERROR,	/* key look-up failed for now */
	DKVERIFY_PERMERROR,	/* malformed signature, no key, expired */
};

struct dkverify_result {
	char domain[256];	/* d=, "" when missing */
	char selector[64];	/* s= */
	char algorithm[32];	/* a= as written */
	char b[16];		/* first 8 characters of b=, for header.b */
	int bits;		/* key size when the key was loaded, else 0 */
	enum dkverify_status status;
	char reason[128];	/* "body hash mismatch", "key not found",
				 * "bad signature syntax: missing d=", ... */
};

struct dkverify_lib;
struct dkverify;

/*
 * The verifier library with key look-ups through dns (borrowed; must
 * outlive the library).  Returns NULL with why on failure.
 */
struct dkverify_lib *dkverify_lib_new(struct dns *dns, char *why, size_t whylen);

/*
 * The same, with keys read from keyfile instead of DNS: one line per key,
 * "selector._domainkey.domain v=DKIM1; k=...; p=...".  For tests and for
 * `postseal verify -K`.
 */
struct dkverify_lib *dkverify_lib_new_file(const char *keyfile, char *why,
    size_t whylen);

void dkverify_lib_free(struct dkverify_lib **l);

/*
 * A verifier for one message that checks at most max_signatures
 * signatures (<= 0: 5); those beyond are reported DKVERIFY_NEUTRAL
 * "not verified: limit N".  Returns NULL only when libopendkim cannot
 * make a handle.
 */
struct dkverify *dkverify_new(struct dkverify_lib *l, int max_signatures);

/* One header: name without the colon, value as after it; LF folds are
 * turned into CRLF.  Returns 0 or -1 (the header was refused; the
 * message is then reported per signature at the end). */
int dkverify_header(struct dkverify *v, const char *name, const char *value);

/* End of headers.  Returns 0, or -1 on an internal libopendkim error. */
int dkverify_eoh(struct dkverify *v);

/* Body bytes.  Returns 0 or -1. */
int dkverify_body(struct dkverify *v, const unsigned char *buf, size_t len);

/*
 * End of message: *res (caller frees with free()) gets one result per
 * DKIM-Signature in header order, *n their count; zero results when the
 * message has no signature (the caller writes dkim=none).  Returns 0, or
 * -1 when verification could not run at all.
 */
int dkverify_eom(struct dkverify *v, struct dkverify_result **res, size_t *n);

void dkverify_free(struct dkverify **v);

/* "pass", "fail", "neutral", "policy", "temperror", "permerror". */
const char *dkverify_status_name(enum dkverify_status s);

#endif
