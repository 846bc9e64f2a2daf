/*
 * keybroker: the process that opens key files for a reload.  It opens what
 * the configuration names as a key file (milter.sign, the KeyTable) and
 * nothing else; the descriptor it hands over reads the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keybroker.h"
#include "xmalloc.h"

static char dir[] = "/tmp/test_keybroker.XXXXXX";
static char *conf, *key, *tabled, *outside;

static char *
put(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int
setup(void **state)
{
	char *kdir, *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	kdir = xasprintf("%s/keys", dir);
	assert_int_equal(mkdir(kdir, 0700), 0);
	free(kdir);
	kdir = xasprintf("%s/keys/ex.test", dir);
	assert_int_equal(mkdir(kdir, 0700), 0);
	free(kdir);
	key = put("keys/ex.test/s1.key", "first key\n", 0600);
	tabled = put("keys/ex.test/t1.key", "table key\n", 0600);
	outside = put("secret", "not a key\n", 0600);
	text = xasprintf("t1 ex.test:t1:%s\n", tabled);
	free(put("keytable", text, 0644));
	free(text);
	free(put("signingtable", "ex.test t1\n", 0644));
	text = xasprintf("user = \"root\";\nkeys = { directory = \"%s/keys\"; };\n"
	    "milter = {\n  sign = ( { domain = \"ex.test\"; selector = \"s1\"; } );\n"
	    "  keytable = \"file:%s/keytable\";\n"
	    "  signingtable = \"file:%s/signingtable\";\n};\n", dir, dir, dir);
	conf = put("postseal.conf", text, 0644);
	free(text);
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(conf);
	free(key);
	free(tabled);
	free(outside);
	return 0;
}

/* What the configuration names, and only that. */
static void
test_allowed(void **state)
{
	struct safepath_trust t;
	char why[1024];

	(void)state;
	assert_int_equal(keybroker_allowed(conf, key, &t, why, sizeof why), 1);
	assert_int_equal(t.enforce, 1);
	assert_int_equal(t.uid, 0);
	assert_int_equal(keybroker_allowed(conf, tabled, &t, why, sizeof why), 1);
	assert_int_equal(keybroker_allowed(conf, outside, &t, why, sizeof why), 0);
	assert_non_null(strstr(why, "names no key file"));
	assert_non_null(strstr(why, outside));
	assert_int_equal(keybroker_allowed(conf, "/etc/shadow", &t, why,
	    sizeof why), 0);
	assert_int_equal(keybroker_allowed("/nonexistent/postseal.conf", key,
	    &t, why, sizeof why), 0);
	assert_non_null(strstr(why, "does not load"));
}

static void
read_all(int fd, char *buf, size_t n)
{
	ssize_t r = read(fd, buf, n - 1);

	assert_true(r > 0);
	buf[r] = '\0';
}

/* Through the broker process: a descriptor for a configured key, a
 * refusal with the reason for anything else. */
static void
test_broker(void **state)
{
	struct safepath_verdict v;
	char why[512], buf[64];
	int fd;

	(void)state;
	assert_int_equal(keybroker_start(conf, why, sizeof why), 0);
	assert_int_equal(keybroker_running(), 1);
	fd = keybroker_open(key, NULL, &v, NULL);
	assert_true(fd >= 0);
	assert_int_equal(v.status, SAFEPATH_OK);
	read_all(fd, buf, sizeof buf);
	assert_string_equal(buf, "first key\n");
	close(fd);
	fd = keybroker_open(tabled, NULL, &v, NULL);
	assert_true(fd >= 0);
	read_all(fd, buf, sizeof buf);
	assert_string_equal(buf, "table key\n");
	close(fd);
	assert_int_equal(keybroker_open(outside, NULL, &v, NULL), -1);
	assert_int_equal(v.status, SAFEPATH_ERROR);
	assert_non_null(strstr(v.reason, "not opened for the reload"));
	assert_int_equal(keybroker_open("/etc/passwd", NULL, &v, NULL), -1);
	assert_non_null(strstr(v.reason, "names no key file /etc/passwd"));
	/* A world-readable key is refused by the safe-path rules, in the
	 * broker as anywhere. */
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(keybroker_open(key, NULL, &v, NULL), -1);
	assert_int_equal(v.status, SAFEPATH_UNSAFE);
	assert_int_equal(chmod(key, 0600), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_broker),
	};

	if (geteuid() != 0) {
		print_message("keybroker: needs root (keys owned by root)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
