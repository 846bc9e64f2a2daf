/* pfconf: see pfconf.h.  master.cf is pfconf_master.c's. */
#include "pfconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pfconf_int.h"
#include "xmalloc.h"

/* One logical line being assembled from its physical lines. */
struct pf_logical {
	char *buf;
	size_t len;
	size_t line;		/* 0: none pending */
};

static int
pf_blank_or_comment(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == end || *p == '#';
}

static int
pf_append(struct pf_logical *l, const char *p, size_t n, const char **why)
{
	if (l->len + n + 2 > PFCONF_MAX_LINE) {
		*why = "logical line too long";
		return -1;
	}
	if (l->buf == NULL)
		l->buf = xmalloc(PFCONF_MAX_LINE);
	if (l->len > 0)
		l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return 0;
}

static int
pf_flush(struct pf_logical *l, pfconf_line_fn fn, void *arg, const char **why,
    size_t *line_r)
{
	int rc = 0;

	if (l->line != 0) {
		*line_r = l->line;	/* errors name the line where it starts */
		rc = fn(arg, l->buf, l->line, why);
	}
	l->len = 0;
	l->line = 0;
	return rc;
}

int
pfconf_lines(const char *buf, size_t len, pfconf_line_fn fn, void *arg,
    const char **why, size_t *line_r)
{
	struct pf_logical l = { NULL, 0, 0 };
	const char *p = buf, *end = buf + len, *eol, *s;
	size_t lineno = 0;
	int rc = 0;

	if (len > PFCONF_MAX_FILE || memchr(buf, '\0', len) != NULL) {
		*why = len > PFCONF_MAX_FILE ? "file too large" : "NUL byte in file";
		*line_r = 1;
		return -1;
	}
	for (; rc == 0 && p < end; p = eol + (eol < end)) {
		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol : end;
		*line_r = ++lineno;
		if (pf_blank_or_comment(p, eol))
			continue;
		if (*p == ' ' || *p == '\t') {
			if (l.line == 0) {
				*why = "continuation line without a line to continue";
				rc = -1;
				break;
			}
			while (*p == ' ' || *p == '\t')
				p++;
		} else if ((rc = pf_flush(&l, fn, arg, why, line_r)) == 0) {
			*line_r = lineno;
			l.line = lineno;
		}
		/*
		 * Trailing blanks are trimmed only down to p, which now sits
		 * after the leading ones: a line of blanks and other white
		 * space ("  \f") must give an empty piece, not a negative one.
		 */
		for (s = eol; s > p && isspace((unsigned char)s[-1]); s--)
			;
		if (rc == 0)
			rc = pf_append(&l, p, (size_t)(s - p), why);
	}
	if (rc == 0)
		rc = pf_flush(&l, fn, arg, why, line_r);
	free(l.buf);
	return rc;
}

char *
pfconf_trimdup(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* ---- main.cf ------------------------------------------------------------ */

static int
pf_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-.", s[i]) == NULL)
			return 0;
	return 1;
}

static int
pf_main_line(void *arg, char *text, size_t line, const char **why)
{
	struct pfconf_main *m = arg;
	struct pfconf_param *p;
	char *eq = strchr(text, '='), *name;

	if (eq == NULL) {
		*why = "missing '=' in setting";
		return -1;
	}
	name = pfconf_trimdup(text, (size_t)(eq - text));
	if (!pf_name_ok(name, strlen(name))) {
		free(name);
		*why = "bad parameter name";
		return -1;
	}
	if ((p = (struct pfconf_param *)pfconf_main_find(m, name)) != NULL) {
		free(name);
		free(p->value);	/* a later setting wins, as in Postfix */
	} else {
		if (m->n >= PFCONF_MAX_ENTRIES) {
			free(name);
			*why = "too many settings";
			return -1;
		}
		m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
		p = &m->v[m->n++];
		p->name = name;
	}
	p->value = pfconf_trimdup(eq + 1, strlen(eq + 1));
	p->line = line;
	return 0;
}

int
pfconf_main_parse(const char *buf, size_t len, struct pfconf_main *out,
    const char **why, size_t *line_r)
{
	memset(out, 0, sizeof *out);
	if (pfconf_lines(buf, len, pf_main_line, out, why, line_r) == -1) {
		pfconf_main_clear(out);
		return -1;
	}
	return 0;
}

const struct pfconf_param *
pfconf_main_find(const struct pfconf_main *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	return NULL;
}

