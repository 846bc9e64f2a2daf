/*
 * Unit tests for policyd/proto: the policy protocol parser, framer and
 * reply writer, on a table of good and bad requests; linked with
 * policyd_core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

#define GOOD "request=smtpd_access_policy\nprotocol_state=RCPT\n" \
	"protocol_name=ESMTP\nclient_address=192.0.2.1\n" \
	"client_name=mail.example.org\nhelo_name=mail.example.org\n" \
	"sender=bob@example.org\nrecipient=alice@example.com\n" \
	"instance=1a2b.5f3c.0\nsasl_username=\nqueue_id=4Xk2\n\n"

struct bad_case {
	const char *name;
	const char *buf;
	size_t len;		/* 0: strlen(buf) */
	const char *why;	/* expected reason (substring) */
};

static const struct bad_case bad_cases[] = {
	{ "empty request", "\n", 0, "no request=" },
	{ "no request=", "sender=a@b\nclient_address=1.2.3.4\n\n", 0,
	    "no request=" },
	{ "other request type", "request=junk\n\n", 0, "not smtpd_access_policy" },
	{ "line without =", "request=smtpd_access_policy\nhello\n\n", 0,
	    "without '='" },
	{ "empty name", "request=smtpd_access_policy\n=x\n\n", 0, "empty name" },
	{ "duplicate", "request=smtpd_access_policy\nsender=a\nsender=b\n\n", 0,
	    "duplicate" },
	{ "NUL byte", "request=smtpd_access_policy\nsender=a\0b\n\n", 40,
	    "NUL" },
	{ "control byte", "request=smtpd_access_policy\nsender=a\rb\n\n", 0,
	    "control" },
	{ "escape byte", "request=smtpd_access_policy\nsender=\x1b[2J\n\n", 0,
	    "control" },
	{ "no final empty line", "request=smtpd_access_policy\nsender=a\n", 0,
	    "not terminated" },
	{ "no newline at all", "request=smtpd_access_policy", 0,
	    "not terminated" },
	{ "data after end", "request=smtpd_access_policy\n\nsender=a\n\n", 0,
	    "after the end" },
	{ "garbage", "\xff\xfe\x01\x02garbage\x7f\n\n", 0, "control" },
};

static void
test_good(void **state)
{
	struct proto_request *r = malloc(sizeof *r);
	const char *why = NULL;

	assert_int_equal(proto_parse(GOOD, strlen(GOOD), r, &why), 0);
	assert_int_equal(r->n, 11);
	assert_string_equal(proto_request_type(r), "smtpd_access_policy");
	assert_string_equal(proto_protocol_state(r), "RCPT");
	assert_string_equal(proto_client_address(r), "192.0.2.1");
	assert_string_equal(proto_client_name(r), "mail.example.org");
	assert_string_equal(proto_helo_name(r), "mail.example.org");
	assert_string_equal(proto_sender(r), "bob@example.org");
	assert_string_equal(proto_recipient(r), "alice@example.com");
	assert_string_equal(proto_instance(r), "1a2b.5f3c.0");
	assert_string_equal(proto_sasl_username(r), "");
	assert_string_equal(proto_queue_id(r), "4Xk2");
	assert_null(proto_get(r, "ccert_subject"));
	assert_non_null(proto_get(r, "sasl_username"));
	free(r);
}

static void
test_values_with_equals_and_utf8(void **state)
{
	static const char req[] = "request=smtpd_access_policy\n"
	    "sender=a=b@ex\xc3\xa4mple.org\nccert_subject=CN=x, O=y\n\n";
	struct proto_request *r = malloc(sizeof *r);
	const char *why = NULL;

	assert_int_equal(proto_parse(req, strlen(req), r, &why), 0);
	assert_string_equal(proto_sender(r), "a=b@ex\xc3\xa4mple.org");
	assert_string_equal(proto_get(r, "ccert_subject"), "CN=x, O=y");
	assert_string_equal(proto_helo_name(r), "");
	free(r);
}

static void
test_bad_table(void **state)
{
	struct proto_request *r = malloc(sizeof *r);

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->buf);
		const char *why = NULL;

		if (proto_parse(c->buf, len, r, &why) != -1)
			fail_msg("%s: accepted", c->name);
		assert_non_null(why);
		if (strstr(why, c->why) == NULL)
			fail_msg("%s: reason \"%s\", want \"%s\"", c->name, why,
			    c->why);
	}
	free(r);
}

