/*
 * spf_builtin: the built-in RFC 7208 engine behind spf.h (the default).
 *
 * This file checks what comes in (client address, sender, HELO name) and
 * prepares the macro values; spf_builtin_eval.c runs check_host() on
 * lib/dns with the records parsed by spfrec and macros expanded by
 * spfmacro.  Nothing here queries DNS before the identity is known to be
 * a usable domain (RFC 7208 4.3).  The context and the entry points are
 * lib/spf.c's (spf_engine.h).
 */
#include "spf.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "spf_builtin_eval.h"
#include "spf_engine.h"

/* The request's own copies of what the macros need. */
struct spfb_input {
	struct spf_builtin_req req;
	char dotted[72];		/* %{i} */
	char local[512];		/* %{l} */
};

const char *
spf_engine_name(void)
{
	return "builtin";
}

/* Nothing to set up: the engine keeps no global state. */
void
spf_engine_init(void)
{
}

const char *
spf_engine_receiver(void)
{
	return "unknown";
}

/*
 * The client address: IPv4-mapped IPv6 is IPv4 (RFC 7208 5: it must
 * match ip4 terms only).  %{i} of an IPv6 address is its 32 nibbles; RFC
 * 7208 leaves their case open, so they keep the case the address was
 * written in (the 7.4 example is lower case, the openspf suite upper).
 */
static int
spfb_ip(const char *ip, struct spfb_input *in, struct spf_outcome *out)
{
	struct spf_builtin_req *r = &in->req;
	const char *hex;
	char *o = in->dotted;
	int i;

	if (ip == NULL || strnlen(ip, 64) >= 64)
		return -1;
	if (inet_pton(AF_INET, ip, r->addr) == 1)
		r->af = AF_INET;
	else if (inet_pton(AF_INET6, ip, r->addr) != 1)
		return -1;
	else if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)r->addr)) {
		memmove(r->addr, r->addr + 12, 4);
		r->af = AF_INET;
	} else
		r->af = AF_INET6;
	if (inet_ntop(r->af, r->addr, out->client_ip, sizeof out->client_ip) ==
	    NULL)
		return -1;
	r->ip_text = out->client_ip;
	r->ip_dotted = in->dotted;
	if (r->af == AF_INET) {
		snprintf(in->dotted, sizeof in->dotted, "%s", out->client_ip);
		return 0;
	}
	hex = strpbrk(ip, "ABCDEF") ? "0123456789ABCDEF" : "0123456789abcdef";
	for (i = 0; i < 16; i++)
		o += sprintf(o, "%s%c.%c", i ? "." : "", hex[r->addr[i] >> 4],
		    hex[r->addr[i] & 15]);
	return 0;
}

static int
spfb_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* out->sender, out->domain and %{l}; -1 with out->result none. */
static int
spfb_identity(const char *sender, struct spfb_input *in,
    struct spf_outcome *out)
{
	const char *at;
	size_t dl;
	int n;

	if (strnlen(sender, sizeof out->sender) >= sizeof out->sender) {
		spf_outcome_set(out, SPF_RES_NONE, "sender address over %zu bytes",
		    sizeof out->sender - 1);
		return -1;
	}
	if (!spfb_printable(sender)) {
		spf_outcome_set(out, SPF_RES_NONE, "sender has control characters");
		return -1;
	}
	/* No local part: "postmaster" (RFC 7208 4.3). */
	at = strrchr(sender, '@');
	n = snprintf(out->sender, sizeof out->sender, "%s%s%s",
	    at == NULL || at == sender ? "postmaster" : "",
	    at == NULL ? "@" : "", sender);
	if (n < 0 || (size_t)n >= sizeof out->sender) {
		spf_outcome_set(out, SPF_RES_NONE, "sender address too long");
		return -1;
	}
	at = strrchr(out->sender, '@');
	if (!spf_domain_ok(at + 1)) {
		spf_outcome_set(out, SPF_RES_NONE, "not a valid domain name: %.300s",
		    at + 1);
		return -1;
	}
	dl = strlen(at + 1);
	snprintf(out->domain, sizeof out->domain, "%.*s", (int)(dl > 0 &&
	    at[dl] == '.' ? dl - 1 : dl), at + 1);
	snprintf(in->local, sizeof in->local, "%.*s", (int)(at - out->sender),
	    out->sender);
	return 0;
}

/* A HELO name is used (for %{h} or as identity) when printable and short. */
static const char *
spfb_helo(const char *helo)
{
	if (helo == NULL || *helo == '\0' || strnlen(helo, 256) > DNS_MAX_NAME ||
	    !spfb_printable(helo))
		return NULL;
	return helo;
}

enum spf_result
spf_engine_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, const char *identity, struct spf_outcome *out)
{
	struct spfb_input in;

	memset(out, 0, sizeof *out);
	memset(&in, 0, sizeof in);
	snprintf(out->identity, sizeof out->identity, "%s", identity);
	if (s == NULL)
		return spf_outcome_set(out, SPF_RES_TEMPERROR, "no SPF context");
	if (spfb_ip(ip, &in, out) == -1) {
		out->client_ip[0] = '\0';
		return spf_outcome_set(out, SPF_RES_PERMERROR,
		    "client address is not an IPv4 or IPv6 address");
	}
	helo = spfb_helo(helo);
	if (sender == NULL) {
		if (helo == NULL)
			return spf_outcome_set(out, SPF_RES_NONE,
			    "null sender and no usable HELO name");
		sender = helo;
	}
	if (spfb_identity(sender, &in, out) == -1)
		return out->result;
	in.req.dns = s->dns;
	in.req.receiver = s->receiver;
	in.req.sender = out->sender;
	in.req.local = in.local;
	in.req.domain = out->domain;
	in.req.helo = helo;
	return spf_builtin_eval(&in.req, out);
}
