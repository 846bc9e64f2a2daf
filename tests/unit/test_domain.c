/* Unit tests for lib/domain: From, addresses, names, org domain, CIDR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain.h"

#ifdef POSTSEAL_HAVE_IDN2
#define IDN_OK 0
#else
#define IDN_OK -1
#endif

struct from_case {
	const char *in;
	int ret;
	const char *local;	/* or, on error, a part of why */
	const char *domain;
	size_t n, nd;
};

static const struct from_case from_cases[] = {
	{ "Name <a@b.example>", 0, "a", "b.example", 1, 1 },
	{ "\"Quoted, Name\" <a@b.example>", 0, "a", "b.example", 1, 1 },
	{ "a@b.example (comment)", 0, "a", "b.example", 1, 1 },
	{ "(c1 (nested \\) x) c2) a@b.example", 0, "a", "b.example", 1, 1 },
	{ "\"Esc \\\"q\\\" \\\\ x\" <u@Example.COM.>", 0, "u", "example.com", 1, 1 },
	{ "a@b.example, d@e.example", 0, "a", "b.example", 2, 2 },
	{ "a@b.example, c@B.EXAMPLE", 0, "a", "b.example", 2, 1 },
	{ "Team: a@b.example, c@d.example;", 0, "a", "b.example", 2, 2 },
	{ "Team: a@b.example; , e@f.example", 0, "a", "b.example", 2, 2 },
	{ "=?utf-8?q?J=C3=B6rg?= <j@example.org>", 0, "j", "example.org", 1, 1 },
	{ "=?UTF-8?B?SsO2cmc=?= <j@example.org>", 0, "j", "example.org", 1, 1 },
	{ "john.@example.jp", 0, "john.", "example.jp", 1, 1 },
	{ "a . b @ example.com", 0, "a.b", "example.com", 1, 1 },
	{ "Name <@relay.example,@r2.example:u@example.com>", 0, "u",
	  "example.com", 1, 1 },
	{ "\"quoted local\"@example.com", 0, "\"quoted local\"", "example.com", 1, 1 },
	{ "user@xn--mnchen-3ya.example", 0, "user", "xn--mnchen-3ya.example", 1, 1 },
	{ "a@b.example\r\n\t(folded)", 0, "a", "b.example", 1, 1 },
	{ "Name\r\n <a@b.example>", 0, "a", "b.example", 1, 1 },
	{ "a@b.example,,c@b.example", 0, "a", "b.example", 2, 1 },
	{ "x@paypal.example <y@evil.example>", 0, "y", "evil.example", 1, 1 },
	{ "Dr. J. Doe <j@doe.example>", 0, "j", "doe.example", 1, 1 },
	{ "undisclosed-recipients:;", -1, "no address", NULL, 0, 0 },
	{ "", -1, "no address", NULL, 0, 0 },
	{ " (only a comment) ", -1, "no address", NULL, 0, 0 },
	{ "<>", -1, "empty address", NULL, 0, 0 },
	{ "Name <>", -1, "empty address", NULL, 0, 0 },
	{ "Name <user>", -1, "no domain", NULL, 0, 0 },
	{ "user", -1, "no domain", NULL, 0, 0 },
	{ "user@", -1, "empty domain", NULL, 0, 0 },
	{ "Name <user@>", -1, "empty domain", NULL, 0, 0 },
	{ "user@exa_mple.com", -1, "invalid character", NULL, 0, 0 },
	{ "user@[192.0.2.1]", -1, "address literal", NULL, 0, 0 },
	{ "a@-b.example", -1, "'-'", NULL, 0, 0 },
	{ "a@b..example", -1, "empty label", NULL, 0, 0 },
	{ "a@1.2.3.4", -1, "numeric", NULL, 0, 0 },
	{ "Name <a@b.example", -1, "missing '>'", NULL, 0, 0 },
	{ "\"unterminated <a@b.example>", -1, "quoted string", NULL, 0, 0 },
	{ "(unterminated a@b.example", -1, "comment", NULL, 0, 0 },
	{ "a@b.example d@e.example", -1, "unexpected", NULL, 0, 0 },
	{ "a@b.example)", -1, "unexpected", NULL, 0, 0 },
	{ "Team: a@b.example, G2: c@d.example;;", -1, "group inside", NULL, 0, 0 },
	{ "Team: a@b.example", -1, "without ';'", NULL, 0, 0 },
	{ "Doe, John <j@doe.example>", -1, "no domain", NULL, 0, 0 },
	{ "<@relay.example u@example.com>", -1, "source route", NULL, 0, 0 },
	{ "a@b.example\x01", -1, "control character", NULL, 0, 0 },
	{ "@example.com", -1, "expected an address", NULL, 0, 0 },
	{ ".@example.com", -1, "invalid local part", NULL, 0, 0 },
};

