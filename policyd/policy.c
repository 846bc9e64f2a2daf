/* policy: see policy.h. */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "header.h"
#include "xmalloc.h"

int
policy_skip_init(struct policy_skip *s, const struct conf *c, char *why,
    size_t n)
{
	const struct strlist *l = &c->policyd.spf.skip_addresses;
	s->addrs = xcalloc(l->n, sizeof *s->addrs);
	s->n_addrs = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (domain_cidr_parse(l->v[i], &s->addrs[i]) == -1) {
			snprintf(why, n, "policyd.spf.skip_addresses: \"%s\": "
			    "not an address or network", l->v[i]);
			policy_skip_clear(s);
			return -1;
		}
		s->n_addrs++;
	}
	return 0;
}

void
policy_skip_clear(struct policy_skip *s)
{
	free(s->addrs);
	s->addrs = NULL;
	s->n_addrs = 0;
}

const char *
policy_domain(const struct proto_request *req)
{
	const char *sender = proto_sender(req), *at;

	if (*sender == '\0')
		return proto_helo_name(req);
	at = strrchr(sender, '@');
	return at != NULL ? at + 1 : sender;
}

/* d equals an entry or lies below it ("mail.example.com", "example.com"). */
static int
policy_domain_in(const char *d, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (domain_is_subdomain(d, l->v[i] + (l->v[i][0] == '.')))
			return 1;
	return 0;
}

static int
policy_client_in(const struct policy_skip *s, const char *ip)
{
	for (size_t i = 0; i < s->n_addrs; i++)
		if (domain_cidr_match(&s->addrs[i], ip))
			return 1;
	return 0;
}

const char *
policy_skipped(const struct conf *c, const struct policy_skip *s,
    const struct proto_request *req)
{
	const char *domain = policy_domain(req);

	if (strcasecmp(proto_protocol_state(req), "RCPT") != 0)
		return "not the RCPT stage";
	if (*proto_client_address(req) == '\0')
		return "no client address";
	if (policy_client_in(s, proto_client_address(req)))
		return "client in skip_addresses";
	if (c->policyd.spf.skip_authenticated && *proto_sasl_username(req))
		return "authenticated client";
	if (*proto_helo_name(req) != '\0' &&
	    strlist_contains(&c->policyd.spf.skip_helo, proto_helo_name(req)))
		return "HELO name in skip_helo";
	if (*domain != '\0' &&
	    policy_domain_in(domain, &c->policyd.spf.skip_domains))
		return "domain in skip_domains";
	return NULL;
}

/* A HELO fail blocks before MAIL FROM is looked at (non-null sender). */
static int
policy_helo_blocks(const struct conf *c, const struct policy_facts *f)
{
	return f->helo != NULL && f->mailfrom != NULL &&
	    f->helo->result == SPF_RES_FAIL &&
	    c->policyd.spf.helo_fail != CONF_SPF_PREPEND;
}

/* The outcome the verdict and the header are about. */
static const struct spf_outcome *
policy_identity(const struct policy_facts *f, int *helo_id)
{
	*helo_id = f->mailfrom == NULL;
	return f->mailfrom != NULL ? f->mailfrom : f->helo;
}

static enum conf_spf_action
policy_action(const struct conf *c, enum spf_result r, int helo_id)
{
	switch (r) {
	case SPF_RES_FAIL:
		return helo_id ? c->policyd.spf.helo_fail :
		    c->policyd.spf.mailfrom_fail;
	case SPF_RES_SOFTFAIL:
		return c->policyd.spf.softfail;
	case SPF_RES_PERMERROR:
		return c->policyd.spf.permerror;
	case SPF_RES_TEMPERROR:
		return c->policyd.spf.temperror;
	default:
		return CONF_SPF_PREPEND;
	}
}

int
policy_wants_dmarc(const struct conf *c, const struct policy_facts *f)
{
	const struct spf_outcome *id;
	int helo_id;

	if (!c->policyd.spf.dmarc_aware || policy_helo_blocks(c, f))
		return 0;
	if ((id = policy_identity(f, &helo_id)) == NULL ||
	    id->result != SPF_RES_FAIL)
		return 0;
	return policy_action(c, id->result, helo_id) != CONF_SPF_PREPEND;
}

