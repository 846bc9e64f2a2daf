/* dmarccheck: see dmarccheck.h. */
#include "dmarccheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authres.h"
#include "dkverify.h"
#include "dmarcfind.h"
#include "domain.h"
#include "history.h"
#include "log.h"

#define DMARCCHECK_MAX_DKIM 16

static enum dmarc_auth
dmarccheck_spf_auth(enum spf_result r)
{
	switch (r) {
	case SPF_RES_PASS: return DMARC_AUTH_PASS;
	case SPF_RES_FAIL: return DMARC_AUTH_FAIL;
	case SPF_RES_SOFTFAIL: return DMARC_AUTH_SOFTFAIL;
	case SPF_RES_NEUTRAL: return DMARC_AUTH_NEUTRAL;
	case SPF_RES_TEMPERROR: return DMARC_AUTH_TEMPERROR;
	case SPF_RES_PERMERROR: return DMARC_AUTH_PERMERROR;
	default: return DMARC_AUTH_NONE;
	}
}

static enum dmarc_auth
dmarccheck_dkim_auth(enum dkverify_status st)
{
	switch (st) {
	case DKVERIFY_PASS: return DMARC_AUTH_PASS;
	case DKVERIFY_FAIL: return DMARC_AUTH_FAIL;
	case DKVERIFY_TEMPERROR: return DMARC_AUTH_TEMPERROR;
	case DKVERIFY_PERMERROR: return DMARC_AUTH_PERMERROR;
	case DKVERIFY_POLICY: return DMARC_AUTH_POLICY;
	default: return DMARC_AUTH_NEUTRAL;
	}
}

/* The author domain: the From header's one domain (several: multi_from). */
static int
dmarccheck_author(const struct session *s, struct dmarc_input *in,
    struct dmarccheck_outcome *out)
{
	const char *from = session_header(s, "From");
	struct domain_from df;
	const char *why = NULL;

	if (from == NULL ||
	    domain_from_header(from, strlen(from), &df, &why) == -1) {
		snprintf(out->verdict.reason, sizeof out->verdict.reason,
		    "no usable From header: %s", why ? why : "missing");
		return -1;
	}
	snprintf(out->author_domain, sizeof out->author_domain, "%s", df.domain);
	in->author_domain = out->author_domain;
	in->n_author_domains = df.n_domains;
	return 0;
}

static void
dmarccheck_history(const struct session *s, const struct spf_outcome *spf,
    const struct dkverify_result *dk, size_t ndk,
    const struct dmarcfind_result *f, const struct dmarccheck_outcome *o)
{
	struct history_dkim hd[DMARCCHECK_MAX_DKIM];
	const struct dmarc_verdict *v = &o->verdict;
	const struct dmarc_record *r = &f->record;
	struct history_row row;
	const char *why = NULL;
	size_t n = ndk < DMARCCHECK_MAX_DKIM ? ndk : DMARCCHECK_MAX_DKIM;

	if (s->rt->history == NULL || f->found != DMARC_FOUND_RECORD)
		return;
	for (size_t i = 0; i < n; i++) {
		hd[i].domain = dk[i].domain;
		hd[i].selector = dk[i].selector;
		hd[i].result = dkverify_status_name(dk[i].status);
	}
	memset(&row, 0, sizeof row);
	row.time = time(NULL);
	row.source_ip = s->client_ip;
	row.header_from = o->author_domain;
	row.envelope_from = s->mail_from;
	row.envelope_to = s->rcpt_domain;
	row.spf_domain = spf->domain;
	row.spf_scope = strcmp(spf->identity, "helo") == 0 ? "helo" : "mfrom";
	row.spf_result = spf_result_name(spf->result);
	row.dkim = hd;
	row.n_dkim = n;
	row.policy_domain = f->policy_domain;
	row.discovery = f->mode == DMARCFIND_PSL ? "psl" : "treewalk";
	row.p = dmarcrec_policy_name(r->p);
	row.sp = dmarcrec_policy_name(r->sp);
	row.np = dmarcrec_policy_name(r->np);
	row.adkim = r->adkim == DMARC_ALIGN_STRICT ? "s" : "r";
	row.aspf = r->aspf == DMARC_ALIGN_STRICT ? "s" : "r";
	row.pct = (int)r->pct;
	row.testing = r->testing;
	row.fo = r->fo;
	row.rua = r->n_rua > 0 ? r->rua[0] : "";
	row.disposition = dmarcrec_policy_name(v->disposition);
	row.dmarc_dkim = v->dkim_aligned ? "pass" : "fail";
	row.dmarc_spf = v->spf_aligned ? "pass" : "fail";
	row.override = dmarc_override_name(v->override);
	row.reason = v->reason;
	if (history_add(s->rt->history, &row, &why) == -1)
		log_warnx("queue_id=%s event=dmarc-history-failed reason=\"%s\"",
		    s->queue_id, why ? why : "unknown");
}

static void
dmarccheck_authres(struct authres *ar, const struct dmarccheck_outcome *o)
{
	const struct dmarc_verdict *v = &o->verdict;

	authres_add(ar, "dmarc", dmarc_result_name(v->result),
	    v->result == DMARC_RESULT_PASS ? NULL : v->reason, NULL);
	if (o->author_domain[0] != '\0')
		authres_prop(ar, "header.from", o->author_domain);
	if (v->result != DMARC_RESULT_NONE && v->policy != DMARC_POLICY_UNSET)
		authres_prop(ar, "policy.dmarc",
		    dmarcrec_policy_name(v->policy));
}

