/*
 * dmarccheck: DMARC for inbound mail, from the SPF and DKIM results the
 * milter already has (DESIGN.md Milter).  Discovery through lib/dmarcfind,
 * the verdict from lib/dmarc (pure), enforcement and history here.
 * Never called for outbound mail.
 */
#ifndef POSTSEAL_MILTER_DMARCCHECK_H
#define POSTSEAL_MILTER_DMARCCHECK_H

#include "dmarc.h"
#include "session.h"
#include "spf.h"

struct authres;
struct dkverify_result;

struct dmarccheck_outcome {
	struct dmarc_verdict verdict;
	char author_domain[DMARC_MAX_DOMAIN + 1];	/* "" when no single From */
	char policy_domain[DMARC_MAX_DOMAIN + 1];
	int evaluated;		/* a DMARC result exists (else dmarc=none) */
};

/*
 * Evaluate DMARC for the message in s with its SPF outcome and DKIM
 * results; add the dmarc= entry to ar, write the history row, log.
 */
void dmarccheck_run(struct session *s, const struct spf_outcome *spf,
    const struct dkverify_result *dk, size_t ndk, struct authres *ar,
    struct dmarccheck_outcome *out);

/* Whether this verdict is enforced for its domain (milter.dmarc.enforce,
 * milter.dmarc.no_enforce_domains). */
int dmarccheck_enforced(const struct session *s,
    const struct dmarccheck_outcome *o);

#endif
