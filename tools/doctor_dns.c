/*
 * doctor, dns (live only): for each signing domain the SPF record (one,
 * valid by lib/spfrec, at most 10 DNS-querying terms counted through
 * include: and redirect=), the DMARC record (present, parsed by
 * lib/dmarcrec),
 * the MX; and for --ip the PTR and its forward confirmation.  DKIM
 * records are checked with their keys (doctor_keys.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "dns.h"
#include "doctor.h"
#include "spfrec.h"
#include "xmalloc.h"

#define SPF_MAX_NESTING 10	/* includes deeper than this are not followed */

static void
dn_temp(struct doctor *d, const char *what, const struct dns_answer *a)
{
	doctor_finding(d, DOCTOR_WARNING, "dns", "run postseal doctor again when "
	    "DNS answers", "%s: DNS look-up failed: %s (%s)", what,
	    dns_status_name(a->status), a->why);
}

/* The one SPF record at name into *rec_r (caller frees); -1: none/many. */
static int
dn_spf_txt(struct doctor *d, const char *name, char **rec_r, int *count_r)
{
	struct dns_answer a;
	int n = 0;

	*rec_r = NULL;
	if (dns_txt(d->dns, name, &a) == DNS_OK)
		for (size_t i = 0; i < a.n; i++)
			if (spfrec_is_record(a.txt[i], a.txt_len[i]) && n++ == 0)
				*rec_r = xstrndup(a.txt[i], a.txt_len[i]);
	if (a.status == DNS_TEMP || a.status == DNS_PERM)
		n = -1;
	dns_answer_free(&a);
	*count_r = n;
	return n == 1 ? 0 : -1;
}

/*
 * DNS-querying terms of the record at name plus those of every include:
 * and redirect= target it names literally (targets with macros depend on
 * the sender and are counted once, as their own term only).
 */
static size_t
dn_spf_count(struct doctor *d, const char *name, int depth)
{
	struct spfrec *rec;
	const char *why;
	char *txt, target[256];
	size_t pos, total = 0, len;
	int n;

	if (depth > SPF_MAX_NESTING || dn_spf_txt(d, name, &txt, &n) == -1)
		return 0;
	rec = xmalloc(sizeof *rec);
	if (spfrec_parse(txt, strlen(txt), rec, &why, &pos) == 0) {
		total = spfrec_dns_terms(rec);
		for (size_t i = 0; i <= rec->n; i++) {
			const char *spec = i < rec->n ? rec->terms[i].spec : rec->redirect;
			len = i < rec->n ? rec->terms[i].spec_len : rec->redirect_len;
			if (spec == NULL || len >= sizeof target ||
			    memchr(spec, '%', len) != NULL ||
			    (i < rec->n && rec->terms[i].mech != SPFREC_INCLUDE))
				continue;
			snprintf(target, sizeof target, "%.*s", (int)len, spec);
			total += dn_spf_count(d, target, depth + 1);
		}
	}
	free(rec);
	free(txt);
	return total;
}

static void
dn_spf(struct doctor *d, const char *dom)
{
	struct spfrec *rec = xmalloc(sizeof *rec);
	const char *why;
	char *txt, *fix;
	size_t pos, used;
	int n;

	if (dn_spf_txt(d, dom, &txt, &n) == -1) {
		fix = xasprintf("publish one record: %s. IN TXT \"v=spf1 mx -all\"", dom);
		if (n == 0)
			doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: no SPF "
			    "record: receivers cannot tell forged mail", dom);
		else if (n > 1)
			doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: %d SPF "
			    "records (TXT \"v=spf1 ...\"); there must be exactly "
			    "one", dom, n);
		else
			doctor_finding(d, DOCTOR_WARNING, "dns", NULL, "%s: SPF "
			    "look-up failed", dom);
		free(fix);
	} else if (spfrec_parse(txt, strlen(txt), rec, &why, &pos) == -1)
		doctor_finding(d, DOCTOR_ERROR, "dns", "correct the record (RFC "
		    "7208); postseal spf-lint shows every problem", "%s: SPF "
		    "record \"%s\" is invalid at byte %zu: %s", dom, txt, pos, why);
	else if ((used = dn_spf_count(d, dom, 0)) > SPFREC_MAX_DNS_TERMS)
		doctor_finding(d, DOCTOR_ERROR, "dns", "replace include: "
		    "mechanisms by the ip4:/ip6: ranges they stand for, or drop "
		    "unused a/mx/ptr/include terms, to need at most 10 look-ups",
		    "%s: SPF record \"%s\" needs %zu DNS look-ups (limit 10): "
		    "receivers get permerror for all mail", dom, txt, used);
	free(txt);
	free(rec);
}