static void
check_from(const struct from_case *c, size_t len)
{
	struct domain_from f;
	const char *why = NULL;
	int r;

	r = domain_from_header(c->in, len, &f, &why);
	if (r != c->ret)
		fail_msg("'%s': got %d (%s), want %d", c->in, r,
		    why ? why : "-", c->ret);
	if (r == 0) {
		assert_string_equal(f.local, c->local);
		assert_string_equal(f.domain, c->domain);
		assert_int_equal(f.n_addresses, c->n);
		assert_int_equal(f.n_domains, c->nd);
		assert_int_equal(f.domains_differ, c->nd > 1);
		assert_string_equal(f.domains[0], c->domain);
	} else {
		assert_non_null(why);
		if (strstr(why, c->local) == NULL)
			fail_msg("'%s': why '%s' lacks '%s'", c->in, why, c->local);
		assert_int_equal(f.n_addresses, 0);
		assert_string_equal(f.domain, "");
	}
}

static void
test_from_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof from_cases / sizeof from_cases[0]; i++)
		check_from(&from_cases[i], strlen(from_cases[i].in));
}

static void
test_from_idn(void **state)
{
	static const char in[] = "J\xc3\xb6rg <j@m\xc3\xbcnchen.example>";
	struct domain_from f;
	const char *why;
	int r = domain_from_header(in, strlen(in), &f, &why);

	assert_int_equal(r, IDN_OK);
	if (r == 0)
		assert_string_equal(f.domain, "xn--mnchen-3ya.example");
	else
		assert_non_null(strstr(why, "libidn2"));
}

static void
test_from_nul_and_bounds(void **state)
{
	static const char nul[] = "a@b.example\0<c@d.example>";
	struct domain_from f;
	const char *why;
	char big[2100], local[300];

	assert_int_equal(domain_from_header(nul, sizeof nul - 1, &f, &why), -1);
	assert_non_null(strstr(why, "NUL"));
	/* the length given is what is read: the part before NUL parses */
	assert_int_equal(domain_from_header(nul, 11, &f, &why), 0);
	assert_string_equal(f.domain, "b.example");
	assert_int_equal(domain_from_header(NULL, 0, &f, &why), -1);

	memset(big, 'x', 2048);	/* 2 KB display name */
	strcpy(big + 2048, " <a@b.example>");
	assert_int_equal(domain_from_header(big, strlen(big), &f, &why), -1);
	assert_non_null(strstr(why, "too long"));

	memset(local, 'l', 250);	/* 250 + 1 + 9 > 254 */
	strcpy(local + 250, "@b.example");
	assert_int_equal(domain_from_header(local, strlen(local), &f, &why), -1);
	assert_string_equal(why, "address too long");
	local[300 - 1] = '\0';
	memset(local, 'l', 240);	/* 240 + 1 + 9 fits */
	strcpy(local + 240, "@b.example");
	assert_int_equal(domain_from_header(local, strlen(local), &f, &why), 0);
}

static void
test_from_long_domain(void **state)
{
	char in[400], label[64];
	struct domain_from f;
	const char *why;
	size_t i;

	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(in, sizeof in, "u@%s.example", label);	/* 63: fine */
	assert_int_equal(domain_from_header(in, strlen(in), &f, &why), 0);
	snprintf(in, sizeof in, "u@%sa.example", label);	/* 64 */
	assert_int_equal(domain_from_header(in, strlen(in), &f, &why), -1);
	assert_non_null(strstr(why, "63"));
	strcpy(in, "u@");
	for (i = 0; i < 4; i++)	/* 4 * 64 = 256 bytes > 253 */
		snprintf(in + strlen(in), sizeof in - strlen(in), "%s.", label);
	strcat(in, "x");
	assert_int_equal(domain_from_header(in, strlen(in), &f, &why), -1);
	assert_non_null(strstr(why, "too long"));
}

static void
test_from_many_domains(void **state)
{
	char in[600] = "";
	struct domain_from f;
	const char *why;
	int i;

	for (i = 0; i < 10; i++)
		snprintf(in + strlen(in), sizeof in - strlen(in), "%su%d@d%d.example",
		    i ? ", " : "", i, i);
	assert_int_equal(domain_from_header(in, strlen(in), &f, &why), 0);
	assert_int_equal(f.n_addresses, 10);
	assert_int_equal(f.n_domains, 10);
	assert_true(f.domains_differ);
	assert_string_equal(f.domains[7], "d7.example");
	assert_string_equal(f.local, "u0");
}

