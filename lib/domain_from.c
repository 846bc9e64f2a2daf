/*
 * domain: the From header parser (see domain.h), RFC 5322 3.4, 3.6.2 and
 * 4.4.  The value is first cut into tokens with whitespace and comments
 * dropped, then parsed by the grammar with one index into the token array;
 * every loop stops at T_END.
 */
#include "domain.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Longest raw domain collected from the header; domain_normalise()
 * refuses anything longer with the same reason. */
#define RAW_MAX 1024

enum tok_type { T_END, T_ATOM, T_QSTR, T_DLIT, T_CHAR };

struct tok {
	const char *s;
	size_t len;
	enum tok_type type;
};

struct fparse {
	struct tok *t;
	size_t n, i;
	struct domain_from *out;
	const char *why;
};

static int
atext(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c)) ||
	    c >= 0x80;	/* RFC 6532 UTF-8 */
}

static int
tok_is(const struct tok *t, char c)
{
	return t->type == T_CHAR && t->s[0] == c;
}

static const struct tok *
cur(const struct fparse *fp)
{
	return &fp->t[fp->i];
}

/* Skip folding white space and nested comments (quoted-pairs inside). */
static int
skip_cfws(const char **pp, const char *end, const char **why)
{
	const char *p = *pp;
	int depth = 0;

	for (; p < end; p++) {
		if (depth > 0 && *p == '\\') {
			if (++p == end)
				break;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && !strchr(" \t\r\n", *p)) {
			break;
		}
	}
	if (depth > 0)
		return *why = "unterminated comment", -1;
	*pp = p;
	return 0;
}

/* End of a quoted string or domain literal starting at p, or NULL. */
static const char *
scan_quoted(const char *p, const char *end, char close)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p == end)
				return NULL;
		} else if (*p == close) {
			return p + 1;
		}
	}
	return NULL;
}

static int
tokenize(const char *p, const char *end, struct fparse *fp)
{
	const char *q;
	struct tok *t;

	for (;;) {
		if (skip_cfws(&p, end, &fp->why) == -1)
			return -1;
		t = &fp->t[fp->n++];
		t->s = p;
		t->len = 0;
		if ((t->type = T_END, p == end))
			return 0;
		if (*p == '"' || *p == '[') {
			t->type = *p == '"' ? T_QSTR : T_DLIT;
			if ((q = scan_quoted(p, end, *p == '"' ? '"' : ']')) == NULL)
				return fp->why = t->type == T_QSTR ?
				    "unterminated quoted string" :
				    "unterminated domain literal", -1;
		} else if (atext((unsigned char)*p)) {
			for (q = p; q < end && atext((unsigned char)*q); q++)
				;
			t->type = T_ATOM;
		} else {
			q = p + 1;
			t->type = T_CHAR;
		}
		t->len = (size_t)(q - p);
		p = q;
	}
}

static void
add_address(struct domain_from *out, const char *local, const char *dom)
{
	size_t i;

	if (out->n_addresses++ == 0) {
		memcpy(out->local, local, strlen(local) + 1);
		memcpy(out->domain, dom, strlen(dom) + 1);
	}
	for (i = 0; i < out->n_domains && i < DOMAIN_FROM_MAX_DOMAINS; i++)
		if (strcmp(out->domains[i], dom) == 0)
			return;
	if (out->n_domains < DOMAIN_FROM_MAX_DOMAINS)
		memcpy(out->domains[out->n_domains], dom, strlen(dom) + 1);
	out->n_domains++;
	out->domains_differ = out->n_domains > 1;
}

/* Append the tokens that may form a local part or a domain to buf. */
static size_t
collect(struct fparse *fp, int local, char *buf, size_t max, size_t *words)
{
	const struct tok *t;
	size_t len = 0;

	for (*words = 0; (t = cur(fp))->type == T_ATOM || tok_is(t, '.') ||
	    (local && t->type == T_QSTR); fp->i++) {
		if (len + t->len > max)
			return max + 1;
		memcpy(buf + len, t->s, t->len);
		len += t->len;
		*words += t->type != T_CHAR;
	}
	buf[len] = '\0';
	return len;
}

/* local-part "@" domain; lone and trailing dots in the local part are
 * obsolete but seen in real mail ("john.@example.jp"), so they pass. */