/* "550 5.7.23 SPF fail for bob@example.com: text" and friends. */
static void
policy_block(enum conf_spf_action act, const struct spf_outcome *o,
    const char *who, struct policy_verdict *v)
{
	char text[400], name[300];
	int temp = o->result == SPF_RES_TEMPERROR;
	int error = temp || o->result == SPF_RES_PERMERROR;

	header_clean(o->explanation[0] ? o->explanation :
	    "sending host not permitted", NULL, text, sizeof text);
	header_clean(who, NULL, name, sizeof name);
	if (act == CONF_SPF_DEFER) {
		v->kind = POLICY_DEFER;
		snprintf(v->action, sizeof v->action, "DEFER_IF_PERMIT 4.7.%s "
		    "SPF %s for %s: %s", error ? "24" : "23",
		    spf_result_name(o->result), name, text);
		return;
	}
	/* STYLE.md 4: a temporary error never becomes a 5xx. */
	v->kind = temp ? POLICY_DEFER : POLICY_REJECT;
	snprintf(v->action, sizeof v->action, "%s SPF %s for %s: %s",
	    temp ? "451 4.7.24" : error ? "550 5.7.24" : "550 5.7.23",
	    spf_result_name(o->result), name, text);
}

static void
policy_prepend(const struct conf *c, const char *receiver,
    const struct policy_facts *f, const struct spf_outcome *o, int helo_id,
    struct policy_verdict *v)
{
	struct header_input in = { receiver, proto_client_address(f->req),
	    proto_helo_name(f->req), proto_sender(f->req), helo_id, o };
	char hdr[PROTO_MAX_ACTION - 16];

	if (f->header_done) {
		v->kind = POLICY_DUNNO;
		snprintf(v->reason, sizeof v->reason,
		    "header already added to this message");
		return;
	}
	header_build(c->policyd.spf.header, &in, hdr, sizeof hdr);
	v->kind = POLICY_PREPEND;
	snprintf(v->action, sizeof v->action, "PREPEND %s", hdr);
}

void
policy_decide(const struct conf *c, const char *receiver,
    const struct policy_facts *f, struct policy_verdict *v)
{
	const struct spf_outcome *id;
	enum conf_spf_action act;
	int helo_id;

	memset(v, 0, sizeof *v);
	snprintf(v->action, sizeof v->action, "DUNNO");
	if (policy_helo_blocks(c, f)) {
		snprintf(v->reason, sizeof v->reason, "HELO %s fails SPF",
		    proto_helo_name(f->req));
		policy_block(c->policyd.spf.helo_fail, f->helo,
		    proto_helo_name(f->req), v);
		return;
	}
	if ((id = policy_identity(f, &helo_id)) == NULL) {
		snprintf(v->reason, sizeof v->reason,
		    "no HELO name and null sender");
		return;
	}
	act = policy_action(c, id->result, helo_id);
	snprintf(v->reason, sizeof v->reason, "%s %s, action %s",
	    helo_id ? "helo" : "mailfrom", spf_result_name(id->result),
	    act == CONF_SPF_REJECT ? "reject" : act == CONF_SPF_DEFER ?
	    "defer_if_permit" : "prepend");
	if (act != CONF_SPF_PREPEND && policy_wants_dmarc(c, f)) {
		if (f->dmarc == POLICY_DMARC_PRESENT) {
			snprintf(v->reason, sizeof v->reason, "SPF fail but %s "
			    "publishes DMARC: header only, the milter decides",
			    policy_domain(f->req));
			act = CONF_SPF_PREPEND;
		} else if (f->dmarc == POLICY_DMARC_TEMP) {
			snprintf(v->reason, sizeof v->reason, "SPF fail and the "
			    "DMARC look-up for %s failed temporarily",
			    policy_domain(f->req));
			v->kind = POLICY_DEFER;
			snprintf(v->action, sizeof v->action, "DEFER_IF_PERMIT "
			    "4.7.24 SPF fail for %s and its DMARC record could "
			    "not be looked up, try again later",
			    policy_domain(f->req));
			return;
		}
	}
	if (act == CONF_SPF_PREPEND)
		policy_prepend(c, receiver, f, id, helo_id, v);
	else
		policy_block(act, id, id->sender[0] ? id->sender :
		    policy_domain(f->req), v);
}

const char *
policy_kind_name(enum policy_kind k)
{
	static const char *const names[] = {
		"dunno", "prepend", "reject", "defer"
	};

	return (unsigned)k < 4 ? names[k] : "unknown";
}
