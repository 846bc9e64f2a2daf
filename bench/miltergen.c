/*
 * miltergen: a milter-protocol (version 6) load generator, no MTA needed.
 *
 *	miltergen -S unix:/path|inet:PORT@HOST [-c CONNS] [-m MSGS] [-l BYTES]
 *	          [-f FILE] [-d DOMAIN] [-a AUTHUSER] [-i IP] [-p PID] [-e N]
 *
 * Opens CONNS connections at once; each negotiates (SMFIC_OPTNEG), sends
 * CONNECT (client IP, default 127.0.0.1, so the milter treats the mail as
 * internal) and HELO, then MSGS messages: MAIL (with the {auth_authen}
 * macro when -a is given), RCPT, DATA, the headers, EOH, the body in
 * chunks of at most 64 KB, EOM, reading the milter's modification
 * requests until its final reply.  Steps the milter asked to skip
 * (SMFIP_NO*) are not sent; replies it asked not to give (SMFIP_NR_*) are
 * not awaited.  The message is generated (-l bytes of body, From in -d)
 * or read from FILE (-f, headers and body as on the wire).
 *
 * Prints one line of key=value: messages, wall seconds, messages/s, the
 * milter process's CPU seconds during the run (from /proc/PID/stat, -p),
 * the generator's own CPU seconds, headers added and final replies.
 * Exits 1 on a protocol or connection error, or when fewer than -e
 * headers were added per message (a milter that stopped signing); with
 * -x STRING only added headers containing STRING count.  -w FILE writes
 * the generated message to FILE and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mgmsg.h"

#define MG_CHUNK	65535
#define MG_MAXPKT	(1024 * 1024)

/* Protocol flags (libmilter's mfdef.h values). */
#define P_NOCONNECT	0x000001
#define P_NOHELO	0x000002
#define P_NOMAIL	0x000004
#define P_NORCPT	0x000008
#define P_NOBODY	0x000010
#define P_NOHDRS	0x000020
#define P_NOEOH		0x000040
#define P_NR_HDR	0x000080
#define P_NODATA	0x000200
#define P_NR_CONN	0x001000
#define P_NR_HELO	0x002000
#define P_NR_MAIL	0x004000
#define P_NR_RCPT	0x008000
#define P_NR_DATA	0x010000
#define P_NR_EOH	0x040000
#define P_NR_BODY	0x080000
#define P_HDR_LEADSPC	0x100000
#define P_ALL		0x1fffff

struct mg_opts {
	const char *sock;
	const char *ip;
	const char *auth;
	const char *match;	/* count only added headers holding this */
	int conns;
	int msgs;
	int expect;		/* headers that must be added per message */
	struct mgmsg *msg;
};

struct mg_conn {
	const struct mg_opts *o;
	int id;
	int fd;
	uint32_t pflags;
	long added, accepted, rejected, tempfailed;
	char err[256];
};

