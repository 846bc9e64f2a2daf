/*
 * dmarc: DMARC policy records and the DMARC verdict, pure.
 *
 * RFC 7489 (DMARC) with the additions of RFC 9989 (np, psd, t; missing p
 * treated as none), which obsoletes it.  No I/O, no logging, no globals:
 * every function may be called from any thread.  Discovery over DNS lives
 * in dmarcfind.h; this module only parses what was found and decides.
 */
#ifndef POSTSEAL_DMARC_H
#define POSTSEAL_DMARC_H

#include <stddef.h>

#define DMARC_MAX_RECORD	4096	/* bytes of one record; longer is refused */
#define DMARC_MAX_URIS		8	/* rua / ruf URIs kept, each list */
#define DMARC_MAX_URI		256	/* bytes of one URI */
#define DMARC_MAX_DOMAIN	253

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,		/* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

enum dmarc_align { DMARC_ALIGN_RELAXED = 0, DMARC_ALIGN_STRICT };
enum dmarc_psd { DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N };

/* One bit per tag, for struct dmarc_record.seen / .ignored. */
enum dmarc_tag {
	DMARC_TAG_V = 0, DMARC_TAG_P, DMARC_TAG_SP, DMARC_TAG_NP,
	DMARC_TAG_ADKIM, DMARC_TAG_ASPF, DMARC_TAG_PCT, DMARC_TAG_RI,
	DMARC_TAG_FO, DMARC_TAG_RF, DMARC_TAG_RUA, DMARC_TAG_RUF,
	DMARC_TAG_PSD, DMARC_TAG_T, DMARC_TAG_COUNT
};

struct dmarc_record {
	enum dmarc_policy p;		/* never UNSET after a successful parse */
	enum dmarc_policy sp;		/* UNSET: p applies */
	enum dmarc_policy np;		/* UNSET: sp, else p applies */
	enum dmarc_align adkim, aspf;	/* default relaxed */
	unsigned pct;			/* 0..100, default 100 (RFC 7489) */
	unsigned long ri;		/* seconds, default 86400 (RFC 7489) */
	int testing;			/* t=y (RFC 9989) */
	enum dmarc_psd psd;		/* default u */
	char fo[16];			/* default "0" */
	char rf[32];			/* default "afrf" */
	size_t n_rua, n_ruf;		/* valid URIs kept, in record order */
	char rua[DMARC_MAX_URIS][DMARC_MAX_URI + 1];
	char ruf[DMARC_MAX_URIS][DMARC_MAX_URI + 1];
	/* p was missing, or p / sp / np invalid with a valid rua: the
	 * record acts as "p=none" (RFC 9989 4.7 and 4.10.1). */
	int p_as_none;
	unsigned seen;			/* 1u << enum dmarc_tag present */
	unsigned ignored;		/* tags whose invalid value was ignored */
};

/*
 * Parse one DMARC record (the TXT strings joined), len bytes; rec need not
 * be NUL-terminated.  Returns 0 with out filled, or -1 with *why (static):
 *   - not a DMARC record: "v=DMARC1" is not the first tag (RFC 9989 4.7);
 *   - longer than DMARC_MAX_RECORD, NUL or control bytes, tag syntax;
 *   - a tag given twice (the tag-list rule of RFC 6376 3.2 that DMARC
 *     records follow);
 *   - p (present) invalid, or sp / np invalid, and no valid rua URI: "no
 *     DMARC processing" (RFC 7489 6.6.3, RFC 9989 4.10.1).
 * Other invalid values fall back to their defaults and set a bit in
 * out->ignored; unknown tags are ignored (RFC 9989 4.7).
 */
int dmarc_parse(const char *rec, size_t len, struct dmarc_record *out,
    const char **why);

/* 1 when the len bytes start with the "v=DMARC1" tag (used to discard
 * other TXT records at _dmarc names before counting them); else 0. */
int dmarc_is_record(const char *rec, size_t len);

const char *dmarc_policy_name(enum dmarc_policy p);	/* "none", ... "" */
const char *dmarc_tag_name(enum dmarc_tag t);		/* "p", "sp", ... */

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
