/*
 * spf_libspf2_dns: see spf_libspf2_dns.h.  libspf2 asks for one name at
 * a time without saying why; spfl_classify() tells from the order of the
 * queries which limit a query counts against.
 */
#include "spf_libspf2_dns.h"

#include <sys/socket.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const spfl_limit_text[] = {
	"",
	"more than 10 DNS-querying terms",
	"more than 2 void look-ups",
	"more than 10 MX names",
	"more than 250 look-ups",
};

/* What a query is for, told apart by the order libspf2 asks in. */
enum spfl_kind { SPFL_RECORD, SPFL_TXT, SPFL_TERM, SPFL_SUB };

/* "4.3.2.1.in-addr.arpa" / 32 nibbles + "ip6.arpa" -> address text. */
static int
spfl_ptr_addr(const char *name, char *buf, size_t n)
{
	unsigned o[4];
	char hex[33];
	int end = 0, i;

	if (sscanf(name, "%3u.%3u.%3u.%3u.%n", &o[0], &o[1], &o[2], &o[3],
	    &end) == 4 && end > 0 && strcasecmp(name + end, "in-addr.arpa") == 0)
		return snprintf(buf, n, "%u.%u.%u.%u", o[3], o[2], o[1], o[0]) > 0;
	if (strlen(name) != 72 || strcasecmp(name + 64, "ip6.arpa") != 0)
		return 0;
	for (i = 0; i < 32; i++) {
		if (!strchr("0123456789abcdefABCDEF", name[2 * i]) ||
		    name[2 * i] == '\0' || name[2 * i + 1] != '.')
			return 0;
		hex[31 - i] = name[2 * i];
	}
	hex[32] = '\0';
	return snprintf(buf, n, "%.4s:%.4s:%.4s:%.4s:%.4s:%.4s:%.4s:%.4s", hex,
	    hex + 4, hex + 8, hex + 12, hex + 16, hex + 20, hex + 24,
	    hex + 28) > 0;
}

static enum dns_status
spfl_query(struct dns *d, const char *name, ns_type type, struct dns_answer *a)
{
	char addr[64];

	memset(a, 0, sizeof *a);
	switch (type) {
	case ns_t_txt:
		return dns_txt(d, name, a);
	case ns_t_a:
		return dns_a(d, name, a);
	case ns_t_aaaa:
		return dns_aaaa(d, name, a);
	case ns_t_mx:
		return dns_mx(d, name, a);
	case ns_t_ptr:
		if (spfl_ptr_addr(name, addr, sizeof addr))
			return dns_ptr(d, addr, a);
		snprintf(a->why, sizeof a->why, "not a reverse name");
		return a->status = DNS_PERM;
	default:
		snprintf(a->why, sizeof a->why, "type %d not supported", type);
		return a->status = DNS_PERM;
	}
}

static const char *
spfl_type_name(ns_type type)
{
	switch (type) {
	case ns_t_txt: return "TXT";
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_mx: return "MX";
	case ns_t_ptr: return "PTR";
	default: return "other";
	}
}

/* Which query is this?  The first is the top-level record; a later TXT
 * is an include/redirect (counted once its answer holds a record) or an
 * explanation; the address look-ups of an mx or ptr term follow its
 * answer in order; any other query is a term of its own. */
static enum spfl_kind
spfl_classify(struct spfl_ctx *c, const char *name, ns_type type)
{
	if (type == ns_t_txt)
		return c->lookups == 0 ? SPFL_RECORD : SPFL_TXT;
	if ((type == ns_t_a || type == ns_t_aaaa) && c->next_sub < c->n_subs &&
	    strcasecmp(name, c->subs[c->next_sub]) == 0) {
		c->next_sub++;
		return SPFL_SUB;
	}
	c->n_subs = c->next_sub = 0;
	return SPFL_TERM;
}

/* Remember an mx/ptr answer's names: the next address look-ups use them. */
static void
spfl_remember_subs(struct spfl_ctx *c, ns_type type, const struct dns_answer *a)
{
	size_t i;

	c->n_subs = c->next_sub = 0;
	for (i = 0; i < a->n && c->n_subs < SPFL_MAX_SUBS; i++) {
		const char *h = type == ns_t_mx ? a->mx[i].host : a->ptr[i];
		if (strlen(h) <= DNS_MAX_NAME)
			snprintf(c->subs[c->n_subs++], sizeof c->subs[0], "%s", h);
	}
}

static int
spfl_records(const struct dns_answer *a)
{
	size_t i;
	int n = 0;

	for (i = 0; a->status == DNS_OK && i < a->n; i++)
		n += strncasecmp(a->txt[i], "v=spf1", 6) == 0 &&
		    (a->txt[i][6] == ' ' || a->txt[i][6] == '\0');
	return n;
}

static int
spfl_add_rr(SPF_dns_rr_t *rr, int i, ns_type type, const struct dns_answer *a)
{
	const char *s = NULL;
	size_t len = sizeof(SPF_dns_rr_data_t);

	if (type == ns_t_txt)
		s = a->txt[i];
	else if (type == ns_t_mx)
		s = a->mx[i].host;
	else if (type == ns_t_ptr)
		s = a->ptr[i];
	if (s != NULL)
		len = strlen(s) + 2;	/* room for "v=spf1" + ' ' */
	if (SPF_dns_rr_buf_realloc(rr, i, len) != SPF_E_SUCCESS)
		return -1;
	if (type == ns_t_a)
		rr->rr[i]->a = a->a[i];
	else if (type == ns_t_aaaa)
		rr->rr[i]->aaaa = a->aaaa[i];
	else
		snprintf(rr->rr[i]->txt, len, "%s%s", s,
		    type == ns_t_txt && strcasecmp(s, "v=spf1") == 0 ? " " : "");
	return 0;
}

