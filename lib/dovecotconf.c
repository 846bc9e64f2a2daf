/* dovecotconf: see dovecotconf.h. */
#include "dovecotconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

/* Sections open while parsing one buffer. */
struct dc_stack {
	char *level[DOVECOTCONF_MAX_DEPTH + 1];
	size_t n;
};

static char *
dc_trim(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		s++, n -= 2;
	return xstrndup(s, n);
}

static char *
dc_section(const char *base, const struct dc_stack *st)
{
	char *s = xstrdup(base), *t;

	for (size_t i = 0; i < st->n; i++) {
		t = xasprintf("%s%s%s", s, *s ? " > " : "", st->level[i]);
		free(s);
		s = t;
	}
	return s;
}

static int
dc_add(struct dovecotconf *dc, char *section, char *key, char *value,
    size_t line, const char **why)
{
	struct dovecotconf_entry *e;

	if (dc->n >= DOVECOTCONF_MAX_ENTRIES) {
		free(section), free(key), free(value);
		*why = "too many settings";
		return -1;
	}
	dc->v = xreallocarray(dc->v, dc->n + 1, sizeof *dc->v);
	e = &dc->v[dc->n++];
	e->section = section, e->key = key, e->value = value;
	e->file = dc->files.v[dc->files.n - 1];
	e->line = line;
	return 0;
}

/* One line, comments and blanks already gone; s has n > 0 bytes. */
static int
dc_line(struct dovecotconf *dc, struct dc_stack *st, const char *base,
    const char *s, size_t n, size_t line, const char **why)
{
	const char *eq = memchr(s, '=', n), *sp;

	if (n == 1 && *s == '}') {
		if (st->n == 0) {
			*why = "'}' without an open section";
			return -1;
		}
		free(st->level[--st->n]);
		return 0;
	}
	if (*s == '!') {
		sp = s + strcspn(s, " \t");
		if (sp >= s + n)
			sp = s + n;
		return dc_add(dc, dc_section(base, st), xstrndup(s, (size_t)(sp - s)),
		    dc_trim(sp, n - (size_t)(sp - s)), line, why);
	}
	if (eq == NULL && s[n - 1] == '{') {
		if (st->n >= DOVECOTCONF_MAX_DEPTH) {
			*why = "sections nested too deep";
			return -1;
		}
		st->level[st->n++] = dc_trim(s, n - 1);
		return 0;
	}
	if (eq == NULL || eq == s) {
		*why = eq ? "setting without a name" : "line is neither a setting nor a section";
		return -1;
	}
	return dc_add(dc, dc_section(base, st), dc_trim(s, (size_t)(eq - s)),
	    dc_trim(eq + 1, n - (size_t)(eq + 1 - s)), line, why);
}

static int
dc_parse_lines(struct dovecotconf *dc, struct dc_stack *st, const char *buf,
    size_t len, const char *section, const char **why, size_t *line_r)
{
	const char *p = buf, *end = buf + len, *eol, *s, *e;

	for (*line_r = 1; p < end; p = eol + 1, ++*line_r) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) > DOVECOTCONF_MAX_LINE) {
			*why = "line too long";
			return -1;
		}
		for (s = p; s < eol && isspace((unsigned char)*s); s++)
			;
		for (e = s; e < eol && *e != '#'; e++)
			;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s && dc_line(dc, st, section, s, (size_t)(e - s),
		    *line_r, why) == -1)
			return -1;
	}
	if (st->n > 0) {
		*why = "section not closed at end of file";
		return -1;
	}
	return 0;
}

int
dovecotconf_parse(struct dovecotconf *dc, const char *buf, size_t len,
    const char *file, const char *section, const char **why, size_t *line_r)
{
	struct dc_stack st = { { NULL }, 0 };
	int rc;

	strlist_add(&dc->files, file);
	*line_r = 1;
	if (len > DOVECOTCONF_MAX_FILE || memchr(buf, '\0', len) != NULL) {
		*why = len > DOVECOTCONF_MAX_FILE ? "file too large" : "NUL byte in file";
		return -1;
	}
	rc = dc_parse_lines(dc, &st, buf, len, section, why, line_r);
	while (st.n > 0)
		free(st.level[--st.n]);
	return rc;
}

/* ---- files and includes ------------------------------------------------- */

