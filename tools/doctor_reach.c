/*
 * doctor, reach (live only): is postseal-milter answering at the socket
 * postseal.conf gives it?  When it is not, Postfix cannot reach the milter
 * and applies milter_default_action to every message (with tempfail:
 * "451 4.7.1 Service unavailable" for all mail).  The check connects and
 * sends the milter protocol's option negotiation; a milter answers with
 * its own.  A unix socket is looked up under --root.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "xmalloc.h"

#define DR_TIMEOUT_MS 3000

/* Wait for a non-blocking connect to finish: 0, or -1 with errno. */
static int
dr_connected(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t el;
	int r, e = 0;

	if ((r = poll(&p, 1, DR_TIMEOUT_MS)) == -1)
		return -1;
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	el = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == -1)
		return -1;
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Connect to spec ("unix:PATH", "local:PATH", "inet:PORT@HOST"); the
 * descriptor, or -1 with errno set.  *where gets the address as shown. */
static int
dr_connect(const struct doctor *d, const char *spec, char **where)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *at;
	char *path;
	int fd, r, e;

	*where = NULL;
	memset(&ss, 0, sizeof ss);
	if (strncmp(spec, "inet:", 5) == 0 && (at = strchr(spec, '@')) != NULL) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		*where = xasprintf("%s:%.*s", at + 1, (int)(at - spec - 5), spec + 5);
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(spec + 5));
		if (inet_pton(AF_INET, at + 1, &in->sin_addr) != 1) {
			errno = EINVAL;
			return -1;
		}
		len = sizeof *in;
	} else {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;

		path = doctor_path(d, strchr(spec, ':') ? strchr(spec, ':') + 1 : spec);
		*where = path;
		if (strlen(path) >= sizeof un->sun_path) {
			errno = ENAMETOOLONG;
			return -1;
		}
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		len = sizeof *un;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	r = connect(fd, (struct sockaddr *)&ss, len);
	if (r == -1 && errno == EINPROGRESS)
		r = dr_connected(fd);
	if (r == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Send SMFIC_OPTNEG (protocol version 6) and read the reply's command:
 * 'O' from a milter; 0 when nothing came within the timeout. */
static int
dr_negotiate(int fd)
{
	static const unsigned char optneg[] = { 0, 0, 0, 13, 'O',
	    0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff };
	unsigned char hdr[5];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	if (write(fd, optneg, sizeof optneg) != (ssize_t)sizeof optneg)
		return 0;
	while (got < sizeof hdr && poll(&p, 1, DR_TIMEOUT_MS) == 1) {
		if ((r = read(fd, hdr + got, sizeof hdr - got)) <= 0)
			return 0;
		got += (size_t)r;
	}
	return got == sizeof hdr ? hdr[4] : 0;
}

static const char *
dr_why(int e)
{
	switch (e) {
	case ENOENT:
		return "the socket does not exist: postseal-milter is not running";
	case ECONNREFUSED:
		return "nothing listens there: postseal-milter is not running "
		    "(a unix socket file left by a stopped milter, or no daemon "
		    "on the port)";
	case ETIMEDOUT:
		return "no answer within 3 s";
	default:
		return strerror(e);
	}
}

void
doctor_reach(struct doctor *d)
{
	const char *spec = d->conf->milter.socket;
	char *where = NULL, *fix;
	int fd, cmd;

	if (!d->live)
		return;
	fix = xstrdup("systemctl start postseal-milter (journalctl -u "
	    "postseal-milter says why it stopped); Postfix retries the "
	    "deferred mail");
	if ((fd = dr_connect(d, spec, &where)) == -1)
		doctor_finding(d, DOCTOR_ERROR, "milter", fix, "%s: cannot "
		    "connect: %s; Postfix applies milter_default_action to "
		    "every message (tempfail: 451 4.7.1 for all mail)",
		    where ? where : spec, dr_why(errno));
	else if ((cmd = dr_negotiate(fd)) != 'O')
		doctor_finding(d, DOCTOR_ERROR, "milter", fix, "%s: connected, "
		    "but no milter protocol answer (%s)", where,
		    cmd == 0 ? "nothing within 3 s" : "an unexpected reply");
	if (fd != -1)
		close(fd);
	free(where);
	free(fix);
}
