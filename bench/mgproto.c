/* mgproto: see mgproto.h. */
#include "mgproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "benchio.h"

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

/* One packet: 4-byte length (command included), command, data. */
static int
mg_send(struct mg_conn *c, char cmd, const void *data, size_t len)
{
	unsigned char hdr[5];
	uint32_t n = htonl((uint32_t)len + 1);

	memcpy(hdr, &n, 4);
	hdr[4] = (unsigned char)cmd;
	if (benchio_writeall(c->fd, hdr, 5) == -1 ||
	    (len > 0 && benchio_writeall(c->fd, data, len) == -1)) {
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

	if (benchio_readall(c->fd, &n, 4) == -1) {
		snprintf(c->err, sizeof c->err, "milter closed the connection");
		return -1;
	}
	n = ntohl(n);
	if (n == 0 || n > MG_MAXPKT || n > size) {
		snprintf(c->err, sizeof c->err, "bad reply length %u", n);
		return -1;
	}
	if (benchio_readall(c->fd, cmd, 1) == -1 ||
	    (n > 1 && benchio_readall(c->fd, buf, n - 1) == -1)) {
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

void *
mgproto_run(void *arg)
{
	struct mg_conn *c = arg;

	if ((c->fd = benchio_connect(c->o->sock)) == -1) {
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

