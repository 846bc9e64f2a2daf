/*
 * postseal spf-lint [-c FILE] DOMAIN
 *
 * Checks the SPF record a domain publishes, before receivers do: syntax
 * errors with their position, the DNS-querying terms of the whole
 * include/redirect tree against the limit of 10 (printed as a tree), void
 * look-ups against the limit of 2, more than one record, no record, ptr,
 * +all and ?all, a record over 450 bytes (it may not fit a UDP answer),
 * and the addresses of the domain's MX hosts that the record does not
 * let pass (checked with the real SPF engine).  Terms are counted as if
 * every one were evaluated: that is the worst case a receiver meets.
 * Terms with macros depend on the message and are not followed.
 *
 * Every finding is one line, "error: ..." (receivers would return
 * permerror, or the check could not be done) or "warning: ...".
 * Exit: 0 clean, 1 any finding (warnings included: a record worth a
 * warning is worth fixing before it is published), 2 usage or config.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "dns.h"
#include "spf.h"
#include "spfrec.h"
#include "strlist.h"
#include "toolconf.h"
#include "xmalloc.h"

#define LINT_MAX_DEPTH	12	/* include/redirect levels followed */
#define LINT_MAX_MX	10	/* MX hosts whose addresses are checked */
#define LINT_LONG	450	/* bytes: larger records risk truncation */

struct lint {
	struct dns *dns;
	struct spf *spf;
	size_t terms, voids;
	int errors, warnings;
	const char *path[LINT_MAX_DEPTH + 1];	/* the include chain */
};

