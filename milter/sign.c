/* sign: see sign.h. */
#include "sign.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dkcanon.h"
#include "dksign.h"
#include "domain.h"
#include "keys.h"
#include "log.h"

#define SIGN_MAX_KEYS 8

static int
sign_canon(const char *word)
{
	return strcmp(word, "simple") == 0 ? DKCANON_SIMPLE : DKCANON_RELAXED;
}

static void
sign_opts(const struct conf *c, struct dksign_opts *o)
{
	char hc[16] = "relaxed", bc[16] = "relaxed";

	sscanf(c->milter.canonicalization, "%15[a-z]/%15[a-z]", hc, bc);
	memset(o, 0, sizeof *o);
	o->header_canon = sign_canon(hc);
	o->body_canon = sign_canon(bc);
	o->sign_headers = (const char *const *)c->milter.sign_headers.v;
	o->n_sign_headers = c->milter.sign_headers.n;
	o->oversign_headers = (const char *const *)c->milter.oversign_headers.v;
	o->n_oversign = c->milter.oversign_headers.n;
	o->timestamp = (long)time(NULL);
	o->ttl = c->milter.signature_ttl;
}

/* The keys for this message: by SigningTable when one is loaded, else by
 * the From domain (and its parents with milter.subdomains). */
static size_t
sign_pick(const struct session *s, const struct domain_from *from,
    const struct keys_key **keys)
{
	const struct conf *c = s->rt->conf;
	char addr[600];

	if (*c->milter.signingtable != '\0') {
		snprintf(addr, sizeof addr, "%s@%s", from->local, from->domain);
		return keys_select_address(s->rt->keys, addr, keys, SIGN_MAX_KEYS);
	}
	return keys_select(s->rt->keys, from->domain, c->milter.subdomains,
	    keys, SIGN_MAX_KEYS);
}

/* "d=example.com s=rsa,ed" for the one log line of a signed message. */
static void
sign_describe(struct session *s, const struct keys_key *k, size_t i)
{
	size_t len = strlen(s->sign_desc);

	if (i == 0)
		snprintf(s->sign_desc, sizeof s->sign_desc, "d=%s s=%s",
		    k->domain, k->selector);
	else if (len < sizeof s->sign_desc)
		snprintf(s->sign_desc + len, sizeof s->sign_desc - len, ",%s",
		    k->selector);
}

int
sign_start(struct session *s, char *why, size_t n)
{
	const char *fromhdr = session_header(s, "From");
	const struct keys_key *keys[SIGN_MAX_KEYS];
	struct dksign_key dk[SIGN_MAX_KEYS];
	struct domain_from from;
	struct dksign_opts o;
	const char *perr = NULL;
	size_t nkeys;

	if (fromhdr == NULL) {
		snprintf(why, n, "no From header");
		return 0;
	}
	if (domain_from_header(fromhdr, strlen(fromhdr), &from, &perr) == -1) {
		snprintf(why, n, "From header not parsed: %s", perr);
		return 0;
	}
	if ((nkeys = sign_pick(s, &from, keys)) == 0) {
		snprintf(why, n, "no key for domain %s", from.domain);
		return 0;
	}
	for (size_t i = 0; i < nkeys; i++) {
		dk[i].domain = keys[i]->domain;
		dk[i].selector = keys[i]->selector;
		dk[i].pkey = keys[i]->pkey;
		sign_describe(s, keys[i], i);
	}
	sign_opts(s->rt->conf, &o);
	s->signer = dksign_new(&o, dk, nkeys);
	for (size_t i = 0; i < s->n_hdrs; i++)
		if (dksign_header(s->signer, s->hdrs[i].name, s->hdrs[i].value) == -1) {
			snprintf(why, n, "header %s not accepted by the signer",
			    s->hdrs[i].name);
			return -1;
		}
	return 1;
}

int
sign_body(struct session *s, const unsigned char *buf, size_t len)
{
	if (s->signer == NULL)
		return 0;
	return dksign_body(s->signer, buf, len);
}

int
sign_finish(struct session *s, struct strlist *sigs, char *why, size_t n)
{
	if (s->signer == NULL) {
		snprintf(why, n, "no signer");
		return -1;
	}
	return dksign_eom(s->signer, sigs, why, n);
}
