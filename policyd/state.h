/*
 * state: what every request needs from the config: the config itself, the
 * parsed skip lists, the resolver and the SPF engine.
 *
 * A state is built completely before use and reference-counted through a
 * struct live: each request holds the state it started with, a reload
 * (SIGHUP) builds a new one and swaps the pointer, and whoever drops the
 * last reference frees the old one.  Requests never see a half-built state.
 */
#ifndef POSTSEAL_POLICYD_STATE_H
#define POSTSEAL_POLICYD_STATE_H

#include <pthread.h>

#include "conf.h"
#include "dns.h"
#include "policy.h"
#include "spf.h"

struct state {
	struct conf *conf;
	struct policy_skip skip;
	struct dns *dns;		/* NULL until state_resolver() */
	struct spf *spf;
	int refs;			/* guarded by live.lock */
};

/* The live state, shared by all connection threads. */
struct live {
	pthread_mutex_t lock;
	struct state *cur;
};

/* Load and check the config (and skip lists).  NULL with problems. */
struct state *state_load(const char *path, struct strlist *problems);
/* Create the resolver and the SPF engine.  Returns 0, or -1 with why. */
int state_resolver(struct state *st, char *why, size_t n);
void state_free(struct state **st);

void live_init(struct live *l, struct state *st);	/* takes st */
/* Replace the live state by st (takes st); the old one goes when unused. */
void live_swap(struct live *l, struct state *st);
struct state *live_acquire(struct live *l);
void live_release(struct live *l, struct state **st);
void live_destroy(struct live *l);

#endif
