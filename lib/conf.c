/* conf: see conf.h.  The keys are in confschema.c, applying a value in
 * confset.c, the value checks in confvalue.c; this file reads the file,
 * walks it and reports problems. */
#include "conf.h"
#include "dns.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confschema.h"
#include "confset.h"
#include "xmalloc.h"

#define CONF_MAX_FILE	(16L * 1024 * 1024)	/* a bigger file is refused */
#define CONF_MAX_PROBLEMS 100			/* then one "more problems" line */

struct conf_ctx {
	struct conf *c;
	struct strlist *problems;
	size_t count;			/* problems reported by this load */
	const char *path;		/* the main file */
	struct strlist biglines;	/* "file:line" holding a too large integer */
	struct confset_sink sink;	/* the setters' way to conf_problem() */
};

/* ---- problems ---- */

static int conf_problem(struct conf_ctx *, const config_setting_t *,
    const char *, const char *, ...) __attribute__((format(printf, 4, 5)));

/* "file:line: key: problem"; file and line of s, or of the main file. */
static int
conf_problem(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *fmt, ...)
{
	const char *file = s && config_setting_source_file(s) ?
	    config_setting_source_file(s) : x->path;
	unsigned line = s ? config_setting_source_line(s) : 0;
	va_list ap;
	char *msg;

	if (x->count++ == CONF_MAX_PROBLEMS)
		strlist_addf(x->problems, "%s: more problems not shown", x->path);
	if (x->count > CONF_MAX_PROBLEMS)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	strlist_addf(x->problems, "%s:%u: %s: %s", file, line, key,
	    msg ? msg : "(out of memory)");
	free(msg);
	return -1;
}

static int
conf_wrong_type(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *want)
{
	return conf_problem(x, s, key, "must be %s, not %s", want,
	    confset_type_name(config_setting_type(s)));
}

static void
conf_sink_problem(void *arg, const config_setting_t *s, const char *key,
    const char *msg)
{
	conf_problem(arg, s, key, "%s", msg);
}

/* Whether the prescan saw a too large integer on the line of s. */
static int
conf_sink_too_big(void *arg, const config_setting_t *s)
{
	struct conf_ctx *x = arg;
	const char *file = config_setting_source_file(s);
	char where[4200];

	snprintf(where, sizeof where, "%s:%u", file ? file : x->path,
	    config_setting_source_line(s));
	return strlist_contains(&x->biglines, where);
}

/* ---- prescan: what libconfig would silently accept ---- */

/*
 * libconfig 1.5 cuts a string at a NUL byte and truncates an integer that
 * does not fit in 32 bits without a word.  Look at the raw text: a NUL byte
 * is a problem of its own, a too long integer literal marks its line.
 */
static int
conf_scan(struct conf_ctx *x, const char *file, const char *b, size_t len)
{
	unsigned line = 1;
	size_t i = 0, j, digits;
	int hex;

	while (i < len) {
		unsigned char ch = (unsigned char)b[i];
		unsigned char next = i + 1 < len ? (unsigned char)b[i + 1] : 0;
		if (ch == '\0') {
			strlist_addf(x->problems, "%s:%u: NUL byte in file", file, line);
			x->count++;
			return -1;
		}
		if (ch == '"') {
			for (i++; i < len && b[i] != '"' && b[i] != '\0'; i++)
				if (b[i] == '\\' && i + 1 < len && b[i + 1] != '\0')
					i++;
				else if (b[i] == '\n')
					line++;
			i += i < len && b[i] == '"';
		} else if (ch == '#' || (ch == '/' && next == '/')) {
			while (i < len && b[i] != '\n' && b[i] != '\0')
				i++;
		} else if (ch == '/' && next == '*') {
			for (i += 2; i < len && b[i] != '\0'; i++)
				if (b[i] == '\n')
					line++;
				else if (b[i] == '*' && i + 1 < len && b[i + 1] == '/') {
					i += 2;
					break;
				}
		} else if (isalpha(ch) || ch == '_' || ch == '*') {
			while (i < len && (isalnum((unsigned char)b[i]) ||
			    strchr("_-*", b[i]) != NULL) && b[i] != '\0')
				i++;
		} else if (isdigit(ch)) {
			hex = ch == '0' && (next | 0x20) == 'x';
			for (j = i + 2 * hex; j < len && b[j] == '0'; j++)
				;
			for (digits = 0; j < len && (isdigit((unsigned char)b[j]) ||
			    (hex && isxdigit((unsigned char)b[j]))); j++)
				digits++;
			if (digits > (hex ? 8u : 9u) && (j >= len ||
			    (b[j] != '.' && (b[j] | 0x20) != 'e' && b[j] != 'L')))
				strlist_addf(&x->biglines, "%s:%u", file, line);
			i = j;
		} else {
			line += ch == '\n';
			i++;
		}
	}
	return 0;
}

