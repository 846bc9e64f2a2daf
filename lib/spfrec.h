/*
 * spfrec: SPF record parser and validator (RFC 7208 sections 4.5, 4.6, 5,
 * 6 and the ABNF of section 12), pure.
 *
 * No I/O, no logging, no globals: callable from any thread.  The whole
 * record is checked before anything is evaluated (4.6: a syntax error
 * anywhere is a permerror), every macro-string included (spfmacro).
 * Terms point into the caller's buffer: a parsed record is valid only as
 * long as the text it was parsed from.
 */
#ifndef POSTSEAL_SPFREC_H
#define POSTSEAL_SPFREC_H

#include <stddef.h>

#define SPFREC_MAX_LEN		8192	/* bytes of one record (DNS_MAX_TXT) */
#define SPFREC_MAX_TERMS	512	/* mechanisms in one record */
#define SPFREC_MAX_DNS_TERMS	10	/* RFC 7208 4.6.4 */
#define SPFREC_MAX_VOID		2	/* RFC 7208 4.6.4 */

enum spfrec_qual {
	SPFREC_PASS = 0,	/* "+" or none */
	SPFREC_FAIL,		/* "-" */
	SPFREC_SOFTFAIL,	/* "~" */
	SPFREC_NEUTRAL,		/* "?" */
};

enum spfrec_mech {
	SPFREC_ALL = 0,
	SPFREC_INCLUDE,
	SPFREC_A,
	SPFREC_MX,
	SPFREC_PTR,
	SPFREC_IP4,
	SPFREC_IP6,
	SPFREC_EXISTS,
};

struct spfrec_term {
	enum spfrec_mech mech;
	enum spfrec_qual qual;
	const char *text;	/* the term as written (qualifier included) */
	size_t text_len;
	size_t pos;		/* byte offset of the term in the record */
	const char *spec;	/* domain-spec, NULL when the term has none */
	size_t spec_len;
	unsigned cidr4, cidr6;	/* prefix lengths; default 32 and 128 */
	unsigned char addr[16];	/* ip4 (4 bytes) or ip6 network */
};

struct spfrec {
	struct spfrec_term terms[SPFREC_MAX_TERMS];
	size_t n;
	const char *redirect;	/* domain-spec of redirect=, or NULL */
	size_t redirect_len;
	const char *exp;	/* domain-spec of exp=, or NULL */
	size_t exp_len;
};

/*
 * 1 when buf (len bytes) is an SPF record: "v=spf1" (any case) followed
 * by a space or the end (4.5).  Such a record that fails to parse is
 * still a record (a permerror, not "no record").
 */
int spfrec_is_record(const char *buf, size_t len);

/*
 * Parse and validate one record.  Returns 0 with out filled, or -1 with
 * *why (static text) and *pos (byte offset of the problem in buf) set.
 * Errors: not an SPF record, a byte outside visible ASCII between the
 * terms, an unknown mechanism or an argument it does not take, a missing
 * or invalid domain-spec (bad macro, or not ending in a macro or in
 * "." toplabel), an invalid ip4/ip6 network or prefix length (leading
 * zeros, over 32/128), a modifier name that does not start with a letter,
 * redirect= or exp= twice, more than SPFREC_MAX_TERMS terms, a record
 * over SPFREC_MAX_LEN bytes.
 */
int spfrec_parse(const char *buf, size_t len, struct spfrec *out,
    const char **why, size_t *pos);

/*
 * Check a domain-spec (RFC 7208 7.1): a macro-string (c, r, t refused)
 * ending in a macro-expand or in "." toplabel with one optional dot.
 * Returns 0, or -1 with *why and *pos (offset in s).
 */
int spfrec_domain_spec(const char *s, size_t len, const char **why,
    size_t *pos);

/* Mechanisms and modifiers of rec that query DNS (include, a, mx, ptr,
 * exists, redirect): what counts towards the limit of 10. */
size_t spfrec_dns_terms(const struct spfrec *rec);

const char *spfrec_mech_name(enum spfrec_mech m);	/* "all", "include", ... */
char spfrec_qual_char(enum spfrec_qual q);		/* '+', '-', '~', '?' */

#endif
