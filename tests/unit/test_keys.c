/* Unit tests for lib/keys: loading, refusals, selection, OpenDKIM tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "strlist.h"
#include "xmalloc.h"

#define FIXTURES TEST_SRCDIR "/tests/fixtures/keys"

static const char *const fixture_names[] = {
	"rsa2048.key", "rsa2048-traditional.key", "ed25519.key", "rsa1024.key",
	"rsa2048-public.pem", "certificate.pem", "encrypted.key",
	"encrypted-traditional.key", "ec-p256.key", "ec-p256-pkcs8.key",
	"truncated.key", "damaged.key", "empty.key", "garbage.key",
};

static char dir[64];
static struct safepath_trust trust = { .uid = (uid_t)-1, .enforce = 1 };

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
write_file(const char *name, const char *text, mode_t mode)
{
	char *p = tpath(name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(p, mode);
	free(p);
}

/* Copy every fixture into a private directory: root-owned 0700 under the
 * sticky /tmp, files 0600, so only the key content decides. */
static int
setup(void **state)
{
	char cmd[512];

	snprintf(dir, sizeof dir, "/tmp/test_keys.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof fixture_names / sizeof *fixture_names; i++) {
		snprintf(cmd, sizeof cmd, "cp %s/%s %s/ && chmod 600 %s/%s",
		    FIXTURES, fixture_names[i], dir, dir, fixture_names[i]);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Load name; returns the rc, fills why. */
static int
load(const char *name, int *alg, int *bits, char *why, size_t n)
{
	char *p = tpath(name);
	EVP_PKEY *pk = NULL;
	int rc, unsafe;

	rc = keys_load_file(p, &trust, &pk, alg, bits, &unsafe, why, n);
	if (rc == 0)
		assert_int_equal(unsafe, 0);
	else
		assert_null(pk);
	EVP_PKEY_free(pk);
	free(p);
	return rc;
}

static void
test_accepted(void **state)
{
	static const struct { const char *file; int alg, bits; } cases[] = {
		{ "rsa2048.key", KEYS_ALG_RSA, 2048 },
		{ "rsa2048-traditional.key", KEYS_ALG_RSA, 2048 },
		{ "ed25519.key", KEYS_ALG_ED25519, 256 },
	};
	char why[2048];
	int alg, bits;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		alg = bits = 0;
		assert_int_equal(load(cases[i].file, &alg, &bits, why,
		    sizeof why), 0);
		assert_int_equal(alg, cases[i].alg);
		assert_int_equal(bits, cases[i].bits);
	}
	assert_string_equal(keys_alg_name(KEYS_ALG_RSA), "rsa");
	assert_string_equal(keys_alg_name(KEYS_ALG_ED25519), "ed25519");
}

static void
test_refused(void **state)
{
	static const struct { const char *file, *says; } cases[] = {
		{ "rsa1024.key", "RSA key of 1024 bits is too weak" },
		{ "empty.key", "empty file" },
		{ "truncated.key", "truncated PEM" },
		{ "certificate.pem", "this is a certificate, not a private key" },
		{ "rsa2048-public.pem", "this is a public key" },
		{ "encrypted.key", "encrypted with a passphrase" },
		{ "encrypted-traditional.key", "encrypted with a passphrase" },
		{ "ec-p256.key", "unsupported algorithm EC" },
		{ "ec-p256-pkcs8.key", "unsupported algorithm EC" },
		{ "garbage.key", "not a PEM private key" },
		{ "damaged.key", "damaged PEM private key" },
		{ "missing.key", "missing.key" },
	};
	char why[2048], *p;
	int alg, bits;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		why[0] = '\0';
		assert_int_equal(load(cases[i].file, &alg, &bits, why,
		    sizeof why), -1);
		p = tpath(cases[i].file);
		if (strstr(why, cases[i].says) == NULL || strstr(why, p) == NULL)
			fail_msg("%s: got \"%s\"", cases[i].file, why);
		free(p);
	}
}

static void
test_weak_rsa_fix(void **state)
{
	struct keys *ks = keys_new();
	char why[2048], *p = tpath("rsa1024.key");

	assert_int_equal(keys_add_file(ks, "example.com", "old", p, &trust,
	    why, sizeof why), -1);
	assert_non_null(strstr(why, p));
	assert_non_null(strstr(why, "1024 bits"));
	assert_non_null(strstr(why, "postseal keygen -d example.com -s old -b 2048"));
	assert_int_equal(keys_count(ks), 0);
	keys_free(&ks);
	assert_null(ks);
	free(p);
}

