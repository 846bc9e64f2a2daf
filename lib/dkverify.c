/* dkverify: see dkverify.h. */
#include "dkverify.h"

#include <sys/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "xmalloc.h"

#define DKVERIFY_DEFAULT_MAX 5

struct dkverify_lib {
	DKIM_LIB *lib;
	struct dns *dns;
};

struct dkverify {
	DKIM *dkim;
	int max;
	int nosig;		/* no signature to verify: zero results */
	int broken;		/* libopendkim refused the message */
	int any_body;
	unsigned char last[2];	/* the last two body bytes */
};

/* One key look-up.  dns_raw() is synchronous and bounded by the
 * configured timeout, so the "query" is already answered at start. */
struct dkverify_query {
	int status;		/* DKIM_DNS_SUCCESS or DKIM_DNS_ERROR */
	size_t len;
};

static int
query_start(void *srv, int type, unsigned char *query, unsigned char *buf,
    size_t buflen, void **qh)
{
	struct dkverify_lib *l = srv;
	struct dkverify_query *q = xcalloc(1, sizeof *q);
	unsigned char *pkt = NULL;
	size_t len = 0;
	char why[256];
	enum dns_status st;

	st = dns_raw(l->dns, (const char *)query, type, &pkt, &len, why,
	    sizeof why);
	/* NXDOMAIN and NODATA are answers libopendkim reads as "no key";
	 * TEMP and PERM become DKIM_DNS_ERROR, which it reports as a key
	 * retrieval failure (temperror), never as a bad signature. */
	q->status = DKIM_DNS_ERROR;
	if ((st == DNS_OK || st == DNS_NXDOMAIN || st == DNS_NODATA) &&
	    pkt != NULL && len >= 12 && len <= buflen) {
		memcpy(buf, pkt, len);
		q->len = len;
		q->status = DKIM_DNS_SUCCESS;
	}
	free(pkt);
	*qh = q;
	return DKIM_DNS_SUCCESS;
}

static int
query_wait(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
    int *dnssec)
{
	struct dkverify_query *q = qh;

	if (bytes != NULL)
		*bytes = q->len;
	if (error != NULL)
		*error = 0;
	if (dnssec != NULL)
		*dnssec = DKIM_DNSSEC_UNKNOWN;
	return q->status;
}

static int
query_cancel(void *srv, void *qh)
{
	free(qh);
	return DKIM_DNS_SUCCESS;
}

/* The service is our struct dns; libopendkim must not close it. */
static void
query_close(void *srv)
{
}

/* Verify only the first max signatures (prescreen runs at end of
 * headers, before any key is fetched). */
static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkverify *v = dkim_get_user_context(dkim);

	for (int i = v != NULL ? v->max : nsigs; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

static struct dkverify_lib *
lib_common(char *why, size_t whylen)
{
	struct dkverify_lib *l = xcalloc(1, sizeof *l);
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;

	if ((l->lib = dkim_init(NULL, NULL)) == NULL) {
		snprintf(why, whylen, "libopendkim initialisation failed");
		free(l);
		return NULL;
	}
	/* BADSIGHANDLES keeps malformed signatures in the list, so each
	 * one gets a result with a reason instead of vanishing. */
	if (dkim_options(l->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof flags) != DKIM_STAT_OK ||
	    dkim_set_prescreen(l->lib, prescreen) != DKIM_STAT_OK) {
		snprintf(why, whylen, "libopendkim refused its options");
		dkim_close(l->lib);
		free(l);
		return NULL;
	}
	return l;
}

struct dkverify_lib *
dkverify_lib_new(struct dns *dns, char *why, size_t whylen)
{
	struct dkverify_lib *l;

	if ((l = lib_common(why, whylen)) == NULL)
		return NULL;
	l->dns = dns;
	dkim_dns_set_query_service(l->lib, l);
	dkim_dns_set_query_start(l->lib, query_start);
	dkim_dns_set_query_waitreply(l->lib, query_wait);
	dkim_dns_set_query_cancel(l->lib, query_cancel);
	dkim_dns_set_close(l->lib, query_close);
	return l;
}

struct dkverify_lib *
dkverify_lib_new_file(const char *keyfile, char *why, size_t whylen)
{
	struct dkverify_lib *l;
	int method = DKIM_QUERY_FILE;

	if ((l = lib_common(why, whylen)) == NULL)
		return NULL;
	if (dkim_options(l->lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method,
	    sizeof method) != DKIM_STAT_OK ||
	    dkim_options(l->lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO,
	    (void *)keyfile, strlen(keyfile)) != DKIM_STAT_OK) {
		snprintf(why, whylen, "libopendkim refused key file %s", keyfile);
		dkverify_lib_free(&l);
		return NULL;
	}
	return l;
}

void
dkverify_lib_free(struct dkverify_lib **lp)
{
	if (*lp == NULL)
		return;
	dkim_close((*lp)->lib);
	free(*lp);
	*lp = NULL;
}

struct dkverify *
dkverify_new(struct dkverify_lib *l, int max_signatures)
{
	struct dkverify *v = xcalloc(1, sizeof *v);
	DKIM_STAT st;

	v->max = max_signatures > 0 ? max_signatures : DKVERIFY_DEFAULT_MAX;
	v->dkim = dkim_verify(l->lib, (const unsigned char *)"postseal", NULL,
	    &st);
	if (v->dkim == NULL) {
		free(v);
		return NULL;
	}
	dkim_set_user_context(v->dkim, v);
	return v;
}

int
dkverify_header(struct dkverify *v, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), n = 0;
	char *h = xmalloc(nl + 1 + 2 * vl + 1);
	DKIM_STAT st;

	memcpy(h, name, nl);
	n = nl;
	h[n++] = ':';
	for (size_t i = 0; i < vl; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			h[n++] = '\r';
		h[n++] = value[i];
	}
	h[n] = '\0';
	st = dkim_header(v->dkim, (unsigned char *)h, n);
	free(h);
	return st == DKIM_STAT_OK ? 0 : -1;
}

