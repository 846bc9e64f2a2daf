/*
 * test_spf: the SPF engine interface without a name server.
 *
 * Every case here must be decided before any DNS query: the resolver
 * points at a loopback port where nothing listens, and each test checks
 * that no look-up was made.  The DNS paths are covered by
 * tests/integration/test_spf_conformance.sh against a real unbound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "spf.h"

struct fixture {
	struct dns *dns;
	struct spf *spf;
	struct spf_outcome out;
};

static int
setup(void **state)
{
	static const char *const ns[] = { "127.0.0.1@9" };
	struct dns_options opt = { ns, 1, 1, NULL };
	struct fixture *f = calloc(1, sizeof *f);
	char why[256];

	assert_non_null(f);
	f->dns = dns_new(&opt, why, sizeof why);
	assert_non_null(f->dns);
	f->spf = spf_new(f->dns, "mx.example.org", why, sizeof why);
	assert_non_null(f->spf);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	spf_outcome_clear(&f->out);
	spf_free(&f->spf);
	assert_null(f->spf);
	dns_free(&f->dns);
	free(f);
	return 0;
}

/* Run a check that must end before DNS; returns the result. */
static enum spf_result
check(struct fixture *f, const char *ip, const char *helo, const char *sender)
{
	enum spf_result r;

	spf_outcome_clear(&f->out);
	r = spf_check(f->spf, ip, helo, sender, &f->out);
	assert_int_equal(r, f->out.result);
	assert_int_equal(f->out.lookups.n, 0);
	return r;
}

static void
test_result_names(void **state)
{
	(void)state;
	assert_string_equal(spf_result_name(SPF_RES_NONE), "none");
	assert_string_equal(spf_result_name(SPF_RES_NEUTRAL), "neutral");
	assert_string_equal(spf_result_name(SPF_RES_PASS), "pass");
	assert_string_equal(spf_result_name(SPF_RES_FAIL), "fail");
	assert_string_equal(spf_result_name(SPF_RES_SOFTFAIL), "softfail");
	assert_string_equal(spf_result_name(SPF_RES_TEMPERROR), "temperror");
	assert_string_equal(spf_result_name(SPF_RES_PERMERROR), "permerror");
	assert_string_equal(spf_result_name((enum spf_result)42), "unknown");
}

/* The engine the build selected (-DPOSTSEAL_SPF=...). */
static void
test_engine_name(void **state)
{
	(void)state;
#if defined(POSTSEAL_SPF_LIBSPF2) && POSTSEAL_SPF_LIBSPF2
	assert_string_equal(spf_engine_name(), "libspf2");
#else
	assert_string_equal(spf_engine_name(), "builtin");
#endif
}

static void
test_new_needs_resolver(void **state)
{
	char why[128] = "";

	(void)state;
	assert_null(spf_new(NULL, "mx.example.org", why, sizeof why));
	assert_true(why[0] != '\0');
	spf_free(NULL);
	spf_outcome_clear(NULL);
}

static void
test_null_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(spf_check(f->spf, "192.0.2.1", "a.example", "x@a.example",
	    NULL), SPF_RES_TEMPERROR);
	assert_int_equal(spf_check_helo(f->spf, "192.0.2.1", "a.example", NULL),
	    SPF_RES_TEMPERROR);
	assert_int_equal(spf_check(NULL, "192.0.2.1", "a.example", "x@a.example",
	    &f->out), SPF_RES_TEMPERROR);
	assert_int_equal(f->out.lookups.n, 0);
	assert_int_equal(check(f, NULL, "a.example", "x@a.example"),
	    SPF_RES_PERMERROR);
}

static void
test_bad_ip(void **state)
{
	static const char *const bad[] = { "", "garbage", "192.0.2", "192.0.2.256",
	    "1.2.3.4.5", "::ffff:1.2.3", "fe80::1%eth0", "2001:db8::1::2",
	    "192.0.2.1 ", " 192.0.2.1",
	    "0000000000000000000000000000000000000000000000000000000000000000001" };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(check(f, bad[i], "a.example", "x@a.example"),
		    SPF_RES_PERMERROR);
		assert_true(f->out.explanation[0] != '\0');
		assert_string_equal(f->out.client_ip, "");
	}
}

