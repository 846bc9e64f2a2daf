/* confschema: see confschema.h. */
#include "confschema.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confvalue.h"
#include "xmalloc.h"

/* RFC 6376 5.4: From must always be signed. */
static const char *
confschema_has_from(const struct strlist *l)
{
	return strlist_contains(l, "From") ? NULL : "must include From (RFC 6376 5.4)";
}

static const char *const w_on_error[] = { "accept", "tempfail", NULL };
static const char *const w_action[] = { "reject", "defer_if_permit", "prepend", NULL };
static const char *const w_header[] = { "received-spf", "authentication-results", NULL };
static const char *const w_milter_spf[] = { "self", "policyd", NULL };
static const char *const w_discovery[] = { "treewalk", "psl", NULL };

static const char *const d_none[] = { NULL };
static const char *const d_internal[] = { "127.0.0.1", "::1", NULL };
static const char *const d_skip[] = { "127.0.0.0/8", "::1", NULL };
static const char *const d_oversign[] = { "From", NULL };
static const char *const d_sign_headers[] = { "From", "Reply-To", "Subject",
	"Date", "To", "Cc", "Resent-Date", "Resent-From", "Resent-To",
	"Resent-Cc", "In-Reply-To", "References", "List-Id", "List-Help",
	"List-Unsubscribe", "List-Subscribe", "List-Post", "List-Owner",
	"List-Archive", "Message-ID", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", NULL };

#define PATHLEN CONFSCHEMA_PATH_MAX
#define OFF(f) offsetof(struct conf, f)
#define GROUP(n)	{ .name = n, .type = CONFSCHEMA_GROUP }
#define STR(n, f, fn, len, d) { .name = n, .type = CONFSCHEMA_STR, .off = OFF(f), \
	.check = fn, .max = len, .def = d }
/* A string where "" means "none" or "the default behaviour". */
#define OPT(n, f, fn, len, d) { .name = n, .type = CONFSCHEMA_STR, .off = OFF(f), \
	.check = fn, .empty_ok = 1, .max = len, .def = d }
#define BOOL(n, f, d)	{ .name = n, .type = CONFSCHEMA_BOOL, .off = OFF(f), .idef = d }
#define INT(n, f, lo, hi, d) { .name = n, .type = CONFSCHEMA_INT, .off = OFF(f), \
	.min = lo, .max = hi, .idef = d }
#define MODE(n, f, d)	{ .name = n, .type = CONFSCHEMA_MODE, .off = OFF(f), \
	.max = 0777, .idef = d }
#define ENUM(n, f, w, d) { .name = n, .type = CONFSCHEMA_ENUM, .off = OFF(f), \
	.words = w, .idef = d }
#define LIST(n, f, fn, lfn, cnt, d) { .name = n, .type = CONFSCHEMA_LIST, \
	.off = OFF(f), .check = fn, .lcheck = lfn, .max = cnt, .ldef = d }

