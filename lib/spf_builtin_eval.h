/*
 * spf_builtin_eval: check_host() of RFC 7208 for the built-in engine.
 *
 * spf_builtin.c validates the identity and the client address and then
 * hands one request to spf_builtin_eval(), which fetches and parses the
 * records (spfrec), expands macros (spfmacro), queries lib/dns and fills
 * the outcome.  Limits over the whole check (4.6.4): 10 DNS-querying
 * terms across include and redirect, 2 void look-ups, 10 MX names per mx
 * term, the first 10 PTR names per ptr term or %{p}.  A DNS timeout or
 * SERVFAIL is temperror, never fail or permerror.  Thread-safe: all state
 * lives in the request.
 */
#ifndef POSTSEAL_SPF_BUILTIN_EVAL_H
#define POSTSEAL_SPF_BUILTIN_EVAL_H

#include "dns.h"
#include "spf.h"

struct spf_builtin_req {
	struct dns *dns;
	const char *receiver;		/* %{r} */
	int af;				/* AF_INET or AF_INET6 (mapped: INET) */
	unsigned char addr[16];		/* the client, network order */
	const char *ip_text;		/* %{c}: normalised text */
	const char *ip_dotted;		/* %{i}: dotted quad or nibbles */
	const char *sender;		/* %{s}: local@domain */
	const char *local;		/* %{l} */
	const char *domain;		/* %{o} and the first %{d} */
	const char *helo;		/* %{h}, NULL = unknown */
};

/*
 * Evaluate check_host(ip, req->domain, req->sender).  Fills out->result,
 * out->explanation (exp= text on fail, else the reason), out->mechanism
 * and out->lookups; leaves the other fields alone.  Returns out->result.
 */
enum spf_result spf_builtin_eval(const struct spf_builtin_req *req,
    struct spf_outcome *out);

#endif
