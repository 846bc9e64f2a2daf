/* spf_builtin_eval: see spf_builtin_eval.h. */
#include "spf_builtin_eval.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "spfmacro.h"
#include "spfrec.h"
#include "xmalloc.h"

#define SPFE_MAX_SUBS		10	/* MX names / PTR names (4.6.4) */
#define SPFE_MAX_LOOKUPS	250	/* hard stop whatever the records say */
#define SPFE_MAX_DEPTH		16	/* include/redirect nesting */

/* What one mechanism came to. */
enum spfe_m { SPFE_NOMATCH = 0, SPFE_MATCH, SPFE_TEMP, SPFE_PERM };

struct spfe {
	const struct spf_builtin_req *req;
	struct spf_outcome *out;
	struct spfmacro_ctx mc;
	char p[DNS_MAX_NAME + 1];	/* %{p} of the current domain */
	int terms, voids, lookups;
	int reason_set;
};

static void
spfe_reason(struct spfe *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first reason given is the one reported: it is the cause. */
static void
spfe_reason(struct spfe *e, const char *fmt, ...)
{
	va_list ap;

	if (e->reason_set)
		return;
	e->reason_set = 1;
	va_start(ap, fmt);
	vsnprintf(e->out->explanation, sizeof e->out->explanation, fmt, ap);
	va_end(ap);
}

/* One DNS look-up, noted in out->lookups. */
static enum dns_status
spfe_query(struct spfe *e, const char *type, const char *name,
    struct dns_answer *a)
{
	struct dns *d = e->req->dns;

	memset(a, 0, sizeof *a);
	if (++e->lookups > SPFE_MAX_LOOKUPS) {
		snprintf(a->why, sizeof a->why, "more than %d look-ups",
		    SPFE_MAX_LOOKUPS);
		return a->status = DNS_TEMP;
	}
	if (strcmp(type, "TXT") == 0)
		dns_txt(d, name, a);
	else if (strcmp(type, "A") == 0)
		dns_a(d, name, a);
	else if (strcmp(type, "AAAA") == 0)
		dns_aaaa(d, name, a);
	else if (strcmp(type, "MX") == 0)
		dns_mx(d, name, a);
	else
		dns_ptr(d, name, a);
	if (a->status == DNS_TEMP || a->status == DNS_PERM)
		strlist_addf(&e->out->lookups, "%s %s -> %s (%s)", type, name,
		    dns_status_name(a->status), a->why);
	else
		strlist_addf(&e->out->lookups, "%s %s -> %s (%zu)", type, name,
		    dns_status_name(a->status), a->n);
	return a->status;
}

/* A DNS-querying term: the limit of 10 (4.6.4). */
static int
spfe_count(struct spfe *e, const char *what)
{
	if (++e->terms <= SPFREC_MAX_DNS_TERMS)
		return 0;
	spfe_reason(e, "more than %d DNS-querying terms (at %s; RFC 7208 4.6.4)",
	    SPFREC_MAX_DNS_TERMS, what);
	strlist_addf(&e->out->lookups, "stopped: more than %d DNS-querying terms",
	    SPFREC_MAX_DNS_TERMS);
	return -1;
}

/* A look-up with no answer: the limit of 2 void look-ups (4.6.4). */
static int
spfe_void(struct spfe *e, const struct dns_answer *a, const char *name)
{
	if (a->status != DNS_NXDOMAIN && a->status != DNS_NODATA &&
	    !(a->status == DNS_OK && a->n == 0))
		return 0;
	if (++e->voids <= SPFREC_MAX_VOID)
		return 0;
	spfe_reason(e, "more than %d void look-ups (at %s; RFC 7208 4.6.4)",
	    SPFREC_MAX_VOID, name);
	strlist_addf(&e->out->lookups, "stopped: more than %d void look-ups",
	    SPFREC_MAX_VOID);
	return -1;
}

static int
spfe_addr_eq(const struct spfe *e, const void *addr, unsigned prefix)
{
	const unsigned char *a = addr, *b = e->req->addr;
	unsigned full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Does name's A (IPv4 client) or AAAA record set hold the client? */
static enum spfe_m
spfe_host(struct spfe *e, const char *name, unsigned c4, unsigned c6,
    int count_void)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;
	int v4 = e->req->af == AF_INET;
	size_t i;

	spfe_query(e, v4 ? "A" : "AAAA", name, &a);
	if (a.status == DNS_TEMP) {
		if (count_void)
			spfe_reason(e, "%s %s: %s", v4 ? "A" : "AAAA", name,
			    a.why);
		m = SPFE_TEMP;
	} else if (count_void && spfe_void(e, &a, name) == -1)
		m = SPFE_PERM;
	for (i = 0; m == SPFE_NOMATCH && a.status == DNS_OK && i < a.n; i++)
		if (v4 ? spfe_addr_eq(e, &a.a[i], c4) :
		    spfe_addr_eq(e, &a.aaaa[i], c6))
			m = SPFE_MATCH;
	dns_answer_free(&a);
	return m;
}

/*
 * A target name: the domain-spec expanded, or the current domain.  An
 * expansion that cannot be a DNS name (empty or over-long label, too
 * long) returns 1: such a name does not exist (4.3, 4.8).
 */
static int
spfe_target(struct spfe *e, const char *spec, size_t len, const char *domain,
    char *out, size_t n)
{
	const char *why;

	e->mc.d = domain;
	if (spec == NULL) {
		snprintf(out, n, "%s", domain);
		return 0;
	}
	if (spfmacro_domain(spec, len, &e->mc, out, n, &why) == -1) {
		strlist_addf(&e->out->lookups, "name %.*s -> not usable (%s)",
		    (int)(len > 200 ? 200 : len), spec, why);
		return 1;
	}
	return 0;
}

static int
spfe_is_under(const char *name, const char *target)
{
	size_t nl = strlen(name), tl = strlen(target);

	if (nl == tl)
		return strcasecmp(name, target) == 0;
	return nl > tl && name[nl - tl - 1] == '.' &&
	    strcasecmp(name + nl - tl, target) == 0;
}

/*
 * The validated names of the client (5.5): the first 10 PTR names whose
 * own A/AAAA records hold the client.  A DNS error skips a name.  Writes
 * the chosen name into best (size n): one equal to or under target, else
 * the first validated, else "".  Returns the PTR answer's status.
 */
static enum dns_status
spfe_validated(struct spfe *e, const char *target, char *best, size_t n,
    int count_void, int *stop)
{
	struct dns_answer a;
	enum dns_status st;
	size_t i;

	best[0] = '\0';
	st = spfe_query(e, "PTR", e->req->ip_text, &a);
	if (count_void && spfe_void(e, &a, e->req->ip_text) == -1)
		*stop = 1;
	for (i = 0; !*stop && st == DNS_OK && i < a.n && i < SPFE_MAX_SUBS; i++) {
		if (spfe_host(e, a.ptr[i], 32, 128, 0) != SPFE_MATCH)
			continue;
		if (spfe_is_under(a.ptr[i], target)) {
			snprintf(best, n, "%s", a.ptr[i]);
			break;
		}
		if (best[0] == '\0')
			snprintf(best, n, "%s", a.ptr[i]);
	}
	dns_answer_free(&a);
	return st;
}

static enum spf_result spfe_check_host(struct spfe *e, const char *domain,
    int top, int depth);

static enum spfe_m
spfe_include(struct spfe *e, const char *target, int depth)
{
	switch (spfe_check_host(e, target, 0, depth + 1)) {
	case SPF_RES_PASS:
		return SPFE_MATCH;
	case SPF_RES_TEMPERROR:
		return SPFE_TEMP;
	case SPF_RES_PERMERROR:
		return SPFE_PERM;
	case SPF_RES_NONE:
		spfe_reason(e, "include:%s has no SPF record (RFC 7208 5.2)",
		    target);
		return SPFE_PERM;
	default:
		return SPFE_NOMATCH;
	}
}

static enum spfe_m
spfe_mx(struct spfe *e, const char *target, const struct spfrec_term *t)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;
	size_t i;

	spfe_query(e, "MX", target, &a);
	if (a.status == DNS_TEMP) {
		spfe_reason(e, "MX %s: %s", target, a.why);
		m = SPFE_TEMP;
	} else if (spfe_void(e, &a, target) == -1)
		m = SPFE_PERM;
	else if (a.status == DNS_OK && a.n > SPFE_MAX_SUBS) {
		spfe_reason(e, "mx:%s has more than %d MX names (RFC 7208 "
		    "4.6.4)", target, SPFE_MAX_SUBS);
		m = SPFE_PERM;
	}
	for (i = 0; m == SPFE_NOMATCH && a.status == DNS_OK && i < a.n; i++) {
		if (a.mx[i].host[0] == '\0' || strcmp(a.mx[i].host, ".") == 0)
			continue;	/* null MX (RFC 7505): no host */
		if ((m = spfe_host(e, a.mx[i].host, t->cidr4, t->cidr6, 0)) ==
		    SPFE_TEMP)
			spfe_reason(e, "address of MX %s: temporary DNS failure",
			    a.mx[i].host);
	}
	dns_answer_free(&a);
	return m;
}

