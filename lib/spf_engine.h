/*
 * spf_engine: what lib/spf.c and the SPF engine built in owe each other;
 * not for other modules.
 *
 * spf.c holds what every engine shares: the context (struct spf), the
 * public entry points and the checks of a sender's domain.  Exactly one
 * engine (spf_builtin.c or spf_libspf2.c, chosen at build time) defines
 * the spf_engine_*() functions below and spf_engine_name() of spf.h.
 */
#ifndef POSTSEAL_SPF_ENGINE_H
#define POSTSEAL_SPF_ENGINE_H

#include "dns.h"
#include "spf.h"

struct spf {
	struct dns *dns;		/* borrowed */
	char *receiver;			/* %{r}; owned */
};

/* Called first by every spf_new(), before its arguments are checked;
 * must be idempotent and thread-safe. */
void spf_engine_init(void);

/* The receiving host's name (%{r}) when spf_new() is given none. */
const char *spf_engine_receiver(void);

/*
 * Check one identity for spf_check() / spf_check_helo(): sender is NULL
 * for the HELO identity; identity is "helo" or "mailfrom"; out is not
 * NULL, s may be.  Overwrites out completely; returns out->result.
 */
enum spf_result spf_engine_check(struct spf *s, const char *ip,
    const char *helo, const char *sender, const char *identity,
    struct spf_outcome *out);

/* out->result = r and out->explanation formatted; returns r. */
enum spf_result spf_outcome_set(struct spf_outcome *out, enum spf_result r,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * RFC 7208 4.3: 1 when d (an optional trailing dot allowed) is a name of
 * at least two labels of 1..63 letters, digits, '-' or '_', at most
 * DNS_MAX_NAME bytes, whose top label holds a letter (4.6.1 toplabel,
 * which also rules out address literals); 0 when the result must be none.
 */
int spf_domain_ok(const char *d);

#endif
