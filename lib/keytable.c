/* keytable: see keytable.h.  Matching an address is keytable_match.c's. */
#include "keytable.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xmalloc.h"

#define KEYTABLE_MAX_PROBLEMS	100	/* reported per file */
#define KEYTABLE_NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
				"0123456789-_."

struct keytable_ctx {
	struct keytable *t;
	const char *path;
	size_t line;
	int type;		/* of the SigningTable being parsed */
	size_t entries;		/* data lines so far */
	size_t n_bad;
	struct strlist *problems;
};

typedef int (*keytable_line_fn)(struct keytable_ctx *, char *, char *);

static int keytable_bad(struct keytable_ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* "path:line: problem"; after KEYTABLE_MAX_PROBLEMS only a note, so a
 * binary file fed as a table cannot flood the log.  Returns -1. */
static int
keytable_bad(struct keytable_ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (++c->n_bad > KEYTABLE_MAX_PROBLEMS) {
		if (c->n_bad == KEYTABLE_MAX_PROBLEMS + 1)
			strlist_addf(c->problems, "%s: more problems not "
			    "shown", c->path);
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	strlist_addf(c->problems, "%s:%zu: %s", c->path, c->line, msg);
	return -1;
}

/* Trim line (comment, CR, blanks), refuse bad bytes, split key and value. */
static int
keytable_line(struct keytable_ctx *c, char *line, size_t n, keytable_line_fn fn)
{
	char *key, *value, *end;

	if (memchr(line, '\0', n) != NULL)
		return keytable_bad(c, "NUL byte in line");
	line[strcspn(line, "#")] = '\0';
	if ((n = strlen(line)) > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';	/* CRLF files */
	for (const char *p = line; *p != '\0'; p++)
		if ((*p > 0 && *p < 0x20 && *p != '\t') || *p == 0x7f)
			return keytable_bad(c, "control character 0x%02x in "
			    "line", (unsigned)*p);
	key = line + strspn(line, " \t");
	if (*key == '\0')
		return 0;
	if (++c->entries > KEYTABLE_MAX_ENTRIES)
		return keytable_bad(c, "more than %d entries; a table this "
		    "large belongs in milter.sign or a database",
		    KEYTABLE_MAX_ENTRIES);
	value = key + strcspn(key, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value += strspn(value, " \t");
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*value == '\0')
		return keytable_bad(c, "\"%s\" has no value (expected two "
		    "fields)", key);
	return fn(c, key, value);
}

/* Call fn on every line of buf[0..len); -1 when any line was bad. */
static int
keytable_lines(struct keytable_ctx *c, const char *buf, size_t len,
    keytable_line_fn fn)
{
	char line[KEYTABLE_MAX_LINE + 1];
	const char *nl;
	size_t off, n;
	int rc = 0;

	for (off = 0, c->line = 1; off < len; off += n + 1, c->line++) {
		nl = memchr(buf + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (buf + off)) : len - off;
		if (n > KEYTABLE_MAX_LINE) {
			rc = keytable_bad(c, "line longer than %d bytes",
			    KEYTABLE_MAX_LINE);
			continue;
		}
		memcpy(line, buf + off, n);
		line[n] = '\0';
		if (keytable_line(c, line, n, fn) == -1)
			rc = -1;
	}
	return rc;
}

/* Room for element n: the capacity (8, 16, 32, ...) doubles when n
 * reaches a power of two, so 100 000 lines cost 15 reallocations. */
static void *
keytable_grow(void *v, size_t n, size_t size)
{
	if (n == 0 || (n >= 8 && (n & (n - 1)) == 0))
		v = xreallocarray(v, n == 0 ? 8 : 2 * n, size);
	return v;
}

static const char *
keytable_key_why(char *value, char **d, char **s, char **p)
{
	*d = value;
	if ((*s = strchr(value, ':')) == NULL || (*p = strchr(*s + 1, ':')) == NULL)
		return "expected \"name domain:selector:/path/to/key\"";
	*(*s)++ = '\0';
	*(*p)++ = '\0';
	if (**d == '\0' || **s == '\0')
		return "empty domain or selector";
	if (strcmp(*d, "%") == 0)
		return "domain \"%\" is not supported; name the domain";
	/* They go into d= and s= of a signature and into DNS names. */
	if ((*d)[strspn(*d, KEYTABLE_NAME_CHARS)] != '\0' ||
	    (*s)[strspn(*s, KEYTABLE_NAME_CHARS)] != '\0')
		return "a domain or selector has characters other than "
		    "letters, digits, '-', '_' and '.' (international domains "
		    "go in as xn-- A-labels)";
	if (**p != '/')
		return "the key must be an absolute file path (inline key data "
		    "is not supported)";
	return NULL;
}

static int
keytable_key_line(struct keytable_ctx *c, char *name, char *value)
{
	struct keytable *t = c->t;
	struct keytable_key *k;
	const char *why;
	char *d, *s, *p;

	if ((why = keytable_key_why(value, &d, &s, &p)) != NULL)
		return keytable_bad(c, "%s", why);
	t->keys = keytable_grow(t->keys, t->n_keys, sizeof *t->keys);
	k = &t->keys[t->n_keys++];
	k->name = xstrdup(name);
	k->domain = xstrdup(d);
	k->selector = xstrdup(s);
	k->path = xstrdup(p);
	k->line = c->line;
	return 0;
}

static int
keytable_cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct keytable_key *const *)a)->name,
	    (*(struct keytable_key *const *)b)->name);
}