static enum spfe_m
spfe_exists(struct spfe *e, const char *target)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;

	spfe_query(e, "A", target, &a);
	if (a.status == DNS_TEMP) {
		spfe_reason(e, "A %s: %s", target, a.why);
		m = SPFE_TEMP;
	} else if (spfe_void(e, &a, target) == -1)
		m = SPFE_PERM;
	else if (a.status == DNS_OK && a.n > 0)
		m = SPFE_MATCH;
	dns_answer_free(&a);
	return m;
}

/* %{p} is looked up only when a macro-string asks for it. */
static void
spfe_prepare_p(struct spfe *e, const char *s, size_t len, const char *domain)
{
	int stop = 0;

	if (s == NULL || !spfmacro_uses(s, len, 'p'))
		return;
	spfe_validated(e, domain, e->p, sizeof e->p, 0, &stop);
	e->mc.p = e->p[0] != '\0' ? e->p : "unknown";
}

static enum spfe_m
spfe_ip(const struct spfe *e, const struct spfrec_term *t)
{
	if (t->mech == SPFREC_IP4)
		return e->req->af == AF_INET && spfe_addr_eq(e, t->addr,
		    t->cidr4) ? SPFE_MATCH : SPFE_NOMATCH;
	return e->req->af == AF_INET6 && spfe_addr_eq(e, t->addr, t->cidr6) ?
	    SPFE_MATCH : SPFE_NOMATCH;
}

