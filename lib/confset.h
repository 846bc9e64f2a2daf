/*
 * confset: apply one libconfig setting to its field, along a row of the
 * schema (confschema.h): type, bounds, text rules and the row's value check
 * (confvalue.h).  Internal to lib/conf*: other modules use conf.h.
 *
 * Never prints or logs: each problem goes to the caller's sink, worded for
 * the admin ("out of range: 0 (allowed 1..60)").  Thread-safe.
 */
#ifndef POSTSEAL_CONFSET_H
#define POSTSEAL_CONFSET_H

#include <libconfig.h>

#include "confschema.h"

/*
 * Where problems go.  problem() gets the setting the problem is at, the
 * key as the user knows it ("dns.nameservers[1]") and the text.
 * too_big() says whether the integer literal of s did not fit in 32 bits
 * (libconfig 1.5 truncates those without a word; conf.c finds them in the
 * raw text).
 */
struct confset_sink {
	void *arg;
	void (*problem)(void *arg, const config_setting_t *s, const char *key,
	    const char *msg);
	int (*too_big)(void *arg, const config_setting_t *s);
};

/*
 * Apply setting s to the field of row k in base (a struct conf for
 * confschema_top, a struct conf_sign for confschema_sign); key names it in
 * problems.  Returns 0, or -1 after sending every problem to sink; the
 * field then keeps its previous value (a replaced string or list is freed).
 * GROUP and SIGN rows are the caller's: -1 without a problem.
 */
int confset_apply(const struct confschema_key *k, void *base,
    const config_setting_t *s, const char *key, const struct confset_sink *sink);

/* "an integer", "a group { }": a libconfig CONFIG_TYPE_* in problems. */
const char *confset_type_name(int config_type);

#endif
