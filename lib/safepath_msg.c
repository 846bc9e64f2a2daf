/*
 * safepath: the wording of verdicts (see safepath_msg.h), and
 * safepath_describe() of safepath.h.
 */
#include "safepath_msg.h"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SAFEPATH_NAMELEN 256

void
safepath_cat(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

/* User and group names (SAFEPATH_NAMELEN each), numbers when unknown. */
static void
safepath_names(uid_t uid, gid_t gid, char *u, char *g)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char tmp[8192];

	*u = *g = '\0';
	if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &pwp) == 0 && pwp != NULL)
		safepath_cat(u, SAFEPATH_NAMELEN, "%s", pw.pw_name);
	else
		safepath_cat(u, SAFEPATH_NAMELEN, "%lu", (unsigned long)uid);
	if (getgrgid_r(gid, &gr, tmp, sizeof tmp, &grp) == 0 && grp != NULL)
		safepath_cat(g, SAFEPATH_NAMELEN, "%s", gr.gr_name);
	else
		safepath_cat(g, SAFEPATH_NAMELEN, "%lu", (unsigned long)gid);
}

/* Append the broken owner rule, in words that follow "is". */
static void
safepath_whom(uid_t daemon, char *buf, size_t n)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];

	if (daemon == (uid_t)-1 || daemon == 0) {
		safepath_cat(buf, n, "not owned by root");
		return;
	}
	safepath_names(daemon, 0, u, g);
	safepath_cat(buf, n, "owned by neither root nor the daemon user %s", u);
}

static const char *
safepath_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISLNK(mode))
		return "symlink";
	if (S_ISREG(mode))
		return "file";
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISSOCK(mode))
		return "socket";
	return S_ISCHR(mode) ? "character device" : "block device";
}

int
safepath_error(struct safepath_verdict *v, const char *comp, const char *fix,
    const char *fmt, ...)
{
	va_list ap;

	v->status = SAFEPATH_ERROR;
	snprintf(v->component, sizeof v->component, "%s", comp);
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
	snprintf(v->fix, sizeof v->fix, "%s", fix);
	return -1;
}

int
safepath_syserr(struct safepath_verdict *v, const char *call,
    const char *path, int err)
{
	char eb[256];

	return safepath_error(v, path, "", "%s(%s): %s", call, path,
	    strerror_r(err, eb, sizeof eb));
}

int
safepath_notreg(struct safepath_verdict *v, const char *path, uid_t uid,
    gid_t gid, mode_t mode)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN], fix[PATH_MAX + 64];

	safepath_names(uid, gid, u, g);
	snprintf(fix, sizeof fix, S_ISDIR(mode) ? "configure the key file "
	    "inside %s" : "replace %s with a regular file holding the key", path);
	return safepath_error(v, path, fix, "%s is a %s, not a regular file "
	    "(owner %s:%s, mode %04o)", path, safepath_kind(mode), u, g,
	    (unsigned)(mode & 07777));
}

void
safepath_reason_sticky(struct safepath_verdict *v, uid_t daemon,
    const char *dpath, mode_t dmode, const struct stat *cst,
    const char *cpath)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = v->reason;

	safepath_names(cst->st_uid, cst->st_gid, u, g);
	safepath_cat(r, sizeof v->reason, "%s %s in the sticky "
	    "%s-writable directory %s is ", safepath_kind(cst->st_mode),
	    cpath, dmode & S_IWOTH ? "world" : "group", dpath);
	safepath_whom(daemon, r, sizeof v->reason);
	safepath_cat(r, sizeof v->reason, " (owner %s:%s, mode %04o); "
	    "its owner could replace it and so the key", u, g,
	    (unsigned)(cst->st_mode & 07777));
	safepath_cat(v->fix, sizeof v->fix, "chown %sroot %s",
	    S_ISLNK(cst->st_mode) ? "-h " : "", cpath);
}

