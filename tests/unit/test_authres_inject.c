/*
 * Header injection through lib/authres: a table of hostile values (line
 * breaks in every form, fake folds, NUL-free control bytes, DEL, broken
 * UTF-8, quotes, backslashes, comment and ';' tricks, SPF-explanation
 * style text) goes into every place a caller can put text: the authserv-id,
 * a reason, a property value, authres_prop, and every part of
 * Received-SPF; in each fold mode.  Each built value must be exactly one
 * header (only our own folds), and must pass an RFC 8601 / RFC 7208 9.1
 * syntax check written here independently of the module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"

static const char *const hostile[] = {
	"evil.example\r\nX-Evil: 1",
	"evil.example\nX-Evil: 1",
	"evil.example\rX-Evil: 1",
	"evil.example\r\n\tX-Evil: folded",
	"evil.example\r\n\r\nbody-injection",
	"a\x01\x02\x1b[31m\x7f" "b",
	"\xff\xfe\x80 broken utf-8 \xc3",
	"\"; dkim=pass header.d=bank.example; x=\"",
	"\\\"\\\\\\",
	"(unclosed comment",
	"closing) comment) ;",
	"a;b;c=d;",
	"user(\"x\")@[192.0.2.1];",
	"%{l} said \"hi\r\nX-Evil: 1\" \\ \x03",
	"=?utf-8?q?X-Evil=3A_1?=",
	"",
	" ",
	"\t\r\n\t",
};

#define NHOSTILE	(sizeof hostile / sizeof hostile[0])

/* Every CR/LF is a fold this module wrote: CRLF (or LF) then TAB. */
static void
assert_one_header(const char *v, const char *eol)
{
	size_t i;
	int crlf = strcmp(eol, "\r\n") == 0, oneline = *eol == '\0';

	for (i = 0; v[i] != '\0'; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r') {
			assert_true(crlf && v[i + 1] == '\n');
		} else if (c == '\n') {
			assert_false(oneline);
			assert_true(v[i + 1] == '\t');
			assert_true(!crlf || (i > 0 && v[i - 1] == '\r'));
		} else if (c != '\t') {
			assert_true(c >= 0x20 && c != 0x7f);
		}
	}
	assert_null(strstr(v, "\nX-Evil"));
	assert_null(strstr(v, "\rX-Evil"));
}

/* A copy of v with every fold (CR? LF TAB) replaced by one space. */
static char *
unfold(const char *v)
{
	char *u = strdup(v), *o = u;

	assert_non_null(u);
	for (; *v != '\0'; v++) {
		if (*v == '\r')
			continue;
		*o++ = *v == '\n' ? ' ' : *v;
		if (*v == '\n' && v[1] == '\t')
			v++;
	}
	*o = '\0';
	return u;
}

/* The checker below returns NULL (or -1) on a syntax error instead of
 * asserting, so it can be tested on bad input too. */
#define NEED(c)	do { if (!(c)) return NULL; } while (0)

static const char *
skip_cfws(const char *p)
{
	int depth;

	for (;;) {
		NEED(p != NULL);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '(')
			return p;
		for (depth = 0; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				break;
		}
		NEED(*p == ')');
		p++;
	}
}

/*
 * kind 0: RFC 2045 token (authserv-id); 1: RFC 8601 pvalue (token, or
 * '@' and '.' of addr-spec and domain forms); 2: RFC 7208 dot-atom (atext
 * and '.').
 */
static int
is_valchar(unsigned char c, int kind)
{
	if (c <= 0x20 || c >= 0x7f)
		return c >= 0x80 && kind != 0;	/* UTF-8 (RFC 8616) */
	if (kind == 2)
		return strchr("()<>,;:\\\"[]@", c) == NULL;
	if (strchr("()<>,;:\\\"/[]?=", c) != NULL)
		return 0;
	return kind != 0 || c != '@';
}

