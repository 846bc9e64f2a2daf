/* listener: see listener.h. */
#include "listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

/* A socket already at path: stale (nobody answers) or in use. */
static int
listener_unix_stale(const char *path, char *why, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, n, "lstat(%s): %s", path, strerror(errno));
		return -1;
	}
	/* Never remove what is not a socket: it may be someone's file. */
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, n, "%s exists and is not a socket", path);
		return -1;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(why, n, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (r == 0) {
		snprintf(why, n, "%s is in use by a running daemon", path);
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(why, n, "unlink(%s): %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
listener_unix_perms(const char *path, int mode, const char *group, char *why,
    size_t n)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (chmod(path, (mode_t)mode) == -1) {
		snprintf(why, n, "chmod(%s, %04o): %s", path, mode,
		    strerror(errno));
		return -1;
	}
	if (group == NULL || *group == '\0')
		return 0;
	if (getgrnam_r(group, &gr, buf, sizeof buf, &res) != 0 || res == NULL) {
		snprintf(why, n, "socket group \"%s\" does not exist", group);
		return -1;
	}
	if (chown(path, (uid_t)-1, gr.gr_gid) == -1) {
		snprintf(why, n, "chown(%s, :%s): %s", path, group,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
listener_unix(const char *path, int mode, const char *group,
    struct listener *l, char *why, size_t n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r;

	if (*path != '/' || strlen(path) >= sizeof sun.sun_path) {
		snprintf(why, n, "unix socket path \"%s\" must be absolute and "
		    "shorter than %zu bytes", path, sizeof sun.sun_path);
		return -1;
	}
	if (listener_unix_stale(path, why, n) == -1)
		return -1;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(why, n, "socket: %s", strerror(errno));
		return -1;
	}
	/* Nobody may connect before mode and group are in place. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r == -1 || listen(fd, SOMAXCONN) == -1) {
		snprintf(why, n, "bind(%s): %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->path = xstrdup(path);
	if (listener_unix_perms(path, mode, group, why, n) == -1) {
		listener_close(l);
		return -1;
	}
	return 0;
}

static int
listener_bind_inet(const struct addrinfo *ai, char *why, size_t n)
{
	int fd, on = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		snprintf(why, n, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	/* Replies are one write each; never wait for a delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1) {
		snprintf(why, n, "bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
listener_inet(const char *hostport, struct listener *l,
    char *why, size_t n)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res;
	char host[300], *port;
	int e;

	snprintf(host, sizeof host, "%s", hostport);
	if ((port = strrchr(host, ':')) == NULL || port[1] == '\0') {
		snprintf(why, n, "\"inet:%s\": expected inet:host:port",
		    hostport);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && port - host >= 3 && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	e = getaddrinfo(*host == '\0' || strcmp(host, "*") == 0 ? NULL : host,
	    port, &hints, &res);
	if (e != 0) {
		snprintf(why, n, "inet:%s: %s", hostport, gai_strerror(e));
		return -1;
	}
	l->fd = listener_bind_inet(res, why, n);
	l->path = NULL;
	freeaddrinfo(res);
	return l->fd == -1 ? -1 : 0;
}

int
listener_open(const char *spec, int mode, const char *group,
    struct listener *l, char *why, size_t n)
{
	l->fd = -1;
	l->path = NULL;
	if (strncmp(spec, "unix:", 5) == 0)
		return listener_unix(spec + 5, mode, group, l, why, n);
	if (strncmp(spec, "inet:", 5) == 0)
		return listener_inet(spec + 5, l, why, n);
	snprintf(why, n, "socket \"%s\": expected unix:/path or inet:host:port",
	    spec);
	return -1;
}

void
listener_close(struct listener *l)
{
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	if (l->path != NULL && unlink(l->path) == -1 && errno != ENOENT)
		log_warn("event=unlink path=%s", l->path);
	free(l->path);
	l->path = NULL;
}
