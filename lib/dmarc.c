/*
 * dmarc: see dmarc.h.  The DMARC verdict, pure: alignment, result, policy
 * selection, pct and t=y; and the names of results and overrides.
 */
#include "dmarc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain.h"

/* The organizational domain of d: given, or by the PSL; a public suffix
 * is its own (RFC 9989 4.10.2 makes the starting domain the fallback). */
static const char *
dmarc_org(const char *d, const char *given, char *buf, size_t n)
{
	if (given != NULL && *given != '\0')
		return given;
	if (domain_org(d, buf, n) != NULL)
		return buf;
	snprintf(buf, n, "%s", d);
	return buf;
}

/* Identifier alignment (RFC 7489 3.1): strict = the same name; relaxed =
 * the same organizational domain. */
static int
dmarc_aligned(const char *id, const char *id_org, const struct dmarc_input *in,
    enum dmarc_align mode)
{
	char b1[DMARC_MAX_DOMAIN + 1], b2[DMARC_MAX_DOMAIN + 1];

	if (id == NULL || *id == '\0')
		return 0;
	if (mode == DMARC_ALIGN_STRICT)
		return domain_aligned(id, in->author_domain, 1);
	return strcasecmp(dmarc_org(id, id_org, b1, sizeof b1),
	    dmarc_org(in->author_domain, in->org_domain, b2, sizeof b2)) == 0;
}