/* Read a file (bounded) and scan it.  Returns -1 after a problem. */
static int
conf_prescan(struct conf_ctx *x, const char *show, const char *path)
{
	struct stat st;
	char *buf = NULL;
	ssize_t r;
	size_t len = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		strlist_addf(x->problems, "%s: open: %s", show, strerror(errno));
	} else if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		strlist_addf(x->problems, "%s: not a regular file", show);
	} else if (st.st_size > CONF_MAX_FILE) {
		strlist_addf(x->problems, "%s: file too large (%lld bytes, at most %ld)",
		    show, (long long)st.st_size, CONF_MAX_FILE);
	} else {
		buf = xmalloc((size_t)st.st_size + 1);
		while (len <= (size_t)st.st_size &&
		    (r = read(fd, buf + len, (size_t)st.st_size + 1 - len)) > 0)
			len += (size_t)r;
		if (len > (size_t)st.st_size)
			strlist_addf(x->problems, "%s: file grew while read", show);
		else
			rc = conf_scan(x, show, buf, len);
	}
	if (fd != -1)
		close(fd);
	free(buf);
	if (rc == -1 && x->count == 0)
		x->count++;
	return rc;
}

/* ---- walking the file ---- */

static int
conf_unknown(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *name, const struct confschema_key *schema)
{
	const char *best = confschema_suggest(schema, name);

	if (best != NULL)
		return conf_problem(x, s, key, "unknown key (did you mean %s?)", best);
	return conf_problem(x, s, key, "unknown key");
}

/* One { domain = ...; selector = ...; key = ...; } of milter.sign. */
static void
conf_sign_entry(struct conf_ctx *x, const config_setting_t *e, const char *key,
    struct conf_sign *out)
{
	const struct confschema_key *k;
	const config_setting_t *s;
	char skey[320];

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		conf_wrong_type(x, e, key, "a group { domain = \"...\"; "
		    "selector = \"...\"; }");
		return;
	}
	for (int i = 0; i < config_setting_length(e); i++) {
		s = config_setting_get_elem(e, (unsigned)i);
		snprintf(skey, sizeof skey, "%s.%s", key, config_setting_name(s));
		if ((k = confschema_find(confschema_sign, config_setting_name(s))) == NULL)
			conf_unknown(x, s, skey, config_setting_name(s), confschema_sign);
		else
			confset_apply(k, out, s, skey, &x->sink);
	}
	if (config_setting_get_member(e, "domain") == NULL)
		conf_problem(x, e, key, "missing domain");
	if (config_setting_get_member(e, "selector") == NULL)
		conf_problem(x, e, key, "missing selector");
}

static void
conf_sign(struct conf_ctx *x, const struct confschema_key *k,
    const config_setting_t *s)
{
	struct conf *c = x->c;
	int n = config_setting_length(s);
	char key[64];

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY && n == 0)) {
		conf_wrong_type(x, s, k->name, "a list ( { domain = \"...\"; "
		    "selector = \"...\"; }, ... )");
		return;
	}
	if (n > k->max) {
		conf_problem(x, s, k->name, "too many entries (%d, at most %lld)",
		    n, k->max);
		return;
	}
	c->milter.sign = xcalloc((size_t)n, sizeof *c->milter.sign);
	c->milter.n_sign = n;
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%s[%d]", k->name, i);
		conf_sign_entry(x, config_setting_get_elem(s, (unsigned)i), key,
		    &c->milter.sign[i]);
	}
}

/* Every member of group g, whose path is prefix (NULL: the top). */
static void
conf_walk(struct conf_ctx *x, const config_setting_t *g, const char *prefix)
{
	const struct confschema_key *k;
	const config_setting_t *s;
	char key[256];

	for (int i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "",
		    prefix ? "." : "", config_setting_name(s));
		if ((k = confschema_find(confschema_top, key)) == NULL)
			conf_unknown(x, s, key, key, confschema_top);
		else if (k->type == CONFSCHEMA_SIGN)
			conf_sign(x, k, s);
		else if (k->type != CONFSCHEMA_GROUP)
			confset_apply(k, x->c, s, key, &x->sink);
		else if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			conf_wrong_type(x, s, key, "a group { ... }");
		else
			conf_walk(x, s, key);
	}
}

/* Checks across keys, once every key on its own is fine. */
static void
conf_check(struct conf_ctx *x, const config_t *cfg)
{
	const struct conf *c = x->c;
	const char *kt = "milter.keytable", *st = "milter.signingtable";
	char *p;

	if ((c->milter.keytable[0] == '\0') != (c->milter.signingtable[0] == '\0'))
		conf_problem(x, config_lookup(cfg, c->milter.keytable[0] ? kt : st),
		    c->milter.keytable[0] ? kt : st,
		    "milter.keytable and milter.signingtable go together");
	for (int i = 0; i < c->milter.n_sign; i++) {
		p = conf_key_path(c, &c->milter.sign[i]);
		if (strlen(p) > CONFSCHEMA_PATH_MAX)
			conf_problem(x, config_lookup(cfg, "milter.sign"), "milter.sign",
			    "key path of entry %d is too long", i);
		free(p);
	}
}

