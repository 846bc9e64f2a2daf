/* Unit tests for lib/dmarc, dmarcrec and dmarctag: record parser, verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc.h"
#include "dmarctag.h"

#define Q DMARC_POLICY_QUARANTINE
#define R DMARC_POLICY_REJECT
#define U DMARC_POLICY_UNSET
#define NONE DMARC_POLICY_NONE

struct parse_case {
	const char *rec;
	int ret;
	const char *why;		/* part of why when ret == -1 */
	enum dmarc_policy p, sp, np;
	int p_as_none;
	unsigned ignored;		/* bits expected in ignored */
};

#define BIT(t) (1u << DMARC_TAG_##t)

static const struct parse_case parse_cases[] = {
	{ "v=DMARC1; p=reject", 0, NULL, R, U, U, 0, 0 },
	{ "v=DMARC1;p=none;", 0, NULL, NONE, U, U, 0, 0 },
	{ "  v = DMARC1 ;  p = Quarantine ; sp=reject; np=none", 0, NULL, Q, R,
	    NONE, 0, 0 },
	{ "v=DMARC1; p=REJECT; SP=none", 0, NULL, R, NONE, U, 0, 0 },
	{ "v=DMARC1", 0, NULL, NONE, U, U, 1, 0 },
	{ "v=DMARC1; rua=mailto:d@example.com", 0, NULL, NONE, U, U, 1, 0 },
	/* v must come first and match exactly. */
	{ "p=reject; v=DMARC1", -1, "not a DMARC record", U, U, U, 0, 0 },
	{ "v=dmarc1; p=reject", -1, "not a DMARC record", U, U, U, 0, 0 },
	{ "v=DMARC10; p=reject", -1, "not a DMARC record", U, U, U, 0, 0 },
	{ "v=DMARC2; p=reject", -1, "not a DMARC record", U, U, U, 0, 0 },
	{ "", -1, "not a DMARC record", U, U, U, 0, 0 },
	{ "v=spf1 -all", -1, "not a DMARC record", U, U, U, 0, 0 },
	/* Duplicates make the record invalid (RFC 6376 3.2). */
	{ "v=DMARC1; p=reject; p=none", -1, "duplicate", U, U, U, 0, 0 },
	{ "v=DMARC1; p=reject; v=DMARC1", -1, "repeated", U, U, U, 0, 0 },
	{ "v=DMARC1; p=reject; pct=5; pct=5", -1, "duplicate", U, U, U, 0, 0 },
	/* Invalid p / sp / np: p=none with a valid rua, else unusable. */
	{ "v=DMARC1; p=bogus", -1, "invalid p", U, U, U, 0, 0 },
	{ "v=DMARC1; p=bogus; rua=mailto:r@example.com", 0, NULL, NONE, U, U,
	    1, BIT(P) },
	{ "v=DMARC1; p=reject; sp=bogus", -1, "invalid sp", U, U, U, 0, 0 },
	{ "v=DMARC1; p=reject; np=x; rua=mailto:r@example.com", 0, NULL, NONE,
	    U, U, 1, BIT(NP) },
	{ "v=DMARC1; p=reject; sp=reject; rua=notauri", 0, NULL, R, R, U, 0,
	    BIT(RUA) },
	{ "v=DMARC1; p=", -1, "invalid p", U, U, U, 0, 0 },
	/* Other invalid values fall back to defaults. */
	{ "v=DMARC1; p=reject; adkim=x; aspf=y; pct=101; ri=-1; fo=2; rf=!;"
	    " psd=maybe; t=yes", 0, NULL, R, U, U, 0, BIT(ADKIM) | BIT(ASPF) |
	    BIT(PCT) | BIT(RI) | BIT(FO) | BIT(RF) | BIT(PSD) | BIT(T) },
	/* Unknown and malformed tags are ignored. */
	{ "v=DMARC1; p=reject; foo=bar; x=1; garbage; =v", 0, NULL, R, U, U, 0, 0 },
	{ "v=DMARC1; p=reject;;; ", 0, NULL, R, U, U, 0, 0 },
	/* Bytes that no DNS TXT DMARC record has. */
	{ "v=DMARC1; p=reject\001", -1, "control", U, U, U, 0, 0 },
};

