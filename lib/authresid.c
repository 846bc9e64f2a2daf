/* authresid: see authresid.h. */
#include "authresid.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "authresval.h"

/*
 * Parsing the start of an incoming value.  Whitespace and comments are
 * skipped the same way everywhere; a NUL byte ends parsing with an error,
 * since a header carrying one was not made by a mail system we trust.
 */
struct rd {
	const char *p, *end;
	const char *why;
};

static int
rd_cfws(struct rd *r)
{
	int depth = 0;

	for (; r->p < r->end; r->p++) {
		if (*r->p == '\0')
			return r->why = "NUL byte in header", -1;
		if (depth > 0 && *r->p == '\\') {
			if (++r->p == r->end)
				break;
		} else if (*r->p == '(') {
			depth++;
		} else if (*r->p == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && !strchr(" \t\r\n", *r->p)) {
			return 0;
		}
	}
	return depth > 0 ? (r->why = "unterminated comment", -1) : 0;
}

/* Token or quoted string into id (size idlen). */
static int
rd_id(struct rd *r, char *id, size_t idlen)
{
	size_t o = 0;
	int quoted;

	if (rd_cfws(r) == -1)
		return -1;
	if ((quoted = r->p < r->end && *r->p == '"'))
		r->p++;
	for (; r->p < r->end; r->p++) {
		char ch = *r->p;
		if (quoted && ch == '"')
			break;
		if (quoted && ch == '\\' && r->p + 1 < r->end)
			ch = *++r->p;
		else if (!quoted && !authresval_tchar(ch))
			break;
		if (ch == '\0')
			return r->why = "NUL byte in header", -1;
		if (o + 1 >= idlen)
			return r->why = "authserv-id too long", -1;
		id[o++] = ch;
	}
	if (quoted && (r->p == r->end || *r->p++ != '"'))
		return r->why = "unterminated quoted string", -1;
	if (o == 0 && !quoted)	/* "" is a (useless) valid quoted-string */
		return r->why = "no authserv-id", -1;
	id[o] = '\0';
	return 0;
}

int
authresid_parse(const char *value, size_t len, char *id,
    size_t idlen, const char **why)
{
	struct rd r = { value, value + len, NULL };

	if (idlen > 0)
		id[0] = '\0';
	if (value == NULL || idlen == 0)
		return *why = "no header", -1;
	if (rd_id(&r, id, idlen) == -1 || rd_cfws(&r) == -1)
		goto bad;
	if (r.p < r.end && isdigit((unsigned char)*r.p)) {	/* version */
		while (r.p < r.end && isdigit((unsigned char)*r.p))
			r.p++;
		if (rd_cfws(&r) == -1)
			goto bad;
	}
	if (r.p == r.end || *r.p == ';')
		return 0;
	r.why = "expected ';' after authserv-id";
bad:
	id[0] = '\0';
	*why = r.why;
	return -1;
}

static size_t
nodot_len(const char *s, size_t n)
{
	return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

int
authresid_claims(const char *value, size_t len, const char *our_id)
{
	struct rd r = { value, value + len, NULL };
	char id[AUTHRESID_MAX + 1];
	size_t a, b;

	if (value == NULL || our_id == NULL || rd_id(&r, id, sizeof id) == -1)
		return 0;
	a = nodot_len(id, strlen(id));
	b = nodot_len(our_id, strlen(our_id));
	return a > 0 && a == b && strncasecmp(id, our_id, a) == 0;
}
