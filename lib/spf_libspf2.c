/*
 * spf_libspf2: the libspf2 engine behind spf.h (-DPOSTSEAL_SPF=libspf2).
 *
 * libspf2 (Debian 1.2.10) evaluates the record; everything around it is
 * ours: input validation (libspf2 aborts on NULL), address normalisation,
 * result mapping, and a DNS layer (an SPF_dns_server_t) that asks lib/dns.
 *
 * What libspf2 does not do, measured on 1.2.10 and done here instead:
 *   - its DNS-mechanism counter lives in the response, and every include
 *     gets a fresh response, so the RFC 7208 4.6.4 limit of 10 is not
 *     counted across includes; it has no void-lookup limit at all.  The
 *     layer below counts both over the whole check and stops the check
 *     with permerror;
 *   - it gives 127/8 and ::1 a "pass" without reading the record; the
 *     check here calls the record evaluation directly, so loopback clients
 *     get the record's verdict like anyone else;
 *   - an mx term with more than 10 MX names is a permerror (4.6.4), not
 *     a look-up of the first ten;
 *   - it only recognises "v=spf1 " with a trailing space; a record that is
 *     exactly "v=spf1" is handed over with the space added.
 */
#include "spf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>

#include "log.h"
#include "xmalloc.h"

#define SPFL_MAX_TERMS 10	/* DNS-querying terms (RFC 7208 4.6.4) */
#define SPFL_MAX_VOID 2		/* void look-ups (RFC 7208 4.6.4) */
#define SPFL_MAX_LOOKUPS 250	/* hard stop, whatever libspf2 asks */
#define SPFL_MAX_SUBS 10	/* address look-ups per mx / ptr term */

struct spf {
	struct dns *dns;
	char *receiver;
};

enum spfl_limit { SPFL_LIMIT_NONE = 0, SPFL_LIMIT_TERMS, SPFL_LIMIT_VOID,
    SPFL_LIMIT_MX, SPFL_LIMIT_LOOKUPS };

static const char *const spfl_limit_text[] = {
	"",
	"more than 10 DNS-querying terms",
	"more than 2 void look-ups",
	"more than 10 MX names",
	"more than 250 look-ups",
};

/* What a query is for, told apart by the order libspf2 asks in. */
enum spfl_kind { SPFL_RECORD, SPFL_TXT, SPFL_TERM, SPFL_SUB };

/* State of one check: the DNS layer's hook. */
struct spfl_ctx {
	SPF_dns_server_t layer;
	struct dns *dns;
	struct spf_outcome *out;
	int top_records;	/* v=spf1 records at the top level */
	int terms, voids, lookups;
	enum spfl_limit limit;
	char subs[SPFL_MAX_SUBS][DNS_MAX_NAME + 2];	/* mx/ptr targets */
	size_t n_subs, next_sub;
};

static pthread_once_t spfl_once = PTHREAD_ONCE_INIT;

/* libspf2's own handlers print to stdout/stderr, which would corrupt the
 * policy protocol in spawn(8) mode; ours go to the log at debug level. */
static void
spfl_log(const char *file, int line, const char *msg)
{
	log_debug("event=libspf2 file=%s line=%d msg=\"%s\"", file ? file : "",
	    line, msg ? msg : "");
}

/* Only called on libspf2's internal assertion failures; it must not
 * return (libspf2 declares it noreturn).  Inputs are validated before
 * libspf2 sees them, so reaching this is a bug. */
__attribute__((noreturn)) static void
spfl_log_fatal(const char *file, int line, const char *msg)
{
	log_errx("event=libspf2-abort file=%s line=%d msg=\"%s\"",
	    file ? file : "", line, msg ? msg : "");
	abort();
}

static void
spfl_install_handlers(void)
{
	SPF_error_handler = spfl_log_fatal;
	SPF_warning_handler = spfl_log;
	SPF_info_handler = spfl_log;
	SPF_debug_handler = spfl_log;
}

const char *
spf_engine_name(void)
{
	return "libspf2";
}

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	if ((unsigned)r < sizeof names / sizeof names[0])
		return names[r];
	return "unknown";
}

struct spf *
spf_new(struct dns *dns, const char *receiver, char *why, size_t whylen)
{
	struct spf *s;

	pthread_once(&spfl_once, spfl_install_handlers);
	if (dns == NULL) {
		snprintf(why, whylen, "no resolver given");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->dns = dns;
	s->receiver = xstrdup(receiver && *receiver ? receiver : "localhost");
	return s;
}

void
spf_free(struct spf **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free((*sp)->receiver);
	free(*sp);
	*sp = NULL;
}

void
spf_outcome_clear(struct spf_outcome *out)
{
	if (out != NULL)
		strlist_clear(&out->lookups);
}

/* ---- the DNS layer ---- */

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

/* ---- the check ---- */

struct spfl_ip {
	int af;
	struct in_addr v4;
	struct in6_addr v6;
};

static enum spf_result
spfl_done(struct spf_outcome *out, enum spf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum spf_result
spfl_done(struct spf_outcome *out, enum spf_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->explanation, sizeof out->explanation, fmt, ap);
	va_end(ap);
	return out->result = r;
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4 first: libspf2 would
 * otherwise match it against ip6 terms only. */
static int
spfl_parse_ip(const char *ip, struct spfl_ip *out, char *text, size_t n)
{
	if (ip == NULL || strnlen(ip, 64) >= 64)
		return -1;
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, ip, &out->v4) == 1)
		out->af = AF_INET;
	else if (inet_pton(AF_INET6, ip, &out->v6) != 1)
		return -1;
	else if (IN6_IS_ADDR_V4MAPPED(&out->v6)) {
		memcpy(&out->v4, &out->v6.s6_addr[12], 4);
		out->af = AF_INET;
	} else
		out->af = AF_INET6;
	return inet_ntop(out->af, out->af == AF_INET ? (void *)&out->v4 :
	    (void *)&out->v6, text, (socklen_t)n) ? 0 : -1;
}