static int
mg_connect(const char *spec)
{
	struct sockaddr_un un;
	struct sockaddr_in in;
	char host[64];
	int fd, port, on = 1;

	if (strncmp(spec, "unix:", 5) == 0) {
		memset(&un, 0, sizeof un);
		un.sun_family = AF_UNIX;
		snprintf(un.sun_path, sizeof un.sun_path, "%s", spec + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&un, sizeof un) == -1) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (sscanf(spec, "inet:%d@%63s", &port, host) != 2)
		return -1;
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &in.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (connect(fd, (struct sockaddr *)&in, sizeof in) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
mg_writeall(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
mg_readall(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One packet: 4-byte length (command included), command, data. */
static int
mg_send(struct mg_conn *c, char cmd, const void *data, size_t len)
{
	unsigned char hdr[5];
	uint32_t n = htonl((uint32_t)len + 1);

	memcpy(hdr, &n, 4);
	hdr[4] = (unsigned char)cmd;
	if (mg_writeall(c->fd, hdr, 5) == -1 ||
	    (len > 0 && mg_writeall(c->fd, data, len) == -1)) {
		snprintf(c->err, sizeof c->err, "write command '%c': %s", cmd,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Read one reply; its data (NUL-terminated) goes to buf. */
static int
mg_recv(struct mg_conn *c, char *cmd, char *buf, size_t size, size_t *len)
{
	uint32_t n;

	if (mg_readall(c->fd, &n, 4) == -1) {
		snprintf(c->err, sizeof c->err, "milter closed the connection");
		return -1;
	}
	n = ntohl(n);
	if (n == 0 || n > MG_MAXPKT || n > size) {
		snprintf(c->err, sizeof c->err, "bad reply length %u", n);
		return -1;
	}
	if (mg_readall(c->fd, cmd, 1) == -1 ||
	    (n > 1 && mg_readall(c->fd, buf, n - 1) == -1)) {
		snprintf(c->err, sizeof c->err, "short reply");
		return -1;
	}
	buf[n - 1] = '\0';
	*len = n - 1;
	return 0;
}

/* Send a step and, unless its reply was waived (nr), read the reply:
 * returns its command character, 0 when waived, -1 on error. */
static int
mg_step(struct mg_conn *c, char cmd, const void *data, size_t len, int nr)
{
	static __thread char buf[MG_MAXPKT];
	size_t rlen;
	char r;

	if (mg_send(c, cmd, data, len) == -1)
		return -1;
	if (nr)
		return 0;
	do {
		if (mg_recv(c, &r, buf, sizeof buf, &rlen) == -1)
			return -1;
	} while (r == 'p');
	return (unsigned char)r;
}

static int
mg_macro(struct mg_conn *c, char forcmd, const char *const *kv, size_t n)
{
	char buf[1024];
	size_t len = 0;

	buf[len++] = forcmd;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(kv[i]) + 1;

		if (len + l > sizeof buf)
			return -1;
		memcpy(buf + len, kv[i], l);
		len += l;
	}
	return mg_send(c, 'D', buf, len);
}

static int
mg_negotiate(struct mg_conn *c)
{
	uint32_t v[3] = { htonl(6), htonl(0x1ff), htonl(P_ALL) };
	char buf[4096], r;
	size_t len;

	if (mg_send(c, 'O', v, sizeof v) == -1 ||
	    mg_recv(c, &r, buf, sizeof buf, &len) == -1)
		return -1;
	if (r != 'O' || len < 12) {
		snprintf(c->err, sizeof c->err, "bad option negotiation reply");
		return -1;
	}
	memcpy(&c->pflags, buf + 8, 4);
	c->pflags = ntohl(c->pflags);
	return 0;
}

static int
mg_hello(struct mg_conn *c)
{
	static const char *const cm[] = { "j", "mx.bench.example",
	    "{daemon_name}", "bench" };
	char buf[256];
	size_t len;
	int r;

	if (mg_macro(c, 'C', cm, 4) == -1)
		return -1;
	if (!(c->pflags & P_NOCONNECT)) {
		len = (size_t)snprintf(buf, sizeof buf, "client.bench.example") + 1;
		buf[len++] = '4';
		buf[len++] = 0x30;	/* port 12345, network order */
		buf[len++] = 0x39;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", c->o->ip) + 1;
		if ((r = mg_step(c, 'C', buf, len, c->pflags & P_NR_CONN)) == -1)
			return -1;
		if (r != 0 && r != 'c')
			goto refused;
	}
	if (!(c->pflags & P_NOHELO)) {
		r = mg_step(c, 'H', "client.bench.example", 21,
		    c->pflags & P_NR_HELO);
		if (r == -1)
			return -1;
		if (r != 0 && r != 'c')
			goto refused;
	}
	return 0;
refused:
	snprintf(c->err, sizeof c->err, "milter refused the connection ('%c')", r);
	return -1;
}

/* The steps before the headers; 1 when the milter ended the message. */
static int
mg_envelope(struct mg_conn *c, int n)
{
	char qid[32];
	const char *mm[] = { "i", qid, "{auth_authen}", c->o->auth,
	    "{mail_addr}", "sender@bench.example" };
	int r;

	snprintf(qid, sizeof qid, "B%dQ%d", c->id, n);
	if (mg_macro(c, 'M', mm, c->o->auth ? 6 : 2) == -1)
		return -1;
	if (!(c->pflags & P_NOMAIL)) {
		r = mg_step(c, 'M', "<sender@bench.example>", 23,
		    c->pflags & P_NR_MAIL);
		if (r != 0 && r != 'c')
			return r == -1 ? -1 : 1;
	}
	if (!(c->pflags & P_NORCPT)) {
		r = mg_step(c, 'R', "<user@dest.example>", 20, c->pflags & P_NR_RCPT);
		if (r != 0 && r != 'c')
			return r == -1 ? -1 : 1;
	}
	if (!(c->pflags & P_NODATA)) {
		r = mg_step(c, 'T', NULL, 0, c->pflags & P_NR_DATA);
		if (r != 0 && r != 'c')
			return r == -1 ? -1 : 1;
	}
	return 0;
}

static int
mg_headers(struct mg_conn *c)
{
	const struct mgmsg *m = c->o->msg;
	int lead = (c->pflags & P_HDR_LEADSPC) != 0, r;

	if (!(c->pflags & P_NOHDRS))
		for (size_t i = 0; i < m->nhdrs; i++) {
			const char *v = m->hdrs[i].value;
			size_t vl = m->hdrs[i].valuelen, nl = m->hdrs[i].namelen;
			char buf[8192];

			if (!lead)
				while (vl > 0 && (*v == ' ' || *v == '\t'))
					v++, vl--;
			if (nl + vl + 2 > sizeof buf)
				continue;
			memcpy(buf, m->hdrs[i].name, nl);
			buf[nl] = '\0';
			memcpy(buf + nl + 1, v, vl);
			buf[nl + 1 + vl] = '\0';
			r = mg_step(c, 'L', buf, nl + vl + 2, c->pflags & P_NR_HDR);
			if (r != 0 && r != 'c')
				return r == -1 ? -1 : 1;
		}
	if (!(c->pflags & P_NOEOH)) {
		r = mg_step(c, 'N', NULL, 0, c->pflags & P_NR_EOH);
		if (r != 0 && r != 'c')
			return r == -1 ? -1 : 1;
	}
	return 0;
}

static int
mg_body(struct mg_conn *c)
{
	const struct mgmsg *m = c->o->msg;
	int r;

	if (c->pflags & P_NOBODY)
		return 0;
	for (size_t off = 0; off < m->bodylen; off += MG_CHUNK) {
		size_t n = m->bodylen - off < MG_CHUNK ? m->bodylen - off : MG_CHUNK;

		r = mg_step(c, 'B', m->body + off, n, c->pflags & P_NR_BODY);
		if (r == 's')
			return 0;
		if (r != 0 && r != 'c')
			return r == -1 ? -1 : 1;
	}
	return 0;
}

/* End of message: modification requests, then one final reply. */
static int
mg_eom(struct mg_conn *c)
{
	static __thread char buf[MG_MAXPKT];
	size_t len;
	char r;

	if (mg_send(c, 'E', NULL, 0) == -1)
		return -1;
	for (;;) {
		if (mg_recv(c, &r, buf, sizeof buf, &len) == -1)
			return -1;
		switch (r) {
		case 'h': case 'i':
			if (c->o->match == NULL ||
			    memmem(buf, len, c->o->match, strlen(c->o->match)))
				c->added++;
			break;
		case 'a': case 'c':
			c->accepted++;
			return 0;
		case 'r': case 'd': case 'y':
			c->rejected++;
			return 0;
		case 't':
			c->tempfailed++;
			return 0;
		default:	/* m, q, p, e, +, -, b: not counted */
			break;
		}
	}
}

static int
mg_message(struct mg_conn *c, int n)
{
	int r;

	if ((r = mg_envelope(c, n)) != 0 || (r = mg_headers(c)) != 0 ||
	    (r = mg_body(c)) != 0) {
		if (r == -1)
			return -1;
		c->rejected++;
		return mg_send(c, 'A', NULL, 0);	/* the MTA would abort */
	}
	return mg_eom(c);
}

static void *
mg_run(void *arg)
{
	struct mg_conn *c = arg;

	if ((c->fd = mg_connect(c->o->sock)) == -1) {
		snprintf(c->err, sizeof c->err, "connect %s: %s", c->o->sock,
		    strerror(errno));
		return NULL;
	}
	if (mg_negotiate(c) == -1 || mg_hello(c) == -1)
		goto out;
	for (int i = 0; i < c->o->msgs; i++)
		if (mg_message(c, i) == -1)
			goto out;
	mg_send(c, 'Q', NULL, 0);
out:
	close(c->fd);
	return NULL;
}

/* utime + stime of a process, in seconds; -1 when unreadable. */
static double
mg_proc_cpu(long pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which may hold spaces. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double
mg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
mg_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* -w FILE: write the generated message instead of sending it. */
static int
mg_write(const char *path, const char *domain, size_t size)
{
	struct mgmsg *m = mgmsg_generate(domain, size);
	FILE *f = fopen(path, "wb");
	int ok = m != NULL && f != NULL &&
	    fwrite(m->text, 1, m->textlen, f) == m->textlen;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	mgmsg_free(m);
	return ok ? 0 : 1;
}

static void
mg_usage(void)
{
	fprintf(stderr, "usage: miltergen -S unix:PATH|inet:PORT@HOST [-c conns] "
	    "[-m msgs] [-l bytes] [-f file] [-d domain] [-a auth] [-i ip] "
	    "[-p pid] [-e headers-per-message] [-x match] [-w outfile]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct mg_opts o = { NULL, "127.0.0.1", NULL, NULL, 1, 100, 0, NULL };
	const char *file = NULL, *domain = "bench.example", *out = NULL;
	long pid = 0, size = 4096, added = 0, acc = 0, rej = 0, tf = 0;
	double t0, t1, c0, c1, s0;
	struct mg_conn *cs;
	pthread_t *tids;
	int ch, fails = 0;

	while ((ch = getopt(argc, argv, "S:c:m:l:f:d:a:i:p:e:x:w:")) != -1) {
		switch (ch) {
		case 'S': o.sock = optarg; break;
		case 'c': o.conns = atoi(optarg); break;
		case 'm': o.msgs = atoi(optarg); break;
		case 'l': size = atol(optarg); break;
		case 'f': file = optarg; break;
		case 'd': domain = optarg; break;
		case 'a': o.auth = optarg; break;
		case 'i': o.ip = optarg; break;
		case 'p': pid = atol(optarg); break;
		case 'e': o.expect = atoi(optarg); break;
		case 'x': o.match = optarg; break;
		case 'w': out = optarg; break;
		default: mg_usage();
		}
	}
	if (out != NULL)
		return mg_write(out, domain, (size_t)size);
	if (o.sock == NULL || o.conns < 1 || o.conns > 1000 || o.msgs < 1 ||
	    size < 0 || size > 64L * 1024 * 1024)
		mg_usage();
	o.msg = file ? mgmsg_load(file) : mgmsg_generate(domain, (size_t)size);
	if (o.msg == NULL) {
		fprintf(stderr, "miltergen: cannot %s the message%s%s\n",
		    file ? "read" : "make", file ? " " : "", file ? file : "");
		return 2;
	}
	cs = calloc((size_t)o.conns, sizeof *cs);
	tids = calloc((size_t)o.conns, sizeof *tids);
	if (cs == NULL || tids == NULL)
		return 2;
	c0 = mg_proc_cpu(pid);
	s0 = mg_self_cpu();
	t0 = mg_now();
	for (int i = 0; i < o.conns; i++) {
		cs[i].o = &o;
		cs[i].id = i;
		if (pthread_create(&tids[i], NULL, mg_run, &cs[i]) != 0)
			return 2;
	}
	for (int i = 0; i < o.conns; i++) {
		pthread_join(tids[i], NULL);
		added += cs[i].added;
		acc += cs[i].accepted;
		rej += cs[i].rejected;
		tf += cs[i].tempfailed;
		if (cs[i].err[0] != '\0' && fails++ == 0)
			fprintf(stderr, "miltergen: connection %d: %s\n", i, cs[i].err);
	}
	t1 = mg_now();
	c1 = mg_proc_cpu(pid);
	long total = (long)o.conns * o.msgs;
	printf("messages=%ld wall=%.3f rate=%.1f milter_cpu=%.2f "
	    "milter_cpu_per_msg_us=%.1f gen_cpu=%.2f added=%ld accepted=%ld "
	    "rejected=%ld tempfailed=%ld failed_conns=%d\n", total, t1 - t0,
	    (double)total / (t1 - t0), pid > 0 ? c1 - c0 : -1.0,
	    pid > 0 ? (c1 - c0) / (double)total * 1e6 : -1.0,
	    mg_self_cpu() - s0, added, acc, rej, tf, fails);
	mgmsg_free(o.msg);
	free(cs);
	free(tids);
	if (fails > 0 || acc != total || added < (long)o.expect * total)
		return 1;
	return 0;
}