static void
test_parse_table(void **state)
{
	struct dmarc_record r;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		int ret;
		why = NULL;
		ret = dmarcrec_parse(c->rec, strlen(c->rec), &r, &why);
		if (ret != c->ret)
			fail_msg("case %zu '%s': ret %d why %s", i, c->rec, ret,
			    why ? why : "-");
		if (ret == -1) {
			assert_non_null(why);
			if (c->why != NULL && strstr(why, c->why) == NULL)
				fail_msg("case %zu: why '%s'", i, why);
			continue;
		}
		assert_int_equal(r.p, c->p);
		assert_int_equal(r.sp, c->sp);
		assert_int_equal(r.np, c->np);
		assert_int_equal(r.p_as_none, c->p_as_none);
		if ((r.ignored & c->ignored) != c->ignored)
			fail_msg("case %zu: ignored %x want %x", i, r.ignored,
			    c->ignored);
	}
}

static void
test_parse_every_tag(void **state)
{
	static const char rec[] = "v=DMARC1; p=quarantine; sp=reject; np=reject;"
	    " adkim=s; aspf=s; pct=25; ri=3600; fo=1 : d:s; rf=afrf;"
	    " rua=mailto:a@example.com, mailto:b@example.net!10m , bad uri;"
	    " ruf=mailto:f@example.com; psd=n; t=y";
	struct dmarc_record r;
	const char *why;

	(void)state;
	assert_int_equal(dmarcrec_parse(rec, strlen(rec), &r, &why), 0);
	assert_int_equal(r.p, Q);
	assert_int_equal(r.sp, R);
	assert_int_equal(r.np, R);
	assert_int_equal(r.adkim, DMARC_ALIGN_STRICT);
	assert_int_equal(r.aspf, DMARC_ALIGN_STRICT);
	assert_int_equal(r.pct, 25);
	assert_int_equal(r.ri, 3600);
	assert_string_equal(r.fo, "1:d:s");
	assert_string_equal(r.rf, "afrf");
	assert_int_equal(r.n_rua, 2);
	assert_string_equal(r.rua[0], "mailto:a@example.com");
	assert_string_equal(r.rua[1], "mailto:b@example.net!10m");
	assert_int_equal(r.n_ruf, 1);
	assert_string_equal(r.ruf[0], "mailto:f@example.com");
	assert_int_equal(r.psd, DMARC_PSD_N);
	assert_int_equal(r.testing, 1);
	assert_int_equal(r.ignored, 0);
	assert_int_equal(r.seen, (1u << DMARC_TAG_COUNT) - 1);
}

static void
test_parse_defaults(void **state)
{
	struct dmarc_record r;
	const char *why;

	(void)state;
	assert_int_equal(dmarcrec_parse("v=DMARC1; p=none", 16, &r, &why), 0);
	assert_int_equal(r.adkim, DMARC_ALIGN_RELAXED);
	assert_int_equal(r.aspf, DMARC_ALIGN_RELAXED);
	assert_int_equal(r.pct, 100);
	assert_int_equal(r.ri, 86400);
	assert_string_equal(r.fo, "0");
	assert_string_equal(r.rf, "afrf");
	assert_int_equal(r.psd, DMARC_PSD_U);
	assert_int_equal(r.testing, 0);
	assert_int_equal(r.n_rua, 0);
}