static char *
dc_slurp(const char *path, size_t *len, struct strlist *problems)
{
	struct stat sb;
	char *buf;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		strlist_addf(problems, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > DOVECOTCONF_MAX_FILE) {
		strlist_addf(problems, "%s: not a regular file of at most %d bytes",
		    path, DOVECOTCONF_MAX_FILE);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	r = read(fd, buf, (size_t)sb.st_size);
	close(fd);
	if (r < 0) {
		strlist_addf(problems, "%s: read: %s", path, strerror(errno));
		free(buf);
		return NULL;
	}
	*len = (size_t)r;
	return buf;
}

static int dc_read_file(struct dovecotconf *dc, const char *root,
    const char *seen, const char *section, struct strlist *problems, int depth);

/* The files of one !include entry of the file seen at `seen`. */
static int
dc_include(struct dovecotconf *dc, const char *root, const char *seen,
    const struct dovecotconf_entry *e, struct strlist *problems, int depth)
{
	const char *slash = strrchr(seen, '/');
	char *pat;
	glob_t g;
	int rc = 0, grc;

	if (e->value[0] == '/')
		pat = xasprintf("%s%s", root, e->value);
	else
		pat = xasprintf("%s%.*s/%s", root, slash ? (int)(slash - seen) : 0,
		    seen, e->value);
	grc = glob(pat, 0, NULL, &g);
	if (grc == GLOB_NOMATCH && strcmp(e->key, "!include") == 0 &&
	    strpbrk(e->value, "*?[") == NULL) {
		strlist_addf(problems, "%s:%zu: !include %s: no such file",
		    e->file, e->line, e->value);
		rc = -1;
	}
	for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++)
		if (dc_read_file(dc, root, g.gl_pathv[i] + strlen(root),
		    e->section, problems, depth + 1) == -1)
			rc = -1;
	if (grc == 0)
		globfree(&g);
	free(pat);
	return rc;
}

static void
dc_move(struct dovecotconf *dc, struct dovecotconf_entry *e, const char *file)
{
	dc->v = xreallocarray(dc->v, dc->n + 1, sizeof *dc->v);
	dc->v[dc->n] = *e;
	dc->v[dc->n++].file = file;
	e->section = e->key = e->value = NULL;
}

static int
dc_read_file(struct dovecotconf *dc, const char *root, const char *seen,
    const char *section, struct strlist *problems, int depth)
{
	struct dovecotconf tmp = { NULL, 0, { NULL, 0 } };
	char *path = xasprintf("%s%s", root, seen), *buf;
	const char *why, *mine;
	size_t len, line;
	int rc = 0;

	if (depth > 8 || dc->files.n >= DOVECOTCONF_MAX_FILES) {
		strlist_addf(problems, "%s: includes nested too deep or too many files", path);
		free(path);
		return -1;
	}
	if ((buf = dc_slurp(path, &len, problems)) == NULL) {
		free(path);
		return -1;
	}
	if (dovecotconf_parse(&tmp, buf, len, path, section, &why, &line) == -1) {
		strlist_addf(problems, "%s:%zu: %s", path, line, why);
		rc = -1;
	}
	free(buf);
	strlist_add(&dc->files, path);
	mine = dc->files.v[dc->files.n - 1];
	for (size_t i = 0; i < tmp.n; i++) {
		if (tmp.v[i].key[0] == '!') {
			if (dc_include(dc, root, seen, &tmp.v[i], problems, depth) == -1)
				rc = -1;
		} else if (dc->n < DOVECOTCONF_MAX_ENTRIES)
			dc_move(dc, &tmp.v[i], mine);
	}
	dovecotconf_clear(&tmp);
	free(path);
	return rc;
}

int
dovecotconf_read(struct dovecotconf *dc, const char *root, const char *path,
    struct strlist *problems)
{
	return dc_read_file(dc, root ? root : "", path, "", problems, 0);
}

const struct dovecotconf_entry *
dovecotconf_find(const struct dovecotconf *dc, const char *section,
    const char *key)
{
	const struct dovecotconf_entry *found = NULL;

	for (size_t i = 0; i < dc->n; i++)
		if (strcmp(dc->v[i].section, section) == 0 &&
		    strcmp(dc->v[i].key, key) == 0)
			found = &dc->v[i];
	return found;
}

const char *
dovecotconf_get(const struct dovecotconf *dc, const char *section,
    const char *key)
{
	const struct dovecotconf_entry *e = dovecotconf_find(dc, section, key);

	return e ? e->value : NULL;
}

void
dovecotconf_clear(struct dovecotconf *dc)
{
	for (size_t i = 0; i < dc->n; i++) {
		free(dc->v[i].section);
		free(dc->v[i].key);
		free(dc->v[i].value);
	}
	free(dc->v);
	dc->v = NULL;
	dc->n = 0;
	strlist_clear(&dc->files);
}
