/* conf: see conf.h. */
#include "conf.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xmalloc.h"

#define CONF_MAX_FILE	(16L * 1024 * 1024)	/* a bigger file is refused */
#define CONF_MAX_PROBLEMS 100			/* then one "more problems" line */
#define CONF_PATH_MAX	4095

enum conf_type { T_GROUP, T_STR, T_BOOL, T_INT, T_MODE, T_ENUM, T_LIST, T_SIGN };

/* A value check: NULL when v is acceptable, else why not (static text). */
typedef const char *(*conf_check_fn)(const char *v);
/* A whole-list check, run once every element passed. */
typedef const char *(*conf_list_fn)(const struct strlist *l);

/* One row of the schema: everything there is to know about a key. */
struct conf_key {
	const char *name;		/* full path, "milter.dmarc.enforce" */
	enum conf_type type;
	size_t off;			/* offsetof(struct conf, the field) */
	conf_check_fn check;		/* T_STR; T_LIST elements */
	conf_list_fn lcheck;		/* T_LIST as a whole */
	long long min, max;		/* T_INT range; T_STR length; T_LIST entries */
	const char *const *words;	/* T_ENUM: index = enum value */
	const char *def;		/* T_STR */
	int idef;			/* T_BOOL, T_INT, T_MODE, T_ENUM */
	const char *const *ldef;	/* T_LIST */
};

struct conf_ctx {
	struct conf *c;
	struct strlist *problems;
	size_t count;			/* problems reported by this load */
	const char *path;		/* the main file */
	struct strlist biglines;	/* "file:line" holding a too large integer */
};

/* ---- value checks: pure, the caller has bounded the length ---- */

static int
conf_is_port(const char *p, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* Letters, digits, '-' and '_' in non-empty labels: no "..", no "/", so a
 * domain or selector can never climb out of keys.directory. */
static const char *
conf_check_domain(const char *v)
{
	size_t label = 0, n = strlen(v);

	if (n == 0 || n > 253)
		return "a domain name has 1 to 253 characters";
	for (const char *p = v; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63)
				return "empty or over-long (> 63) label";
			if (*p == '\0')
				return NULL;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') {
			label++;
		} else {
			return "not a domain name (letters, digits, '-', '_' "
			    "and dots; IDN in A-label form)";
		}
	}
}

static const char *
conf_check_abspath(const char *v)
{
	if (v[0] != '/')
		return "not an absolute path";
	return NULL;
}

static const char *
conf_check_optpath(const char *v)
{
	return v[0] == '\0' ? NULL : conf_check_abspath(v);
}

/* OpenDKIM tables: "file:/abs", "refile:/abs" or a bare "/abs". */
static const char *
conf_check_table(const char *v)
{
	if (strncmp(v, "file:", 5) == 0)
		v += 5;
	else if (strncmp(v, "refile:", 7) == 0)
		v += 7;
	else if (v[0] != '/' && v[0] != '\0')
		return "expected \"\", file:/absolute/path or refile:/absolute/path";
	return conf_check_optpath(v);
}

/* POSIX portable user and group names (what useradd accepts). */
static const char *
conf_check_account(const char *v)
{
	if (v[0] == '\0' || v[0] == '-' || strlen(v) > 32 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(v))
		return "not a user or group name (letters, digits, '.', '_', '-')";
	return NULL;
}

static const char *
conf_check_group(const char *v)
{
	return v[0] == '\0' ? NULL : conf_check_account(v);
}

/* "" means the host name; anything else must be a plain token. */
static const char *
conf_check_authserv(const char *v)
{
	return v[0] == '\0' ? NULL : conf_check_domain(v);
}

/* A header field name: printable ASCII except ':' (RFC 5322 2.2). */
static const char *
conf_check_header(const char *v)
{
	if (v[0] == '\0')
		return "empty header name";
	for (; *v != '\0'; v++)
		if (*v < 33 || *v > 126 || *v == ':')
			return "not a header field name";
	return NULL;
}

static const char *
conf_check_canon(const char *v)
{
	static const char *const ok[] = { "relaxed/relaxed", "simple/simple",
	    "relaxed/simple", "simple/relaxed", NULL };

	for (int i = 0; ok[i] != NULL; i++)
		if (strcmp(v, ok[i]) == 0)
			return NULL;
	return "not one of: relaxed/relaxed, simple/simple, relaxed/simple, "
	    "simple/relaxed";
}

