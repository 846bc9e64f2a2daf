/*
 * dkcanon: DKIM canonicalization (RFC 6376 3.4), "simple" and "relaxed",
 * for header fields and for a body that arrives in chunks of any size.
 *
 * Pure: no I/O, no logging, no globals.  The body canonicalizer hands its
 * output to a sink callback as it goes, so a 20 MB body is never held in
 * memory; only empty lines at the current end of the body are counted
 * (RFC 6376 3.4.3 / 3.4.4 drop them at the very end).
 *
 * Input is expected with CRLF line ends, as on the wire.  A bare LF or a
 * bare CR in the body is ordinary line content, exactly as libopendkim and
 * dkimpy treat it; callers that read files with LF line ends (postseal
 * sign) convert them to CRLF before canonicalizing.  Header values may be
 * folded with CRLF or with a bare LF (libmilter hands LF folds): the simple
 * form turns a bare LF into CRLF, the relaxed form unfolds both.
 * The l= body length tag is not supported (postseal never signs with it).
 */
#ifndef POSTSEAL_DKCANON_H
#define POSTSEAL_DKCANON_H

#include <stddef.h>
#include <stdint.h>

enum dkcanon_mode { DKCANON_SIMPLE = 0, DKCANON_RELAXED = 1 };

/* Longest header field (name + value) accepted, in bytes. */
#define DKCANON_MAX_HEADER (1024 * 1024)

/* Receives canonical output; buf is only valid during the call. */
typedef void (*dkcanon_sink)(void *arg, const unsigned char *buf, size_t len);

/*
 * Canonicalize one header field: name (without the colon) and value
 * (everything after the colon, leading whitespace and folds included).
 * Writes the canonical "name:value\r\n" into a new NUL-terminated string
 * *out_r (caller frees) and its length into *outlen.  Returns 0, or -1
 * when namelen + valuelen exceeds DKCANON_MAX_HEADER or name is empty.
 */
int dkcanon_header(enum dkcanon_mode m, const char *name, size_t namelen,
    const char *value, size_t valuelen, char **out_r, size_t *outlen);

/* Parse "simple" / "relaxed" (case-insensitive); -1 when neither. */
int dkcanon_parse(const char *word, enum dkcanon_mode *m);
const char *dkcanon_name(enum dkcanon_mode m);

/* One header field of a message text, pointing into that text. */
struct dkcanon_field {
	const char *name;	/* without the colon */
	size_t namelen;
	const char *value;	/* after the colon, folds included, final CRLF not */
	size_t valuelen;
};

/*
 * Parse the header field at the start of buf (len bytes, CRLF line ends).
 * Returns the bytes it spans including its final CRLF; 0 at the empty line
 * that ends the header (or at the end of buf); -1 for a line that is not a
 * field (no colon, empty name) or a field over DKCANON_MAX_HEADER.
 */
long dkcanon_field(const char *buf, size_t len, struct dkcanon_field *f);

/*
 * A copy of buf with every bare LF turned into CRLF (for files written
 * with Unix line ends), NUL-terminated; *outlen gets its length.  Caller
 * frees.
 */
char *dkcanon_to_crlf(const char *buf, size_t len, size_t *outlen);

/* Streaming body canonicalizer.  Not shared between threads. */
struct dkcanon_body;

struct dkcanon_body *dkcanon_body_new(enum dkcanon_mode m, dkcanon_sink sink,
    void *arg);
/* Feed len bytes; a CRLF may be split across two calls. */
void dkcanon_body_update(struct dkcanon_body *b, const unsigned char *buf,
    size_t len);
/* End of body: applies the end-of-body rules and flushes to the sink.
 * Further updates are ignored. */
void dkcanon_body_final(struct dkcanon_body *b);
/* Bytes handed to the sink so far. */
uint64_t dkcanon_body_length(const struct dkcanon_body *b);
void dkcanon_body_free(struct dkcanon_body **b);

#endif
