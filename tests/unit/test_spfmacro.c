/*
 * test_spfmacro: SPF macro expansion (RFC 7208 section 7), the examples
 * of section 7.4 exactly, escapes, transformers, URL-escaping, the
 * exp-only letters, syntax errors and the output bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spfmacro.h"

/* RFC 7208 7.4: strong-bad@email.example.com from 192.0.2.3. */
static const struct spfmacro_ctx ctx4 = {
	.s = "strong-bad@email.example.com", .l = "strong-bad",
	.o = "email.example.com", .d = "email.example.com",
	.h = "mx.example.org", .i = "192.0.2.3", .c = "192.0.2.3",
	.v = "in-addr", .p = "mx.example.org", .r = "receiver.example.net",
	.t = 1700000000,
};

/* The same sender from 2001:db8::cb01. */
static const struct spfmacro_ctx ctx6 = {
	.s = "strong-bad@email.example.com", .l = "strong-bad",
	.o = "email.example.com", .d = "email.example.com",
	.i = "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1",
	.c = "2001:db8::cb01", .v = "ip6",
};

static void
expect(const struct spfmacro_ctx *ctx, enum spfmacro_kind kind,
    const char *in, const char *want)
{
	char out[SPFMACRO_MAX_OUT];
	const char *why = NULL;
	long n;

	n = spfmacro_expand(in, strlen(in), kind, ctx, out, sizeof out, &why);
	if (n < 0)
		fail_msg("%s: %s", in, why);
	assert_string_equal(out, want);
	assert_int_equal((size_t)n, strlen(want));
}