/* Writes the address family; 0 when s is not an address at all. */
static int
conf_parse_ip(const char *s, unsigned char *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return AF_INET6;
	return 0;
}

/* "IP" or "IP/PREFIX" with no host bits set after the prefix. */
static const char *
conf_check_cidr(const char *v)
{
	unsigned char a[16];
	char ip[64], *end;
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	long bits, max;
	int af;

	if (n >= sizeof ip)
		return "not an IP address or CIDR";
	memcpy(ip, v, n);
	ip[n] = '\0';
	if ((af = conf_parse_ip(ip, a)) == 0)
		return "not an IP address or CIDR";
	max = af == AF_INET ? 32 : 128;
	if (slash == NULL)
		return NULL;
	errno = 0;
	bits = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    bits > max)
		return "bad prefix length (IPv4 0..32, IPv6 0..128)";
	for (long i = bits; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return "host bits set after the prefix length";
	return NULL;
}

/* "IP" or "IP@PORT", as libunbound's forwarders take them. */
static const char *
conf_check_nameserver(const char *v)
{
	unsigned char a[16];
	char ip[64];
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);

	if (n >= sizeof ip)
		return "expected IP or IP@PORT";
	memcpy(ip, v, n);
	ip[n] = '\0';
	if (conf_parse_ip(ip, a) == 0 ||
	    (at != NULL && !conf_is_port(at + 1, strlen(at + 1))))
		return "expected IP or IP@PORT (port 1..65535)";
	return NULL;
}

/* A socket path must fit sockaddr_un.sun_path (108 bytes with the NUL). */
static int
conf_is_sockpath(const char *p)
{
	return p[0] == '/' && p[1] != '\0' && strlen(p) < 108;
}

/* HOST of a socket: an address of the family, or a host name. */
static int
conf_is_host(const char *h, size_t len, int af)
{
	unsigned char a[16];
	char buf[256];

	if (len == 0 || len >= sizeof buf)
		return 0;
	if (af == AF_INET6 && len > 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	memcpy(buf, h, len);
	buf[len] = '\0';
	if (conf_parse_ip(buf, a) != 0)
		return conf_parse_ip(buf, a) == af;
	return conf_check_domain(buf) == NULL;
}

static const char *
conf_check_milter_socket(const char *v)
{
	static const char why[] = "expected unix:/absolute/path, "
	    "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST";
	const char *at = strchr(v, '@');

	if (strncmp(v, "unix:", 5) == 0)
		return conf_is_sockpath(v + 5) ? NULL : why;
	if (strncmp(v, "local:", 6) == 0)
		return conf_is_sockpath(v + 6) ? NULL : why;
	if (at != NULL && strncmp(v, "inet:", 5) == 0 &&
	    conf_is_port(v + 5, (size_t)(at - v - 5)) &&
	    conf_is_host(at + 1, strlen(at + 1), AF_INET))
		return NULL;
	if (at != NULL && strncmp(v, "inet6:", 6) == 0 &&
	    conf_is_port(v + 6, (size_t)(at - v - 6)) &&
	    conf_is_host(at + 1, strlen(at + 1), AF_INET6))
		return NULL;
	return why;
}

static const char *
conf_check_policyd_socket(const char *v)
{
	static const char why[] = "expected unix:/absolute/path, "
	    "inet:HOST:PORT or inet:[IPv6]:PORT";
	const char *colon = strrchr(v, ':');

	if (strncmp(v, "unix:", 5) == 0)
		return conf_is_sockpath(v + 5) ? NULL : why;
	if (strncmp(v, "inet:", 5) != 0 || colon < v + 5 ||
	    !conf_is_port(colon + 1, strlen(colon + 1)))
		return why;
	v += 5;
	if (v[0] == '[')
		return conf_is_host(v, (size_t)(colon - v), AF_INET6) ? NULL : why;
	return conf_is_host(v, (size_t)(colon - v), AF_INET) ? NULL : why;
}

/* RFC 6376 5.4: From must always be signed. */
static const char *
conf_check_has_from(const struct strlist *l)
{
	return strlist_contains(l, "From") ? NULL : "must include From (RFC 6376 5.4)";
}

/* No control characters, and valid UTF-8: every value ends up in logs,
 * headers or paths. */
static const char *
conf_check_text(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	while (*p != '\0') {
		int more = *p < 0x80 ? 0 : *p >= 0xc2 && *p <= 0xdf ? 1 :
		    *p >= 0xe0 && *p <= 0xef ? 2 : *p >= 0xf0 && *p <= 0xf4 ? 3 : -1;
		if (*p < 0x20 || *p == 0x7f)
			return "control character in value";
		if (more < 0)
			return "not valid UTF-8";
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return "not valid UTF-8";
	}
	return NULL;
}

/* ---- the schema ---- */

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

#define OFF(f) offsetof(struct conf, f)
#define GROUP(n)	{ .name = n, .type = T_GROUP }
#define STR(n, f, fn, len, d) \
	{ .name = n, .type = T_STR, .off = OFF(f), .check = fn, .max = len, .def = d }
#define BOOL(n, f, d)	{ .name = n, .type = T_BOOL, .off = OFF(f), .idef = d }
#define INT(n, f, lo, hi, d) \
	{ .name = n, .type = T_INT, .off = OFF(f), .min = lo, .max = hi, .idef = d }
#define MODE(n, f, d)	{ .name = n, .type = T_MODE, .off = OFF(f), .max = 0777, .idef = d }
#define ENUM(n, f, w, d) { .name = n, .type = T_ENUM, .off = OFF(f), .words = w, .idef = d }
#define LIST(n, f, fn, lfn, cnt, d) { .name = n, .type = T_LIST, .off = OFF(f), \
	.check = fn, .lcheck = lfn, .max = cnt, .ldef = d }

