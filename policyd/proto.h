/*
 * proto: the Postfix SMTP access policy delegation protocol
 * (http://www.postfix.org/SMTPD_POLICY_README.html), pure.
 *
 * A request is name=value lines, each ended by "\n", and the request by an
 * empty line.  The reply is "action=TEXT\n\n".  Nothing here does I/O,
 * logs or keeps state: every function is thread-safe on distinct objects.
 *
 * Limits (a larger or malformed request is refused with a reason, and the
 * server then closes that connection without a reply):
 *   PROTO_MAX_LINE     bytes of one name=value line, without its "\n"
 *   PROTO_MAX_ATTRS    attributes in one request
 *   PROTO_MAX_REQUEST  bytes of one request, final empty line included
 */
#ifndef POSTSEAL_POLICYD_PROTO_H
#define POSTSEAL_POLICYD_PROTO_H

#include <stddef.h>

#define PROTO_MAX_LINE		4096
#define PROTO_MAX_ATTRS		100
#define PROTO_MAX_REQUEST	32768
#define PROTO_MAX_ACTION	1024	/* bytes of the action text in a reply */

struct proto_attr {
	const char *name;	/* NUL-terminated, inside proto_request.buf */
	const char *value;
};

/* A parsed request.  Large (about 34 KB): keep one per connection. */
struct proto_request {
	char buf[PROTO_MAX_REQUEST + 1];
	struct proto_attr attr[PROTO_MAX_ATTRS];
	size_t n;
};

/*
 * Find the end of the first request in buf (len bytes received so far).
 * Returns 1 and sets *reqlen (bytes up to and including the empty line)
 * when a whole request is there; 0 when more input is needed; -1 with why
 * when the input already breaks a limit (a line or the request too long,
 * a NUL byte), so the caller need not read any further.
 */
int proto_frame(const char *buf, size_t len, size_t *reqlen, const char **why);

/*
 * Parse exactly one complete request (buf, len: the bytes proto_frame
 * delimited, final empty line included).  Returns 0 and fills req, or -1
 * with why (a static string) for: size/line/attribute limits, NUL or other
 * control bytes, a line without '=', an empty name, a duplicate name, a
 * missing final empty line or bytes after it, no "request=" attribute, or
 * a request other than "smtpd_access_policy".
 */
int proto_parse(const char *buf, size_t len, struct proto_request *req,
    const char **why);

/* Value of attribute name, or NULL when the request does not carry it. */
const char *proto_get(const struct proto_request *req, const char *name);

/* The attributes postseal uses; each returns "" when absent (never NULL). */
const char *proto_request_type(const struct proto_request *req);
const char *proto_protocol_state(const struct proto_request *req);
const char *proto_client_address(const struct proto_request *req);
const char *proto_client_name(const struct proto_request *req);
const char *proto_helo_name(const struct proto_request *req);
const char *proto_sender(const struct proto_request *req);
const char *proto_recipient(const struct proto_request *req);
const char *proto_instance(const struct proto_request *req);
const char *proto_sasl_username(const struct proto_request *req);
const char *proto_queue_id(const struct proto_request *req);

/*
 * Write the reply "action=ACTION\n\n" into out (size n).  CR, LF and other
 * control characters in action become spaces, so one reply can never turn
 * into two.  Returns the reply length, or -1 when action is empty or does
 * not fit (PROTO_MAX_ACTION or n).
 */
int proto_reply(const char *action, char *out, size_t n);

#endif
