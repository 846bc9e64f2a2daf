/*
 * safepath: open a file that holds secrets only if nobody but root and the
 * daemon user could have written it or anything on the way to it.
 *
 * The path is walked from "/" one component at a time with
 * openat(O_PATH|O_NOFOLLOW) and fstat() on the descriptor, so the object that
 * is checked is the object that is opened (no time-of-check/time-of-use gap).
 * Rules (DESIGN.md "Keys and safe paths"):
 *   - a directory is trusted when it is owned by root or the daemon user, not
 *     group-writable (unless its group is root's) and not world-writable;
 *     a sticky world-writable directory (/tmp) is trusted for the next
 *     component only when that component is owned by root or the daemon user;
 *   - a symlink is followed only when the directory holding it is trusted;
 *     its target is walked by the same rules (at most 32 links);
 *   - the file is a regular file with one link, owned by root or the daemon
 *     user, with no world bits; group-read is allowed, group-write is not.
 * Thread-safe: no global state.
 */
#ifndef POSTSEAL_SAFEPATH_H
#define POSTSEAL_SAFEPATH_H

#include <stddef.h>
#include <sys/types.h>

struct safepath_trust {
	uid_t uid;	/* the daemon user, trusted beside root; (uid_t)-1: root only */
	int enforce;	/* 0: report violations in the verdict but open anyway */
	/* Test hook, NULL in production: called after each component is
	 * checked and before the next one is opened. */
	void (*after_check)(const char *checked_path, void *arg);
	void *hook_arg;
};

enum safepath_status {
	SAFEPATH_OK = 0,	/* opened, every rule held */
	SAFEPATH_UNSAFE,	/* a rule was broken (opened anyway if !enforce) */
	SAFEPATH_ERROR,		/* a system call failed (missing file, EACCES, ...) */
};

struct safepath_verdict {
	enum safepath_status status;
	char component[4096];	/* the path of the component at fault */
	char reason[1024];	/* e.g. "directory /tmp/x is owned by 1000:1000
				 * mode 0777 and is world-writable" */
	char fix[1024];		/* e.g. "chmod 755 /tmp/x" */
};

/*
 * Open path read-only (O_RDONLY|O_NOFOLLOW|O_CLOEXEC) after checking it.
 * Returns the descriptor (caller closes) or -1; v is always filled.  With
 * trust->enforce == 0 an UNSAFE path is still opened and v says why it is
 * unsafe.
 */
int safepath_open(const char *path, const struct safepath_trust *trust,
    struct safepath_verdict *v);

/* Write "path: reason (fix: command)" into buf; returns buf. */
const char *safepath_describe(const struct safepath_verdict *v, char *buf, size_t n);

#endif
