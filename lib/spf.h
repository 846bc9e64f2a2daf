/*
 * spf: one SPF engine interface (RFC 7208), whatever engine is built in.
 *
 * spf_check() evaluates check_host() for (client ip, helo, mail from) through
 * lib/dns and returns the result, the explanation and the look-ups it made.
 * A temporary DNS failure is SPF_TEMPERROR, never a fail or permerror
 * (STYLE.md 4).  Thread-safe: one struct spf may be used by many threads.
 */
#ifndef POSTSEAL_SPF_H
#define POSTSEAL_SPF_H

#include <stddef.h>

#include "dns.h"
#include "strlist.h"

enum spf_result {
	SPF_RES_NONE = 0,
	SPF_RES_NEUTRAL,
	SPF_RES_PASS,
	SPF_RES_FAIL,
	SPF_RES_SOFTFAIL,
	SPF_RES_TEMPERROR,
	SPF_RES_PERMERROR,
};

struct spf_outcome {
	enum spf_result result;
	char identity[16];		/* "mailfrom" or "helo" */
	char domain[256];		/* the domain that was checked */
	char sender[512];		/* the sender checked (postmaster@helo for <>) */
	char explanation[512];		/* exp= text on fail, or the engine's reason */
	char mechanism[256];		/* the matching mechanism, e.g. "ip4:192.0.2.0/24" */
	struct strlist lookups;		/* one line per DNS look-up made, "TXT example.com" */
	char client_ip[64];		/* the address checked, IPv4-mapped IPv6 as IPv4 */
};

struct spf;

/* engine: NULL = the build's default.  Returns NULL with why on failure. */
struct spf *spf_new(struct dns *dns, const char *receiver, char *why, size_t whylen);
void spf_free(struct spf **s);
/* Name of the engine compiled in ("builtin" or "libspf2"). */
const char *spf_engine_name(void);

/*
 * Check one identity.  ip: IPv4 or IPv6 text (IPv4-mapped IPv6 is
 * normalised to IPv4); helo: the HELO/EHLO name (may be NULL/""); sender:
 * the MAIL FROM address, "" or NULL for the null sender, then the HELO
 * identity is checked as postmaster@helo.  A sender without a local part
 * ("example.com", "@example.com") is checked as postmaster@domain.
 * out is overwritten completely (call spf_outcome_clear before reusing
 * one); free its lookups with spf_outcome_clear.  Returns out->result.
 * Never aborts on bad input:
 *   - s or out NULL: SPF_RES_TEMPERROR (nothing is evaluated);
 *   - ip not an IPv4/IPv6 address: SPF_RES_PERMERROR;
 *   - no usable identity (null sender and no HELO), a malformed or
 *     single-label domain, a sender over 511 bytes or with control
 *     characters: SPF_RES_NONE (RFC 7208 4.3), nothing is queried.
 * Every engine counts the 10 DNS-querying terms and the 2 void look-ups
 * over the whole check, includes and redirects included (RFC 7208 4.6.4).
 */
enum spf_result spf_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, struct spf_outcome *out);
/* The HELO identity alone (RFC 7208 2.3). */
enum spf_result spf_check_helo(struct spf *s, const char *ip, const char *helo,
    struct spf_outcome *out);

void spf_outcome_clear(struct spf_outcome *out);
const char *spf_result_name(enum spf_result r);	/* "pass", "fail", ... */

#endif