/* Ties by position in keys[], which is line order: the first wins. */
static int
keytable_cmp_name_line(const void *a, const void *b)
{
	const struct keytable_key *x = *(struct keytable_key *const *)a;
	const struct keytable_key *y = *(struct keytable_key *const *)b;
	int r = keytable_cmp_name(a, b);

	return r != 0 ? r : (x > y) - (x < y);
}

static void
keytable_sort_names(struct keytable *t)
{
	t->by_name = xreallocarray(t->by_name, t->n_keys, sizeof *t->by_name);
	for (size_t i = 0; i < t->n_keys; i++)
		t->by_name[i] = &t->keys[i];
	qsort(t->by_name, t->n_keys, sizeof *t->by_name,
	    keytable_cmp_name_line);
}

static void
keytable_key_free(struct keytable_key *k)
{
	free(k->name);
	free(k->domain);
	free(k->selector);
	free(k->path);
}

/* A name used twice is an error (which key would it mean?): report every
 * later line and keep the first.  Sorting keeps this O(n log n). */
static int
keytable_dedup(struct keytable_ctx *c)
{
	struct keytable *t = c->t;
	struct keytable_key *first, *k;
	size_t i, j;
	int rc = 0;

	keytable_sort_names(t);
	for (i = 1, first = t->by_name[0]; i < t->n_keys; i++) {
		if (strcmp((k = t->by_name[i])->name, first->name) != 0) {
			first = k;
			continue;
		}
		c->line = k->line;
		rc = keytable_bad(c, "key name \"%s\" is used twice (first on "
		    "line %zu)", k->name, first->line);
		k->line = 0;
	}
	if (rc == 0)
		return 0;
	for (i = j = 0; i < t->n_keys; i++)
		if (t->keys[i].line == 0)
			keytable_key_free(&t->keys[i]);
		else
			t->keys[j++] = t->keys[i];
	t->n_keys = j;
	keytable_sort_names(t);
	return -1;
}

/* NULL when pattern can work in a table of this type, else why not. */
static const char *
keytable_pattern_why(int type, const char *pattern)
{
	const char *star = strchr(pattern, '*');

	if (type == KEYTABLE_REFILE)
		return strpbrk(pattern, "[]()?+^$\\|{}") == NULL ? NULL :
		    "regular expression syntax is not supported in refile: "
		    "patterns (only '*' is a wildcard)";
	if (star == NULL || strcmp(pattern, "*") == 0 || (star[1] == '\0' &&
	    star > pattern + 1 && star[-1] == '@' &&
	    strchr(pattern, '@') == star - 1))
		return NULL;
	return "in a file: table '*' works only as \"*\" or \"user@*\"; "
	    "wildcards elsewhere need a refile: table";
}

static int
keytable_rule_line(struct keytable_ctx *c, char *pattern, char *name)
{
	struct keytable *t = c->t;
	struct keytable_key key = { .name = name }, *kp = &key, **found;
	const char *why;

	if (name[strcspn(name, " \t")] != '\0')
		return keytable_bad(c, "expected \"pattern keyname\"");
	if ((why = keytable_pattern_why(c->type, pattern)) != NULL)
		return keytable_bad(c, "pattern \"%s\": %s", pattern, why);
	if (t->n_keys == 0 || (found = bsearch(&kp, t->by_name, t->n_keys,
	    sizeof *t->by_name, keytable_cmp_name)) == NULL)
		return keytable_bad(c, "no KeyTable entry named \"%s\"", name);
	t->rules = keytable_grow(t->rules, t->n_rules, sizeof *t->rules);
	t->rules[t->n_rules].pattern = xstrdup(pattern);
	t->rules[t->n_rules].key = (size_t)(*found - t->keys);
	t->rules[t->n_rules++].line = c->line;
	return 0;
}