static void
test_too_large(void **state)
{
	char *big = xmalloc(KEYS_MAX_FILE + 100), why[2048];
	int alg, bits;

	memset(big, 'A', KEYS_MAX_FILE + 99);
	big[KEYS_MAX_FILE + 99] = '\0';
	write_file("big.key", big, 0600);
	free(big);
	assert_int_equal(load("big.key", &alg, &bits, why, sizeof why), -1);
	assert_non_null(strstr(why, "larger than"));
}

static void
test_unsafe_mode(void **state)
{
	struct safepath_trust lax = trust;
	char *p = tpath("loose.key"), why[2048], cmd[512];
	EVP_PKEY *pk = NULL;
	int alg, bits, unsafe = 0;

	snprintf(cmd, sizeof cmd, "cp %s/rsa2048.key %s && chmod 644 %s",
	    FIXTURES, p, p);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(keys_load_file(p, &trust, &pk, &alg, &bits, &unsafe,
	    why, sizeof why), -1);
	assert_null(pk);
	assert_non_null(strstr(why, p));
	lax.enforce = 0;
	assert_int_equal(keys_load_file(p, &lax, &pk, &alg, &bits, &unsafe,
	    why, sizeof why), 0);
	assert_int_equal(unsafe, 1);
	assert_non_null(strstr(why, "fix:"));
	EVP_PKEY_free(pk);
	free(p);
}

/* What openssl itself says the p= value is. */
static void
openssl_b64(const char *name, int raw, char *out, size_t n)
{
	char cmd[512], *p = tpath(name);
	FILE *fp;

	snprintf(cmd, sizeof cmd, "openssl pkey -in %s -pubout -outform DER | "
	    "%s | base64 -w0", p, raw ? "tail -c 32" : "cat");
	assert_non_null(fp = popen(cmd, "r"));
	assert_non_null(fgets(out, (int)n, fp));
	assert_int_equal(pclose(fp), 0);
	free(p);
}

static void
test_public_b64(void **state)
{
	static const struct { const char *file; int raw; size_t len; } cases[] = {
		{ "ed25519.key", 1, 44 },
		{ "rsa2048.key", 0, 392 },
		{ "rsa2048-traditional.key", 0, 392 },
	};
	char expect[1024], why[2048], *p, *b64, *txt;
	EVP_PKEY *pk;
	int alg, bits;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		p = tpath(cases[i].file);
		assert_int_equal(keys_load_file(p, &trust, &pk, &alg, &bits,
		    NULL, why, sizeof why), 0);
		assert_int_equal(keys_public_b64(pk, &b64), 0);
		openssl_b64(cases[i].file, cases[i].raw, expect, sizeof expect);
		assert_int_equal(strlen(b64), cases[i].len);
		assert_string_equal(b64, expect);
		txt = keys_txt_record(pk);
		assert_non_null(strstr(txt, b64));
		assert_true(strncmp(txt, alg == KEYS_ALG_RSA ?
		    "v=DKIM1; k=rsa; p=" : "v=DKIM1; k=ed25519; p=", 18) == 0);
		free(txt);
		free(b64);
		EVP_PKEY_free(pk);
		free(p);
	}
}

/* example.com: rsa + ed (dual), other.org: s. */
static struct keys *
store(void)
{
	struct keys *ks = keys_new();
	char why[2048], *rsa = tpath("rsa2048.key"), *ed = tpath("ed25519.key");
	char *trad = tpath("rsa2048-traditional.key");

	assert_int_equal(keys_add_file(ks, "Example.COM", "rsa", rsa, &trust,
	    why, sizeof why), 0);
	assert_int_equal(keys_add_file(ks, "example.com", "ed", ed, &trust,
	    why, sizeof why), 0);
	assert_int_equal(keys_add_file(ks, "other.org", "s", trad, &trust,
	    why, sizeof why), 0);
	assert_int_equal(keys_add_file(ks, "example.com", "ed", trad, &trust,
	    why, sizeof why), -1);
	assert_non_null(strstr(why, "already loaded"));
	free(rsa);
	free(ed);
	free(trad);
	return ks;
}

