/*
 * libFuzzer target for lib/dkkey: any bytes as a DKIM key record.  The
 * parser must return 0 or -1 (with a reason) without reading outside the
 * input, and what it returns must be self-consistent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dkkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkkey k;
	const char *why = NULL;
	unsigned char buf[DKKEY_MAX_KEY];

	if (dkkey_parse((const char *)data, size, &k, &why) == 0) {
		if (k.key_len > sizeof k.key || (k.revoked && k.key_len != 0))
			abort();
		if (k.type == DKKEY_ED25519 && !k.revoked && k.key_len != 32)
			abort();
		if (k.notes != NULL && (k.notes < (const char *)data ||
		    k.notes + k.notes_len > (const char *)data + size))
			abort();
	} else if (why == NULL)
		abort();
	(void)dkkey_b64decode((const char *)data, size, buf, sizeof buf);
	return 0;
}
