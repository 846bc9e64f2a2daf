/*
 * Unit tests for lib/dksign: every signature it makes must verify with
 * libopendkim (in-process, through lib/dkverify with a key file) and with
 * dkimpy (/usr/bin/python3), across the canonicalization corner cases;
 * a tampered body or header must fail with both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dksign.h"
#include "dkverify.h"
#include "xmalloc.h"

#define DOMAIN "example.com"

static char tmpdir[] = "/tmp/test_dksign.XXXXXX";
static char keyfile[600];
static EVP_PKEY *rsa, *ed;
static struct dkverify_lib *vlib;
static int nfiles;

struct msg {
	char *p;
	size_t len;
};

static char *
pub_b64(EVP_PKEY *k)
{
	unsigned char raw[1024], *der = raw;
	size_t n = sizeof raw;
	char *out = xmalloc(2048);
	int len;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519)
		assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &n), 1);
	else {
		len = i2d_PUBKEY(k, &der);
		assert_true(len > 0);
		n = (size_t)len;
	}
	EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
	return out;
}

static int
setup(void **state)
{
	char *prsa, *ped;
	FILE *f;

	assert_non_null(mkdtemp(tmpdir));
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(rsa);
	assert_non_null(ed);
	prsa = pub_b64(rsa);
	ped = pub_b64(ed);
	snprintf(keyfile, sizeof keyfile, "%s/keys", tmpdir);
	f = fopen(keyfile, "w");
	assert_non_null(f);
	fprintf(f, "rsa._domainkey." DOMAIN " v=DKIM1; k=rsa; p=%s\n", prsa);
	fprintf(f, "ed._domainkey." DOMAIN " v=DKIM1; k=ed25519; p=%s\n", ped);
	fclose(f);
	free(prsa);
	free(ped);
	vlib = dkverify_lib_new_file(keyfile, NULL, 0);
	assert_non_null(vlib);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[700];

	dkverify_lib_free(&vlib);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct msg
slurp(const char *name)
{
	char path[512];
	struct msg m;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/data/dkim/%s", TEST_SRCDIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	m.len = (size_t)ftell(f);
	rewind(f);
	m.p = xmalloc(m.len + 1);
	assert_int_equal(fread(m.p, 1, m.len, f), m.len);
	m.p[m.len] = '\0';
	fclose(f);
	return m;
}

/* Walk the header fields of m: cb(name, value) per field; returns the
 * offset of the body. */
static size_t
each_header(const struct msg *m, void (*cb)(void *, const char *,
    const char *), void *arg)
{
	size_t i = 0;

	while (i < m->len && !(m->p[i] == '\r' && m->p[i + 1] == '\n')) {
		size_t s = i, colon;
		while (i < m->len) {	/* field ends at CRLF not followed by WSP */
			char *e = memmem(m->p + i, m->len - i, "\r\n", 2);
			i = e ? (size_t)(e - m->p) + 2 : m->len;
			if (i >= m->len || (m->p[i] != ' ' && m->p[i] != '\t'))
				break;
		}
		colon = (size_t)((char *)memchr(m->p + s, ':', i - s) - m->p);
		char *name = xstrndup(m->p + s, colon - s);
		char *value = xstrndup(m->p + colon + 1, i - 2 - colon - 1);
		cb(arg, name, value);
		free(name);
		free(value);
	}
	return i + 2 <= m->len ? i + 2 : m->len;
}

static void
sign_cb(void *arg, const char *name, const char *value)
{
	assert_int_equal(dksign_header(arg, name, value), 0);
}

static void
verify_cb(void *arg, const char *name, const char *value)
{
	dkverify_header(arg, name, value);
}

static void
feed_chunks(int (*fn)(void *, const unsigned char *, size_t), void *h,
    const struct msg *m, size_t off, size_t step)
{
	for (size_t i = off; i < m->len; i += step)
		assert_int_equal(fn(h, (const unsigned char *)m->p + i,
		    m->len - i < step ? m->len - i : step), 0);
}

static int
sign_body_fn(void *h, const unsigned char *p, size_t n)
{
	return dksign_body(h, p, n);
}

static int
verify_body_fn(void *h, const unsigned char *p, size_t n)
{
	return dkverify_body(h, p, n);
}

/* Sign m with the given canonicalizations and keys; returns the signed
 * message (signatures prepended). */
