/*
 * postseal dmarc [-c FILE] [--psl | --treewalk] DOMAIN
 *
 * Discovers the DMARC record of DOMAIN the way the milter does (method:
 * milter.dmarc.discovery unless an option says otherwise), through the
 * configured resolver, and prints every query, where the record was found,
 * the organizational domain, the policy that applies to DOMAIN (p, sp or
 * np) and every tag with its value.
 * Exit: 0 a record applies, 1 none (or a temporary DNS failure), 2 usage
 * or configuration error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "conf.h"
#include "dmarc.h"
#include "dmarcfind.h"
#include "dmarctag.h"
#include "dns.h"
#include "domain.h"
#include "toolconf.h"
#include "xmalloc.h"

/* Text from DNS is printed with control characters escaped. */
static void
dmarccmd_print(const char *key, const char *value)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");

	printf("%s: ", key);
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static struct dns *
dmarccmd_dns(const struct conf *c)
{
	struct dns *d;
	char why[256];

	if ((d = conf_resolver(c, why, sizeof why)) == NULL)
		fprintf(stderr, "postseal dmarc: resolver: %s\n", why);
	return d;
}

static void
dmarccmd_steps(const struct dmarcfind_result *r)
{
	char line[600];
	size_t i;

	for (i = 0; i < r->n_steps; i++) {
		const struct dmarcfind_step *s = &r->steps[i];
		snprintf(line, sizeof line, "_dmarc.%s TXT %s dmarc-records=%zu%s%s",
		    s->domain, dns_status_name(s->status), s->n_dmarc,
		    s->why[0] ? " " : "", s->why);
		dmarccmd_print("query", line);
	}
}

static void
dmarccmd_tag(const struct dmarc_record *r, enum dmarc_tag t, const char *v)
{
	char key[32], line[DMARC_MAX_URI + 40];

	snprintf(key, sizeof key, "tag %s", dmarctag_name(t));
	snprintf(line, sizeof line, "%s%s", v,
	    r->ignored & (1u << t) ? " (invalid value ignored)" :
	    r->seen & (1u << t) ? "" : " (default)");
	dmarccmd_print(key, line);
}

static void
dmarccmd_tags(const struct dmarc_record *r)
{
	static const char *const psd[] = { "u", "y", "n" };
	char num[32];
	size_t i;

	dmarccmd_tag(r, DMARC_TAG_P, dmarcrec_policy_name(r->p));
	dmarccmd_tag(r, DMARC_TAG_SP, r->sp ? dmarcrec_policy_name(r->sp) :
	    "(p)");
	dmarccmd_tag(r, DMARC_TAG_NP, r->np ? dmarcrec_policy_name(r->np) :
	    "(sp, else p)");
	dmarccmd_tag(r, DMARC_TAG_ADKIM, r->adkim ? "s" : "r");
	dmarccmd_tag(r, DMARC_TAG_ASPF, r->aspf ? "s" : "r");
	snprintf(num, sizeof num, "%u", r->pct);
	dmarccmd_tag(r, DMARC_TAG_PCT, num);
	snprintf(num, sizeof num, "%lu", r->ri);
	dmarccmd_tag(r, DMARC_TAG_RI, num);
	dmarccmd_tag(r, DMARC_TAG_FO, r->fo);
	dmarccmd_tag(r, DMARC_TAG_RF, r->rf);
	dmarccmd_tag(r, DMARC_TAG_PSD, psd[r->psd]);
	dmarccmd_tag(r, DMARC_TAG_T, r->testing ? "y" : "n");
	for (i = 0; i < r->n_rua; i++)
		dmarccmd_tag(r, DMARC_TAG_RUA, r->rua[i]);
	for (i = 0; i < r->n_ruf; i++)
		dmarccmd_tag(r, DMARC_TAG_RUF, r->ruf[i]);
	if (r->p_as_none)
		dmarccmd_print("note", "p missing or unusable: the record acts "
		    "as p=none (RFC 9989)");
}

/* The policy that applies to domain, as dmarc_evaluate selects it. */
static void
dmarccmd_effective(struct dns *dns, const char *domain,
    const struct dmarcfind_result *r)
{
	struct dmarc_input in = { 0 };
	struct dmarc_verdict v;
	char line[128];
	int exists = dmarcfind_exists(dns, domain);

	in.author_domain = domain;
	in.n_author_domains = 1;
	in.found = r->found;
	in.record = &r->record;
	in.policy_domain = r->policy_domain;
	in.org_domain = r->org_domain;
	in.author_nonexistent = exists == 0;
	in.spf = DMARC_AUTH_FAIL;
	dmarc_evaluate(&in, &v);
	dmarccmd_print("exists", exists == 1 ? "yes" : exists == 0 ? "no" :
	    "unknown (temporary DNS failure)");
	snprintf(line, sizeof line, "%s (%s=)%s",
	    dmarcrec_policy_name(v.policy), v.policy_tag,
	    r->record.testing ? ", not applied: t=y" : "");
	dmarccmd_print("effective-policy", line);
}

static int
dmarccmd_show(struct dns *dns, const char *domain, enum dmarcfind_mode mode)
{
	struct dmarcfind_result *r = xcalloc(1, sizeof *r);
	int rc = EXIT_FINDING;

	dmarccmd_print("domain", domain);
	dmarccmd_print("discovery", dmarcfind_mode_name(mode));
	dmarcfind_lookup(dns, domain, mode, r);
	dmarccmd_steps(r);
	if (r->found == DMARC_FOUND_RECORD) {
		dmarccmd_print("result", "found");
		dmarccmd_print("policy-domain", r->policy_domain);
		dmarccmd_print("org-domain", r->org_domain);
		dmarccmd_print("record", r->text);
		dmarccmd_effective(dns, domain, r);
		dmarccmd_tags(&r->record);
		rc = EXIT_OK;
	} else {
		dmarccmd_print("result", r->found == DMARC_FOUND_TEMP ?
		    "temperror" : "none");
		dmarccmd_print("reason", r->why);
	}
	free(r);
	return rc;
}

static int
dmarccmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "psl", no_argument, NULL, 'P' },
		{ "treewalk", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *why;
	char domain[DOMAIN_MAX_NAME + 1];
	int ch, mode = -1, rc;
	struct conf *c;
	struct dns *dns;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch == 'P' || ch == 'T')
			mode = ch == 'P' ? DMARCFIND_PSL : DMARCFIND_TREEWALK;
		else
			return command_usage("dmarc");
	}
	if (argc - optind != 1)
		return command_usage("dmarc");
	if (domain_normalise(argv[optind], strlen(argv[optind]), domain,
	    sizeof domain, &why) == -1) {
		fprintf(stderr, "postseal dmarc: %s: %s\n", argv[optind], why);
		return EXIT_USAGE;
	}
	if ((c = toolconf_load("dmarc", path, 0)) == NULL)
		return EXIT_USAGE;
	if (mode == -1)
		mode = c->milter.dmarc.discovery == CONF_DISCOVERY_PSL ?
		    DMARCFIND_PSL : DMARCFIND_TREEWALK;
	if ((dns = dmarccmd_dns(c)) == NULL) {
		conf_free(&c);
		return EXIT_USAGE;
	}
	rc = dmarccmd_show(dns, domain, (enum dmarcfind_mode)mode);
	dns_free(&dns);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(dmarc, "dmarc", "[-c FILE] [--psl | --treewalk] DOMAIN",
    "DMARC record discovery: every query, policy and organizational domain, "
    "each tag", dmarccmd_run)
