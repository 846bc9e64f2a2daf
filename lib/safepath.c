/* safepath: see safepath.h.  The wording of verdicts is in safepath_msg.c. */
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath_msg.h"

#define SAFEPATH_MAXLINKS 32
#define SAFEPATH_MAXDEPTH 128

/* A directory on the way, kept open, as fstat() on its descriptor saw it. */
struct safepath_level {
	int fd;
	size_t plen;	/* its path is walk.path[0 .. plen), "" meaning "/" */
	struct safepath_owner own;
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

static int
safepath_trusted(const struct safepath_walk *w, uid_t uid)
{
	return uid == 0 || (w->trust->uid != (uid_t)-1 && uid == w->trust->uid);
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
	if (safepath_first(w, cpath))
		safepath_reason_sticky(w->v, w->trust->uid, dpath,
		    w->lv[w->depth - 1].own.mode, cst, cpath);
	return w->trust->enforce ? -1 : 0;
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
	const struct safepath_owner *o = &p->own;
	int owner = !safepath_trusted(w, o->uid);
	int others = (o->mode & S_IWOTH) || ((o->mode & S_IWGRP) && o->gid != 0);
	char dpath[PATH_MAX];

	if (!owner && !others)
		return 0;
	snprintf(dpath, sizeof dpath, "%.*s", (int)p->plen, w->path);
	if (p->plen == 0)
		snprintf(dpath, sizeof dpath, "/");
	if (others && (o->mode & S_ISVTX)) {
		if (!owner && !safepath_trusted(w, cst->st_uid))
			return safepath_sticky(w, dpath, cst, cpath);
		if (!owner)
			return 0;
		others = 0;
	}
	if (safepath_first(w, dpath))
		safepath_reason_dir(w->v, w->trust->uid, dpath, o, owner,
		    others, cst, cpath, final);
	return w->trust->enforce ? -1 : 0;
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
		safepath_reason_file(w->v, w->trust->uid, st, fpath, owner,
		    links);
	return w->trust->enforce ? -1 : 0;
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
		return safepath_syserr(w->v, "openat", w->path, ENAMETOOLONG);
	}
	l = &w->lv[w->depth++];
	l->fd = fd;
	l->plen = strlen(w->path);
	l->own.uid = st->st_uid;
	l->own.gid = st->st_gid;
	l->own.mode = st->st_mode;
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
		safepath_syserr(w->v, "readlinkat", w->path, ELOOP);
		safepath_cat(w->v->reason, sizeof w->v->reason, " (more than %d "
		    "symbolic links)", SAFEPATH_MAXLINKS);
		return -1;
	}
	n = readlinkat(fd, "", target, sizeof target);
	close(fd);
	if (n == -1)
		return safepath_syserr(w->v, "readlinkat", w->path, errno);
	if (n == 0 || (size_t)n + 1 + strlen(w->rest) >= sizeof tmp)
		return safepath_syserr(w->v, "readlinkat", w->path,
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
		return safepath_syserr(w->v, "openat", w->path, errno);
	if (fstat(fd, &ost) == -1) {
		e = errno;
		close(fd);
		return safepath_syserr(w->v, "fstat", w->path, e);
	}
	if (ost.st_dev != st->st_dev || ost.st_ino != st->st_ino) {
		close(fd);
		return safepath_error(w->v, w->path, "find out what replaces it",
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
		return safepath_syserr(w->v, "fcntl", w->path, e);
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
		return safepath_syserr(w->v, "openat", w->path, ENAMETOOLONG);
	w->path[plen] = '/';
	memcpy(w->path + plen + 1, name, nlen + 1);
	fd = openat(w->lv[w->depth - 1].fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return safepath_syserr(w->v, "openat", w->path, errno);
	if (fstat(fd, &st) == -1) {
		r = errno;
		close(fd);
		return safepath_syserr(w->v, "fstat", w->path, r);
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
		return safepath_syserr(w->v, "openat", w->path, ENOTDIR);
	if (!S_ISREG(st.st_mode))
		return safepath_notreg(w->v, w->path, st.st_uid, st.st_gid,
		    st.st_mode);
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
		return safepath_syserr(w->v, "openat", *w->path ? w->path : "/",
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
	return safepath_notreg(w->v, top->plen ? w->path : "/", top->own.uid,
	    top->own.gid, top->own.mode);
}

static int
safepath_start(struct safepath_walk *w, const char *path)
{
	struct stat st;
	int fd, e;

	if (path == NULL || path[0] != '/')
		return safepath_error(w->v, path ? path : "", "write the full path, "
		    "starting with /", "path \"%s\" is relative; key paths must "
		    "be absolute", path ? path : "");
	if (strlen(path) >= sizeof w->rest)
		return safepath_syserr(w->v, "open", path, ENAMETOOLONG);
	memcpy(w->rest, path, strlen(path) + 1);
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return safepath_syserr(w->v, "open", "/", errno);
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		return safepath_syserr(w->v, "fstat", "/", e);
	}
	w->path[0] = '\0';
	return safepath_push(w, fd, &st);
}

int
safepath_open(const char *path, const struct safepath_trust *trust,
    struct safepath_verdict *v)
{
	static const struct safepath_trust root_only = { .uid = (uid_t)-1,
	    .enforce = 1 };
	struct safepath_walk w;

	if (trust != NULL && trust->opener != NULL)
		return trust->opener(path, trust, v, trust->opener_arg);
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
