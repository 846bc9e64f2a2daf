/* dns: see dns.h. */
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "dns_cache.h"
#include "dns_rr.h"
#include "xmalloc.h"

#define RCODE_SERVFAIL	2
#define RCODE_NXDOMAIN	3
#define RCODE_REFUSED	5

/*
 * One libunbound context in threaded-async mode.  Its background thread
 * does the resolving; the calling threads take turns waiting on ub_fd() and
 * calling ub_process(), which runs the callback of whichever query finished,
 * so every waiter is bounded by its own deadline and nobody blocks in
 * ub_resolve() for libunbound's own (much longer) retry schedule.
 */
struct dns {
	struct ub_ctx *ctx;
	int timeout;
	int validating;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int polling;		/* one thread at a time polls + processes */
	struct dns_cache *cache;	/* NULL: every query asks libunbound */
};

struct dns_pending {
	struct dns *d;
	int done;
	int err;
	struct ub_result *res;
};

/* "IP" or "IP@PORT" with a numeric IPv4/IPv6 address and port 1..65535. */
static int
dns_check_nameserver(const char *ns)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned char buf[sizeof(struct in6_addr)];
	const char *at = strrchr(ns, '@');
	size_t len = at ? (size_t)(at - ns) : strlen(ns);
	char *end;
	long port;

	if (len == 0 || len >= sizeof ip)
		return -1;
	memcpy(ip, ns, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
		return -1;
	if (at == NULL)
		return 0;
	errno = 0;
	port = strtol(at + 1, &end, 10);
	if (at[1] == '\0' || *end != '\0' || errno != 0 || port < 1 || port > 65535)
		return -1;
	return 0;
}

/*
 * With explicit name servers, the reverse zones of private and
 * documentation networks must be asked of them too: libunbound answers
 * them itself with NXDOMAIN by default, which hides the PTR records the
 * configured server has (test zones, SPF "ptr" and %{p} checks).
 */
static const char *const dns_shadowed[] = {
	"10.in-addr.arpa.", "168.192.in-addr.arpa.", "2.0.192.in-addr.arpa.",
	"100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
	"254.169.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "d.f.ip6.arpa.",
	"8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.",
	"b.e.f.ip6.arpa.",
};

static void
dns_unshadow(struct ub_ctx *ctx)
{
	char zone[32];

	/* A zone that is not there is not an error: nothing to unshadow. */
	for (size_t i = 0; i < sizeof dns_shadowed / sizeof dns_shadowed[0]; i++)
		(void)ub_ctx_zone_remove(ctx, dns_shadowed[i]);
	for (int b = 16; b <= 31; b++) {
		snprintf(zone, sizeof zone, "%d.172.in-addr.arpa.", b);
		(void)ub_ctx_zone_remove(ctx, zone);
	}
}

static int
dns_setup(struct ub_ctx *ctx, const struct dns_options *opt, char *why,
    size_t whylen)
{
	size_t i;
	int r;

	/* Local test servers live on loopback.  Records in the order the
	 * server gave them, not rotated by a random query ID: the verdict on
	 * the same answers is the same every time (SPF's ptr looks at the
	 * first 10 names only, RFC 7208 5.5). */
	if ((r = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no")) != 0 ||
	    (r = ub_ctx_set_option(ctx, "rrset-roundrobin:", "no")) != 0 ||
	    (opt->n_nameservers > 0 &&
	    ((r = ub_ctx_set_option(ctx, "unblock-lan-zones:", "yes")) != 0 ||
	    (r = ub_ctx_set_option(ctx, "insecure-lan-zones:", "yes")) != 0))) {
		dns_rr_why(why, whylen, "resolver option: %s", ub_strerror(r));
		return -1;
	}
	for (i = 0; i < opt->n_nameservers; i++) {
		if (dns_check_nameserver(opt->nameservers[i]) == -1) {
			dns_rr_why(why, whylen, "nameserver \"%s\": not IP or IP@PORT",
			    opt->nameservers[i]);
			return -1;
		}
		if ((r = ub_ctx_set_fwd(ctx, opt->nameservers[i])) != 0) {
			dns_rr_why(why, whylen, "nameserver %s: %s",
			    opt->nameservers[i], ub_strerror(r));
			return -1;
		}
	}
	if (opt->n_nameservers == 0 &&
	    (r = ub_ctx_resolvconf(ctx, "/etc/resolv.conf")) != 0) {
		dns_rr_why(why, whylen, "/etc/resolv.conf: %s", ub_strerror(r));
		return -1;
	}
	if (opt->trust_anchor != NULL && opt->trust_anchor[0] != '\0') {
		/* libunbound reads the file only when the context is
		 * finalized; check it here so the message names it. */
		if (access(opt->trust_anchor, R_OK) == -1) {
			dns_rr_why(why, whylen, "trust anchor %s: %s",
			    opt->trust_anchor, strerror(errno));
			return -1;
		}
		if ((r = ub_ctx_add_ta_file(ctx, opt->trust_anchor)) != 0) {
			dns_rr_why(why, whylen, "trust anchor %s: %s",
			    opt->trust_anchor, ub_strerror(r));
			return -1;
		}
	}
	if ((r = ub_ctx_async(ctx, 1)) != 0) {
		dns_rr_why(why, whylen, "resolver thread: %s", ub_strerror(r));
		return -1;
	}
	/* Special-use "test." must reach the configured servers instead of
	 * being answered NXDOMAIN inside libunbound.  This finalizes the
	 * context, so it comes last ("local-zone: test. nodefault" is not
	 * accepted by ub_ctx_set_option). */
	if ((r = ub_ctx_zone_remove(ctx, "test.")) != 0) {
		dns_rr_why(why, whylen, "resolver set-up (local zone test., trust "
		    "anchor): %s", ub_strerror(r));
		return -1;
	}
	if (opt->n_nameservers > 0)
		dns_unshadow(ctx);
	return 0;
}

struct dns *
dns_new(const struct dns_options *opt, char *why, size_t whylen)
{
	pthread_condattr_t ca;
	struct dns *d;
	struct ub_ctx *ctx;

	if (opt == NULL || opt->timeout < 1) {
		dns_rr_why(why, whylen, "DNS timeout must be at least 1 second");
		return NULL;
	}
	if ((ctx = ub_ctx_create()) == NULL) {
		dns_rr_why(why, whylen, "ub_ctx_create failed");
		return NULL;
	}
	if (dns_setup(ctx, opt, why, whylen) == -1) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->ctx = ctx;
	d->timeout = opt->timeout;
	d->validating = opt->trust_anchor != NULL && opt->trust_anchor[0] != '\0';
	d->cache = dns_cache_new();
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);
	return d;
}