static void
test_select(void **state)
{
	struct keys *ks = store();
	const struct keys_key *out[4];

	assert_int_equal(keys_count(ks), 3);
	assert_null(keys_get(ks, 3));
	assert_string_equal(keys_get(ks, 0)->domain, "example.com");
	assert_int_equal(keys_select(ks, "EXAMPLE.com", 0, out, 4), 2);
	assert_string_equal(out[0]->selector, "rsa");
	assert_int_equal(out[0]->alg, KEYS_ALG_RSA);
	assert_string_equal(out[1]->selector, "ed");
	assert_int_equal(out[1]->alg, KEYS_ALG_ED25519);
	assert_int_equal(keys_select(ks, "example.com", 0, out, 1), 1);
	assert_int_equal(keys_select(ks, "mail.example.com", 0, out, 4), 0);
	assert_int_equal(keys_select(ks, "mail.example.com", 1, out, 4), 2);
	assert_int_equal(keys_select(ks, "a.b.other.org", 1, out, 4), 1);
	assert_string_equal(out[0]->selector, "s");
	assert_int_equal(keys_select(ks, "example.net", 1, out, 4), 0);
	assert_int_equal(keys_select(ks, "xexample.com", 1, out, 4), 0);
	assert_int_equal(keys_select_address(ks, "bob@example.com", out, 4), 2);
	keys_free(&ks);
}

static void
write_tables(const char *st)
{
	char kt[2048];

	snprintf(kt, sizeof kt, "# name  domain:selector:path\n\n"
	    "rsa\texample.com:rsa:%s/rsa2048.key\n"
	    "ed   example.com:ed:%s/ed25519.key   # Ed25519\n"
	    "other other.org:s:%s/rsa2048-traditional.key\n", dir, dir, dir);
	write_file("KeyTable", kt, 0644);
	write_file("SigningTable", st, 0644);
}

/* Load tables and pick the selectors for addr; returns "sel,sel". */
static const char *
pick(const char *type, const char *addr, char *buf, size_t n)
{
	struct keys *ks = keys_new();
	struct strlist problems = { 0 };
	const struct keys_key *out[4];
	char *kt = xasprintf("file:%s/KeyTable", dir);
	char *st = xasprintf("%s:%s/SigningTable", type, dir);
	size_t k;

	assert_int_equal(keys_load_opendkim(ks, kt, st, &trust, &problems), 0);
	assert_int_equal(problems.n, 0);
	k = keys_select_address(ks, addr, out, 4);
	buf[0] = '\0';
	for (size_t i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
		    i ? "," : "", out[i]->selector);
	keys_free(&ks);
	free(kt);
	free(st);
	return buf;
}

static void
test_signingtable_file(void **state)
{
	char b[64];

	write_tables("alice@example.com other\nexample.com rsa\n"
	    "example.com ed\n.example.org other\n");
	assert_string_equal(pick("file", "alice@example.com", b, 64), "s");
	assert_string_equal(pick("file", "bob@EXAMPLE.com", b, 64), "rsa,ed");
	assert_string_equal(pick("file", "bob@sub.example.org", b, 64), "s");
	assert_string_equal(pick("file", "bob@example.org", b, 64), "");
	assert_string_equal(pick("file", "bob@mail.example.com", b, 64), "");
	write_tables("bob@.example.com ed\n* rsa\n");
	assert_string_equal(pick("file", "bob@mail.example.com", b, 64), "ed");
	assert_string_equal(pick("file", "eve@mail.example.com", b, 64), "rsa");
}

static void
test_signingtable_refile(void **state)
{
	char b[64];

	write_tables("*@example.com rsa\n*@example.com ed\nalice@* other\n");
	assert_string_equal(pick("refile", "bob@Example.com", b, 64), "rsa,ed");
	assert_string_equal(pick("refile", "alice@example.com", b, 64), "rsa,ed");
	assert_string_equal(pick("refile", "alice@x.org", b, 64), "s");
	assert_string_equal(pick("refile", "bob@x.org", b, 64), "");
	assert_string_equal(pick("refile", "bob@sub.example.com", b, 64), "");
	write_tables("*@*.example.com ed\n");
	assert_string_equal(pick("refile", "bob@sub.example.com", b, 64), "ed");
}

static int
has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], s) != NULL)
			return 1;
	return 0;
}

/* A KeyTable key that milter.sign loaded already is shared; another file
 * for the same domain and selector is refused; loading again replaces the
 * tables. */
