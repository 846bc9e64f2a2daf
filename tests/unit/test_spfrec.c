/*
 * test_spfrec: the SPF record parser.  Valid records from RFC 7208 and
 * the openspf suite with what they parse to; malformed ones with the
 * reason and the byte position reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spfrec.h"

static struct spfrec *
parse_ok(const char *rec, size_t len)
{
	static struct spfrec out;
	const char *why = NULL;
	size_t pos = 0;

	if (spfrec_parse(rec, len, &out, &why, &pos) != 0)
		fail_msg("rejected \"%s\": %s at %zu", rec, why, pos);
	return &out;
}

static void
test_valid(void **state)
{
	static const char *const good[] = {
		"v=spf1",
		"V=SpF1 ~all",
		"v=spf1 +all",
		"v=spf1 a  -all ",
		"v=spf1 mx -all",
		"v=spf1 -all exp=explain._spf.%{d}",
		"v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.123 a -all",
		"v=spf1 a -ptr ip6:2001:db8::/32 mx:mail.example.com/28//64 -all",
		"v=spf1 include:example.com include:example.net -all",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 a:foo:bar/baz.example.com",
		"v=spf1 a:foo.example.xn--zckzah -all",
		"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
		"v=spf1 default=+",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
		"v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
		"v=spf1 ip6:::1.1.1.1/0 ip6:Cafe:Babe:8000::/33",
		"v=spf1 a//0 mx/0 a/24//64 ptr:example.com ptr",
		"v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all",
		"v=spf1 a:%{H} -all",
		"v=spf1 redirect=%{d}.d.spf.example.com.",
		"v=spf1 a:1-2.example.1-2 -all",
		"v=spf1 a:.museum",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		parse_ok(good[i], strlen(good[i]));
}

static void
test_parsed_fields(void **state)
{
	const char *r = "v=spf1 ?a:mail.example.com/28//64 -ip4:192.0.2.0/24 "
	    "~IP6:2001:db8::/32 ptr redirect=_spf.example.com exp=x.%{d}";
	struct spfrec *p;

	(void)state;
	p = parse_ok(r, strlen(r));
	assert_int_equal(p->n, 4);
	assert_int_equal(p->terms[0].mech, SPFREC_A);
	assert_int_equal(p->terms[0].qual, SPFREC_NEUTRAL);
	assert_int_equal(p->terms[0].spec_len, 16);
	assert_memory_equal(p->terms[0].spec, "mail.example.com", 16);
	assert_int_equal(p->terms[0].cidr4, 28);
	assert_int_equal(p->terms[0].cidr6, 64);
	assert_int_equal(p->terms[0].pos, 7);
	assert_int_equal(p->terms[1].mech, SPFREC_IP4);
	assert_int_equal(p->terms[1].qual, SPFREC_FAIL);
	assert_int_equal(p->terms[1].cidr4, 24);
	assert_memory_equal(p->terms[1].addr, "\xc0\x00\x02\x00", 4);
	assert_int_equal(p->terms[2].mech, SPFREC_IP6);
	assert_int_equal(p->terms[2].qual, SPFREC_SOFTFAIL);
	assert_int_equal(p->terms[2].cidr6, 32);
	assert_int_equal(p->terms[3].mech, SPFREC_PTR);
	assert_null(p->terms[3].spec);
	assert_int_equal(p->terms[3].qual, SPFREC_PASS);
	assert_int_equal(p->redirect_len, 16);
	assert_memory_equal(p->redirect, "_spf.example.com", 16);
	assert_memory_equal(p->exp, "x.%{d}", 6);
	assert_int_equal(spfrec_dns_terms(p), 3);
	assert_string_equal(spfrec_mech_name(p->terms[0].mech), "a");
	assert_int_equal(spfrec_qual_char(p->terms[1].qual), '-');
	/* Defaults of the dual CIDR length. */
	p = parse_ok("v=spf1 mx", 9);
	assert_int_equal(p->terms[0].cidr4, 32);
	assert_int_equal(p->terms[0].cidr6, 128);
}

