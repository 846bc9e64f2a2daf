/* spfmacro: see spfmacro.h. */
#include "spfmacro.h"

#include <stdio.h>
#include <string.h>

#define SPFMACRO_MAX_VALUE	1024	/* longest letter value expanded */
#define SPFMACRO_MAX_DIGITS	3	/* "%{d128}": RFC 7208 asks for 128 */

/* Where an expansion goes; buf NULL = syntax check only. */
struct spfmacro_sink {
	char *buf;
	size_t n, len;
	int overflow;
};

/* One parsed "%{...}". */
struct spfmacro_expr {
	char letter;		/* lower case */
	int upper;		/* URL-escape the result */
	unsigned keep;		/* right-hand parts to keep, 0 = all */
	int reverse;
	char delims[8];		/* NUL-terminated, "." when none given */
};

static void
spfmacro_put(struct spfmacro_sink *k, char c)
{
	if (k->buf == NULL)
		return;
	if (k->len + 1 >= k->n) {
		k->overflow = 1;
		return;
	}
	k->buf[k->len++] = c;
	k->buf[k->len] = '\0';
}

static void
spfmacro_puts(struct spfmacro_sink *k, const char *s, size_t len)
{
	while (len-- > 0)
		spfmacro_put(k, *s++);
}

static int
spfmacro_letter_ok(char c, enum spfmacro_kind kind)
{
	if (strchr("slodiphv", c) != NULL)
		return 1;
	/* c, r and t only mean something in the explanation text (7.3). */
	return kind != SPFMACRO_DOMAIN && strchr("crt", c) != NULL;
}

static const char *
spfmacro_value(const struct spfmacro_ctx *ctx, char letter, char *tbuf,
    size_t tlen)
{
	const char *v = NULL;

	switch (letter) {
	case 't':
		snprintf(tbuf, tlen, "%lld", ctx->t);
		v = tbuf;
		break;
	case 's': v = ctx->s; break;
	case 'l': v = ctx->l; break;
	case 'o': v = ctx->o; break;
	case 'd': v = ctx->d; break;
	case 'h': v = ctx->h; break;
	case 'i': v = ctx->i; break;
	case 'c': v = ctx->c; break;
	case 'v': v = ctx->v; break;
	case 'p': v = ctx->p; break;
	case 'r': v = ctx->r; break;
	}
	return v != NULL ? v : "unknown";
}

/* Parse "%{" letter *DIGIT ["r"] *delimiter "}" at s[*i] (after "%{"). */
static int
spfmacro_parse_expr(const char *s, size_t len, size_t *i,
    enum spfmacro_kind kind, struct spfmacro_expr *e, const char **why)
{
	size_t nd = 0, ndig = 0;
	char c;

	memset(e, 0, sizeof *e);
	if (*i >= len) {
		*why = "macro not closed with '}'";
		return -1;
	}
	c = s[*i];
	e->upper = c >= 'A' && c <= 'Z';
	e->letter = e->upper ? (char)(c - 'A' + 'a') : c;
	if (!spfmacro_letter_ok(e->letter, kind)) {
		*why = kind == SPFMACRO_DOMAIN && strchr("crt", e->letter) ?
		    "macro letter c, r or t is only allowed in exp text" :
		    "unknown macro letter";
		return -1;
	}
	for ((*i)++; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		if (++ndig > SPFMACRO_MAX_DIGITS) {
			*why = "macro digit transformer too long";
			return -1;
		}
		e->keep = e->keep * 10 + (unsigned)(s[*i] - '0');
	}
	if (ndig > 0 && e->keep == 0) {
		*why = "macro digit transformer is zero";
		return -1;
	}
	if (*i < len && (s[*i] == 'r' || s[*i] == 'R')) {
		e->reverse = 1;
		(*i)++;
	}
	for (; *i < len && s[*i] != '\0' && strchr(".-+,/_=", s[*i]) != NULL;
	    (*i)++)
		if (nd + 1 < sizeof e->delims && strchr(e->delims, s[*i]) == NULL)
			e->delims[nd++] = s[*i];
	if (*i >= len || s[*i] != '}') {
		*why = "bad character in macro, or no closing '}'";
		return -1;
	}
	(*i)++;
	if (nd == 0)
		e->delims[0] = '.';
	return 0;
}

/* Part idx (0-based) of v split at delims: start and length. */
static void
spfmacro_part(const char *v, const char *delims, size_t idx, size_t *start,
    size_t *plen)
{
	size_t i = 0, p = 0;

	while (p < idx) {
		if (strchr(delims, v[i]) != NULL)
			p++;
		i++;
	}
	*start = i;
	while (v[i] != '\0' && strchr(delims, v[i]) == NULL)
		i++;
	*plen = i - *start;
}

static void
spfmacro_put_escaped(struct spfmacro_sink *k, const char *s, size_t len,
    int escape)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; len > 0; s++, len--) {
		c = (unsigned char)*s;
		if (!escape || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			spfmacro_put(k, (char)c);
			continue;
		}
		spfmacro_put(k, '%');
		spfmacro_put(k, hex[c >> 4]);
		spfmacro_put(k, hex[c & 15]);
	}
}

