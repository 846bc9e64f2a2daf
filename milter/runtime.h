/*
 * runtime: everything a message needs that comes from the config: the
 * config itself, the loaded keys, the resolver, the verifier library.
 *
 * A runtime is built completely (runtime_build) before it is used, and is
 * reference-counted: every message holds the runtime it started with until
 * it ends, so a reload (runtime_swap) never changes a message in flight and
 * the old runtime is freed by whoever drops the last reference.
 */
#ifndef POSTSEAL_MILTER_RUNTIME_H
#define POSTSEAL_MILTER_RUNTIME_H

#include <stddef.h>

#include "conf.h"
#include "domain.h"

struct keys;
struct dns;
struct dkverify_lib;
struct spf;
struct history;

struct runtime {
	struct conf *conf;
	struct keys *keys;
	struct dns *dns;
	struct dkverify_lib *vlib;
	struct spf *spf;
	struct history *history;	/* milter.dmarc.history, or NULL */
	struct domain_cidr *internal;	/* milter.internal_hosts, parsed */
	size_t n_internal;
	int refs;			/* guarded by the runtime lock */
};

/*
 * Build a runtime on a loaded config (ownership of c passes to the
 * runtime, also on failure): every key and the resolver.  Returns NULL with
 * every problem appended to problems.
 */
struct runtime *runtime_build(struct conf *c, struct strlist *problems);

/* Install rt as the live runtime (takes the caller's reference). */
void runtime_install(struct runtime *rt);
/* A new reference to the live runtime; release with runtime_release. */
struct runtime *runtime_acquire(void);
void runtime_release(struct runtime **rt);
/* Release the live runtime at exit. */
void runtime_shutdown(void);

/*
 * Open milter.dmarc.history for rt.  Called as the daemon user (after the
 * privilege drop, and at reload), so the database and its WAL files belong
 * to that user; never by -n, which must not create files.  A database that
 * cannot be opened costs the history, never mail: one warning.
 */
void runtime_open_history(struct runtime *rt);

/*
 * After the privilege drop: one warning for each file a reload reads as
 * the daemon user (the config, the KeyTable and SigningTable; the keys too
 * when no key broker runs, keybroker.h) that the daemon user cannot read.
 * Start-up read them as root; a reload fails on such a file and keeps the
 * previous configuration and keys, so the warning comes at start, with
 * the fix, not at the first SIGHUP.
 */
void runtime_check_reload(const struct runtime *rt, const char *conf_path);

/* Is ip (text) one of milter.internal_hosts? */
int runtime_is_internal(const struct runtime *rt, const char *ip);

#endif
