/*
 * Unit tests for lib/privdrop.  The drop itself runs in a forked child
 * (it cannot be undone); the child reports each check through its exit
 * status.  Needs root, as the daemons do at start; skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "privdrop.h"

enum {
	CHILD_OK = 0,
	CHILD_DROP_FAILED = 10,
	CHILD_IDS_WRONG,
	CHILD_SETUID_WORKED,
	CHILD_SETGID_WORKED,
	CHILD_GROUPS_WRONG,
	CHILD_NO_USER,
};

static void
need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* In the child: drop to nobody, then try everything that must fail. */
static int
child_checks(void)
{
	struct passwd *pw = getpwnam("nobody");
	gid_t groups[64];
	uid_t r, e, s;
	gid_t rg, eg, sg;
	char why[512];
	int n;

	if (pw == NULL)
		return CHILD_NO_USER;
	if (privdrop_user("nobody", NULL, why, sizeof why) != 0) {
		fprintf(stderr, "privdrop_user: %s\n", why);
		return CHILD_DROP_FAILED;
	}
	if (getresuid(&r, &e, &s) != 0 || r != pw->pw_uid || e != pw->pw_uid ||
	    s != pw->pw_uid || getresgid(&rg, &eg, &sg) != 0 ||
	    rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid)
		return CHILD_IDS_WRONG;
	if (setuid(0) == 0 || seteuid(0) == 0 || setresuid(0, 0, 0) == 0)
		return CHILD_SETUID_WORKED;
	if (setgid(0) == 0 || setegid(0) == 0)
		return CHILD_SETGID_WORKED;
	/* Supplementary groups: only the user's own group (or none). */
	n = getgroups(64, groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != pw->pw_gid))
		return CHILD_GROUPS_WRONG;
	if (setgroups(0, NULL) == 0)
		return CHILD_GROUPS_WRONG;
	return CHILD_OK;
}

static void
test_drop_to_nobody(void **state)
{
	pid_t pid;
	int status;

	need_root();
	/* Root starts with extra groups, so the test shows they are gone. */
	assert_int_equal(setgroups(2, (gid_t[]){ 0, 4 }), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
	/* The parent kept root. */
	assert_int_equal(geteuid(), 0);
}

static void
test_unknown_user(void **state)
{
	const char *user = "postseal-no-such-user";
	char why[512] = "";
	uid_t uid;
	gid_t gid;

	need_root();
	/* Fails at the look-up, before anything about the process changes. */
	assert_int_equal(privdrop_user(user, NULL, why, sizeof why), -1);
	assert_non_null(strstr(why, "\"postseal-no-such-user\""));
	assert_int_equal(geteuid(), 0);
	why[0] = '\0';
	assert_int_equal(privdrop_lookup(user, &uid, &gid, why, sizeof why), -1);
	assert_non_null(strstr(why, user));
}

static void
test_lookup(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	char why[256] = "";
	uid_t uid = 0;
	gid_t gid = 0;

	if (pw == NULL)
		skip();
	assert_int_equal(privdrop_lookup("nobody", &uid, &gid, why, sizeof why),
	    0);
	assert_int_equal(uid, pw->pw_uid);
	assert_int_equal(gid, pw->pw_gid);
	assert_string_equal(why, "");
}

static void
test_bad_chroot(void **state)
{
	pid_t pid;
	int status;

	need_root();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[512] = "";

		/* a missing chroot directory fails, names it, and keeps root */
		if (privdrop_user("nobody", "/nonexistent/postseal-chroot", why,
		    sizeof why) != -1 || strstr(why,
		    "/nonexistent/postseal-chroot") == NULL)
			_exit(1);
		_exit(geteuid() == 0 ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_not_root(void **state)
{
	pid_t pid;
	int status;

	need_root();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[64] = "";

		/* not root: nothing to drop, and that is reported as 1 */
		if (setresuid(65534, 65534, 65534) != 0)
			_exit(3);
		_exit(privdrop_user("nobody", NULL, why, sizeof why) == 1 ?
		    0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_unknown_user),
		cmocka_unit_test(test_drop_to_nobody),
		cmocka_unit_test(test_bad_chroot),
		cmocka_unit_test(test_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
