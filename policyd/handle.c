/* handle: see handle.h. */
#include "handle.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "domain.h"
#include "log.h"

/* Does name publish a v=DMARC1 TXT record? */
static enum policy_dmarc
handle_dmarc_at(struct dns *dns, const char *domain)
{
	struct dns_answer a;
	enum policy_dmarc r = POLICY_DMARC_ABSENT;
	char name[300];

	if ((size_t)snprintf(name, sizeof name, "_dmarc.%s", domain) >=
	    sizeof name)
		return POLICY_DMARC_ABSENT;
	memset(&a, 0, sizeof a);
	switch (dns_txt(dns, name, &a)) {
	case DNS_OK:
		for (size_t i = 0; i < a.n; i++)
			if (strncasecmp(a.txt[i], "v=DMARC1", 8) == 0 &&
			    (a.txt[i][8] == ';' || a.txt[i][8] == ' ' ||
			    a.txt[i][8] == '\t' || a.txt[i][8] == '\0'))
				r = POLICY_DMARC_PRESENT;
		break;
	case DNS_TEMP:
		r = POLICY_DMARC_TEMP;
		break;
	default:
		/* NXDOMAIN, NODATA, or a malformed answer: no usable policy. */
		break;
	}
	dns_answer_free(&a);
	return r;
}

/* DMARC record for domain, or else for its organizational domain. */
static enum policy_dmarc
handle_dmarc(struct dns *dns, const char *domain)
{
	enum policy_dmarc r;
	char org[300];

	if (*domain == '\0')
		return POLICY_DMARC_ABSENT;
	if ((r = handle_dmarc_at(dns, domain)) != POLICY_DMARC_ABSENT)
		return r;
	if (domain_org(domain, org, sizeof org) == NULL ||
	    strcasecmp(org, domain) == 0)
		return r;
	return handle_dmarc_at(dns, org);
}

static void
handle_log(const struct proto_request *req, const char *result,
    const struct policy_verdict *v)
{
	char client[80], helo[300], sender[600], reason[600];

	log_info("queue_id=%s event=policy client=%s helo=\"%s\" sender=\"%s\" "
	    "spf=%s action=%s reason=\"%s\"",
	    *proto_queue_id(req) ? proto_queue_id(req) : "-",
	    log_quote(proto_client_address(req), client, sizeof client),
	    log_quote(proto_helo_name(req), helo, sizeof helo),
	    log_quote(proto_sender(req), sender, sizeof sender), result,
	    policy_kind_name(v->kind),
	    log_quote(v->reason, reason, sizeof reason));
}

/* The SPF look-ups and the decision for a message not seen before. */
static void
handle_fresh(struct state *st, const struct proto_request *req,
    struct policy_verdict *v)
{
	struct spf_outcome ho, mo;
	struct policy_facts f = { req, NULL, NULL, POLICY_DMARC_UNCHECKED, 0 };
	const char *ip = proto_client_address(req);
	const char *helo = proto_helo_name(req);

	memset(&ho, 0, sizeof ho);
	memset(&mo, 0, sizeof mo);
	if (*helo != '\0') {
		spf_check_helo(st->spf, ip, helo, &ho);
		f.helo = &ho;
	}
	if (*proto_sender(req) != '\0') {
		spf_check(st->spf, ip, helo, proto_sender(req), &mo);
		f.mailfrom = &mo;
	}
	if (policy_wants_dmarc(st->conf, &f))
		f.dmarc = handle_dmarc(st->dns, policy_domain(req));
	policy_decide(st->conf, st->conf->authserv_id, &f, v);
	handle_log(req, f.mailfrom ? spf_result_name(mo.result) :
	    f.helo ? spf_result_name(ho.result) : "none", v);
	spf_outcome_clear(&ho);
	spf_outcome_clear(&mo);
}

void
handle_request(struct handler *h, const struct proto_request *req,
    char *action, size_t n)
{
	struct state *st = live_acquire(h->live);
	struct policy_verdict v;
	const char *skip;
	char key[PROTO_MAX_LINE * 2];
	int keyed;

	if ((skip = policy_skipped(st->conf, &st->skip, req)) != NULL) {
		log_debug("queue_id=%s event=policy-skip reason=\"%s\"",
		    *proto_queue_id(req) ? proto_queue_id(req) : "-", skip);
		snprintf(action, n, "DUNNO");
		live_release(h->live, &st);
		return;
	}
	keyed = cache_key(req, key, sizeof key) == 0;
	if (keyed && cache_get(h->cache, key, time(NULL), &v)) {
		if (v.kind == POLICY_PREPEND || v.kind == POLICY_DUNNO)
			snprintf(v.action, sizeof v.action, "DUNNO");
		snprintf(action, n, "%s", v.action);
		live_release(h->live, &st);
		return;
	}
	handle_fresh(st, req, &v);
	if (keyed)
		cache_put(h->cache, key, time(NULL), &v);
	snprintf(action, n, "%s", v.action);
	live_release(h->live, &st);
}