static enum spfe_m
spfe_mechanism(struct spfe *e, const struct spfrec_term *t,
    const char *domain, int depth)
{
	char target[SPFMACRO_MAX_OUT], what[64], name[DNS_MAX_NAME + 1];
	int stop = 0;

	if (t->mech == SPFREC_ALL)
		return SPFE_MATCH;
	if (t->mech == SPFREC_IP4 || t->mech == SPFREC_IP6)
		return spfe_ip(e, t);
	snprintf(what, sizeof what, "%.*s", (int)(t->text_len > 60 ? 60 :
	    t->text_len), t->text);
	if (spfe_count(e, what) == -1)
		return SPFE_PERM;
	spfe_prepare_p(e, t->spec, t->spec_len, domain);
	if (spfe_target(e, t->spec, t->spec_len, domain, target, sizeof target))
		return t->mech == SPFREC_INCLUDE ? SPFE_PERM : SPFE_NOMATCH;
	switch (t->mech) {
	case SPFREC_INCLUDE:
		return spfe_include(e, target, depth);
	case SPFREC_A:
		return spfe_host(e, target, t->cidr4, t->cidr6, 1);
	case SPFREC_MX:
		return spfe_mx(e, target, t);
	case SPFREC_EXISTS:
		return spfe_exists(e, target);
	default:
		/* ptr: a DNS error on the PTR look-up is no match (5.5). */
		spfe_validated(e, target, name, sizeof name, 1, &stop);
		if (stop)
			return SPFE_PERM;
		return name[0] != '\0' && spfe_is_under(name, target) ?
		    SPFE_MATCH : SPFE_NOMATCH;
	}
}

/* exp= (6.2): any failure on the way means no explanation. */
static void
spfe_explain(struct spfe *e, const struct spfrec *rec, const char *domain)
{
	char name[SPFMACRO_MAX_OUT], text[SPFMACRO_MAX_OUT];
	struct dns_answer a;
	const char *why;
	int ok;

	spfe_prepare_p(e, rec->exp, rec->exp_len, domain);
	if (spfe_target(e, rec->exp, rec->exp_len, domain, name, sizeof name))
		return;
	/* Not counted: the explanation is looked up once, after the
	 * result is known, and a missing one is no void look-up. */
	spfe_query(e, "TXT", name, &a);
	ok = a.status == DNS_OK && a.n == 1 && strlen(a.txt[0]) == a.txt_len[0];
	if (ok)
		spfe_prepare_p(e, a.txt[0], a.txt_len[0], domain);
	if (ok && spfmacro_expand(a.txt[0], a.txt_len[0], SPFMACRO_EXP, &e->mc,
	    text, sizeof text, &why) >= 0) {
		size_t l = strnlen(text, sizeof e->out->explanation - 1);

		memcpy(e->out->explanation, text, l);	/* cut to fit */
		e->out->explanation[l] = '\0';
		e->reason_set = 1;
	}
	dns_answer_free(&a);
}

/* The one SPF record of domain (4.5); -1 with *res when there is none. */
static int
spfe_fetch(struct spfe *e, const char *domain, struct dns_answer *a,
    size_t *which, enum spf_result *res)
{
	size_t i, found = 0;

	spfe_query(e, "TXT", domain, a);
	if (a->status == DNS_TEMP || a->status == DNS_PERM) {
		spfe_reason(e, "TXT %s: %s", domain, a->why);
		*res = a->status == DNS_TEMP ? SPF_RES_TEMPERROR :
		    SPF_RES_PERMERROR;
		return -1;
	}
	for (i = 0; a->status == DNS_OK && i < a->n; i++)
		if (spfrec_is_record(a->txt[i], a->txt_len[i]) && found++ == 0)
			*which = i;
	if (found == 1)
		return 0;
	if (found == 0)
		spfe_reason(e, "no SPF record at %s", domain);
	else
		spfe_reason(e, "%zu SPF records at %s (RFC 7208 4.5)", found,
		    domain);
	*res = found == 0 ? SPF_RES_NONE : SPF_RES_PERMERROR;
	return -1;
}