/* quoted-string or a run of is_valchar(kind); returns the end. */
static const char *
value(const char *p, int kind)
{
	const char *s = p;

	NEED(p != NULL);
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			NEED(*p != '\0');
			if (*p == '\\')
				NEED(*++p != '\0');
		}
		return p + 1;
	}
	while (is_valchar((unsigned char)*p, kind))
		p++;
	NEED(p > s);
	return p;
}

/* keyword: ALPHA / DIGIT / '-' / '_' / '.' (ptype.property) */
static const char *
keyword(const char *p)
{
	const char *s = p;

	NEED(p != NULL);
	while (*p != '\0' && (strchr("-_.", *p) != NULL ||
	    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9')))
		p++;
	NEED(p > s);
	return p;
}

/* "=" between CFWS; returns what follows it. */
static const char *
equals(const char *p)
{
	p = skip_cfws(p);
	NEED(p != NULL && *p == '=');
	return skip_cfws(p + 1);
}

/* method=result [reason=value] *(ptype.prop=pvalue) */
static const char *
resinfo(const char *p)
{
	p = keyword(equals(keyword(skip_cfws(p))));
	for (p = skip_cfws(p); p != NULL && *p != ';' && *p != '\0';
	    p = skip_cfws(p))
		p = value(equals(keyword(p)), 1);
	return p;
}

static int
is_none(const char *p)
{
	p = strncmp(p, "none", 4) == 0 ? skip_cfws(p + 4) : NULL;
	return p != NULL && *p == '\0';
}

/* The whole Authentication-Results value: the number of results, or -1. */
static int
check_ar(const char *v)
{
	char *u = unfold(v);
	const char *p;
	int n = 0;

	p = skip_cfws(value(skip_cfws(u), 0));
	if (p != NULL && !is_none(p)) {
		if (*p != ';')
			p = NULL;
		while (p != NULL && *p == ';') {
			p = skip_cfws(p + 1);
			if (p != NULL && is_none(p)) {
				p = "";
				break;
			}
			p = resinfo(p);
			n++;
		}
		p = skip_cfws(p);
		if (p != NULL && *p != '\0')
			p = NULL;
	}
	free(u);
	return p == NULL ? -1 : n;
}

/* Received-SPF: result [comment] *(key=value [;]): pairs, or -1. */
static int
check_rspf(const char *v)
{
	const char *p = skip_cfws(keyword(v));
	int n = 0;

	while (p != NULL && *p != '\0') {
		p = keyword(p);
		if (p == NULL || *p != '=')
			return -1;
		p = value(p + 1, 2);
		if (p != NULL && *p == ';')
			p++;
		p = skip_cfws(p);
		n++;
	}
	return p == NULL ? -1 : n;
}

static void
build_ar(const char *eol, const char *h, int expect)
{
	struct authres *ar = authres_new(h);
	char *v;

	authres_set_fold(ar, eol);
	authres_add(ar, "spf", "pass", h, "smtp.mailfrom", h, "smtp.helo", h,
	    NULL);
	authres_add(ar, "dkim", "fail", NULL, "header.d", h, "header.s", h,
	    "header.b", h, NULL);
	authres_prop(ar, "header.a", h);
	authres_add(ar, "dmarc", "fail", h, "header.from", h, "policy.dmarc",
	    h, NULL);
	authres_format(ar, &v);
	assert_one_header(v, eol);
	assert_int_equal(check_ar(v), expect);
	free(v);
	authres_free(&ar);
}

static void
test_ar_hostile(void **state)
{
	static const char *const eols[] = { "\r\n", "\n", "" };
	size_t i, e;

	for (e = 0; e < 3; e++)
		for (i = 0; i < NHOSTILE; i++)
			build_ar(eols[e], hostile[i], 3);
}

static void
test_ar_hostile_long(void **state)
{
	static const char *const eols[] = { "\r\n", "" };
	char big[4096];
	size_t i, e, k;

	/* each hostile value repeated to 4 KB: cut, never broken */
	for (i = 0; i < NHOSTILE; i++) {
		size_t hl = strlen(hostile[i]);

		if (hl == 0)
			continue;
		for (k = 0; k + 1 < sizeof big; k++)
			big[k] = hostile[i][k % hl];
		big[sizeof big - 1] = '\0';
		for (e = 0; e < 2; e++) {
			struct authres *ar = authres_new(big);
			char *v;

			authres_set_fold(ar, eols[e]);
			authres_add(ar, "dkim", "fail", big, "header.d", big,
			    NULL);
			authres_format(ar, &v);
			assert_one_header(v, eols[e]);
			assert_int_equal(check_ar(v), 1);
			/* three values, each at most doubled by escaping */
			assert_true(strlen(v) < 3 * (2 * AUTHRES_MAX_VALUE + 2) + 64);
			free(v);
			authres_free(&ar);
		}
	}
}

static void
test_received_spf_hostile(void **state)
{
	size_t i;
	char *v;

	for (i = 0; i < NHOSTILE; i++) {
		const char *h = hostile[i];

		v = authres_received_spf("softfail", h, "client-ip", h,
		    "envelope-from", h, "helo", h, "receiver", h, "identity",
		    "mailfrom", "problem", h, NULL);
		assert_non_null(v);
		assert_one_header(v, "");
		assert_true(strlen(v) <= AUTHRES_MAX_LINE);
		if (check_rspf(v) != 6)
			fail_msg("not Received-SPF syntax: %s", v);
		free(v);
		/* the hostile value as the result keyword is refused */
		if (*h != '\0')
			assert_null(authres_received_spf(h, NULL, NULL));
	}
}

static void
test_hostile_names_refused(void **state)
{
	struct authres *ar = authres_new("mx.example.net");
	size_t i;
	char *v;

	for (i = 0; i < NHOSTILE; i++) {
		assert_int_equal(authres_add(ar, hostile[i], "pass", NULL,
		    NULL), -1);
		assert_int_equal(authres_add(ar, "spf", hostile[i], NULL,
		    NULL), -1);
	}
	assert_int_equal(authres_count(ar), 0);
	assert_int_equal(authres_add(ar, "spf", "pass", NULL, NULL), 0);
	for (i = 0; i < NHOSTILE; i++)
		assert_int_equal(authres_prop(ar, hostile[i], "x"), -1);
	authres_format(ar, &v);
	assert_string_equal(v, "mx.example.net;\r\n\tspf=pass");
	free(v);
	authres_free(&ar);
}

/* The checker itself accepts good values and catches broken ones. */
static void
test_checker(void **state)
{
	static const char *const bad_ar[] = {
		"mx; spf=pass\r\nX-Evil: 1",
		"mx; spf=pass smtp.mailfrom=\"a@b",
		"mx; spf=pass reason=(x",
		"mx; spf=pass x=y; ; dkim",
		"mx spf=pass",
		"mx; spf=pass header.d=a;b=c d",
		"mx; spf pass",
	};
	size_t i;

	assert_int_equal(check_ar("mx; spf=pass smtp.mailfrom=a@b.example"), 1);
	assert_int_equal(check_ar("mx;\r\n\tspf=pass;\r\n\tdkim=fail "
	    "reason=\"x\\\"y\" header.d=b.example"), 2);
	assert_int_equal(check_ar("\"m; x\" (c) ; none"), 0);
	for (i = 0; i < sizeof bad_ar / sizeof bad_ar[0]; i++)
		assert_int_equal(check_ar(bad_ar[i]), -1);
	assert_int_equal(check_rspf("pass (c (nested) \\) ) a=b; c=\"d;\""), 2);
	assert_int_equal(check_rspf("pass a=\"b"), -1);
	assert_int_equal(check_rspf("pass (open a=b"), -1);
	assert_int_equal(check_rspf("pass a b"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ar_hostile),
		cmocka_unit_test(test_ar_hostile_long),
		cmocka_unit_test(test_received_spf_hostile),
		cmocka_unit_test(test_hostile_names_refused),
		cmocka_unit_test(test_checker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
