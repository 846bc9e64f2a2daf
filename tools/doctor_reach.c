/*
 * doctor, reach (live only): do the daemons Postfix depends on answer?
 *   - postseal-milter at milter.socket: connect and send the milter
 *     protocol's option negotiation; a milter answers with its own.  When
 *     it does not, Postfix applies milter_default_action to every message
 *     (with tempfail: "451 4.7.1 Service unavailable" for all mail).
 *   - every check_policy_service in smtpd_relay_restrictions and
 *     smtpd_recipient_restrictions: connect and send one policy request
 *     (from 127.0.0.1); a policy server answers "action=...".  When it does
 *     not, Postfix answers "451 4.3.5 Server configuration problem".
 * A unix socket is looked up under --root; Postfix's relative names are
 * relative to its queue directory.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "doctor.h"
#include "pfconf.h"
#include "xmalloc.h"

#define DR_TIMEOUT_MS 3000
#define DR_QUEUE_DIR "/var/spool/postfix"

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

/* Connect to a unix path (already under --root) or to host:port; the
 * descriptor, or -1 with errno set. */
static int
dr_connect(const char *path, const char *host, const char *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof *un;
	int fd, r, e;

	memset(&ss, 0, sizeof ss);
	if (path != NULL) {
		if (strlen(path) >= sizeof un->sun_path) {
			errno = ENAMETOOLONG;
			return -1;
		}
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
	} else {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		if (strcmp(host, "localhost") == 0)
			host = "127.0.0.1";
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
			errno = EINVAL;
			return -1;
		}
		len = sizeof *in;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
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

/* Send req; read up to n-1 bytes of the answer into buf (NUL-terminated),
 * until want bytes came, the peer closed or the timeout passed.  Returns
 * the number of bytes read (the answer may hold NULs). */
static size_t
dr_ask(int fd, const void *req, size_t reqlen, char *buf, size_t n, size_t want)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	*buf = '\0';
	if (write(fd, req, reqlen) != (ssize_t)reqlen)
		return 0;
	while (got < want && got < n - 1 && poll(&p, 1, DR_TIMEOUT_MS) == 1) {
		if ((r = read(fd, buf + got, n - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

static const char *
dr_why(int e, const char *daemon)
{
	static char buf[160];

	switch (e) {
	case ENOENT:
		snprintf(buf, sizeof buf, "the socket does not exist: %s is "
		    "not running", daemon);
		return buf;
	case ECONNREFUSED:
		snprintf(buf, sizeof buf, "nothing listens there: %s is not "
		    "running (a socket file left behind, or no daemon on the "
		    "port)", daemon);
		return buf;
	case ETIMEDOUT:
		return "no answer within 3 s";
	default:
		return strerror(e);
	}
}

/* The milter at milter.socket ("unix:PATH", "local:PATH", "inet:PORT@HOST"). */
static void
dr_milter(struct doctor *d)
{
	static const unsigned char optneg[] = { 0, 0, 0, 13, 'O',
	    0, 0, 0, 6, 0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff };
	const char *s = d->conf->milter.socket, *at = strchr(s, '@');
	char *where, *port = NULL, *path = NULL, buf[64];
	size_t got;
	const char *fix = "systemctl start postseal-milter (journalctl -u "
	    "postseal-milter says why it stopped); Postfix retries the "
	    "deferred mail";
	int fd;

	if (strncmp(s, "inet:", 5) == 0 && at != NULL) {
		port = xasprintf("%.*s", (int)(at - s - 5), s + 5);
		where = xasprintf("%s:%s", at + 1, port);
	} else
		where = path = doctor_path(d, strchr(s, ':') + 1);
	if ((fd = dr_connect(path, at ? at + 1 : NULL, port)) == -1)
		doctor_finding(d, DOCTOR_ERROR, "milter", fix, "%s: cannot "
		    "connect: %s; Postfix applies milter_default_action to "
		    "every message (tempfail: 451 4.7.1 for all mail)", where,
		    dr_why(errno, "postseal-milter"));
	else {
		got = dr_ask(fd, optneg, sizeof optneg, buf, sizeof buf, 5);
		if (got < 5 || buf[4] != 'O')
			doctor_finding(d, DOCTOR_ERROR, "milter", fix, "%s: "
			    "connected, but no milter protocol answer (%s)", where,
			    got == 0 ? "nothing within 3 s" : "an unexpected reply");
		close(fd);
	}
	free(port);
	free(where);
}

/* One check_policy_service target: "inet:HOST:PORT" or "unix:PATH"
 * (relative to the queue directory unless absolute). */
static void
dr_policy_one(struct doctor *d, const char *target)
{
	static const char req[] = "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nprotocol_name=SMTP\nclient_address=127.0.0.1\n"
	    "client_name=localhost\nhelo_name=localhost\n"
	    "sender=postmaster@localhost\nrecipient=postmaster@localhost\n\n";
	char *q = doctor_pf(d, "queue_directory", DR_QUEUE_DIR), *where, *path = NULL;
	char *host = NULL, *fix, *rq, buf[512];
	const char *colon;
	int fd;

	if (strncmp(target, "inet:", 5) == 0 && (colon = strrchr(target, ':')) > target + 4) {
		host = xasprintf("%.*s", (int)(colon - target - 5), target + 5);
		where = xasprintf("%s:%s", host, colon + 1);
	} else {
		target = strncmp(target, "unix:", 5) == 0 ? target + 5 : target;
		if (target[0] == '/')
			where = path = doctor_path(d, target);
		else {
			rq = doctor_path(d, q);
			where = path = xasprintf("%s/%s", rq, target);
			free(rq);
		}
		colon = NULL;
	}
	fix = xasprintf("start the policy server Postfix calls as %s "
	    "(postseal-policyd: systemctl start postseal-policyd)", target);
	if ((fd = dr_connect(path, host, colon ? colon + 1 : NULL)) == -1)
		doctor_finding(d, DOCTOR_ERROR, "policy", fix, "%s: cannot "
		    "connect: %s; Postfix answers \"451 4.3.5 Server "
		    "configuration problem\" to every recipient", where,
		    dr_why(errno, "the policy server"));
	else {
		/* An answer ends with an empty line; 7 bytes tell "action=". */
		(void)dr_ask(fd, req, sizeof req - 1, buf, sizeof buf, 7);
		if (strncmp(buf, "action=", 7) != 0)
			doctor_finding(d, DOCTOR_ERROR, "policy", fix, "%s: "
			    "connected, but no policy answer (%s)", where,
			    *buf == '\0' ? "nothing within 3 s" : "no action= line");
		close(fd);
	}
	free(fix);
	free(host);
	free(where);
	free(q);
}

static void
dr_policy(struct doctor *d)
{
	static const char *const lists[] = { "smtpd_relay_restrictions",
	    "smtpd_recipient_restrictions" };
	struct strlist l = { 0 }, seen = { 0 };
	char *v;

	for (size_t k = 0; k < 2; k++) {
		if ((v = doctor_pf(d, lists[k], NULL)) == NULL)
			continue;
		pfconf_split(v, &l);
		for (size_t i = 0; i + 1 < l.n; i++) {
			if (strcasecmp(l.v[i], "check_policy_service") != 0 ||
			    strlist_contains(&seen, l.v[i + 1]))
				continue;
			strlist_add(&seen, l.v[i + 1]);
			dr_policy_one(d, l.v[i + 1]);
		}
		strlist_clear(&l);
		free(v);
	}
	strlist_clear(&seen);
}

void
doctor_reach(struct doctor *d)
{
	if (!d->live)
		return;
	dr_milter(d);
	dr_policy(d);
}
