/* confschema: see confschema.h. */
#include "confschema.h"

#include <stdint.h>
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
			*CONFSCHEMA_FIELD(c, k, char *) = xstrdup(k->def);
			break;
		case CONFSCHEMA_BOOL:
		case CONFSCHEMA_INT:
		case CONFSCHEMA_MODE:
		case CONFSCHEMA_ENUM:
			*CONFSCHEMA_FIELD(c, k, int) = k->idef;
			break;
		case CONFSCHEMA_LIST:
			for (int i = 0; k->ldef[i] != NULL; i++)
				strlist_add(CONFSCHEMA_FIELD(c, k, struct strlist), k->ldef[i]);
			break;
		default:
			break;
		}
	}
}

void
confschema_free_fields(struct conf *c)
{
	const struct confschema_key *k;

	for (k = confschema_top; k->name != NULL; k++)
		if (k->type == CONFSCHEMA_STR)
			free(*CONFSCHEMA_FIELD(c, k, char *));
		else if (k->type == CONFSCHEMA_LIST)
			strlist_clear(CONFSCHEMA_FIELD(c, k, struct strlist));
	for (int i = 0; i < c->milter.n_sign; i++)
		for (k = confschema_sign; k->name != NULL; k++)
			free(*CONFSCHEMA_FIELD(&c->milter.sign[i], k, char *));
	free(c->milter.sign);
}