void
safepath_reason_dir(struct safepath_verdict *v, uid_t daemon,
    const char *dpath, const struct safepath_owner *p, int owner, int others,
    const struct stat *cst, const char *cpath, int final)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = v->reason, *f = v->fix;
	size_t rn = sizeof v->reason, fn = sizeof v->fix;
	int key = final && S_ISREG(cst->st_mode);

	safepath_names(p->uid, p->gid, u, g);
	safepath_cat(r, rn, "directory %s is ", dpath);
	if (owner)
		safepath_whom(daemon, r, rn);
	if (others)
		safepath_cat(r, rn, "%s%s-writable", owner ? " and is " : "",
		    p->mode & S_IWOTH ? "world" : "group");
	safepath_cat(r, rn, " (owner %s:%s, mode %04o); ", u, g,
	    (unsigned)(p->mode & 07777));
	if (p->mode & S_IWOTH)
		safepath_cat(r, rn, "anyone");
	else if (others)
		safepath_cat(r, rn, "members of group %s", g);
	else
		safepath_cat(r, rn, "user %s", u);
	safepath_cat(r, rn, " could replace the %s %s%s", key ? "key file" :
	    safepath_kind(cst->st_mode), cpath, key ? "" : " on the way to the key");
	if (owner)
		safepath_cat(f, fn, "chown root %s", dpath);
	if (others)
		safepath_cat(f, fn, "%schmod %03o %s", owner ? " && " : "",
		    (unsigned)(p->mode & 07777 & ~(mode_t)(S_IWGRP | S_IWOTH)), dpath);
}

/* The broken rules of a key file, joined by "and", after its name. */
static void
safepath_file_rules(struct safepath_verdict *v, uid_t daemon,
    const struct stat *st, int owner, int links)
{
	char *r = v->reason;
	size_t rn = sizeof v->reason;
	mode_t m = st->st_mode;
	const char *and = "";

	if (owner) {
		safepath_cat(r, rn, "is ");
		safepath_whom(daemon, r, rn);
		and = " and ";
	}
	if (m & S_IRWXO) {
		safepath_cat(r, rn, "%sis %s", and, m & S_IWOTH ? "world-writable" :
		    m & S_IROTH ? "world-readable" : "open to others (world bits)");
		and = " and ";
	}
	if (m & S_IWGRP) {
		safepath_cat(r, rn, "%sis group-writable", and);
		and = " and ";
	}
	if (links)
		safepath_cat(r, rn, "%shas %lu hard links", and,
		    (unsigned long)st->st_nlink);
}

void
safepath_reason_file(struct safepath_verdict *v, uid_t daemon,
    const struct stat *st, const char *fpath, int owner, int links)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = v->reason, *f = v->fix;
	size_t rn = sizeof v->reason, fn = sizeof v->fix;
	mode_t m = st->st_mode;

	safepath_names(st->st_uid, st->st_gid, u, g);
	safepath_cat(r, rn, "file %s ", fpath);
	safepath_file_rules(v, daemon, st, owner, links);
	safepath_cat(r, rn, " (owner %s:%s, mode %04o)", u, g,
	    (unsigned)(m & 07777));
	if (m & S_IROTH)
		safepath_cat(r, rn, "; any local user could read the key");
	if (m & S_IWOTH)
		safepath_cat(r, rn, "; anyone could change it");
	if (m & S_IWGRP)
		safepath_cat(r, rn, "; members of group %s could change it", g);
	if (owner)
		safepath_cat(r, rn, "; user %s could change it", u);
	if (links)
		safepath_cat(r, rn, "; its other names were not checked, and a "
		    "key file must have exactly one");
	if (owner)
		safepath_cat(f, fn, "chown root %s && ", fpath);
	if (m & (S_IRWXO | S_IWGRP))
		safepath_cat(f, fn, "chmod %03o %s && ", (unsigned)(m & 0750), fpath);
	if (links)
		safepath_cat(f, fn, "cp -p %s %s.new && mv %s.new %s (list the "
		    "other names first with find / -xdev -samefile %s, and remove "
		    "them)", fpath, fpath, fpath, fpath, fpath);
	else if (strlen(f) > 4)
		f[strlen(f) - 4] = '\0';	/* the last " && " */
}

const char *
safepath_describe(const struct safepath_verdict *v, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (v->status == SAFEPATH_OK)
		snprintf(buf, n, "%s: safe", v->component);
	else if (v->fix[0] != '\0')
		snprintf(buf, n, "%s (fix: %s)", v->reason, v->fix);
	else
		snprintf(buf, n, "%s", v->reason);
	return buf;
}
