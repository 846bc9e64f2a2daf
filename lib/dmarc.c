/*
 * dmarc: see dmarc.h.  The names of results and overrides; the verdict
 * itself is in dmarc_eval.c.
 */
#include "dmarc.h"

#include <strings.h>

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
