/* fuzz_spfmacro: SPF macro check and expansion on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spfmacro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct spfmacro_ctx ctx = {
		.s = "a-b+c@mail.example.com", .l = "a-b+c",
		.o = "mail.example.com", .d = "example.com", .h = "helo.example",
		.i = "192.0.2.3", .c = "192.0.2.3", .v = "in-addr",
		.p = "mx.example.org", .r = "rcpt.example", .t = 1234567890,
	};
	char out[SPFMACRO_MAX_OUT], small[16];
	const char *why;
	size_t pos;
	int kind;
	long n;
	char *buf;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	for (kind = SPFMACRO_DOMAIN; kind <= SPFMACRO_ANY; kind++) {
		int ok = spfmacro_check(buf, size, kind, &why, &pos) == 0;
		n = spfmacro_expand(buf, size, kind, &ctx, out, sizeof out, &why);
		if ((n >= 0 && (!ok || strlen(out) != (size_t)n)) ||
		    (n >= (long)sizeof out))
			abort();
		n = spfmacro_expand(buf, size, kind, &ctx, small, sizeof small,
		    &why);
		if (n >= (long)sizeof small)
			abort();
	}
	(void)spfmacro_domain(buf, size, &ctx, out, sizeof out, &why);
	if (strlen(out) > SPFMACRO_MAX_OUT)
		abort();
	(void)spfmacro_uses(buf, size, 'p');
	free(buf);
	return 0;
}
