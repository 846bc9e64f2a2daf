/*
 * mgmsg: the message the load generators send, split into headers and
 * body the way an MTA hands them to a milter.
 *
 * mgmsg_generate() makes a plain message From sender@DOMAIN whose body
 * has about `size` bytes of 76-column lines; mgmsg_load() reads a file
 * (LF or CRLF line ends; folded headers kept folded, with CRLF).  The
 * body always uses CRLF.  Both return NULL on failure; free with
 * mgmsg_free().  Not thread-safe to build; read-only use is.
 */
#ifndef BENCH_MGMSG_H
#define BENCH_MGMSG_H

#include <stddef.h>

struct mgmsg_hdr {
	const char *name;
	size_t namelen;
	const char *value;	/* after the colon, leading space included */
	size_t valuelen;
};

struct mgmsg {
	struct mgmsg_hdr *hdrs;
	size_t nhdrs;
	char *body;
	size_t bodylen;
	char *text;		/* the message with CRLF line ends */
	size_t textlen;
};

struct mgmsg *mgmsg_generate(const char *domain, size_t size);
struct mgmsg *mgmsg_load(const char *path);
void mgmsg_free(struct mgmsg *m);

#endif