/* Organizational domains of the identifiers that passed, by the same
 * method as the author's (RFC 9989 tree walk, or the PSL: NULL). */
struct dmarccheck_orgs {
	char dkim[DMARCCHECK_MAX_DKIM][DMARCFIND_NAME];
	char spf[DMARCFIND_NAME];
};

static const char *
dmarccheck_org(struct session *s, enum dmarcfind_mode mode, const char *d,
    char *buf)
{
	if (mode != DMARCFIND_TREEWALK || d == NULL || *d == '\0' ||
	    dmarcfind_org(s->rt->dns, d, mode, buf, DMARCFIND_NAME) == -1)
		return NULL;
	return buf;
}

static void
dmarccheck_inputs(struct session *s, const struct spf_outcome *spf,
    const struct dkverify_result *dk, size_t ndk, struct dmarc_dkim *dd,
    struct dmarcfind_result *f, struct dmarccheck_orgs *orgs,
    struct dmarc_input *in)
{
	size_t n = ndk < DMARCCHECK_MAX_DKIM ? ndk : DMARCCHECK_MAX_DKIM;
	enum dmarcfind_mode mode =
	    s->rt->conf->milter.dmarc.discovery == CONF_DISCOVERY_PSL ?
	    DMARCFIND_PSL : DMARCFIND_TREEWALK;

	in->found = dmarcfind_lookup(s->rt->dns, in->author_domain, mode, f);
	in->record = &f->record;
	in->policy_domain = f->policy_domain;
	in->org_domain = f->org_domain[0] ? f->org_domain : NULL;
	/* np (RFC 9989) only matters below the policy domain. */
	if (in->found == DMARC_FOUND_RECORD &&
	    strcasecmp(in->author_domain, f->policy_domain) != 0)
		in->author_nonexistent =
		    dmarcfind_exists(s->rt->dns, in->author_domain) == 0;
	in->spf = dmarccheck_spf_auth(spf->result);
	in->spf_domain = spf->domain;
	if (in->spf == DMARC_AUTH_PASS)
		in->spf_org = dmarccheck_org(s, mode, spf->domain, orgs->spf);
	for (size_t i = 0; i < n; i++) {
		dd[i].domain = dk[i].domain;
		dd[i].selector = dk[i].selector;
		dd[i].result = dmarccheck_dkim_auth(dk[i].status);
		dd[i].org = dd[i].result != DMARC_AUTH_PASS ? NULL :
		    dmarccheck_org(s, mode, dk[i].domain, orgs->dkim[i]);
	}
	in->dkim = dd;
	in->n_dkim = n;
	in->sample = arc4random_uniform(100);
}

/* Too large for a milter thread's stack, so one allocation per message. */
struct dmarccheck_work {
	struct dmarcfind_result found;
	struct dmarccheck_orgs orgs;
	struct dmarc_dkim dkim[DMARCCHECK_MAX_DKIM];
};

void
dmarccheck_run(struct session *s, const struct spf_outcome *spf,
    const struct dkverify_result *dk, size_t ndk, struct authres *ar,
    struct dmarccheck_outcome *out)
{
	struct dmarccheck_work *w = calloc(1, sizeof *w);
	struct dmarcfind_result *f = w ? &w->found : NULL;
	struct dmarc_input in;
	char reason[256];

	memset(out, 0, sizeof *out);
	memset(&in, 0, sizeof in);
	if (w == NULL || dmarccheck_author(s, &in, out) == -1) {
		out->verdict.result = DMARC_RESULT_NONE;
		free(w);
		authres_add(ar, "dmarc", "none", out->verdict.reason, NULL);
		return;
	}
	dmarccheck_inputs(s, spf, dk, ndk, w->dkim, f, &w->orgs, &in);
	dmarc_evaluate(&in, &out->verdict);
	snprintf(out->policy_domain, sizeof out->policy_domain, "%s",
	    f->policy_domain);
	out->evaluated = 1;
	dmarccheck_authres(ar, out);
	dmarccheck_history(s, spf, dk, ndk, f, out);
	log_info("queue_id=%s event=dmarc header_from=%s policy_domain=%s "
	    "result=%s policy=%s disposition=%s reason=\"%s\"", s->queue_id,
	    out->author_domain, f->policy_domain,
	    dmarc_result_name(out->verdict.result),
	    dmarcrec_policy_name(out->verdict.policy),
	    dmarcrec_policy_name(out->verdict.disposition),
	    log_quote(out->verdict.reason, reason, sizeof reason));
	free(w);
}

int
dmarccheck_enforced(const struct session *s, const struct dmarccheck_outcome *o)
{
	const struct conf *c = s->rt->conf;

	if (!c->milter.dmarc.enforce || !o->evaluated)
		return 0;
	for (size_t i = 0; i < c->milter.dmarc.no_enforce_domains.n; i++) {
		const char *d = c->milter.dmarc.no_enforce_domains.v[i];

		if (domain_is_subdomain(o->author_domain, d) ||
		    domain_is_subdomain(o->policy_domain, d))
			return 0;
	}
	return 1;
}