void
dns_free(struct dns **dp)
{
	struct dns *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	ub_ctx_delete(d->ctx);
	dns_cache_free(&d->cache);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
	*dp = NULL;
}

static void
dns_callback(void *arg, int err, struct ub_result *res)
{
	struct dns_pending *p = arg;

	pthread_mutex_lock(&p->d->lock);
	p->err = err;
	p->res = res;
	p->done = 1;
	pthread_cond_broadcast(&p->d->cond);
	pthread_mutex_unlock(&p->d->lock);
}

static long
ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Become the polling thread for one round, or sleep until the poller
 * signals or the deadline passes.  Called and returns with d->lock held. */
static void
dns_wait_round(struct dns *d, const struct timespec *deadline, long ms)
{
	struct pollfd pfd;

	if (d->polling) {
		pthread_cond_timedwait(&d->cond, &d->lock, deadline);
		return;
	}
	d->polling = 1;
	pthread_mutex_unlock(&d->lock);
	pfd.fd = ub_fd(d->ctx);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)(ms > 1000 ? 1000 : ms)) > 0)
		ub_process(d->ctx);
	pthread_mutex_lock(&d->lock);
	d->polling = 0;
	pthread_cond_broadcast(&d->cond);
}

/*
 * Resolve (name, rrtype) within the timeout.  Returns 0 with *res (caller
 * frees with ub_resolve_free), or -1 with why (a DNS_TEMP reason).
 */
static int
dns_resolve(struct dns *d, const char *name, int rrtype,
    struct ub_result **res, char *why, size_t whylen)
{
	struct dns_pending p = { d, 0, 0, NULL };
	struct timespec deadline;
	long ms;
	int id, r;