/* Every key there is; docs/postseal.conf.5 and etc/postseal.conf follow it. */
const struct confschema_key confschema_top[] = {
	STR("user", user, confvalue_account, 32, "postseal"),
	OPT("authserv_id", authserv_id, confvalue_domain, 253, ""),
	GROUP("dns"),
	LIST("dns.nameservers", dns.nameservers, confvalue_nameserver, NULL, 16, d_none),
	INT("dns.timeout", dns.timeout, 1, 60, 5),
	OPT("dns.trust_anchor", dns.trust_anchor, confvalue_abspath, PATHLEN, ""),
	GROUP("keys"),
	STR("keys.directory", keys.directory, confvalue_abspath, 1024,
	    "/etc/postseal/keys"),
	BOOL("keys.require_safe", keys.require_safe, 1),
	GROUP("milter"),
	STR("milter.socket", milter.socket, confvalue_milter_socket, 1024,
	    "inet:8891@127.0.0.1"),
	OPT("milter.socket_group", milter.socket_group, confvalue_account, 32, "postfix"),
	MODE("milter.socket_mode", milter.socket_mode, 0660),
	OPT("milter.pidfile", milter.pidfile, confvalue_abspath, PATHLEN, ""),
	LIST("milter.internal_hosts", milter.internal_hosts, confvalue_cidr, NULL,
	    4096, d_internal),
	{ .name = "milter.sign", .type = CONFSCHEMA_SIGN, .max = 100000 },
	BOOL("milter.subdomains", milter.subdomains, 0),
	STR("milter.keytable", milter.keytable, confvalue_table, PATHLEN, ""),
	STR("milter.signingtable", milter.signingtable, confvalue_table, PATHLEN, ""),
	STR("milter.canonicalization", milter.canonicalization, confvalue_canon, 32,
	    "relaxed/relaxed"),
	LIST("milter.sign_headers", milter.sign_headers, confvalue_header,
	    confschema_has_from, 64, d_sign_headers),
	LIST("milter.oversign_headers", milter.oversign_headers, confvalue_header,
	    NULL, 64, d_oversign),
	INT("milter.signature_ttl", milter.signature_ttl, 0, 31536000, 0),
	INT("milter.max_signatures", milter.max_signatures, 1, 50, 5),
	ENUM("milter.on_sign_error", milter.on_sign_error, w_on_error, 0),
	ENUM("milter.on_verify_temperror", milter.on_verify_temperror, w_on_error, 0),
	ENUM("milter.spf", milter.spf, w_milter_spf, 0),
	GROUP("milter.dmarc"),
	BOOL("milter.dmarc.enforce", milter.dmarc.enforce, 1),
	OPT("milter.dmarc.history", milter.dmarc.history, confvalue_abspath, PATHLEN,
	    "/var/lib/postseal/dmarc.db"),
	ENUM("milter.dmarc.discovery", milter.dmarc.discovery, w_discovery, 0),
	LIST("milter.dmarc.no_enforce_domains", milter.dmarc.no_enforce_domains,
	    confvalue_domain, NULL, 100000, d_none),
	GROUP("policyd"),
	STR("policyd.socket", policyd.socket, confvalue_policyd_socket, 1024,
	    "inet:127.0.0.1:10023"),
	OPT("policyd.socket_group", policyd.socket_group, confvalue_account, 32,
	    "postfix"),
	MODE("policyd.socket_mode", policyd.socket_mode, 0660),
	OPT("policyd.pidfile", policyd.pidfile, confvalue_abspath, PATHLEN, ""),
	INT("policyd.max_connections", policyd.max_connections, 1, 100000, 1000),
	GROUP("policyd.spf"),
	ENUM("policyd.spf.helo_fail", policyd.spf.helo_fail, w_action, CONF_SPF_REJECT),
	ENUM("policyd.spf.mailfrom_fail", policyd.spf.mailfrom_fail, w_action,
	    CONF_SPF_REJECT),
	ENUM("policyd.spf.softfail", policyd.spf.softfail, w_action, CONF_SPF_PREPEND),
	ENUM("policyd.spf.permerror", policyd.spf.permerror, w_action, CONF_SPF_PREPEND),
	ENUM("policyd.spf.temperror", policyd.spf.temperror, w_action, CONF_SPF_DEFER),
	BOOL("policyd.spf.dmarc_aware", policyd.spf.dmarc_aware, 1),
	ENUM("policyd.spf.header", policyd.spf.header, w_header, 0),
	LIST("policyd.spf.skip_addresses", policyd.spf.skip_addresses, confvalue_cidr,
	    NULL, 4096, d_skip),
	BOOL("policyd.spf.skip_authenticated", policyd.spf.skip_authenticated, 1),
	LIST("policyd.spf.skip_helo", policyd.spf.skip_helo, confvalue_domain, NULL,
	    100000, d_none),
	LIST("policyd.spf.skip_domains", policyd.spf.skip_domains, confvalue_domain,
	    NULL, 100000, d_none),
	{ .name = NULL },
};

const struct confschema_key confschema_sign[] = {
	{ .name = "domain", .type = CONFSCHEMA_STR,
	  .off = offsetof(struct conf_sign, domain),
	  .check = confvalue_domain, .max = 253 },
	{ .name = "selector", .type = CONFSCHEMA_STR,
	  .off = offsetof(struct conf_sign, selector),
	  .check = confvalue_domain, .max = 253 },
	{ .name = "key", .type = CONFSCHEMA_STR, .off = offsetof(struct conf_sign, key),
	  .check = confvalue_abspath, .max = PATHLEN },
	{ .name = NULL },
};

