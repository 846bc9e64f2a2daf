/*
 * policy: one request -> one action, as a pure decision on facts already
 * gathered (SPF outcomes, DMARC record presence), STYLE.md 3.  No I/O, no
 * logging, no globals; thread-safe.
 *
 * Order of the decision:
 *  1. skipped requests (policy_skipped) get DUNNO, without a header;
 *  2. HELO first: a HELO "fail" applies spf.helo_fail;
 *  3. then the MAIL FROM identity (the HELO identity for the null sender):
 *     fail -> mailfrom_fail (helo_fail for the null sender), softfail,
 *     permerror, temperror -> their actions; pass, neutral, none -> header;
 *  4. dmarc_aware: a fail whose action would block the mail (reject or
 *     defer_if_permit) becomes a PREPEND when the sender domain publishes
 *     a DMARC record (DKIM may still pass; the milter decides at end of
 *     message).  When the DMARC look-up failed temporarily, the record may
 *     exist, so the mail is neither rejected nor accepted: DEFER_IF_PERMIT
 *     4.7.24;
 *  5. a PREPEND carries one Received-SPF or Authentication-Results header;
 *     a message that already got its header (header_done) gets DUNNO.
 *
 * Replies (RFC 7372): reject: "550 5.7.23" for fail and softfail,
 * "550 5.7.24" for permerror, "451 4.7.24" for temperror (a temporary
 * error never becomes a 5xx); defer_if_permit: "DEFER_IF_PERMIT 4.7.23"
 * (fail, softfail) or "DEFER_IF_PERMIT 4.7.24" (permerror, temperror).
 */
#ifndef POSTSEAL_POLICYD_POLICY_H
#define POSTSEAL_POLICYD_POLICY_H

#include <stddef.h>

#include "conf.h"
#include "domain.h"
#include "proto.h"
#include "spf.h"

enum policy_dmarc {
	POLICY_DMARC_UNCHECKED = 0,	/* not looked up */
	POLICY_DMARC_ABSENT,		/* no v=DMARC1 record (domain or org) */
	POLICY_DMARC_PRESENT,
	POLICY_DMARC_TEMP,		/* the look-up failed temporarily */
};

enum policy_kind {
	POLICY_DUNNO = 0, POLICY_PREPEND, POLICY_REJECT, POLICY_DEFER
};

/* The skip lists of a config, parsed once (read-only afterwards). */
struct policy_skip {
	struct domain_cidr *addrs;
	size_t n_addrs;
};

struct policy_facts {
	const struct proto_request *req;
	const struct spf_outcome *helo;		/* NULL: no HELO name */
	const struct spf_outcome *mailfrom;	/* NULL: null sender */
	enum policy_dmarc dmarc;
	int header_done;	/* this message already got its header */
};

struct policy_verdict {
	enum policy_kind kind;
	char action[PROTO_MAX_ACTION];	/* the reply's action text */
	char reason[256];		/* why, for the log line */
};

/* Parse policyd.spf.skip_addresses.  Returns 0, or -1 with why. */
int policy_skip_init(struct policy_skip *s, const struct conf *c, char *why,
    size_t n);
void policy_skip_clear(struct policy_skip *s);

/*
 * Why this request is not checked at all, or NULL when it is: not the
 * RCPT stage, no client address, a client in skip_addresses, an
 * authenticated client (skip_authenticated and sasl_username set), a HELO
 * name in skip_helo, a sender domain (the HELO name for the null sender)
 * in skip_domains or below one of them.  Returns a static string.
 */
const char *policy_skipped(const struct conf *c, const struct policy_skip *s,
    const struct proto_request *req);

/* The domain the SPF verdict is about: the sender's, or the HELO name. */
const char *policy_domain(const struct proto_request *req);

/* Would a DMARC look-up change this verdict?  (Step 4 above.) */
int policy_wants_dmarc(const struct conf *c, const struct policy_facts *f);

/* Decide.  receiver: our name for the header (authserv_id). */
void policy_decide(const struct conf *c, const char *receiver,
    const struct policy_facts *f, struct policy_verdict *v);

const char *policy_kind_name(enum policy_kind k);	/* "dunno", ... */

#endif