static enum spf_result
spfe_qual_result(enum spfrec_qual q)
{
	static const enum spf_result r[] = { SPF_RES_PASS, SPF_RES_FAIL,
	    SPF_RES_SOFTFAIL, SPF_RES_NEUTRAL };

	return r[q];
}

static enum spf_result
spfe_redirect(struct spfe *e, const struct spfrec *rec, const char *domain,
    int top, int depth)
{
	char target[SPFMACRO_MAX_OUT];
	enum spf_result r;

	if (spfe_count(e, "redirect") == -1)
		return SPF_RES_PERMERROR;
	spfe_prepare_p(e, rec->redirect, rec->redirect_len, domain);
	if (spfe_target(e, rec->redirect, rec->redirect_len, domain, target,
	    sizeof target)) {
		spfe_reason(e, "redirect= of %s is not a usable name", domain);
		return SPF_RES_PERMERROR;
	}
	if ((r = spfe_check_host(e, target, top, depth + 1)) == SPF_RES_NONE) {
		spfe_reason(e, "redirect=%s has no SPF record (RFC 7208 6.1)",
		    target);
		return SPF_RES_PERMERROR;
	}
	return r;
}

/* Evaluate the terms of rec in order (4.6.2), then redirect (6.1). */
static enum spf_result
spfe_eval(struct spfe *e, const struct spfrec *rec, const char *domain,
    int top, int depth)
{
	const struct spfrec_term *t;
	enum spf_result r;
	size_t i;

	for (i = 0; i < rec->n; i++) {
		t = &rec->terms[i];
		switch (spfe_mechanism(e, t, domain, depth)) {
		case SPFE_NOMATCH:
			continue;
		case SPFE_TEMP:
			return SPF_RES_TEMPERROR;
		case SPFE_PERM:
			return SPF_RES_PERMERROR;
		case SPFE_MATCH:
			break;
		}
		r = spfe_qual_result(t->qual);
		if (top) {
			snprintf(e->out->mechanism, sizeof e->out->mechanism,
			    "%.*s", (int)t->text_len, t->text);
			if (r == SPF_RES_FAIL && rec->exp != NULL)
				spfe_explain(e, rec, domain);
		}
		return r;
	}
	if (rec->redirect != NULL)
		return spfe_redirect(e, rec, domain, top, depth);
	if (top)
		snprintf(e->out->mechanism, sizeof e->out->mechanism, "default");
	return SPF_RES_NEUTRAL;
}

static enum spf_result
spfe_check_host(struct spfe *e, const char *domain, int top, int depth)
{
	struct dns_answer a;
	struct spfrec *rec;
	enum spf_result r;
	const char *why;
	size_t which = 0, pos;

	if (depth > SPFE_MAX_DEPTH) {
		spfe_reason(e, "include/redirect nested too deeply at %s", domain);
		return SPF_RES_PERMERROR;
	}
	if (spfe_fetch(e, domain, &a, &which, &r) == -1) {
		dns_answer_free(&a);
		return r;
	}
	rec = xmalloc(sizeof *rec);
	if (spfrec_parse(a.txt[which], a.txt_len[which], rec, &why, &pos) == -1) {
		spfe_reason(e, "syntax error in the SPF record of %s at byte "
		    "%zu: %s", domain, pos + 1, why);
		r = SPF_RES_PERMERROR;
	} else
		r = spfe_eval(e, rec, domain, top, depth);
	free(rec);
	dns_answer_free(&a);
	return r;
}

enum spf_result
spf_builtin_eval(const struct spf_builtin_req *req, struct spf_outcome *out)
{
	struct spfe e;
	enum spf_result r;

	memset(&e, 0, sizeof e);
	e.req = req;
	e.out = out;
	e.mc.s = req->sender;
	e.mc.l = req->local;
	e.mc.o = req->domain;
	e.mc.d = req->domain;
	e.mc.h = req->helo;
	e.mc.i = req->ip_dotted;
	e.mc.c = req->ip_text;
	e.mc.v = req->af == AF_INET ? "in-addr" : "ip6";
	e.mc.r = req->receiver;
	e.mc.t = (long long)time(NULL);
	r = spfe_check_host(&e, req->domain, 1, 0);
	if (r == SPF_RES_FAIL)
		spfe_reason(&e, "%s does not designate %s as permitted sender",
		    req->domain, req->ip_text);
	else
		spfe_reason(&e, "%s: %s for %s", req->domain,
		    spf_result_name(r), req->ip_text);
	return out->result = r;
}
