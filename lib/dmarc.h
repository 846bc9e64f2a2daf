/*
 * dmarc: the DMARC verdict for one message, pure.
 *
 * RFC 7489 (DMARC) with the additions of RFC 9989 (np, psd, t), which
 * obsoletes it.  No I/O, no logging, no globals: every function may be
 * called from any thread.  The verdict takes results already computed:
 * the policy record parsed by dmarcrec.h (its types come with this
 * header), found over DNS by dmarcfind.h, and the SPF and DKIM results.
 */
#ifndef POSTSEAL_DMARC_H
#define POSTSEAL_DMARC_H

#include <stddef.h>

#include "dmarcrec.h"

#define DMARC_MAX_DOMAIN	253	/* bytes of a domain name */

/* Results of the underlying checks, as RFC 8601 names them. */
enum dmarc_auth {
	DMARC_AUTH_NONE = 0, DMARC_AUTH_PASS, DMARC_AUTH_FAIL,
	DMARC_AUTH_TEMPERROR, DMARC_AUTH_PERMERROR,
	DMARC_AUTH_NEUTRAL, DMARC_AUTH_SOFTFAIL, DMARC_AUTH_POLICY,
};

enum dmarc_result {
	DMARC_RESULT_NONE = 0, DMARC_RESULT_PASS, DMARC_RESULT_FAIL,
	DMARC_RESULT_TEMPERROR, DMARC_RESULT_PERMERROR,
};

/* What policy discovery ended with (dmarcfind fills it for the milter). */
enum dmarc_found {
	DMARC_FOUND_NONE = 0,		/* no usable record: DMARC does not apply */
	DMARC_FOUND_RECORD,		/* record + policy_domain set */
	DMARC_FOUND_TEMP,		/* a temporary DNS failure */
};

/* Several From domains (RFC 9989 4.10.1 exempts them; a site may refuse). */
enum dmarc_multi_from { DMARC_MULTI_NONE = 0, DMARC_MULTI_PERMERROR };

struct dmarc_dkim {
	const char *domain;		/* d= */
	const char *selector;		/* s= */
	enum dmarc_auth result;
	const char *org;		/* its organizational domain, or NULL: PSL */
};

struct dmarc_input {
	const char *author_domain;	/* the RFC5322.From domain, normalised */
	size_t n_author_domains;	/* distinct From domains (1 normally) */
	enum dmarc_multi_from multi_from;
	enum dmarc_found found;
	const struct dmarc_record *record;	/* when found == RECORD */
	const char *policy_domain;	/* where the record was found */
	const char *org_domain;		/* of the author domain; NULL: PSL */
	int author_nonexistent;		/* NXDOMAIN/NODATA for A, AAAA, MX */
	enum dmarc_auth spf;		/* SPF result of the MAIL FROM identity */
	const char *spf_domain;		/* MAIL FROM domain (HELO for <>) */
	const char *spf_org;		/* its organizational domain, or NULL */
	const struct dmarc_dkim *dkim;
	size_t n_dkim;
	unsigned sample;		/* uniform 0..99, for pct sampling */
};

/* Why the disposition differs from the published policy (RFC 9990). */
enum dmarc_override {
	DMARC_OVERRIDE_NONE = 0,
	DMARC_OVERRIDE_TEST_MODE,	/* t=y: "policy_test_mode" */
	DMARC_OVERRIDE_SAMPLED_OUT,	/* pct: reported as "other" */
};

struct dmarc_verdict {
	enum dmarc_result result;
	enum dmarc_policy policy;	/* the published policy that applies */
	const char *policy_tag;		/* "p", "sp", "np" or "" */
	enum dmarc_policy disposition;	/* what to do: none/quarantine/reject */
	enum dmarc_override override;
	int dkim_aligned;		/* an aligned DKIM pass */
	int spf_aligned;		/* an aligned SPF pass */
	char dkim_domain[DMARC_MAX_DOMAIN + 1];	/* the aligned d=, if any */
	char reason[512];
};

/*
 * The DMARC verdict for one message: alignment (RFC 7489 3.1, relaxed =
 * same organizational domain), result, the policy that applies (p for
 * the policy domain itself, sp for existing subdomains, np for
 * non-existent ones), pct sampling (RFC 7489 6.6.4: a message not
 * sampled gets the next less strict policy) and t=y (RFC 9989 4.7: the
 * policy is not applied).  Never fails: bad input is a permerror or none
 * with a reason.  out is overwritten completely.
 */
void dmarc_evaluate(const struct dmarc_input *in, struct dmarc_verdict *out);

const char *dmarc_result_name(enum dmarc_result r);	/* "pass", ... */
const char *dmarc_auth_name(enum dmarc_auth a);		/* "pass", ... */
/* "pass", "fail", ...; -1 for a word that is not a result. */
int dmarc_auth_parse(const char *s, enum dmarc_auth *out);
/* The RFC 9990 PolicyOverrideType word, or NULL for none. */
const char *dmarc_override_name(enum dmarc_override o);

#endif
