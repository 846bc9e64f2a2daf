/* header: see header.h.  Cleaning, quoting and escaping are lib/authres. */
#include "header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"

const char *
header_clean(const char *s, const char *strip, char *out, size_t n)
{
	size_t o = 0;

	if (n == 0)
		return out;
	for (; s != NULL && *s != '\0' && o + 1 < n; s++) {
		unsigned char c = (unsigned char)*s;
		/* A CR or LF would end the line and start a forged one. */
		if (c < 0x20 || c == 0x7f)
			continue;
		if (strip != NULL && strchr(strip, c) != NULL)
			continue;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* The RFC 7208 9.1 style explanation, raw: authres cleans and escapes it. */
static void
header_comment(const struct header_input *in, char *out, size_t n)
{
	const char *id = in->identity_helo ? in->helo : in->sender;
	const char *who = in->spf->sender[0] ? in->spf->sender : id;
	const char *ip = in->client_ip;

	switch (in->spf->result) {
	case SPF_RES_PASS:
		snprintf(out, n, "domain of %s designates %s as permitted "
		    "sender", who, ip);
		break;
	case SPF_RES_FAIL:
		snprintf(out, n, "domain of %s does not designate %s as "
		    "permitted sender", who, ip);
		break;
	case SPF_RES_SOFTFAIL:
		snprintf(out, n, "transitioning domain of %s does not "
		    "designate %s as permitted sender", who, ip);
		break;
	case SPF_RES_NEUTRAL:
		snprintf(out, n, "%s is neither permitted nor denied by "
		    "domain of %s", ip, who);
		break;
	case SPF_RES_TEMPERROR:
		snprintf(out, n, "error in processing during lookup of %s", who);
		break;
	case SPF_RES_PERMERROR:
		snprintf(out, n, "permanent error in processing domain of %s",
		    who);
		break;
	default:
		snprintf(out, n, "domain of %s does not provide an SPF record",
		    who);
		break;
	}
}

/*
 * identity= comes first so that every key=value, identity= included, is
 * followed by ';' whether or not mechanism= is known.
 */
static void
header_received_spf(const struct header_input *in, char *out, size_t n)
{
	char text[1200], comment[1500];
	const char *mech = in->spf->mechanism[0] ? in->spf->mechanism : NULL;
	char *v;

	header_comment(in, text, sizeof text);
	snprintf(comment, sizeof comment, "%s: %s", in->receiver, text);
	v = authres_received_spf(spf_result_name(in->spf->result), comment,
	    "identity", in->identity_helo ? "helo" : "mailfrom",
	    "receiver", in->receiver, "client-ip", in->client_ip,
	    "envelope-from", in->sender, "helo", in->helo,
	    "mechanism", mech, (const char *)NULL);
	snprintf(out, n, "Received-SPF: %s", v != NULL ? v : "none");
	free(v);
}

static void
header_auth_results(const struct header_input *in, char *out, size_t n)
{
	struct authres *ar = authres_new(in->receiver);
	char text[1200], *v = NULL;

	header_comment(in, text, sizeof text);
	authres_set_fold(ar, "");
	(void)authres_add(ar, "spf", spf_result_name(in->spf->result), text,
	    in->identity_helo ? "smtp.helo" : "smtp.mailfrom",
	    in->identity_helo ? in->helo : in->sender, (const char *)NULL);
	authres_format(ar, &v);
	snprintf(out, n, "Authentication-Results: %s", v);
	free(v);
	authres_free(&ar);
}

const char *
header_build(enum conf_spf_header style, const struct header_input *in,
    char *out, size_t n)
{
	if (style == CONF_HEADER_AUTH_RESULTS)
		header_auth_results(in, out, n);
	else
		header_received_spf(in, out, n);
	return out;
}