static void
test_parse_bounds(void **state)
{
	char *big = malloc(10 * 1024 + 1);
	struct dmarc_record r;
	const char *why = NULL;
	size_t n;

	(void)state;
	/* 10 KB: refused, whatever it contains. */
	n = (size_t)snprintf(big, 64, "v=DMARC1; p=reject; rua=mailto:");
	memset(big + n, 'a', 10 * 1024 - n);
	big[10 * 1024] = '\0';
	assert_int_equal(dmarcrec_parse(big, 10 * 1024, &r, &why), -1);
	assert_non_null(strstr(why, "too long"));
	/* The length is the bound, not a NUL: only len bytes are read. */
	assert_int_equal(dmarcrec_parse("v=DMARC1; p=reject; sp=none", 18, &r,
	    &why), 0);
	assert_int_equal(r.sp, U);
	/* A NUL inside the length. */
	assert_int_equal(dmarcrec_parse("v=DMARC1; p=r\0eject", 19, &r, &why),
	    -1);
	assert_non_null(strstr(why, "NUL"));
	/* A URI over the bound is dropped. */
	n = (size_t)snprintf(big, 64, "v=DMARC1; p=none; rua=mailto:");
	memset(big + n, 'b', 300);
	big[n + 300] = '\0';
	assert_int_equal(dmarcrec_parse(big, strlen(big), &r, &why), 0);
	assert_int_equal(r.n_rua, 0);
	free(big);
	assert_int_equal(dmarcrec_is_record("v=DMARC1", 8), 1);
	assert_int_equal(dmarcrec_is_record("v=DMARC1x", 9), 0);
	assert_int_equal(dmarcrec_is_record(NULL, 0), 0);
}

/* ---- evaluation ---- */

struct eval_case {
	const char *name;
	const char *rec;
	const char *author, *policy_domain;
	int nonexistent;
	enum dmarc_auth spf;
	const char *spf_domain;
	enum dmarc_auth dkim;		/* one signature unless NONE */
	const char *dkim_domain;
	unsigned sample;
	enum dmarc_result result;
	enum dmarc_policy policy, disposition;
	const char *tag;
	const char *reason;		/* part of the reason */
};

#define FAIL_ DMARC_RESULT_FAIL
#define PASS_ DMARC_RESULT_PASS
#define APASS DMARC_AUTH_PASS
#define AFAIL DMARC_AUTH_FAIL
#define ANONE DMARC_AUTH_NONE
#define ATEMP DMARC_AUTH_TEMPERROR