static int
keytable_cmp_pattern(const void *a, const void *b)
{
	return strcasecmp(((const struct keytable_rule *)a)->pattern,
	    ((const struct keytable_rule *)b)->pattern);
}

static int
keytable_cmp_rule(const void *a, const void *b)
{
	const struct keytable_rule *x = a, *y = b;
	int r = keytable_cmp_pattern(a, b);

	return r != 0 ? r : (x->line > y->line) - (x->line < y->line);
}

int
keytable_parse_keys(struct keytable *t, const char *buf, size_t len,
    const char *path, struct strlist *problems)
{
	struct keytable_ctx c = { .t = t, .path = path, .problems = problems };
	int rc;

	rc = keytable_lines(&c, buf, len, keytable_key_line);
	if (t->n_keys > 0 && keytable_dedup(&c) == -1)
		rc = -1;
	return rc;
}

int
keytable_parse_rules(struct keytable *t, int type, const char *buf,
    size_t len, const char *path, struct strlist *problems)
{
	struct keytable_ctx c = { .t = t, .path = path, .type = type,
	    .problems = problems };
	int rc;

	t->type = type;
	rc = keytable_lines(&c, buf, len, keytable_rule_line);
	/* file: tables are looked up by exact pattern: sort for bsearch;
	 * the line breaks ties so dual-signing keys keep file order. */
	if (type == KEYTABLE_FILE && t->n_rules > 1)
		qsort(t->rules, t->n_rules, sizeof *t->rules, keytable_cmp_rule);
	return rc;
}

int
keytable_spec(const char *spec, const char **path_r)
{
	*path_r = spec;
	if (strncmp(spec, "file:", 5) == 0) {
		*path_r = spec + 5;
		return KEYTABLE_FILE;
	}
	if (strncmp(spec, "refile:", 7) == 0) {
		*path_r = spec + 7;
		return KEYTABLE_REFILE;
	}
	return *spec == '/' || strchr(spec, ':') == NULL ? KEYTABLE_FILE : -1;
}

/* A whole regular file of at most KEYTABLE_MAX_FILE bytes, in one read()
 * (Linux returns a regular file whole).  Opened non-blocking, so a FIFO in
 * its place cannot hang start-up. */
static char *
keytable_slurp(const char *path, size_t *len_r, struct strlist *problems)
{
	struct stat st;
	char *buf = NULL;
	ssize_t r = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1)
		strlist_addf(problems, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_size > KEYTABLE_MAX_FILE)
		strlist_addf(problems, "%s: not a regular file of at most %d "
		    "bytes", path, KEYTABLE_MAX_FILE);
	else if ((r = read(fd, buf = xmalloc((size_t)st.st_size + 1),
	    (size_t)st.st_size)) == -1) {
		strlist_addf(problems, "%s: read: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	*len_r = r > 0 ? (size_t)r : 0;
	if (fd != -1)
		close(fd);
	return buf;
}

int
keytable_read(struct keytable *t, const char *keytable,
    const char *signingtable, struct strlist *problems)
{
	const char *spec[2] = { keytable, signingtable }, *path;
	int type, rc = 0;
	size_t len;
	char *buf;

	if (*signingtable != '\0' && *keytable == '\0') {
		strlist_addf(problems, "%s: a SigningTable needs a KeyTable",
		    signingtable);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if (*spec[i] == '\0')
			continue;
		if ((type = keytable_spec(spec[i], &path)) == -1) {
			strlist_addf(problems, "%s: only file: and refile: "
			    "tables are supported", spec[i]);
			rc = -1;
			continue;
		}
		if (i == 1)	/* an unreadable SigningTable signs nothing */
			t->type = type;
		if ((buf = keytable_slurp(path, &len, problems)) == NULL ||
		    (i == 0 ? keytable_parse_keys(t, buf, len, path, problems) :
		    keytable_parse_rules(t, type, buf, len, path, problems)) == -1)
			rc = -1;
		free(buf);
	}
	return rc;
}

void
keytable_clear(struct keytable *t)
{
	for (size_t i = 0; i < t->n_keys; i++)
		keytable_key_free(&t->keys[i]);
	for (size_t i = 0; i < t->n_rules; i++)
		free(t->rules[i].pattern);
	free(t->keys);
	free(t->rules);
	free(t->by_name);
	memset(t, 0, sizeof *t);
}