static int
parse_addr_spec(struct fparse *fp)
{
	char local[DOMAIN_MAX_ADDRESS + 1], dom[RAW_MAX + 1];
	char norm[DOMAIN_MAX_NAME + 1];
	size_t ll, dl, words;

	ll = collect(fp, 1, local, DOMAIN_MAX_ADDRESS, &words);
	if (ll > DOMAIN_MAX_ADDRESS)
		return fp->why = "address too long", -1;
	if (words == 0)
		return fp->why = ll ? "invalid local part" : "expected an address", -1;
	if (!tok_is(cur(fp), '@'))
		return fp->why = "address has no domain", -1;
	fp->i++;
	if (cur(fp)->type == T_DLIT)
		return fp->why = "domain is an address literal", -1;
	if ((dl = collect(fp, 0, dom, RAW_MAX, &words)) > RAW_MAX)
		return fp->why = "domain too long", -1;
	if (dl == 0)
		return fp->why = "empty domain", -1;
	if (domain_normalise(dom, dl, norm, sizeof norm, &fp->why) == -1)
		return -1;
	if (ll + 1 + strlen(norm) > DOMAIN_MAX_ADDRESS)
		return fp->why = "address too long", -1;
	add_address(fp->out, local, norm);
	return 0;
}

/* "<" [obs-route] addr-spec ">" */
static int
parse_angle(struct fparse *fp)
{
	fp->i++;
	if (tok_is(cur(fp), '>'))
		return fp->why = "empty address <>", -1;
	if (tok_is(cur(fp), '@')) {
		while (cur(fp)->type != T_END && !tok_is(cur(fp), ':') &&
		    !tok_is(cur(fp), '>'))
			fp->i++;
		if (!tok_is(cur(fp), ':'))
			return fp->why = "invalid source route", -1;
		fp->i++;
	}
	if (parse_addr_spec(fp) == -1)
		return -1;
	if (!tok_is(cur(fp), '>'))
		return fp->why = "missing '>' after address", -1;
	fp->i++;
	return 0;
}

static int parse_group(struct fparse *);

/*
 * A display name is words and dots; a stray '@' in it ("a@b.c <a@b.c>")
 * is tolerated because the address in angle brackets decides anyway.
 */
static int
parse_mailbox(struct fparse *fp, int allow_group)
{
	const struct tok *t;
	size_t j;
	int at = 0;

	for (j = fp->i; (t = &fp->t[j])->type == T_ATOM || t->type == T_QSTR ||
	    tok_is(t, '.') || tok_is(t, '@'); j++)
		at |= tok_is(t, '@');
	if (tok_is(t, '<')) {
		fp->i = j;
		return parse_angle(fp);
	}
	if (tok_is(t, ':') && j > fp->i && !at) {
		if (!allow_group)
			return fp->why = "group inside a group", -1;
		fp->i = j + 1;
		return parse_group(fp);
	}
	return parse_addr_spec(fp);
}

static int
expect_separator(struct fparse *fp, char c)
{
	if (cur(fp)->type == T_END || tok_is(cur(fp), ',') || tok_is(cur(fp), c))
		return 0;
	return fp->why = "unexpected text after address", -1;
}

static int
parse_group(struct fparse *fp)
{
	for (;;) {
		if (tok_is(cur(fp), ';')) {
			fp->i++;
			return 0;
		}
		if (tok_is(cur(fp), ',')) {
			fp->i++;
			continue;
		}
		if (cur(fp)->type == T_END)
			return fp->why = "group without ';'", -1;
		if (parse_mailbox(fp, 0) == -1 || expect_separator(fp, ';') == -1)
			return -1;
	}
}

static int
parse_list(struct fparse *fp)
{
	while (cur(fp)->type != T_END) {
		if (tok_is(cur(fp), ',')) {
			fp->i++;
			continue;
		}
		if (parse_mailbox(fp, 1) == -1 || expect_separator(fp, ',') == -1)
			return -1;
	}
	if (fp->out->n_addresses == 0)
		return fp->why = "no address", -1;
	return 0;
}

static const char *
header_check(const char *v, size_t len)
{
	size_t i;

	if (v == NULL)
		return "no header";
	if (len > DOMAIN_MAX_HEADER)
		return "header too long";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == 0)
			return "NUL byte in header";
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return "control character in header";
	}
	return NULL;
}

int
domain_from_header(const char *value, size_t len, struct domain_from *out,
    const char **why)
{
	struct fparse fp;
	int r = -1;

	memset(out, 0, sizeof *out);
	memset(&fp, 0, sizeof fp);
	if ((*why = header_check(value, len)) != NULL)
		return -1;
	fp.t = xcalloc(len + 1, sizeof *fp.t);
	fp.out = out;
	if (tokenize(value, value + len, &fp) == 0 && parse_list(&fp) == 0)
		r = 0;
	free(fp.t);
	if (r == -1) {
		memset(out, 0, sizeof *out);
		*why = fp.why;
	}
	return r;
}
