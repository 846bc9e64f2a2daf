/*
 * handle: one policy request end to end: skip lists, the per-message
 * cache, the SPF look-ups (HELO, then MAIL FROM), the DMARC record probe
 * when the decision depends on it, policy_decide(), one log line.
 *
 * Never exits and never fails: whatever goes wrong becomes an action
 * (a temporary DNS failure is an SPF temperror and follows its action).
 * Thread-safe: each connection thread calls it with its own request.
 */
#ifndef POSTSEAL_POLICYD_HANDLE_H
#define POSTSEAL_POLICYD_HANDLE_H

#include <stddef.h>

#include "cache.h"
#include "proto.h"
#include "state.h"

struct handler {
	struct live *live;
	struct cache *cache;
};

/* Decide req; the action text goes into action (size n). */
void handle_request(struct handler *h, const struct proto_request *req,
    char *action, size_t n);

#endif