static int
spfl_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* RFC 7208 4.3: a malformed or single-label domain gives "none".  The top
 * label must hold a letter (4.6.1 toplabel), which also rules out
 * address literals. */
static int
spfl_domain_ok(const char *d)
{
	size_t len = strlen(d), label = 0, labels = 0, i;
	int alpha = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_MAX_NAME)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)d[i];
		if (i == len || c == '.') {
			if (label == 0 || label > 63)
				return 0;
			labels++;
			label = 0;
			if (i < len)
				alpha = 0;
			continue;
		}
		if (!spfl_ldh(c))
			return 0;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = 1;
		label++;
	}
	return labels >= 2 && alpha;
}

static int
spfl_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Fill out->sender and out->domain; 0, or -1 with out->result none. */
static int
spfl_identity(const char *sender, struct spf_outcome *out)
{
	const char *at;
	int n;

	if (strnlen(sender, sizeof out->sender) >= sizeof out->sender) {
		spfl_done(out, SPF_RES_NONE, "sender address over %zu bytes",
		    sizeof out->sender - 1);
		return -1;
	}
	if (!spfl_printable(sender)) {
		spfl_done(out, SPF_RES_NONE, "sender has control characters");
		return -1;
	}
	if ((at = strrchr(sender, '@')) == NULL)
		n = snprintf(out->sender, sizeof out->sender, "postmaster@%s", sender);
	else if (at == sender)
		n = snprintf(out->sender, sizeof out->sender, "postmaster%s", sender);
	else
		n = snprintf(out->sender, sizeof out->sender, "%s", sender);
	if (n < 0 || (size_t)n >= sizeof out->sender) {
		spfl_done(out, SPF_RES_NONE, "sender address too long");
		return -1;
	}
	at = strrchr(out->sender, '@') + 1;
	if (strlen(at) >= sizeof out->domain || !spfl_domain_ok(at)) {
		spfl_done(out, SPF_RES_NONE, "not a valid domain name");
		return -1;
	}
	snprintf(out->domain, sizeof out->domain, "%s", at);
	return 0;
}

static enum spf_result
spfl_mapped(const struct spfl_ctx *c, SPF_response_t *resp, SPF_errcode_t err)
{
	/* No header comment: libspf2 never finished the evaluation, the
	 * top-level record could not be had.  The return code tells a DNS
	 * failure; otherwise a record that was there did not compile, or
	 * there were several (permerror), or there was none (none). */
	if (SPF_response_get_header_comment(resp) == NULL) {
		if (err == SPF_E_DNS_ERROR)
			return SPF_RES_TEMPERROR;
		return c->top_records > 0 ? SPF_RES_PERMERROR : SPF_RES_NONE;
	}
	switch (SPF_response_result(resp)) {
	case SPF_RESULT_PASS: return SPF_RES_PASS;
	case SPF_RESULT_FAIL: return SPF_RES_FAIL;
	case SPF_RESULT_SOFTFAIL: return SPF_RES_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return SPF_RES_NEUTRAL;
	case SPF_RESULT_NONE: return SPF_RES_NONE;
	case SPF_RESULT_TEMPERROR: return SPF_RES_TEMPERROR;
	case SPF_RESULT_PERMERROR: return SPF_RES_PERMERROR;
	default:
		return err == SPF_E_DNS_ERROR ? SPF_RES_TEMPERROR :
		    SPF_RES_PERMERROR;
	}
}

/* Result, explanation and mechanism from libspf2's response. */
static void
spfl_outcome(const struct spfl_ctx *c, SPF_response_t *resp,
    SPF_errcode_t err, struct spf_outcome *out)
{
	const char *exp = SPF_response_get_explanation(resp);
	const char *comment = SPF_response_get_header_comment(resp);
	SPF_error_t *msg;

	out->result = spfl_mapped(c, resp, err);
	if (c->limit != SPFL_LIMIT_NONE) {
		spfl_done(out, SPF_RES_PERMERROR, "%s (RFC 7208 4.6.4)",
		    spfl_limit_text[c->limit]);
		return;
	}
	if (out->result == SPF_RES_FAIL && exp != NULL && *exp != '\0')
		snprintf(out->explanation, sizeof out->explanation, "%s", exp);
	else if (comment != NULL && *comment != '\0')
		snprintf(out->explanation, sizeof out->explanation, "%s", comment);
	else if (SPF_response_messages(resp) > 0 &&
	    (msg = SPF_response_message(resp, 0)) != NULL && msg->message)
		snprintf(out->explanation, sizeof out->explanation, "%s",
		    msg->message);
	else
		snprintf(out->explanation, sizeof out->explanation, "%s",
		    SPF_strerror(err));
	if (SPF_response_reason(resp) == SPF_REASON_DEFAULT)
		snprintf(out->mechanism, sizeof out->mechanism, "default");
}

