/*
 * dns: the one resolver of postseal, on libunbound.
 *
 * One struct dns is shared by every thread of a daemon (libunbound contexts
 * are thread-safe for ub_resolve; dns.c makes sure of it).  Every query is
 * bounded by the configured timeout: a look-up that has no answer by then
 * returns DNS_TEMP and never blocks its caller longer.  TEMP (timeout,
 * SERVFAIL, network error) and PERM (malformed or hostile answer) are kept
 * apart from "no such data" (NXDOMAIN / NODATA) all the way up.
 */
#ifndef POSTSEAL_DNS_H
#define POSTSEAL_DNS_H

#include <stddef.h>
#include <netinet/in.h>

enum dns_status {
	DNS_OK = 0,		/* data in the answer */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_NODATA,		/* the name exists, no record of this type */
	DNS_TEMP,		/* timeout, SERVFAIL, REFUSED, network: try later */
	DNS_PERM,		/* malformed or out-of-bounds answer, bad query name */
};

enum dns_security {
	DNS_SEC_UNCHECKED = 0,	/* no trust anchor configured */
	DNS_SEC_INSECURE,
	DNS_SEC_SECURE,
	DNS_SEC_BOGUS,
};

/* Bounds on hostile answers (a larger answer is DNS_PERM with a reason). */
#define DNS_MAX_RECORDS 64		/* records in one answer */
#define DNS_MAX_TXT 8192		/* bytes of one joined TXT record */
#define DNS_MAX_NAME 253		/* bytes of a query name, no trailing dot */

struct dns_options {
	const char *const *nameservers;	/* "IP" or "IP@PORT"; NULL/0: resolv.conf */
	size_t n_nameservers;
	int timeout;			/* seconds per query, >= 1 */
	const char *trust_anchor;	/* DNSSEC anchor file, or NULL */
};

struct dns_mx {
	unsigned preference;
	char *host;
};

/* One answer.  Arrays are owned by the answer; dns_answer_free() them. */
struct dns_answer {
	enum dns_status status;
	enum dns_security security;
	char why[256];			/* for TEMP/PERM: what happened */
	size_t n;			/* records below (only the array of the type asked) */
	char **txt;			/* TXT: character-strings joined, NUL-terminated */
	size_t *txt_len;		/* their lengths (a record may hold NUL bytes) */
	struct in_addr *a;		/* A */
	struct in6_addr *aaaa;		/* AAAA */
	struct dns_mx *mx;		/* MX, in answer order */
	char **ptr;			/* PTR target names, without trailing dot */
};

struct dns;

/* Returns a resolver or NULL with why filled (size whylen). */
struct dns *dns_new(const struct dns_options *opt, char *why, size_t whylen);
void dns_free(struct dns **d);

/*
 * The answer cache (on by default): a resolver keeps DNS_OK, NXDOMAIN and
 * NODATA answers of dns_txt/a/aaaa/mx/ptr for their TTL, at most 300 s
 * (NXDOMAIN / NODATA: the SOA's negative TTL, else 60 s), names compared
 * without regard to ASCII case, in a fixed-size table (4096 answers,
 * 8 MiB at most); TEMP and PERM are never kept, dns_raw() always asks.
 * on = 0 turns it off and drops what it held, on = 1 turns it on again.
 * Not thread-safe: call before d is shared between threads.
 */
void dns_set_cache(struct dns *d, int on);

/*
 * Each returns a->status (also on DNS_OK), and fills a; free with
 * dns_answer_free.  A query name is raw bytes: labels split at '.', every
 * other byte (space, quote, backslash, control, 8-bit) belongs to its label
 * and is sent as that byte; labels of 1..63 bytes and DNS_MAX_NAME bytes in
 * all (a trailing dot not counted), or DNS_PERM before any query.  Names in
 * answers (mx, ptr) come back in presentation form instead: bytes that are
 * not printable ASCII, '.' and '\' as \DDD.
 */
enum dns_status dns_txt(struct dns *d, const char *name, struct dns_answer *a);
enum dns_status dns_a(struct dns *d, const char *name, struct dns_answer *a);
enum dns_status dns_aaaa(struct dns *d, const char *name, struct dns_answer *a);
enum dns_status dns_mx(struct dns *d, const char *name, struct dns_answer *a);
/* PTR of an address given as text (IPv4 or IPv6). */
enum dns_status dns_ptr(struct dns *d, const char *addr, struct dns_answer *a);

/*
 * The reply packet in DNS wire format, for libraries that parse it
 * themselves (libopendkim's query hooks).  *pkt is malloc'ed (caller
 * frees); status as above (DNS_OK also when the packet says NXDOMAIN:
 * the caller parses it).
 */
enum dns_status dns_raw(struct dns *d, const char *name, int rrtype,
    unsigned char **pkt, size_t *len, char *why, size_t whylen);

void dns_answer_free(struct dns_answer *a);
const char *dns_status_name(enum dns_status s);	/* "ok", "nxdomain", ... */
const char *dns_security_name(enum dns_security s);

#endif
