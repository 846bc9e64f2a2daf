/*
 * spf: the engine-independent half of spf.h (see spf_engine.h): the
 * context, the entry points that pick the identity, result names and the
 * domain check both engines apply before any look-up.
 */
#include "spf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_engine.h"
#include "xmalloc.h"

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = { "none", "neutral", "pass",
	    "fail", "softfail", "temperror", "permerror" };

	if ((unsigned)r < sizeof names / sizeof names[0])
		return names[r];
	return "unknown";
}

struct spf *
spf_new(struct dns *dns, const char *receiver, char *why, size_t whylen)
{
	struct spf *s;

	spf_engine_init();
	if (dns == NULL) {
		snprintf(why, whylen, "no resolver given");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->dns = dns;
	s->receiver = xstrdup(receiver && *receiver ? receiver :
	    spf_engine_receiver());
	return s;
}

void
spf_free(struct spf **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free((*sp)->receiver);
	free(*sp);
	*sp = NULL;
}

void
spf_outcome_clear(struct spf_outcome *out)
{
	if (out != NULL)
		strlist_clear(&out->lookups);
}

/* The null sender checks the HELO identity (RFC 7208 2.4). */
enum spf_result
spf_check(struct spf *s, const char *ip, const char *helo,
    const char *sender, struct spf_outcome *out)
{
	if (out == NULL)
		return SPF_RES_TEMPERROR;
	if (sender == NULL || *sender == '\0')
		return spf_engine_check(s, ip, helo, NULL, "helo", out);
	return spf_engine_check(s, ip, helo, sender, "mailfrom", out);
}

enum spf_result
spf_check_helo(struct spf *s, const char *ip, const char *helo,
    struct spf_outcome *out)
{
	if (out == NULL)
		return SPF_RES_TEMPERROR;
	return spf_engine_check(s, ip, helo, NULL, "helo", out);
}

enum spf_result
spf_outcome_set(struct spf_outcome *out, enum spf_result r,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->explanation, sizeof out->explanation, fmt, ap);
	va_end(ap);
	return out->result = r;
}

static int
spf_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
spf_domain_ok(const char *d)
{
	size_t len = strlen(d), label = 0, labels = 0, i;
	int alpha = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_MAX_NAME)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)d[i];
		if (i == len || c == '.') {
			if (label == 0 || label > 63)
				return 0;
			labels++;
			label = 0;
			if (i < len)	/* only the top label's letters count */
				alpha = 0;
			continue;
		}
		if (!spf_ldh(c))
			return 0;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = 1;
		label++;
	}
	return labels >= 2 && alpha;
}
