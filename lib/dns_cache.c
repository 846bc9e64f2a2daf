/*
 * dns: the answer cache (see dns_cache.h).
 *
 * Each kept answer is an immutable record with a reference count: the
 * table holds one reference, a reader takes another under the set's lock
 * and copies the answer after dropping the lock, so a lock is held only
 * for a few comparisons, and a record evicted meanwhile is freed by
 * whoever drops the last reference.
 */
#include "dns_cache.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"

#define DNS_CACHE_SETS	(DNS_CACHE_SLOTS / DNS_CACHE_WAYS)
#define DNS_CACHE_LOCKS	64		/* power of two, <= DNS_CACHE_SETS */
#define DNS_T_SOA	6

struct dns_cache_rec {
	atomic_uint refs;
	uint32_t hash;
	int rrtype;
	int64_t expires;		/* ms of CLOCK_MONOTONIC */
	size_t bytes;			/* counted against DNS_CACHE_MAX_BYTES */
	struct dns_answer ans;
	size_t keylen;
	char key[];
};

/* One lock per cache line: threads on different sets do not share one. */
struct dns_cache_lock {
	alignas(64) pthread_mutex_t m;
};

struct dns_cache {
	struct dns_cache_lock locks[DNS_CACHE_LOCKS];
	struct dns_cache_rec *slots[DNS_CACHE_SLOTS];
	atomic_size_t bytes;
	atomic_size_t entries;
};

struct dns_cache *
dns_cache_new(void)
{
	struct dns_cache *c = xcalloc(1, sizeof *c);

	for (size_t i = 0; i < DNS_CACHE_LOCKS; i++)
		pthread_mutex_init(&c->locks[i].m, NULL);
	atomic_init(&c->bytes, 0);
	atomic_init(&c->entries, 0);
	return c;
}

static void
dns_cache_release(struct dns_cache_rec *r)
{
	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	dns_answer_free(&r->ans);
	free(r);
}

void
dns_cache_free(struct dns_cache **cp)
{
	struct dns_cache *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	for (size_t i = 0; i < DNS_CACHE_SLOTS; i++)
		dns_cache_release(c->slots[i]);
	for (size_t i = 0; i < DNS_CACHE_LOCKS; i++)
		pthread_mutex_destroy(&c->locks[i].m);
	free(c);
	*cp = NULL;
}

int64_t
dns_cache_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The key of a name: ASCII letters lowercased (DNS compares names that
 * way, RFC 4343; other bytes are compared as they are), one trailing dot
 * dropped.  out has room for DNS_MAX_NAME bytes.  Returns the length, or 0
 * for a name that no query could have been sent for.
 */
static size_t
dns_cache_key(const char *name, char *out)
{
	size_t len = name ? strlen(name) : 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_MAX_NAME)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	return len;
}

/* FNV-1a over the key and the type. */
static uint32_t
dns_cache_hash(const char *key, size_t len, int rrtype)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	h = (h ^ (uint32_t)(rrtype & 0xff)) * 16777619u;
	h = (h ^ (uint32_t)((rrtype >> 8) & 0xff)) * 16777619u;
	return h;
}

/* Bytes of the arrays and strings an answer owns. */
static size_t
dns_cache_answer_bytes(const struct dns_answer *a)
{
	size_t b = 0;

	for (size_t i = 0; i < a->n; i++) {
		if (a->txt != NULL)
			b += sizeof *a->txt + sizeof *a->txt_len +
			    a->txt_len[i] + 1;
		if (a->a != NULL)
			b += sizeof *a->a;
		if (a->aaaa != NULL)
			b += sizeof *a->aaaa;
		if (a->mx != NULL)
			b += sizeof *a->mx + strlen(a->mx[i].host) + 1;
		if (a->ptr != NULL)
			b += sizeof *a->ptr + strlen(a->ptr[i]) + 1;
	}
	return b;
}

static void *
dns_cache_dup(const void *p, size_t n, size_t size)
{
	void *q;

	if (p == NULL || n == 0)
		return NULL;
	q = xcalloc(n, size);
	memcpy(q, p, n * size);
	return q;
}