static void
test_table_store(void **state)
{
	struct keys *ks = keys_new();
	struct strlist pr = { 0 };
	const struct keys_key *out[4];
	char kt[2048], why[2048], *rsa = tpath("rsa2048.key");
	char *ktp = tpath("KeyTable"), *stp = tpath("SigningTable");

	assert_int_equal(keys_add_file(ks, "example.com", "rsa", rsa, &trust,
	    why, sizeof why), 0);
	snprintf(kt, sizeof kt, "a example.com:rsa:%s/rsa2048.key\n"
	    "b example.com:rsa:%s/rsa2048.key\n"
	    "c example.com:ed:%s/ed25519.key\n", dir, dir, dir);
	write_file("KeyTable", kt, 0644);
	write_file("SigningTable", "example.com b\nexample.com c\n", 0644);
	assert_int_equal(keys_load_opendkim(ks, ktp, stp, &trust, &pr), 0);
	assert_int_equal(pr.n, 0);
	assert_int_equal(keys_count(ks), 2);
	assert_int_equal(keys_select_address(ks, "x@example.com", out, 4), 2);
	assert_ptr_equal(out[0], keys_get(ks, 0));
	assert_string_equal(out[1]->selector, "ed");
	/* By domain alone: the SigningTable still decides. */
	assert_int_equal(keys_select(ks, "example.com", 0, out, 4), 2);
	snprintf(kt, sizeof kt, "d example.com:ed:%s/rsa2048-traditional.key\n",
	    dir);
	write_file("KeyTable", kt, 0644);
	write_file("SigningTable", "example.com d\n", 0644);
	assert_int_equal(keys_load_opendkim(ks, ktp, stp, &trust, &pr), -1);
	assert_int_equal(pr.n, 1);
	snprintf(kt, sizeof kt, "%s:1: ", ktp);
	assert_true(has(&pr, kt));
	assert_true(has(&pr, "already loaded"));
	assert_int_equal(keys_select_address(ks, "x@example.com", out, 4), 0);
	assert_int_equal(keys_count(ks), 2);
	strlist_clear(&pr);
	keys_free(&ks);
	free(rsa);
	free(ktp);
	free(stp);
}

static void
test_table_errors(void **state)
{
	struct keys *ks = keys_new();
	struct strlist pr = { 0 };
	char kt[2048], *ktp = tpath("KeyTable"), *stp = tpath("SigningTable");
	char want[4200];

	snprintf(kt, sizeof kt, "good example.com:rsa:%s/rsa2048.key\n"
	    "novalue\nshort example.com:rsa\nrel example.com:x:keys/x.key\n"
	    "pct %%:x:/etc/x.key\nweak example.com:w:%s/rsa1024.key\n"
	    "good other.org:s:%s/ed25519.key\n", dir, dir, dir);
	write_file("KeyTable", kt, 0644);
	write_file("SigningTable", "example.com good\nexample.org nosuch\n"
	    "a b c\n", 0644);
	assert_int_equal(keys_load_opendkim(ks, ktp, stp, &trust, &pr), -1);
	for (int line = 2; line <= 7; line++) {
		snprintf(want, sizeof want, "%s:%d: ", ktp, line);
		if (!has(&pr, want))
			fail_msg("no problem reported for %s", want);
	}
	assert_true(has(&pr, "rsa1024.key: RSA key of 1024 bits"));
	assert_true(has(&pr, "used twice"));
	snprintf(want, sizeof want, "%s:2: no KeyTable entry named \"nosuch\"", stp);
	assert_true(has(&pr, want));
	snprintf(want, sizeof want, "%s:3: expected \"pattern keyname\"", stp);
	assert_true(has(&pr, want));
	assert_int_equal(keys_count(ks), 1);
	strlist_clear(&pr);
	assert_int_equal(keys_load_opendkim(ks, "db:/x", "", &trust, &pr), -1);
	assert_true(has(&pr, "only file: and refile:"));
	assert_int_equal(keys_load_opendkim(ks, "", stp, &trust, &pr), -1);
	assert_true(has(&pr, "needs a KeyTable"));
	strlist_clear(&pr);
	keys_free(&ks);
	free(ktp);
	free(stp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_weak_rsa_fix),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_unsafe_mode),
		cmocka_unit_test(test_public_b64),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_signingtable_file),
		cmocka_unit_test(test_signingtable_refile),
		cmocka_unit_test(test_table_store),
		cmocka_unit_test(test_table_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
