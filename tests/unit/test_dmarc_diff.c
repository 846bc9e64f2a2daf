/*
 * Differential test of the DMARC verdict: postseal's dmarcrec_parse +
 * dmarc_evaluate against libopendmarc (Debian 12, 1.4.2) as a test oracle,
 * on the same inputs: record, From domain, SPF result + domain, DKIM
 * result + d=.  The table is every combination of RECORDS x FROMS x AUTHS.
 *
 * Known OpenDMARC deviations, where it is not the oracle:
 *   - pct: opendmarc_get_policy_to_enforce() never applies pct (its own
 *     documentation says the caller must).  For pct < 100 OpenDMARC is
 *     compared with the published policy postseal selected, and postseal's
 *     disposition must be the next less strict policy (RFC 7489 6.6.4;
 *     the sample is fixed at 0, so pct=0 always samples out).
 *   - t=y (RFC 9989): unknown to OpenDMARC, which enforces the policy.
 *     Compared like pct; postseal's disposition must be none.
 *   - strict alignment: OpenDMARC 1.4.2 takes an identifier that is a
 *     subdomain of the From domain as strictly aligned (RFC 7489 3.1
 *     wants the exact name).  Such a case (aspf=s or adkim=s, an aligned
 *     pass only through a subdomain, OpenDMARC "pass") is counted and
 *     postseal must say fail.
 *   - np and psd (RFC 9989): unknown to OpenDMARC and ignored by it.
 *     Every From domain here exists, so np must not change the answer,
 *     and psd does not take part in evaluation: these are compared as is.
 */
#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <opendmarc/dmarc.h>

/* OpenDMARC's answers, kept under names of our own: its header defines
 * DMARC_POLICY_NONE / _QUARANTINE / _REJECT as macros, which are also
 * postseal's enum names, so they are undefined before dmarc.h. */
enum {
	ODM_PASS = DMARC_POLICY_PASS,
	ODM_NONE = DMARC_POLICY_NONE,
	ODM_QUARANTINE = DMARC_POLICY_QUARANTINE,
	ODM_REJECT = DMARC_POLICY_REJECT,
};
#undef DMARC_POLICY_NONE
#undef DMARC_POLICY_QUARANTINE
#undef DMARC_POLICY_REJECT

#include "dmarc.h"

#define PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

static const char *const RECORDS[] = {
	"v=DMARC1; p=none",
	"v=DMARC1; p=quarantine",
	"v=DMARC1; p=reject",
	"v=DMARC1; p=reject; sp=none",
	"v=DMARC1; p=none; sp=reject",
	"v=DMARC1; p=quarantine; sp=quarantine; adkim=s; aspf=s",
	"v=DMARC1; p=reject; adkim=s",
	"v=DMARC1; p=reject; aspf=s",
	"v=DMARC1; p=reject; pct=100",
	"v=DMARC1; p=reject; pct=0",
	"v=DMARC1; p=quarantine; pct=0",
	"v=DMARC1; p=reject; sp=quarantine; np=none",
	"v=DMARC1; p=reject; t=y",
	"v=DMARC1; p=quarantine; psd=n; rua=mailto:d@example.com",
};

/* From domain, and where its record is published. */
static const struct { const char *from, *policy_domain; } FROMS[] = {
	{ "example.com", "example.com" },
	{ "mail.example.com", "example.com" },
	{ "shop.example.co.uk", "example.co.uk" },
};

/* SPF (MAIL FROM domain) and DKIM (d=) results; "@" stands for the
 * From domain, "^" for its organizational domain (the policy domain). */
