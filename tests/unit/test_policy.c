/*
 * Unit tests for policyd/policy (the pure decision), policyd/header and
 * policyd/cache, with fake SPF outcomes; linked with policyd_core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"
#include "conf.h"
#include "policy.h"
#include "proto.h"
#include "spf.h"
#include "strlist.h"

#define RCV "mx.example.net"

static struct proto_request *
req_new(const char *ip, const char *helo, const char *sender,
    const char *extra)
{
	struct proto_request *r = malloc(sizeof *r);
	const char *why = NULL;
	char buf[4096];

	snprintf(buf, sizeof buf, "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nclient_address=%s\nhelo_name=%s\n"
	    "sender=%s\nrecipient=rcpt@example.net\ninstance=12.34.5\n"
	    "queue_id=QID1\n%s\n", ip, helo, sender, extra);
	if (proto_parse(buf, strlen(buf), r, &why) != 0)
		fail_msg("test request: %s", why);
	return r;
}

static struct spf_outcome
outcome(enum spf_result res, const char *sender, const char *expl)
{
	struct spf_outcome o;

	memset(&o, 0, sizeof o);
	o.result = res;
	snprintf(o.sender, sizeof o.sender, "%s", sender);
	snprintf(o.explanation, sizeof o.explanation, "%s", expl);
	return o;
}

static void
assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void
assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

struct row {
	enum spf_result result;
	enum conf_spf_action action;
	enum policy_kind kind;
	const char *prefix;
};

/* Every MAIL FROM result under every action (DMARC not involved). */
static const struct row rows[] = {
	{ SPF_RES_PASS, CONF_SPF_REJECT, POLICY_PREPEND, "PREPEND Received-SPF: pass (" },
	{ SPF_RES_NEUTRAL, CONF_SPF_REJECT, POLICY_PREPEND, "PREPEND Received-SPF: neutral (" },
	{ SPF_RES_NONE, CONF_SPF_REJECT, POLICY_PREPEND, "PREPEND Received-SPF: none (" },
	{ SPF_RES_FAIL, CONF_SPF_REJECT, POLICY_REJECT, "550 5.7.23 SPF fail for bob@example.org: " },
	{ SPF_RES_FAIL, CONF_SPF_DEFER, POLICY_DEFER, "DEFER_IF_PERMIT 4.7.23 SPF fail" },
	{ SPF_RES_FAIL, CONF_SPF_PREPEND, POLICY_PREPEND, "PREPEND Received-SPF: fail (" },
	{ SPF_RES_SOFTFAIL, CONF_SPF_REJECT, POLICY_REJECT, "550 5.7.23 SPF softfail" },
	{ SPF_RES_SOFTFAIL, CONF_SPF_DEFER, POLICY_DEFER, "DEFER_IF_PERMIT 4.7.23 SPF softfail" },
	{ SPF_RES_SOFTFAIL, CONF_SPF_PREPEND, POLICY_PREPEND, "PREPEND Received-SPF: softfail (" },
	{ SPF_RES_PERMERROR, CONF_SPF_REJECT, POLICY_REJECT, "550 5.7.24 SPF permerror" },
	{ SPF_RES_PERMERROR, CONF_SPF_DEFER, POLICY_DEFER, "DEFER_IF_PERMIT 4.7.24 SPF permerror" },
	{ SPF_RES_PERMERROR, CONF_SPF_PREPEND, POLICY_PREPEND, "PREPEND Received-SPF: permerror (" },
	/* A temporary error is never a 5xx, even under "reject". */
	{ SPF_RES_TEMPERROR, CONF_SPF_REJECT, POLICY_DEFER, "451 4.7.24 SPF temperror" },
	{ SPF_RES_TEMPERROR, CONF_SPF_DEFER, POLICY_DEFER, "DEFER_IF_PERMIT 4.7.24 SPF temperror" },
	{ SPF_RES_TEMPERROR, CONF_SPF_PREPEND, POLICY_PREPEND, "PREPEND Received-SPF: temperror (" },
};

static void
set_action(struct conf *c, enum spf_result r, enum conf_spf_action a)
{
	c->policyd.spf.mailfrom_fail = c->policyd.spf.softfail = CONF_SPF_PREPEND;
	c->policyd.spf.permerror = c->policyd.spf.temperror = CONF_SPF_PREPEND;
	if (r == SPF_RES_FAIL)
		c->policyd.spf.mailfrom_fail = a;
	else if (r == SPF_RES_SOFTFAIL)
		c->policyd.spf.softfail = a;
	else if (r == SPF_RES_PERMERROR)
		c->policyd.spf.permerror = a;
	else if (r == SPF_RES_TEMPERROR)
		c->policyd.spf.temperror = a;
}