/* Every key there is; docs/postseal.conf.5 and etc/postseal.conf follow it. */
static const struct conf_key conf_schema[] = {
	STR("user", user, conf_check_account, 32, "postseal"),
	STR("authserv_id", authserv_id, conf_check_authserv, 253, ""),
	GROUP("dns"),
	LIST("dns.nameservers", dns.nameservers, conf_check_nameserver, NULL, 16, d_none),
	INT("dns.timeout", dns.timeout, 1, 60, 5),
	STR("dns.trust_anchor", dns.trust_anchor, conf_check_optpath, CONF_PATH_MAX, ""),
	GROUP("keys"),
	STR("keys.directory", keys.directory, conf_check_abspath, 1024, "/etc/postseal/keys"),
	BOOL("keys.require_safe", keys.require_safe, 1),
	GROUP("milter"),
	STR("milter.socket", milter.socket, conf_check_milter_socket, 1024,
	    "inet:8891@127.0.0.1"),
	STR("milter.socket_group", milter.socket_group, conf_check_group, 32, "postfix"),
	MODE("milter.socket_mode", milter.socket_mode, 0660),
	STR("milter.pidfile", milter.pidfile, conf_check_optpath, CONF_PATH_MAX, ""),
	LIST("milter.internal_hosts", milter.internal_hosts, conf_check_cidr, NULL,
	    4096, d_internal),
	{ .name = "milter.sign", .type = T_SIGN, .max = 100000 },
	BOOL("milter.subdomains", milter.subdomains, 0),
	STR("milter.keytable", milter.keytable, conf_check_table, CONF_PATH_MAX, ""),
	STR("milter.signingtable", milter.signingtable, conf_check_table,
	    CONF_PATH_MAX, ""),
	STR("milter.canonicalization", milter.canonicalization, conf_check_canon, 32,
	    "relaxed/relaxed"),
	LIST("milter.sign_headers", milter.sign_headers, conf_check_header,
	    conf_check_has_from, 64, d_sign_headers),
	LIST("milter.oversign_headers", milter.oversign_headers, conf_check_header,
	    NULL, 64, d_oversign),
	INT("milter.signature_ttl", milter.signature_ttl, 0, 31536000, 0),
	INT("milter.max_signatures", milter.max_signatures, 1, 50, 5),
	ENUM("milter.on_sign_error", milter.on_sign_error, w_on_error, 0),
	ENUM("milter.on_verify_temperror", milter.on_verify_temperror, w_on_error, 0),
	ENUM("milter.spf", milter.spf, w_milter_spf, 0),
	GROUP("milter.dmarc"),
	BOOL("milter.dmarc.enforce", milter.dmarc.enforce, 1),
	STR("milter.dmarc.history", milter.dmarc.history, conf_check_optpath,
	    CONF_PATH_MAX, "/var/lib/postseal/dmarc.db"),
	ENUM("milter.dmarc.discovery", milter.dmarc.discovery, w_discovery, 0),
	LIST("milter.dmarc.no_enforce_domains", milter.dmarc.no_enforce_domains,
	    conf_check_domain, NULL, 100000, d_none),
	GROUP("policyd"),
	STR("policyd.socket", policyd.socket, conf_check_policyd_socket, 1024,
	    "inet:127.0.0.1:10023"),
	STR("policyd.socket_group", policyd.socket_group, conf_check_group, 32, "postfix"),
	MODE("policyd.socket_mode", policyd.socket_mode, 0660),
	STR("policyd.pidfile", policyd.pidfile, conf_check_optpath, CONF_PATH_MAX, ""),
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
	LIST("policyd.spf.skip_addresses", policyd.spf.skip_addresses, conf_check_cidr,
	    NULL, 4096, d_skip),
	BOOL("policyd.spf.skip_authenticated", policyd.spf.skip_authenticated, 1),
	LIST("policyd.spf.skip_helo", policyd.spf.skip_helo, conf_check_domain, NULL,
	    100000, d_none),
	LIST("policyd.spf.skip_domains", policyd.spf.skip_domains, conf_check_domain,
	    NULL, 100000, d_none),
	{ .name = NULL },
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

/* A value as it may appear in a problem: anything but printable ASCII as
 * \xHH, at most n - 4 bytes, "..." when cut. */
static const char *
conf_show(const char *v, char *buf, size_t n)
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

static const char *
conf_type_name(int type)
{
	switch (type) {
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
conf_wrong_type(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *want)
{
	return conf_problem(x, s, key, "must be %s, not %s", want,
	    conf_type_name(config_setting_type(s)));
}

/* Levenshtein distance, for "did you mean"; both strings are short. */
static size_t
conf_distance(const char *a, const char *b)
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

/* ---- setting values ---- */

#define FIELD(base, k, T) ((T *)(void *)((char *)(base) + (k)->off))

static int
conf_set_str(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	const char *v, *why;
	char show[80];
	char **field = FIELD(base, k, char *);

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_wrong_type(x, s, key, "a string");
	v = config_setting_get_string(s);
	if ((long long)strlen(v) > k->max)
		return conf_problem(x, s, key, "too long (%zu bytes, at most %lld)",
		    strlen(v), k->max);
	if ((why = conf_check_text(v)) == NULL && k->check != NULL)
		why = k->check(v);
	if (why != NULL)
		return conf_problem(x, s, key, "bad value \"%s\": %s",
		    conf_show(v, show, sizeof show), why);
	free(*field);
	*field = xstrdup(v);
	return 0;
}

static int
conf_get_int(struct conf_ctx *x, const config_setting_t *s, const char *key,
    long long *v)
{
	const char *file = config_setting_source_file(s);
	char where[4200];

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_wrong_type(x, s, key, "an integer");
		return -1;
	}
	snprintf(where, sizeof where, "%s:%u", file ? file : x->path,
	    config_setting_source_line(s));
	*v = config_setting_get_int64(s);
	if (strlist_contains(&x->biglines, where))
		*v = LLONG_MAX;
	return 0;
}

static int
conf_set_int(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	long long v;

	if (conf_get_int(x, s, key, &v) == -1)
		return -1;
	if (v == LLONG_MAX)
		return conf_problem(x, s, key, "out of range: integer too large "
		    "(allowed %lld..%lld)", k->min, k->max);
	if (v < k->min || v > k->max)
		return conf_problem(x, s, key, "out of range: %lld (allowed "
		    "%lld..%lld)", v, k->min, k->max);
	*FIELD(base, k, int) = (int)v;
	return 0;
}

/*
 * A file mode as chmod(1) reads it.  libconfig 1.5 reads 0660 as decimal
 * 660, so decimal digits are taken as octal digits: 0660, 660 and "0660"
 * all mean rw-rw----.  A hexadecimal literal is taken by its value.
 */
static int
conf_set_mode(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	long long dec, v = 0, mul = 1;
	const char *str;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(s);
		if (str[0] == '\0' || strlen(str) > 4 ||
		    strspn(str, "01234567") != strlen(str))
			return conf_problem(x, s, key, "not an octal mode like 0660");
		v = strtoll(str, NULL, 8);
	} else if (conf_get_int(x, s, key, &dec) == -1) {
		return -1;
	} else if (config_setting_get_format(s) == CONFIG_FORMAT_HEX) {
		v = dec;
	} else if (dec < 0 || dec > 7777) {
		v = dec < 0 ? -1 : 01000;
	} else {
		for (; dec > 0; dec /= 10, mul *= 8) {
			if (dec % 10 > 7)
				return conf_problem(x, s, key,
				    "not an octal mode like 0660 (digits 0-7)");
			v += dec % 10 * mul;
		}
	}
	if (v < 0 || v > k->max)
		return conf_problem(x, s, key, "out of range (allowed 0000..0777)");
	*FIELD(base, k, int) = (int)v;
	return 0;
}

static int
conf_set_enum(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	char allowed[256] = "", show[80];
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_wrong_type(x, s, key, "a string");
	v = config_setting_get_string(s);
	for (int i = 0; k->words[i] != NULL; i++) {
		if (strcmp(v, k->words[i]) == 0) {
			*FIELD(base, k, int) = i;
			return 0;
		}
		snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed),
		    "%s%s", i ? ", " : "", k->words[i]);
	}
	return conf_problem(x, s, key, "\"%s\" is not one of: %s",
	    conf_show(v, show, sizeof show), allowed);
}

