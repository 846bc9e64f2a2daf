/*
 * pfconf: the master.cf parser (see pfconf.h).  Logical lines are cut as
 * for main.cf (pfconf_lines()); each is one service entry.
 */
#include "pfconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pfconf_int.h"
#include "xmalloc.h"

static void
pf_add_opt(struct pfconf_service *s, const char *nv, size_t line)
{
	const char *eq = strchr(nv, '=');
	struct pfconf_param *p;

	s->opts = xreallocarray(s->opts, s->n_opts + 1, sizeof *s->opts);
	p = &s->opts[s->n_opts++];
	p->name = pfconf_trimdup(nv, eq ? (size_t)(eq - nv) : strlen(nv));
	p->value = eq ? pfconf_trimdup(eq + 1, strlen(eq + 1)) : xstrdup("");
	p->line = line;
}

/* The -o argument at args[*i] (already past "-o"), "{ name = value }" too. */
static int
pf_opt_arg(struct pfconf_service *s, struct strlist *tok, size_t *i,
    size_t line)
{
	struct strlist joined = { 0 };
	char *buf;

	if (*i >= tok->n)
		return -1;
	if (strcmp(tok->v[*i], "{") != 0) {
		pf_add_opt(s, tok->v[(*i)++], line);
		return 0;
	}
	for ((*i)++; *i < tok->n && strcmp(tok->v[*i], "}") != 0; (*i)++)
		strlist_add(&joined, tok->v[*i]);
	buf = xstrdup("");
	for (size_t k = 0; k < joined.n; k++) {
		char *nb = xasprintf("%s%s%s", buf, k ? " " : "", joined.v[k]);
		free(buf);
		buf = nb;
	}
	pf_add_opt(s, buf, line);
	free(buf);
	strlist_clear(&joined);
	return *i < tok->n ? ((*i)++, 0) : -1;
}

static void
pf_tokens(const char *text, struct strlist *tok)
{
	const char *p = text, *start;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return;
		for (start = p; *p != '\0' && !isspace((unsigned char)*p); p++)
			;
		strlist_addf(tok, "%.*s", (int)(p - start), start);
	}
}

static int
pf_service_args(struct pfconf_service *s, struct strlist *tok, size_t line)
{
	size_t i = 8;

	while (i < tok->n) {
		if (strcmp(tok->v[i], "-o") == 0) {
			i++;
			if (pf_opt_arg(s, tok, &i, line) == -1)
				return -1;
		} else if (strncmp(tok->v[i], "-o", 2) == 0 && strchr(tok->v[i], '='))
			pf_add_opt(s, tok->v[i++] + 2, line);
		else
			strlist_add(&s->args, tok->v[i++]);
	}
	return 0;
}

static int
pf_master_line(void *arg, char *text, size_t line, const char **why)
{
	struct pfconf_master *m = arg;
	struct pfconf_service *s;
	struct strlist tok = { 0 };
	char **f;

	pf_tokens(text, &tok);
	if (tok.n < 8 || m->n >= PFCONF_MAX_ENTRIES) {
		strlist_clear(&tok);
		*why = tok.n < 8 ? "service entry has fewer than 8 fields" :
		    "too many services";
		return -1;
	}
	m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
	s = &m->v[m->n++];
	memset(s, 0, sizeof *s);
	f = tok.v;
	s->name = xstrdup(f[0]), s->type = xstrdup(f[1]);
	s->private_ = xstrdup(f[2]), s->unpriv = xstrdup(f[3]);
	s->chroot = xstrdup(f[4]), s->wakeup = xstrdup(f[5]);
	s->maxproc = xstrdup(f[6]), s->command = xstrdup(f[7]);
	s->line = line;
	if (pf_service_args(s, &tok, line) == -1) {
		strlist_clear(&tok);
		*why = "-o without a name=value argument";
		return -1;
	}
	strlist_clear(&tok);
	return 0;
}

int
pfconf_master_parse(const char *buf, size_t len, struct pfconf_master *out,
    const char **why, size_t *line_r)
{
	memset(out, 0, sizeof *out);
	if (pfconf_lines(buf, len, pf_master_line, out, why, line_r) == -1) {
		pfconf_master_clear(out);
		return -1;
	}
	return 0;
}

const struct pfconf_service *
pfconf_master_find(const struct pfconf_master *m, const char *name,
    const char *type)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0 &&
		    (type == NULL || strcmp(m->v[i].type, type) == 0))
			return &m->v[i];
	return NULL;
}

const char *
pfconf_service_opt(const struct pfconf_service *s, const char *name)
{
	const char *v = NULL;

	for (size_t i = 0; i < s->n_opts; i++)
		if (strcmp(s->opts[i].name, name) == 0)
			v = s->opts[i].value;
	return v;
}

void
pfconf_master_clear(struct pfconf_master *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct pfconf_service *s = &m->v[i];
		free(s->name), free(s->type), free(s->private_);
		free(s->unpriv), free(s->chroot), free(s->wakeup);
		free(s->maxproc), free(s->command);
		for (size_t k = 0; k < s->n_opts; k++) {
			free(s->opts[k].name);
			free(s->opts[k].value);
		}
		free(s->opts);
		strlist_clear(&s->args);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