static void
test_rfc_letters(void **state)
{
	static const char *const cases[][2] = {
		{ "%{s}", "strong-bad@email.example.com" },
		{ "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" },
		{ "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" },
		{ "%{d2}", "example.com" },
		{ "%{d1}", "com" },
		{ "%{dr}", "com.example.email" },
		{ "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" },
		{ "%{l-}", "strong.bad" },
		{ "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" },
		{ "%{l1r-}", "strong" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect(&ctx4, SPFMACRO_DOMAIN, cases[i][0], cases[i][1]);
}

static void
test_rfc_strings(void **state)
{
	(void)state;
	expect(&ctx4, SPFMACRO_DOMAIN, "%{ir}.%{v}._spf.%{d2}",
	    "3.2.0.192.in-addr._spf.example.com");
	expect(&ctx4, SPFMACRO_DOMAIN, "%{lr-}.lp._spf.%{d2}",
	    "bad.strong.lp._spf.example.com");
	expect(&ctx4, SPFMACRO_DOMAIN, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect(&ctx4, SPFMACRO_DOMAIN, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	    "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect(&ctx4, SPFMACRO_DOMAIN, "%{d2}.trusted-domains.example.net",
	    "example.com.trusted-domains.example.net");
	expect(&ctx6, SPFMACRO_DOMAIN, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com");
}

static void
test_escapes_and_exp(void **state)
{
	(void)state;
	expect(&ctx4, SPFMACRO_DOMAIN, "a%%b%_c%-d", "a%b c%20d");
	expect(&ctx4, SPFMACRO_EXP, "%{c} via %{r} at %{t}, p=%{p} h=%{h}",
	    "192.0.2.3 via receiver.example.net at 1700000000, "
	    "p=mx.example.org h=mx.example.org");
	expect(&ctx6, SPFMACRO_EXP, "%{c} is %{v}", "2001:db8::cb01 is ip6");
	/* A missing value reads "unknown" (7.3 for p). */
	expect(&ctx6, SPFMACRO_DOMAIN, "%{p}.%{h}", "unknown.unknown");
	expect(NULL, SPFMACRO_DOMAIN, "%{d}", "unknown");
}

static void
test_transformers(void **state)
{
	static const struct spfmacro_ctx c = {
		.l = "foo-bar+zip+quux", .s = "~jack&jill=up-a_b3.c@x.example",
		.d = "a.b.c.d.e",
	};

	(void)state;
	expect(&c, SPFMACRO_DOMAIN, "%{l2r+-}", "bar.foo");
	expect(&c, SPFMACRO_DOMAIN, "%{l+-}", "foo.bar.zip.quux");
	expect(&c, SPFMACRO_DOMAIN, "%{l1}", "foo-bar+zip+quux");
	expect(&c, SPFMACRO_DOMAIN, "%{d128}", "a.b.c.d.e");
	expect(&c, SPFMACRO_DOMAIN, "%{d9r}", "e.d.c.b.a");
	expect(&c, SPFMACRO_DOMAIN, "%{dR}", "e.d.c.b.a");
	expect(&c, SPFMACRO_DOMAIN, "%{d3r}", "c.b.a");
	/* Upper case: URL-escaped; unreserved characters kept. */
	expect(&c, SPFMACRO_DOMAIN, "%{S}",
	    "~jack%26jill%3Dup-a_b3.c%40x.example");
	expect(&c, SPFMACRO_DOMAIN, "%{L+}", "foo-bar.zip.quux");
}

static void
test_syntax_errors(void **state)
{
	static const struct {
		const char *in;
		enum spfmacro_kind kind;
		size_t pos;
	} bad[] = {
		{ "%", SPFMACRO_DOMAIN, 0 },
		{ "foo%.bar", SPFMACRO_DOMAIN, 3 },
		{ "%(ir).sbl", SPFMACRO_DOMAIN, 0 },
		{ "x%{a}", SPFMACRO_DOMAIN, 1 },
		{ "%{x}", SPFMACRO_EXP, 0 },
		{ "%{r}.example.com", SPFMACRO_DOMAIN, 0 },
		{ "%{c}", SPFMACRO_DOMAIN, 0 },
		{ "%{t}", SPFMACRO_DOMAIN, 0 },
		{ "%{d0}", SPFMACRO_DOMAIN, 0 },
		{ "%{d1234}", SPFMACRO_DOMAIN, 0 },
		{ "%{d", SPFMACRO_DOMAIN, 0 },
		{ "%{d2r!}", SPFMACRO_DOMAIN, 0 },
		{ "%{}", SPFMACRO_DOMAIN, 0 },
		{ "a b", SPFMACRO_DOMAIN, 1 },
		{ "ok\x80", SPFMACRO_EXP, 2 },
		{ "tab\there", SPFMACRO_EXP, 3 },
	};
	char out[64];
	const char *why;
	size_t i, pos;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		pos = 999;
		if (spfmacro_check(bad[i].in, strlen(bad[i].in), bad[i].kind,
		    &why, &pos) != -1)
			fail_msg("accepted: %s", bad[i].in);
		assert_non_null(why);
		assert_int_equal(pos, bad[i].pos);
		assert_int_equal(spfmacro_expand(bad[i].in, strlen(bad[i].in),
		    bad[i].kind, &ctx4, out, sizeof out, &why), -1);
	}
	/* The exp-only letters and spaces are fine in exp text. */
	assert_int_equal(spfmacro_check("%{c} %{r} %{t}", 14, SPFMACRO_EXP, &why,
	    &pos), 0);
	assert_int_equal(spfmacro_check("%{c}", 4, SPFMACRO_ANY, &why, &pos), 0);
	assert_int_equal(spfmacro_check("", 0, SPFMACRO_DOMAIN, &why, &pos), 0);
}

static void
test_bounds(void **state)
{
	char small[8], big[SPFMACRO_MAX_OUT];
	const char *why;
	char *in;
	size_t i;

	(void)state;
	assert_int_equal(spfmacro_expand("%{s}", 4, SPFMACRO_DOMAIN, &ctx4, small,
	    sizeof small, &why), -1);
	assert_string_equal(why, "macro expansion too long");
	assert_int_equal(spfmacro_expand("1234567", 7, SPFMACRO_DOMAIN, &ctx4,
	    small, sizeof small, &why), 7);
	/* Only len bytes are read: the NUL-less tail is never looked at. */
	assert_int_equal(spfmacro_expand("%{d}XYZ", 4, SPFMACRO_DOMAIN, &ctx4,
	    big, sizeof big, &why), 17);
	in = malloc(200 * 4 + 1);
	assert_non_null(in);
	for (i = 0; i < 200; i++)
		memcpy(in + 4 * i, "%{s}", 4);
	in[800] = '\0';
	assert_int_equal(spfmacro_expand(in, 800, SPFMACRO_DOMAIN, &ctx4, big,
	    sizeof big, &why), -1);
	free(in);
}

static void
test_domain_truncation(void **state)
{
	static const struct spfmacro_ctx c = {
		.o = "somewhat.long.exp.example.com",
	};
	const char *spec = "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}"
	    ".example.com";
	char out[SPFMACRO_MAX_OUT];
	const char *why;

	(void)state;
	assert_int_equal(spfmacro_domain(spec, strlen(spec), &c, out, sizeof out,
	    &why), 0);
	assert_true(strlen(out) <= 253);
	assert_int_equal(strncmp(out, "somewhat.long.exp.example.com.some", 34), 0);
	assert_string_equal(out + strlen(out) - 12, ".example.com");
	assert_int_equal(spfmacro_domain("msg.example.com.", 16, &c, out,
	    sizeof out, &why), 0);
	assert_string_equal(out, "msg.example.com");
	assert_int_equal(spfmacro_domain(".", 1, &c, out, sizeof out, &why), -1);
}

static void
test_uses(void **state)
{
	(void)state;
	assert_true(spfmacro_uses("x.%{p}.y", 8, 'p'));
	assert_true(spfmacro_uses("%{P2r}", 6, 'p'));
	assert_false(spfmacro_uses("%%{p}", 5, 'p'));
	assert_false(spfmacro_uses("%{d}.p", 6, 'p'));
	assert_false(spfmacro_uses("%{p}", 2, 'p'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_letters),
		cmocka_unit_test(test_rfc_strings),
		cmocka_unit_test(test_escapes_and_exp),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_domain_truncation),
		cmocka_unit_test(test_uses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
