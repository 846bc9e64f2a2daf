/*
 * listener: the policy service's listening socket, opened at start-up
 * before privileges are dropped (STYLE.md 8).
 *
 * "unix:/path": created with umask 0177, then given mode and group; a
 * stale socket left by a stopped daemon is removed, a socket some daemon
 * still answers on, or any other kind of file, is an error (never
 * unlinked).  "inet:host:port": host 127.0.0.1, [::1], a name, or * (or
 * empty) for every address; TCP_NODELAY is set, accepted sockets inherit it.
 */
#ifndef POSTSEAL_POLICYD_LISTENER_H
#define POSTSEAL_POLICYD_LISTENER_H

#include <stddef.h>

struct listener {
	int fd;		/* -1 when closed */
	char *path;	/* unix socket to remove at close, or NULL */
};

/*
 * Open spec.  mode/group: for unix sockets (group NULL or "" = leave as
 * is).  Returns 0, or -1 with why (size n).
 */
int listener_open(const char *spec, int mode, const char *group,
    struct listener *l, char *why, size_t n);

/* Close l and remove its unix socket (logs when that fails). */
void listener_close(struct listener *l);

#endif
