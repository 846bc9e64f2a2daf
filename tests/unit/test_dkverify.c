/*
 * Unit tests for lib/dkverify: messages signed by dkimpy (RSA, Ed25519)
 * pass; malformed signatures, missing keys, too many signatures and a DNS
 * that does not answer each give a clear result, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dkverify.h"
#include "dns.h"
#include "xmalloc.h"

#define DOMAIN "example.com"
#define BH "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="

static char tmpdir[] = "/tmp/test_dkverify.XXXXXX";
static char keyfile[600];
static struct dkverify_lib *vlib;

static char *
path_in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)o, p, (int)n);
	return o;
}

/* Private keys as dkimpy reads them, public ones for libopendkim. */
static void
make_keys(FILE *kf)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char raw[1024], *der = raw;
	size_t n = 32;
	char *path, *s;
	BIO *bio;

	assert_non_null(rsa);
	assert_non_null(ed);
	path = path_in_tmp("rsa.pem");
	bio = BIO_new_file(path, "w");
	assert_non_null(bio);
	assert_int_equal(PEM_write_bio_PrivateKey_traditional(bio, rsa, NULL,
	    NULL, 0, NULL, NULL), 1);
	BIO_free(bio);
	free(path);
	s = b64(raw, (size_t)i2d_PUBKEY(rsa, &der));
	fprintf(kf, "rsa._domainkey." DOMAIN " v=DKIM1; k=rsa; p=%s\n", s);
	free(s);
	assert_int_equal(EVP_PKEY_get_raw_private_key(ed, raw, &n), 1);
	s = b64(raw, n);
	path = path_in_tmp("ed.seed");
	write_file(path, s, strlen(s));
	free(path);
	free(s);
	n = 32;
	assert_int_equal(EVP_PKEY_get_raw_public_key(ed, raw, &n), 1);
	s = b64(raw, n);
	fprintf(kf, "ed._domainkey." DOMAIN " v=DKIM1; k=ed25519; p=%s\n", s);
	free(s);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
}

static int
setup(void **state)
{
	FILE *kf;

	assert_non_null(mkdtemp(tmpdir));
	snprintf(keyfile, sizeof keyfile, "%s/keys", tmpdir);
	kf = fopen(keyfile, "w");
	assert_non_null(kf);
	make_keys(kf);
	fclose(kf);
	vlib = dkverify_lib_new_file(keyfile, NULL, 0);
	assert_non_null(vlib);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int r = system(cmd);

	free(cmd);
	dkverify_lib_free(&vlib);
	return r == 0 ? 0 : -1;
}

/* Verify a whole message text (CRLF) with lib l; results in *res. */
static size_t
verify_text(struct dkverify_lib *l, const char *msg, int max,
    struct dkverify_result **res)
{
	struct dkverify *v = dkverify_new(l, max);
	const char *p = msg, *body;
	size_t n;

	assert_non_null(v);
	body = strstr(msg, "\r\n\r\n");
	assert_non_null(body);
	while (p < body + 2) {
		const char *e = p, *colon = strchr(p, ':');
		do
			e = strstr(e, "\r\n") + 2;
		while (*e == ' ' || *e == '\t');
		char *name = xstrndup(p, (size_t)(colon - p));
		char *value = xstrndup(colon + 1, (size_t)(e - 2 - colon - 1));
		dkverify_header(v, name, value);
		free(name);
		free(value);
		p = e;
	}
	assert_int_equal(dkverify_eoh(v), 0);
	assert_int_equal(dkverify_body(v, (const unsigned char *)body + 4,
	    strlen(body + 4)), 0);
	assert_int_equal(dkverify_eom(v, res, &n), 0);
	dkverify_free(&v);
	assert_null(v);
	return n;
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = xmalloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	return p;
}