static int
conf_set_bool(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_wrong_type(x, s, key, "true or false");
	*FIELD(base, k, int) = config_setting_get_bool(s) != 0;
	return 0;
}

static int
conf_set_list(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	struct strlist l = { 0 };
	const config_setting_t *e;
	const char *v, *why;
	char ekey[300], show[80];
	size_t before = x->count;
	int n = config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_wrong_type(x, s, key, "a list of strings [ \"...\", ... ]");
	if (n > k->max)
		return conf_problem(x, s, key, "too many entries (%d, at most %lld)",
		    n, k->max);
	for (int i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		snprintf(ekey, sizeof ekey, "%s[%d]", key, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_wrong_type(x, e, ekey, "a string");
			continue;
		}
		v = config_setting_get_string(e);
		if ((why = strlen(v) > 1024 ? "too long (at most 1024 bytes)" :
		    conf_check_text(v)) == NULL)
			why = k->check(v);
		if (why != NULL)
			conf_problem(x, e, ekey, "bad value \"%s\": %s",
			    conf_show(v, show, sizeof show), why);
		else
			strlist_add(&l, v);
	}
	if (x->count == before && k->lcheck && (why = k->lcheck(&l)) != NULL)
		conf_problem(x, s, key, "%s", why);
	if (x->count != before) {
		strlist_clear(&l);
		return -1;
	}
	strlist_clear(FIELD(base, k, struct strlist));
	*FIELD(base, k, struct strlist) = l;
	return 0;
}