#define FIELD(base, k, T) ((T *)(void *)((char *)(base) + (k)->off))

/* ---- the tables ---- */

size_t
confschema_count(void)
{
	return sizeof confschema_top / sizeof confschema_top[0] - 1;
}

const struct confschema_key *
confschema_find(const struct confschema_key *schema, const char *name)
{
	for (; schema->name != NULL; schema++)
		if (strcmp(schema->name, name) == 0)
			return schema;
	return NULL;
}

/* Levenshtein distance, for "did you mean"; both strings are short. */
static size_t
confschema_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[257], prev, tmp;

	if (la > 256 || lb > 256)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
confschema_suggest(const struct confschema_key *schema, const char *name)
{
	const char *best = NULL;
	size_t d, bestd = 3;

	for (; schema->name != NULL; schema++)
		if ((d = confschema_distance(name, schema->name)) < bestd) {
			best = schema->name;
			bestd = d;
		}
	return best;
}

void
confschema_defaults(struct conf *c)
{
	for (const struct confschema_key *k = confschema_top; k->name != NULL; k++) {
		switch (k->type) {
		case CONFSCHEMA_STR:
			*FIELD(c, k, char *) = xstrdup(k->def);
			break;
		case CONFSCHEMA_BOOL:
		case CONFSCHEMA_INT:
		case CONFSCHEMA_MODE:
		case CONFSCHEMA_ENUM:
			*FIELD(c, k, int) = k->idef;
			break;
		case CONFSCHEMA_LIST:
			for (int i = 0; k->ldef[i] != NULL; i++)
				strlist_add(FIELD(c, k, struct strlist), k->ldef[i]);
			break;
		default:
			break;
		}
	}
}

void
confschema_free_fields(struct conf *c)
{
	for (const struct confschema_key *k = confschema_top; k->name != NULL; k++)
		if (k->type == CONFSCHEMA_STR)
			free(*FIELD(c, k, char *));
		else if (k->type == CONFSCHEMA_LIST)
			strlist_clear(FIELD(c, k, struct strlist));
}

/* ---- problems ---- */

static int confschema_problem(const struct confschema_sink *,
    const config_setting_t *, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Format a problem and hand it to the sink.  Returns -1. */
static int
confschema_problem(const struct confschema_sink *sink, const config_setting_t *s,
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
confschema_show(const char *v, char *buf, size_t n)
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
confschema_type_name(int config_type)
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
confschema_wrong_type(const struct confschema_sink *sink, const config_setting_t *s,
    const char *key, const char *want)
{
	return confschema_problem(sink, s, key, "must be %s, not %s", want,
	    confschema_type_name(config_setting_type(s)));
}

/* Text rules first (every value), then the key's own check. */
static const char *
confschema_check(const struct confschema_key *k, const char *v)
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
confschema_set_str(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	const char *v, *why;
	char show[80];
	char **field = FIELD(base, k, char *);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return confschema_wrong_type(sink, s, key, "a string");
	v = config_setting_get_string(s);
	if ((long long)strlen(v) > k->max)
		return confschema_problem(sink, s, key, "too long (%zu bytes, at most %lld)",
		    strlen(v), k->max);
	if ((why = confschema_check(k, v)) != NULL)
		return confschema_problem(sink, s, key, "bad value \"%s\": %s",
		    confschema_show(v, show, sizeof show), why);
	free(*field);
	*field = xstrdup(v);
	return 0;
}

/* An integer setting; LLONG_MAX when its literal did not fit. */
static int
confschema_get_int(const config_setting_t *s, const char *key,
    const struct confschema_sink *sink, long long *v)
{
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return confschema_wrong_type(sink, s, key, "an integer");
	*v = sink->too_big(sink->arg, s) ? LLONG_MAX : config_setting_get_int64(s);
	return 0;
}

static int
confschema_set_int(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	long long v;

	if (confschema_get_int(s, key, sink, &v) == -1)
		return -1;
	if (v == LLONG_MAX)
		return confschema_problem(sink, s, key, "out of range: integer too "
		    "large (allowed %lld..%lld)", k->min, k->max);
	if (v < k->min || v > k->max)
		return confschema_problem(sink, s, key, "out of range: %lld (allowed "
		    "%lld..%lld)", v, k->min, k->max);
	*FIELD(base, k, int) = (int)v;
	return 0;
}

/* A file mode as chmod(1) reads it: a string or a number, confvalue.h. */
static int
confschema_set_mode(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	const char *str, *why = NULL;
	long long v;
	int mode, rc;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(s);
		rc = confvalue_mode_string(str, strlen(str), &mode, &why);
	} else if (confschema_get_int(s, key, sink, &v) == -1) {
		return -1;
	} else {
		rc = confvalue_mode_number(v, config_setting_get_format(s) ==
		    CONFIG_FORMAT_HEX, &mode, &why);
	}
	if (rc == -1)
		return confschema_problem(sink, s, key, "%s", why);
	*FIELD(base, k, int) = mode;
	return 0;
}

static int
confschema_set_enum(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	char allowed[256] = "", show[80];
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return confschema_wrong_type(sink, s, key, "a string");
	v = config_setting_get_string(s);
	for (int i = 0; k->words[i] != NULL; i++) {
		if (strcmp(v, k->words[i]) == 0) {
			*FIELD(base, k, int) = i;
			return 0;
		}
		snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed),
		    "%s%s", i ? ", " : "", k->words[i]);
	}
	return confschema_problem(sink, s, key, "\"%s\" is not one of: %s",
	    confschema_show(v, show, sizeof show), allowed);
}

