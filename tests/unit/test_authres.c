/* Unit tests for lib/authres (A-R, Received-SPF builders) and lib/authresid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "authresid.h"

static const char evil[] = "evil.example\r\nX-Evil: 1";

/*
 * The header stays one header: every CR is part of the fold CRLF TAB,
 * every LF is preceded by CR (when crlf) and followed by TAB, and no other
 * control character or NUL appears.
 */
static void
assert_no_injection(const char *v, int crlf)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\r') {
			assert_true(crlf && v[i + 1] == '\n');
		} else if (c == '\n') {
			assert_true(v[i + 1] == '\t');
			assert_true(!crlf || (i > 0 && v[i - 1] == '\r'));
		} else if (c != '\t') {
			assert_true(c >= 0x20 && c != 0x7f);
		}
	}
	assert_null(strstr(v, "\nX-Evil"));
}

/*
 * Count the ';' outside quoted strings and comments, and check that every
 * quoted string and comment is closed: a value that escapes its quotes
 * would show up as an extra ';' or an unbalanced quote.
 */
static int
top_level(const char *v, char sep)
{
	int n = 0, q = 0, depth = 0;

	for (; *v != '\0'; v++) {
		if ((q || depth) && *v == '\\') {
			assert_true(*++v != '\0');
		} else if (q) {
			q = *v != '"';
		} else if (*v == '(') {
			depth++;
		} else if (*v == ')') {
			assert_true(depth-- > 0);
		} else if (depth == 0) {
			q = *v == '"';
			n += *v == sep;
		}
	}
	assert_false(q);
	assert_int_equal(depth, 0);
	return n;
}

static void
assert_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int k;

	while (*p != '\0') {
		k = *p < 0x80 ? 0 : *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
		assert_true(*p < 0x80 || *p >= 0xc0);
		for (p++; k > 0; k--, p++)
			assert_int_equal(*p & 0xc0, 0x80);
	}
}

static void
test_format_basic(void **state)
{
	struct authres *ar = authres_new("mx.example.net");
	char *v;

	assert_int_equal(authres_add(ar, "spf", "pass", NULL, "smtp.mailfrom",
	    "user@example.com", NULL), 0);
	assert_int_equal(authres_add(ar, "dkim", "pass", NULL, "header.d",
	    "example.com", "header.s", "sel", "header.a", "rsa-sha256",
	    "header.b", "abcd/efg", NULL), 0);
	assert_int_equal(authres_add(ar, "dmarc", "pass", NULL, "header.from",
	    "example.com", NULL), 0);
	assert_int_equal(authres_prop(ar, "policy.dmarc", "none"), 0);
	assert_int_equal(authres_count(ar), 3);
	authres_format(ar, &v);
	assert_string_equal(v, "mx.example.net;\r\n"
	    "\tspf=pass smtp.mailfrom=user@example.com;\r\n"
	    "\tdkim=pass header.d=example.com header.s=sel header.a=rsa-sha256\r\n"
	    "\theader.b=\"abcd/efg\";\r\n"
	    "\tdmarc=pass header.from=example.com policy.dmarc=none");
	free(v);
	authres_free(&ar);
	assert_null(ar);
}

static void
test_format_none_and_reason(void **state)
{
	struct authres *ar = authres_new("mx.example.net");
	char *v;

	authres_format(ar, &v);
	assert_string_equal(v, "mx.example.net; none");
	free(v);
	assert_int_equal(authres_add(ar, "dkim", "fail",
	    "body hash \"did\" not \\ verify", "header.d", "example.org", NULL), 0);
	authres_set_fold(ar, "");
	authres_format(ar, &v);
	assert_string_equal(v, "mx.example.net; dkim=fail "
	    "reason=\"body hash \\\"did\\\" not \\\\ verify\" "
	    "header.d=example.org");
	free(v);
	authres_set_fold(ar, "\n");
	authres_format(ar, &v);
	assert_string_equal(v, "mx.example.net;\n\tdkim=fail "
	    "reason=\"body hash \\\"did\\\" not \\\\ verify\""
	    "\n\theader.d=example.org");
	assert_no_injection(v, 0);
	free(v);
	authres_free(&ar);
	authres_free(&ar);	/* NULL is fine */
}