/* A request of n attributes "aN=v", each line padded to width bytes. */
static char *
make_request(size_t n, size_t width, size_t *len)
{
	size_t cap = 64 + n * (width + 16), o;
	char *b = malloc(cap);

	o = (size_t)sprintf(b, "request=smtpd_access_policy\n");
	for (size_t i = 0; i < n; i++) {
		int w = sprintf(b + o, "a%zu=", i);
		o += (size_t)w;
		memset(b + o, 'x', width > (size_t)w ? width - (size_t)w : 1);
		o += width > (size_t)w ? width - (size_t)w : 1;
		b[o++] = '\n';
	}
	b[o++] = '\n';
	*len = o;
	return b;
}

static void
test_limits(void **state)
{
	struct proto_request *r = malloc(sizeof *r);
	const char *why = NULL;
	size_t len, reqlen;
	char *b;

	/* 99 attributes + request= is the maximum: accepted. */
	b = make_request(PROTO_MAX_ATTRS - 1, 20, &len);
	assert_int_equal(proto_parse(b, len, r, &why), 0);
	assert_int_equal(r->n, PROTO_MAX_ATTRS);
	free(b);
	/* One more: refused. */
	b = make_request(PROTO_MAX_ATTRS, 20, &len);
	assert_int_equal(proto_parse(b, len, r, &why), -1);
	assert_non_null(strstr(why, "more than 100"));
	free(b);
	/* 10 000 attributes: the framer stops at 32 KB. */
	b = make_request(10000, 20, &len);
	assert_int_equal(proto_frame(b, len, &reqlen, &why), -1);
	assert_non_null(strstr(why, "larger than 32768"));
	assert_int_equal(proto_parse(b, len, r, &why), -1);
	free(b);
	/* A line of exactly 4096 bytes is fine, 4097 is not. */
	b = make_request(1, PROTO_MAX_LINE, &len);
	assert_int_equal(proto_frame(b, len, &reqlen, &why), 1);
	assert_int_equal(reqlen, len);
	assert_int_equal(proto_parse(b, len, r, &why), 0);
	free(b);
	b = make_request(1, PROTO_MAX_LINE + 1, &len);
	assert_int_equal(proto_frame(b, len, &reqlen, &why), -1);
	assert_int_equal(proto_parse(b, len, r, &why), -1);
	assert_non_null(strstr(why, "4096"));
	free(b);
	/* A 1 MB line. */
	b = make_request(1, 1024 * 1024, &len);
	assert_int_equal(proto_frame(b, len, &reqlen, &why), -1);
	assert_int_equal(proto_parse(b, len, r, &why), -1);
	assert_non_null(strstr(why, "larger than 32768"));
	free(b);
	free(r);
}

static void
test_frame(void **state)
{
	static const char two[] = "request=smtpd_access_policy\nsender=a\n\n"
	    "request=smtpd_access_policy\n";
	const char *why = NULL;
	size_t reqlen = 0;

	assert_int_equal(proto_frame("", 0, &reqlen, &why), 0);
	assert_int_equal(proto_frame("request=smtp", 12, &reqlen, &why), 0);
	assert_int_equal(proto_frame(two, strlen(two), &reqlen, &why), 1);
	assert_int_equal(reqlen, strlen("request=smtpd_access_policy\nsender=a\n\n"));
	assert_int_equal(proto_frame(two + reqlen, strlen(two) - reqlen,
	    &reqlen, &why), 0);
	assert_int_equal(proto_frame("a=b\0\n\n", 6, &reqlen, &why), -1);
	assert_non_null(strstr(why, "NUL"));
}

static void
test_reply(void **state)
{
	char out[PROTO_MAX_ACTION + 16], big[PROTO_MAX_ACTION + 2];

	assert_int_equal(proto_reply("DUNNO", out, sizeof out), 14);
	assert_string_equal(out, "action=DUNNO\n\n");
	/* A CR/LF in the action can never start a second reply line. */
	assert_int_equal(proto_reply("PREPEND X: a\r\nInjected: b", out,
	    sizeof out), (int)strlen("action=PREPEND X: a  Injected: b\n\n"));
	assert_string_equal(out, "action=PREPEND X: a  Injected: b\n\n");
	assert_int_equal(proto_reply("", out, sizeof out), -1);
	assert_int_equal(proto_reply("DUNNO", out, 10), -1);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(proto_reply(big, out, sizeof out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_values_with_equals_and_utf8),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