static int
confschema_set_bool(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return confschema_wrong_type(sink, s, key, "true or false");
	*FIELD(base, k, int) = config_setting_get_bool(s) != 0;
	return 0;
}

/* One string of a list into l; -1 after a problem. */
static int
confschema_list_elem(const struct confschema_key *k, const config_setting_t *e,
    const char *ekey, const struct confschema_sink *sink, struct strlist *l)
{
	const char *v, *why;
	char show[80];

	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return confschema_wrong_type(sink, e, ekey, "a string");
	v = config_setting_get_string(e);
	why = strlen(v) > CONFSCHEMA_MAX_ELEMENT ? "too long (at most 1024 bytes)" :
	    confschema_check(k, v);
	if (why != NULL)
		return confschema_problem(sink, e, ekey, "bad value \"%s\": %s",
		    confschema_show(v, show, sizeof show), why);
	strlist_add(l, v);
	return 0;
}

static int
confschema_set_list(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	struct strlist l = { 0 };
	const char *why;
	char ekey[300];
	int n = config_setting_length(s), bad = 0;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return confschema_wrong_type(sink, s, key,
		    "a list of strings [ \"...\", ... ]");
	if (n > k->max)
		return confschema_problem(sink, s, key, "too many entries (%d, at most "
		    "%lld)", n, k->max);
	for (int i = 0; i < n; i++) {
		snprintf(ekey, sizeof ekey, "%s[%d]", key, i);
		if (confschema_list_elem(k, config_setting_get_elem(s, (unsigned)i),
		    ekey, sink, &l) == -1)
			bad++;
	}
	if (bad == 0 && k->lcheck != NULL && (why = k->lcheck(&l)) != NULL)
		bad = confschema_problem(sink, s, key, "%s", why);
	if (bad != 0) {
		strlist_clear(&l);
		return -1;
	}
	strlist_clear(FIELD(base, k, struct strlist));
	*FIELD(base, k, struct strlist) = l;
	return 0;
}

int
confschema_set(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confschema_sink *sink)
{
	switch (k->type) {
	case CONFSCHEMA_STR:	return confschema_set_str(k, base, s, key, sink);
	case CONFSCHEMA_BOOL:	return confschema_set_bool(k, base, s, key, sink);
	case CONFSCHEMA_INT:	return confschema_set_int(k, base, s, key, sink);
	case CONFSCHEMA_MODE:	return confschema_set_mode(k, base, s, key, sink);
	case CONFSCHEMA_ENUM:	return confschema_set_enum(k, base, s, key, sink);
	case CONFSCHEMA_LIST:	return confschema_set_list(k, base, s, key, sink);
	default:		return -1;
	}
}
