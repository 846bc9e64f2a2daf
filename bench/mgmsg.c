/* mgmsg: see mgmsg.h. */
#include "mgmsg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Convert to CRLF line ends (a lone LF becomes CRLF). */
static char *
mgmsg_crlf(const char *in, size_t len, size_t *outlen)
{
	char *out = malloc(2 * len + 3), *p = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			*p++ = '\r';
		*p++ = in[i];
	}
	if (p == out || p[-1] != '\n') {
		*p++ = '\r';
		*p++ = '\n';
	}
	*outlen = (size_t)(p - out);
	return out;
}

/* Split text into headers (folded lines joined to their header) and body. */
static int
mgmsg_split(struct mgmsg *m)
{
	char *p = m->text, *end = m->text + m->textlen;
	size_t cap = 0;

	while (p < end && !(p + 1 < end && p[0] == '\r' && p[1] == '\n')) {
		char *colon = memchr(p, ':', (size_t)(end - p)), *e = p;

		while ((e = memchr(e, '\n', (size_t)(end - e))) != NULL &&
		    e + 1 < end && (e[1] == ' ' || e[1] == '\t'))
			e++;
		if (colon == NULL || e == NULL || colon > e)
			return -1;
		if (m->nhdrs == cap) {
			struct mgmsg_hdr *nh;

			cap = cap ? cap * 2 : 16;
			if ((nh = realloc(m->hdrs, cap * sizeof *nh)) == NULL)
				return -1;
			m->hdrs = nh;
		}
		m->hdrs[m->nhdrs].name = p;
		m->hdrs[m->nhdrs].namelen = (size_t)(colon - p);
		m->hdrs[m->nhdrs].value = colon + 1;
		m->hdrs[m->nhdrs].valuelen = (size_t)(e - 1 - (colon + 1));
		m->nhdrs++;
		p = e + 1;
	}
	if (p < end)
		p += 2;
	m->body = p;
	m->bodylen = (size_t)(end - p);
	return 0;
}

static struct mgmsg *
mgmsg_from_text(const char *text, size_t len)
{
	struct mgmsg *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	if ((m->text = mgmsg_crlf(text, len, &m->textlen)) == NULL ||
	    mgmsg_split(m) == -1) {
		mgmsg_free(m);
		return NULL;
	}
	return m;
}

struct mgmsg *
mgmsg_generate(const char *domain, size_t size)
{
	static const char line[] = "The quick brown fox jumps over the lazy "
	    "dog while the benchmark counts messages";
	size_t cap = size + 1024, n;
	char *t = malloc(cap);
	struct mgmsg *m;

	if (t == NULL)
		return NULL;
	n = (size_t)snprintf(t, cap, "From: Bench Sender <sender@%s>\r\n"
	    "To: Receiver <user@dest.example>\r\nSubject: postseal benchmark "
	    "message\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
	    "Message-ID: <bench.1@%s>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\n", domain, domain);
	for (size_t i = 0; n + 80 < cap && n + 78 <= size; i++)
		n += (size_t)snprintf(t + n, cap - n, "%06zu %.68s\r\n", i, line);
	m = mgmsg_from_text(t, n);
	free(t);
	return m;
}

struct mgmsg *
mgmsg_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *t = NULL, *nt;
	size_t n = 0, cap = 0, r;
	struct mgmsg *m;

	if (f == NULL)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if ((nt = realloc(t, cap)) == NULL) {
				free(t);
				t = NULL;
				break;
			}
			t = nt;
		}
		r = fread(t + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	m = t ? mgmsg_from_text(t, n) : NULL;
	free(t);
	return m;
}

void
mgmsg_free(struct mgmsg *m)
{
	if (m == NULL)
		return;
	free(m->hdrs);
	free(m->text);
	free(m);
}
