/* server: see server.h. */
#include "server.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct server {
	struct handler *h;
	int max_connections;
	int idle_timeout;
	atomic_int active;
};

struct conn {
	struct server *s;
	int in, out;
	char peer[INET6_ADDRSTRLEN + 16];
	char buf[PROTO_MAX_REQUEST + 1];
	size_t len;
	struct proto_request req;
};

struct server *
server_new(struct handler *h, int max_connections, int idle_timeout)
{
	struct server *s = xcalloc(1, sizeof *s);

	s->h = h;
	s->max_connections = max_connections > 0 ? max_connections : 1;
	s->idle_timeout = idle_timeout;
	atomic_init(&s->active, 0);
	return s;
}

void
server_free(struct server **s)
{
	free(*s);
	*s = NULL;
}

int
server_active(struct server *s)
{
	return atomic_load(&s->active);
}

static int
server_write(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Answer every whole request in the buffer.  -1: close the connection. */
static int
server_drain(struct conn *c)
{
	char action[PROTO_MAX_ACTION + 1], reply[PROTO_MAX_ACTION + 16];
	const char *why;
	size_t reqlen;
	int r;

	while ((r = proto_frame(c->buf, c->len, &reqlen, &why)) == 1) {
		if (proto_parse(c->buf, reqlen, &c->req, &why) == -1)
			break;
		handle_request(c->s->h, &c->req, action, sizeof action);
		if ((r = proto_reply(action, reply, sizeof reply)) == -1)
			r = proto_reply("DUNNO", reply, sizeof reply);
		if (server_write(c->out, reply, (size_t)r) == -1) {
			log_warn("event=write peer=%s", c->peer);
			return -1;
		}
		memmove(c->buf, c->buf + reqlen, c->len - reqlen);
		c->len -= reqlen;
	}
	if (r == 0)
		return 0;
	log_warnx("event=bad-request peer=%s reason=\"%s\" action=close",
	    c->peer, why);
	return -1;
}

/* Read until EOF, bad input, idle timeout or a write error. */
static void
server_conn_loop(struct conn *c)
{
	struct pollfd pfd = { .fd = c->in, .events = POLLIN };
	ssize_t r;

	for (;;) {
		if (server_drain(c) == -1)
			return;
		r = poll(&pfd, 1, c->s->idle_timeout * 1000);
		if (r == 0) {
			log_info("event=idle-timeout peer=%s", c->peer);
			return;
		}
		if (r == -1 && errno == EINTR)
			continue;
		r = r == -1 ? -1 :
		    read(c->in, c->buf + c->len, sizeof c->buf - c->len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1)
				log_warn("event=read peer=%s", c->peer);
			else if (c->len > 0)
				log_warnx("event=bad-request peer=%s "
				    "reason=\"connection closed in the middle "
				    "of a request\"", c->peer);
			return;
		}
		c->len += (size_t)r;
	}
}

static void *
server_thread(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->s;

	server_conn_loop(c);
	close(c->in);
	free(c);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

static void
server_peer(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN];

	snprintf(out, n, "unix");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(out, n, "%s:%u", host, ntohs(in->sin_port));
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(out, n, "[%s]:%u", host, ntohs(in6->sin6_port));
	}
}

void
server_accept(struct server *s, int lfd)
{
	pthread_attr_t attr;
	pthread_t t;
	struct conn *c;
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("event=accept");
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->s = s;
	c->in = c->out = fd;
	server_peer(fd, c->peer, sizeof c->peer);
	if (atomic_fetch_add(&s->active, 1) >= s->max_connections) {
		log_warnx("event=too-many-connections peer=%s max=%d "
		    "action=close", c->peer, s->max_connections);
		goto refuse;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	if ((errno = pthread_create(&t, &attr, server_thread, c)) != 0) {
		log_warn("event=pthread_create peer=%s action=close", c->peer);
		pthread_attr_destroy(&attr);
		goto refuse;
	}
	pthread_attr_destroy(&attr);
	return;
refuse:
	atomic_fetch_sub(&s->active, 1);
	close(fd);
	free(c);
}

void
server_serve_fd(struct server *s, int in, int out, const char *peer)
{
	struct conn *c = xcalloc(1, sizeof *c);

	c->s = s;
	c->in = in;
	c->out = out;
	snprintf(c->peer, sizeof c->peer, "%s", peer);
	server_conn_loop(c);
	free(c);
}