/* dst becomes a deep copy of src (dst's old arrays are not freed). */
static void
dns_cache_copy(const struct dns_answer *src, struct dns_answer *dst)
{
	size_t n = src->n;

	*dst = *src;
	dst->txt = dns_cache_dup(src->txt, n, sizeof *src->txt);
	dst->txt_len = dns_cache_dup(src->txt_len, n, sizeof *src->txt_len);
	dst->a = dns_cache_dup(src->a, n, sizeof *src->a);
	dst->aaaa = dns_cache_dup(src->aaaa, n, sizeof *src->aaaa);
	dst->mx = dns_cache_dup(src->mx, n, sizeof *src->mx);
	dst->ptr = dns_cache_dup(src->ptr, n, sizeof *src->ptr);
	for (size_t i = 0; i < n; i++) {
		if (dst->txt != NULL)
			dst->txt[i] = dns_cache_dup(src->txt[i],
			    src->txt_len[i] + 1, 1);
		if (dst->mx != NULL)
			dst->mx[i].host = xstrdup(src->mx[i].host);
		if (dst->ptr != NULL)
			dst->ptr[i] = xstrdup(src->ptr[i]);
	}
}

/* The ways of hash's set, and the lock of that set. */
static struct dns_cache_rec **
dns_cache_set_of(struct dns_cache *c, uint32_t hash, pthread_mutex_t **lock)
{
	*lock = &c->locks[(hash % DNS_CACHE_SETS) & (DNS_CACHE_LOCKS - 1)].m;
	return &c->slots[(hash % DNS_CACHE_SETS) * DNS_CACHE_WAYS];
}

static int
dns_cache_match(const struct dns_cache_rec *r, uint32_t hash, int rrtype,
    const char *key, size_t len)
{
	return r != NULL && r->hash == hash && r->rrtype == rrtype &&
	    r->keylen == len && memcmp(r->key, key, len) == 0;
}

int
dns_cache_get(struct dns_cache *c, const char *name, int rrtype, int64_t now,
    struct dns_answer *a)
{
	char key[DNS_MAX_NAME];
	struct dns_cache_rec **set, *r = NULL;
	pthread_mutex_t *lock;
	size_t len;
	uint32_t h;

	if ((len = dns_cache_key(name, key)) == 0)
		return 0;
	h = dns_cache_hash(key, len, rrtype);
	set = dns_cache_set_of(c, h, &lock);
	pthread_mutex_lock(lock);
	for (int w = 0; w < DNS_CACHE_WAYS; w++)
		if (dns_cache_match(set[w], h, rrtype, key, len) &&
		    set[w]->expires > now) {
			r = set[w];
			atomic_fetch_add(&r->refs, 1);
			break;
		}
	pthread_mutex_unlock(lock);
	if (r == NULL)
		return 0;
	dns_cache_copy(&r->ans, a);
	dns_cache_release(r);
	return 1;
}

/* The way to replace: the same key, else an empty one, else the entry
 * closest to expiry (an expired one first). */
static int
dns_cache_victim(struct dns_cache_rec **set, const struct dns_cache_rec *n)
{
	int v = 0;

	for (int w = 0; w < DNS_CACHE_WAYS; w++) {
		if (dns_cache_match(set[w], n->hash, n->rrtype, n->key,
		    n->keylen))
			return w;
		if (set[w] == NULL)
			v = set[v] == NULL ? v : w;
		else if (set[v] != NULL && set[w]->expires < set[v]->expires)
			v = w;
	}
	return v;
}

/* Put n into its set under the set's lock; returns the record it
 * displaced (caller releases it), or n itself when the byte budget
 * refused it. */
static struct dns_cache_rec *
dns_cache_insert(struct dns_cache *c, struct dns_cache_rec *n)
{
	pthread_mutex_t *lock;
	struct dns_cache_rec **set = dns_cache_set_of(c, n->hash, &lock), *old;
	size_t freed;
	int w;

	pthread_mutex_lock(lock);
	w = dns_cache_victim(set, n);
	old = set[w];
	freed = old != NULL ? old->bytes : 0;
	/* Reserve first, so that concurrent inserts into other sets can
	 * never take the total over the budget together. */
	if (atomic_fetch_add(&c->bytes, n->bytes) + n->bytes - freed >
	    DNS_CACHE_MAX_BYTES) {
		atomic_fetch_sub(&c->bytes, n->bytes);
		pthread_mutex_unlock(lock);
		return n;
	}
	atomic_fetch_sub(&c->bytes, freed);
	if (old == NULL)
		atomic_fetch_add(&c->entries, 1);
	set[w] = n;
	pthread_mutex_unlock(lock);
	return old;
}

