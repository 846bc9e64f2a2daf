/*
 * spfcheck: SPF for inbound mail, for the A-R header and DMARC.
 *
 * milter.spf = "self" (default): check MAIL FROM (or, for the null sender,
 * the HELO identity) through lib/spf.  "policyd": reuse the Received-SPF
 * header the policy daemon PREPENDed, trusting only the very first header
 * of the message (Postfix 3.7 shows a milter the PREPENDed header first;
 * anything further down could come from the client).
 */
#ifndef POSTSEAL_MILTER_SPFCHECK_H
#define POSTSEAL_MILTER_SPFCHECK_H

#include "session.h"
#include "spf.h"

/* Fill out for the message in s; returns out->result. */
enum spf_result spfcheck_run(struct session *s, struct spf_outcome *out);

/*
 * Parse the result of a Received-SPF header value we trust ("pass (...)
 * ... envelope-from=...; identity=mailfrom").  Pure.  Returns 0 and fills
 * out, or -1 when the value is not a Received-SPF result.
 */
int spfcheck_parse_received(const char *value, struct spf_outcome *out);

#endif
