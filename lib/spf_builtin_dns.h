/*
 * spf_builtin_dns: the look-ups of the built-in SPF engine and the limits
 * on them (RFC 7208 4.6.4), shared by spf_builtin_eval.c.  Every query is
 * noted in the outcome's lookups; a DNS timeout or SERVFAIL is reported
 * as SPFE_TEMP (temperror), never as a failure.  State lives in struct
 * spfe, one per check: thread-safe.
 */
#ifndef POSTSEAL_SPF_BUILTIN_DNS_H
#define POSTSEAL_SPF_BUILTIN_DNS_H

#include "dns.h"
#include "spf.h"
#include "spf_builtin_eval.h"
#include "spfmacro.h"
#include "spfrec.h"

#define SPFE_MAX_SUBS		10	/* MX names / PTR names (4.6.4) */
#define SPFE_MAX_LOOKUPS	250	/* hard stop whatever the records say */

/* What one mechanism came to. */
enum spfe_m { SPFE_NOMATCH = 0, SPFE_MATCH, SPFE_TEMP, SPFE_PERM };

struct spfe {
	const struct spf_builtin_req *req;
	struct spf_outcome *out;
	struct spfmacro_ctx mc;
	char p[DNS_MAX_NAME + 1];	/* %{p} of the current domain */
	int terms, voids, lookups;
	int reason_set;
};

/* The first reason given is the one reported. */
void spf_builtin_dns_reason(struct spfe *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum dns_status spf_builtin_dns_query(struct spfe *e, const char *type,
    const char *name, struct dns_answer *a);
int spf_builtin_dns_count(struct spfe *e, const char *what);
int spf_builtin_dns_void(struct spfe *e, const struct dns_answer *a,
    const char *name);
int spf_builtin_dns_addr_eq(const struct spfe *e, const void *addr,
    unsigned prefix);
enum spfe_m spf_builtin_dns_host(struct spfe *e, const char *name,
    unsigned c4, unsigned c6, int count_void);
int spf_builtin_dns_target(struct spfe *e, const char *spec, size_t len,
    const char *domain, char *out, size_t n);
int spf_builtin_dns_is_under(const char *name, const char *target);
enum dns_status spf_builtin_dns_validated(struct spfe *e, const char *target,
    char *best, size_t n, int count_void, int *stop);
enum spfe_m spf_builtin_dns_mx(struct spfe *e, const char *target,
    const struct spfrec_term *t);
enum spfe_m spf_builtin_dns_exists(struct spfe *e, const char *target);

#endif
