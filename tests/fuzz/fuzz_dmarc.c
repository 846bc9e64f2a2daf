/*
 * libFuzzer target for the DMARC record parser (dmarcrec_parse) and the
 * verdict built on what it returns.  Besides crashes and sanitizer
 * reports, a result that breaks the documented contract aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_record(const struct dmarc_record *r)
{
	size_t i;

	if (r->p == DMARC_POLICY_UNSET || r->p > DMARC_POLICY_REJECT ||
	    r->sp > DMARC_POLICY_REJECT || r->np > DMARC_POLICY_REJECT ||
	    r->pct > 100 || r->n_rua > DMARC_MAX_URIS ||
	    r->n_ruf > DMARC_MAX_URIS || !(r->seen & (1u << DMARC_TAG_V)))
		abort();
	if (r->p_as_none && r->p != DMARC_POLICY_NONE)
		abort();
	for (i = 0; i < r->n_rua; i++)
		if (strlen(r->rua[i]) == 0 || strlen(r->rua[i]) > DMARC_MAX_URI ||
		    strchr(r->rua[i], ':') == NULL)
			abort();
}

static void
check_verdict(const struct dmarc_record *r, unsigned sample)
{
	struct dmarc_dkim k = { "example.com", "s", DMARC_AUTH_FAIL, NULL };
	struct dmarc_input in;
	struct dmarc_verdict v;

	memset(&in, 0, sizeof in);
	in.author_domain = "a.example.com";
	in.n_author_domains = 1;
	in.found = DMARC_FOUND_RECORD;
	in.record = r;
	in.policy_domain = "example.com";
	in.spf = DMARC_AUTH_FAIL;
	in.spf_domain = "example.com";
	in.dkim = &k;
	in.n_dkim = 1;
	in.sample = sample;
	dmarc_evaluate(&in, &v);
	/* Nothing passes, so the result is fail, never stricter than the
	 * published policy, and none under t=y. */
	if (v.result != DMARC_RESULT_FAIL || v.disposition > v.policy ||
	    (r->testing && v.disposition != DMARC_POLICY_NONE) ||
	    v.reason[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;
	const char *why = NULL;

	if (dmarcrec_parse((const char *)data, size, &r, &why) == -1) {
		if (why == NULL || *why == '\0')
			abort();
		return 0;
	}
	check_record(&r);
	check_verdict(&r, size % 100);
	return 0;
}
