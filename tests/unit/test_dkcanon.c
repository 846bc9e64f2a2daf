/* Unit tests for lib/dkcanon: RFC 6376 3.4 golden cases, every chunking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dkcanon.h"
#include "xmalloc.h"

struct out {
	unsigned char *p;
	size_t len;
};

static void
sink(void *arg, const unsigned char *buf, size_t len)
{
	struct out *o = arg;

	o->p = xreallocarray(o->p, o->len + len + 1, 1);
	memcpy(o->p + o->len, buf, len);
	o->len += len;
}

/* Canonicalize in (len) fed as chunks of at most step bytes (0: split
 * once at cut). */
static struct out
run_body(enum dkcanon_mode m, const unsigned char *in, size_t len,
    size_t step, size_t cut)
{
	struct out o = { NULL, 0 };
	struct dkcanon_body *b = dkcanon_body_new(m, sink, &o);

	if (step == 0) {
		dkcanon_body_update(b, in, cut);
		dkcanon_body_update(b, in + cut, len - cut);
	} else
		for (size_t i = 0; i < len; i += step)
			dkcanon_body_update(b, in + i, len - i < step ? len - i : step);
	dkcanon_body_final(b);
	assert_int_equal(dkcanon_body_length(b), o.len);
	dkcanon_body_free(&b);
	assert_null(b);
	return o;
}

static unsigned char *
slurp(const char *name, const char *ext, size_t *len)
{
	char path[512];
	unsigned char *p;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/tests/data/dkim/%s.%s", TEST_SRCDIR,
	    name, ext);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = xmalloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void
check_mode(const char *name, enum dkcanon_mode m, const unsigned char *in,
    size_t len)
{
	size_t elen;
	unsigned char *exp = slurp(name, dkcanon_name(m), &elen);

	/* Every single split point, then every chunk size up to 7. */
	for (size_t cut = 0; cut <= len; cut++) {
		struct out o = run_body(m, in, len, 0, cut);
		if (o.len != elen || (elen > 0 && memcmp(o.p, exp, elen) != 0))
			fail_msg("%s %s: wrong output with a split at %zu",
			    name, dkcanon_name(m), cut);
		free(o.p);
	}
	for (size_t step = 1; step < 8; step++) {
		struct out o = run_body(m, in, len, step, 0);
		assert_int_equal(o.len, elen);
		if (elen > 0)
			assert_memory_equal(o.p, exp, elen);
		free(o.p);
	}
	free(exp);
}

static void
test_body_golden(void **state)
{
	static const char *const names[] = { "body-rfc6376", "body-empty",
	    "body-blank-lines", "body-no-final-crlf", "body-whitespace",
	    "body-inner-blank", "body-bare-cr-lf" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t len;
		unsigned char *in = slurp(names[i], "in", &len);
		check_mode(names[i], DKCANON_SIMPLE, in, len);
		check_mode(names[i], DKCANON_RELAXED, in, len);
		free(in);
	}
}

static void
expect_header(enum dkcanon_mode m, const char *name, const char *value,
    const char *want)
{
	char *out;
	size_t n;

	assert_int_equal(dkcanon_header(m, name, strlen(name), value,
	    strlen(value), &out, &n), 0);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	free(out);
}

/* RFC 6376 3.4.5: "A: X\r\nB : Y\t\r\n\tZ  \r\n". */
static void
test_header_rfc_example(void **state)
{
	expect_header(DKCANON_RELAXED, "A", " X", "a:X\r\n");
	expect_header(DKCANON_RELAXED, "B ", " Y\t\r\n\tZ  ", "b:Y Z\r\n");
	expect_header(DKCANON_SIMPLE, "A", " X", "A: X\r\n");
	expect_header(DKCANON_SIMPLE, "B ", " Y\t\r\n\tZ  ", "B : Y\t\r\n\tZ  \r\n");
}

static void
test_header_folds_and_utf8(void **state)
{
	/* libmilter hands folds as bare LF: simple writes the wire CRLF. */
	expect_header(DKCANON_SIMPLE, "Subject", " a\n\tb", "Subject: a\r\n\tb\r\n");
	expect_header(DKCANON_RELAXED, "Subject", " a\n\tb", "subject:a b\r\n");
	expect_header(DKCANON_RELAXED, "SUBJECT", "\t\t", "subject:\r\n");
	expect_header(DKCANON_RELAXED, "X-Utf8", "  Gr\xc3\xbc\xc3\x9f  e  ",
	    "x-utf8:Gr\xc3\xbc\xc3\x9f e\r\n");
	expect_header(DKCANON_SIMPLE, "X-Utf8", "Gr\xc3\xbc\xc3\x9f",
	    "X-Utf8:Gr\xc3\xbc\xc3\x9f\r\n");
}

static void
test_header_limits(void **state)
{
	char *out = NULL;
	size_t n = 0;
	size_t big = DKCANON_MAX_HEADER;
	char *v = xmalloc(big + 1);
	enum dkcanon_mode m;

	memset(v, 'a', big);
	v[big] = '\0';
	assert_int_equal(dkcanon_header(DKCANON_SIMPLE, "", 0, "x", 1, &out,
	    &n), -1);
	assert_int_equal(dkcanon_header(DKCANON_SIMPLE, "X", 1, v, big, &out,
	    &n), -1);
	assert_null(out);
	assert_int_equal(dkcanon_header(DKCANON_RELAXED, "X", 1, v, big - 1,
	    &out, &n), 0);
	assert_int_equal(n, big - 1 + 4);
	free(out);
	free(v);
	assert_int_equal(dkcanon_parse("Relaxed", &m), 0);
	assert_int_equal(m, DKCANON_RELAXED);
	assert_int_equal(dkcanon_parse("simple", &m), 0);
	assert_int_equal(m, DKCANON_SIMPLE);
	assert_int_equal(dkcanon_parse("nofws", &m), -1);
}

/* Many blank lines held back, then content: all of them come out. */
static void
test_body_many_blank_lines(void **state)
{
	size_t nl = 100000, len = 2 * nl + 3;
	unsigned char *in = xmalloc(len);
	struct out o;

	for (size_t i = 0; i < nl; i++)
		memcpy(in + 2 * i, "\r\n", 2);
	memcpy(in + 2 * nl, "x\r\n", 3);
	o = run_body(DKCANON_RELAXED, in, len, 4096, 0);
	assert_int_equal(o.len, len);
	assert_memory_equal(o.p, in, len);
	free(o.p);
	o = run_body(DKCANON_SIMPLE, in, len - 3, 4096, 0);
	assert_int_equal(o.len, 2);
	assert_memory_equal(o.p, "\r\n", 2);
	free(o.p);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_golden),
		cmocka_unit_test(test_header_rfc_example),
		cmocka_unit_test(test_header_folds_and_utf8),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_body_many_blank_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
