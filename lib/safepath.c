/* safepath: see safepath.h. */
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAFEPATH_MAXLINKS 32
#define SAFEPATH_MAXDEPTH 128
#define SAFEPATH_NAMELEN 256

/* A directory on the way, kept open, as fstat() on its descriptor saw it. */
struct safepath_level {
	int fd;
	size_t plen;	/* its path is walk.path[0 .. plen), "" meaning "/" */
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

struct safepath_walk {
	const struct safepath_trust *trust;
	struct safepath_verdict *v;
	struct safepath_level lv[SAFEPATH_MAXDEPTH];
	int depth;
	int links;
	int fd;			/* the opened file, once there is one */
	char path[PATH_MAX];	/* physical path of the current component */
	char rest[PATH_MAX];	/* what is still to be walked */
};

/* Append to the NUL-terminated string in buf (size n), truncating. */
static void __attribute__((format(printf, 3, 4)))
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

static int
safepath_trusted(const struct safepath_walk *w, uid_t uid)
{
	return uid == 0 || (w->trust->uid != (uid_t)-1 && uid == w->trust->uid);
}

/* Append the broken owner rule, in words that follow "is". */
static void
safepath_whom(const struct safepath_walk *w, char *buf, size_t n)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];

	if (w->trust->uid == (uid_t)-1 || w->trust->uid == 0) {
		safepath_cat(buf, n, "not owned by root");
		return;
	}
	safepath_names(w->trust->uid, 0, u, g);
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

/* Error verdict: overrides any earlier one, nothing will be opened. */
static int __attribute__((format(printf, 4, 5)))
safepath_error(struct safepath_walk *w, const char *comp, const char *fix,
    const char *fmt, ...)
{
	va_list ap;

	w->v->status = SAFEPATH_ERROR;
	snprintf(w->v->component, sizeof w->v->component, "%s", comp);
	va_start(ap, fmt);
	vsnprintf(w->v->reason, sizeof w->v->reason, fmt, ap);
	va_end(ap);
	snprintf(w->v->fix, sizeof w->v->fix, "%s", fix);
	return -1;
}

static int
safepath_syserr(struct safepath_walk *w, const char *call, const char *path,
    int err)
{
	char eb[256];

	return safepath_error(w, path, "", "%s(%s): %s", call, path,
	    strerror_r(err, eb, sizeof eb));
}

/*
 * A rule was broken at comp.  Only the first one is reported: returns 1 when
 * this one is, with the verdict's reason and fix empty for the caller.
 */
static int
safepath_first(struct safepath_walk *w, const char *comp)
{
	if (w->v->status != SAFEPATH_OK)
		return 0;
	w->v->status = SAFEPATH_UNSAFE;
	snprintf(w->v->component, sizeof w->v->component, "%s", comp);
	return 1;
}

/* In /tmp, cpath is owned by someone who could rename it and put another. */
static int
safepath_sticky(struct safepath_walk *w, const char *dpath,
    const struct stat *cst, const char *cpath)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = w->v->reason;

	if (safepath_first(w, cpath)) {
		safepath_names(cst->st_uid, cst->st_gid, u, g);
		safepath_cat(r, sizeof w->v->reason, "%s %s in the sticky "
		    "%s-writable directory %s is ", safepath_kind(cst->st_mode),
		    cpath, w->lv[w->depth - 1].mode & S_IWOTH ? "world" : "group",
		    dpath);
		safepath_whom(w, r, sizeof w->v->reason);
		safepath_cat(r, sizeof w->v->reason, " (owner %s:%s, mode %04o); "
		    "its owner could replace it and so the key", u, g,
		    (unsigned)(cst->st_mode & 07777));
		safepath_cat(w->v->fix, sizeof w->v->fix, "chown %sroot %s",
		    S_ISLNK(cst->st_mode) ? "-h " : "", cpath);
	}
	return w->trust->enforce ? -1 : 0;
}

