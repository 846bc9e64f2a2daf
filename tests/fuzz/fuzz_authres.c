/*
 * libFuzzer target for lib/authresid and lib/authres: the authserv-id
 * parser on the raw input, and both header builders fed with pieces of the
 * input as values.
 * A built header that could carry a line break other than its own folds,
 * a control character, or an extra top-level ';' aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "authresid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Folds are CRLF TAB; nothing else below 0x20 but TAB; quotes balanced. */
static size_t
check_header(const char *v, char sep)
{
	size_t i, n = 0;
	int q = 0, depth = 0;

	for (i = 0; v[i] != '\0'; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\r' && (v[i + 1] != '\n' || v[i + 2] != '\t'))
			abort();
		if (c == '\n' && (i == 0 || v[i - 1] != '\r'))
			abort();
		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f)
			abort();
		if ((q || depth) && c == '\\') {
			if (v[++i] == '\0')
				abort();
		} else if (q) {
			q = c != '"';
		} else if (c == '(' || c == ')') {
			depth += c == '(' ? 1 : -1;
		} else if (depth == 0) {
			q = c == '"';
			n += c == (unsigned char)sep;
		}
	}
	if (q || depth != 0)
		abort();
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[AUTHRES_MAX_ID + 1], *buf, *p[6], *v;
	struct authres *ar;
	const char *why;
	size_t i, n = 0;

	if (authresid_parse((const char *)data, size, id, sizeof id,
	    &why) == 0 && id[0] != '\0' &&
	    !authresid_claims((const char *)data, size, id))
		abort();
	/* split into six NUL-terminated values */
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	p[0] = buf;
	for (i = 0; i < size && n < 5; i++)
		if (buf[i] == '\n' && (buf[i] = '\0', 1))
			p[++n] = buf + i + 1;
	while (n < 5)
		p[++n] = buf + size;
	ar = authres_new(p[0]);
	authres_set_fold(ar, size % 2 ? "" : "\r\n");
	authres_add(ar, "dkim", "pass", p[1], "header.d", p[2], "header.s",
	    p[3], NULL);
	authres_add(ar, "spf", "fail", NULL, "smtp.mailfrom", p[4], NULL);
	authres_add(ar, "dmarc", "none", p[5], "header.from", p[2], NULL);
	authres_format(ar, &v);
	if (check_header(v, ';') != 3 ||
	    authresid_parse(v, strlen(v), id, sizeof id, &why) != 0)
		abort();
	free(v);
	authres_free(&ar);
	v = authres_received_spf("pass", p[0], "helo", p[1], "envelope-from",
	    p[2], "client-ip", p[3], "receiver", p[4], "mechanism", p[5], NULL);
	if (v == NULL || strlen(v) > AUTHRES_MAX_LINE ||
	    strchr(v, '\n') != NULL)
		abort();
	check_header(v, ';');
	free(v);
	free(buf);
	return 0;
}
