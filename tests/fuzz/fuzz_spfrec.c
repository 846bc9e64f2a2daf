/* fuzz_spfrec: the SPF record parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spfrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spfrec rec;
	const char *why = NULL;
	size_t pos = 0, i;
	char *buf;

	/* An exact-size copy: ASan sees any read past len. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (spfrec_parse(buf, size, &rec, &why, &pos) == 0) {
		for (i = 0; i < rec.n; i++)
			if (rec.terms[i].pos >= size || (rec.terms[i].spec &&
			    rec.terms[i].spec + rec.terms[i].spec_len > buf + size))
				abort();
		(void)spfrec_dns_terms(&rec);
	} else if (why == NULL || pos > size + SPFREC_MAX_LEN)
		abort();
	(void)spfrec_is_record(buf, size);
	free(buf);
	return 0;
}
