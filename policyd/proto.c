/* proto: see proto.h. */
#include "proto.h"

#include <string.h>

int
proto_frame(const char *buf, size_t len, size_t *reqlen, const char **why)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (i >= PROTO_MAX_REQUEST) {
			*why = "request larger than 32768 bytes";
			return -1;
		}
		if (buf[i] == '\0') {
			*why = "NUL byte in request";
			return -1;
		}
		if (buf[i] != '\n') {
			if (i - start >= PROTO_MAX_LINE) {
				*why = "line longer than 4096 bytes";
				return -1;
			}
			continue;
		}
		if (i == start) {
			*reqlen = i + 1;
			return 1;
		}
		start = i + 1;
	}
	return 0;
}

/* Only printable text and tabs; bytes >= 0x80 are allowed for SMTPUTF8. */
static int
proto_line_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Split one line (already copied into req->buf, NUL-terminated) at '='. */
static int
proto_add_attr(struct proto_request *req, char *line, size_t len,
    const char **why)
{
	char *eq;

	if (!proto_line_ok(line, len)) {
		*why = memchr(line, '\0', len) ? "NUL byte in request" :
		    "control character in request";
		return -1;
	}
	if ((eq = memchr(line, '=', len)) == NULL) {
		*why = "line without '='";
		return -1;
	}
	if (eq == line) {
		*why = "attribute with an empty name";
		return -1;
	}
	if (req->n >= PROTO_MAX_ATTRS) {
		*why = "more than 100 attributes";
		return -1;
	}
	*eq = '\0';
	if (proto_get(req, line) != NULL) {
		*why = "duplicate attribute";
		return -1;
	}
	req->attr[req->n].name = line;
	req->attr[req->n].value = eq + 1;
	req->n++;
	return 0;
}

/* Split req->buf (len bytes, the final "\n" of the empty line excluded). */
static int
proto_split(struct proto_request *req, size_t len, const char **why)
{
	char *p = req->buf, *end = req->buf + len, *nl;
	size_t l;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			*why = "request not terminated by an empty line";
			return -1;
		}
		l = (size_t)(nl - p);
		if (l > PROTO_MAX_LINE) {
			*why = "line longer than 4096 bytes";
			return -1;
		}
		if (l == 0) {
			*why = "data after the end of the request";
			return -1;
		}
		*nl = '\0';
		if (proto_add_attr(req, p, l, why) == -1)
			return -1;
		p = nl + 1;
	}
	return 0;
}

int
proto_parse(const char *buf, size_t len, struct proto_request *req,
    const char **why)
{
	const char *type;

	req->n = 0;
	if (len > PROTO_MAX_REQUEST) {
		*why = "request larger than 32768 bytes";
		return -1;
	}
	if (len == 0 || buf[len - 1] != '\n' ||
	    (len >= 2 && buf[len - 2] != '\n')) {
		*why = "request not terminated by an empty line";
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*why = "NUL byte in request";
		return -1;
	}
	memcpy(req->buf, buf, len);
	req->buf[len] = '\0';
	if (proto_split(req, len - 1, why) == -1)
		return -1;
	if ((type = proto_get(req, "request")) == NULL) {
		*why = "no request= attribute";
		return -1;
	}
	if (strcmp(type, "smtpd_access_policy") != 0) {
		*why = "request type is not smtpd_access_policy";
		return -1;
	}
	return 0;
}

const char *
proto_get(const struct proto_request *req, const char *name)
{
	for (size_t i = 0; i < req->n; i++)
		if (strcmp(req->attr[i].name, name) == 0)
			return req->attr[i].value;
	return NULL;
}

static const char *
proto_str(const struct proto_request *req, const char *name)
{
	const char *v = proto_get(req, name);

	return v != NULL ? v : "";
}

const char *
proto_request_type(const struct proto_request *req)
{
	return proto_str(req, "request");
}

const char *
proto_protocol_state(const struct proto_request *req)
{
	return proto_str(req, "protocol_state");
}

const char *
proto_client_address(const struct proto_request *req)
{
	return proto_str(req, "client_address");
}

const char *
proto_client_name(const struct proto_request *req)
{
	return proto_str(req, "client_name");
}

const char *
proto_helo_name(const struct proto_request *req)
{
	return proto_str(req, "helo_name");
}

const char *
proto_sender(const struct proto_request *req)
{
	return proto_str(req, "sender");
}

const char *
proto_recipient(const struct proto_request *req)
{
	return proto_str(req, "recipient");
}

const char *
proto_instance(const struct proto_request *req)
{
	return proto_str(req, "instance");
}

const char *
proto_sasl_username(const struct proto_request *req)
{
	return proto_str(req, "sasl_username");
}

const char *
proto_queue_id(const struct proto_request *req)
{
	return proto_str(req, "queue_id");
}

int
proto_reply(const char *action, char *out, size_t n)
{
	size_t len = strlen(action), i;

	if (len == 0 || len > PROTO_MAX_ACTION || n < len + sizeof "action=\n\n")
		return -1;
	memcpy(out, "action=", 7);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)action[i];
		out[7 + i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	memcpy(out + 7 + len, "\n\n", 3);
	return (int)(7 + len + 2);
}