static void
test_from_address(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *dom;
	} c[] = {
		{ "<user@Example.COM>", 0, "example.com" },
		{ "user@example.com", 0, "example.com" },
		{ " <user@example.com.> ", 0, "example.com" },
		{ "<@relay.example:u@Ex.org>", 0, "ex.org" },
		{ "\"a@b\"@example.net", 0, "example.net" },
		{ "<>", 1, "" },
		{ "", 1, "" },
		{ "  <>  ", 1, "" },
		{ "user", -1, "" },
		{ "@example.com", -1, "" },
		{ "u@[192.0.2.1]", -1, "" },
		{ "u@", -1, "" },
		{ "u@exa mple.com", -1, "" },
		{ "u@example.com\r\nX: y", -1, "" },
	};
	char dom[DOMAIN_MAX_NAME + 1], small[4];
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		strcpy(dom, "junk");
		if (domain_from_address(c[i].in, dom, sizeof dom) != c[i].ret)
			fail_msg("'%s' did not return %d", c[i].in, c[i].ret);
		if (c[i].ret >= 0)
			assert_string_equal(dom, c[i].dom);
	}
	assert_int_equal(domain_from_address(NULL, dom, sizeof dom), 1);
	assert_string_equal(dom, "");
	assert_int_equal(domain_from_address("u@example.com", small,
	    sizeof small), -1);
}

static void
test_valid(void **state)
{
	static const char *good[] = { "example.com", "EXAMPLE.com.", "a-b.example",
	    "xn--mnchen-3ya.de", "a.b.c.d", "x", "0a.example", "ex4mple.c0m" };
	static const char *bad[] = { "", ".", "-a.com", "a-.com", "a..com", ".a.com",
	    "a.com..", "exa_mple.com", "1.2.3.4", "a b.com", "a.123", "a@b.com",
	    "a.com/x" };
	char buf[300], norm[DOMAIN_MAX_NAME + 1];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!domain_valid(good[i]))
			fail_msg("'%s' should be valid", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (domain_valid(bad[i]))
			fail_msg("'%s' should be invalid", bad[i]);
	assert_false(domain_valid(NULL));
	memset(buf, 'a', 63);
	strcpy(buf + 63, ".example");
	assert_true(domain_valid(buf));
	memset(buf, 'a', 64);
	strcpy(buf + 64, ".example");
	assert_false(domain_valid(buf));
	for (i = 0; i < 253; i++)	/* 253 bytes: "a.a.a...a" */
		buf[i] = i % 2 ? '.' : 'a';
	buf[253] = '\0';
	assert_true(domain_valid(buf));
	strcpy(buf + 253, ".a");
	assert_false(domain_valid(buf));
	assert_int_equal(domain_valid("m\xc3\xbcnchen.de"), IDN_OK == 0);
	assert_int_equal(domain_normalise("Mail.EXAMPLE.org.", 17, norm, sizeof norm,
	    &why), 0);
	assert_string_equal(norm, "mail.example.org");
	assert_int_equal(domain_normalise("example.org", 11, norm, 5, &why), -1);
}

static void
test_org(void **state)
{
	static const struct {
		const char *in, *org;
	} c[] = {
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "example.co.uk", "example.co.uk" },
		{ "example.com", "example.com" },
		{ "Mail.Example.COM.", "example.com" },
		{ "x.y.foo.unknowntld", "foo.unknowntld" },
		{ "a.b.xn--fiqs8s", "b.xn--fiqs8s" },
		{ "co.uk", NULL },
		{ "com", NULL },
		{ "unknowntld", NULL },
		{ "bad..example.com", NULL },
		{ "", NULL },
	};
	char buf[DOMAIN_MAX_NAME + 1], small[8];
	const char *r;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		r = domain_org(c[i].in, buf, sizeof buf);
		if (c[i].org == NULL && r != NULL)
			fail_msg("'%s' -> '%s', want NULL", c[i].in, r);
		if (c[i].org != NULL && (r == NULL || strcmp(r, c[i].org) != 0))
			fail_msg("'%s' -> '%s', want '%s'", c[i].in, r ? r : "NULL",
			    c[i].org);
	}
	assert_null(domain_org(NULL, buf, sizeof buf));
	assert_null(domain_org("www.example.com", small, sizeof small));
}

