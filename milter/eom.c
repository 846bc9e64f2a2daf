/* eom: see eom.h. */
#include "eom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "log.h"
#include "dmarccheck.h"
#include "spfcheck.h"
#include "sign.h"
#include "strlist.h"
#include "verify.h"
#include "xmalloc.h"

/*
 * With SMFIP_HDR_LEADSPC the MTA adds our header values as given, so the
 * space after the colon is ours to supply (the signer's values carry it:
 * it is part of what was signed).
 */
static int
eom_insert(SMFICTX *ctx, const struct session *s, const char *name,
    const char *value)
{
	char *v;
	int r;

	if (!(s->proto_flags & SMFIP_HDR_LEADSPC) || *value == ' ' ||
	    *value == '\t')
		return smfi_insheader(ctx, 0, (char *)name, (char *)value);
	v = xasprintf(" %s", value);
	r = smfi_insheader(ctx, 0, (char *)name, v);
	free(v);
	return r;
}

static sfsistat
eom_sign_failed(const struct session *s, const char *why)
{
	int tempfail = s->rt->conf->milter.on_sign_error == CONF_ON_ERROR_TEMPFAIL;

	log_warnx("queue_id=%s event=sign-error reason=\"%s\" action=%s",
	    s->queue_id, why, tempfail ? "tempfail" : "deliver-unsigned");
	return tempfail ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}

sfsistat
eom_sign(SMFICTX *ctx, struct session *s)
{
	struct strlist sigs = { 0 };
	char why[512];

	if (s->signer == NULL)
		return s->too_big ? eom_sign_failed(s, "headers too large") :
		    SMFIS_ACCEPT;
	if (sign_finish(s, &sigs, why, sizeof why) == -1)
		return eom_sign_failed(s, why);
	/* Insert the last first so the first key's signature ends on top. */
	for (size_t i = sigs.n; i-- > 0;)
		if (eom_insert(ctx, s, "DKIM-Signature", sigs.v[i]) == MI_FAILURE) {
			strlist_clear(&sigs);
			return eom_sign_failed(s, "MTA refused the header");
		}
	log_info("queue_id=%s event=signed signatures=%zu %s", s->queue_id,
	    sigs.n, s->sign_desc);
	strlist_clear(&sigs);
	return SMFIS_ACCEPT;
}

static void
eom_remove_forged(SMFICTX *ctx, const struct session *s)
{
	/* Highest index first: removing one renumbers those after it. */
	for (size_t i = s->n_ar_forged; i-- > 0;) {
		smfi_chgheader(ctx, "Authentication-Results", s->ar_forged[i], NULL);
		log_info("queue_id=%s event=authres-removed index=%d "
		    "reason=\"claims our authserv-id\"", s->queue_id,
		    s->ar_forged[i]);
	}
}

/* spf= entry: smtp.mailfrom for a MAIL FROM check, smtp.helo for HELO. */
static void
eom_spf(struct session *s, struct authres *ar, struct spf_outcome *spf)
{
	int helo;

	spfcheck_run(s, spf);
	helo = strcmp(spf->identity, "helo") == 0;
	authres_add(ar, "spf", spf_result_name(spf->result), NULL, NULL);
	if (helo && s->helo[0] != '\0')
		authres_prop(ar, "smtp.helo", s->helo);
	else if (spf->sender[0] != '\0')
		authres_prop(ar, "smtp.mailfrom", spf->sender);
}

static sfsistat
eom_authres(SMFICTX *ctx, struct session *s, struct authres *ar)
{
	char *value = NULL;

	if (authres_format(ar, &value) == -1 ||
	    eom_insert(ctx, s, "Authentication-Results", value) == MI_FAILURE)
		log_warnx("queue_id=%s event=authres-insert-failed", s->queue_id);
	free(value);
	return SMFIS_ACCEPT;
}

/*
 * DMARC enforcement (never for outbound mail, which does not come here):
 * reject with 550 5.7.1 and the reason, or quarantine into Postfix's hold
 * queue.  Returns 1 when the message is rejected (*r set).
 */
static int
eom_dmarc_enforce(SMFICTX *ctx, struct session *s,
    const struct dmarccheck_outcome *dm, sfsistat *r)
{
	char text[1024];

	if (!dmarccheck_enforced(s, dm) ||
	    dm->verdict.disposition == DMARC_POLICY_NONE ||
	    dm->verdict.disposition == DMARC_POLICY_UNSET)
		return 0;
	if (dm->verdict.disposition == DMARC_POLICY_QUARANTINE) {
		snprintf(text, sizeof text, "DMARC policy of %s: quarantine",
		    dm->policy_domain);
		if (smfi_quarantine(ctx, text) == MI_FAILURE)
			log_warnx("queue_id=%s event=quarantine-failed", s->queue_id);
		log_info("queue_id=%s event=dmarc-quarantine header_from=%s",
		    s->queue_id, dm->author_domain);
		return 0;
	}
	snprintf(text, sizeof text, "Message rejected by the DMARC policy of "
	    "%s: %s", dm->policy_domain, dm->verdict.reason);
	for (char *p = text; *p; p++)	/* a reply line must stay one line */
		if (*p == '\r' || *p == '\n' || *p == '%')
			*p = ' ';
	smfi_setreply(ctx, "550", "5.7.1", text);
	log_info("queue_id=%s event=dmarc-reject header_from=%s",
	    s->queue_id, dm->author_domain);
	*r = SMFIS_REJECT;
	return 1;
}

sfsistat
eom_verify(SMFICTX *ctx, struct session *s)
{
	struct verify_outcome out;
	struct spf_outcome spf;
	struct dmarccheck_outcome dm;
	struct authres *ar = authres_new(s->rt->conf->authserv_id);
	char why[512];
	sfsistat r;
	int tempfail = s->rt->conf->milter.on_verify_temperror ==
	    CONF_ON_ERROR_TEMPFAIL;

	eom_spf(s, ar, &spf);
	if (verify_finish(s, ar, &out, why, sizeof why) == -1)
		log_warnx("queue_id=%s event=verify-error reason=\"%s\"",
		    s->queue_id, why);
	dmarccheck_run(s, &spf, s->dkres, s->n_dkres, ar, &dm);
	eom_remove_forged(ctx, s);
	if (eom_dmarc_enforce(ctx, s, &dm, &r)) {
		/* Rejected: no header to add. */
	} else if (out.temperror && tempfail) {
		log_info("queue_id=%s event=verify-temperror action=tempfail",
		    s->queue_id);
		r = SMFIS_TEMPFAIL;
	} else
		r = eom_authres(ctx, s, ar);
	spf_outcome_clear(&spf);
	authres_free(&ar);
	return r;
}
