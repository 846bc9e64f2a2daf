/* authres: see authres.h. */
#include "authres.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "authresval.h"
#include "strlist.h"
#include "xmalloc.h"

struct authres {
	char *id;
	const char *eol;
	struct strlist *res;	/* per result: "method=result", then pieces */
	size_t n;
};

/* A growable string. */
struct sb {
	char *p;
	size_t len, cap;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* "ptype.property" of RFC 8601, both keywords. */
static int
prop_name(const char *s)
{
	char buf[72];
	const char *dot;

	if (s == NULL || (dot = strchr(s, '.')) == NULL || dot == s ||
	    strlen(s) >= sizeof buf)
		return 0;
	memcpy(buf, s, (size_t)(dot - s));
	buf[dot - s] = '\0';
	return authresval_keyword(buf, "-_") &&
	    authresval_keyword(dot + 1, "-_");
}

static int
plain_dot_atom(const char *s)
{
	return authresval_dot_atom(s, strlen(s), 0);
}

/* Write s (already clean) as a quoted string: '"' and '\' escaped. */
static void
put_quoted(struct sb *b, const char *s, char open, char close)
{
	sb_add(b, &open, 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\' || (open == '(' && strchr("()", *s)))
			sb_add(b, "\\", 1);
		sb_add(b, s, 1);
	}
	sb_add(b, &close, 1);
}

/* name=value with value cleaned, cut to max and quoted when needed. */
static void
put_pair(struct sb *b, const char *name, const char *value, size_t max,
    int (*plain)(const char *))
{
	char v[AUTHRES_MAX_VALUE + 1];

	authresval_clean(value, v,
	    max < AUTHRES_MAX_VALUE ? max : AUTHRES_MAX_VALUE);
	sb_str(b, name);
	sb_add(b, "=", 1);
	if (plain != NULL && plain(v))
		sb_str(b, v);
	else
		put_quoted(b, v, '"', '"');
}

struct authres *
authres_new(const char *authserv_id)
{
	struct authres *ar = xcalloc(1, sizeof *ar);
	struct sb b = { 0 };
	char v[AUTHRES_MAX_VALUE + 1];

	authresval_clean(authserv_id, v, AUTHRES_MAX_ID);
	if (authresval_token(v))
		sb_str(&b, v);
	else
		put_quoted(&b, v, '"', '"');
	ar->id = b.p;
	ar->eol = "\r\n";
	return ar;
}

void
authres_free(struct authres **arp)
{
	struct authres *ar = *arp;
	size_t i;

	if (ar == NULL)
		return;
	for (i = 0; i < ar->n; i++)
		strlist_clear(&ar->res[i]);
	free(ar->res);
	free(ar->id);
	free(ar);
	*arp = NULL;
}

void
authres_set_fold(struct authres *ar, const char *eol)
{
	if (strcmp(eol, "\r\n") == 0)
		ar->eol = "\r\n";
	else if (strcmp(eol, "\n") == 0)
		ar->eol = "\n";
	else if (*eol == '\0')
		ar->eol = "";
}

int
authres_prop(struct authres *ar, const char *name, const char *value)
{
	struct sb b = { 0 };

	if (ar->n == 0 || !prop_name(name) || value == NULL)
		return -1;
	put_pair(&b, name, value, AUTHRES_MAX_VALUE, authresval_pvalue);
	strlist_add(&ar->res[ar->n - 1], b.p);
	free(b.p);
	return 0;
}

int
authres_add(struct authres *ar, const char *method, const char *result,
    const char *reason, ...)
{
	struct sb b = { 0 };
	const char *name, *value;
	va_list ap;
	int r = 0;

	if (!authresval_keyword(method, "-_") ||
	    !authresval_keyword(result, "-_"))
		return -1;
	ar->res = xreallocarray(ar->res, ar->n + 1, sizeof *ar->res);
	memset(&ar->res[ar->n++], 0, sizeof *ar->res);
	sb_str(&b, method);
	sb_add(&b, "=", 1);
	sb_str(&b, result);
	strlist_add(&ar->res[ar->n - 1], b.p);
	if (reason != NULL) {
		b.len = 0;
		put_pair(&b, "reason", reason, AUTHRES_MAX_VALUE, NULL);
		strlist_add(&ar->res[ar->n - 1], b.p);
	}
	free(b.p);
	va_start(ap, reason);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (authres_prop(ar, name, value) == -1)
			r = -1;
	}
	va_end(ap);
	return r;
}

size_t
authres_count(const struct authres *ar)
{
	return ar->n;
}

/*
 * Append one result, folding between its pieces; *col is the column.
 * On one line, a property or reason is left out when it would leave less
 * than reserve bytes below AUTHRES_MAX_LINE: the "method=result" of every
 * result comes first, so a long hostile value cannot hide a fail.
 */
static void
format_one(const struct authres *ar, const struct strlist *res, struct sb *b,
    size_t *col, size_t reserve)
{
	size_t i, len;
	int fold = *ar->eol != '\0';

	for (i = 0; i < res->n; i++) {
		len = strlen(res->v[i]);
		if (!fold && i > 0 && b->len + 1 + len + reserve > AUTHRES_MAX_LINE)
			continue;
		if (fold && (i == 0 || *col + 1 + len > AUTHRES_FOLD_AT)) {
			sb_str(b, ar->eol);
			sb_add(b, "\t", 1);
			*col = 8;
		} else {
			sb_add(b, " ", 1);
			(*col)++;
		}
		sb_add(b, res->v[i], len);
		*col += len;
	}
}

int
authres_format(const struct authres *ar, char **value_r)
{
	struct sb b = { 0 };
	size_t i, col, written = 0, reserve = 0;

	sb_str(&b, ar->id);
	col = b.len + 23;	/* "Authentication-Results:" precedes */
	for (i = 0; i < ar->n; i++)
		reserve += 2 + strlen(ar->res[i].v[0]);
	for (i = 0; i < ar->n; i++) {
		reserve -= 2 + strlen(ar->res[i].v[0]);
		/* one line: a result that cannot fit at all is left out */
		if (*ar->eol == '\0' &&
		    b.len + 2 + strlen(ar->res[i].v[0]) > AUTHRES_MAX_LINE)
			continue;
		sb_add(&b, ";", 1);
		written++;
		format_one(ar, &ar->res[i], &b, &col, reserve);
	}
	if (written == 0)
		sb_str(&b, "; none");
	*value_r = b.p;
	return 0;
}

/* "; key=value" for the Received-SPF builder, within AUTHRES_MAX_LINE. */
static void
spf_pair(struct sb *b, const char *key, const char *value, int *first)
{
	size_t over = strlen(key) + 5, room;

	if (!authresval_keyword(key, "-_.") || !isalpha((unsigned char)*key) ||
	    value == NULL || b->len + over >= AUTHRES_MAX_LINE)
		return;
	/* a value may double when quoted: give it half of what is left */
	room = (AUTHRES_MAX_LINE - b->len - over) / 2;
	if (!*first)
		sb_add(b, ";", 1);
	sb_add(b, " ", 1);
	*first = 0;
	put_pair(b, key, value, room, plain_dot_atom);
}

char *
authres_received_spf(const char *result, const char *comment, ...)
{
	struct sb b = { 0 };
	char c[AUTHRES_MAX_VALUE + 1];
	const char *key, *value;
	va_list ap;
	int first = 1;

	if (!authresval_keyword(result, "-_"))
		return NULL;
	sb_str(&b, result);
	if (comment != NULL) {
		authresval_clean(comment, c, AUTHRES_MAX_VALUE);
		sb_add(&b, " ", 1);
		put_quoted(&b, c, '(', ')');
	}
	va_start(ap, comment);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		spf_pair(&b, key, value, &first);
	}
	va_end(ap);
	return b.p;
}
