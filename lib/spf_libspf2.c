/*
 * spf_libspf2: the libspf2 engine behind spf.h (-DPOSTSEAL_SPF=libspf2).
 *
 * libspf2 (Debian 1.2.10) evaluates the record; everything around it is
 * ours: input validation (libspf2 aborts on NULL), address normalisation,
 * result mapping here, and a DNS layer (an SPF_dns_server_t) that asks
 * lib/dns in spf_libspf2_dns.c.  The context and the entry points are
 * lib/spf.c's (spf_engine.h).
 *
 * What libspf2 does not do, measured on 1.2.10 and done here instead:
 *   - its DNS-mechanism counter lives in the response, and every include
 *     gets a fresh response, so the RFC 7208 4.6.4 limit of 10 is not
 *     counted across includes; it has no void-lookup limit at all.  The
 *     DNS layer counts both over the whole check and stops the check,
 *     which then ends in permerror;
 *   - it gives 127/8 and ::1 a "pass" without reading the record; the
 *     check here calls the record evaluation directly, so loopback clients
 *     get the record's verdict like anyone else;
 *   - an mx term with more than 10 MX names is a permerror (4.6.4), not
 *     a look-up of the first ten (DNS layer);
 *   - it only recognises "v=spf1 " with a trailing space; a record that is
 *     exactly "v=spf1" is handed over with the space added (DNS layer).
 */
#include "spf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spf2/spf.h>

#include "log.h"
#include "spf_engine.h"
#include "spf_libspf2_dns.h"
#include "xmalloc.h"

static pthread_once_t spfl_once = PTHREAD_ONCE_INIT;

/* libspf2's own handlers print to stdout/stderr, which would corrupt the
 * policy protocol in spawn(8) mode; ours go to the log at debug level. */
static void
spfl_log(const char *file, int line, const char *msg)
{
	log_debug("event=libspf2 file=%s line=%d msg=\"%s\"", file ? file : "",
	    line, msg ? msg : "");
}

/* Only called on libspf2's internal assertion failures; it must not
 * return (libspf2 declares it noreturn).  Inputs are validated before
 * libspf2 sees them, so reaching this is a bug. */
__attribute__((noreturn)) static void
spfl_log_fatal(const char *file, int line, const char *msg)
{
	log_errx("event=libspf2-abort file=%s line=%d msg=\"%s\"",
	    file ? file : "", line, msg ? msg : "");
	abort();
}

static void
spfl_install_handlers(void)
{
	SPF_error_handler = spfl_log_fatal;
	SPF_warning_handler = spfl_log;
	SPF_info_handler = spfl_log;
	SPF_debug_handler = spfl_log;
}

const char *
spf_engine_name(void)
{
	return "libspf2";
}

/* libspf2's handlers are process-wide: replaced once, before any use. */
void
spf_engine_init(void)
{
	pthread_once(&spfl_once, spfl_install_handlers);
}

const char *
spf_engine_receiver(void)
{
	return "localhost";
}

struct spfl_ip {
	int af;
	struct in_addr v4;
	struct in6_addr v6;
};

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4 first: libspf2 would
 * otherwise match it against ip6 terms only. */
static int
spfl_parse_ip(const char *ip, struct spfl_ip *out, char *text, size_t n)
{
	if (ip == NULL || strnlen(ip, 64) >= 64)
		return -1;
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, ip, &out->v4) == 1)
		out->af = AF_INET;
	else if (inet_pton(AF_INET6, ip, &out->v6) != 1)
		return -1;
	else if (IN6_IS_ADDR_V4MAPPED(&out->v6)) {
		memcpy(&out->v4, &out->v6.s6_addr[12], 4);
		out->af = AF_INET;
	} else
		out->af = AF_INET6;
	return inet_ntop(out->af, out->af == AF_INET ? (void *)&out->v4 :
	    (void *)&out->v6, text, (socklen_t)n) ? 0 : -1;
}

