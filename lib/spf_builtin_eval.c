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

#include "spf_builtin_dns.h"
#include "xmalloc.h"

#define SPFE_MAX_DEPTH		16	/* include/redirect nesting */

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
		spf_builtin_dns_reason(e, "include:%s has no SPF record (RFC 7208 5.2)",
		    target);
		return SPFE_PERM;
	default:
		return SPFE_NOMATCH;
	}
}

/* %{p} is looked up only when a macro-string asks for it. */
static void
spfe_prepare_p(struct spfe *e, const char *s, size_t len, const char *domain)
{
	int stop = 0;

	if (s == NULL || !spfmacro_uses(s, len, 'p'))
		return;
	spf_builtin_dns_validated(e, domain, e->p, sizeof e->p, 0, &stop);
	e->mc.p = e->p[0] != '\0' ? e->p : "unknown";
}

static enum spfe_m
spfe_ip(const struct spfe *e, const struct spfrec_term *t)
{
	if (t->mech == SPFREC_IP4)
		return e->req->af == AF_INET && spf_builtin_dns_addr_eq(e, t->addr,
		    t->cidr4) ? SPFE_MATCH : SPFE_NOMATCH;
	return e->req->af == AF_INET6 && spf_builtin_dns_addr_eq(e, t->addr, t->cidr6) ?
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
	if (spf_builtin_dns_count(e, what) == -1)
		return SPFE_PERM;
	spfe_prepare_p(e, t->spec, t->spec_len, domain);
	if (spf_builtin_dns_target(e, t->spec, t->spec_len, domain, target, sizeof target))
		return t->mech == SPFREC_INCLUDE ? SPFE_PERM : SPFE_NOMATCH;
	switch (t->mech) {
	case SPFREC_INCLUDE:
		return spfe_include(e, target, depth);
	case SPFREC_A:
		return spf_builtin_dns_host(e, target, t->cidr4, t->cidr6, 1);
	case SPFREC_MX:
		return spf_builtin_dns_mx(e, target, t);
	case SPFREC_EXISTS:
		return spf_builtin_dns_exists(e, target);
	default:
		/* ptr: a DNS error on the PTR look-up is no match (5.5). */
		spf_builtin_dns_validated(e, target, name, sizeof name, 1, &stop);
		if (stop)
			return SPFE_PERM;
		return name[0] != '\0' && spf_builtin_dns_is_under(name, target) ?
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
	if (spf_builtin_dns_target(e, rec->exp, rec->exp_len, domain, name, sizeof name))
		return;
	/* Not counted: the explanation is looked up once, after the
	 * result is known, and a missing one is no void look-up. */
	spf_builtin_dns_query(e, "TXT", name, &a);
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

	spf_builtin_dns_query(e, "TXT", domain, a);
	if (a->status == DNS_TEMP || a->status == DNS_PERM) {
		spf_builtin_dns_reason(e, "TXT %s: %s", domain, a->why);
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
		spf_builtin_dns_reason(e, "no SPF record at %s", domain);
	else
		spf_builtin_dns_reason(e, "%zu SPF records at %s (RFC 7208 4.5)", found,
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

	if (spf_builtin_dns_count(e, "redirect") == -1)
		return SPF_RES_PERMERROR;
	spfe_prepare_p(e, rec->redirect, rec->redirect_len, domain);
	if (spf_builtin_dns_target(e, rec->redirect, rec->redirect_len, domain, target,
	    sizeof target)) {
		spf_builtin_dns_reason(e, "redirect= of %s is not a usable name", domain);
		return SPF_RES_PERMERROR;
	}
	if ((r = spfe_check_host(e, target, top, depth + 1)) == SPF_RES_NONE) {
		spf_builtin_dns_reason(e, "redirect=%s has no SPF record (RFC 7208 6.1)",
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
		spf_builtin_dns_reason(e, "include/redirect nested too deeply at %s", domain);
		return SPF_RES_PERMERROR;
	}
	if (spfe_fetch(e, domain, &a, &which, &r) == -1) {
		dns_answer_free(&a);
		return r;
	}
	rec = xmalloc(sizeof *rec);
	if (spfrec_parse(a.txt[which], a.txt_len[which], rec, &why, &pos) == -1) {
		spf_builtin_dns_reason(e, "syntax error in the SPF record of %s at byte "
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
		spf_builtin_dns_reason(&e, "%s does not designate %s as permitted sender",
		    req->domain, req->ip_text);
	else
		spf_builtin_dns_reason(&e, "%s: %s for %s", req->domain,
		    spf_result_name(r), req->ip_text);
	return out->result = r;
}