static const struct eval_case eval_cases[] = {
	{ "aligned DKIM pass", "v=DMARC1; p=reject", "example.com",
	    "example.com", 0, AFAIL, "other.net", APASS, "example.com", 0,
	    PASS_, R, NONE, "p", "DKIM aligned pass (d=example.com)" },
	{ "relaxed DKIM from a subdomain", "v=DMARC1; p=reject", "example.com",
	    "example.com", 0, AFAIL, "other.net", APASS, "mail.example.com", 0,
	    PASS_, R, NONE, "p", "DKIM aligned" },
	{ "strict DKIM from a subdomain", "v=DMARC1; p=reject; adkim=s",
	    "example.com", "example.com", 0, AFAIL, "other.net", APASS,
	    "mail.example.com", 0, FAIL_, R, R, "p", "not aligned" },
	{ "SPF aligned pass only", "v=DMARC1; p=reject", "example.com",
	    "example.com", 0, APASS, "bounce.example.com", AFAIL,
	    "example.com", 0, PASS_, R, NONE, "p", "SPF aligned pass" },
	{ "strict SPF", "v=DMARC1; p=quarantine; aspf=s", "example.com",
	    "example.com", 0, APASS, "bounce.example.com", ANONE, NULL, 0,
	    FAIL_, Q, Q, "p", "spf=pass (bounce.example.com)" },
	{ "both fail", "v=DMARC1; p=reject", "example.com", "example.com", 0,
	    AFAIL, "example.com", AFAIL, "example.com", 0, FAIL_, R, R, "p",
	    "SPF and DKIM not aligned: spf=fail (example.com), dkim=fail" },
	{ "unaligned passes", "v=DMARC1; p=quarantine", "example.com",
	    "example.com", 0, APASS, "evil.net", APASS, "evil.net", 0, FAIL_,
	    Q, Q, "p", "dkim=pass d=evil.net" },
	{ "public suffix does not align", "v=DMARC1; p=reject", "example.co.uk",
	    "example.co.uk", 0, APASS, "co.uk", ANONE, NULL, 0, FAIL_, R, R,
	    "p", "not aligned" },
	{ "subdomain uses sp", "v=DMARC1; p=reject; sp=quarantine",
	    "a.example.com", "example.com", 0, AFAIL, "x.net", ANONE, NULL, 0,
	    FAIL_, Q, Q, "sp", NULL },
	{ "subdomain without sp uses p", "v=DMARC1; p=reject", "a.example.com",
	    "example.com", 0, AFAIL, "x.net", ANONE, NULL, 0, FAIL_, R, R, "p",
	    NULL },
	{ "non-existent subdomain uses np",
	    "v=DMARC1; p=none; sp=quarantine; np=reject", "nx.example.com",
	    "example.com", 1, ANONE, NULL, ANONE, NULL, 0, FAIL_, R, R, "np",
	    "no DKIM signature" },
	{ "existing subdomain ignores np", "v=DMARC1; p=none; np=reject",
	    "a.example.com", "example.com", 0, ANONE, NULL, ANONE, NULL, 0,
	    FAIL_, NONE, NONE, "p", NULL },
	{ "np only for subdomains", "v=DMARC1; p=none; np=reject",
	    "example.com", "example.com", 1, ANONE, NULL, ANONE, NULL, 0, FAIL_,
	    NONE, NONE, "p", NULL },
	{ "pct=0 reject becomes quarantine", "v=DMARC1; p=reject; pct=0",
	    "example.com", "example.com", 0, AFAIL, "example.com", ANONE, NULL,
	    0, FAIL_, R, Q, "p", "not sampled" },
	{ "pct=50 sampled in", "v=DMARC1; p=reject; pct=50", "example.com",
	    "example.com", 0, AFAIL, "example.com", ANONE, NULL, 49, FAIL_, R,
	    R, "p", NULL },
	{ "pct=50 sampled out", "v=DMARC1; p=quarantine; pct=50",
	    "example.com", "example.com", 0, AFAIL, "example.com", ANONE, NULL,
	    50, FAIL_, Q, NONE, "p", "not sampled" },
	{ "pct=100 always", "v=DMARC1; p=reject", "example.com", "example.com",
	    0, AFAIL, "example.com", ANONE, NULL, 99, FAIL_, R, R, "p", NULL },
	{ "t=y: policy not applied", "v=DMARC1; p=reject; t=y", "example.com",
	    "example.com", 0, AFAIL, "example.com", ANONE, NULL, 0, FAIL_, R,
	    NONE, "p", "t=y" },
	{ "t=y with a pass", "v=DMARC1; p=reject; t=y", "example.com",
	    "example.com", 0, APASS, "example.com", ANONE, NULL, 0, PASS_, R,
	    NONE, "p", NULL },
	{ "temperror without aligned pass", "v=DMARC1; p=reject",
	    "example.com", "example.com", 0, ATEMP, "example.com", AFAIL,
	    "example.com", 0, DMARC_RESULT_TEMPERROR, R, NONE, "p",
	    "temporary" },
	{ "temperror with an aligned pass", "v=DMARC1; p=reject",
	    "example.com", "example.com", 0, ATEMP, "example.com", APASS,
	    "example.com", 0, PASS_, R, NONE, "p", NULL },
};

