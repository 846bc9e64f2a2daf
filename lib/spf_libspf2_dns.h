/*
 * spf_libspf2_dns: the DNS layer (an SPF_dns_server_t) under libspf2 for
 * spf_libspf2.c; not for other modules.
 *
 * Every query libspf2 makes goes to lib/dns and is noted in the outcome's
 * lookups.  The layer counts the RFC 7208 4.6.4 limits over the whole
 * check, which libspf2 does not: 10 DNS-querying terms across includes
 * and redirects, 2 void look-ups, 10 MX names per mx term, and a hard stop
 * after SPFL_MAX_LOOKUPS queries.  Once a limit is hit, every later query
 * fails temporarily and ctx->limit says which one, so the engine can
 * report permerror.  State lives in struct spfl_ctx, one per check:
 * thread-safe.
 */
#ifndef POSTSEAL_SPF_LIBSPF2_DNS_H
#define POSTSEAL_SPF_LIBSPF2_DNS_H

#include <sys/types.h>
#include <netinet/in.h>

#include <spf2/spf.h>

#include "dns.h"
#include "spf.h"

#define SPFL_MAX_TERMS 10	/* DNS-querying terms (RFC 7208 4.6.4) */
#define SPFL_MAX_VOID 2		/* void look-ups (RFC 7208 4.6.4) */
#define SPFL_MAX_LOOKUPS 250	/* hard stop, whatever libspf2 asks */
#define SPFL_MAX_SUBS 10	/* address look-ups per mx / ptr term */

enum spfl_limit { SPFL_LIMIT_NONE = 0, SPFL_LIMIT_TERMS, SPFL_LIMIT_VOID,
    SPFL_LIMIT_MX, SPFL_LIMIT_LOOKUPS };

/* State of one check: the DNS layer's hook. */
struct spfl_ctx {
	SPF_dns_server_t layer;
	struct dns *dns;
	struct spf_outcome *out;
	int top_records;	/* v=spf1 records at the top level */
	int terms, voids, lookups;
	enum spfl_limit limit;
	char subs[SPFL_MAX_SUBS][DNS_MAX_NAME + 2];	/* mx/ptr targets */
	size_t n_subs, next_sub;
};

/*
 * Make c (zeroed by the caller) a layer that asks dns and notes its
 * look-ups in out; hand &c->layer to SPF_server_new_dns().  c must outlive
 * the SPF_server_t.
 */
void spf_libspf2_dns_init(struct spfl_ctx *c, struct dns *dns,
    struct spf_outcome *out);

/* "more than 10 DNS-querying terms", ...; "" for SPFL_LIMIT_NONE. */
const char *spf_libspf2_dns_limit_text(enum spfl_limit l);

#endif
