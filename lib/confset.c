/* confset: see confset.h. */
#include "confset.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confvalue.h"
#include "xmalloc.h"

/* ---- problems ---- */

static int confset_problem(const struct confset_sink *,
    const config_setting_t *, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Format a problem and hand it to the sink.  Returns -1. */
static int
confset_problem(const struct confset_sink *sink, const config_setting_t *s,
    const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	sink->problem(sink->arg, s, key, msg ? msg : "(out of memory)");
	free(msg);
	return -1;
}

/* A value as it may appear in a problem: anything but printable ASCII as
 * \xHH, at most n - 4 bytes, "..." when cut. */
static const char *
confset_show(const char *v, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;
		if (o + 8 > n) {
			strcpy(buf + o, "...");
			return buf;
		}
		if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *
confset_type_name(int config_type)
{
	switch (config_type) {
	case CONFIG_TYPE_GROUP:	return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:	return "an integer";
	case CONFIG_TYPE_FLOAT:	return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL:	return "true or false";
	case CONFIG_TYPE_ARRAY:	return "an array [ ]";
	case CONFIG_TYPE_LIST:	return "a list ( )";
	default:		return "unknown";
	}
}

static int
confset_wrong_type(const struct confset_sink *sink, const config_setting_t *s,
    const char *key, const char *want)
{
	return confset_problem(sink, s, key, "must be %s, not %s", want,
	    confset_type_name(config_setting_type(s)));
}

/* Text rules first (every value), then the key's own check. */
static const char *
confset_check(const struct confschema_key *k, const char *v)
{
	const char *why = NULL;
	size_t len = strlen(v);

	if (confvalue_text(v, len, &why) == -1)
		return why;
	if (k->check == NULL || (k->empty_ok && len == 0))
		return NULL;
	return k->check(v, len, &why) == -1 ? why : NULL;
}

/* ---- setters ---- */

static int
confset_str(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	const char *v, *why;
	char show[80];
	char **field = CONFSCHEMA_FIELD(base, k, char *);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return confset_wrong_type(sink, s, key, "a string");
	v = config_setting_get_string(s);
	if ((long long)strlen(v) > k->max)
		return confset_problem(sink, s, key, "too long (%zu bytes, at most %lld)",
		    strlen(v), k->max);
	if ((why = confset_check(k, v)) != NULL)
		return confset_problem(sink, s, key, "bad value \"%s\": %s",
		    confset_show(v, show, sizeof show), why);
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* An integer setting; LLONG_MAX when its literal did not fit. */
static int
confset_get_int(const config_setting_t *s, const char *key,
    const struct confset_sink *sink, long long *v)
{
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return confset_wrong_type(sink, s, key, "an integer");
	*v = sink->too_big(sink->arg, s) ? LLONG_MAX : config_setting_get_int64(s);
	return 0;
}

static int
confset_int(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	long long v = 0;

	if (confset_get_int(s, key, sink, &v) == -1)
		return -1;
	if (v == LLONG_MAX)
		return confset_problem(sink, s, key, "out of range: integer too "
		    "large (allowed %lld..%lld)", k->min, k->max);
	if (v < k->min || v > k->max)
		return confset_problem(sink, s, key, "out of range: %lld (allowed "
		    "%lld..%lld)", v, k->min, k->max);
	*CONFSCHEMA_FIELD(base, k, int) = (int)v;
	return 0;
}

/* A file mode as chmod(1) reads it: a string or a number, confvalue.h. */
static int
confset_mode(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	const char *str, *why = NULL;
	long long v = 0;
	int mode, rc;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(s);
		rc = confvalue_mode_string(str, strlen(str), &mode, &why);
	} else if (confset_get_int(s, key, sink, &v) == -1) {
		return -1;
	} else {
		rc = confvalue_mode_number(v, config_setting_get_format(s) ==
		    CONFIG_FORMAT_HEX, &mode, &why);
	}
	if (rc == -1)
		return confset_problem(sink, s, key, "%s", why);
	*CONFSCHEMA_FIELD(base, k, int) = mode;
	return 0;
}

static int
confset_enum(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	char allowed[256] = "", show[80];
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return confset_wrong_type(sink, s, key, "a string");
	v = config_setting_get_string(s);
	for (int i = 0; k->words[i] != NULL; i++) {
		if (strcmp(v, k->words[i]) == 0) {
			*CONFSCHEMA_FIELD(base, k, int) = i;
			return 0;
		}
		snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed),
		    "%s%s", i ? ", " : "", k->words[i]);
	}
	return confset_problem(sink, s, key, "\"%s\" is not one of: %s",
	    confset_show(v, show, sizeof show), allowed);
}

static int
confset_bool(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return confset_wrong_type(sink, s, key, "true or false");
	*CONFSCHEMA_FIELD(base, k, int) = config_setting_get_bool(s) != 0;
	return 0;
}

/* One string of a list into l; -1 after a problem. */
static int
confset_list_elem(const struct confschema_key *k, const config_setting_t *e,
    const char *ekey, const struct confset_sink *sink, struct strlist *l)
{
	const char *v, *why;
	char show[80];

	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return confset_wrong_type(sink, e, ekey, "a string");
	v = config_setting_get_string(e);
	why = strlen(v) > CONFSCHEMA_MAX_ELEMENT ? "too long (at most 1024 bytes)" :
	    confset_check(k, v);
	if (why != NULL)
		return confset_problem(sink, e, ekey, "bad value \"%s\": %s",
		    confset_show(v, show, sizeof show), why);
	strlist_add(l, v);
	return 0;
}

static int
confset_list(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	struct strlist l = { 0 };
	const char *why;
	char ekey[300];
	int n = config_setting_length(s), bad = 0;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return confset_wrong_type(sink, s, key,
		    "a list of strings [ \"...\", ... ]");
	if (n > k->max)
		return confset_problem(sink, s, key, "too many entries (%d, at most "
		    "%lld)", n, k->max);
	for (int i = 0; i < n; i++) {
		snprintf(ekey, sizeof ekey, "%s[%d]", key, i);
		if (confset_list_elem(k, config_setting_get_elem(s, (unsigned)i),
		    ekey, sink, &l) == -1)
			bad++;
	}
	if (bad == 0 && k->lcheck != NULL && (why = k->lcheck(&l)) != NULL)
		bad = confset_problem(sink, s, key, "%s", why);
	if (bad != 0) {
		strlist_clear(&l);
		return -1;
	}
	strlist_clear(CONFSCHEMA_FIELD(base, k, struct strlist));
	*CONFSCHEMA_FIELD(base, k, struct strlist) = l;
	return 0;
}

int
confset_apply(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink)
{
	switch (k->type) {
	case CONFSCHEMA_STR:	return confset_str(k, base, s, key, sink);
	case CONFSCHEMA_BOOL:	return confset_bool(k, base, s, key, sink);
	case CONFSCHEMA_INT:	return confset_int(k, base, s, key, sink);
	case CONFSCHEMA_MODE:	return confset_mode(k, base, s, key, sink);
	case CONFSCHEMA_ENUM:	return confset_enum(k, base, s, key, sink);
	case CONFSCHEMA_LIST:	return confset_list(k, base, s, key, sink);
	default:		return -1;
	}
}