static void
test_eval_table(void **state)
{
	struct dmarc_record rec;
	struct dmarc_input in;
	struct dmarc_verdict v;
	struct dmarc_dkim k;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof eval_cases / sizeof eval_cases[0]; i++) {
		const struct eval_case *c = &eval_cases[i];
		assert_int_equal(dmarcrec_parse(c->rec, strlen(c->rec), &rec,
		    &why), 0);
		memset(&in, 0, sizeof in);
		in.author_domain = c->author;
		in.n_author_domains = 1;
		in.found = DMARC_FOUND_RECORD;
		in.record = &rec;
		in.policy_domain = c->policy_domain;
		in.author_nonexistent = c->nonexistent;
		in.spf = c->spf;
		in.spf_domain = c->spf_domain;
		in.sample = c->sample;
		k.domain = c->dkim_domain;
		k.selector = "s1";
		k.result = c->dkim;
		k.org = NULL;
		in.dkim = &k;
		in.n_dkim = c->dkim_domain != NULL ? 1 : 0;
		dmarc_evaluate(&in, &v);
		if (v.result != c->result || v.policy != c->policy ||
		    v.disposition != c->disposition ||
		    strcmp(v.policy_tag, c->tag) != 0)
			fail_msg("%s: result %s policy %s disp %s tag %s (%s)",
			    c->name, dmarc_result_name(v.result),
			    dmarcrec_policy_name(v.policy),
			    dmarcrec_policy_name(v.disposition), v.policy_tag,
			    v.reason);
		if (c->reason != NULL && strstr(v.reason, c->reason) == NULL)
			fail_msg("%s: reason '%s'", c->name, v.reason);
	}
}

static void
test_eval_no_policy(void **state)
{
	struct dmarc_input in;
	struct dmarc_verdict v;

	(void)state;
	memset(&in, 0, sizeof in);
	in.author_domain = "example.com";
	in.n_author_domains = 1;
	in.spf = DMARC_AUTH_PASS;
	in.spf_domain = "example.com";
	in.found = DMARC_FOUND_NONE;
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_NONE);
	assert_int_equal(v.disposition, DMARC_POLICY_NONE);
	assert_non_null(strstr(v.reason, "no DMARC record for example.com"));

	in.found = DMARC_FOUND_TEMP;
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_TEMPERROR);

	in.found = DMARC_FOUND_NONE;
	in.n_author_domains = 2;
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_NONE);
	assert_non_null(strstr(v.reason, "several From domains"));
	in.multi_from = DMARC_MULTI_PERMERROR;
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_PERMERROR);

	in.n_author_domains = 1;
	in.author_domain = "";
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_PERMERROR);
}

/* Tree-walk organizational domains handed in by the caller win over the
 * PSL: a psd=n at a.example.com makes b.a.example.com and x.example.com
 * different organizations. */
static void
test_eval_given_org(void **state)
{
	struct dmarc_record rec;
	struct dmarc_input in;
	struct dmarc_verdict v;
	struct dmarc_dkim k = { "x.example.com", "s", DMARC_AUTH_PASS,
	    "example.com" };
	const char *why;

	(void)state;
	assert_int_equal(dmarcrec_parse("v=DMARC1; p=reject", 18, &rec, &why),
	    0);
	memset(&in, 0, sizeof in);
	in.author_domain = "b.a.example.com";
	in.n_author_domains = 1;
	in.found = DMARC_FOUND_RECORD;
	in.record = &rec;
	in.policy_domain = "a.example.com";
	in.org_domain = "a.example.com";
	in.dkim = &k;
	in.n_dkim = 1;
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_FAIL);
	k.org = "a.example.com";
	dmarc_evaluate(&in, &v);
	assert_int_equal(v.result, DMARC_RESULT_PASS);
	assert_string_equal(v.dkim_domain, "x.example.com");
}

static void
test_names(void **state)
{
	enum dmarc_auth a;

	(void)state;
	assert_string_equal(dmarcrec_policy_name(DMARC_POLICY_QUARANTINE),
	    "quarantine");
	assert_string_equal(dmarc_result_name(DMARC_RESULT_TEMPERROR),
	    "temperror");
	assert_int_equal(dmarc_auth_parse("SoftFail", &a), 0);
	assert_int_equal(a, DMARC_AUTH_SOFTFAIL);
	assert_int_equal(dmarc_auth_parse("maybe", &a), -1);
	assert_string_equal(dmarc_override_name(DMARC_OVERRIDE_TEST_MODE),
	    "policy_test_mode");
	assert_null(dmarc_override_name(DMARC_OVERRIDE_NONE));
	assert_string_equal(dmarctag_name(DMARC_TAG_NP), "np");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_every_tag),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_eval_no_policy),
		cmocka_unit_test(test_eval_given_org),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