static void
test_subdomain_aligned(void **state)
{
	assert_true(domain_is_subdomain("a.example.com", "example.com"));
	assert_true(domain_is_subdomain("example.com", "example.com"));
	assert_true(domain_is_subdomain("EXAMPLE.COM.", "example.com"));
	assert_true(domain_is_subdomain("x.y.example.com", "Example.Com."));
	assert_false(domain_is_subdomain("badexample.com", "example.com"));
	assert_false(domain_is_subdomain("example.com", "a.example.com"));
	assert_false(domain_is_subdomain("com", ""));
	assert_false(domain_is_subdomain(NULL, "com"));

	assert_false(domain_aligned("a.example.com", "example.com", 1));
	assert_true(domain_aligned("a.example.com", "example.com", 0));
	assert_true(domain_aligned("Example.com", "example.COM.", 1));
	assert_false(domain_aligned("example.com", "example.net", 0));
	assert_true(domain_aligned("a.example.co.uk", "b.example.co.uk", 0));
	assert_false(domain_aligned("example.co.uk", "other.co.uk", 0));
	assert_false(domain_aligned("co.uk", "x.co.uk", 0));
	assert_true(domain_aligned("co.uk", "CO.UK", 0));
	assert_false(domain_aligned("x.blogspot.com", "y.blogspot.com", 0));
	assert_false(domain_aligned("", "", 0));
	assert_false(domain_aligned(NULL, "example.com", 0));
}

static void
test_cidr(void **state)
{
	static const struct {
		const char *net, *ip;
		int match;
	} c[] = {
		{ "192.0.2.0/24", "192.0.2.77", 1 },
		{ "192.0.2.0/24", "192.0.3.1", 0 },
		{ "192.0.2.0/24", "::ffff:192.0.2.5", 1 },
		{ "::ffff:192.0.2.0/120", "192.0.2.9", 1 },
		{ "::ffff:192.0.2.1", "192.0.2.1", 1 },
		{ "2001:db8::/32", "2001:db8:1::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::/33", "2001:db8:7fff::1", 1 },
		{ "2001:db8::/33", "2001:db8:8000::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "127.0.0.1", 0 },
		{ "[::1]", "[::1]", 1 },
		{ "[2001:db8::]/32", "2001:DB8::5", 1 },
		{ "2001:db8::/32", "IPv6:2001:db8::5", 1 },
		{ "127.0.0.1", "127.0.0.2", 0 },
		{ "127.0.0.0/8", "127.255.0.1", 1 },
		{ "0.0.0.0/0", "8.8.8.8", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },
		{ "::/0", "2001:db8::1", 1 },
		{ "192.0.2.1/25", "192.0.2.100", 1 },
		{ "192.0.2.1/25", "192.0.2.200", 0 },
		{ "10.0.0.0/9", "10.127.255.255", 1 },
		{ "10.0.0.0/9", "10.128.0.0", 0 },
		{ "192.0.2.0/24", "garbage", 0 },
		{ "192.0.2.0/24", "", 0 },
	};
	static const char *bad[] = { "192.0.2.0/33", "::/129", "192.0.2.0/",
	    "192.0.2.0/-1", "abc", "", "1.2.3.4/2x", "::ffff:1.2.3.4/95",
	    "[::1", "192.0.2.0/0024", "192.0.2.0/24/8", "1.2.3.4.5" };
	struct domain_cidr n;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		if (domain_cidr_parse(c[i].net, &n) != 0)
			fail_msg("'%s' did not parse", c[i].net);
		if (domain_cidr_match(&n, c[i].ip) != c[i].match)
			fail_msg("'%s' in '%s' != %d", c[i].ip, c[i].net, c[i].match);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (domain_cidr_parse(bad[i], &n) != -1)
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(domain_cidr_parse(NULL, &n), -1);
	assert_int_equal(domain_cidr_parse("::ffff:192.0.2.0/120", &n), 0);
	assert_int_equal(n.prefix, 24);
	assert_int_equal(domain_cidr_match(&n, NULL), 0);
}

static void
test_ip_normalise(void **state)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "::ffff:192.0.2.1", "192.0.2.1" },
		{ "[IPv6:2001:DB8::1]", "2001:db8::1" },
		{ "2001:0db8:0000::0001", "2001:db8::1" },
		{ "192.0.2.1", "192.0.2.1" },
		{ "[192.0.2.1]", "192.0.2.1" },
		{ "::1", "::1" },
	};
	static const char *bad[] = { "1.2.3", "", "example.com", "::1%eth0",
	    "192.0.2.1 ", "[::1" };
	char out[64];
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		assert_int_equal(domain_ip_normalise(c[i].in, out, sizeof out), 0);
		assert_string_equal(out, c[i].out);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (domain_ip_normalise(bad[i], out, sizeof out) != -1)
			fail_msg("'%s' normalised", bad[i]);
	assert_int_equal(domain_ip_normalise("2001:db8::1", out, 5), -1);
	assert_int_equal(domain_ip_normalise(NULL, out, sizeof out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_table),
		cmocka_unit_test(test_from_idn),
		cmocka_unit_test(test_from_nul_and_bounds),
		cmocka_unit_test(test_from_long_domain),
		cmocka_unit_test(test_from_many_domains),
		cmocka_unit_test(test_from_address),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_org),
		cmocka_unit_test(test_subdomain_aligned),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_ip_normalise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