static int
spfl_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Fill out->sender and out->domain; 0, or -1 with out->result none. */
static int
spfl_identity(const char *sender, struct spf_outcome *out)
{
	const char *at;
	int n;

	if (strnlen(sender, sizeof out->sender) >= sizeof out->sender) {
		spf_outcome_set(out, SPF_RES_NONE, "sender address over %zu bytes",
		    sizeof out->sender - 1);
		return -1;
	}
	if (!spfl_printable(sender)) {
		spf_outcome_set(out, SPF_RES_NONE, "sender has control characters");
		return -1;
	}
	if ((at = strrchr(sender, '@')) == NULL)
		n = snprintf(out->sender, sizeof out->sender, "postmaster@%s", sender);
	else if (at == sender)
		n = snprintf(out->sender, sizeof out->sender, "postmaster%s", sender);
	else
		n = snprintf(out->sender, sizeof out->sender, "%s", sender);
	if (n < 0 || (size_t)n >= sizeof out->sender) {
		spf_outcome_set(out, SPF_RES_NONE, "sender address too long");
		return -1;
	}
	at = strrchr(out->sender, '@') + 1;
	if (strlen(at) >= sizeof out->domain || !spf_domain_ok(at)) {
		spf_outcome_set(out, SPF_RES_NONE, "not a valid domain name");
		return -1;
	}
	snprintf(out->domain, sizeof out->domain, "%s", at);
	return 0;
}

static enum spf_result
spfl_mapped(const struct spfl_ctx *c, SPF_response_t *resp, SPF_errcode_t err)
{
	/* No header comment: libspf2 never finished the evaluation, the
	 * top-level record could not be had.  The return code tells a DNS
	 * failure; otherwise a record that was there did not compile, or
	 * there were several (permerror), or there was none (none). */
	if (SPF_response_get_header_comment(resp) == NULL) {
		if (err == SPF_E_DNS_ERROR)
			return SPF_RES_TEMPERROR;
		return c->top_records > 0 ? SPF_RES_PERMERROR : SPF_RES_NONE;
	}
	switch (SPF_response_result(resp)) {
	case SPF_RESULT_PASS: return SPF_RES_PASS;
	case SPF_RESULT_FAIL: return SPF_RES_FAIL;
	case SPF_RESULT_SOFTFAIL: return SPF_RES_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return SPF_RES_NEUTRAL;
	case SPF_RESULT_NONE: return SPF_RES_NONE;
	case SPF_RESULT_TEMPERROR: return SPF_RES_TEMPERROR;
	case SPF_RESULT_PERMERROR: return SPF_RES_PERMERROR;
	default:
		return err == SPF_E_DNS_ERROR ? SPF_RES_TEMPERROR :
		    SPF_RES_PERMERROR;
	}
}

/* Result, explanation and mechanism from libspf2's response. */
static void
spfl_outcome(const struct spfl_ctx *c, SPF_response_t *resp,
    SPF_errcode_t err, struct spf_outcome *out)
{
	const char *exp = SPF_response_get_explanation(resp);
	const char *comment = SPF_response_get_header_comment(resp);
	SPF_error_t *msg;

	out->result = spfl_mapped(c, resp, err);
	if (c->limit != SPFL_LIMIT_NONE) {
		spf_outcome_set(out, SPF_RES_PERMERROR, "%s (RFC 7208 4.6.4)",
		    spf_libspf2_dns_limit_text(c->limit));
		return;
	}
	if (out->result == SPF_RES_FAIL && exp != NULL && *exp != '\0')
		snprintf(out->explanation, sizeof out->explanation, "%s", exp);
	else if (comment != NULL && *comment != '\0')
		snprintf(out->explanation, sizeof out->explanation, "%s", comment);
	else if (SPF_response_messages(resp) > 0 &&
	    (msg = SPF_response_message(resp, 0)) != NULL && msg->message)
		snprintf(out->explanation, sizeof out->explanation, "%s",
		    msg->message);
	else
		snprintf(out->explanation, sizeof out->explanation, "%s",
		    SPF_strerror(err));
	if (SPF_response_reason(resp) == SPF_REASON_DEFAULT)
		snprintf(out->mechanism, sizeof out->mechanism, "default");
}