/* Malformed records: the reason must contain want, at byte pos. */
static void
test_malformed(void **state)
{
	static const struct {
		const char *rec;
		size_t pos;
		const char *want;
	} bad[] = {
		{ "v=spf10", 0, "not an SPF record" },
		{ "v=spf1mx", 0, "not an SPF record" },
		{ "spf1 -all", 0, "not an SPF record" },
		{ "v=spf1 ip4:1.2.3.4 -all moo", 24, "unknown mechanism" },
		{ "v=spf1 moo.cow/far_out=man:dog/cat -all", 7, "unknown mech" },
		{ "v=spf1 moo.cow:far_out=man:dog/cat -all", 7, "unknown mech" },
		{ "v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 19, "unknown" },
		{ "v=spf1 a:foo-bar -all", 9, "top label" },
		{ "v=spf1 -all.", 11, "all takes no argument" },
		{ "v=spf1 -all:foobar", 11, "all takes no argument" },
		{ "v=spf1 -all/8", 11, "all takes no argument" },
		{ "v=spf1 ptr/0 -all", 10, "ptr takes" },
		{ "v=spf1 ptr:", 11, "empty domain-spec" },
		{ "v=spf1 a//130 -all", 10, "0..128" },
		{ "v=spf1 a/33 -all", 9, "0..32" },
		{ "v=spf1 a//129", 10, "0..128" },
		{ "v=spf1 a/24/64 -all", 12, "0..32" },
		{ "v=spf1 a:example.com:8080", 17, "top label" },
		{ "v=spf1 a:foo.example.com\0", 24, "control character" },
		{ "v=spf1 a:111.222.33.44", 20, "top label" },
		{ "v=spf1 a:abc.123", 13, "top label" },
		{ "v=spf1 a:museum", 9, "top label" },
		{ "v=spf1 a:museum.", 9, "top label" },
		{ "v=spf1 a:example.-com", 17, "top label" },
		{ "v=spf1 a:", 9, "empty domain-spec" },
		{ "v=spf1 include +all", 14, "needs" },
		{ "v=spf1 include: -all", 15, "empty domain-spec" },
		{ "v=spf1 include:ip5.example.com/24 -all", 27, "top label" },
		{ "v=spf1 exists", 13, "needs" },
		{ "v=spf1 exists:mail.example.com/24", 27, "top label" },
		{ "v=spf1 ip4:1.2.3.4/033 -all", 18, "0..32" },
		{ "v=spf1 ip4:1.2.3.4/33 -all", 18, "0..32" },
		{ "v=spf1 ip4", 10, "ip4 needs" },
		{ "v=spf1 ip4:1.2.3.4//32", 18, "0..32" },
		{ "v=spf1 ip4:1.2.3.4:8080", 11, "dotted-quad" },
		{ "v=spf1 ip4:1.2.3", 11, "dotted-quad" },
		{ "v=spf1 -all ip6", 15, "ip6 needs" },
		{ "v=spf1 ip6:::1.1.1.1/129", 20, "0..128" },
		{ "v=spf1 ip6:::1.1.1.1//33", 20, "0..128" },
		{ "v=spf1 ip6::CAFE::BABE", 11, "IPv6" },
		{ "v=spf1 1up=foo", 7, "must start with a letter" },
		{ "v=spf1 =all", 7, "must start with a letter" },
		{ "v=spf1 -all foo=%abc", 16, "'%' not followed" },
		{ "v=spf1 exp= -all", 11, "empty domain-spec" },
		{ "v=spf1 exp=-all", 11, "top label" },
		{ "v=spf1 redirect=-all ?all", 16, "top label" },
		{ "v=spf1 ?all redirect=", 21, "empty domain-spec" },
		{ "v=spf1 exp=a.example.com -all exp=b.example.com", 30, "twice" },
		{ "v=spf1 redirect=a.example -all redirect=a.example", 31, "twice" },
		{ "v=spf1 -all exp=%{r}.example.com", 16, "only allowed in exp" },
		{ "v=spf1 a:%{a}.example.com -all", 9, "unknown macro letter" },
		{ "v=spf1 -exists:%(ir).sbl.example.com ?all", 15, "'%' not" },
		{ "v=spf1 exists:foo%.sbl.example.com ?all", 17, "'%' not" },
		{ "v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", 9, "non-ASCII" },
		{ "v=spf1 \x80" "a:example.net -all", 7, "non-ASCII" },
		{ "v=spf1 a:example.net \x96" "all", 21, "non-ASCII" },
		{ "v=spf1 a:ctrl.example.com\rptr -all", 25, "control" },
		{ "v=spf1 ip4:192.0.2.5\n include:x.example ~all", 20, "control" },
		{ "v=spf1 foo", 7, "unknown mechanism" },
	};
	struct spfrec out;
	const char *why;
	size_t i, pos, len, wrong = 0;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		pos = 999;
		len = strlen(bad[i].rec);
		if (strcmp(bad[i].rec, "v=spf1 a:foo.example.com") == 0)
			len++;	/* the NUL byte is part of the record */
		if (spfrec_parse(bad[i].rec, len, &out, &why, &pos) != -1)
			fail_msg("accepted: %s", bad[i].rec);
		assert_non_null(why);
		if (strstr(why, bad[i].want) == NULL || pos != bad[i].pos) {
			print_error("%s: got \"%s\" at %zu, want \"%s\" at "
			    "%zu\n", bad[i].rec, why, pos, bad[i].want,
			    bad[i].pos);
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void
test_is_record(void **state)
{
	(void)state;
	assert_true(spfrec_is_record("v=spf1", 6));
	assert_true(spfrec_is_record("V=SPF1 -all", 11));
	assert_false(spfrec_is_record("v=spf10", 7));
	assert_false(spfrec_is_record("v=spf1-all", 10));
	assert_false(spfrec_is_record("v=spf", 5));
	assert_false(spfrec_is_record(NULL, 0));
	/* Only len bytes count. */
	assert_false(spfrec_is_record("v=spf1 -all", 5));
}

static void
test_limits(void **state)
{
	struct spfrec *out = malloc(sizeof *out);
	size_t n = 7 + 4 * (SPFREC_MAX_TERMS + 1), i, pos;
	char *rec = malloc(SPFREC_MAX_LEN + 2);
	const char *why;

	(void)state;
	assert_non_null(out);
	assert_non_null(rec);
	memcpy(rec, "v=spf1 ", 7);
	for (i = 0; i < SPFREC_MAX_TERMS + 1; i++)
		memcpy(rec + 7 + 4 * i, "mx  ", 4);
	assert_int_equal(spfrec_parse(rec, n - 4, out, &why, &pos), 0);
	assert_int_equal(out->n, SPFREC_MAX_TERMS);
	assert_int_equal(spfrec_dns_terms(out), SPFREC_MAX_TERMS);
	assert_int_equal(spfrec_parse(rec, n, out, &why, &pos), -1);
	assert_string_equal(why, "too many terms");
	memset(rec + 7, ' ', SPFREC_MAX_LEN - 6);
	assert_int_equal(spfrec_parse(rec, SPFREC_MAX_LEN, out, &why, &pos), 0);
	assert_int_equal(spfrec_parse(rec, SPFREC_MAX_LEN + 1, out, &why, &pos),
	    -1);
	free(rec);
	free(out);
}

static void
test_domain_spec(void **state)
{
	const char *why;
	size_t pos;

	(void)state;
	assert_int_equal(spfrec_domain_spec("%{d}", 4, &why, &pos), 0);
	assert_int_equal(spfrec_domain_spec("x.%{d2}", 7, &why, &pos), 0);
	assert_int_equal(spfrec_domain_spec("example.com.", 12, &why, &pos), 0);
	assert_int_equal(spfrec_domain_spec("a.%-", 4, &why, &pos), 0);
	assert_int_equal(spfrec_domain_spec("%{d}.", 5, &why, &pos), -1);
	assert_int_equal(spfrec_domain_spec("example.com..", 13, &why, &pos), -1);
	assert_int_equal(spfrec_domain_spec("example.c_m", 11, &why, &pos), -1);
	assert_int_equal(spfrec_domain_spec("", 0, &why, &pos), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parsed_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_domain_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