static struct msg
sign_msg(const struct msg *m, int hc, int bc, EVP_PKEY **keys, size_t nkeys,
    size_t step)
{
	static const char *const over[] = { "From" };
	struct dksign_key k[2];
	struct dksign_opts o = { .header_canon = hc, .body_canon = bc,
	    .oversign_headers = over, .n_oversign = 1,
	    .timestamp = (long)time(NULL), .ttl = 86400 };
	struct strlist sigs = { 0 };
	struct dksign *s;
	struct msg out = { NULL, 0 };
	char why[256];
	size_t off;

	for (size_t i = 0; i < nkeys; i++) {
		k[i].domain = DOMAIN;
		k[i].selector = keys[i] == rsa ? "rsa" : "ed";
		k[i].pkey = keys[i];
	}
	s = dksign_new(&o, k, nkeys);
	off = each_header(m, sign_cb, s);
	feed_chunks(sign_body_fn, s, m, off, step);
	if (dksign_eom(s, &sigs, why, sizeof why) != 0)
		fail_msg("dksign_eom: %s", why);
	dksign_free(&s);
	assert_int_equal(sigs.n, nkeys);
	for (size_t i = 0; i < sigs.n; i++) {
		char *h = xasprintf("DKIM-Signature:%s\r\n", sigs.v[i]);
		out.p = xreallocarray(out.p, out.len + strlen(h) + 1, 1);
		memcpy(out.p + out.len, h, strlen(h));
		out.len += strlen(h);
		free(h);
	}
	out.p = xreallocarray(out.p, out.len + m->len + 1, 1);
	memcpy(out.p + out.len, m->p, m->len);
	out.len += m->len;
	out.p[out.len] = '\0';
	strlist_clear(&sigs);
	return out;
}

/* libopendkim in-process: how many signatures passed, of *total. */
static size_t
opendkim_passes(const struct msg *m, size_t *total)
{
	struct dkverify *v = dkverify_new(vlib, 10);
	struct dkverify_result *r;
	size_t n, pass = 0, off;

	assert_non_null(v);
	off = each_header(m, verify_cb, v);
	assert_int_equal(dkverify_eoh(v), 0);
	feed_chunks(verify_body_fn, v, m, off, 65536);
	assert_int_equal(dkverify_eom(v, &r, &n), 0);
	for (size_t i = 0; i < n; i++) {
		pass += r[i].status == DKVERIFY_PASS;
		if (r[i].status == DKVERIFY_PASS)
			assert_true(strlen(r[i].b) == 8);
	}
	free(r);
	dkverify_free(&v);
	*total = n;
	return pass;
}

static char *
save(const struct msg *m)
{
	char *path = xasprintf("%s/m%03d.eml", tmpdir, nfiles++);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(m->p, 1, m->len, f), m->len);
	fclose(f);
	return path;
}

static void
add_saved(struct strlist *l, const struct msg *m)
{
	char *path = save(m);

	strlist_add(l, path);
	free(path);
}

/* dkimpy over files: the number of "pass" and "fail" lines. */
static void
dkimpy(struct strlist *files, size_t *pass, size_t *failed)
{
	char *cmd = xasprintf("/usr/bin/python3 %s/tests/data/dkim/dkimpy_tool.py"
	    " verify %s", TEST_SRCDIR, keyfile), *c2, line[1024];
	FILE *p;

	for (size_t i = 0; i < files->n; i++) {
		c2 = xasprintf("%s %s", cmd, files->v[i]);
		free(cmd);
		cmd = c2;
	}
	c2 = xasprintf("%s 2>/dev/null", cmd);
	p = popen(c2, "r");
	assert_non_null(p);
	*pass = *failed = 0;
	while (fgets(line, sizeof line, p) != NULL) {
		*pass += strstr(line, " pass") != NULL;
		*failed += strstr(line, " fail") != NULL;
	}
	pclose(p);
	free(cmd);
	free(c2);
}

/* A copy of m with "X" inserted at the start of the body, or, when
 * header is set, appended to the Subject value. */
static struct msg
tamper(const struct msg *m, int header)
{
	struct msg t;
	const char *at = header ? strstr(m->p, "\r\nSubject:") : NULL;
	size_t pos;

	if (at != NULL)
		pos = (size_t)(strstr(at + 2, "\r\n") - m->p);
	else
		pos = (size_t)(strstr(m->p, "\r\n\r\n") - m->p) + 4;
	t.len = m->len + 1;
	t.p = xmalloc(t.len + 1);
	memcpy(t.p, m->p, pos);
	t.p[pos] = 'X';
	memcpy(t.p + pos + 1, m->p + pos, m->len - pos + 1);
	return t;
}

