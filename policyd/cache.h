/*
 * cache: per-message memory of what policyd already answered, so the SPF
 * checks run once per message and only its first RCPT gets the header.
 *
 * Keyed by Postfix's instance attribute together with the client address,
 * HELO name and sender (so a new MAIL FROM is a new message).  Bounded: a
 * fixed table of CACHE_SLOTS entries, a newer message may take an older
 * one's slot, and entries older than CACHE_TTL seconds are ignored (both
 * only cost a repeated look-up).  Thread-safe (one mutex).
 */
#ifndef POSTSEAL_POLICYD_CACHE_H
#define POSTSEAL_POLICYD_CACHE_H

#include <stddef.h>
#include <time.h>

#include "policy.h"

#define CACHE_SLOTS	4096
#define CACHE_TTL	3600

struct cache;

struct cache *cache_new(void);
void cache_free(struct cache **c);

/* The key of a request into key (size n); returns 0, or -1 without instance. */
int cache_key(const struct proto_request *req, char *key, size_t n);

/*
 * Look key up at time now.  Returns 1 and copies the stored verdict into
 * v when present and fresh, else 0.
 */
int cache_get(struct cache *c, const char *key, time_t now,
    struct policy_verdict *v);

/* Remember verdict v for key at time now. */
void cache_put(struct cache *c, const char *key, time_t now,
    const struct policy_verdict *v);

#endif