/* ---- walking the file ---- */

static const struct conf_key conf_sign_schema[] = {
	{ .name = "domain", .type = T_STR, .off = offsetof(struct conf_sign, domain),
	  .check = conf_check_domain, .max = 253 },
	{ .name = "selector", .type = T_STR, .off = offsetof(struct conf_sign, selector),
	  .check = conf_check_domain, .max = 253 },
	{ .name = "key", .type = T_STR, .off = offsetof(struct conf_sign, key),
	  .check = conf_check_abspath, .max = CONF_PATH_MAX },
	{ .name = NULL },
};

static const struct conf_key *
conf_find(const struct conf_key *schema, const char *name)
{
	for (; schema->name != NULL; schema++)
		if (strcmp(schema->name, name) == 0)
			return schema;
	return NULL;
}

static int
conf_unknown(struct conf_ctx *x, const config_setting_t *s, const char *key,
    const char *name, const struct conf_key *schema)
{
	const char *best = NULL;
	size_t d, bestd = 3;

	for (; schema->name != NULL; schema++)
		if ((d = conf_distance(name, schema->name)) < bestd) {
			best = schema->name;
			bestd = d;
		}
	if (best != NULL)
		return conf_problem(x, s, key, "unknown key (did you mean %s?)", best);
	return conf_problem(x, s, key, "unknown key");
}

