/* lib/dkkey: DKIM key records, good and bad (RFC 6376 3.6.1, RFC 8463). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dkkey.h"

/* Base64 of 32 bytes 0x00..0x1f (an Ed25519 public key's length). */
#define ED_P "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
/* A real RSA-1024 SubjectPublicKeyInfo (RFC 6376 appendix C style). */
#define RSA_P "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt" \
	"IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0f" \
	"zfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"

struct row {
	const char *rec;
	int ok;			/* expected return 0 */
	const char *why;	/* substring of the reason when !ok */
	int type, revoked, flags, hashes, email;
	size_t key_len;
};

#define ALLH (DKKEY_H_SHA1 | DKKEY_H_SHA256)
#define BAD(rec, why) { rec, 0, why, 0, 0, 0, 0, 0, 0 }

static const struct row rows[] = {
	/* good */
	{ "v=DKIM1; k=rsa; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "v=DKIM1; k=ed25519; p=" ED_P, 1, NULL, DKKEY_ED25519, 0, 0, ALLH, 1, 32 },
	{ "v=DKIM1; k=ed25519; p=" ED_P ";", 1, NULL, DKKEY_ED25519, 0, 0, ALLH, 1, 32 },
	{ "v=DKIM1; p=", 1, NULL, DKKEY_RSA, 1, 0, ALLH, 1, 0 },
	{ "v=DKIM1; k=ed25519; p= ", 1, NULL, DKKEY_ED25519, 1, 0, ALLH, 1, 0 },
	{ "v=DKIM1; t=y:s; p=" ED_P "; k=ed25519", 1, NULL, DKKEY_ED25519, 0,
	    DKKEY_T_TESTING | DKKEY_T_STRICT, ALLH, 1, 32 },
	{ "t=y; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, DKKEY_T_TESTING, ALLH, 1, 162 },
	{ "t=x:s; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, DKKEY_T_STRICT, ALLH, 1, 162 },
	{ "h=sha256; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, DKKEY_H_SHA256, 1, 162 },
	{ "h=sha1 : sha512 ; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, DKKEY_H_SHA1, 1, 162 },
	{ "s=email; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "s=*; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "s=other:email; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "s=other; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 0, 162 },
	{ "n=a note with spaces; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	{ "x_unknown=whatever; g=*; p=" RSA_P, 1, NULL, DKKEY_RSA, 0, 0, ALLH, 1, 162 },
	/* whitespace and folding inside p= and around tags */
	{ " v = DKIM1 ;\r\n\tk = ed25519 ;\r\n p = AAECAwQFBgcICQoLDA0O DxAREhMU\r\n\t"
	  "FRYXGBkaGxwdHh8= \r\n", 1, NULL, DKKEY_ED25519, 0, 0, ALLH, 1, 32 },
	{ "k=ed25519; p=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 1, NULL,
	    DKKEY_ED25519, 0, 0, ALLH, 1, 32 },	/* padding omitted */
	/* bad */
	BAD("v=DKIM1; k=rsa", "no p= tag"),
	BAD("", "empty"),
	BAD("   ", "empty"),
	BAD("v=DKIM1; p=@@@@", "base64"),
	BAD("v=DKIM1; p=AAAA=AAA", "base64"),
	BAD("v=DKIM1; p=AAAAA", "base64"),
	BAD("v=DKIM1; p=AA=", "base64"),
	BAD("v=DKIM1; p===", "base64"),
	BAD("v=DKIM1; k=dsa; p=" RSA_P, "unknown key type"),
	BAD("v=DKIM1; k=; p=" RSA_P, "unknown key type"),
	BAD("v=DKIM1; k=rsa; k=rsa; p=" RSA_P, "duplicate tag"),
	BAD("p=" RSA_P "; p=" RSA_P, "duplicate tag"),
	BAD("zz=1; zz=2; p=" RSA_P, "duplicate tag"),
	BAD("k=rsa; v=DKIM1; p=" RSA_P, "v= is not the first tag"),
	BAD("v=DKIM2; p=" RSA_P, "v= is not DKIM1"),
	BAD("v=dkim1; p=" RSA_P, "v= is not DKIM1"),
	BAD("v=DKIM1; h=md5; p=" RSA_P, "no known hash"),
	BAD("v=DKIM1; k=ed25519; p=" RSA_P, "32 bytes"),
	BAD("v=DKIM1; p", "no '='"),
	BAD("v=DKIM1;; p=" RSA_P, "empty tag"),
	BAD("1k=rsa; p=" RSA_P, "tag name"),
	BAD("=rsa; p=" RSA_P, "tag name"),
	BAD("x-unknown=1; p=" RSA_P, "tag name"),
	BAD("v=DKIM1; n=caf\xc3\xa9; p=" RSA_P, "non-ASCII"),
};

static void
test_table(void **state)
{
	struct dkkey k;
	const char *why;
	size_t i;
	int r;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *t = &rows[i];
		why = NULL;
		r = dkkey_parse(t->rec, strlen(t->rec), &k, &why);
		if (r != (t->ok ? 0 : -1))
			fail_msg("row %zu \"%s\": returned %d (%s)", i, t->rec, r,
			    why ? why : "");
		if (!t->ok) {
			assert_non_null(why);
			if (strstr(why, t->why) == NULL)
				fail_msg("row %zu: reason \"%s\" lacks \"%s\"", i,
				    why, t->why);
			continue;
		}
		assert_int_equal(k.type, t->type);
		assert_int_equal(k.revoked, t->revoked);
		assert_int_equal(k.flags, t->flags);
		assert_int_equal(k.hashes, t->hashes);
		assert_int_equal(k.service_email, t->email);
		if (k.key_len != t->key_len)
			fail_msg("row %zu: key_len %zu, want %zu", i, k.key_len,
			    t->key_len);
	}
}

static void
test_values(void **state)
{
	static const char rec[] = "v=DKIM1; n=hello  world ; k=ed25519; p=" ED_P;
	struct dkkey k;
	const char *why;
	int i;

	assert_int_equal(dkkey_parse(rec, strlen(rec), &k, &why), 0);
	assert_true(k.has_v);
	for (i = 0; i < 32; i++)
		assert_int_equal(k.key[i], i);
	assert_int_equal(k.notes_len, strlen("hello  world"));
	assert_memory_equal(k.notes, "hello  world", k.notes_len);
	assert_string_equal(dkkey_type_name(k.type), "ed25519");
	assert_string_equal(dkkey_type_name(DKKEY_RSA), "rsa");
	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(dkkey_parse("p=" ED_P "; k=dsa", 2 + strlen(ED_P), &k,
	    &why), 0);
	assert_int_equal(k.key_len, 32);
	/* A NUL byte inside the record is a bad byte, not an end. */
	assert_int_equal(dkkey_parse("n=a\0b; p=", 9, &k, &why), -1);
}

static void
test_size_limits(void **state)
{
	size_t len = 10 * 1024, n;
	char *rec = malloc(len + 1);
	struct dkkey k;
	const char *why;

	assert_non_null(rec);
	/* 10 KB: refused by size before anything else. */
	memcpy(rec, "v=DKIM1; p=", 11);
	memset(rec + 11, 'A', len - 11);
	assert_int_equal(dkkey_parse(rec, len, &k, &why), -1);
	assert_non_null(strstr(why, "8192"));
	/* Exactly 8192 bytes with a p= of 8180 base64 chars: accepted. */
	n = DKKEY_MAX_RECORD - 11;
	n -= n % 4;
	assert_int_equal(dkkey_parse(rec, 11 + n, &k, &why), 0);
	assert_int_equal(k.key_len, n / 4 * 3);
	/* Too many tags. */
	for (n = 0; n <= DKKEY_MAX_TAGS; n++)
		memcpy(rec + 5 * n, "a=1; ", 5);
	rec[5 * n] = '\0';
	assert_int_equal(dkkey_parse(rec, strlen(rec), &k, &why), -1);
	assert_non_null(strstr(why, "duplicate tag"));
	free(rec);
}

static void
test_b64(void **state)
{
	unsigned char out[8];

	assert_int_equal(dkkey_b64decode("TWFu", 4, out, sizeof out), 3);
	assert_memory_equal(out, "Man", 3);
	assert_int_equal(dkkey_b64decode("TW E=", 5, out, sizeof out), 2);
	assert_memory_equal(out, "Ma", 2);
	assert_int_equal(dkkey_b64decode("TQ==", 4, out, sizeof out), 1);
	assert_int_equal(dkkey_b64decode("TQ=", 3, out, sizeof out), -1);
	assert_int_equal(dkkey_b64decode("TQ===", 5, out, sizeof out), -1);
	assert_int_equal(dkkey_b64decode("TWFuTWFuTWFu", 12, out, sizeof out), -1);
	assert_int_equal(dkkey_b64decode("", 0, out, sizeof out), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
