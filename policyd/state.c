/* state: see state.h. */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct state *
state_load(const char *path, struct strlist *problems)
{
	struct state *st;
	struct conf *c;
	char why[512];

	if ((c = conf_load(path, problems)) == NULL)
		return NULL;
	st = xcalloc(1, sizeof *st);
	st->conf = c;
	st->refs = 1;
	if (policy_skip_init(&st->skip, c, why, sizeof why) == -1) {
		strlist_addf(problems, "%s: %s", path, why);
		state_free(&st);
		return NULL;
	}
	return st;
}

int
state_resolver(struct state *st, char *why, size_t n)
{
	const struct conf *c = st->conf;
	char e[256];

	if ((st->dns = conf_resolver(c, e, sizeof e)) == NULL) {
		snprintf(why, n, "resolver: %s", e);
		return -1;
	}
	if ((st->spf = spf_new(st->dns, c->authserv_id, e, sizeof e)) == NULL) {
		snprintf(why, n, "SPF engine %s: %s", spf_engine_name(), e);
		return -1;
	}
	return 0;
}

void
state_free(struct state **stp)
{
	struct state *st = *stp;

	if (st == NULL)
		return;
	spf_free(&st->spf);
	dns_free(&st->dns);
	policy_skip_clear(&st->skip);
	conf_free(&st->conf);
	free(st);
	*stp = NULL;
}

void
live_init(struct live *l, struct state *st)
{
	pthread_mutex_init(&l->lock, NULL);
	l->cur = st;
}

void
live_swap(struct live *l, struct state *st)
{
	struct state *old;

	pthread_mutex_lock(&l->lock);
	old = l->cur;
	l->cur = st;
	pthread_mutex_unlock(&l->lock);
	live_release(l, &old);
}

struct state *
live_acquire(struct live *l)
{
	struct state *st;

	pthread_mutex_lock(&l->lock);
	st = l->cur;
	st->refs++;
	pthread_mutex_unlock(&l->lock);
	return st;
}

void
live_release(struct live *l, struct state **stp)
{
	int last;

	if (*stp == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	last = --(*stp)->refs == 0;
	pthread_mutex_unlock(&l->lock);
	if (last)
		state_free(stp);
	*stp = NULL;
}

void
live_destroy(struct live *l)
{
	live_release(l, &l->cur);
	pthread_mutex_destroy(&l->lock);
}
