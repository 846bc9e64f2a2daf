/*
 * libFuzzer target for lib/dkcanon: the header field splitter, header
 * canonicalization and the streaming body canonicalizer.  Besides memory
 * errors it checks two invariants: the body output does not depend on how
 * the input is chunked, and relaxed output never holds WSP before CRLF.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkcanon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
	unsigned char *p;
	size_t len, cap;
};

static void
acc_sink(void *arg, const unsigned char *buf, size_t len)
{
	struct acc *a = arg;

	if (a->len + len > a->cap) {
		a->cap = (a->len + len) * 2;
		if ((a->p = realloc(a->p, a->cap)) == NULL)
			abort();
	}
	memcpy(a->p + a->len, buf, len);
	a->len += len;
}

static struct acc
body(enum dkcanon_mode m, const uint8_t *d, size_t n, size_t step)
{
	struct acc a = { NULL, 0, 0 };
	struct dkcanon_body *b = dkcanon_body_new(m, acc_sink, &a);

	for (size_t i = 0; i < n; i += step)
		dkcanon_body_update(b, d + i, n - i < step ? n - i : step);
	dkcanon_body_final(b);
	if (dkcanon_body_length(b) != a.len)
		abort();
	dkcanon_body_free(&b);
	return a;
}

static void
check_body(enum dkcanon_mode m, const uint8_t *d, size_t n, size_t step)
{
	struct acc whole = body(m, d, n, n ? n : 1);
	struct acc parts = body(m, d, n, step);

	if (whole.len != parts.len ||
	    (whole.len > 0 && memcmp(whole.p, parts.p, whole.len) != 0))
		abort();
	for (size_t i = 2; m == DKCANON_RELAXED && i < whole.len; i++)
		if (whole.p[i] == '\n' && whole.p[i - 1] == '\r' &&
		    (whole.p[i - 2] == ' ' || whole.p[i - 2] == '\t'))
			abort();
	free(whole.p);
	free(parts.p);
}

static void
check_headers(const char *p, size_t n)
{
	struct dkcanon_field f;
	size_t off = 0;
	long r;

	while (off < n && (r = dkcanon_field(p + off, n - off, &f)) > 0) {
		for (int m = DKCANON_SIMPLE; m <= DKCANON_RELAXED; m++) {
			char *out;
			size_t len;
			if (dkcanon_header((enum dkcanon_mode)m, f.name, f.namelen,
			    f.value, f.valuelen, &out, &len) == 0) {
				if (len < 3 || out[len - 2] != '\r' ||
				    out[len - 1] != '\n' || out[len] != '\0')
					abort();
				free(out);
			}
		}
		off += (size_t)r;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 16) + 1;
	check_headers((const char *)data + 1, size - 1);
	check_body(DKCANON_SIMPLE, data + 1, size - 1, step);
	check_body(DKCANON_RELAXED, data + 1, size - 1, step);
	return 0;
}