int
dkverify_eoh(struct dkverify *v)
{
	DKIM_STAT st = dkim_eoh(v->dkim);

	if (st == DKIM_STAT_NOSIG)
		v->nosig = 1;
	else if (st != DKIM_STAT_OK)
		v->broken = 1;
	return st == DKIM_STAT_INTERNAL || st == DKIM_STAT_NORESOURCE ? -1 : 0;
}

int
dkverify_body(struct dkverify *v, const unsigned char *buf, size_t len)
{
	if (v->nosig || v->broken || len == 0)
		return 0;
	if (len >= 2) {
		v->last[0] = buf[len - 2];
		v->last[1] = buf[len - 1];
	} else {
		v->last[0] = v->last[1];
		v->last[1] = buf[0];
	}
	v->any_body = 1;
	return dkim_body(v->dkim, (unsigned char *)buf, len) == DKIM_STAT_OK ?
	    0 : -1;
}

/* The reason for a signature libopendkim could not check. */
static const char *
error_reason(int err)
{
	switch (err) {
	case DKIM_SIGERROR_MISSING_A: return "bad signature syntax: missing a=";
	case DKIM_SIGERROR_INVALID_A: return "bad signature syntax: unknown a=";
	case DKIM_SIGERROR_MISSING_B: return "bad signature syntax: missing b=";
	case DKIM_SIGERROR_EMPTY_B: return "bad signature syntax: empty b=";
	case DKIM_SIGERROR_CORRUPT_B: return "bad signature syntax: b= is not base64";
	case DKIM_SIGERROR_MISSING_BH: return "bad signature syntax: missing bh=";
	case DKIM_SIGERROR_EMPTY_BH: return "bad signature syntax: empty bh=";
	case DKIM_SIGERROR_CORRUPT_BH: return "bad signature syntax: bh= is not base64";
	case DKIM_SIGERROR_MISSING_D: return "bad signature syntax: missing d=";
	case DKIM_SIGERROR_EMPTY_D: return "bad signature syntax: empty d=";
	case DKIM_SIGERROR_MISSING_S: return "bad signature syntax: missing s=";
	case DKIM_SIGERROR_EMPTY_S: return "bad signature syntax: empty s=";
	case DKIM_SIGERROR_MISSING_H: return "bad signature syntax: missing h=";
	case DKIM_SIGERROR_EMPTY_H: return "bad signature syntax: empty h=";
	case DKIM_SIGERROR_INVALID_H: return "bad signature syntax: h= does not include From";
	case DKIM_SIGERROR_MISSING_V: return "bad signature syntax: missing v=";
	case DKIM_SIGERROR_VERSION: return "bad signature syntax: unsupported v=";
	case DKIM_SIGERROR_INVALID_HC:
	case DKIM_SIGERROR_INVALID_BC: return "bad signature syntax: unknown c=";
	case DKIM_SIGERROR_INVALID_L: return "bad signature syntax: invalid l=";
	case DKIM_SIGERROR_TOOLARGE_L: return "l= beyond the end of the body";
	case DKIM_SIGERROR_DOMAIN: return "bad signature syntax: invalid d= or i=";
	case DKIM_SIGERROR_EXPIRED: return "signature expired";
	case DKIM_SIGERROR_FUTURE: return "signature in the future";
	case DKIM_SIGERROR_TIMESTAMPS: return "x= is before t=";
	case DKIM_SIGERROR_NOKEY: return "key not found";
	case DKIM_SIGERROR_KEYREVOKED: return "key revoked";
	case DKIM_SIGERROR_KEYFAIL: return "key query failed";
	case DKIM_SIGERROR_MULTIREPLY: return "more than one key record";
	case DKIM_SIGERROR_KEYTOOSMALL: return "key too small";
	case DKIM_SIGERROR_BADSIG: return "signature did not verify";
	default: return NULL;
	}
}