static char *
dkimpy_sign(const char *alg, const char *key, const char *canon,
    const char *msgname)
{
	char *out = path_in_tmp("signed.eml"), *keypath = path_in_tmp(key);
	char *cmd = xasprintf("/usr/bin/python3 %s/tests/data/dkim/dkimpy_tool.py"
	    " sign %s %s " DOMAIN " %s %s %s/tests/data/dkim/%s %s", TEST_SRCDIR,
	    alg, keypath, strcmp(key, "rsa.pem") == 0 ? "rsa" : "ed", canon,
	    TEST_SRCDIR, msgname, out);
	char *text;

	if (system(cmd) != 0)
		fail_msg("dkimpy could not sign: %s", cmd);
	text = read_text(out);
	free(cmd);
	free(out);
	free(keypath);
	return text;
}

static void
test_dkimpy_signed_pass(void **state)
{
	static const char *const msgs[] = { "msg-basic.eml", "msg-utf8.eml",
	    "msg-long-folded.eml", "msg-trailing-ws.eml", "msg-empty-body.eml" };
	static const char *const canons[] = { "relaxed/relaxed", "simple/simple",
	    "relaxed/simple" };

	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		for (int k = 0; k < 2; k++) {
			char *text = dkimpy_sign(k ? "ed25519-sha256" : "rsa-sha256",
			    k ? "ed.seed" : "rsa.pem", canons[i % 3], msgs[i]);
			struct dkverify_result *r;
			size_t n = verify_text(vlib, text, 5, &r);
			assert_int_equal(n, 1);
			if (r[0].status != DKVERIFY_PASS)
				fail_msg("%s %s: %s (%s)", msgs[i], r[0].algorithm,
				    dkverify_status_name(r[0].status), r[0].reason);
			assert_string_equal(r[0].domain, DOMAIN);
			assert_string_equal(r[0].selector, k ? "ed" : "rsa");
			assert_string_equal(r[0].algorithm, k ? "ed25519-sha256" :
			    "rsa-sha256");
			assert_int_equal(r[0].bits, k ? 256 : 2048);
			assert_int_equal(strlen(r[0].b), 8);
			free(r);
			free(text);
		}
}

/* One signature header (tags) on a small message. */
static struct dkverify_result
verify_sig(const char *tags)
{
	struct dkverify_result *r, out;
	char *msg = xasprintf("DKIM-Signature: %s\r\nFrom: a@" DOMAIN
	    "\r\nTo: b@example.org\r\nSubject: s\r\n\r\nbody\r\n", tags);
	size_t n = verify_text(vlib, msg, 5, &r);

	assert_int_equal(n, 1);
	out = r[0];
	free(r);
	free(msg);
	return out;
}

static void
expect(const char *tags, enum dkverify_status st, const char *reason)
{
	struct dkverify_result r = verify_sig(tags);

	if (r.status != st || strstr(r.reason, reason) == NULL)
		fail_msg("%.60s: got %s \"%s\", want %s \"%s\"", tags,
		    dkverify_status_name(r.status), r.reason,
		    dkverify_status_name(st), reason);
}

static void
test_malformed(void **state)
{
	char *big = xmalloc(65536 + 256);

	expect("v=1; a=rsa-sha256; c=relaxed/relaxed; s=rsa; h=from; bh=" BH
	    "; b=AAAA", DKVERIFY_PERMERROR, "missing d=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; h=from; bh=" BH "; b=AAAA",
	    DKVERIFY_PERMERROR, "missing s=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; bh=" BH "; b=AAAA",
	    DKVERIFY_PERMERROR, "missing h=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; b=AAAA",
	    DKVERIFY_PERMERROR, "missing bh=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; bh=" BH,
	    DKVERIFY_PERMERROR, "missing b=");
	expect("v=1; a=rsa-sha512; d=" DOMAIN "; s=rsa; h=from; bh=" BH
	    "; b=AAAA", DKVERIFY_PERMERROR, "unknown a=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; bh=" BH
	    "; b=!!!*not*base64***", DKVERIFY_PERMERROR, "b=");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; l=99999; bh="
	    BH "; b=AAAA", DKVERIFY_PERMERROR, "l= beyond");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=nokey; h=from; bh=" BH
	    "; b=AAAA", DKVERIFY_PERMERROR, "key not found");
	expect("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; bh=" BH
	    "; b=AAAA", DKVERIFY_FAIL, "");
	strcpy(big, "v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; b=");
	memset(big + strlen(big), 'A', 65536);
	big[strlen("v=1; a=rsa-sha256; d=" DOMAIN "; s=rsa; h=from; b=") +
	    65536] = '\0';
	strcat(big, "; bh=" BH);
	{
		struct dkverify_result r = verify_sig(big);
		assert_int_not_equal(r.status, DKVERIFY_PASS);
		assert_true(r.reason[0] != '\0');
	}
	free(big);
}

