/* dkkey: see dkkey.h. */
#include "dkkey.h"

#include <string.h>

/* A tag or value slice of the record. */
struct dkkey_span {
	const char *p;
	size_t n;
};

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct dkkey_span
trim(const char *p, size_t n)
{
	struct dkkey_span s;

	while (n > 0 && is_ws(*p)) {
		p++;
		n--;
	}
	while (n > 0 && is_ws(p[n - 1]))
		n--;
	s.p = p;
	s.n = n;
	return s;
}

static int
span_is(struct dkkey_span s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
dkkey_b64decode(const char *in, size_t len, unsigned char *out, size_t max)
{
	unsigned long acc = 0;
	size_t i, o = 0, chars = 0, pad = 0;
	int v;

	for (i = 0; i < len; i++) {
		if (is_ws(in[i]))
			continue;
		if (in[i] == '=') {
			pad++;
			continue;
		}
		/* Data after padding, or a character outside the alphabet. */
		if (pad > 0 || (v = b64_value((unsigned char)in[i])) < 0)
			return -1;
		acc = acc << 6 | (unsigned long)v;
		if (++chars % 4 == 0) {
			if (o + 3 > max)
				return -1;
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	/* A lone 6-bit tail cannot encode a byte; padding must complete the
	 * last quantum when present. */
	if (chars % 4 == 1 || pad > 2 || (pad > 0 && (chars + pad) % 4 != 0))
		return -1;
	if (chars % 4 != 0) {
		size_t tail = chars % 4 - 1;	/* bytes in the last quantum */
		if (o + tail > max)
			return -1;
		acc <<= 6 * (4 - chars % 4);
		out[o++] = (unsigned char)(acc >> 16);
		if (tail == 2)
			out[o++] = (unsigned char)(acc >> 8);
	}
	return (long)o;
}

/* Each element of a colon-separated list, trimmed, is passed to fn. */
static unsigned
colon_list(struct dkkey_span v, unsigned (*fn)(struct dkkey_span))
{
	unsigned bits = 0;
	size_t i, start = 0;

	for (i = 0; i <= v.n; i++)
		if (i == v.n || v.p[i] == ':') {
			bits |= fn(trim(v.p + start, i - start));
			start = i + 1;
		}
	return bits;
}

static unsigned
hash_bit(struct dkkey_span s)
{
	return span_is(s, "sha1") ? DKKEY_H_SHA1 :
	    span_is(s, "sha256") ? DKKEY_H_SHA256 : 0;
}

static unsigned
flag_bit(struct dkkey_span s)
{
	return span_is(s, "y") ? DKKEY_T_TESTING :
	    span_is(s, "s") ? DKKEY_T_STRICT : 0;
}

static unsigned
service_bit(struct dkkey_span s)
{
	return span_is(s, "*") || span_is(s, "email");
}

static int
take_key(struct dkkey *out, struct dkkey_span v, const char **why)
{
	long n;

	if (v.n == 0) {
		out->revoked = 1;
		return 0;
	}
	if ((n = dkkey_b64decode(v.p, v.n, out->key, sizeof out->key)) <= 0) {
		*why = "p= is not valid base64";
		return -1;
	}
	out->key_len = (size_t)n;
	return 0;
}

static int
take_tag(struct dkkey *out, struct dkkey_span t, struct dkkey_span v,
    int first, const char **why)
{
	if (span_is(t, "v")) {
		if (!first) {
			*why = "v= is not the first tag";
			return -1;
		}
		if (!span_is(v, "DKIM1")) {
			*why = "v= is not DKIM1";
			return -1;
		}
		out->has_v = 1;
	} else if (span_is(t, "k")) {
		if (span_is(v, "rsa"))
			out->type = DKKEY_RSA;
		else if (span_is(v, "ed25519"))
			out->type = DKKEY_ED25519;
		else {
			*why = "k= names an unknown key type";
			return -1;
		}
	} else if (span_is(t, "h")) {
		if ((out->hashes = colon_list(v, hash_bit)) == 0) {
			*why = "h= lists no known hash algorithm";
			return -1;
		}
	} else if (span_is(t, "t"))
		out->flags = colon_list(v, flag_bit);
	else if (span_is(t, "s"))
		out->service_email = colon_list(v, service_bit) != 0;
	else if (span_is(t, "n")) {
		out->notes = v.p;
		out->notes_len = v.n;
	} else if (span_is(t, "p"))
		return take_key(out, v, why);
	return 0;
}

/* tag-name = ALPHA *(ALPHA / DIGIT / "_") */
static int
valid_name(struct dkkey_span t)
{
	size_t i;

	if (t.n == 0 || !((t.p[0] | 0x20) >= 'a' && (t.p[0] | 0x20) <= 'z'))
		return 0;
	for (i = 1; i < t.n; i++) {
		char c = t.p[i];
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '_')
			return 0;
	}
	return 1;
}

/* Values are VALCHAR (%x21-3A / %x3C-7E) and whitespace only. */
static int
valid_value(struct dkkey_span v)
{
	size_t i;

	for (i = 0; i < v.n; i++)
		if (!is_ws(v.p[i]) && ((unsigned char)v.p[i] < 0x21 ||
		    (unsigned char)v.p[i] > 0x7e))
			return 0;
	return 1;
}

/* Split one tag-spec at '=' and check it against the names seen so far. */
static int
split_spec(const char *p, size_t n, struct dkkey_span *seen, size_t nseen,
    struct dkkey_span *t, struct dkkey_span *v, const char **why)
{
	const char *eq = memchr(p, '=', n);
	size_t i;

	if (eq == NULL) {
		*why = "a tag has no '='";
		return -1;
	}
	*t = trim(p, (size_t)(eq - p));
	*v = trim(eq + 1, n - (size_t)(eq - p) - 1);
	if (!valid_name(*t)) {
		*why = "malformed tag name";
		return -1;
	}
	if (!valid_value(*v)) {
		*why = "a tag value holds a control or non-ASCII byte";
		return -1;
	}
	for (i = 0; i < nseen; i++)
		if (seen[i].n == t->n && memcmp(seen[i].p, t->p, t->n) == 0) {
			*why = "duplicate tag";
			return -1;
		}
	return 0;
}

static int
parse_tags(const char *rec, size_t len, struct dkkey *out, int *have_p,
    const char **why)
{
	struct dkkey_span seen[DKKEY_MAX_TAGS], t, v, spec;
	size_t i, start = 0, nseen = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && rec[i] != ';')
			continue;
		spec = trim(rec + start, i - start);
		start = i + 1;
		if (spec.n == 0) {
			/* Only the end may be empty (a trailing ';'). */
			if (i < len && trim(rec + start, len - start).n > 0) {
				*why = "empty tag between ';'";
				return -1;
			}
			continue;
		}
		if (nseen == DKKEY_MAX_TAGS) {
			*why = "too many tags";
			return -1;
		}
		if (split_spec(spec.p, spec.n, seen, nseen, &t, &v, why) == -1 ||
		    take_tag(out, t, v, nseen == 0, why) == -1)
			return -1;
		*have_p |= span_is(t, "p");
		seen[nseen++] = t;
	}
	return 0;
}

int
dkkey_parse(const char *rec, size_t len, struct dkkey *out, const char **why)
{
	int have_p = 0;

	memset(out, 0, sizeof *out);
	out->type = DKKEY_RSA;
	out->hashes = DKKEY_H_SHA1 | DKKEY_H_SHA256;
	out->service_email = 1;
	if (len > DKKEY_MAX_RECORD) {
		*why = "key record longer than 8192 bytes";
		return -1;
	}
	if (rec == NULL || trim(rec, len).n == 0) {
		*why = "empty key record";
		return -1;
	}
	if (parse_tags(rec, len, out, &have_p, why) == -1)
		return -1;
	if (!have_p) {
		*why = "no p= tag";
		return -1;
	}
	if (out->type == DKKEY_ED25519 && !out->revoked && out->key_len != 32) {
		*why = "an Ed25519 p= must decode to 32 bytes";
		return -1;
	}
	return 0;
}

const char *
dkkey_type_name(enum dkkey_type t)
{
	return t == DKKEY_ED25519 ? "ed25519" : "rsa";
}
