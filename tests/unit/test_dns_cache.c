/*
 * lib/dns_cache: the resolver's answer cache, with the time chosen by the
 * test: hits and misses, expiry and the TTL cap, statuses never kept,
 * names compared without ASCII case, eviction within a set, the memory
 * bounds, negative TTLs from SOA records of hand-built packets, and eight
 * threads reading and writing one cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "dns_cache.h"
#include "xmalloc.h"

#define T_A	1
#define T_PTR	12
#define T_MX	15
#define T_TXT	16
#define T_AAAA	28

/* A TXT answer of n records, record i being "<tag> i" padded to pad bytes
 * with 'x' (a NUL byte in the middle of the first one). */
static void
make_txt(struct dns_answer *a, const char *tag, size_t n, size_t pad)
{
	memset(a, 0, sizeof *a);
	a->status = DNS_OK;
	a->n = n;
	a->txt = xcalloc(n, sizeof *a->txt);
	a->txt_len = xcalloc(n, sizeof *a->txt_len);
	for (size_t i = 0; i < n; i++) {
		char head[300];
		int hl = snprintf(head, sizeof head, "%s %zu", tag, i);
		size_t len = pad > (size_t)hl ? pad : (size_t)hl;

		a->txt[i] = xmalloc(len + 1);
		memset(a->txt[i], 'x', len);
		memcpy(a->txt[i], head, (size_t)hl);
		a->txt[i][len] = '\0';
		if (i == 0 && len > (size_t)hl + 1)
			a->txt[i][hl] = '\0';
		a->txt_len[i] = len;
	}
}

static void
assert_same_txt(const struct dns_answer *x, const struct dns_answer *y)
{
	assert_int_equal(x->status, y->status);
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++) {
		assert_int_equal(x->txt_len[i], y->txt_len[i]);
		assert_memory_equal(x->txt[i], y->txt[i], x->txt_len[i] + 1);
		assert_ptr_not_equal(x->txt[i], y->txt[i]);
	}
}

static void
test_hit_miss(void **state)
{
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;

	(void)state;
	make_txt(&a, "v=spf1", 3, 0);
	memset(&got, 0, sizeof got);
	assert_int_equal(dns_cache_get(c, "example.com", T_TXT, 0, &got), 0);
	assert_int_equal(dns_cache_put(c, "example.com", T_TXT, &a, 60, 0), 1);
	assert_int_equal(dns_cache_get(c, "example.com", T_TXT, 1, &got), 1);
	assert_same_txt(&a, &got);
	dns_answer_free(&got);
	/* Another type, another name, a parent or child name: misses. */
	assert_int_equal(dns_cache_get(c, "example.com", T_A, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "example.org", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "com", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "a.example.com", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "example.co", T_TXT, 1, &got), 0);
	/* The kept copy does not depend on the answer it came from. */
	dns_answer_free(&a);
	assert_int_equal(dns_cache_get(c, "example.com", T_TXT, 2, &got), 1);
	assert_int_equal(got.n, 3);
	assert_int_equal(memcmp(got.txt[2], "v=spf1 2", 9), 0);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_entries(c), 1);
	dns_cache_free(&c);
	assert_null(c);
}

static void
test_expiry(void **state)
{
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;
	int64_t t0 = 5000000;

	(void)state;
	make_txt(&a, "short", 1, 0);
	assert_int_equal(dns_cache_put(c, "short.test", T_TXT, &a, 10, t0), 1);
	assert_int_equal(dns_cache_get(c, "short.test", T_TXT, t0 + 9999,
	    &got), 1);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_get(c, "short.test", T_TXT, t0 + 10000,
	    &got), 0);
	/* A long TTL is capped at DNS_CACHE_MAX_TTL. */
	assert_int_equal(dns_cache_put(c, "long.test", T_TXT, &a, 86400, t0), 1);
	assert_int_equal(dns_cache_get(c, "long.test", T_TXT,
	    t0 + DNS_CACHE_MAX_TTL * 1000 - 1, &got), 1);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_get(c, "long.test", T_TXT,
	    t0 + DNS_CACHE_MAX_TTL * 1000, &got), 0);
	/* TTL 0: not kept at all. */
	assert_int_equal(dns_cache_put(c, "zero.test", T_TXT, &a, 0, t0), 0);
	assert_int_equal(dns_cache_get(c, "zero.test", T_TXT, t0, &got), 0);
	/* An expired entry is replaced by a fresh answer for its name. */
	assert_int_equal(dns_cache_put(c, "short.test", T_TXT, &a, 5,
	    t0 + 20000), 1);
	assert_int_equal(dns_cache_get(c, "short.test", T_TXT, t0 + 24999,
	    &got), 1);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_entries(c), 2);
	dns_answer_free(&a);
	dns_cache_free(&c);
}