/* 100 signatures: the first max are verified, the rest reported. */
static void
test_hundred_signatures(void **state)
{
	char *one = dkimpy_sign("rsa-sha256", "rsa.pem", "relaxed/relaxed",
	    "msg-basic.eml");
	const char *end = strstr(one, "\r\nFrom:") + 2;
	size_t slen = (size_t)(end - one), blen = strlen(end);
	char *msg = xmalloc(100 * slen + blen + 1), *p = msg;
	struct dkverify_result *r;
	size_t n, pass = 0, neutral = 0;

	for (int i = 0; i < 100; i++, p += slen)
		memcpy(p, one, slen);
	memcpy(p, end, blen + 1);
	n = verify_text(vlib, msg, 5, &r);
	assert_int_equal(n, 100);
	for (size_t i = 0; i < n; i++) {
		pass += r[i].status == DKVERIFY_PASS;
		if (r[i].status == DKVERIFY_NEUTRAL) {
			assert_string_equal(r[i].reason, "not verified: limit 5");
			neutral++;
		}
	}
	assert_int_equal(pass, 5);
	assert_int_equal(neutral, 95);
	free(r);
	free(msg);
	free(one);
}

static void
test_unsigned_and_tampered(void **state)
{
	struct dkverify_result *r;
	char *text, *x;

	assert_int_equal(verify_text(vlib, "From: a@" DOMAIN "\r\nSubject: s\r\n"
	    "\r\nbody\r\n", 5, &r), 0);
	assert_null(r);
	text = dkimpy_sign("ed25519-sha256", "ed.seed", "relaxed/relaxed",
	    "msg-basic.eml");
	x = strstr(text, "this is a test");
	assert_non_null(x);
	x[0] = 'T';
	assert_int_equal(verify_text(vlib, text, 5, &r), 1);
	assert_int_equal(r[0].status, DKVERIFY_FAIL);
	assert_string_equal(r[0].reason, "body hash mismatch");
	free(r);
	free(text);
}

/* A DNS that does not answer is a temperror, never a fail. */
static void
test_dns_temperror(void **state)
{
	const char *ns[] = { "127.0.0.1@9" };
	struct dns_options o = { .nameservers = ns, .n_nameservers = 1,
	    .timeout = 1 };
	char why[256];
	struct dns *d = dns_new(&o, why, sizeof why);
	struct dkverify_lib *l;
	struct dkverify_result *r;
	char *text;

	if (d == NULL)
		fail_msg("dns_new: %s", why);
	l = dkverify_lib_new(d, why, sizeof why);
	assert_non_null(l);
	text = dkimpy_sign("rsa-sha256", "rsa.pem", "relaxed/relaxed",
	    "msg-basic.eml");
	assert_int_equal(verify_text(l, text, 5, &r), 1);
	if (r[0].status != DKVERIFY_TEMPERROR)
		fail_msg("got %s (%s)", dkverify_status_name(r[0].status),
		    r[0].reason);
	free(r);
	free(text);
	dkverify_lib_free(&l);
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dkimpy_signed_pass),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hundred_signatures),
		cmocka_unit_test(test_unsigned_and_tampered),
		cmocka_unit_test(test_dns_temperror),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