static void
test_result_action_table(void **state)
{
	struct conf *c = conf_defaults();
	struct proto_request *r = req_new("192.0.2.1", "mail.example.org",
	    "bob@example.org", "");
	struct spf_outcome ho = outcome(SPF_RES_PASS, "postmaster@mail.example.org", "");
	struct policy_verdict v;

	c->policyd.spf.dmarc_aware = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct spf_outcome mo = outcome(rows[i].result, "bob@example.org",
		    "see http://example.org/spf");
		struct policy_facts f = { r, &ho, &mo, POLICY_DMARC_UNCHECKED, 0 };

		set_action(c, rows[i].result, rows[i].action);
		policy_decide(c, RCV, &f, &v);
		if (v.kind != rows[i].kind)
			fail_msg("row %zu: kind %s", i, policy_kind_name(v.kind));
		assert_prefix(v.action, rows[i].prefix);
		if (v.kind == POLICY_PREPEND) {
			assert_contains(v.action, "identity=mailfrom;");
			assert_contains(v.action, "client-ip=192.0.2.1;");
			assert_contains(v.action, "envelope-from=\"bob@example.org\";");
			assert_contains(v.action, "helo=mail.example.org");
			assert_contains(v.action, "receiver=" RCV ";");
		} else {
			assert_contains(v.action, "see http://example.org/spf");
		}
		/* The second RCPT of the message: one header only. */
		f.header_done = 1;
		policy_decide(c, RCV, &f, &v);
		assert_int_equal(v.kind, rows[i].kind == POLICY_PREPEND ?
		    POLICY_DUNNO : rows[i].kind);
	}
	free(r);
	conf_free(&c);
}

static void
test_helo_first(void **state)
{
	struct conf *c = conf_defaults();
	struct proto_request *r = req_new("192.0.2.1", "bad.example.org",
	    "bob@example.org", "");
	struct spf_outcome ho = outcome(SPF_RES_FAIL, "postmaster@bad.example.org", "");
	struct spf_outcome mo = outcome(SPF_RES_PASS, "bob@example.org", "");
	struct policy_facts f = { r, &ho, &mo, POLICY_DMARC_PRESENT, 0 };
	struct policy_verdict v;

	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_REJECT);
	assert_prefix(v.action, "550 5.7.23 SPF fail for bad.example.org");
	/* HELO fail does not depend on DMARC (the MAIL FROM identity does). */
	assert_false(policy_wants_dmarc(c, &f));
	c->policyd.spf.helo_fail = CONF_SPF_DEFER;
	policy_decide(c, RCV, &f, &v);
	assert_prefix(v.action, "DEFER_IF_PERMIT 4.7.23");
	c->policyd.spf.helo_fail = CONF_SPF_PREPEND;
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_PREPEND);
	assert_prefix(v.action, "PREPEND Received-SPF: pass");
	free(r);
	conf_free(&c);
}

static void
test_null_sender(void **state)
{
	struct conf *c = conf_defaults();
	struct proto_request *r = req_new("192.0.2.1", "mail.example.org", "", "");
	struct spf_outcome ho = outcome(SPF_RES_PASS, "postmaster@mail.example.org", "");
	struct policy_facts f = { r, &ho, NULL, POLICY_DMARC_UNCHECKED, 0 };
	struct policy_verdict v;

	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_PREPEND);
	assert_contains(v.action, "identity=helo;");
	assert_contains(v.action, "envelope-from=\"\";");
	assert_string_equal(policy_domain(r), "mail.example.org");
	/* The HELO identity fails: helo_fail applies, DMARC of the HELO domain. */
	ho.result = SPF_RES_FAIL;
	assert_true(policy_wants_dmarc(c, &f));
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_REJECT);
	assert_prefix(v.action, "550 5.7.23 SPF fail for postmaster@mail.example.org");
	free(r);
	/* No HELO name and a null sender: nothing to check. */
	r = req_new("192.0.2.1", "", "", "");
	f.req = r;
	f.helo = NULL;
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_DUNNO);
	assert_string_equal(v.action, "DUNNO");
	free(r);
	conf_free(&c);
}

