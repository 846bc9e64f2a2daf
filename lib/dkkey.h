/*
 * dkkey: parser of DKIM public key records (RFC 6376 3.6.1, RFC 8463).
 *
 * Pure: no I/O, no allocation, no globals; safe from any thread.  The
 * record is the TXT data of SELECTOR._domainkey.DOMAIN with its
 * character-strings already joined; it need not be NUL-terminated.
 *
 * Rules enforced: the record is at most DKKEY_MAX_RECORD bytes; a tag list
 * with a duplicate tag is invalid; v=, when present, is the first tag and
 * is "DKIM1"; k= is "rsa" or "ed25519" (default rsa); p= is required and is
 * base64 (whitespace allowed inside), empty meaning the key was revoked;
 * an Ed25519 p= decodes to 32 bytes.  Unknown tags, unknown h= algorithms,
 * unknown s= services and unknown t= flags are ignored, as the RFC says.
 */
#ifndef POSTSEAL_DKKEY_H
#define POSTSEAL_DKKEY_H

#include <stddef.h>

#define DKKEY_MAX_RECORD	8192	/* bytes of a whole record */
#define DKKEY_MAX_KEY		6144	/* decoded p= bytes (fits in the record) */
#define DKKEY_MAX_TAGS		64

enum dkkey_type { DKKEY_RSA = 1, DKKEY_ED25519 = 2 };

/* h= */
#define DKKEY_H_SHA1	0x01
#define DKKEY_H_SHA256	0x02
/* t= */
#define DKKEY_T_TESTING	0x01	/* y: the domain is testing DKIM */
#define DKKEY_T_STRICT	0x02	/* s: i= must not be a subdomain of d= */

struct dkkey {
	int has_v;			/* v=DKIM1 was present */
	enum dkkey_type type;		/* k=, default DKKEY_RSA */
	unsigned hashes;		/* h=: DKKEY_H_* bits; all when h= absent */
	unsigned flags;			/* t=: DKKEY_T_* bits */
	int service_email;		/* s= absent, "*" or lists "email" */
	int revoked;			/* p= is empty */
	unsigned char key[DKKEY_MAX_KEY];	/* p= decoded */
	size_t key_len;
	const char *notes;		/* n= value, borrowed from rec, or NULL */
	size_t notes_len;
};

/*
 * Parse rec (len bytes).  Returns 0 with out filled, or -1 with *why set
 * to a static reason ("duplicate tag \"k\"", "p= is not valid base64", ...).
 * out is overwritten in both cases.
 */
int dkkey_parse(const char *rec, size_t len, struct dkkey *out,
    const char **why);

/*
 * Decode base64 in (len bytes), skipping space, tab, CR and LF, into out
 * (room for max bytes).  Padding '=' only at the end.  Returns the decoded
 * length, or -1 on a bad character, bad padding or overflow.
 */
long dkkey_b64decode(const char *in, size_t len, unsigned char *out,
    size_t max);

const char *dkkey_type_name(enum dkkey_type t);	/* "rsa" / "ed25519" */

#endif