/* An invalid sender domain stops the check after the address is parsed,
 * so the normalised address shows without DNS. */
static void
test_ip_normalisation(void **state)
{
	static const char *const cases[][2] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "::ffff:192.0.2.1", "192.0.2.1" },
		{ "::FFFF:1.2.3.4", "1.2.3.4" },
		{ "0:0:0:0:0:ffff:c000:0201", "192.0.2.1" },
		{ "::ffff:127.0.0.1", "127.0.0.1" },
		{ "2001:DB8::1", "2001:db8::1" },
		{ "2001:db8:0:0:0:0:0:1", "2001:db8::1" },
		{ "::1", "::1" },
		{ "::192.0.2.1", "::192.0.2.1" },	/* IPv4-compatible: stays IPv6 */
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(check(f, cases[i][0], "a.example", "x@nodot"),
		    SPF_RES_NONE);
		assert_string_equal(f->out.client_ip, cases[i][1]);
	}
}

static void
test_null_sender_is_helo(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "192.0.2.1", "[192.0.2.1]", ""), SPF_RES_NONE);
	assert_string_equal(f->out.identity, "helo");
	assert_string_equal(f->out.sender, "postmaster@[192.0.2.1]");
	assert_int_equal(check(f, "192.0.2.1", "localhost", NULL), SPF_RES_NONE);
	assert_string_equal(f->out.identity, "helo");
	assert_string_equal(f->out.sender, "postmaster@localhost");
	assert_int_equal(check(f, "192.0.2.1", NULL, NULL), SPF_RES_NONE);
	assert_string_equal(f->out.identity, "helo");
	assert_int_equal(check(f, "192.0.2.1", "", ""), SPF_RES_NONE);
	spf_outcome_clear(&f->out);
	assert_int_equal(spf_check_helo(f->spf, "192.0.2.1", "OEMCOMPUTER",
	    &f->out), SPF_RES_NONE);
	assert_string_equal(f->out.identity, "helo");
	assert_int_equal(f->out.lookups.n, 0);
}

static void
test_sender_forms(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(check(f, "192.0.2.1", "a.example", "nodot"), SPF_RES_NONE);
	assert_string_equal(f->out.identity, "mailfrom");
	assert_string_equal(f->out.sender, "postmaster@nodot");
	assert_int_equal(check(f, "192.0.2.1", "a.example", "@nodot"),
	    SPF_RES_NONE);
	assert_string_equal(f->out.sender, "postmaster@nodot");
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@"), SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@a..example"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@.a.example"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@a.123"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@[192.0.2.1]"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x@a b.example"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example", "x\r\n@a.example"),
	    SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", "a.example",
	    "x@a1234567890123456789012345678901234567890123456789012345678901234"
	    ".example"), SPF_RES_NONE);
}

static void
test_hostile_lengths(void **state)
{
	struct fixture *f = *state;
	char *big = malloc(10 * 1024 + 1);
	char name[300];

	assert_non_null(big);
	memset(big, 'a', 10 * 1024);
	big[10 * 1024] = '\0';
	big[5000] = '@';
	assert_int_equal(check(f, "192.0.2.1", "a.example", big), SPF_RES_NONE);
	assert_int_equal(check(f, "192.0.2.1", big, ""), SPF_RES_NONE);
	assert_int_equal(check(f, big, "a.example", "x@a.example"),
	    SPF_RES_PERMERROR);
	free(big);
	/* 254 bytes of name: over the 253 a domain may have. */
	memset(name, 'a', sizeof name);
	for (size_t i = 63; i < 254; i += 64)
		name[i] = '.';
	name[254] = '\0';
	assert_int_equal(check(f, "192.0.2.1", name, ""), SPF_RES_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_engine_name),
		cmocka_unit_test(test_new_needs_resolver),
		cmocka_unit_test_setup_teardown(test_null_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_normalisation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_null_sender_is_helo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sender_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_lengths, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