static void
safepath_dir_reason(struct safepath_walk *w, const char *dpath, int owner,
    int others, const struct stat *cst, const char *cpath, int final)
{
	const struct safepath_level *p = &w->lv[w->depth - 1];
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = w->v->reason, *f = w->v->fix;
	size_t rn = sizeof w->v->reason, fn = sizeof w->v->fix;
	int key = final && S_ISREG(cst->st_mode);

	safepath_names(p->uid, p->gid, u, g);
	safepath_cat(r, rn, "directory %s is ", dpath);
	if (owner)
		safepath_whom(w, r, rn);
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

/*
 * Whoever can write a directory can rename or replace what it holds, so the
 * directory about to be trusted with child cpath must be writable by root
 * and the daemon user only.  The sticky bit is the exception: there a user
 * can rename or remove only the entries that user owns, so the entry is safe
 * when root or the daemon user owns it.
 */
static int
safepath_check_dir(struct safepath_walk *w, const struct stat *cst,
    const char *cpath, int final)
{
	const struct safepath_level *p = &w->lv[w->depth - 1];
	int owner = !safepath_trusted(w, p->uid);
	int others = (p->mode & S_IWOTH) || ((p->mode & S_IWGRP) && p->gid != 0);
	char dpath[PATH_MAX];

	if (!owner && !others)
		return 0;
	snprintf(dpath, sizeof dpath, "%.*s", (int)p->plen, w->path);
	if (p->plen == 0)
		snprintf(dpath, sizeof dpath, "/");
	if (others && (p->mode & S_ISVTX)) {
		if (!owner && !safepath_trusted(w, cst->st_uid))
			return safepath_sticky(w, dpath, cst, cpath);
		if (!owner)
			return 0;
		others = 0;
	}
	if (safepath_first(w, dpath))
		safepath_dir_reason(w, dpath, owner, others, cst, cpath, final);
	return w->trust->enforce ? -1 : 0;
}

static void
safepath_file_reason(struct safepath_walk *w, const struct stat *st,
    const char *fpath, int owner, int links)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN];
	char *r = w->v->reason, *f = w->v->fix;
	size_t rn = sizeof w->v->reason, fn = sizeof w->v->fix;
	mode_t m = st->st_mode;
	const char *and = "";

	safepath_names(st->st_uid, st->st_gid, u, g);
	safepath_cat(r, rn, "file %s ", fpath);
	if (owner) {
		safepath_cat(r, rn, "is ");
		safepath_whom(w, r, rn);
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

/* The key itself: one link, owned by root or us, no world bits, no g+w. */
static int
safepath_check_file(struct safepath_walk *w, const struct stat *st,
    const char *fpath)
{
	int owner = !safepath_trusted(w, st->st_uid);
	int links = st->st_nlink != 1;

	if (!owner && !links && (st->st_mode & (S_IRWXO | S_IWGRP)) == 0)
		return 0;
	if (safepath_first(w, fpath))
		safepath_file_reason(w, st, fpath, owner, links);
	return w->trust->enforce ? -1 : 0;
}

/* Not something a key can be read from: an error whatever enforce says. */
static int
safepath_notreg(struct safepath_walk *w, const char *path, uid_t uid,
    gid_t gid, mode_t mode)
{
	char u[SAFEPATH_NAMELEN], g[SAFEPATH_NAMELEN], fix[PATH_MAX + 64];

	safepath_names(uid, gid, u, g);
	snprintf(fix, sizeof fix, S_ISDIR(mode) ? "configure the key file "
	    "inside %s" : "replace %s with a regular file holding the key", path);
	return safepath_error(w, path, fix, "%s is a %s, not a regular file "
	    "(owner %s:%s, mode %04o)", path, safepath_kind(mode), u, g,
	    (unsigned)(mode & 07777));
}

static void
safepath_hook(const struct safepath_walk *w, const char *path)
{
	if (w->trust->after_check != NULL)
		w->trust->after_check(path, w->trust->hook_arg);
}

/* Close the directories above level keep; the path follows. */
static void
safepath_pop(struct safepath_walk *w, int keep)
{
	while (w->depth > keep)
		close(w->lv[--w->depth].fd);
	if (w->depth > 0)
		w->path[w->lv[w->depth - 1].plen] = '\0';
}

static int
safepath_push(struct safepath_walk *w, int fd, const struct stat *st)
{
	struct safepath_level *l;

	if (w->depth == SAFEPATH_MAXDEPTH) {
		close(fd);
		return safepath_syserr(w, "openat", w->path, ENAMETOOLONG);
	}
	l = &w->lv[w->depth++];
	l->fd = fd;
	l->plen = strlen(w->path);
	l->uid = st->st_uid;
	l->gid = st->st_gid;
	l->mode = st->st_mode;
	return 0;
}

/*
 * The symlink at w->path (fd) sits in a directory already found trusted:
 * put its target in front of what is left.  An absolute target starts again
 * at "/", a relative one goes on from the directory holding the link.
 */
static int
safepath_follow(struct safepath_walk *w, int fd)
{
	char target[PATH_MAX], tmp[PATH_MAX];
	ssize_t n;

	if (++w->links > SAFEPATH_MAXLINKS) {
		close(fd);
		safepath_syserr(w, "readlinkat", w->path, ELOOP);
		safepath_cat(w->v->reason, sizeof w->v->reason, " (more than %d "
		    "symbolic links)", SAFEPATH_MAXLINKS);
		return -1;
	}
	n = readlinkat(fd, "", target, sizeof target);
	close(fd);
	if (n == -1)
		return safepath_syserr(w, "readlinkat", w->path, errno);
	if (n == 0 || (size_t)n + 1 + strlen(w->rest) >= sizeof tmp)
		return safepath_syserr(w, "readlinkat", w->path,
		    n == 0 ? ENOENT : ENAMETOOLONG);
	target[n] = '\0';
	safepath_hook(w, w->path);
	tmp[0] = '\0';
	safepath_cat(tmp, sizeof tmp, "%s%s%s", target, *w->rest ? "/" : "",
	    w->rest);
	memcpy(w->rest, tmp, strlen(tmp) + 1);
	safepath_pop(w, target[0] == '/' ? 1 : w->depth);
	return 0;
}

/*
 * The last component, a regular file checked on its O_PATH descriptor.
 * Opening it again by name could reach another file swapped in meanwhile, so
 * the opened descriptor must be the same inode, and the rules are checked
 * again on what was opened.  O_NONBLOCK: a FIFO swapped in cannot hang us.
 */
static int
safepath_final(struct safepath_walk *w, const struct stat *st, const char *name)
{
	struct stat ost;
	int fd, e;

	if (safepath_check_file(w, st, w->path) == -1)
		return -1;
	safepath_hook(w, w->path);
	fd = openat(w->lv[w->depth - 1].fd, name,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd == -1)
		return safepath_syserr(w, "openat", w->path, errno);
	if (fstat(fd, &ost) == -1) {
		e = errno;
		close(fd);
		return safepath_syserr(w, "fstat", w->path, e);
	}
	if (ost.st_dev != st->st_dev || ost.st_ino != st->st_ino) {
		close(fd);
		return safepath_error(w, w->path, "find out what replaces it",
		    "file %s was replaced between its check and its opening; "
		    "refused", w->path);
	}
	if (safepath_check_file(w, &ost, w->path) == -1) {
		close(fd);
		return -1;
	}
	if ((e = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, e & ~O_NONBLOCK) == -1) {
		e = errno;
		close(fd);
		return safepath_syserr(w, "fcntl", w->path, e);
	}
	w->fd = fd;
	return 1;
}

/* One named component: 0 go on, 1 the file is open, -1 stop. */
static int
safepath_step(struct safepath_walk *w, const char *name, int last)
{
	size_t plen = strlen(w->path), nlen = strlen(name);
	struct stat st;
	int fd, r;

	if (plen + 1 + nlen >= sizeof w->path)
		return safepath_syserr(w, "openat", w->path, ENAMETOOLONG);
	w->path[plen] = '/';
	memcpy(w->path + plen + 1, name, nlen + 1);
	fd = openat(w->lv[w->depth - 1].fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return safepath_syserr(w, "openat", w->path, errno);
	if (fstat(fd, &st) == -1) {
		r = errno;
		close(fd);
		return safepath_syserr(w, "fstat", w->path, r);
	}
	if (safepath_check_dir(w, &st, w->path, last) == -1) {
		close(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		return safepath_follow(w, fd);
	if (S_ISDIR(st.st_mode) && !last) {
		if (safepath_push(w, fd, &st) == -1)
			return -1;
		safepath_hook(w, w->path);
		return 0;
	}
	close(fd);
	if (!last)
		return safepath_syserr(w, "openat", w->path, ENOTDIR);
	if (!S_ISREG(st.st_mode))
		return safepath_notreg(w, w->path, st.st_uid, st.st_gid, st.st_mode);
	return safepath_final(w, &st, name);
}

/* Take the next component off w->rest: 1 got one, 0 none left, -1 error. */
static int
safepath_next(struct safepath_walk *w, char *name, int *last)
{
	char *s = w->rest, *e;
	size_t len;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return 0;
	e = strchrnul(s, '/');
	if ((len = (size_t)(e - s)) > NAME_MAX)
		return safepath_syserr(w, "openat", *w->path ? w->path : "/",
		    ENAMETOOLONG);
	memcpy(name, s, len);
	name[len] = '\0';
	while (*e == '/')
		e++;
	*last = *e == '\0';
	memmove(w->rest, e, strlen(e) + 1);
	return 1;
}

static int
safepath_walk(struct safepath_walk *w)
{
	const struct safepath_level *top;
	char name[NAME_MAX + 1];
	int last = 0, r;

	while ((r = safepath_next(w, name, &last)) == 1) {
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			/* The parent is the descriptor below on the stack,
			 * the directory actually walked through. */
			safepath_pop(w, w->depth > 1 ? w->depth - 1 : 1);
			continue;
		}
		if ((r = safepath_step(w, name, last)) != 0)
			return r;
	}
	if (r == -1)
		return -1;
	top = &w->lv[w->depth - 1];
	return safepath_notreg(w, top->plen ? w->path : "/", top->uid,
	    top->gid, top->mode);
}

static int
safepath_start(struct safepath_walk *w, const char *path)
{
	struct stat st;
	int fd, e;

	if (path == NULL || path[0] != '/')
		return safepath_error(w, path ? path : "", "write the full path, "
		    "starting with /", "path \"%s\" is relative; key paths must "
		    "be absolute", path ? path : "");
	if (strlen(path) >= sizeof w->rest)
		return safepath_syserr(w, "open", path, ENAMETOOLONG);
	memcpy(w->rest, path, strlen(path) + 1);
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return safepath_syserr(w, "open", "/", errno);
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		return safepath_syserr(w, "fstat", "/", e);
	}
	w->path[0] = '\0';
	return safepath_push(w, fd, &st);
}

int
safepath_open(const char *path, const struct safepath_trust *trust,
    struct safepath_verdict *v)
{
	static const struct safepath_trust root_only = { (uid_t)-1, 1, NULL, NULL };
	struct safepath_walk w;

	memset(v, 0, sizeof *v);
	v->status = SAFEPATH_OK;
	w.trust = trust != NULL ? trust : &root_only;
	w.v = v;
	w.depth = 0;
	w.links = 0;
	w.fd = -1;
	if (safepath_start(&w, path) == 0 && safepath_walk(&w) == 1 &&
	    v->status == SAFEPATH_OK)
		snprintf(v->component, sizeof v->component, "%s", w.path);
	safepath_pop(&w, 0);
	return w.fd;
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
