/* privdrop: see privdrop.h. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *why, size_t n)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e;

	e = getpwnam_r(user, &pw, buf, sizeof buf, &res);
	if (res == NULL) {
		snprintf(why, n, "user \"%s\" does not exist%s%s (create it: "
		    "useradd --system --no-create-home --shell /usr/sbin/nologin %s)",
		    user, e ? ": " : "", e ? strerror(e) : "", user);
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

/* After the drop, regaining root must be impossible. */
static int
privdrop_verify(uid_t uid, gid_t gid, char *why, size_t n)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(why, n, "setuid(0) succeeded after dropping to uid %u",
		    (unsigned)uid);
		return -1;
	}
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		snprintf(why, n, "setgid(0) succeeded after dropping to gid %u",
		    (unsigned)gid);
		return -1;
	}
	if (getresuid(&r, &e, &s) == -1 || r != uid || e != uid || s != uid ||
	    getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid || sg != gid) {
		snprintf(why, n, "ids after drop are not uid %u gid %u",
		    (unsigned)uid, (unsigned)gid);
		return -1;
	}
	return 0;
}

int
privdrop_user(const char *user, const char *chroot_dir, char *why, size_t n)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 1;
	if (privdrop_lookup(user, &uid, &gid, why, n) == -1)
		return -1;
	if (chroot_dir != NULL && *chroot_dir != '\0') {
		if (chroot(chroot_dir) == -1 || chdir("/") == -1) {
			snprintf(why, n, "chroot(%s): %s", chroot_dir, strerror(errno));
			return -1;
		}
	}
	if (setgroups(1, &gid) == -1) {
		snprintf(why, n, "setgroups(%u): %s", (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		snprintf(why, n, "setresgid(%u): %s", (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) == -1) {
		snprintf(why, n, "setresuid(%u): %s", (unsigned)uid, strerror(errno));
		return -1;
	}
	return privdrop_verify(uid, gid, why, n);
}
