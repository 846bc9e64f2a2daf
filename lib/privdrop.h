/*
 * privdrop: give up root for good, and prove it.
 *
 * Order (STYLE.md 8): called after sockets are open and keys are loaded,
 * before any untrusted input is read.  chroot (optional) happens first, then
 * setgroups to the user's group alone, setresgid, setresuid; afterwards
 * setuid(0) and setgid(0) must fail, or the drop is reported as failed.
 */
#ifndef POSTSEAL_PRIVDROP_H
#define POSTSEAL_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Resolve user to uid/gid.  Returns 0, or -1 with why. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *why, size_t n);

/*
 * Become user (and its primary group only).  chroot_dir: NULL or "" for none.
 * When not running as root, does nothing and returns 1 (caller may warn).
 * Returns 0 on success, -1 with why (the caller must not serve then).
 */
int privdrop_user(const char *user, const char *chroot_dir, char *why, size_t n);

#endif
