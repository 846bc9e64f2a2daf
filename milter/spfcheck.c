/* spfcheck: see spfcheck.h. */
#include "spfcheck.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

static const char *const spfcheck_names[] = { "none", "neutral", "pass",
	"fail", "softfail", "temperror", "permerror" };

/* The value of key=VALUE inside a Received-SPF header, into buf. */
static int
spfcheck_param(const char *value, const char *key, char *buf, size_t n)
{
	size_t klen = strlen(key), o = 0;
	const char *p = value;

	while ((p = strcasestr(p, key)) != NULL) {
		if ((p == value || p[-1] == ' ' || p[-1] == ';' || p[-1] == '\t') &&
		    p[klen] == '=')
			break;
		p += klen;
	}
	if (p == NULL)
		return -1;
	for (p += klen + 1; *p != '\0' && *p != ';' && !isspace((unsigned char)*p) &&
	    o + 1 < n; p++)
		if (*p != '"')
			buf[o++] = *p;
	buf[o] = '\0';
	return 0;
}

int
spfcheck_parse_received(const char *value, struct spf_outcome *out)
{
	const char *p = value;
	size_t len;

	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*p))
		p++;
	for (len = 0; isalpha((unsigned char)p[len]); len++)
		;
	for (size_t i = 0; i < sizeof spfcheck_names / sizeof *spfcheck_names; i++)
		if (strlen(spfcheck_names[i]) == len &&
		    strncasecmp(p, spfcheck_names[i], len) == 0) {
			out->result = (enum spf_result)i;
			spfcheck_param(value, "identity", out->identity,
			    sizeof out->identity);
			spfcheck_param(value, "envelope-from", out->sender,
			    sizeof out->sender);
			spfcheck_param(value, "client-ip", out->client_ip,
			    sizeof out->client_ip);
			return 0;
		}
	return -1;
}

static enum spf_result
spfcheck_from_policyd(struct session *s, struct spf_outcome *out)
{
	if (s->n_hdrs > 0 && strcasecmp(s->hdrs[0].name, "Received-SPF") == 0 &&
	    spfcheck_parse_received(s->hdrs[0].value, out) == 0)
		return out->result;
	/* No trusted header: the policy daemon skipped this client, or it is
	 * not wired in; check ourselves rather than guess. */
	log_info("queue_id=%s event=spf-policyd-header-missing action=check",
	    s->queue_id);
	memset(out, 0, sizeof *out);
	return spf_check(s->rt->spf, s->client_ip, s->helo, s->mail_from, out);
}

enum spf_result
spfcheck_run(struct session *s, struct spf_outcome *out)
{
	enum spf_result r;
	char expl[256];

	memset(out, 0, sizeof *out);
	if (s->rt->conf->milter.spf == CONF_MILTER_SPF_POLICYD)
		r = spfcheck_from_policyd(s, out);
	else
		r = spf_check(s->rt->spf, s->client_ip, s->helo, s->mail_from, out);
	log_info("queue_id=%s event=spf client_ip=%s identity=%s sender=%s "
	    "result=%s explanation=\"%s\"", s->queue_id, s->client_ip,
	    out->identity, out->sender, spf_result_name(r),
	    log_quote(out->explanation, expl, sizeof expl));
	return r;
}