static void
test_statuses(void **state)
{
	static const enum dns_status kept[] = { DNS_NXDOMAIN, DNS_NODATA };
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;

	(void)state;
	memset(&a, 0, sizeof a);
	a.status = DNS_TEMP;
	snprintf(a.why, sizeof a.why, "timeout after 5s");
	assert_int_equal(dns_cache_put(c, "temp.test", T_TXT, &a, 300, 0), 0);
	assert_int_equal(dns_cache_get(c, "temp.test", T_TXT, 1, &got), 0);
	a.status = DNS_PERM;
	assert_int_equal(dns_cache_put(c, "perm.test", T_TXT, &a, 300, 0), 0);
	assert_int_equal(dns_cache_get(c, "perm.test", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_entries(c), 0);
	assert_int_equal(dns_cache_bytes(c), 0);
	for (size_t i = 0; i < 2; i++) {
		memset(&a, 0, sizeof a);
		a.status = kept[i];
		assert_int_equal(dns_cache_put(c, "none.test", T_MX, &a, 60, 0), 1);
		memset(&got, 0xff, sizeof got);
		assert_int_equal(dns_cache_get(c, "none.test", T_MX, 1, &got), 1);
		assert_int_equal(got.status, kept[i]);
		assert_int_equal(got.n, 0);
		assert_null(got.mx);
		assert_null(got.txt);
		dns_answer_free(&got);
	}
	/* A TEMP answer does not replace nor hide the kept one. */
	a.status = DNS_TEMP;
	assert_int_equal(dns_cache_put(c, "none.test", T_MX, &a, 60, 2), 0);
	assert_int_equal(dns_cache_get(c, "none.test", T_MX, 3, &got), 1);
	assert_int_equal(got.status, DNS_NODATA);
	dns_answer_free(&got);
	dns_cache_free(&c);
}

static void
test_case_and_names(void **state)
{
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;

	(void)state;
	make_txt(&a, "case", 1, 0);
	assert_int_equal(dns_cache_put(c, "MiXeD.Example.COM.", T_TXT, &a, 60,
	    0), 1);
	assert_int_equal(dns_cache_get(c, "mixed.example.com", T_TXT, 1, &got),
	    1);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_get(c, "MIXED.EXAMPLE.COM.", T_TXT, 1, &got),
	    1);
	dns_answer_free(&got);
	/* Only ASCII letters fold: 0xC4 and 0xE4 are different bytes. */
	assert_int_equal(dns_cache_put(c, "\xc4x.test", T_TXT, &a, 60, 0), 1);
	assert_int_equal(dns_cache_get(c, "\xe4x.test", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "\xc4X.test", T_TXT, 1, &got), 1);
	dns_answer_free(&got);
	/* Spaces and backslashes are bytes of the name, not escapes. */
	assert_int_equal(dns_cache_put(c, "A B.test", T_TXT, &a, 60, 0), 1);
	assert_int_equal(dns_cache_get(c, "a b.test", T_TXT, 1, &got), 1);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_get(c, "a\\032b.test", T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_get(c, "a  b.test", T_TXT, 1, &got), 0);
	/* Names no query is sent for are never kept. */
	assert_int_equal(dns_cache_put(c, "", T_TXT, &a, 60, 0), 0);
	assert_int_equal(dns_cache_put(c, ".", T_TXT, &a, 60, 0), 0);
	assert_int_equal(dns_cache_put(c, NULL, T_TXT, &a, 60, 0), 0);
	assert_int_equal(dns_cache_get(c, NULL, T_TXT, 1, &got), 0);
	assert_int_equal(dns_cache_set("", T_TXT), -1);
	dns_answer_free(&a);
	dns_cache_free(&c);
}