static void
test_format_hostile(void **state)
{
	struct authres *ar = authres_new("mx.example.net\r\n; dkim=pass");
	char big[10240], a257[258], *v, id[AUTHRES_MAX_ID + 1];
	const char *why;

	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(a257, big, 257);
	a257[257] = '\0';
	assert_int_equal(authres_add(ar, "dkim", "pass", evil, "header.d", evil,
	    "header.s", "s;dkim=pass", "header.b", "\"\\\"\\", NULL), 0);
	assert_int_equal(authres_add(ar, "spf", "pass", big, "smtp.mailfrom",
	    "a\"b\\c\r\n@x\x01y", "smtp.helo", big, NULL), 0);
	assert_int_equal(authres_add(ar, "spf\r\n", "pass", NULL, NULL), -1);
	assert_int_equal(authres_add(ar, "spf", "pass; dkim=pass", NULL, NULL), -1);
	assert_int_equal(authres_add(ar, "dmarc", "fail", NULL, "header.from\r\n",
	    "x", "bad", "x", "header.from", NULL, "header.from", "ok.example",
	    NULL), -1);
	assert_int_equal(authres_count(ar), 3);
	authres_format(ar, &v);
	assert_no_injection(v, 1);
	assert_int_equal(top_level(v, ';'), 3);
	assert_non_null(strstr(v, "header.d=\"evil.exampleX-Evil: 1\""));
	assert_non_null(strstr(v, "header.s=\"s;dkim=pass\""));
	assert_non_null(strstr(v, "header.b=\"\\\"\\\\\\\"\\\\\""));
	assert_non_null(strstr(v, "smtp.mailfrom=\"a\\\"b\\\\c@xy\""));
	assert_non_null(strstr(v, "header.from=ok.example"));
	assert_null(strstr(v, "header.from=x"));
	/* 10 KB in: at most AUTHRES_MAX_VALUE bytes of it out, per value */
	assert_null(strstr(v, a257));
	assert_true(strlen(v) < 4 * AUTHRES_MAX_VALUE);
	/* our own id survives as one quoted value that parses back */
	assert_int_equal(authresid_parse(v, strlen(v), id, sizeof id,
	    &why), 0);
	assert_string_equal(id, "mx.example.net; dkim=pass");
	free(v);
	authres_free(&ar);
}

