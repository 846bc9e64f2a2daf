/*
 * server: listeners and connections of the policy protocol.
 *
 * Listeners are opened at start-up, before privileges are dropped:
 * "unix:/path" (mode and group applied; a stale socket left by a dead
 * daemon is removed, anything else at the path is an error) and
 * "inet:host:port" (host 127.0.0.1, [::1], a name, or * for any).
 *
 * Every accepted connection gets its own thread, so a slow DNS answer for
 * one client never stalls another; at most max_connections run at once,
 * beyond that a connection is accepted, logged and closed.  A connection
 * carries many requests; bad or oversized input is logged (the problem
 * and the peer) and closes that connection without a reply; a connection
 * idle for idle_timeout seconds is closed.
 */
#ifndef POSTSEAL_POLICYD_SERVER_H
#define POSTSEAL_POLICYD_SERVER_H

#include <stddef.h>

#include "handle.h"

#define SERVER_IDLE_TIMEOUT 300		/* seconds, like Postfix's */

struct server_listener {
	int fd;
	char *path;	/* unix socket to unlink at exit, or NULL */
};

/*
 * Open the listener spec.  mode/group: for unix sockets (group "" = leave
 * as is).  Returns 0, or -1 with why.
 */
int server_listen(const char *spec, int mode, const char *group,
    struct server_listener *l, char *why, size_t n);
/* Close l and remove its unix socket. */
void server_listener_close(struct server_listener *l);

struct server;

struct server *server_new(struct handler *h, int max_connections,
    int idle_timeout);
void server_free(struct server **s);

/* Accept one connection on fd and serve it in a new thread. */
void server_accept(struct server *s, int fd);

/* Serve one connection on in/out in the calling thread (spawn(8) mode). */
void server_serve_fd(struct server *s, int in, int out, const char *peer);

#endif