static SPF_dns_rr_t *
spfl_answer(SPF_dns_server_t *layer, const char *name, ns_type type,
    const struct dns_answer *a)
{
	SPF_dns_rr_t *rr;
	SPF_dns_stat_t h;
	size_t i;

	h = a->status == DNS_OK ? NETDB_SUCCESS :
	    a->status == DNS_NODATA ? NO_DATA :
	    a->status == DNS_TEMP ? TRY_AGAIN : HOST_NOT_FOUND;
	if (a->status == DNS_OK && a->n == 0)
		h = NO_DATA;
	if ((rr = SPF_dns_rr_new_init(layer, name, type, 0, h)) == NULL)
		return NULL;
	for (i = 0; h == NETDB_SUCCESS && i < a->n && i < DNS_MAX_RECORDS; i++) {
		if (spfl_add_rr(rr, (int)i, type, a) == -1)
			break;
		rr->num_rr = (int)i + 1;
	}
	return rr;
}

static void
spfl_note(struct spfl_ctx *c, const char *name, ns_type type,
    const struct dns_answer *a)
{
	if (a->status == DNS_TEMP || a->status == DNS_PERM)
		strlist_addf(&c->out->lookups, "%s %s -> %s (%s)",
		    spfl_type_name(type), name, dns_status_name(a->status), a->why);
	else
		strlist_addf(&c->out->lookups, "%s %s -> %s (%zu)",
		    spfl_type_name(type), name, dns_status_name(a->status), a->n);
}

/* Stop the check: every query from now on fails temporarily, and the
 * result is replaced by permerror once libspf2 returns. */
static SPF_dns_rr_t *
spfl_stop(struct spfl_ctx *c, const char *name, ns_type type, enum spfl_limit l)
{
	if (c->limit == SPFL_LIMIT_NONE) {
		c->limit = l;
		strlist_addf(&c->out->lookups, "%s %s -> not queried (%s)",
		    spfl_type_name(type), name, spfl_limit_text[l]);
	}
	return SPF_dns_rr_new_init(&c->layer, name, type, 0, TRY_AGAIN);
}

/* After the answer: limits that depend on it (RFC 7208 4.6.4). */
static void
spfl_count(struct spfl_ctx *c, enum spfl_kind kind, ns_type type,
    const struct dns_answer *a)
{
	enum spfl_limit l = SPFL_LIMIT_NONE;

	if (kind == SPFL_TXT && spfl_records(a) > 0 &&
	    ++c->terms > SPFL_MAX_TERMS)
		l = SPFL_LIMIT_TERMS;
	/* PTR is left out of the void count: libspf2 also looks it up for
	 * %{p}, which is no term. */
	if (kind == SPFL_TERM && type != ns_t_ptr && (a->status ==
	    DNS_NXDOMAIN || a->status == DNS_NODATA || (a->status == DNS_OK &&
	    a->n == 0)) && ++c->voids > SPFL_MAX_VOID)
		l = SPFL_LIMIT_VOID;
	if (kind == SPFL_TERM && type == ns_t_mx && a->status == DNS_OK &&
	    a->n > SPFL_MAX_SUBS)
		l = SPFL_LIMIT_MX;
	if (l != SPFL_LIMIT_NONE && c->limit == SPFL_LIMIT_NONE) {
		c->limit = l;
		strlist_addf(&c->out->lookups, "stopped: %s", spfl_limit_text[l]);
	}
}

static SPF_dns_rr_t *
spfl_lookup(SPF_dns_server_t *layer, const char *name, ns_type type,
    int should_cache)
{
	struct spfl_ctx *c = layer->hook;
	struct dns_answer a;
	SPF_dns_rr_t *rr;
	enum spfl_kind kind;

	kind = spfl_classify(c, name, type);
	if (c->limit != SPFL_LIMIT_NONE)
		return spfl_stop(c, name, type, c->limit);
	if (++c->lookups > SPFL_MAX_LOOKUPS)
		return spfl_stop(c, name, type, SPFL_LIMIT_LOOKUPS);
	if (kind == SPFL_TERM && ++c->terms > SPFL_MAX_TERMS)
		return spfl_stop(c, name, type, SPFL_LIMIT_TERMS);
	spfl_query(c->dns, name, type, &a);
	spfl_note(c, name, type, &a);
	spfl_count(c, kind, type, &a);
	if (a.status == DNS_OK && (type == ns_t_mx || type == ns_t_ptr))
		spfl_remember_subs(c, type, &a);
	if (kind == SPFL_RECORD)
		c->top_records = spfl_records(&a);
	rr = c->limit != SPFL_LIMIT_NONE ?
	    SPF_dns_rr_new_init(layer, name, type, 0, TRY_AGAIN) :
	    spfl_answer(layer, name, type, &a);
	dns_answer_free(&a);
	return rr;
}

const char *
spf_libspf2_dns_limit_text(enum spfl_limit l)
{
	return spfl_limit_text[l];
}

void
spf_libspf2_dns_init(struct spfl_ctx *c, struct dns *dns,
    struct spf_outcome *out)
{
	c->dns = dns;
	c->out = out;
	c->layer.lookup = spfl_lookup;
	c->layer.name = "postseal";
	c->layer.hook = c;
}