int
dns_cache_put(struct dns_cache *c, const char *name, int rrtype,
    const struct dns_answer *a, uint32_t ttl, int64_t now)
{
	char key[DNS_MAX_NAME];
	struct dns_cache_rec *n, *old;
	size_t len, bytes;

	if ((a->status != DNS_OK && a->status != DNS_NXDOMAIN &&
	    a->status != DNS_NODATA) || ttl == 0 || a->n > DNS_MAX_RECORDS ||
	    (len = dns_cache_key(name, key)) == 0 ||
	    (bytes = sizeof *n + len + dns_cache_answer_bytes(a)) >
	    DNS_CACHE_MAX_ENTRY)
		return 0;
	n = xmalloc(sizeof *n + len);
	atomic_init(&n->refs, 1);
	n->hash = dns_cache_hash(key, len, rrtype);
	n->rrtype = rrtype;
	n->expires = now + 1000 * (int64_t)(ttl < DNS_CACHE_MAX_TTL ? ttl :
	    DNS_CACHE_MAX_TTL);
	n->bytes = bytes;
	n->keylen = len;
	memcpy(n->key, key, len);
	dns_cache_copy(a, &n->ans);
	if ((old = dns_cache_insert(c, n)) == n) {
		dns_cache_release(n);
		return 0;
	}
	dns_cache_release(old);
	return 1;
}

/* Past the wire name at p[i]; 0 when it runs off the packet. */
static size_t
dns_cache_skip_name(const unsigned char *p, size_t len, size_t i)
{
	while (i < len) {
		if (p[i] == 0)
			return i + 1;
		if ((p[i] & 0xc0) == 0xc0)
			return i + 2 <= len ? i + 2 : 0;
		if ((p[i] & 0xc0) != 0)
			return 0;
		i += 1u + p[i];
	}
	return 0;
}

static uint32_t
dns_cache_u32(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];

	/* RFC 2181 8: a TTL with the top bit set means zero. */
	return v > 0x7fffffffu ? 0 : v;
}

/*
 * RFC 2308 5: the negative TTL is the smaller of the SOA's own TTL and its
 * MINIMUM field.  The packet is walked with every offset checked against
 * len; a malformed one gives the default.
 */
static uint32_t
dns_cache_soa_ttl(const unsigned char *p, size_t len)
{
	size_t i = 12, rdlen;
	unsigned qd, an, ns, k;
	uint32_t ttl, min;

	if (p == NULL || len < 12)
		return DNS_CACHE_NEG_TTL;
	qd = (unsigned)(p[4] << 8 | p[5]);
	an = (unsigned)(p[6] << 8 | p[7]);
	ns = (unsigned)(p[8] << 8 | p[9]);
	for (k = 0; k < qd; k++)
		if ((i = dns_cache_skip_name(p, len, i)) == 0 || (i += 4) > len)
			return DNS_CACHE_NEG_TTL;
	for (k = 0; k < an + ns; k++) {
		if ((i = dns_cache_skip_name(p, len, i)) == 0 || i + 10 > len)
			return DNS_CACHE_NEG_TTL;
		rdlen = (size_t)(p[i + 8] << 8 | p[i + 9]);
		if (i + 10 + rdlen > len)
			return DNS_CACHE_NEG_TTL;
		/* An SOA's rdata: two names (1 byte at least each), then
		 * serial, refresh, retry, expire and minimum. */
		if (k >= an && (p[i] << 8 | p[i + 1]) == DNS_T_SOA &&
		    rdlen >= 22) {
			ttl = dns_cache_u32(p + i + 4);
			min = dns_cache_u32(p + i + 10 + rdlen - 4);
			return ttl < min ? ttl : min;
		}
		i += 10 + rdlen;
	}
	return DNS_CACHE_NEG_TTL;
}

uint32_t
dns_cache_ttl(enum dns_status st, int answer_ttl, const unsigned char *pkt,
    size_t len)
{
	if (st == DNS_OK)
		return answer_ttl > 0 ? (uint32_t)answer_ttl : 0;
	if (st == DNS_NXDOMAIN || st == DNS_NODATA)
		return dns_cache_soa_ttl(pkt, len);
	return 0;
}

size_t
dns_cache_entries(struct dns_cache *c)
{
	return atomic_load(&c->entries);
}

size_t
dns_cache_bytes(struct dns_cache *c)
{
	return atomic_load(&c->bytes);
}

long
dns_cache_set(const char *name, int rrtype)
{
	char key[DNS_MAX_NAME];
	size_t len;

	if ((len = dns_cache_key(name, key)) == 0)
		return -1;
	return (long)(dns_cache_hash(key, len, rrtype) % DNS_CACHE_SETS);
}