void
pfconf_main_clear(struct pfconf_main *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].value);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* ---- $name expansion ---------------------------------------------------- */

struct pf_out {
	char *buf;
	size_t len, cap;
	size_t budget;		/* references left to expand */
};

static void
pf_put(struct pf_out *o, const char *s, size_t n)
{
	if (o->len + n >= PFCONF_MAX_EXPAND)
		n = PFCONF_MAX_EXPAND - 1 - o->len;
	if (o->len + n + 1 > o->cap) {
		o->cap = o->len + n + 64;
		o->buf = xreallocarray(o->buf, o->cap, 1);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void pf_expand_into(const struct pfconf_main *m, const char *s,
    size_t n, int depth, struct pf_out *o);

/* ${name}, ${name?text}, ${name:text}, $(name): s points after "${". */
static size_t
pf_braced(const struct pfconf_main *m, const char *s, size_t n, char close,
    int depth, struct pf_out *o)
{
	const struct pfconf_param *p;
	size_t i, nl = 0;
	char name[256], op = 0;

	for (i = 0; i < n && s[i] != close; i++)
		if (op == 0 && (s[i] == '?' || s[i] == ':'))
			op = s[i], nl = i;
	if (i == n)
		return 0;		/* unterminated: kept as written */
	nl = op ? nl : i;
	if (nl >= sizeof name)
		return i + 1;
	memcpy(name, s, nl);
	name[nl] = '\0';
	p = pfconf_main_find(m, name);
	if (op == 0 && p != NULL)
		pf_expand_into(m, p->value, strlen(p->value), depth + 1, o);
	else if ((op == '?' && p != NULL && *p->value != '\0') ||
	    (op == ':' && (p == NULL || *p->value == '\0')))
		pf_expand_into(m, s + nl + 1, i - nl - 1, depth + 1, o);
	return i + 1;
}

static void
pf_expand_into(const struct pfconf_main *m, const char *s, size_t n,
    int depth, struct pf_out *o)
{
	const struct pfconf_param *p;
	size_t i = 0, j, used;
	char name[256];

	/* Bounded in depth, in output and in total work: "a = $b$b",
	 * "b = $c$c", ... must not take exponential time. */
	if (depth > PFCONF_MAX_DEPTH || o->budget == 0) {
		pf_put(o, s, n);
		return;
	}
	o->budget--;
	while (i < n && o->len + 1 < PFCONF_MAX_EXPAND) {
		if (s[i] != '$' || i + 1 == n) {
			pf_put(o, s + i++, 1);
			continue;
		}
		if (s[i + 1] == '{' || s[i + 1] == '(') {
			used = pf_braced(m, s + i + 2, n - i - 2,
			    s[i + 1] == '{' ? '}' : ')', depth, o);
			if (used == 0)
				pf_put(o, s + i, 1);
			i += used ? used + 2 : 1;
			continue;
		}
		for (j = i + 1; j < n && j - i <= sizeof name - 1 &&
		    (isalnum((unsigned char)s[j]) || s[j] == '_'); j++)
			;
		memcpy(name, s + i + 1, j - i - 1);
		name[j - i - 1] = '\0';
		if (j == i + 1)
			pf_put(o, "$", 1);
		else if ((p = pfconf_main_find(m, name)) != NULL)
			pf_expand_into(m, p->value, strlen(p->value), depth + 1, o);
		i = j;
	}
}

char *
pfconf_expand_text(const struct pfconf_main *m, const char *text)
{
	struct pf_out o = { NULL, 0, 0, PFCONF_MAX_REFS };

	pf_put(&o, "", 0);
	pf_expand_into(m, text, strlen(text), 0, &o);
	return o.buf;
}

char *
pfconf_expand(const struct pfconf_main *m, const char *name)
{
	const struct pfconf_param *p = pfconf_main_find(m, name);

	return p ? pfconf_expand_text(m, p->value) : NULL;
}

void
pfconf_split(const char *value, struct strlist *out)
{
	const char *p = value, *start;
	int brace;

	while (*p != '\0') {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		for (brace = 0; *p != '\0'; p++) {
			if (*p == '{')
				brace++;
			else if (*p == '}' && brace > 0)
				brace--;
			else if (brace == 0 && (*p == ',' || isspace((unsigned char)*p)))
				break;
		}
		strlist_addf(out, "%.*s", (int)(p - start), start);
	}
}