	*res = NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += d->timeout;
	if ((r = ub_resolve_async(d->ctx, name, rrtype, DNS_C_IN, &p,
	    dns_callback, &id)) != 0) {
		dns_rr_why(why, whylen, "resolver: %s", ub_strerror(r));
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	while (!p.done && (ms = ms_until(&deadline)) > 0)
		dns_wait_round(d, &deadline, ms);
	/* UB_NOID from ub_cancel means another thread's ub_process() has
	 * taken the answer and is about to run the callback on p: wait for
	 * it, since p lives on this stack. */
	if (!p.done && ub_cancel(d->ctx, id) == 0) {
		pthread_mutex_unlock(&d->lock);
		dns_rr_why(why, whylen, "timeout after %ds", d->timeout);
		return -1;
	}
	while (!p.done)
		pthread_cond_wait(&d->cond, &d->lock);
	pthread_mutex_unlock(&d->lock);
	if (p.err != 0 || p.res == NULL) {
		ub_resolve_free(p.res);
		dns_rr_why(why, whylen, "resolver: %s", ub_strerror(p.err));
		return -1;
	}
	*res = p.res;
	return 0;
}

/* Status of a finished look-up, from rcode, data and DNSSEC state. */
static enum dns_status
dns_classify(const struct dns *d, const struct ub_result *r,
    struct dns_answer *a)
{
	if (d->validating)
		a->security = r->secure ? DNS_SEC_SECURE :
		    r->bogus ? DNS_SEC_BOGUS : DNS_SEC_INSECURE;
	if (r->bogus) {
		dns_rr_why(a->why, sizeof a->why, "DNSSEC validation failed: %s",
		    r->why_bogus ? r->why_bogus : "bogus");
		return DNS_TEMP;
	}
	if (r->rcode == RCODE_NXDOMAIN)
		return DNS_NXDOMAIN;
	if (r->rcode != 0) {
		dns_rr_why(a->why, sizeof a->why, "server answered %s",
		    r->rcode == RCODE_SERVFAIL ? "SERVFAIL" :
		    r->rcode == RCODE_REFUSED ? "REFUSED" : "an error rcode");
		return DNS_TEMP;
	}
	return r->havedata ? DNS_OK : DNS_NODATA;
}

static enum dns_status
dns_query(struct dns *d, const char *name, int rrtype, struct dns_answer *a)
{
	char qname[DNS_RR_QNAME_SIZE];
	struct ub_result *r;

	memset(a, 0, sizeof *a);
	if (dns_rr_query_name(name, qname, sizeof qname, a->why,
	    sizeof a->why) == -1)
		return a->status = DNS_PERM;
	if (d->cache != NULL &&
	    dns_cache_get(d->cache, name, rrtype, dns_cache_now(), a))
		return a->status;
	if (dns_resolve(d, qname, rrtype, &r, a->why, sizeof a->why) == -1)
		return a->status = DNS_TEMP;
	a->status = dns_classify(d, r, a);
	if (a->status == DNS_OK && (a->status = dns_rr_decode(a, rrtype, r->data, r->len)) != DNS_OK)
		dns_answer_free(a);
	/* Only OK / NXDOMAIN / NODATA are kept: dns_cache_put refuses the
	 * rest, so a TEMP is asked again next time. */
	if (d->cache != NULL)
		(void)dns_cache_put(d->cache, name, rrtype, a,
		    dns_cache_ttl(a->status, r->ttl, r->answer_packet,
		    r->answer_len > 0 ? (size_t)r->answer_len : 0),
		    dns_cache_now());
	ub_resolve_free(r);
	return a->status;
}

void
dns_set_cache(struct dns *d, int on)
{
	if (!on)
		dns_cache_free(&d->cache);
	else if (d->cache == NULL)
		d->cache = dns_cache_new();
}

enum dns_status
dns_txt(struct dns *d, const char *name, struct dns_answer *a)
{
	return dns_query(d, name, DNS_T_TXT, a);
}

enum dns_status
dns_a(struct dns *d, const char *name, struct dns_answer *a)
{
	return dns_query(d, name, DNS_T_A, a);
}

enum dns_status
dns_aaaa(struct dns *d, const char *name, struct dns_answer *a)
{
	return dns_query(d, name, DNS_T_AAAA, a);
}

enum dns_status
dns_mx(struct dns *d, const char *name, struct dns_answer *a)
{
	return dns_query(d, name, DNS_T_MX, a);
}

enum dns_status
dns_ptr(struct dns *d, const char *addr, struct dns_answer *a)
{
	char name[80];

	if (dns_rr_ptr_name(addr, name, sizeof name) == -1) {
		memset(a, 0, sizeof *a);
		dns_rr_why(a->why, sizeof a->why, "not an IP address");
		return a->status = DNS_PERM;
	}
	return dns_query(d, name, DNS_T_PTR, a);
}

enum dns_status
dns_raw(struct dns *d, const char *name, int rrtype, unsigned char **pkt,
    size_t *len, char *why, size_t whylen)
{
	char qname[DNS_RR_QNAME_SIZE];
	struct ub_result *r;
	enum dns_status st = DNS_OK;

	*pkt = NULL;
	*len = 0;
	if (rrtype < 1 || rrtype > 65535) {
		dns_rr_why(why, whylen, "query type %d out of range", rrtype);
		return DNS_PERM;
	}
	if (dns_rr_query_name(name, qname, sizeof qname, why, whylen) == -1)
		return DNS_PERM;
	if (dns_resolve(d, qname, rrtype, &r, why, whylen) == -1)
		return DNS_TEMP;
	if (r->bogus || (r->rcode != 0 && r->rcode != RCODE_NXDOMAIN) ||
	    r->answer_packet == NULL || r->answer_len <= 0) {
		dns_rr_why(why, whylen, "%s", r->bogus ? "DNSSEC validation failed" :
		    r->rcode == RCODE_SERVFAIL ? "server answered SERVFAIL" :
		    "server answered an error rcode");
		st = DNS_TEMP;
	} else {
		*pkt = xmalloc((size_t)r->answer_len);
		memcpy(*pkt, r->answer_packet, (size_t)r->answer_len);
		*len = (size_t)r->answer_len;
	}
	ub_resolve_free(r);
	return st;
}
