/*
 * dns_cache: internal to the dns module (dns.c, dns_cache.c); not a public
 * interface, include dns.h elsewhere.
 *
 * The answers of struct dns, kept in memory so that a name asked again
 * within its TTL is answered without a trip through libunbound (whose
 * context, shared by every thread, costs several thread switches a query).
 *
 * A fixed table of DNS_CACHE_SLOTS entries, DNS_CACHE_WAYS-way set
 * associative, keyed by (query name with ASCII letters lowercased and one
 * trailing dot dropped, query type).  A full set evicts the entry closest
 * to expiry.  Only DNS_OK, DNS_NXDOMAIN and DNS_NODATA answers are kept,
 * never DNS_TEMP or DNS_PERM: a temporary failure is asked again every
 * time.  Memory is bounded twice: an answer over DNS_CACHE_MAX_ENTRY bytes
 * is not kept, and all kept answers together stay under
 * DNS_CACHE_MAX_BYTES.
 *
 * Thread-safe: striped mutexes, each held only to compare keys and take a
 * reference (no allocation, no system call under a lock); answers are
 * copied outside the locks.  Time is passed in by the caller as
 * milliseconds of CLOCK_MONOTONIC (dns_cache_now()), so tests choose it.
 */
#ifndef POSTSEAL_DNS_CACHE_H
#define POSTSEAL_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define DNS_CACHE_SLOTS		4096		/* power of two */
#define DNS_CACHE_WAYS		4		/* entries per set */
#define DNS_CACHE_MAX_TTL	300		/* seconds, any answer */
#define DNS_CACHE_NEG_TTL	60		/* seconds, NXDOMAIN/NODATA without SOA */
#define DNS_CACHE_MAX_ENTRY	(16 * 1024)	/* bytes of one kept answer */
#define DNS_CACHE_MAX_BYTES	(8 * 1024 * 1024) /* bytes of all kept answers */

struct dns_cache;

struct dns_cache *dns_cache_new(void);
/* Frees every entry; no other thread may use c any more. */
void dns_cache_free(struct dns_cache **c);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t dns_cache_now(void);

/*
 * On a hit (an entry for (name, rrtype) that expires after now), fills a
 * with a deep copy of the kept answer, which the caller frees with
 * dns_answer_free() as any answer, and returns 1.  Otherwise returns 0 and
 * leaves a as it was.
 */
int dns_cache_get(struct dns_cache *c, const char *name, int rrtype,
    int64_t now, struct dns_answer *a);

/*
 * Keep a deep copy of a for ttl seconds from now (capped at
 * DNS_CACHE_MAX_TTL).  Returns 1 when kept; 0 when not: a status other
 * than DNS_OK, DNS_NXDOMAIN, DNS_NODATA, a ttl of 0, a name that is not a
 * valid query name, or an answer over the memory bounds.
 */
int dns_cache_put(struct dns_cache *c, const char *name, int rrtype,
    const struct dns_answer *a, uint32_t ttl, int64_t now);

/*
 * How long an answer may be kept, in seconds (before the cap of
 * dns_cache_put): for DNS_OK the answer's TTL as libunbound gives it
 * (answer_ttl, negative read as 0); for DNS_NXDOMAIN and DNS_NODATA the
 * negative TTL of RFC 2308 (the smaller of the SOA record's TTL and its
 * MINIMUM field) from the SOA in the authority section of pkt (len bytes,
 * wire format, untrusted), or DNS_CACHE_NEG_TTL without one; 0 for any
 * other status.  Pure.
 */
uint32_t dns_cache_ttl(enum dns_status st, int answer_ttl,
    const unsigned char *pkt, size_t len);

/* Entries and bytes kept now (for tests and statistics). */
size_t dns_cache_entries(struct dns_cache *c);
size_t dns_cache_bytes(struct dns_cache *c);
/* The set (0 .. DNS_CACHE_SLOTS / DNS_CACHE_WAYS - 1) that (name, rrtype)
 * maps to, or -1 for a name that is never kept (for tests of eviction). */
long dns_cache_set(const char *name, int rrtype);

#endif
