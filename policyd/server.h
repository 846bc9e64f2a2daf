/*
 * server: the connections of the policy protocol.
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

struct server;

struct server *server_new(struct handler *h, int max_connections,
    int idle_timeout);
void server_free(struct server **s);

/* Connections being served right now (threads still running). */
int server_active(struct server *s);

/* Accept one connection on fd and serve it in a new thread. */
void server_accept(struct server *s, int fd);

/* Serve one connection on in/out in the calling thread (spawn(8) mode). */
void server_serve_fd(struct server *s, int in, int out, const char *peer);

#endif