/*
 * SPF_request_query_mailfrom() minus its "localhost is always allowed"
 * shortcut: fetch the record and interpret it, so a loopback client gets
 * what the record says.
 */
static SPF_errcode_t
spfl_evaluate(SPF_server_t *srv, SPF_request_t *req, SPF_response_t *resp)
{
	SPF_record_t *rec = NULL;
	SPF_errcode_t err;

	req->use_helo = 0;
	req->cur_dom = req->env_from_dp;
	err = SPF_server_get_record(srv, req, resp, &rec);
	if (err == SPF_E_SUCCESS && rec != NULL) {
		resp->spf_record_exp = rec;
		err = SPF_record_interpret(rec, req, resp, 0);
	}
	if (rec != NULL)
		SPF_record_free(rec);
	return err;
}

static int
spfl_request(SPF_request_t *req, const struct spfl_ip *ip, const char *helo,
    const char *sender)
{
	if (ip->af == AF_INET)
		SPF_request_set_ipv4(req, ip->v4);
	else
		SPF_request_set_ipv6(req, ip->v6);
	/* HELO first: libspf2 derives the null sender's identity from it. */
	if (helo != NULL && SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS)
		return -1;
	return SPF_request_set_env_from(req, sender) == 0 ? 0 : -1;
}

static enum spf_result
spfl_run(struct spf *s, const struct spfl_ip *ip, const char *helo,
    struct spf_outcome *out)
{
	struct spfl_ctx *c = xcalloc(1, sizeof *c);
	SPF_server_t *srv;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL, *cresp = NULL;
	SPF_errcode_t err;

	c->dns = s->dns;
	c->out = out;
	c->layer.lookup = spfl_lookup;
	c->layer.name = "postseal";
	c->layer.hook = c;
	if ((srv = SPF_server_new_dns(&c->layer, 0)) == NULL) {
		free(c);
		return spfl_done(out, SPF_RES_TEMPERROR, "out of memory");
	}
	SPF_server_set_rec_dom(srv, s->receiver);
	/* An empty default explanation: a fail without exp= then reports
	 * libspf2's own reason instead of an openspf.org link. */
	SPF_server_set_explanation(srv, "", &cresp);
	if (cresp != NULL)
		SPF_response_free(cresp);
	if ((req = SPF_request_new(srv)) == NULL ||
	    spfl_request(req, ip, helo, out->sender) == -1 ||
	    (resp = SPF_response_new(req)) == NULL)
		spfl_done(out, SPF_RES_TEMPERROR, "out of memory");
	else {
		err = spfl_evaluate(srv, req, resp);
		spfl_outcome(c, resp, err, out);
	}
	if (resp != NULL)
		SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	SPF_server_free(srv);
	free(c);
	return out->result;
}

/* A HELO name is passed on (for %{h}) only when it is printable and fits. */
static const char *
spfl_helo(const char *helo)
{
	if (helo == NULL || *helo == '\0' || strnlen(helo, 256) > DNS_MAX_NAME ||
	    !spfl_printable(helo))
		return NULL;
	return helo;
}

static enum spf_result
spfl_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, const char *identity, struct spf_outcome *out)
{
	struct spfl_ip addr;

	memset(out, 0, sizeof *out);
	snprintf(out->identity, sizeof out->identity, "%s", identity);
	if (s == NULL)
		return spfl_done(out, SPF_RES_TEMPERROR, "no SPF context");
	if (spfl_parse_ip(ip, &addr, out->client_ip, sizeof out->client_ip) == -1)
		return spfl_done(out, SPF_RES_PERMERROR,
		    "client address is not an IPv4 or IPv6 address");
	helo = spfl_helo(helo);
	if (sender == NULL) {
		if (helo == NULL)
			return spfl_done(out, SPF_RES_NONE,
			    "null sender and no usable HELO name");
		sender = helo;
	}
	if (spfl_identity(sender, out) == -1)
		return out->result;
	return spfl_run(s, &addr, helo, out);
}

enum spf_result
spf_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, struct spf_outcome *out)
{
	if (out == NULL)
		return SPF_RES_TEMPERROR;
	if (sender == NULL || *sender == '\0')
		return spfl_check(s, ip, helo, NULL, "helo", out);
	return spfl_check(s, ip, helo, sender, "mailfrom", out);
}

enum spf_result
spf_check_helo(struct spf *s, const char *ip, const char *helo,
    struct spf_outcome *out)
{
	if (out == NULL)
		return SPF_RES_TEMPERROR;
	return spfl_check(s, ip, helo, NULL, "helo", out);
}
