/* dkcanon: see dkcanon.h. */
#include "dkcanon.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')

struct dkcanon_body {
	enum dkcanon_mode mode;
	dkcanon_sink sink;
	void *arg;
	uint64_t blank;		/* empty lines held back: dropped at the end */
	uint64_t total;		/* bytes given to the sink */
	int cr;			/* the last byte seen was a CR */
	int wsp;		/* relaxed: a whitespace run is pending */
	int inl;		/* the current line has content */
	int done;
	size_t olen;
	unsigned char out[8192];
};

int
dkcanon_parse(const char *word, enum dkcanon_mode *m)
{
	if (strcasecmp(word, "simple") == 0)
		*m = DKCANON_SIMPLE;
	else if (strcasecmp(word, "relaxed") == 0)
		*m = DKCANON_RELAXED;
	else
		return -1;
	return 0;
}

const char *
dkcanon_name(enum dkcanon_mode m)
{
	return m == DKCANON_RELAXED ? "relaxed" : "simple";
}

/* Simple (RFC 6376 3.4.1): unchanged, except that a fold written with a
 * bare LF is written as the CRLF it stands for on the wire. */
static size_t
header_simple(const char *name, size_t namelen, const char *value,
    size_t valuelen, char *o)
{
	size_t n = 0;

	memcpy(o, name, namelen);
	n = namelen;
	o[n++] = ':';
	for (size_t i = 0; i < valuelen; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			o[n++] = '\r';
		o[n++] = value[i];
	}
	return n;
}

/* Relaxed (RFC 6376 3.4.2): lower-case name, unfold, runs of WSP become
 * one SP, no WSP at the end of the value or around the colon. */
static size_t
header_relaxed(const char *name, size_t namelen, const char *value,
    size_t valuelen, char *o)
{
	size_t n = 0;
	int wsp = 0;

	while (namelen > 0 && IS_WSP(name[namelen - 1]))
		namelen--;
	while (namelen > 0 && IS_WSP(*name)) {
		name++;
		namelen--;
	}
	for (size_t i = 0; i < namelen; i++) {
		unsigned char c = (unsigned char)name[i];
		o[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	o[n++] = ':';
	for (size_t i = 0, start = n; i < valuelen; i++) {
		char c = value[i];
		if (c == '\r' || c == '\n')
			continue;
		if (IS_WSP(c)) {
			wsp = 1;
			continue;
		}
		if (wsp && n > start)
			o[n++] = ' ';
		wsp = 0;
		o[n++] = c;
	}
	return n;
}

int
dkcanon_header(enum dkcanon_mode m, const char *name, size_t namelen,
    const char *value, size_t valuelen, char **out_r, size_t *outlen)
{
	char *o;
	size_t n;

	if (namelen == 0 || namelen > DKCANON_MAX_HEADER ||
	    valuelen > DKCANON_MAX_HEADER - namelen)
		return -1;
	/* Worst case: every value byte is a bare LF that becomes CRLF. */
	o = xmalloc(namelen + 2 * valuelen + 4);
	if (m == DKCANON_RELAXED)
		n = header_relaxed(name, namelen, value, valuelen, o);
	else
		n = header_simple(name, namelen, value, valuelen, o);
	o[n++] = '\r';
	o[n++] = '\n';
	o[n] = '\0';
	*out_r = o;
	*outlen = n;
	return 0;
}

long
dkcanon_field(const char *buf, size_t len, struct dkcanon_field *f)
{
	const char *colon, *e;
	size_t end = 0;

	if (len < 2 || (buf[0] == '\r' && buf[1] == '\n'))
		return 0;
	/* The field ends at the first CRLF not followed by WSP. */
	for (;;) {
		e = memmem(buf + end, len - end, "\r\n", 2);
		if (e == NULL)
			return -1;
		end = (size_t)(e - buf) + 2;
		if (end >= len || !IS_WSP(buf[end]))
			break;
	}
	if (end > DKCANON_MAX_HEADER ||
	    (colon = memchr(buf, ':', end - 2)) == NULL || colon == buf)
		return -1;
	f->name = buf;
	f->namelen = (size_t)(colon - buf);
	f->value = colon + 1;
	f->valuelen = end - 2 - f->namelen - 1;
	return (long)end;
}

char *
dkcanon_to_crlf(const char *buf, size_t len, size_t *outlen)
{
	char *o = xmalloc(2 * len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			o[n++] = '\r';
		o[n++] = buf[i];
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

struct dkcanon_body *
dkcanon_body_new(enum dkcanon_mode m, dkcanon_sink sink, void *arg)
{
	struct dkcanon_body *b = xcalloc(1, sizeof *b);

	b->mode = m;
	b->sink = sink;
	b->arg = arg;
	return b;
}

static void
body_flush(struct dkcanon_body *b)
{
	if (b->olen == 0)
		return;
	b->sink(b->arg, b->out, b->olen);
	b->total += b->olen;
	b->olen = 0;
}

static void
body_emit(struct dkcanon_body *b, unsigned char c)
{
	if (b->olen == sizeof b->out)
		body_flush(b);
	b->out[b->olen++] = c;
}

/* Empty lines held back turn out not to be at the end: write them. */
static void
body_release_blank(struct dkcanon_body *b)
{
	for (; b->blank > 0; b->blank--) {
		body_emit(b, '\r');
		body_emit(b, '\n');
	}
}

static void
body_content(struct dkcanon_body *b, unsigned char c)
{
	if (b->mode == DKCANON_RELAXED && IS_WSP(c)) {
		/* Kept pending: dropped at line end, else one SP. */
		b->wsp = 1;
		return;
	}
	if (!b->inl)
		body_release_blank(b);
	if (b->wsp)
		body_emit(b, ' ');
	b->wsp = 0;
	body_emit(b, c);
	b->inl = 1;
}

static void
body_eol(struct dkcanon_body *b)
{
	if (b->inl) {
		body_emit(b, '\r');
		body_emit(b, '\n');
	} else
		b->blank++;
	b->inl = 0;
	b->wsp = 0;
}

void
dkcanon_body_update(struct dkcanon_body *b, const unsigned char *buf,
    size_t len)
{
	if (b->done)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = buf[i];
		if (b->cr) {
			b->cr = 0;
			if (c == '\n') {
				body_eol(b);
				continue;
			}
			body_content(b, '\r');	/* a bare CR is content */
		}
		if (c == '\r')
			b->cr = 1;
		else
			body_content(b, c);
	}
}

void
dkcanon_body_final(struct dkcanon_body *b)
{
	if (b->done)
		return;
	if (b->cr)
		body_content(b, '\r');
	b->cr = 0;
	/* A last line without CRLF gets one (RFC 6376 3.4.3, 3.4.4). */
	if (b->inl)
		body_eol(b);
	/* Trailing empty lines are dropped; an empty body is "\r\n" in
	 * simple and stays empty in relaxed. */
	b->blank = 0;
	if (b->mode == DKCANON_SIMPLE && b->total == 0 && b->olen == 0) {
		body_emit(b, '\r');
		body_emit(b, '\n');
	}
	body_flush(b);
	b->done = 1;
}

uint64_t
dkcanon_body_length(const struct dkcanon_body *b)
{
	return b->total + b->olen;
}

void
dkcanon_body_free(struct dkcanon_body **b)
{
	free(*b);
	*b = NULL;
}