static int
conf_set(struct conf_ctx *x, void *base, const struct conf_key *k,
    const config_setting_t *s, const char *key)
{
	switch (k->type) {
	case T_STR:	return conf_set_str(x, base, k, s, key);
	case T_BOOL:	return conf_set_bool(x, base, k, s, key);
	case T_INT:	return conf_set_int(x, base, k, s, key);
	case T_MODE:	return conf_set_mode(x, base, k, s, key);
	case T_ENUM:	return conf_set_enum(x, base, k, s, key);
	case T_LIST:	return conf_set_list(x, base, k, s, key);
	default:	return -1;
	}
}

/* One { domain = ...; selector = ...; key = ...; } of milter.sign. */
static void
conf_sign_entry(struct conf_ctx *x, const config_setting_t *e, const char *key,
    struct conf_sign *out)
{
	const struct conf_key *k;
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
		if ((k = conf_find(conf_sign_schema, config_setting_name(s))) == NULL)
			conf_unknown(x, s, skey, config_setting_name(s), conf_sign_schema);
		else
			conf_set(x, out, k, s, skey);
	}
	if (config_setting_get_member(e, "domain") == NULL)
		conf_problem(x, e, key, "missing domain");
	if (config_setting_get_member(e, "selector") == NULL)
		conf_problem(x, e, key, "missing selector");
}

static void
conf_sign(struct conf_ctx *x, const struct conf_key *k, const config_setting_t *s)
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
	const struct conf_key *k;
	const config_setting_t *s;
	char key[256];

	for (int i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "",
		    prefix ? "." : "", config_setting_name(s));
		if ((k = conf_find(conf_schema, key)) == NULL)
			conf_unknown(x, s, key, key, conf_schema);
		else if (k->type == T_SIGN)
			conf_sign(x, k, s);
		else if (k->type != T_GROUP)
			conf_set(x, x->c, k, s, key);
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
		if (strlen(p) > CONF_PATH_MAX)
			conf_problem(x, config_lookup(cfg, "milter.sign"), "milter.sign",
			    "key path of entry %d is too long", i);
		free(p);
	}
}

/* ---- public ---- */

static void
conf_set_default(struct conf *c, const struct conf_key *k)
{
	switch (k->type) {
	case T_STR:
		*FIELD(c, k, char *) = xstrdup(k->def);
		break;
	case T_BOOL:
	case T_INT:
	case T_MODE:
	case T_ENUM:
		*FIELD(c, k, int) = k->idef;
		break;
	case T_LIST:
		for (int i = 0; k->ldef[i] != NULL; i++)
			strlist_add(FIELD(c, k, struct strlist), k->ldef[i]);
		break;
	default:
		break;
	}
}

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

	for (const struct conf_key *k = conf_schema; k->name != NULL; k++)
		conf_set_default(c, k);
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

	if (conf_prescan(&x, path, path) == -1) {
		strlist_clear(&own);
		return NULL;
	}
	config_init(&cfg);
	if (conf_parse(&x, &cfg) == 0 && conf_prescan_includes(&x, &cfg) == 0) {
		x.c = conf_defaults();
		free(x.c->authserv_id);
		x.c->authserv_id = xstrdup("");
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
	for (const struct conf_key *k = conf_schema; k->name != NULL; k++)
		if (k->type == T_STR)
			free(*FIELD(c, k, char *));
		else if (k->type == T_LIST)
			strlist_clear(FIELD(c, k, struct strlist));
	for (int i = 0; i < c->milter.n_sign; i++) {
		free(c->milter.sign[i].domain);
		free(c->milter.sign[i].selector);
		free(c->milter.sign[i].key);
	}
	free(c->milter.sign);
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
	return i < sizeof conf_schema / sizeof conf_schema[0] ?
	    conf_schema[i].name : NULL;
}