static void
test_format_one_line_bound(void **state)
{
	struct authres *ar = authres_new("mx.example.net");
	char big[400], *v;
	int i;

	memset(big, '"', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	authres_set_fold(ar, "");
	for (i = 0; i < 10; i++)
		authres_add(ar, "dkim", "fail", big, "header.d", big, NULL);
	authres_format(ar, &v);
	assert_no_injection(v, 0);
	assert_null(strchr(v, '\n'));
	assert_true(strlen(v) <= AUTHRES_MAX_LINE);
	/* every result that fits keeps its verdict, long values go first */
	assert_int_equal(top_level(v, ';'), 10);
	assert_non_null(strstr(v, "; dkim=fail; dkim=fail"));
	free(v);
	authres_free(&ar);
}

static void
test_utf8_cut(void **state)
{
	struct authres *ar = authres_new("mx.example.net");
	char big[601], odd[602], *v, *s;
	int i;

	for (i = 0; i < 300; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[600] = '\0';
	authres_add(ar, "dkim", "fail", big, NULL);
	authres_format(ar, &v);
	assert_utf8(v);
	s = strstr(v, "reason=\"");
	assert_non_null(s);
	assert_int_equal(strlen(s), strlen("reason=\"\"") + AUTHRES_MAX_VALUE);
	free(v);
	authres_free(&ar);

	/* one byte off: the cut falls inside a character, which goes whole */
	ar = authres_new("mx.example.net");
	odd[0] = 'x';
	memcpy(odd + 1, big, sizeof big);
	authres_add(ar, "dkim", "fail", odd, NULL);
	authres_format(ar, &v);
	assert_utf8(v);
	s = strstr(v, "reason=\"");
	assert_non_null(s);
	assert_int_equal(strlen(s), strlen("reason=\"\"") + AUTHRES_MAX_VALUE -
	    1);
	free(v);
	authres_free(&ar);
}

static void
test_received_spf(void **state)
{
	char *v, big[10240];

	v = authres_received_spf("pass", "mybox.example.org: domain of "
	    "myname@example.com designates 192.0.2.1 as permitted sender",
	    "receiver", "mybox.example.org", "client-ip", "192.0.2.1",
	    "envelope-from", "myname@example.com", "helo", "foo.example.com",
	    NULL);
	assert_string_equal(v, "pass (mybox.example.org: domain of "
	    "myname@example.com designates 192.0.2.1 as permitted sender) "
	    "receiver=mybox.example.org; client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com");
	free(v);
	v = authres_received_spf("none", NULL, "client-ip", "2001:db8::1",
	    "identity", "mailfrom", "bad key", "x", "helo", NULL, NULL);
	assert_string_equal(v, "none client-ip=\"2001:db8::1\"; identity=mailfrom");
	free(v);
	assert_null(authres_received_spf("pass\r\nX-Evil: 1", NULL, NULL));
	assert_null(authres_received_spf(NULL, NULL, NULL));

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[100] = ')';
	big[200] = '"';
	v = authres_received_spf("fail", big, "helo", evil, "envelope-from",
	    "a\"); x=(\"y\r\n@b", "receiver", big, "client-ip", big, "mechanism",
	    big, NULL);
	assert_no_injection(v, 0);
	assert_null(strchr(v, '\n'));
	assert_true(strlen(v) <= AUTHRES_MAX_LINE);
	assert_int_equal(top_level(v, ';'), 4);
	assert_non_null(strstr(v, "helo=\"evil.exampleX-Evil: 1\""));
	assert_non_null(strstr(v, "envelope-from=\"a\\\"); x=(\\\"y@b\""));
	free(v);
}

static void
test_parse_id(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *out;	/* id, or a part of why */
	} c[] = {
		{ "mx.example.net; spf=pass", 0, "mx.example.net" },
		{ "  (comment (nested)) mx.example.net 1; none", 0, "mx.example.net" },
		{ "mx.example.net (c) 1 (c);", 0, "mx.example.net" },
		{ "\"quoted\\\"id\"; none", 0, "quoted\"id" },
		{ "mx.example.net", 0, "mx.example.net" },
		{ "mx.example.net\r\n\t; dkim=pass", 0, "mx.example.net" },
		{ "mx.example.net;spf=pass", 0, "mx.example.net" },
		{ "", -1, "no authserv-id" },
		{ "; spf=pass", -1, "no authserv-id" },
		{ "(open comment mx; x", -1, "unterminated comment" },
		{ "\"open", -1, "unterminated quoted" },
		{ "\"open\\", -1, "unterminated quoted" },
		{ "mx.example.net spf=pass", -1, "expected ';'" },
		{ "mx.example.net 1 2; x", -1, "expected ';'" },
		{ "mx.example.net/x; spf=pass", -1, "expected ';'" },
	};
	static const char nul[] = "mx\0.example; x";
	char id[AUTHRES_MAX_ID + 1], small[4], big[400];
	const char *why;
	size_t i;
	int r;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		why = NULL;
		r = authresid_parse(c[i].in, strlen(c[i].in), id,
		    sizeof id, &why);
		if (r != c[i].ret)
			fail_msg("'%s': %d (%s)", c[i].in, r, why ? why : "-");
		if (r == 0)
			assert_string_equal(id, c[i].out);
		else if (strstr(why, c[i].out) == NULL)
			fail_msg("'%s': why '%s'", c[i].in, why);
	}
	assert_int_equal(authresid_parse(nul, sizeof nul - 1, id,
	    sizeof id, &why), -1);
	assert_non_null(strstr(why, "NUL"));
	assert_int_equal(authresid_parse("abc; x", 6, small, sizeof small,
	    &why), 0);
	assert_string_equal(small, "abc");
	assert_int_equal(authresid_parse("abcd; x", 7, small,
	    sizeof small, &why), -1);
	assert_non_null(strstr(why, "too long"));
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(authresid_parse(big, strlen(big), id, sizeof id,
	    &why), -1);
	/* len bounds the read: "mx.example.net; ..." cut after "mx" */
	assert_int_equal(authresid_parse("mx.example.net; x", 2, id,
	    sizeof id, &why), 0);
	assert_string_equal(id, "mx");
}

static void
test_claims(void **state)
{
	static const char *ours = "mx.example.net";
	static const struct {
		const char *in;
		int claims;
	} c[] = {
		{ "MX.Example.NET; spf=pass", 1 },
		{ "mx.example.net.; x", 1 },
		{ "\"mx.example.net\"; dkim=pass", 1 },
		{ "(c) mx.example.net garbage garbage", 1 },
		{ " mx.example.net 1; none", 1 },
		{ "mx.example.netx; x", 0 },
		{ "other.example; x", 0 },
		{ "mx.example.ne; x", 0 },
		{ "x.mx.example.net; x", 0 },
		{ "; mx.example.net", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		if (authresid_claims(c[i].in, strlen(c[i].in), ours) !=
		    c[i].claims)
			fail_msg("'%s' claims != %d", c[i].in, c[i].claims);
	assert_true(authresid_claims("mx.example.net", 14, "mx.example.net."));
	assert_false(authresid_claims("mx.example.net", 2, ours));
	assert_false(authresid_claims("mx.example.net", 14, ""));
	assert_false(authresid_claims("mx.example.net", 14, NULL));
	assert_false(authresid_claims(NULL, 0, ours));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_basic),
		cmocka_unit_test(test_format_none_and_reason),
		cmocka_unit_test(test_format_hostile),
		cmocka_unit_test(test_format_one_line_bound),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_received_spf),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_claims),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
