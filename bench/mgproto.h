/*
 * mgproto: one milter-protocol (version 6) client connection for
 * miltergen.
 *
 * mgproto_run() connects to o->sock, negotiates (SMFIC_OPTNEG), sends
 * CONNECT (client o->ip) and HELO, then o->msgs messages: MAIL (macros i
 * and, with o->auth, {auth_authen}), RCPT, DATA, headers, EOH, the body in
 * chunks of at most 64 KB, EOM, reading modification requests until the
 * final reply.  Steps the milter asked to skip (SMFIP_NO*) are not sent;
 * replies it asked not to give (SMFIP_NR_*) are not awaited.  Counts go
 * to the struct mg_conn; a failure leaves a message in c->err.  One
 * thread per connection; o is shared read-only.
 */
#ifndef BENCH_MGPROTO_H
#define BENCH_MGPROTO_H

#include <stdint.h>

#include "mgmsg.h"

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

/* pthread start routine; arg is a struct mg_conn with o and id set. */
void *mgproto_run(void *arg);

#endif