static enum dkverify_status
error_status(int err)
{
	switch (err) {
	case DKIM_SIGERROR_KEYFAIL:
		return DKVERIFY_TEMPERROR;	/* DNS TEMP: try later */
	case DKIM_SIGERROR_BADSIG:
		return DKVERIFY_FAIL;
	case DKIM_SIGERROR_KEYTOOSMALL:
		return DKVERIFY_POLICY;
	default:
		return DKVERIFY_PERMERROR;
	}
}

static void
copy_tag(DKIM_SIGINFO *sig, const char *tag, char *out, size_t n)
{
	const unsigned char *t = dkim_sig_gettagvalue(sig, false,
	    (unsigned char *)tag);
	size_t o = 0;

	for (; t != NULL && *t != '\0' && o + 1 < n; t++)
		if (*t > ' ' && *t < 127)	/* skip folding, keep it printable */
			out[o++] = (char)*t;
	out[o] = '\0';
}

static void
status_of(const struct dkverify *v, DKIM_SIGINFO *sig,
    struct dkverify_result *r)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig), bh = dkim_sig_getbh(sig);
	const char *why = error_reason(err);

	r->status = DKVERIFY_PERMERROR;
	if (flags & DKIM_SIGFLAG_IGNORE) {
		r->status = DKVERIFY_NEUTRAL;
		snprintf(r->reason, sizeof r->reason, "not verified: limit %d",
		    v->max);
	} else if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_BADSIG) {
		r->status = error_status(err);
		snprintf(r->reason, sizeof r->reason, "%s", why != NULL ? why :
		    dkim_sig_geterrorstr(err));
	} else if (bh == DKIM_SIGBH_MISMATCH) {
		r->status = DKVERIFY_FAIL;
		snprintf(r->reason, sizeof r->reason, "body hash mismatch");
	} else if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH) {
		r->status = DKVERIFY_PASS;
	} else if (err == DKIM_SIGERROR_BADSIG ||
	    (flags & DKIM_SIGFLAG_PROCESSED)) {
		r->status = DKVERIFY_FAIL;
		snprintf(r->reason, sizeof r->reason, "signature did not verify");
	} else
		snprintf(r->reason, sizeof r->reason, "not verified: %s",
		    v->broken ? "message refused by the verifier" : "unknown");
}

static void
dkverify_fill(const struct dkverify *v, DKIM_SIGINFO *sig,
    struct dkverify_result *r)
{
	const unsigned char *s;
	unsigned int bits = 0;

	if ((s = dkim_sig_getdomain(sig)) != NULL)
		snprintf(r->domain, sizeof r->domain, "%s", (const char *)s);
	if ((s = dkim_sig_getselector(sig)) != NULL)
		snprintf(r->selector, sizeof r->selector, "%s", (const char *)s);
	copy_tag(sig, "a", r->algorithm, sizeof r->algorithm);
	copy_tag(sig, "b", r->b, 9);
	/* libopendkim says 0 bits for Ed25519 keys, which are 256. */
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		r->bits = bits == 0 && strcmp(r->algorithm, "ed25519-sha256") == 0 ?
		    256 : (int)bits;
	status_of(v, sig, r);
}

int
dkverify_eom(struct dkverify *v, struct dkverify_result **res, size_t *n)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0;

	*res = NULL;
	*n = 0;
	if (v->nosig)
		return 0;
	/* libopendkim needs the body to end in CRLF (FIELD-NOTES); adding
	 * one changes no hash: both canonicalizations add it anyway. */
	if (v->any_body && !v->broken &&
	    (v->last[0] != '\r' || v->last[1] != '\n'))
		dkim_body(v->dkim, (unsigned char *)"\r\n", 2);
	if (!v->broken)
		(void)dkim_eom(v->dkim, NULL);
	if (dkim_getsiglist(v->dkim, &sigs, &nsigs) != DKIM_STAT_OK ||
	    nsigs <= 0)
		return 0;
	*res = xcalloc((size_t)nsigs, sizeof **res);
	for (int i = 0; i < nsigs; i++)
		dkverify_fill(v, sigs[i], &(*res)[i]);
	*n = (size_t)nsigs;
	return 0;
}

void
dkverify_free(struct dkverify **vp)
{
	if (*vp == NULL)
		return;
	dkim_free((*vp)->dkim);
	free(*vp);
	*vp = NULL;
}

const char *
dkverify_status_name(enum dkverify_status s)
{
	static const char *const names[] = { "pass", "fail", "neutral",
	    "policy", "temperror", "permerror" };

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] :
	    "permerror";
}