static void dmarc_append(struct dmarc_verdict *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
dmarc_append(struct dmarc_verdict *v, const char *fmt, ...)
{
	size_t o = strlen(v->reason);
	va_list ap;

	if (o + 1 >= sizeof v->reason)
		return;
	va_start(ap, fmt);
	vsnprintf(v->reason + o, sizeof v->reason - o, fmt, ap);
	va_end(ap);
}

/* Finds aligned passes; returns 1 when an unaligned-or-not check had a
 * temporary error (RFC 9989 5.3.2: then the policy cannot be applied). */
static int
dmarc_align_all(const struct dmarc_input *in, const struct dmarc_record *r,
    struct dmarc_verdict *v)
{
	int temp = in->spf == DMARC_AUTH_TEMPERROR;
	size_t i;

	v->spf_aligned = in->spf == DMARC_AUTH_PASS &&
	    dmarc_aligned(in->spf_domain, in->spf_org, in, r->aspf);
	for (i = 0; i < in->n_dkim && in->dkim != NULL; i++) {
		const struct dmarc_dkim *k = &in->dkim[i];
		if (k->result == DMARC_AUTH_TEMPERROR)
			temp = 1;
		if (k->result != DMARC_AUTH_PASS || v->dkim_aligned ||
		    !dmarc_aligned(k->domain, k->org, in, r->adkim))
			continue;
		v->dkim_aligned = 1;
		snprintf(v->dkim_domain, sizeof v->dkim_domain, "%s", k->domain);
	}
	return temp;
}

/* "SPF and DKIM not aligned: spf=fail (mail from x), dkim=pass d=y". */
static void
dmarc_fail_reason(const struct dmarc_input *in, struct dmarc_verdict *v)
{
	size_t i;

	snprintf(v->reason, sizeof v->reason, "SPF and DKIM not aligned: ");
	dmarc_append(v, "spf=%s (%s)", dmarc_auth_name(in->spf),
	    in->spf_domain && *in->spf_domain ? in->spf_domain : "no domain");
	if (in->n_dkim == 0)
		dmarc_append(v, ", no DKIM signature");
	for (i = 0; i < in->n_dkim && in->dkim != NULL; i++)
		dmarc_append(v, ", dkim=%s d=%s",
		    dmarc_auth_name(in->dkim[i].result),
		    in->dkim[i].domain ? in->dkim[i].domain : "");
	dmarc_append(v, "; From domain %s", in->author_domain);
}

/* p for the policy domain itself; np for a non-existent subdomain, sp
 * for an existing one, each falling back to p (RFC 9989 4.7, 4.10.1). */
static void
dmarc_select_policy(const struct dmarc_input *in, const struct dmarc_record *r,
    struct dmarc_verdict *v)
{
	v->policy = r->p;
	v->policy_tag = "p";
	if (in->policy_domain == NULL ||
	    strcasecmp(in->policy_domain, in->author_domain) == 0)
		return;
	if (in->author_nonexistent && r->np != DMARC_POLICY_UNSET) {
		v->policy = r->np;
		v->policy_tag = "np";
	} else if (r->sp != DMARC_POLICY_UNSET) {
		v->policy = r->sp;
		v->policy_tag = "sp";
	}
}

/* What to do with a failing message: t=y applies no policy (RFC 9989
 * 4.7); a message outside the pct sample gets the next less strict
 * policy (RFC 7489 6.6.4). */
static void
dmarc_dispose(const struct dmarc_input *in, const struct dmarc_record *r,
    struct dmarc_verdict *v)
{
	v->disposition = v->policy;
	if (v->policy == DMARC_POLICY_NONE)
		return;
	if (r->testing) {
		v->disposition = DMARC_POLICY_NONE;
		v->override = DMARC_OVERRIDE_TEST_MODE;
		dmarc_append(v, "; %s not applied: t=y (testing)",
		    dmarcrec_policy_name(v->policy));
	} else if (in->sample >= r->pct) {
		v->disposition = v->policy == DMARC_POLICY_REJECT ?
		    DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
		v->override = DMARC_OVERRIDE_SAMPLED_OUT;
		dmarc_append(v, "; not sampled (pct), %s instead of %s",
		    dmarcrec_policy_name(v->disposition),
		    dmarcrec_policy_name(v->policy));
	}
}

/* Input that decides before alignment does.  Returns 1 when done. */
static int
dmarc_precheck(const struct dmarc_input *in, struct dmarc_verdict *v)
{
	v->result = DMARC_RESULT_PERMERROR;
	if (in->author_domain == NULL || *in->author_domain == '\0')
		snprintf(v->reason, sizeof v->reason, "no From domain");
	else if (in->n_author_domains > 1 &&
	    in->multi_from == DMARC_MULTI_PERMERROR)
		snprintf(v->reason, sizeof v->reason, "several From domains");
	else if (in->n_author_domains > 1) {
		v->result = DMARC_RESULT_NONE;
		snprintf(v->reason, sizeof v->reason,
		    "several From domains: exempt from DMARC");
	} else if (in->found == DMARC_FOUND_TEMP) {
		v->result = DMARC_RESULT_TEMPERROR;
		dmarc_append(v, "DMARC record look-up for %s failed "
		    "temporarily", in->author_domain);
	} else if (in->found != DMARC_FOUND_RECORD || in->record == NULL) {
		v->result = DMARC_RESULT_NONE;
		dmarc_append(v, "no DMARC record for %s", in->author_domain);
	} else
		return 0;
	return 1;
}

void
dmarc_evaluate(const struct dmarc_input *in, struct dmarc_verdict *out)
{
	const struct dmarc_record *r = in->record;
	int temp;

	memset(out, 0, sizeof *out);
	out->policy_tag = "";
	out->disposition = DMARC_POLICY_NONE;
	if (dmarc_precheck(in, out))
		return;
	dmarc_select_policy(in, r, out);
	temp = dmarc_align_all(in, r, out);
	if (out->dkim_aligned || out->spf_aligned) {
		out->result = DMARC_RESULT_PASS;
		if (out->dkim_aligned)
			dmarc_append(out, "DKIM aligned pass (d=%s)%s",
			    out->dkim_domain, out->spf_aligned ? ", " : "");
		if (out->spf_aligned)
			dmarc_append(out, "SPF aligned pass (%s)",
			    in->spf_domain);
	} else if (temp) {
		out->result = DMARC_RESULT_TEMPERROR;
		dmarc_append(out, "no aligned pass and a temporary SPF or DKIM "
		    "error: policy of %s not applied", in->author_domain);
	} else {
		out->result = DMARC_RESULT_FAIL;
		dmarc_fail_reason(in, out);
		dmarc_dispose(in, r, out);
	}
}

const char *
dmarc_result_name(enum dmarc_result r)
{
	static const char *const names[] = { "none", "pass", "fail",
	    "temperror", "permerror" };

	return (unsigned)r < 5 ? names[r] : "permerror";
}

static const char *const dmarc_auth_names[] = { "none", "pass", "fail",
    "temperror", "permerror", "neutral", "softfail", "policy" };

const char *
dmarc_auth_name(enum dmarc_auth a)
{
	return (unsigned)a < 8 ? dmarc_auth_names[a] : "permerror";
}

int
dmarc_auth_parse(const char *s, enum dmarc_auth *out)
{
	unsigned i;

	for (i = 0; s != NULL && i < 8; i++)
		if (strcasecmp(s, dmarc_auth_names[i]) == 0) {
			*out = (enum dmarc_auth)i;
			return 0;
		}
	return -1;
}

const char *
dmarc_override_name(enum dmarc_override o)
{
	if (o == DMARC_OVERRIDE_TEST_MODE)
		return "policy_test_mode";
	if (o == DMARC_OVERRIDE_SAMPLED_OUT)
		return "other";
	return NULL;
}
