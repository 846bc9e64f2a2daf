/*
 * dns_rr: internal to the dns module (dns.c, dns_rr.c); not a public
 * interface, include dns.h elsewhere.
 *
 * The pure half of the resolver: query names checked before a packet
 * leaves, reverse names for PTR, and the records of an answer decoded from
 * wire format into a struct dns_answer, with the bounds of dns.h.  No I/O,
 * no libunbound, no globals: thread-safe on distinct objects.
 */
#ifndef POSTSEAL_DNS_RR_H
#define POSTSEAL_DNS_RR_H

#include <stddef.h>

#include "dns.h"

#define DNS_T_A		1
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_C_IN	1

/* Format a reason into why (size n); nothing when why is NULL or n is 0. */
void dns_rr_why(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Room for any query name in the form dns_rr_query_name() writes. */
#define DNS_RR_QNAME_SIZE (4 * DNS_MAX_NAME + 2)

/*
 * A query name for libunbound.  name is raw bytes: labels separated by
 * '.', one trailing dot allowed, any other byte (space, '\\', '"', ';',
 * control, 8-bit) part of its label.  Checked by its wire length: labels
 * of 1..63 bytes, 1..DNS_MAX_NAME bytes without the trailing dot.  Written
 * into out (outlen >= DNS_RR_QNAME_SIZE) in presentation form, absolute
 * (trailing dot), every byte but letters, digits, '-' and '_' as \DDD.
 * Returns 0, or -1 with why (out is then unspecified).
 */
int dns_rr_query_name(const char *name, char *out, size_t outlen,
    char *why, size_t whylen);

/*
 * The reverse name of an IPv4 ("4.3.2.1.in-addr.arpa") or IPv6 (nibbles,
 * "ip6.arpa") address given as text, into name (size n, 80 is enough).
 * Returns 0, or -1 when addr is NULL or not an address.
 */
int dns_rr_ptr_name(const char *addr, char *name, size_t n);

/*
 * Decode the rdata of one answer: data is NULL-terminated, len[i] the
 * length of data[i]; rrtype is one of the DNS_T_* above.  Fills the array
 * of a for that type and a->n.  Returns DNS_OK, or DNS_PERM with a->why
 * (more than DNS_MAX_RECORDS records, malformed rdata, a TXT record over
 * DNS_MAX_TXT bytes); then what was taken is freed by dns_answer_free().
 */
enum dns_status dns_rr_decode(struct dns_answer *a, int rrtype,
    char *const *data, const int *len);

#endif