/* Every record type's arrays are copied, not shared. */
static void
test_types(void **state)
{
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;

	(void)state;
	memset(&a, 0, sizeof a);
	a.status = DNS_OK;
	a.security = DNS_SEC_SECURE;
	a.n = 2;
	a.mx = xcalloc(2, sizeof *a.mx);
	a.mx[0].preference = 10;
	a.mx[0].host = xstrdup("mx1.example.com");
	a.mx[1].preference = 0;
	a.mx[1].host = xstrdup("");
	assert_int_equal(dns_cache_put(c, "example.com", T_MX, &a, 60, 0), 1);
	dns_answer_free(&a);
	assert_int_equal(dns_cache_get(c, "example.com", T_MX, 1, &got), 1);
	assert_int_equal(got.security, DNS_SEC_SECURE);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.mx[0].preference, 10);
	assert_string_equal(got.mx[0].host, "mx1.example.com");
	assert_string_equal(got.mx[1].host, "");
	assert_null(got.txt);
	dns_answer_free(&got);

	memset(&a, 0, sizeof a);
	a.n = 1;
	a.aaaa = xcalloc(1, sizeof *a.aaaa);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::25", a.aaaa), 1);
	assert_int_equal(dns_cache_put(c, "example.com", T_AAAA, &a, 60, 0), 1);
	dns_answer_free(&a);
	a.n = 1;
	a.ptr = xcalloc(1, sizeof *a.ptr);
	a.ptr[0] = xstrdup("host.example.com");
	assert_int_equal(dns_cache_put(c, "25.2.0.192.in-addr.arpa", T_PTR, &a,
	    60, 0), 1);
	dns_answer_free(&a);

	assert_int_equal(dns_cache_get(c, "example.com", T_AAAA, 1, &got), 1);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.aaaa[0].s6_addr[15], 0x25);
	assert_null(got.mx);
	dns_answer_free(&got);
	assert_int_equal(dns_cache_get(c, "25.2.0.192.in-addr.arpa", T_PTR, 1,
	    &got), 1);
	assert_string_equal(got.ptr[0], "host.example.com");
	dns_answer_free(&got);
	assert_int_equal(dns_cache_entries(c), 3);
	dns_cache_free(&c);
}

/* n names that share one set with "base.test" (TXT). */
static void
same_set(char names[][32], size_t n)
{
	long set = dns_cache_set("base.test", T_TXT);
	size_t found = 0;

	assert_true(set >= 0 && set < DNS_CACHE_SLOTS / DNS_CACHE_WAYS);
	for (unsigned i = 0; found < n && i < 10000000; i++) {
		snprintf(names[found], 32, "n%u.test", i);
		if (dns_cache_set(names[found], T_TXT) == set)
			found++;
	}
	assert_int_equal(found, n);
}

static void
test_eviction(void **state)
{
	static const uint32_t ttl[DNS_CACHE_WAYS] = { 100, 50, 200, 300 };
	char names[DNS_CACHE_WAYS + 1][32];
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;
	int w;

	(void)state;
	same_set(names, DNS_CACHE_WAYS + 1);
	make_txt(&a, "evict", 1, 0);
	for (w = 0; w < DNS_CACHE_WAYS; w++)
		assert_int_equal(dns_cache_put(c, names[w], T_TXT, &a, ttl[w],
		    0), 1);
	/* Replacing a name in a full set keeps the others. */
	assert_int_equal(dns_cache_put(c, names[0], T_TXT, &a, 100, 0), 1);
	assert_int_equal(dns_cache_entries(c), DNS_CACHE_WAYS);
	for (w = 0; w < DNS_CACHE_WAYS; w++) {
		assert_int_equal(dns_cache_get(c, names[w], T_TXT, 1, &got), 1);
		dns_answer_free(&got);
	}
	/* A new name evicts the entry closest to expiry (ttl 50). */
	assert_int_equal(dns_cache_put(c, names[DNS_CACHE_WAYS], T_TXT, &a, 60,
	    0), 1);
	assert_int_equal(dns_cache_entries(c), DNS_CACHE_WAYS);
	assert_int_equal(dns_cache_get(c, names[1], T_TXT, 1, &got), 0);
	for (w = 0; w <= DNS_CACHE_WAYS; w++) {
		if (w == 1)
			continue;
		assert_int_equal(dns_cache_get(c, names[w], T_TXT, 1, &got), 1);
		dns_answer_free(&got);
	}
	/* Many more names than slots: the table never grows. */
	for (unsigned i = 0; i < 3 * DNS_CACHE_SLOTS; i++) {
		char name[32];

		snprintf(name, sizeof name, "fill%u.test", i);
		assert_int_equal(dns_cache_put(c, name, T_TXT, &a, 60, 0), 1);
		assert_int_equal(dns_cache_get(c, name, T_TXT, 1, &got), 1);
		dns_answer_free(&got);
	}
	assert_true(dns_cache_entries(c) <= DNS_CACHE_SLOTS);
	assert_true(dns_cache_entries(c) > DNS_CACHE_SLOTS / 2);
	dns_answer_free(&a);
	dns_cache_free(&c);
}

