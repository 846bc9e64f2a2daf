/* cache: see cache.h. */
#include "cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct cache_slot {
	char *key;			/* NULL: empty */
	time_t when;
	struct policy_verdict verdict;
};

struct cache {
	pthread_mutex_t lock;
	struct cache_slot *slots;	/* CACHE_SLOTS of them */
};

struct cache *
cache_new(void)
{
	struct cache *c = xcalloc(1, sizeof *c);

	pthread_mutex_init(&c->lock, NULL);
	c->slots = xcalloc(CACHE_SLOTS, sizeof *c->slots);
	return c;
}

void
cache_free(struct cache **cp)
{
	struct cache *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(c->slots[i].key);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	free(c);
	*cp = NULL;
}

int
cache_key(const struct proto_request *req, char *key, size_t n)
{
	int r;

	if (*proto_instance(req) == '\0')
		return -1;
	r = snprintf(key, n, "%s|%s|%s|%s", proto_instance(req),
	    proto_client_address(req), proto_helo_name(req), proto_sender(req));
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

/* FNV-1a: spreads instance strings that differ only at the end. */
static size_t
cache_slot(const char *key)
{
	unsigned long h = 2166136261UL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619UL;
	return (size_t)(h % CACHE_SLOTS);
}

int
cache_get(struct cache *c, const char *key, time_t now,
    struct policy_verdict *v)
{
	struct cache_slot *s = &c->slots[cache_slot(key)];
	int found = 0;

	pthread_mutex_lock(&c->lock);
	if (s->key != NULL && strcmp(s->key, key) == 0 &&
	    now - s->when <= CACHE_TTL && now >= s->when) {
		*v = s->verdict;
		found = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void
cache_put(struct cache *c, const char *key, time_t now,
    const struct policy_verdict *v)
{
	struct cache_slot *s = &c->slots[cache_slot(key)];
	char *copy = xstrdup(key);
	char *old;

	pthread_mutex_lock(&c->lock);
	old = s->key;
	s->key = copy;
	s->when = now;
	s->verdict = *v;
	pthread_mutex_unlock(&c->lock);
	free(old);
}