/* Split, reverse, keep the right-hand parts, join with '.' (7.3). */
static int
spfmacro_emit(struct spfmacro_sink *k, const struct spfmacro_expr *e,
    const char *v, const char **why)
{
	size_t parts = 1, first, count, j, idx, start, plen;
	const char *p;

	if (strlen(v) > SPFMACRO_MAX_VALUE) {
		*why = "macro value too long";
		return -1;
	}
	for (p = v; *p != '\0'; p++)
		parts += strchr(e->delims, *p) != NULL;
	count = e->keep == 0 || e->keep > parts ? parts : e->keep;
	first = e->reverse ? count - 1 : parts - count;
	for (j = 0; j < count; j++) {
		idx = e->reverse ? first - j : first + j;
		spfmacro_part(v, e->delims, idx, &start, &plen);
		if (j > 0)
			spfmacro_put(k, '.');
		spfmacro_put_escaped(k, v + start, plen, e->upper);
	}
	return 0;
}

static int
spfmacro_literal_ok(unsigned char c, enum spfmacro_kind kind)
{
	if (c == ' ')
		return kind == SPFMACRO_EXP;
	return c >= 0x21 && c <= 0x7e;
}

/* The one walk behind check, expand and uses. */
static int
spfmacro_walk(const char *s, size_t len, enum spfmacro_kind kind,
    const struct spfmacro_ctx *ctx, struct spfmacro_sink *k, const char **why,
    size_t *pos)
{
	struct spfmacro_expr e;
	size_t i = 0, at;
	char tbuf[24];

	while (i < len) {
		at = i;
		if (s[i] != '%') {
			if (!spfmacro_literal_ok((unsigned char)s[i], kind)) {
				*why = "character not allowed (only visible ASCII)";
				*pos = i;
				return -1;
			}
			spfmacro_put(k, s[i++]);
			continue;
		}
		if (++i >= len) {
			*why = "'%' at the end (write %% for a percent sign)";
			*pos = at;
			return -1;
		}
		switch (s[i++]) {
		case '%': spfmacro_put(k, '%'); continue;
		case '_': spfmacro_put(k, ' '); continue;
		case '-': spfmacro_puts(k, "%20", 3); continue;
		case '{': break;
		default:
			*why = "'%' not followed by '{', '%', '_' or '-'";
			*pos = at;
			return -1;
		}
		if (spfmacro_parse_expr(s, len, &i, kind, &e, why) == -1 ||
		    (ctx != NULL && spfmacro_emit(k, &e,
		    spfmacro_value(ctx, e.letter, tbuf, sizeof tbuf),
		    why) == -1)) {
			*pos = at;
			return -1;
		}
	}
	return 0;
}

int
spfmacro_check(const char *s, size_t len, enum spfmacro_kind kind,
    const char **why, size_t *pos)
{
	struct spfmacro_sink k = { NULL, 0, 0, 0 };
	const char *w = NULL;
	size_t p = 0;

	if (s == NULL && len > 0) {
		*why = "no string";
		return -1;
	}
	if (spfmacro_walk(s, len, kind, NULL, &k, &w, &p) == 0)
		return 0;
	if (why != NULL)
		*why = w;
	if (pos != NULL)
		*pos = p;
	return -1;
}

/* Stand-in for a NULL context: every letter reads "unknown". */
static const struct spfmacro_ctx spfmacro_unknown;

long
spfmacro_expand(const char *s, size_t len, enum spfmacro_kind kind,
    const struct spfmacro_ctx *ctx, char *out, size_t n, const char **why)
{
	struct spfmacro_sink k = { out, n, 0, 0 };
	size_t pos;

	if (out == NULL || n == 0 || (s == NULL && len > 0)) {
		*why = "no buffer";
		return -1;
	}
	out[0] = '\0';
	if (spfmacro_walk(s, len, kind, ctx ? ctx : &spfmacro_unknown, &k, why,
	    &pos) == -1)
		return -1;
	if (k.overflow) {
		*why = "macro expansion too long";
		return -1;
	}
	return (long)k.len;
}

int
spfmacro_domain(const char *s, size_t len, const struct spfmacro_ctx *ctx,
    char *out, size_t n, const char **why)
{
	long r;
	size_t l;
	char *p;

	if ((r = spfmacro_expand(s, len, SPFMACRO_DOMAIN, ctx, out, n, why)) < 0)
		return -1;
	l = (size_t)r;
	if (l > 0 && out[l - 1] == '.')
		out[--l] = '\0';
	/* Too long for DNS: drop whole labels from the left (7.3). */
	p = out;
	while (l - (size_t)(p - out) > SPFMACRO_MAX_NAME) {
		char *dot = strchr(p, '.');
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	l -= (size_t)(p - out);
	memmove(out, p, l + 1);
	if (l == 0 || l > SPFMACRO_MAX_NAME) {
		*why = l == 0 ? "empty domain name" : "domain name too long";
		return -1;
	}
	return 0;
}

int
spfmacro_uses(const char *s, size_t len, char letter)
{
	size_t i;
	char lc = letter >= 'A' && letter <= 'Z' ? (char)(letter - 'A' + 'a') :
	    letter;

	for (i = 0; i + 2 < len; i++) {
		if (s[i] != '%')
			continue;
		if (s[i + 1] == '{' && (s[i + 2] == lc || s[i + 2] == lc - 'a' + 'A'))
			return 1;
		i++;	/* "%%" and the like: skip the escaped character */
	}
	return 0;
}
