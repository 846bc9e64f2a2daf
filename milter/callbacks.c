/* callbacks: see callbacks.h.  Nothing here exits or blocks on anything but
 * the resolver; every failure applies the configured fallback and logs one
 * line (DESIGN.md "Errors and logging"). */
#include "callbacks.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authresid.h"
#include "log.h"
#include "negotiate.h"
#include "session.h"
#include "eom.h"
#include "sign.h"
#include "verify.h"

static struct session *
cb_session(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

static void
cb_queue_id(SMFICTX *ctx, struct session *s)
{
	const char *qid = smfi_getsymval(ctx, "i");

	if (qid != NULL)
		snprintf(s->queue_id, sizeof s->queue_id, "%s", qid);
	else if (s->queue_id[0] == '\0')
		snprintf(s->queue_id, sizeof s->queue_id, "NOQUEUE");
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct session *s = session_new();
	int refused;

	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	*pf1 = negotiate_steps(f1);	/* negotiate.h says which, and why */
	*pf2 = *pf3 = 0;
	s->proto_flags = *pf1;
	smfi_setpriv(ctx, s);
	if ((refused = negotiate_macros(ctx)) > 0)
		log_warnx("event=milter-negotiate detail=\"cannot limit the "
		    "macros of %d protocol stages\"", refused);
	if (!(*pf1 & SMFIP_HDR_LEADSPC))
		log_warnx("event=milter-negotiate detail=\"MTA does not offer "
		    "leading-space headers; simple canonicalization may not verify\"");
	return SMFIS_CONTINUE;
}

/* Reply for a step whose reply the MTA agreed not to wait for. */
static sfsistat
cb_noreply(SMFICTX *ctx, unsigned long flag)
{
	struct session *s = cb_session(ctx);

	return s != NULL && (s->proto_flags & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct session *s = cb_session(ctx);

	if (s == NULL) {
		s = session_new();
		smfi_setpriv(ctx, s);
	}
	snprintf(s->client_name, sizeof s->client_name, "%s",
	    hostname ? hostname : "");
	if (sa == NULL)
		s->local = 1;
	else if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
		    s->client_ip, sizeof s->client_ip);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr,
		    s->client_ip, sizeof s->client_ip);
	else
		s->local = 1;
	return cb_noreply(ctx, SMFIP_NR_CONN);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = cb_session(ctx);

	if (s != NULL)
		snprintf(s->helo, sizeof s->helo, "%s", helo ? helo : "");
	return cb_noreply(ctx, SMFIP_NR_HELO);
}

/* MAIL FROM arrives as "<addr>"; keep the bare address ("" for <>). */
static void
cb_envelope_address(const char *arg, char *out, size_t n)
{
	size_t len = strlen(arg);

	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	snprintf(out, n, "%.*s", (int)len, arg);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = cb_session(ctx);
	const char *auth;

	if (s == NULL)
		return cb_noreply(ctx, SMFIP_NR_MAIL);
	if (session_begin_message(s) == -1) {
		log_warnx("event=no-runtime detail=\"message accepted unchecked\"");
		return cb_noreply(ctx, SMFIP_NR_MAIL);
	}
	cb_envelope_address(argv && argv[0] ? argv[0] : "", s->mail_from,
	    sizeof s->mail_from);
	auth = smfi_getsymval(ctx, "{auth_authen}");
	snprintf(s->auth_user, sizeof s->auth_user, "%s", auth ? auth : "");
	s->outbound = s->auth_user[0] != '\0' || s->local ||
	    runtime_is_internal(s->rt, s->client_ip);
	return cb_noreply(ctx, SMFIP_NR_MAIL);
}

/* The first recipient's domain, for the DMARC history. */
static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = cb_session(ctx);
	char addr[512];
	const char *at;

	if (s != NULL && s->rt != NULL && s->rcpt_domain[0] == '\0' && argv &&
	    argv[0]) {
		cb_envelope_address(argv[0], addr, sizeof addr);
		if ((at = strrchr(addr, '@')) != NULL)
			snprintf(s->rcpt_domain, sizeof s->rcpt_domain, "%s", at + 1);
	}
	return cb_noreply(ctx, SMFIP_NR_RCPT);
}

/* An incoming A-R header that claims our authserv-id is a forgery. */
static void
cb_note_authres(struct session *s, const char *value)
{
	s->n_ar_seen++;
	if (!authresid_claims(value, strlen(value), s->rt->conf->authserv_id))
		return;
	s->ar_forged = realloc(s->ar_forged, (s->n_ar_forged + 1) * sizeof(int));
	if (s->ar_forged != NULL)
		s->ar_forged[s->n_ar_forged++] = (int)s->n_ar_seen;
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = cb_session(ctx);

	if (s == NULL || s->rt == NULL)
		return cb_noreply(ctx, SMFIP_NR_HDR);
	if (!s->outbound && strcasecmp(name, "Authentication-Results") == 0)
		cb_note_authres(s, value);
	session_add_header(s, name, value);
	return cb_noreply(ctx, SMFIP_NR_HDR);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct session *s = cb_session(ctx);
	char why[512];
	int r;

	if (s == NULL || s->rt == NULL)
		return cb_noreply(ctx, SMFIP_NR_EOH);
	cb_queue_id(ctx, s);
	if (s->too_big) {
		log_warnx("queue_id=%s event=headers-too-large headers=%zu "
		    "bytes=%zu", s->queue_id, s->n_hdrs, s->hdr_bytes);
		return cb_noreply(ctx, SMFIP_NR_EOH);
	}
	if (s->outbound) {
		r = sign_start(s, why, sizeof why);
		if (r == 0)
			log_info("queue_id=%s event=sign-skip reason=\"%s\"",
			    s->queue_id, why);
		else if (r == -1)
			log_warnx("queue_id=%s event=sign-error reason=\"%s\"",
			    s->queue_id, why);
	} else if (verify_start(s, why, sizeof why) == -1)
		log_warnx("queue_id=%s event=verify-error reason=\"%s\"",
		    s->queue_id, why);
	return cb_noreply(ctx, SMFIP_NR_EOH);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct session *s = cb_session(ctx);

	if (s != NULL && s->rt != NULL && !s->too_big) {
		if (s->outbound)
			sign_body(s, buf, len);
		else
			verify_body(s, buf, len);
	}
	return cb_noreply(ctx, SMFIP_NR_BODY);
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct session *s = cb_session(ctx);
	sfsistat r;

	if (s == NULL || s->rt == NULL)
		return SMFIS_ACCEPT;
	cb_queue_id(ctx, s);
	r = s->outbound ? eom_sign(ctx, s) : eom_verify(ctx, s);
	session_end_message(s);
	return r;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct session *s = cb_session(ctx);

	if (s != NULL)
		session_end_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct session *s = cb_session(ctx);

	session_free(&s);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

struct smfiDesc callbacks_desc = {
	.xxfi_name = "postseal-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};