static void
check_folding(const struct msg *m)
{
	const char *p = m->p, *e;

	assert_int_equal(strncmp(p, "DKIM-Signature: v=1; a=", 23), 0);
	for (; strncmp(p, "DKIM-Signature:", 15) == 0 || *p == '\t'; p = e + 2) {
		e = strstr(p, "\r\n");
		if ((size_t)(e - p) > 78)
			fail_msg("signature line of %zu columns", (size_t)(e - p));
	}
}

static void
run_interop(const char *const *names, size_t nnames, int tamper_header)
{
	static const int canons[][2] = { { DKCANON_RELAXED, DKCANON_RELAXED },
	    { DKCANON_SIMPLE, DKCANON_SIMPLE }, { DKCANON_RELAXED, DKCANON_SIMPLE } };
	EVP_PKEY *keys[2] = { rsa, ed };
	struct strlist good = { 0 }, bad = { 0 };
	size_t pass, failed, total, nsig = 0, step = 1;

	for (size_t i = 0; i < nnames; i++) {
		struct msg m = slurp(names[i]);
		for (size_t c = 0; c < 3; c++, step = step * 7 % 4099) {
			struct msg s = sign_msg(&m, canons[c][0], canons[c][1],
			    keys, 2, step);
			struct msg t = tamper(&s, tamper_header);
			check_folding(&s);
			if (opendkim_passes(&s, &total) != 2 || total != 2)
				fail_msg("libopendkim: %s c=%zu does not pass", names[i], c);
			assert_int_equal(opendkim_passes(&t, &total), 0);
			assert_int_equal(total, 2);
			add_saved(&good, &s);
			add_saved(&bad, &t);
			nsig += 2;
			free(s.p);
			free(t.p);
		}
		free(m.p);
	}
	dkimpy(&good, &pass, &failed);
	assert_int_equal(failed, 0);
	assert_int_equal(pass, nsig);
	dkimpy(&bad, &pass, &failed);
	assert_int_equal(pass, 0);
	assert_int_equal(failed, nsig);
	strlist_clear(&good);
	strlist_clear(&bad);
}

static void
test_interop_corner_cases(void **state)
{
	static const char *const names[] = { "msg-basic.eml",
	    "msg-empty-body.eml", "msg-blank-lines.eml", "msg-trailing-ws.eml",
	    "msg-no-final-crlf.eml", "msg-long-folded.eml", "msg-utf8.eml",
	    "msg-repeated.eml" };

	run_interop(names, sizeof names / sizeof names[0], 0);
}

static void
test_interop_header_tamper(void **state)
{
	static const char *const names[] = { "msg-basic.eml", "msg-repeated.eml" };

	run_interop(names, 2, 1);
}

/* The number after tag (e.g. "t=") at the start of a line or after
 * whitespace in the first signature of m, or -1. */