static void
test_bounds(void **state)
{
	struct dns_cache *c = dns_cache_new();
	struct dns_answer a, got;
	char name[32];
	size_t kept = 0;
	unsigned i;

	(void)state;
	/* The largest answer the decoder lets through: not kept. */
	make_txt(&a, "huge", DNS_MAX_RECORDS, DNS_MAX_TXT);
	assert_int_equal(dns_cache_put(c, "huge.test", T_TXT, &a, 60, 0), 0);
	assert_int_equal(dns_cache_get(c, "huge.test", T_TXT, 1, &got), 0);
	dns_answer_free(&a);
	/* More records than DNS_MAX_RECORDS: not kept. */
	make_txt(&a, "many", DNS_MAX_RECORDS + 1, 0);
	assert_int_equal(dns_cache_put(c, "many.test", T_TXT, &a, 60, 0), 0);
	dns_answer_free(&a);
	assert_int_equal(dns_cache_bytes(c), 0);
	/* Answers just under the entry bound fill the byte budget, then
	 * stop being kept; the budget is never exceeded. */
	make_txt(&a, "big", 1, DNS_CACHE_MAX_ENTRY - 1024);
	for (i = 0; i < DNS_CACHE_SLOTS; i++) {
		snprintf(name, sizeof name, "big%u.test", i);
		kept += (size_t)dns_cache_put(c, name, T_TXT, &a, 60, 0);
		assert_true(dns_cache_bytes(c) <= DNS_CACHE_MAX_BYTES);
	}
	assert_true(kept < DNS_CACHE_SLOTS);
	assert_true(dns_cache_bytes(c) > DNS_CACHE_MAX_BYTES -
	    DNS_CACHE_MAX_ENTRY);
	assert_true(dns_cache_entries(c) <= DNS_CACHE_MAX_BYTES /
	    (DNS_CACHE_MAX_ENTRY - 1024));
	dns_answer_free(&a);
	/* A small answer still replaces a big one for its name. */
	for (i = 0; i < DNS_CACHE_SLOTS; i++) {
		snprintf(name, sizeof name, "big%u.test", i);
		if (dns_cache_get(c, name, T_TXT, 1, &got))
			break;
	}
	assert_true(i < DNS_CACHE_SLOTS);
	dns_answer_free(&got);
	make_txt(&a, "small", 1, 0);
	assert_int_equal(dns_cache_put(c, name, T_TXT, &a, 60, 0), 1);
	assert_int_equal(dns_cache_get(c, name, T_TXT, 1, &got), 1);
	assert_int_equal(got.txt_len[0], strlen("small 0"));
	dns_answer_free(&got);
	dns_answer_free(&a);
	dns_cache_free(&c);
}

/* A reply: header, question "x.test" TXT, no answer, one SOA in the
 * authority section with the given TTL and MINIMUM. */
static size_t
soa_packet(unsigned char *p, uint32_t ttl, uint32_t minimum)
{
	static const unsigned char head[] = {
		0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 0,
		1, 'x', 4, 't', 'e', 's', 't', 0, 0, 16, 0, 1,
		0xc0, 14, 0, 6, 0, 1,	/* owner "test" (pointer), SOA, IN */
	};
	static const unsigned char rdata[] = {
		3, 'n', 's', '1', 0xc0, 14, 0, 0xc0, 14,	/* mname, rname */
		0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 2, 0x58, 0, 1, 0x51, 0x80,
	};
	size_t n = sizeof head;

	memcpy(p, head, n);
	for (int i = 3; i >= 0; i--)
		p[n++] = (unsigned char)(ttl >> (8 * i));
	p[n++] = 0;
	p[n++] = sizeof rdata + 4;
	memcpy(p + n, rdata, sizeof rdata);
	n += sizeof rdata;
	for (int i = 3; i >= 0; i--)
		p[n++] = (unsigned char)(minimum >> (8 * i));
	return n;
}