static void
dn_dmarc(struct doctor *d, const char *dom)
{
	struct dmarc_record rec;
	struct dns_answer a;
	const char *why, *found = NULL;
	char name[300], *fix;
	int n = 0;

	snprintf(name, sizeof name, "_dmarc.%s", dom);
	if (dns_txt(d->dns, name, &a) == DNS_TEMP || a.status == DNS_PERM) {
		dn_temp(d, name, &a);
		dns_answer_free(&a);
		return;
	}
	for (size_t i = 0; a.status == DNS_OK && i < a.n; i++)
		if (dmarcrec_is_record(a.txt[i], a.txt_len[i]) && n++ == 0)
			found = a.txt[i];
	fix = xasprintf("publish: _dmarc.%s. IN TXT \"v=DMARC1; p=none; "
	    "rua=mailto:postmaster@%s\" (then tighten p= to quarantine or "
	    "reject)", dom, dom);
	if (n == 0)
		doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: no DMARC record "
		    "(%s): receivers cannot apply a policy to forged mail", name,
		    dns_status_name(a.status));
	else if (n > 1)
		doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: %d DMARC records; "
		    "receivers ignore all of them", name, n);
	else if (dmarcrec_parse(found, strlen(found), &rec, &why) == -1)
		doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: DMARC record "
		    "\"%s\" is invalid: %s", name, found, why);
	free(fix);
	dns_answer_free(&a);
}

static void
dn_mx(struct doctor *d, const char *dom)
{
	struct dns_answer a;
	char *fix;

	dns_mx(d->dns, dom, &a);
	if (a.status == DNS_NXDOMAIN || a.status == DNS_NODATA) {
		fix = xasprintf("publish: %s. IN MX 10 mail.%s.", dom, dom);
		doctor_finding(d, DOCTOR_WARNING, "dns", fix, "%s: no MX record "
		    "(%s): mail to the domain goes to its A record, if any", dom,
		    dns_status_name(a.status));
		free(fix);
	} else if (a.status != DNS_OK)
		dn_temp(d, dom, &a);
	dns_answer_free(&a);
}

/* Does name have an A/AAAA record equal to ip? */
static int
dn_forward(struct doctor *d, const char *name, const char *ip)
{
	struct dns_answer a;
	char buf[INET6_ADDRSTRLEN];
	int v6 = strchr(ip, ':') != NULL, hit = 0;

	if ((v6 ? dns_aaaa(d->dns, name, &a) : dns_a(d->dns, name, &a)) == DNS_OK)
		for (size_t i = 0; i < a.n && !hit; i++)
			hit = inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ?
			    (const void *)&a.aaaa[i] : (const void *)&a.a[i], buf,
			    sizeof buf) != NULL && strcasecmp(buf, ip) == 0;
	dns_answer_free(&a);
	return hit;
}

static void
dn_ptr(struct doctor *d)
{
	struct dns_answer a;
	char *host = doctor_pf(d, "myhostname", NULL), *fix;

	fix = xasprintf("ask the owner of %s's reverse zone (your provider) "
	    "for PTR %s -> %s, and publish %s A/AAAA %s", d->ip, d->ip,
	    host ? host : "the mail host name", host ? host : "that name", d->ip);
	if (dns_ptr(d->dns, d->ip, &a) != DNS_OK) {
		if (a.status == DNS_TEMP || a.status == DNS_PERM)
			dn_temp(d, d->ip, &a);
		else
			doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: no PTR "
			    "record (%s): many receivers reject or junk mail from "
			    "it", d->ip, dns_status_name(a.status));
	} else if (!dn_forward(d, a.ptr[0], d->ip))
		doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s: PTR %s does not "
		    "resolve back to %s (no forward-confirmed reverse DNS)",
		    d->ip, a.ptr[0], d->ip);
	dns_answer_free(&a);
	free(host);
	free(fix);
}

void
doctor_dns(struct doctor *d)
{
	if (!d->live || d->dns == NULL)
		return;
	for (size_t i = 0; i < d->domains.n; i++) {
		dn_spf(d, d->domains.v[i]);
		dn_dmarc(d, d->domains.v[i]);
		dn_mx(d, d->domains.v[i]);
	}
	if (d->ip != NULL)
		dn_ptr(d);
}