static long
tag_number(const char *p, const char *tag)
{
	for (const char *q = p; (q = strstr(q, tag)) != NULL; q++)
		if (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			return strtol(q + strlen(tag), NULL, 10);
	return -1;
}

/* An extra From added above the signed one breaks an oversigned From. */
static void
test_oversign_from(void **state)
{
	EVP_PKEY *keys[1] = { rsa };
	struct msg m = slurp("msg-basic.eml");
	struct msg s = sign_msg(&m, DKCANON_RELAXED, DKCANON_RELAXED, keys, 1, 64);
	struct msg t;
	size_t total;
	char *hdr_end = strstr(s.p, "\r\nFrom:");

	assert_non_null(strstr(s.p, "h=From:From:"));
	assert_true(tag_number(s.p, "t=") >= (long)time(NULL) - 60);
	assert_int_equal(tag_number(s.p, "x=") - tag_number(s.p, "t="), 86400);
	assert_int_equal(opendkim_passes(&s, &total), 1);
	assert_non_null(hdr_end);
	t.p = xasprintf("%.*s\r\nFrom: evil@example.net%s",
	    (int)(hdr_end - s.p), s.p, hdr_end);
	t.len = strlen(t.p);
	assert_int_equal(opendkim_passes(&t, &total), 0);
	assert_int_equal(total, 1);
	free(t.p);
	free(s.p);
	free(m.p);
}

/* 20 MB of body, streamed in 64 KB chunks, dual-signed. */
static void
test_interop_20mb(void **state)
{
	EVP_PKEY *keys[2] = { rsa, ed };
	struct msg hm = slurp("msg-basic.eml"), m, s;
	struct strlist files = { 0 };
	size_t hlen = (size_t)(strstr(hm.p, "\r\n\r\n") - hm.p) + 4;
	size_t total, pass, failed, want = 20 * 1024 * 1024;
	char *path;

	m.p = xmalloc(hlen + want + 100);
	memcpy(m.p, hm.p, hlen);
	m.len = hlen;
	for (unsigned i = 0; m.len < hlen + want; i++)
		m.len += (size_t)sprintf(m.p + m.len, "line %u of the big body  \t \r\n%s",
		    i, i % 97 == 0 ? "\r\n" : "");
	m.p[m.len] = '\0';
	for (int c = DKCANON_SIMPLE; c <= DKCANON_RELAXED; c++) {
		s = sign_msg(&m, c, c, keys, 2, 65536);
		assert_int_equal(opendkim_passes(&s, &total), 2);
		path = save(&s);
		strlist_add(&files, path);
		free(path);
		free(s.p);
	}
	dkimpy(&files, &pass, &failed);
	assert_int_equal(pass, 4);
	assert_int_equal(failed, 0);
	strlist_clear(&files);
	free(m.p);
	free(hm.p);
}

static void
test_errors(void **state)
{
	struct dksign_opts o = { .header_canon = DKCANON_RELAXED,
	    .body_canon = DKCANON_RELAXED, .timestamp = -1 };
	struct dksign_key k = { DOMAIN, "rsa", NULL };
	struct strlist sigs = { 0 };
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct dksign *s;
	char why[256];

	s = dksign_new(&o, &k, 0);
	assert_int_equal(dksign_eom(s, &sigs, why, sizeof why), -1);
	assert_string_equal(why, "no signing key");
	dksign_free(&s);
	assert_null(s);

	k.pkey = ec;
	s = dksign_new(&o, &k, 1);
	assert_int_equal(dksign_header(s, "From", " a@example.com"), -1);
	assert_int_equal(dksign_eom(s, &sigs, why, sizeof why), -1);
	assert_non_null(strstr(why, "neither RSA nor Ed25519"));
	dksign_free(&s);

	k.pkey = rsa;
	s = dksign_new(&o, &k, 1);
	assert_int_equal(dksign_header(s, "Bad Name", " x"), -1);
	assert_int_equal(dksign_body(s, (const unsigned char *)"x\r\n", 3), -1);
	assert_int_equal(dksign_eom(s, &sigs, why, sizeof why), -1);
	dksign_free(&s);

	s = dksign_new(&o, &k, 1);
	assert_int_equal(dksign_header(s, "Subject", " no from"), 0);
	assert_int_equal(dksign_eom(s, &sigs, why, sizeof why), -1);
	assert_string_equal(why, "message has no From header");
	dksign_free(&s);
	assert_int_equal(sigs.n, 0);
	EVP_PKEY_free(ec);
}

static double
us_per_signature(EVP_PKEY *key, const struct msg *m, int n)
{
	struct dksign_opts o = { .header_canon = DKCANON_RELAXED,
	    .body_canon = DKCANON_RELAXED, .timestamp = (long)time(NULL) };
	struct dksign_key k = { DOMAIN, key == rsa ? "rsa" : "ed", key };
	struct timeval a, b;
	char why[256];

	gettimeofday(&a, NULL);
	for (int i = 0; i < n; i++) {
		struct strlist sigs = { 0 };
		struct dksign *s = dksign_new(&o, &k, 1);
		size_t off = each_header(m, sign_cb, s);
		assert_int_equal(dksign_body(s, (const unsigned char *)m->p + off,
		    m->len - off), 0);
		assert_int_equal(dksign_eom(s, &sigs, why, sizeof why), 0);
		assert_int_equal(sigs.n, 1);
		strlist_clear(&sigs);
		dksign_free(&s);
	}
	gettimeofday(&b, NULL);
	return ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_usec - a.tv_usec)) / n;
}

/* Printed for the lead's notes, not asserted: build types differ. */
static void
test_measure_4k(void **state)
{
	struct msg hm = slurp("msg-basic.eml"), m;
	size_t hlen = (size_t)(strstr(hm.p, "\r\n\r\n") - hm.p) + 4;

	m.p = xmalloc(hlen + 4200);
	memcpy(m.p, hm.p, hlen);
	m.len = hlen;
	while (m.len < 4096)
		m.len += (size_t)sprintf(m.p + m.len, "%s",
		    "The quick brown fox jumps over the lazy dog.  0123456789\r\n");
	printf("# dksign 4 KB relaxed/relaxed, 200 signatures: rsa-2048 %.1f us,"
	    " ed25519 %.1f us per signature\n", us_per_signature(rsa, &m, 200),
	    us_per_signature(ed, &m, 200));
	free(m.p);
	free(hm.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interop_corner_cases),
		cmocka_unit_test(test_interop_header_tamper),
		cmocka_unit_test(test_oversign_from),
		cmocka_unit_test(test_interop_20mb),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_measure_4k),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