static const struct {
	const char *name;
	enum dmarc_auth spf;
	const char *spf_domain;
	enum dmarc_auth dkim;
	const char *dkim_domain;
} AUTHS[] = {
	{ "spf pass, same domain", DMARC_AUTH_PASS, "@", DMARC_AUTH_NONE, NULL },
	{ "spf pass, bounce subdomain", DMARC_AUTH_PASS, "bounce.^",
	    DMARC_AUTH_NONE, NULL },
	{ "spf pass, org domain", DMARC_AUTH_PASS, "^", DMARC_AUTH_FAIL, "^" },
	{ "spf pass unaligned", DMARC_AUTH_PASS, "esp.example.net",
	    DMARC_AUTH_NONE, NULL },
	{ "dkim pass, same domain", DMARC_AUTH_FAIL, "esp.example.net",
	    DMARC_AUTH_PASS, "@" },
	{ "dkim pass, org domain", DMARC_AUTH_FAIL, "@", DMARC_AUTH_PASS, "^" },
	{ "dkim pass unaligned", DMARC_AUTH_PASS, "esp.example.net",
	    DMARC_AUTH_PASS, "esp.example.net" },
	{ "both fail", DMARC_AUTH_FAIL, "@", DMARC_AUTH_FAIL, "@" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
expand(const char *pat, const char *from, const char *org, char *buf,
    size_t n)
{
	if (pat[0] == '@')
		snprintf(buf, n, "%s%s", from, pat + 1);
	else if (strchr(pat, '^') != NULL)
		snprintf(buf, n, "%.*s%s", (int)(strchr(pat, '^') - pat), pat,
		    org);
	else
		snprintf(buf, n, "%s", pat);
}

/* postseal's answer in OpenDMARC's terms; *published gets the policy
 * before pct / t=y are applied. */
static int
postseal_answer(const char *rec, size_t fi, size_t ai, int *published,
    enum dmarc_policy *disposition)
{
	struct dmarc_record r;
	struct dmarc_input in;
	struct dmarc_verdict v;
	struct dmarc_dkim k;
	const char *why = NULL;
	char spfd[256], dkd[256];
	static const int map[] = { ODM_NONE, ODM_NONE, ODM_QUARANTINE,
	    ODM_REJECT };

	assert_int_equal(dmarcrec_parse(rec, strlen(rec), &r, &why), 0);
	memset(&in, 0, sizeof in);
	in.author_domain = FROMS[fi].from;
	in.n_author_domains = 1;
	in.found = DMARC_FOUND_RECORD;
	in.record = &r;
	in.policy_domain = FROMS[fi].policy_domain;
	in.spf = AUTHS[ai].spf;
	expand(AUTHS[ai].spf_domain, FROMS[fi].from, FROMS[fi].policy_domain,
	    spfd, sizeof spfd);
	in.spf_domain = spfd;
	if (AUTHS[ai].dkim_domain != NULL) {
		expand(AUTHS[ai].dkim_domain, FROMS[fi].from,
		    FROMS[fi].policy_domain, dkd, sizeof dkd);
		memset(&k, 0, sizeof k);
		k.domain = dkd;
		k.selector = "s1";
		k.result = AUTHS[ai].dkim;
		in.dkim = &k;
		in.n_dkim = 1;
	}
	in.sample = 0;
	dmarc_evaluate(&in, &v);
	*published = map[v.policy];
	*disposition = v.disposition;
	if (v.result == DMARC_RESULT_PASS)
		return ODM_PASS;
	assert_int_equal(v.result, DMARC_RESULT_FAIL);
	return map[v.disposition];
}

static int
oracle_spf(enum dmarc_auth a)
{
	return a == DMARC_AUTH_PASS ? DMARC_POLICY_SPF_OUTCOME_PASS :
	    a == DMARC_AUTH_NONE ? DMARC_POLICY_SPF_OUTCOME_NONE :
	    DMARC_POLICY_SPF_OUTCOME_FAIL;
}

static int
oracle_answer(const char *rec, size_t fi, size_t ai)
{
	DMARC_POLICY_T *p;
	char spfd[256], dkd[256], recbuf[512], from[256], org[256];
	int sub = strcmp(FROMS[fi].from, FROMS[fi].policy_domain) != 0, res;

	snprintf(recbuf, sizeof recbuf, "%s", rec);
	snprintf(from, sizeof from, "%s", FROMS[fi].from);
	snprintf(org, sizeof org, "%s", FROMS[fi].policy_domain);
	p = opendmarc_policy_connect_init((u_char *)"192.0.2.1", 0);
	assert_non_null(p);
	assert_int_equal(opendmarc_policy_store_from_domain(p, (u_char *)from),
	    DMARC_PARSE_OKAY);
	/* store_dmarc takes the From domain, and the organizational domain
	 * only when the record was found there (then sp applies). */
	assert_int_equal(opendmarc_policy_store_dmarc(p, (u_char *)recbuf,
	    (u_char *)from, sub ? (u_char *)org : NULL), DMARC_PARSE_OKAY);
	expand(AUTHS[ai].spf_domain, from, org, spfd, sizeof spfd);
	assert_int_equal(opendmarc_policy_store_spf(p, (u_char *)spfd,
	    oracle_spf(AUTHS[ai].spf), DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL),
	    DMARC_PARSE_OKAY);
	if (AUTHS[ai].dkim_domain != NULL) {
		expand(AUTHS[ai].dkim_domain, from, org, dkd, sizeof dkd);
		assert_int_equal(opendmarc_policy_store_dkim(p, (u_char *)dkd,
		    (u_char *)"s1", AUTHS[ai].dkim == DMARC_AUTH_PASS ?
		    DMARC_POLICY_DKIM_OUTCOME_PASS :
		    DMARC_POLICY_DKIM_OUTCOME_FAIL, NULL), DMARC_PARSE_OKAY);
	}
	res = opendmarc_get_policy_to_enforce(p);
	opendmarc_policy_connect_shutdown(p);
	return res;
}

static const char *
answer_name(int a)
{
	switch (a) {
	case ODM_PASS: return "pass";
	case ODM_NONE: return "fail/none";
	case ODM_QUARANTINE: return "fail/quarantine";
	case ODM_REJECT: return "fail/reject";
	default: return "other";
	}
}

/* The only pass is SPF from a proper subdomain of From, under aspf=s. */
static int
strict_subdomain(size_t ri, size_t fi, size_t ai)
{
	char spfd[256];
	size_t fl = strlen(FROMS[fi].from), sl;

	if (strstr(RECORDS[ri], "aspf=s") == NULL ||
	    AUTHS[ai].spf != DMARC_AUTH_PASS || AUTHS[ai].dkim == DMARC_AUTH_PASS)
		return 0;
	expand(AUTHS[ai].spf_domain, FROMS[fi].from, FROMS[fi].policy_domain,
	    spfd, sizeof spfd);
	sl = strlen(spfd);
	return sl > fl + 1 && spfd[sl - fl - 1] == '.' &&
	    strcmp(spfd + sl - fl, FROMS[fi].from) == 0;
}

/* One case; returns 1 when it was compared through a known deviation. */
static int
check_case(size_t ri, size_t fi, size_t ai, int *failures)
{
	const char *rec = RECORDS[ri];
	int ours, theirs, published, deviation;
	enum dmarc_policy disp;

	ours = postseal_answer(rec, fi, ai, &published, &disp);
	theirs = oracle_answer(rec, fi, ai);
	deviation = ours != ODM_PASS &&
	    (strstr(rec, "pct=0") != NULL || strstr(rec, "t=y") != NULL);
	if (deviation) {
		/* pct=0 downgrades one step; t=y applies nothing. */
		enum dmarc_policy want = strstr(rec, "t=y") != NULL ?
		    DMARC_POLICY_NONE : published == ODM_REJECT ?
		    DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
		if (disp != want) {
			printf("postseal %s | %s | %s: disposition %s, want %s\n",
			    rec, FROMS[fi].from, AUTHS[ai].name,
			    dmarcrec_policy_name(disp),
			    dmarcrec_policy_name(want));
			(*failures)++;
		}
		ours = published;
	}
	if (ours != theirs && theirs == ODM_PASS && strict_subdomain(ri, fi, ai))
		return 1;
	if (ours != theirs) {
		printf("DISAGREE %s | From %s | %s: postseal %s, OpenDMARC %s\n",
		    rec, FROMS[fi].from, AUTHS[ai].name, answer_name(ours),
		    answer_name(theirs));
		(*failures)++;
	}
	return deviation;
}

static void
test_dmarc_diff_table(void **state)
{
	size_t ri, fi, ai, n = 0, dev = 0;
	int failures = 0;

	(void)state;
	for (ri = 0; ri < N(RECORDS); ri++)
		for (fi = 0; fi < N(FROMS); fi++)
			for (ai = 0; ai < N(AUTHS); ai++, n++)
				dev += check_case(ri, fi, ai, &failures);
	printf("dmarc differential: cases %zu, compared through a known "
	    "deviation (pct, t=y, strict subdomain) %zu, disagreements %d\n", n, dev, failures);
	assert_true(n >= 60);
	assert_int_equal(failures, 0);
}

/* The oracle itself must tell pass from fail, or agreement means nothing. */
static void
test_dmarc_diff_oracle_sane(void **state)
{
	(void)state;
	assert_int_equal(oracle_answer("v=DMARC1; p=reject", 0, 0),
	    ODM_PASS);
	assert_int_equal(oracle_answer("v=DMARC1; p=reject", 0, 7),
	    ODM_REJECT);
	assert_int_equal(oracle_answer("v=DMARC1; p=reject; sp=none", 1, 7),
	    ODM_NONE);
	assert_int_equal(oracle_answer("v=DMARC1; p=reject", 2, 1),
	    ODM_PASS);
}

static int
setup(void **state)
{
	static OPENDMARC_LIB_T lib;

	(void)state;
	memset(&lib, 0, sizeof lib);
	lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
	snprintf((char *)lib.tld_source_file, sizeof lib.tld_source_file,
	    "%s", PSL_FILE);
	return opendmarc_policy_library_init(&lib) == DMARC_PARSE_OKAY ? 0 : -1;
}

static int
teardown(void **state)
{
	OPENDMARC_LIB_T lib;

	(void)state;
	memset(&lib, 0, sizeof lib);
	opendmarc_policy_library_shutdown(&lib);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_diff_oracle_sane),
		cmocka_unit_test(test_dmarc_diff_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
