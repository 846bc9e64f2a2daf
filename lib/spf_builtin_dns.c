/* spf_builtin_dns: see spf_builtin_dns.h. */
#include "spf_builtin_dns.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void
spf_builtin_dns_reason(struct spfe *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first reason given is the one reported: it is the cause. */
void
spf_builtin_dns_reason(struct spfe *e, const char *fmt, ...)
{
	va_list ap;

	if (e->reason_set)
		return;
	e->reason_set = 1;
	va_start(ap, fmt);
	vsnprintf(e->out->explanation, sizeof e->out->explanation, fmt, ap);
	va_end(ap);
}

/* One DNS look-up, noted in out->lookups. */
enum dns_status
spf_builtin_dns_query(struct spfe *e, const char *type, const char *name,
    struct dns_answer *a)
{
	struct dns *d = e->req->dns;

	memset(a, 0, sizeof *a);
	if (++e->lookups > SPFE_MAX_LOOKUPS) {
		snprintf(a->why, sizeof a->why, "more than %d look-ups",
		    SPFE_MAX_LOOKUPS);
		return a->status = DNS_TEMP;
	}
	if (strcmp(type, "TXT") == 0)
		dns_txt(d, name, a);
	else if (strcmp(type, "A") == 0)
		dns_a(d, name, a);
	else if (strcmp(type, "AAAA") == 0)
		dns_aaaa(d, name, a);
	else if (strcmp(type, "MX") == 0)
		dns_mx(d, name, a);
	else
		dns_ptr(d, name, a);
	if (a->status == DNS_TEMP || a->status == DNS_PERM)
		strlist_addf(&e->out->lookups, "%s %s -> %s (%s)", type, name,
		    dns_status_name(a->status), a->why);
	else
		strlist_addf(&e->out->lookups, "%s %s -> %s (%zu)", type, name,
		    dns_status_name(a->status), a->n);
	return a->status;
}

/* A DNS-querying term: the limit of 10 (4.6.4). */
int
spf_builtin_dns_count(struct spfe *e, const char *what)
{
	if (++e->terms <= SPFREC_MAX_DNS_TERMS)
		return 0;
	spf_builtin_dns_reason(e, "more than %d DNS-querying terms (at %s; RFC 7208 4.6.4)",
	    SPFREC_MAX_DNS_TERMS, what);
	strlist_addf(&e->out->lookups, "stopped: more than %d DNS-querying terms",
	    SPFREC_MAX_DNS_TERMS);
	return -1;
}

/* A look-up with no answer: the limit of 2 void look-ups (4.6.4). */
int
spf_builtin_dns_void(struct spfe *e, const struct dns_answer *a, const char *name)
{
	if (a->status != DNS_NXDOMAIN && a->status != DNS_NODATA &&
	    !(a->status == DNS_OK && a->n == 0))
		return 0;
	if (++e->voids <= SPFREC_MAX_VOID)
		return 0;
	spf_builtin_dns_reason(e, "more than %d void look-ups (at %s; RFC 7208 4.6.4)",
	    SPFREC_MAX_VOID, name);
	strlist_addf(&e->out->lookups, "stopped: more than %d void look-ups",
	    SPFREC_MAX_VOID);
	return -1;
}

int
spf_builtin_dns_addr_eq(const struct spfe *e, const void *addr, unsigned prefix)
{
	const unsigned char *a = addr, *b = e->req->addr;
	unsigned full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Does name's A (IPv4 client) or AAAA record set hold the client? */
enum spfe_m
spf_builtin_dns_host(struct spfe *e, const char *name, unsigned c4, unsigned c6,
    int count_void)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;
	int v4 = e->req->af == AF_INET;
	size_t i;

	spf_builtin_dns_query(e, v4 ? "A" : "AAAA", name, &a);
	if (a.status == DNS_TEMP) {
		if (count_void)
			spf_builtin_dns_reason(e, "%s %s: %s", v4 ? "A" : "AAAA", name,
			    a.why);
		m = SPFE_TEMP;
	} else if (count_void && spf_builtin_dns_void(e, &a, name) == -1)
		m = SPFE_PERM;
	for (i = 0; m == SPFE_NOMATCH && a.status == DNS_OK && i < a.n; i++)
		if (v4 ? spf_builtin_dns_addr_eq(e, &a.a[i], c4) :
		    spf_builtin_dns_addr_eq(e, &a.aaaa[i], c6))
			m = SPFE_MATCH;
	dns_answer_free(&a);
	return m;
}

/*
 * A target name: the domain-spec expanded, or the current domain.  An
 * expansion that cannot be a DNS name (empty or over-long label, too
 * long) returns 1: such a name does not exist (4.3, 4.8).
 */
int
spf_builtin_dns_target(struct spfe *e, const char *spec, size_t len, const char *domain,
    char *out, size_t n)
{
	const char *why;

	e->mc.d = domain;
	if (spec == NULL) {
		snprintf(out, n, "%s", domain);
		return 0;
	}
	if (spfmacro_domain(spec, len, &e->mc, out, n, &why) == -1) {
		strlist_addf(&e->out->lookups, "name %.*s -> not usable (%s)",
		    (int)(len > 200 ? 200 : len), spec, why);
		return 1;
	}
	return 0;
}

int
spf_builtin_dns_is_under(const char *name, const char *target)
{
	size_t nl = strlen(name), tl = strlen(target);

	if (nl == tl)
		return strcasecmp(name, target) == 0;
	return nl > tl && name[nl - tl - 1] == '.' &&
	    strcasecmp(name + nl - tl, target) == 0;
}

/*
 * The validated names of the client (5.5): the first 10 PTR names whose
 * own A/AAAA records hold the client.  A DNS error skips a name.  Writes
 * the chosen name into best (size n): one equal to or under target, else
 * the first validated, else "".  Returns the PTR answer's status.
 */
enum dns_status
spf_builtin_dns_validated(struct spfe *e, const char *target, char *best, size_t n,
    int count_void, int *stop)
{
	struct dns_answer a;
	enum dns_status st;
	size_t i;

	best[0] = '\0';
	st = spf_builtin_dns_query(e, "PTR", e->req->ip_text, &a);
	if (count_void && spf_builtin_dns_void(e, &a, e->req->ip_text) == -1)
		*stop = 1;
	for (i = 0; !*stop && st == DNS_OK && i < a.n && i < SPFE_MAX_SUBS; i++) {
		if (spf_builtin_dns_host(e, a.ptr[i], 32, 128, 0) != SPFE_MATCH)
			continue;
		if (spf_builtin_dns_is_under(a.ptr[i], target)) {
			snprintf(best, n, "%s", a.ptr[i]);
			break;
		}
		if (best[0] == '\0')
			snprintf(best, n, "%s", a.ptr[i]);
	}
	dns_answer_free(&a);
	return st;
}

enum spfe_m
spf_builtin_dns_mx(struct spfe *e, const char *target, const struct spfrec_term *t)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;
	size_t i;

	spf_builtin_dns_query(e, "MX", target, &a);
	if (a.status == DNS_TEMP) {
		spf_builtin_dns_reason(e, "MX %s: %s", target, a.why);
		m = SPFE_TEMP;
	} else if (spf_builtin_dns_void(e, &a, target) == -1)
		m = SPFE_PERM;
	else if (a.status == DNS_OK && a.n > SPFE_MAX_SUBS) {
		spf_builtin_dns_reason(e, "mx:%s has more than %d MX names (RFC 7208 "
		    "4.6.4)", target, SPFE_MAX_SUBS);
		m = SPFE_PERM;
	}
	for (i = 0; m == SPFE_NOMATCH && a.status == DNS_OK && i < a.n; i++) {
		if (a.mx[i].host[0] == '\0' || strcmp(a.mx[i].host, ".") == 0)
			continue;	/* null MX (RFC 7505): no host */
		if ((m = spf_builtin_dns_host(e, a.mx[i].host, t->cidr4, t->cidr6, 0)) ==
		    SPFE_TEMP)
			spf_builtin_dns_reason(e, "address of MX %s: temporary DNS failure",
			    a.mx[i].host);
	}
	dns_answer_free(&a);
	return m;
}

enum spfe_m
spf_builtin_dns_exists(struct spfe *e, const char *target)
{
	struct dns_answer a;
	enum spfe_m m = SPFE_NOMATCH;

	spf_builtin_dns_query(e, "A", target, &a);
	if (a.status == DNS_TEMP) {
		spf_builtin_dns_reason(e, "A %s: %s", target, a.why);
		m = SPFE_TEMP;
	} else if (spf_builtin_dns_void(e, &a, target) == -1)
		m = SPFE_PERM;
	else if (a.status == DNS_OK && a.n > 0)
		m = SPFE_MATCH;
	dns_answer_free(&a);
	return m;
}
