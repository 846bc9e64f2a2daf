/* header: see header.h. */
#include "header.h"

#include <stdio.h>
#include <string.h>

const char *
header_clean(const char *s, const char *strip, char *out, size_t n)
{
	size_t o = 0;

	if (n == 0)
		return out;
	for (; s != NULL && *s != '\0' && o + 1 < n; s++) {
		unsigned char c = (unsigned char)*s;
		/* A CR or LF would end the header and start a forged one. */
		if (c < 0x20 || c == 0x7f)
			continue;
		if (strip != NULL && strchr(strip, c) != NULL)
			continue;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static int
header_is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789.-_+@:", *s) == NULL)
			return 0;
	return 1;
}

/* A key=value value: a plain token, or a quoted string. */
static const char *
header_value(const char *s, char *out, size_t n)
{
	char clean[600];
	size_t o = 0;

	header_clean(s, NULL, clean, sizeof clean);
	if (header_is_token(clean)) {
		snprintf(out, n, "%s", clean);
		return out;
	}
	if (n < 3) {
		out[0] = '\0';
		return out;
	}
	out[o++] = '"';
	for (const char *p = clean; *p != '\0' && o + 3 < n; p++) {
		if (*p == '"' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* The RFC 7208 9.1 style comment, without parentheses. */
static void
header_comment(const struct header_input *in, char *out, size_t n)
{
	const char *id = in->identity_helo ? in->helo : in->sender;
	char who[600], ip[64];

	header_clean(in->spf->sender[0] ? in->spf->sender : id, "()\\", who,
	    sizeof who);
	header_clean(in->client_ip, "()\\", ip, sizeof ip);
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

static void
header_received_spf(const struct header_input *in, char *out, size_t n)
{
	char comment[1400], rcv[300], ip[300], from[700], helo[700], mech[300];
	const char *r = spf_result_name(in->spf->result);

	header_comment(in, comment, sizeof comment);
	header_value(in->receiver, rcv, sizeof rcv);
	header_value(in->client_ip, ip, sizeof ip);
	header_value(in->sender, from, sizeof from);
	header_value(in->helo, helo, sizeof helo);
	header_value(in->spf->mechanism, mech, sizeof mech);
	snprintf(out, n, "Received-SPF: %s (%s: %s) receiver=%s; client-ip=%s; "
	    "envelope-from=%s; helo=%s; identity=%s;%s%s%s", r, rcv, comment,
	    rcv, ip, from, helo, in->identity_helo ? "helo" : "mailfrom",
	    in->spf->mechanism[0] ? " mechanism=" : "",
	    in->spf->mechanism[0] ? mech : "", in->spf->mechanism[0] ? ";" : "");
}

static void
header_auth_results(const struct header_input *in, char *out, size_t n)
{
	char comment[1400], rcv[300], id[700];

	header_comment(in, comment, sizeof comment);
	header_clean(in->receiver, "; ()\\\"", rcv, sizeof rcv);
	header_value(in->identity_helo ? in->helo : in->sender, id, sizeof id);
	snprintf(out, n, "Authentication-Results: %s; spf=%s (%s) %s=%s", rcv,
	    spf_result_name(in->spf->result), comment,
	    in->identity_helo ? "smtp.helo" : "smtp.mailfrom", id);
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