static void
test_dmarc_aware(void **state)
{
	struct conf *c = conf_defaults();
	struct proto_request *r = req_new("192.0.2.1", "mail.example.org",
	    "bob@example.org", "");
	struct spf_outcome mo = outcome(SPF_RES_FAIL, "bob@example.org", "");
	struct policy_facts f = { r, NULL, &mo, POLICY_DMARC_PRESENT, 0 };
	struct policy_verdict v;

	assert_true(policy_wants_dmarc(c, &f));
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_PREPEND);
	assert_prefix(v.action, "PREPEND Received-SPF: fail");
	assert_contains(v.reason, "DMARC");
	f.dmarc = POLICY_DMARC_ABSENT;
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_REJECT);
	assert_prefix(v.action, "550 5.7.23");
	f.dmarc = POLICY_DMARC_TEMP;
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_DEFER);
	assert_prefix(v.action, "DEFER_IF_PERMIT 4.7.24");
	/* dmarc_aware off: the record does not matter. */
	c->policyd.spf.dmarc_aware = 0;
	f.dmarc = POLICY_DMARC_PRESENT;
	assert_false(policy_wants_dmarc(c, &f));
	policy_decide(c, RCV, &f, &v);
	assert_int_equal(v.kind, POLICY_REJECT);
	/* Only a blocking fail needs the look-up. */
	c->policyd.spf.dmarc_aware = 1;
	mo.result = SPF_RES_SOFTFAIL;
	assert_false(policy_wants_dmarc(c, &f));
	mo.result = SPF_RES_FAIL;
	c->policyd.spf.mailfrom_fail = CONF_SPF_PREPEND;
	assert_false(policy_wants_dmarc(c, &f));
	free(r);
	conf_free(&c);
}

static void
test_headers(void **state)
{
	struct conf *c = conf_defaults();
	struct proto_request *r = req_new("2001:db8::1", "we\"ird helo",
	    "a(b)@example.org", "");
	struct spf_outcome mo = outcome(SPF_RES_FAIL, "a(b)@example.org",
	    "line\r\nInjected: yes");
	struct policy_facts f = { r, NULL, &mo, POLICY_DMARC_UNCHECKED, 0 };
	struct policy_verdict v;

	c->policyd.spf.mailfrom_fail = CONF_SPF_PREPEND;
	policy_decide(c, RCV, &f, &v);
	/* RFC 7208 9.1: values are dot-atoms or quoted strings, parentheses
	 * in the comment are quoted-pairs. */
	assert_string_equal(v.action, "PREPEND Received-SPF: fail (" RCV ": "
	    "domain of a\\(b\\)@example.org does not designate 2001:db8::1 as "
	    "permitted sender) identity=mailfrom; receiver=" RCV "; "
	    "client-ip=\"2001:db8::1\"; envelope-from=\"a(b)@example.org\"; "
	    "helo=\"we\\\"ird helo\"");
	snprintf(mo.mechanism, sizeof mo.mechanism, "ip4:192.0.2.0/24");
	policy_decide(c, RCV, &f, &v);
	assert_contains(v.action, "helo=\"we\\\"ird helo\"; "
	    "mechanism=\"ip4:192.0.2.0/24\"");
	c->policyd.spf.header = CONF_HEADER_AUTH_RESULTS;
	policy_decide(c, RCV, &f, &v);
	/* RFC 8601: the explanation is the reason, the address a pvalue. */
	assert_string_equal(v.action, "PREPEND Authentication-Results: " RCV
	    "; spf=fail reason=\"domain of a(b)@example.org does not designate "
	    "2001:db8::1 as permitted sender\" "
	    "smtp.mailfrom=\"a(b)@example.org\"");
	/* Reject text: CR/LF of the explanation are gone. */
	c->policyd.spf.mailfrom_fail = CONF_SPF_REJECT;
	c->policyd.spf.dmarc_aware = 0;
	policy_decide(c, RCV, &f, &v);
	assert_string_equal(v.action, "550 5.7.23 SPF fail for a(b)@example.org: "
	    "lineInjected: yes");
	assert_null(strpbrk(v.action, "\r\n"));
	free(r);
	conf_free(&c);
}

