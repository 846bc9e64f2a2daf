/* eom: see eom.h. */
#include "eom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
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
	log_info("queue_id=%s event=signed signatures=%zu", s->queue_id, sigs.n);
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

sfsistat
eom_verify(SMFICTX *ctx, struct session *s)
{
	struct verify_outcome out;
	char why[512];
	int tempfail = s->rt->conf->milter.on_verify_temperror ==
	    CONF_ON_ERROR_TEMPFAIL;

	if (verify_finish(s, &out, why, sizeof why) == -1) {
		log_warnx("queue_id=%s event=verify-error reason=\"%s\"",
		    s->queue_id, why);
		return SMFIS_ACCEPT;
	}
	eom_remove_forged(ctx, s);
	if (out.temperror && tempfail) {
		free(out.authres);
		log_info("queue_id=%s event=verify-temperror action=tempfail",
		    s->queue_id);
		return SMFIS_TEMPFAIL;
	}
	if (eom_insert(ctx, s, "Authentication-Results", out.authres) == MI_FAILURE)
		log_warnx("queue_id=%s event=authres-insert-failed", s->queue_id);
	free(out.authres);
	return SMFIS_ACCEPT;
}
