/*
 * libFuzzer target for policyd/proto: framing, parsing and the accessors
 * on arbitrary bytes, as one connection would deliver them.
 * Build: clang -fsanitize=fuzzer,address -Ilib tests/fuzz/fuzz_proto.c
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../policyd/proto.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct proto_request req;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *why = NULL;
	char reply[PROTO_MAX_ACTION + 16];
	size_t reqlen;

	/* Whole input as one request. */
	if (proto_parse(buf, size, &req, &why) == 0) {
		if (strcmp(proto_request_type(&req), "smtpd_access_policy") != 0)
			__builtin_trap();
		proto_reply(proto_sender(&req), reply, sizeof reply);
	} else if (why == NULL) {
		__builtin_trap();
	}
	/* As a stream: every request the framer delimits. */
	while (size > 0 && proto_frame(buf, size, &reqlen, &why) == 1) {
		if (reqlen == 0 || reqlen > size || buf[reqlen - 1] != '\n')
			__builtin_trap();
		(void)proto_parse(buf, reqlen, &req, &why);
		buf += reqlen;
		size -= reqlen;
	}
	return 0;
}
