/*
 * safepath_msg: internal to the safepath module (safepath.c and
 * safepath_msg.c); not a public interface, include safepath.h elsewhere.
 *
 * The wording of a verdict: which rule a component broke, with its owner
 * and group names and mode, who could therefore replace or read the key,
 * and the command that fixes it.  The walk (safepath.c) decides; these
 * functions only write into the verdict.  Thread-safe: getpwuid_r and
 * getgrgid_r for names, no global state.
 *
 * daemon is the trusted daemon user (struct safepath_trust.uid), (uid_t)-1
 * for root only.
 */
#ifndef POSTSEAL_SAFEPATH_MSG_H
#define POSTSEAL_SAFEPATH_MSG_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "safepath.h"

/* Owner and mode of a directory, as fstat() on its descriptor saw it. */
struct safepath_owner {
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

/* Append to the NUL-terminated string in buf (size n), truncating. */
void safepath_cat(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Error verdict (SAFEPATH_ERROR, nothing will be opened): overrides any
 * earlier verdict with component comp, fix and the formatted reason.
 * Returns -1.
 */
int safepath_error(struct safepath_verdict *v, const char *comp,
    const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Error verdict "call(path): strerror(err)", no fix.  Returns -1. */
int safepath_syserr(struct safepath_verdict *v, const char *call,
    const char *path, int err);

/* Error verdict for a last component that is not a regular file (a
 * directory, FIFO, socket, device).  Returns -1. */
int safepath_notreg(struct safepath_verdict *v, const char *path, uid_t uid,
    gid_t gid, mode_t mode);

/*
 * Reason and fix, appended to the (empty) ones of v, for:
 *  - sticky: cpath (cst) in the sticky group- or world-writable directory
 *    dpath (mode dmode) is owned by neither root nor the daemon user;
 *  - dir: the directory dpath (dir) holding cpath (cst) is not owned by
 *    root or the daemon user (owner) and/or writable by others (others);
 *    final: cpath is the last component (the key file when regular);
 *  - file: the key file fpath (st) has an untrusted owner (owner), world
 *    bits or group-write, or more than one link (links).
 */
void safepath_reason_sticky(struct safepath_verdict *v, uid_t daemon,
    const char *dpath, mode_t dmode, const struct stat *cst,
    const char *cpath);
void safepath_reason_dir(struct safepath_verdict *v, uid_t daemon,
    const char *dpath, const struct safepath_owner *dir, int owner,
    int others, const struct stat *cst, const char *cpath, int final);
void safepath_reason_file(struct safepath_verdict *v, uid_t daemon,
    const struct stat *st, const char *fpath, int owner, int links);

#endif
