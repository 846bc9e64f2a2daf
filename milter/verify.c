/* verify: see verify.h. */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "dkverify.h"
#include "log.h"

int
verify_start(struct session *s, char *why, size_t n)
{
	s->verifier = dkverify_new(s->rt->vlib, s->rt->conf->milter.max_signatures);
	if (s->verifier == NULL) {
		snprintf(why, n, "verifier could not start");
		return -1;
	}
	for (size_t i = 0; i < s->n_hdrs; i++)
		dkverify_header(s->verifier, s->hdrs[i].name, s->hdrs[i].value);
	return dkverify_eoh(s->verifier);
}

int
verify_body(struct session *s, const unsigned char *buf, size_t len)
{
	if (s->verifier == NULL)
		return 0;
	return dkverify_body(s->verifier, buf, len);
}

static void
verify_log(const struct session *s, const struct dkverify_result *r)
{
	char reason[256];

	log_info("queue_id=%s event=dkim-verify d=%s s=%s a=%s result=%s "
	    "reason=\"%s\"", s->queue_id, r->domain, r->selector, r->algorithm,
	    dkverify_status_name(r->status),
	    log_quote(r->reason, reason, sizeof reason));
}

/* One dkim= entry; properties the signature did not carry are left out. */
static void
verify_add(struct authres *ar, const struct dkverify_result *r)
{
	const char *props[][2] = { { "header.d", r->domain },
		{ "header.s", r->selector }, { "header.a", r->algorithm },
		{ "header.b", r->b } };

	authres_add(ar, "dkim", dkverify_status_name(r->status),
	    r->status == DKVERIFY_PASS ? NULL : r->reason, NULL);
	for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
		if (props[i][1][0] != '\0')
			authres_prop(ar, props[i][0], props[i][1]);
}

/* Signatures beyond milter.max_signatures are not checked (a message with
 * hundreds of them must not cost hundreds of DNS look-ups); one entry says so. */
static void
verify_over_limit(const struct session *s, struct authres *ar, size_t nres)
{
	char reason[128];
	int max = s->rt->conf->milter.max_signatures;

	snprintf(reason, sizeof reason, "%zu more signatures not verified "
	    "(limit %d)", nres - (size_t)max, max);
	authres_add(ar, "dkim", "neutral", reason, NULL);
	log_info("queue_id=%s event=dkim-limit signatures=%zu verified=%d",
	    s->queue_id, nres, max);
}

int
verify_finish(struct session *s, struct authres *ar,
    struct verify_outcome *out, char *why, size_t n)
{
	struct dkverify_result *res = NULL;
	size_t nres = 0;

	memset(out, 0, sizeof *out);
	if (s->verifier != NULL && dkverify_eom(s->verifier, &res, &nres) == -1) {
		snprintf(why, n, "verification failed to complete");
		return -1;
	}
	for (size_t i = 0; i < nres; i++) {
		if ((int)i >= s->rt->conf->milter.max_signatures)
			break;
		verify_log(s, &res[i]);
		verify_add(ar, &res[i]);
		out->passes += res[i].status == DKVERIFY_PASS;
		out->temperror |= res[i].status == DKVERIFY_TEMPERROR;
	}
	if (nres == 0)
		authres_add(ar, "dkim", "none", NULL, NULL);
	else if (nres > (size_t)s->rt->conf->milter.max_signatures)
		verify_over_limit(s, ar, nres);
	out->count = (int)nres;
	s->dkres = res;		/* kept for DMARC, freed with the message */
	s->n_dkres = nres;
	return 0;
}