/*
 * SPF_request_query_mailfrom() minus its "localhost is always allowed"
 * shortcut: fetch the record and interpret it, so a loopback client gets
 * what the record says.
 */
static SPF_errcode_t
spfl_evaluate(SPF_server_t *srv, SPF_request_t *req, SPF_response_t *resp)
{
	SPF_record_t *rec = NULL;
	SPF_errcode_t err;

	req->use_helo = 0;
	req->cur_dom = req->env_from_dp;
	err = SPF_server_get_record(srv, req, resp, &rec);
	if (err == SPF_E_SUCCESS && rec != NULL) {
		resp->spf_record_exp = rec;
		err = SPF_record_interpret(rec, req, resp, 0);
	}
	if (rec != NULL)
		SPF_record_free(rec);
	return err;
}

static int
spfl_request(SPF_request_t *req, const struct spfl_ip *ip, const char *helo,
    const char *sender)
{
	if (ip->af == AF_INET)
		SPF_request_set_ipv4(req, ip->v4);
	else
		SPF_request_set_ipv6(req, ip->v6);
	/* HELO first: libspf2 derives the null sender's identity from it. */
	if (helo != NULL && SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS)
		return -1;
	return SPF_request_set_env_from(req, sender) == 0 ? 0 : -1;
}

static enum spf_result
spfl_run(struct spf *s, const struct spfl_ip *ip, const char *helo,
    struct spf_outcome *out)
{
	struct spfl_ctx *c = xcalloc(1, sizeof *c);
	SPF_server_t *srv;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL, *cresp = NULL;
	SPF_errcode_t err;

	spf_libspf2_dns_init(c, s->dns, out);
	if ((srv = SPF_server_new_dns(&c->layer, 0)) == NULL) {
		free(c);
		return spf_outcome_set(out, SPF_RES_TEMPERROR, "out of memory");
	}
	SPF_server_set_rec_dom(srv, s->receiver);
	/* An empty default explanation: a fail without exp= then reports
	 * libspf2's own reason instead of an openspf.org link. */
	SPF_server_set_explanation(srv, "", &cresp);
	if (cresp != NULL)
		SPF_response_free(cresp);
	if ((req = SPF_request_new(srv)) == NULL ||
	    spfl_request(req, ip, helo, out->sender) == -1 ||
	    (resp = SPF_response_new(req)) == NULL)
		spf_outcome_set(out, SPF_RES_TEMPERROR, "out of memory");
	else {
		err = spfl_evaluate(srv, req, resp);
		spfl_outcome(c, resp, err, out);
	}
	if (resp != NULL)
		SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	SPF_server_free(srv);
	free(c);
	return out->result;
}

/* A HELO name is passed on (for %{h}) only when it is printable and fits. */
static const char *
spfl_helo(const char *helo)
{
	if (helo == NULL || *helo == '\0' || strnlen(helo, 256) > DNS_MAX_NAME ||
	    !spfl_printable(helo))
		return NULL;
	return helo;
}

enum spf_result
spf_engine_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, const char *identity, struct spf_outcome *out)
{
	struct spfl_ip addr;

	memset(out, 0, sizeof *out);
	snprintf(out->identity, sizeof out->identity, "%s", identity);
	if (s == NULL)
		return spf_outcome_set(out, SPF_RES_TEMPERROR, "no SPF context");
	if (spfl_parse_ip(ip, &addr, out->client_ip, sizeof out->client_ip) == -1)
		return spf_outcome_set(out, SPF_RES_PERMERROR,
		    "client address is not an IPv4 or IPv6 address");
	helo = spfl_helo(helo);
	if (sender == NULL) {
		if (helo == NULL)
			return spf_outcome_set(out, SPF_RES_NONE,
			    "null sender and no usable HELO name");
		sender = helo;
	}
	if (spfl_identity(sender, out) == -1)
		return out->result;
	return spfl_run(s, &addr, helo, out);
}
