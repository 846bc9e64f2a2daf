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
 * ".." goes back to the directory actually walked through (the descriptor
 * below on the stack), as the kernel would.  The file is opened by name from
 * its checked directory's descriptor and must be the inode that was checked.
 * Thread-safe: no global state (getpwuid_r/getgrgid_r for names).
 */
#ifndef POSTSEAL_SAFEPATH_H
#define POSTSEAL_SAFEPATH_H

#include <stddef.h>
#include <sys/types.h>

struct safepath_verdict;

struct safepath_trust {
	uid_t uid;	/* the daemon user, trusted beside root; (uid_t)-1: root only */
	int enforce;	/* 0: report violations in the verdict but open anyway */
	/* Test hook, NULL in production: called after each component is
	 * checked and before the next one (or the file itself) is opened. */
	void (*after_check)(const char *checked_path, void *arg);
	void *hook_arg;
	/* NULL, or what safepath_open() calls instead of walking the path
	 * itself, with the same contract: a process that gave up its
	 * privileges asks one that kept them (the milter's reload). */
	int (*opener)(const char *path, const struct safepath_trust *t,
	    struct safepath_verdict *v, void *arg);
	void *opener_arg;
};

enum safepath_status {
	SAFEPATH_OK = 0,	/* opened, every rule held */
	SAFEPATH_UNSAFE,	/* a rule was broken (opened anyway if !enforce) */
	SAFEPATH_ERROR,		/* not opened: a system call failed (missing
				 * file, EACCES, ...) or no regular file */
};

struct safepath_verdict {
	enum safepath_status status;
	char component[4096];	/* the path of the component at fault; when
				 * OK, the physical path of the opened file */
	char reason[1024];	/* e.g. "directory /tmp/x is world-writable
				 * (owner root:root, mode 0777); anyone could
				 * replace the key file /tmp/x/k.key" */
	char fix[1024];		/* e.g. "chmod 755 /tmp/x" */
};

/*
 * Open path read-only (O_RDONLY|O_NOFOLLOW|O_CLOEXEC) after checking it.
 * Returns the descriptor (caller closes) or -1; v is always filled.  With
 * trust->enforce == 0 an UNSAFE path is still opened and v says why it is
 * unsafe (the first rule broken on the way).  trust NULL: root only, enforced.
 * Always SAFEPATH_ERROR, never opened: a relative path; a failed system call
 * (reason "call(path): strerror", e.g. ENOENT, EACCES, ENOTDIR, ELOOP after
 * 32 links); a final component that is not a regular file (directory, FIFO,
 * socket, device); a file replaced between its check and its opening.
 */
int safepath_open(const char *path, const struct safepath_trust *trust,
    struct safepath_verdict *v);

/*
 * Write "reason (fix: command)" into buf (the reason names the path; just
 * "reason" when there is no fix; "path: safe" when OK); returns buf.
 */
const char *safepath_describe(const struct safepath_verdict *v, char *buf, size_t n);

#endif