static void
test_skip_lists(void **state)
{
	struct conf *c = conf_defaults();
	struct policy_skip s;
	struct proto_request *r;
	char why[256];

	strlist_add(&c->policyd.spf.skip_addresses, "10.0.0.0/8");
	strlist_add(&c->policyd.spf.skip_helo, "trusted.example.net");
	strlist_add(&c->policyd.spf.skip_domains, "partner.example");
	assert_int_equal(policy_skip_init(&s, c, why, sizeof why), 0);
#define SKIP(ip, helo, sender, extra, want) do {                       \
		r = req_new(ip, helo, sender, extra);                  \
		const char *got = policy_skipped(c, &s, r);             \
		if ((want) == NULL ? got != NULL : got == NULL ||     \
		    strstr(got, (want) ? (want) : "") == NULL)          \
			fail_msg("%s %s %s: got %s", ip, helo, sender,  \
			    got ? got : "(checked)");                   \
		free(r);                                                \
	} while (0)
	SKIP("192.0.2.1", "mail.example.org", "bob@example.org", "", NULL);
	SKIP("127.0.0.1", "localhost", "bob@example.org", "", "skip_addresses");
	SKIP("::1", "localhost", "bob@example.org", "", "skip_addresses");
	SKIP("::ffff:10.9.8.7", "x.example", "bob@example.org", "", "skip_addresses");
	SKIP("192.0.2.1", "x.example", "bob@example.org", "sasl_username=bob\n",
	    "authenticated");
	SKIP("192.0.2.1", "TRUSTED.example.net", "bob@example.org", "", "skip_helo");
	SKIP("192.0.2.1", "x.example", "a@partner.example", "", "skip_domains");
	SKIP("192.0.2.1", "x.example", "a@mx.partner.example", "", "skip_domains");
	SKIP("192.0.2.1", "x.example", "a@notpartner.example", "", NULL);
	SKIP("192.0.2.1", "mail.partner.example", "", "", "skip_domains");
	c->policyd.spf.skip_authenticated = 0;
	SKIP("192.0.2.1", "x.example", "bob@example.org", "sasl_username=bob\n",
	    NULL);
#undef SKIP
	policy_skip_clear(&s);
	strlist_add(&c->policyd.spf.skip_addresses, "not-an-address");
	assert_int_equal(policy_skip_init(&s, c, why, sizeof why), -1);
	assert_non_null(strstr(why, "not-an-address"));
	conf_free(&c);
}

static void
test_not_rcpt_stage(void **state)
{
	struct conf *c = conf_defaults();
	struct policy_skip s;
	struct proto_request *r = malloc(sizeof *r);
	static const char buf[] = "request=smtpd_access_policy\n"
	    "protocol_state=DATA\nclient_address=192.0.2.1\n\n";
	const char *why;
	char e[128];

	assert_int_equal(policy_skip_init(&s, c, e, sizeof e), 0);
	assert_int_equal(proto_parse(buf, strlen(buf), r, &why), 0);
	assert_string_equal(policy_skipped(c, &s, r), "not the RCPT stage");
	policy_skip_clear(&s);
	free(r);
	conf_free(&c);
}

static void
test_cache(void **state)
{
	struct cache *cc = cache_new();
	struct proto_request *r1 = req_new("192.0.2.1", "h.example", "a@b.example", "");
	struct proto_request *r2 = req_new("192.0.2.1", "h.example", "c@b.example", "");
	struct policy_verdict v = { POLICY_PREPEND, "PREPEND X: y", "r" }, got;
	char k1[512], k2[512];

	assert_int_equal(cache_key(r1, k1, sizeof k1), 0);
	assert_int_equal(cache_key(r2, k2, sizeof k2), 0);
	assert_string_not_equal(k1, k2);
	assert_int_equal(cache_get(cc, k1, 1000, &got), 0);
	cache_put(cc, k1, 1000, &v);
	assert_int_equal(cache_get(cc, k1, 1001, &got), 1);
	assert_int_equal(got.kind, POLICY_PREPEND);
	assert_string_equal(got.action, "PREPEND X: y");
	/* A new MAIL FROM in the same session is a new message. */
	assert_int_equal(cache_get(cc, k2, 1001, &got), 0);
	/* Entries expire. */
	assert_int_equal(cache_get(cc, k1, 1000 + CACHE_TTL + 1, &got), 0);
	/* Bounded: many messages never grow it, the latest one is found. */
	for (int i = 0; i < 3 * CACHE_SLOTS; i++) {
		char k[64];
		snprintf(k, sizeof k, "inst%d|ip|h|s", i);
		cache_put(cc, k, 2000, &v);
	}
	assert_int_equal(cache_get(cc, "inst12287|ip|h|s", 2000, &got), 1);
	free(r1);
	free(r2);
	/* No instance attribute: no key, nothing cached. */
	r1 = malloc(sizeof *r1);
	{
		const char *why;
		static const char b[] = "request=smtpd_access_policy\n\n";
		assert_int_equal(proto_parse(b, strlen(b), r1, &why), 0);
	}
	assert_int_equal(cache_key(r1, k1, sizeof k1), -1);
	free(r1);
	cache_free(&cc);
	assert_null(cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_action_table),
		cmocka_unit_test(test_helo_first),
		cmocka_unit_test(test_null_sender),
		cmocka_unit_test(test_dmarc_aware),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_skip_lists),
		cmocka_unit_test(test_not_rcpt_stage),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