static void
test_ttl(void **state)
{
	unsigned char p[128];
	size_t n, i;

	(void)state;
	assert_int_equal(dns_cache_ttl(DNS_OK, 3600, NULL, 0), 3600);
	assert_int_equal(dns_cache_ttl(DNS_OK, 0, NULL, 0), 0);
	assert_int_equal(dns_cache_ttl(DNS_OK, -5, NULL, 0), 0);
	assert_int_equal(dns_cache_ttl(DNS_TEMP, 300, NULL, 0), 0);
	assert_int_equal(dns_cache_ttl(DNS_PERM, 300, NULL, 0), 0);
	n = soa_packet(p, 300, 120);
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, n), 120);
	assert_int_equal(dns_cache_ttl(DNS_NODATA, 999, p, n), 120);
	n = soa_packet(p, 30, 3600);
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, n), 30);
	/* A TTL with the top bit set means zero (RFC 2181). */
	n = soa_packet(p, 0x80000000u, 3600);
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, n), 0);
	/* No packet, no SOA, or any truncation: the default. */
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, NULL, 0),
	    DNS_CACHE_NEG_TTL);
	n = soa_packet(p, 300, 120);
	p[9] = 0;	/* no authority records */
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, n),
	    DNS_CACHE_NEG_TTL);
	p[9] = 1;
	for (i = 0; i < n; i++)
		assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, i),
		    DNS_CACHE_NEG_TTL);
	/* Counts that promise more records than there are. */
	p[5] = 0xff;
	assert_int_equal(dns_cache_ttl(DNS_NXDOMAIN, 0, p, n),
	    DNS_CACHE_NEG_TTL);
}

struct worker {
	struct dns_cache *c;
	char (*names)[32];
	size_t n_names;
	unsigned seed;
	int bad;
};

/* The answer every worker stores for names[i]: its content is derived
 * from the name and index, so any mix-up shows on a hit. */
static void *
work(void *arg)
{
	struct worker *w = arg;
	struct dns_answer a, got;

	for (int k = 0; k < 20000; k++) {
		size_t i = rand_r(&w->seed) % w->n_names;
		int64_t now = k;	/* ms: entries of 1..5 s expire */

		if (rand_r(&w->seed) % 4 == 0) {
			make_txt(&a, w->names[i], 1 + i % 3, i % 7 * 100);
			dns_cache_put(w->c, w->names[i], T_TXT, &a,
			    1 + (uint32_t)(i % 5), now);
			dns_answer_free(&a);
			continue;
		}
		if (!dns_cache_get(w->c, w->names[i], T_TXT, now, &got))
			continue;
		make_txt(&a, w->names[i], 1 + i % 3, i % 7 * 100);
		if (got.n != a.n || got.txt_len[0] != a.txt_len[0] ||
		    memcmp(got.txt[0], a.txt[0], a.txt_len[0]) != 0)
			w->bad++;
		dns_answer_free(&a);
		dns_answer_free(&got);
	}
	return NULL;
}

/* Eight threads on one cache, names crowding one set (evictions on
 * every other put) and names spread over the table. */
static void
test_threads(void **state)
{
	static char names[64][32];
	struct dns_cache *c = dns_cache_new();
	struct worker w[8];
	pthread_t t[8];
	int i;

	(void)state;
	same_set(names, 12);
	for (i = 12; i < 64; i++)
		snprintf(names[i], sizeof names[i], "spread%d.Test", i);
	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ c, names, 64, (unsigned)i * 7919u + 1, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 8; i++)
		assert_int_equal(w[i].bad, 0);
	assert_true(dns_cache_entries(c) <= 52 + DNS_CACHE_WAYS);
	assert_true(dns_cache_bytes(c) > 0);
	dns_cache_free(&c);
}

/* Through a resolver whose server never answers: a TEMP is asked again
 * every time (each waits for its own timeout), cache on or off. */
static void
test_resolver_temp(void **state)
{
	const char *ns[1] = { "127.0.0.1@9" };
	struct dns_options o = { .nameservers = ns, .n_nameservers = 1,
	    .timeout = 1 };
	struct dns_answer a;
	struct timespec t0, t1;
	char why[256];
	struct dns *d = dns_new(&o, why, sizeof why);

	(void)state;
	if (d == NULL)
		fail_msg("dns_new: %s", why);
	for (int i = 0; i < 3; i++) {
		dns_set_cache(d, i != 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(dns_txt(d, "temp.postseal.test", &a), DNS_TEMP);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_non_null(strstr(a.why, "timeout"));
		/* Not answered from memory: the query waited for the server. */
		assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 900);
		dns_answer_free(&a);
	}
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_case_and_names),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_resolver_temp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