/* ---- public ---- */

static void
conf_hostname(struct conf *c)
{
	char host[256];

	if (c->authserv_id[0] != '\0')
		return;
	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	free(c->authserv_id);
	c->authserv_id = xstrdup(host);
}

struct conf *
conf_defaults(void)
{
	struct conf *c = xcalloc(1, sizeof *c);

	confschema_defaults(c);
	conf_hostname(c);
	return c;
}

static int
conf_parse(struct conf_ctx *x, config_t *cfg)
{
	const char *text, *file;
	char *dir = xstrdup(x->path), *slash = strrchr(dir, '/');

	/* @include "x.conf" is relative to the directory of the file. */
	if (slash != NULL) {
		slash[slash == dir] = '\0';
		config_set_include_dir(cfg, dir);
	}
	free(dir);
	if (config_read_file(cfg, x->path) == CONFIG_TRUE)
		return 0;
	text = config_error_text(cfg) ? config_error_text(cfg) : "unreadable";
	file = config_error_file(cfg) ? config_error_file(cfg) : x->path;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		strlist_addf(x->problems, "%s: %s", file, text);
	else if (strcmp(text, "syntax error") == 0)
		strlist_addf(x->problems, "%s:%d: syntax error", file,
		    config_error_line(cfg));
	else
		strlist_addf(x->problems, "%s:%d: syntax error: %s", file,
		    config_error_line(cfg), text);
	x->count++;
	return -1;
}

/* The files pulled in by @include, scanned like the main one (libconfig
 * 1.5 lists them in config_t; a relative one is under include_dir). */
static int
conf_prescan_includes(struct conf_ctx *x, const config_t *cfg)
{
	char *full;
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < cfg->num_filenames; i++) {
		const char *f = cfg->filenames[i];
		if (strcmp(f, x->path) == 0)
			continue;
		full = f[0] == '/' || cfg->include_dir == NULL ? xstrdup(f) :
		    xasprintf("%s/%s", cfg->include_dir, f);
		rc = conf_prescan(x, f, full);
		free(full);
	}
	return rc;
}

struct conf *
conf_load(const char *path, struct strlist *problems)
{
	struct strlist own = { 0 };
	struct conf_ctx x = { .problems = problems ? problems : &own, .path = path };
	config_t cfg;

	x.sink = (struct confset_sink){ &x, conf_sink_problem, conf_sink_too_big };
	if (conf_prescan(&x, path, path) == -1) {
		strlist_clear(&own);
		return NULL;
	}
	config_init(&cfg);
	if (conf_parse(&x, &cfg) == 0 && conf_prescan_includes(&x, &cfg) == 0) {
		/* authserv_id stays "" until the file has had its say. */
		x.c = xcalloc(1, sizeof *x.c);
		confschema_defaults(x.c);
		conf_walk(&x, config_root_setting(&cfg), NULL);
		if (x.count == 0)
			conf_check(&x, &cfg);
		conf_hostname(x.c);
		x.c->path = xstrdup(path);
	}
	config_destroy(&cfg);
	strlist_clear(&x.biglines);
	strlist_clear(&own);
	if (x.count > 0)
		conf_free(&x.c);
	return x.c;
}

void
conf_free(struct conf **cp)
{
	struct conf *c = *cp;

	if (c == NULL)
		return;
	confschema_free_fields(c);
	free(c->path);
	free(c);
	*cp = NULL;
}

char *
conf_key_path(const struct conf *c, const struct conf_sign *s)
{
	if (s->key != NULL)
		return xstrdup(s->key);
	return xasprintf("%s/%s/%s.key", c->keys.directory, s->domain, s->selector);
}

const char *
conf_action_name(enum conf_spf_action a)
{
	switch (a) {
	case CONF_SPF_REJECT:	return "reject";
	case CONF_SPF_DEFER:	return "defer_if_permit";
	case CONF_SPF_PREPEND:	return "prepend";
	}
	return "unknown";
}

const char *
conf_key_name(size_t i)
{
	return i < confschema_count() ? confschema_top[i].name : NULL;
}

struct dns *
conf_resolver(const struct conf *c, char *why, size_t whylen)
{
	struct dns_options o = {
		.nameservers = (const char *const *)c->dns.nameservers.v,
		.n_nameservers = c->dns.nameservers.n,
		.timeout = c->dns.timeout,
		.trust_anchor = c->dns.trust_anchor != NULL &&
		    *c->dns.trust_anchor != '\0' ? c->dns.trust_anchor : NULL,
	};

	return dns_new(&o, why, whylen);
}