static void
lint_find(struct lint *l, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lint_find(struct lint *l, int error, const char *fmt, ...)
{
	va_list ap;

	*(error ? &l->errors : &l->warnings) += 1;
	printf("%s: ", error ? "error" : "warning");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Record text as printed: control and non-ASCII bytes escaped. */
static void
lint_print_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* Is name void (no A/AAAA, or no MX)?  TEMP is an error, not void. */
static int
lint_void(struct lint *l, const char *name, int mx)
{
	struct dns_answer a, b;
	int v;

	if (mx)
		dns_mx(l->dns, name, &a);
	else
		dns_a(l->dns, name, &a);
	memset(&b, 0, sizeof b);
	if (!mx && a.status != DNS_OK && a.status != DNS_TEMP)
		dns_aaaa(l->dns, name, &b);
	if (a.status == DNS_TEMP || b.status == DNS_TEMP)
		lint_find(l, 1, "%s %s: %s", mx ? "MX" : "A/AAAA", name,
		    a.status == DNS_TEMP ? a.why : b.why);
	v = a.status != DNS_OK && a.status != DNS_TEMP &&
	    (mx || (b.status != DNS_OK && b.status != DNS_TEMP));
	dns_answer_free(&a);
	dns_answer_free(&b);
	return v;
}

static void lint_domain(struct lint *l, const char *domain, int depth,
    const char *via);

/* A term's target when it has no macros (else NULL: not followed). */
static const char *
lint_target(const struct spfrec_term *t, const char *domain, char *buf,
    size_t n)
{
	if (t->spec == NULL)
		return domain;
	if (memchr(t->spec, '%', t->spec_len) != NULL || t->spec_len >= n)
		return NULL;
	snprintf(buf, n, "%.*s", (int)t->spec_len, t->spec);
	return buf;
}

static void
lint_term(struct lint *l, const struct spfrec_term *t, const char *domain,
    int depth)
{
	char buf[DNS_MAX_NAME + 2], via[300];
	const char *target = lint_target(t, domain, buf, sizeof buf);

	snprintf(via, sizeof via, "%.*s", (int)t->text_len, t->text);
	if (t->mech == SPFREC_ALL && t->qual == SPFREC_PASS)
		lint_find(l, 0, "%s: \"%s\" lets every host on the Internet "
		    "pass", domain, via);
	if (t->mech == SPFREC_ALL && t->qual == SPFREC_NEUTRAL)
		lint_find(l, 0, "%s: \"%s\" says nothing about other hosts; "
		    "end with ~all or -all", domain, via);
	if (t->mech == SPFREC_PTR)
		lint_find(l, 0, "%s: \"%s\": ptr is slow and unreliable, "
		    "RFC 7208 5.5 says do not use it", domain, via);
	if (target == NULL) {
		printf("%*s%s (macros: not followed)\n", 2 * depth + 2, "", via);
		return;
	}
	if (t->mech == SPFREC_INCLUDE)
		lint_domain(l, target, depth + 1, via);
	else if ((t->mech == SPFREC_A || t->mech == SPFREC_MX ||
	    t->mech == SPFREC_EXISTS) &&
	    lint_void(l, target, t->mech == SPFREC_MX)) {
		l->voids++;
		lint_find(l, 0, "%s: \"%s\": %s has no %s (a void look-up)",
		    domain, via, target, t->mech == SPFREC_MX ? "MX" : "address");
	}
}

/* The one SPF record of domain into *rec_text; NULL when none/several. */
static char *
lint_fetch(struct lint *l, const char *domain, size_t *len, const char *via)
{
	struct dns_answer a;
	char *text = NULL;
	size_t i, found = 0;

	dns_txt(l->dns, domain, &a);
	if (a.status == DNS_TEMP || a.status == DNS_PERM)
		lint_find(l, 1, "TXT %s: %s (receivers: temperror)", domain,
		    a.why);
	for (i = 0; a.status == DNS_OK && i < a.n; i++)
		if (spfrec_is_record(a.txt[i], a.txt_len[i]) && found++ == 0) {
			text = xmalloc(a.txt_len[i] + 1);
			memcpy(text, a.txt[i], a.txt_len[i] + 1);
			*len = a.txt_len[i];
		}
	if (found == 0 && a.status != DNS_TEMP && a.status != DNS_PERM)
		lint_find(l, 1, "%s has no SPF record%s", domain, via ?
		    " (receivers: permerror for the include/redirect)" : "");
	if (found > 1) {
		lint_find(l, 1, "%s has %zu SPF records (receivers: permerror)",
		    domain, found);
		free(text);
		text = NULL;
	}
	dns_answer_free(&a);
	return text;
}

static void
lint_record(struct lint *l, const char *domain, const char *text, size_t len,
    int depth)
{
	struct spfrec *rec = xmalloc(sizeof *rec);
	const char *why;
	size_t i, pos;
	char buf[DNS_MAX_NAME + 2];

	if (len > LINT_LONG)
		lint_find(l, 0, "%s: record is %zu bytes, over %d (may not fit a "
		    "UDP answer)", domain, len, LINT_LONG);
	if (spfrec_parse(text, len, rec, &why, &pos) == -1) {
		lint_find(l, 1, "%s: syntax error at column %zu: %s (receivers: "
		    "permerror)", domain, pos + 1, why);
		printf("  ");
		lint_print_text(text, len);
		printf("\n  %*s^\n", (int)pos, "");
		free(rec);
		return;
	}
	l->terms += spfrec_dns_terms(rec);
	printf("%*s[%zu DNS term(s) here, %zu of %d so far]\n", 2 * depth + 2,
	    "", spfrec_dns_terms(rec), l->terms, SPFREC_MAX_DNS_TERMS);
	for (i = 0; i < rec->n; i++)
		lint_term(l, &rec->terms[i], domain, depth);
	if (rec->redirect != NULL && rec->redirect_len < sizeof buf &&
	    memchr(rec->redirect, '%', rec->redirect_len) == NULL) {
		snprintf(buf, sizeof buf, "%.*s", (int)rec->redirect_len,
		    rec->redirect);
		lint_domain(l, buf, depth + 1, "redirect");
	}
	free(rec);
}

/* A loop, or deeper than any receiver goes (each level costs a term). */
static int
lint_on_path(const struct lint *l, const char *domain, int depth)
{
	int i;

	if (depth > LINT_MAX_DEPTH)
		return 1;
	for (i = 0; i < depth; i++)
		if (strcasecmp(l->path[i], domain) == 0)
			return 1;
	return 0;
}

static void
lint_domain(struct lint *l, const char *domain, int depth, const char *via)
{
	char *text;
	size_t len = 0;

	printf("%*s%s%s%s\n", 2 * depth, "", via ? via : domain,
	    via ? " -> " : "", via ? domain : "");
	if (lint_on_path(l, domain, depth)) {
		lint_find(l, 1, "%s: include/redirect loop (receivers: "
		    "permerror)", domain);
		return;
	}
	if ((text = lint_fetch(l, domain, &len, via)) == NULL)
		return;
	if (depth == 0) {
		printf("record: ");
		lint_print_text(text, len);
		putchar('\n');
	}
	l->path[depth] = domain;
	lint_record(l, domain, text, len, depth);
	free(text);
}

/* Does the record let the MX host's address pass? */
static void
lint_mx_addr(struct lint *l, const char *domain, const char *host,
    const char *ip)
{
	struct spf_outcome o;
	char sender[300];

	snprintf(sender, sizeof sender, "postmaster@%s", domain);
	if (spf_check(l->spf, ip, NULL, sender, &o) != SPF_RES_PASS)
		lint_find(l, 0, "MX host %s (%s) is not covered: %s gives %s",
		    host, ip, domain, spf_result_name(o.result));
	spf_outcome_clear(&o);
}

static void
lint_mx_host(struct lint *l, const char *domain, const char *host)
{
	struct dns_answer a, b;
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	dns_a(l->dns, host, &a);
	dns_aaaa(l->dns, host, &b);
	for (i = 0; a.status == DNS_OK && i < a.n; i++)
		if (inet_ntop(AF_INET, &a.a[i], ip, sizeof ip) != NULL)
			lint_mx_addr(l, domain, host, ip);
	for (i = 0; b.status == DNS_OK && i < b.n; i++)
		if (inet_ntop(AF_INET6, &b.aaaa[i], ip, sizeof ip) != NULL)
			lint_mx_addr(l, domain, host, ip);
	dns_answer_free(&a);
	dns_answer_free(&b);
}

static void
lint_mx(struct lint *l, const char *domain)
{
	struct dns_answer mx;
	size_t i;

	dns_mx(l->dns, domain, &mx);
	for (i = 0; mx.status == DNS_OK && i < mx.n && i < LINT_MAX_MX; i++)
		if (mx.mx[i].host[0] != '\0')
			lint_mx_host(l, domain, mx.mx[i].host);
	dns_answer_free(&mx);
}

static void
lint_summary(struct lint *l)
{
	printf("dns-terms: %zu (limit %d)\n", l->terms, SPFREC_MAX_DNS_TERMS);
	printf("void-lookups: %zu (limit %d)\n", l->voids, SPFREC_MAX_VOID);
	if (l->terms > SPFREC_MAX_DNS_TERMS)
		lint_find(l, 1, "%zu DNS-querying terms in the include tree, over "
		    "the limit of %d (receivers: permerror)", l->terms,
		    SPFREC_MAX_DNS_TERMS);
	if (l->voids > SPFREC_MAX_VOID)
		lint_find(l, 1, "%zu void look-ups, over the limit of %d "
		    "(receivers: permerror)", l->voids, SPFREC_MAX_VOID);
	printf("findings: %d error(s), %d warning(s)\n", l->errors, l->warnings);
}

static int
lint_setup(struct lint *l, const char *path)
{
	struct conf *c;
	char why[256];

	if ((c = toolconf_load("spf-lint", path, 0)) == NULL)
		return -1;
	if ((l->dns = conf_resolver(c, why, sizeof why)) == NULL)
		fprintf(stderr, "postseal spf-lint: resolver: %s\n", why);
	else if ((l->spf = spf_new(l->dns, c->authserv_id, why,
	    sizeof why)) == NULL) {
		fprintf(stderr, "postseal spf-lint: %s\n", why);
		dns_free(&l->dns);
	}
	conf_free(&c);
	return l->spf != NULL ? 0 : -1;
}

static int
lint_run(int argc, char **argv)
{
	const char *path = NULL, *domain;
	struct lint l;
	int ch;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			return command_usage("spf-lint");
		path = optarg;
	}
	if (argc - optind != 1 || strlen(argv[optind]) > DNS_MAX_NAME)
		return command_usage("spf-lint");
	domain = argv[optind];
	memset(&l, 0, sizeof l);
	if (lint_setup(&l, path) == -1)
		return EXIT_USAGE;
	printf("domain: %s\ninclude tree:\n", domain);
	lint_domain(&l, domain, 0, NULL);
	if (l.errors == 0)
		lint_mx(&l, domain);
	lint_summary(&l);
	spf_free(&l.spf);
	dns_free(&l.dns);
	return l.errors + l.warnings > 0 ? EXIT_FINDING : EXIT_OK;
}

POSTSEAL_COMMAND(spf_lint, "spf-lint", "[-c FILE] DOMAIN",
    "check a domain's SPF record: syntax, look-up limits, include tree, "
    "MX coverage", lint_run)
