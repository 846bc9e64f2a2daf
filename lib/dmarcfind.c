/* dmarcfind: see dmarcfind.h. */
#include "dmarcfind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "xmalloc.h"

/* A walk in progress: the query function and every usable record. */
struct dmarcfind_walker {
	dmarcfind_txt_fn txt;
	void *ctx;
	struct dmarcfind_result *out;
	struct dmarc_record *recs;	/* DMARCFIND_MAX_QUERIES + 1 */
	char **texts;
};

static enum dns_status
dmarcfind_dns_txt(void *ctx, const char *name, struct dns_answer *a)
{
	return dns_txt(ctx, name, a);
}

const char *
dmarcfind_mode_name(enum dmarcfind_mode m)
{
	return m == DMARCFIND_PSL ? "psl" : "treewalk";
}

static size_t
dmarcfind_labels(const char *d)
{
	size_t n = 1;

	for (; *d != '\0'; d++)
		if (*d == '.' && d[1] != '\0')
			n++;
	return n;
}

/* The last k labels of d. */
static const char *
dmarcfind_suffix(const char *d, size_t k)
{
	size_t skip = dmarcfind_labels(d) - k;

	while (skip-- > 0)
		d = strchr(d, '.') + 1;
	return d;
}

size_t
dmarcfind_walk(const char *domain, char names[][DMARCFIND_NAME], size_t max)
{
	size_t x, k, n = 0;

	if (domain == NULL || *domain == '\0' || max == 0 ||
	    strlen(domain) >= DMARCFIND_NAME)
		return 0;
	x = dmarcfind_labels(domain);
	snprintf(names[n++], DMARCFIND_NAME, "%s", domain);
	/* 8 labels or more: jump to the last 7, so a long name never costs
	 * more than 8 queries (RFC 9989 4.10, step 5). */
	for (k = x >= 8 ? 7 : x - 1; k >= 1 && n < max; k--)
		snprintf(names[n++], DMARCFIND_NAME, "%s",
		    dmarcfind_suffix(domain, k));
	return n;
}

/* Count the v=DMARC1 records in a; keep the only one in *rec. */
static size_t
dmarcfind_pick(const struct dns_answer *a, const char **rec, size_t *len)
{
	size_t i, n = 0;

	for (i = 0; i < a->n; i++) {
		if (!dmarcrec_is_record(a->txt[i], a->txt_len[i]))
			continue;
		if (n++ == 0) {
			*rec = a->txt[i];
			*len = a->txt_len[i];
		}
	}
	return n;
}

/* Query _dmarc.domain into step i; parse a single DMARC record. */
static void
dmarcfind_query(struct dmarcfind_walker *w, const char *domain, size_t i)
{
	struct dmarcfind_step *s = &w->out->steps[i];
	struct dns_answer a;
	char name[DMARCFIND_NAME + 8];
	const char *rec = NULL, *why = NULL;
	size_t len = 0;

	memset(&a, 0, sizeof a);
	snprintf(s->domain, sizeof s->domain, "%s", domain);
	w->out->n_steps = i + 1;
	if (strlen(domain) + 7 > DNS_MAX_NAME) {
		s->status = DNS_PERM;
		snprintf(s->why, sizeof s->why, "_dmarc name too long");
		return;
	}
	snprintf(name, sizeof name, "_dmarc.%s", domain);
	s->status = w->txt(w->ctx, name, &a);
	if (s->status == DNS_TEMP || s->status == DNS_PERM)
		snprintf(s->why, sizeof s->why, "%s", a.why);
	if (s->status == DNS_OK && a.txt != NULL)
		s->n_dmarc = dmarcfind_pick(&a, &rec, &len);
	if (s->n_dmarc > 1)
		snprintf(s->why, sizeof s->why, "%zu DMARC records: all "
		    "discarded", s->n_dmarc);
	else if (s->n_dmarc == 1 && dmarcrec_parse(rec, len, &w->recs[i],
	    &why) == -1)
		snprintf(s->why, sizeof s->why, "%s", why);
	else if (s->n_dmarc == 1) {
		s->usable = 1;
		s->psd = w->recs[i].psd;
		w->texts[i] = xstrndup(rec, len);
	}
	dns_answer_free(&a);
}

/* Copy step i's record as the policy record. */
static void
dmarcfind_use(struct dmarcfind_walker *w, size_t i)
{
	struct dmarcfind_result *o = w->out;

	o->found = DMARC_FOUND_RECORD;
	o->record = w->recs[i];
	snprintf(o->text, sizeof o->text, "%s", w->texts[i]);
	snprintf(o->policy_domain, sizeof o->policy_domain, "%s",
	    o->steps[i].domain);
}

/* Returns 1 (and fills why) when step i was a temporary failure. */
static int
dmarcfind_temp(struct dmarcfind_result *o, size_t i)
{
	if (o->steps[i].status != DNS_TEMP)
		return 0;
	o->found = DMARC_FOUND_TEMP;
	snprintf(o->why, sizeof o->why, "_dmarc.%s: %s", o->steps[i].domain,
	    o->steps[i].why[0] ? o->steps[i].why : "temporary DNS failure");
	return 1;
}

/* RFC 7489 6.6.3: the author domain, then its PSL organizational domain. */
static void
dmarcfind_psl(struct dmarcfind_walker *w, const char *author)
{
	struct dmarcfind_result *o = w->out;

	if (domain_org(author, o->org_domain, sizeof o->org_domain) == NULL)
		snprintf(o->org_domain, sizeof o->org_domain, "%s", author);
	dmarcfind_query(w, author, 0);
	if (dmarcfind_temp(o, 0))
		return;
	if (o->steps[0].usable) {
		dmarcfind_use(w, 0);
		return;
	}
	if (strcasecmp(o->org_domain, author) == 0)
		return;
	dmarcfind_query(w, o->org_domain, 1);
	if (!dmarcfind_temp(o, 1) && o->steps[1].usable)
		dmarcfind_use(w, 1);
}

/* The tree walk's queries; stops on psd=n anywhere and on psd=y above
 * the start (RFC 9989 4.10, steps 2 and 7).  Returns -1 on TEMP. */
static int
dmarcfind_walk_queries(struct dmarcfind_walker *w, const char *start)
{
	char names[DMARCFIND_MAX_QUERIES][DMARCFIND_NAME];
	size_t i, n = dmarcfind_walk(start, names, DMARCFIND_MAX_QUERIES);

	for (i = 0; i < n; i++) {
		const struct dmarcfind_step *s = &w->out->steps[i];
		dmarcfind_query(w, names[i], i);
		if (dmarcfind_temp(w->out, i))
			return -1;
		if (s->usable && (s->psd == DMARC_PSD_N ||
		    (i > 0 && s->psd == DMARC_PSD_Y)))
			break;
	}
	return 0;
}

/* RFC 9989 4.10.2: psd=n is the organizational domain; psd=y above the
 * start puts it one label below; else the record with the fewest labels;
 * with no record, the starting domain.  Returns the step index or -1. */
static int
dmarcfind_org_step(struct dmarcfind_walker *w, const char *start)
{
	struct dmarcfind_result *o = w->out;
	size_t i;
	int last = -1;

	snprintf(o->org_domain, sizeof o->org_domain, "%s", start);
	for (i = 0; i < o->n_steps; i++) {
		const struct dmarcfind_step *s = &o->steps[i];
		if (!s->usable)
			continue;
		if (s->psd == DMARC_PSD_Y && i > 0) {
			snprintf(o->org_domain, sizeof o->org_domain, "%s",
			    dmarcfind_suffix(start, dmarcfind_labels(s->domain) + 1));
			return last;
		}
		last = (int)i;
		if (s->psd == DMARC_PSD_N)
			break;
	}
	if (last >= 0)
		snprintf(o->org_domain, sizeof o->org_domain, "%s",
		    o->steps[last].domain);
	return last;
}

/* Policy: the author domain's record, else the organizational domain's,
 * else the public suffix domain's (RFC 9989 4.10.1). */
static void
dmarcfind_treewalk(struct dmarcfind_walker *w, const char *author)
{
	struct dmarcfind_result *o = w->out;
	size_t i;

	if (dmarcfind_walk_queries(w, author) == -1)
		return;
	dmarcfind_org_step(w, author);
	if (o->steps[0].usable) {
		dmarcfind_use(w, 0);
		return;
	}
	for (i = 1; i < o->n_steps; i++)
		if (o->steps[i].usable &&
		    strcasecmp(o->steps[i].domain, o->org_domain) == 0) {
			dmarcfind_use(w, i);
			return;
		}
	for (i = 1; i < o->n_steps; i++)
		if (o->steps[i].usable && o->steps[i].psd == DMARC_PSD_Y) {
			dmarcfind_use(w, i);
			return;
		}
}

static void
dmarcfind_why_none(struct dmarcfind_result *o, const char *author)
{
	size_t i;

	for (i = 0; i < o->n_steps; i++)
		if (o->steps[i].why[0] != '\0') {
			snprintf(o->why, sizeof o->why, "no usable DMARC record "
			    "for %s (_dmarc.%s: %s)", author, o->steps[i].domain,
			    o->steps[i].why);
			return;
		}
	snprintf(o->why, sizeof o->why, "no DMARC record for %s", author);
}

static void
dmarcfind_run(struct dmarcfind_walker *w, const char *author,
    enum dmarcfind_mode mode)
{
	size_t i;

	w->recs = xcalloc(DMARCFIND_MAX_QUERIES + 1, sizeof *w->recs);
	w->texts = xcalloc(DMARCFIND_MAX_QUERIES + 1, sizeof *w->texts);
	if (mode == DMARCFIND_PSL)
		dmarcfind_psl(w, author);
	else
		dmarcfind_treewalk(w, author);
	for (i = 0; i <= DMARCFIND_MAX_QUERIES; i++)
		free(w->texts[i]);
	free(w->texts);
	free(w->recs);
}

enum dmarc_found
dmarcfind_lookup_with(dmarcfind_txt_fn txt, void *ctx,
    const char *author_domain, enum dmarcfind_mode mode,
    struct dmarcfind_result *out)
{
	struct dmarcfind_walker w = { txt, ctx, out, NULL, NULL };

	memset(out, 0, sizeof *out);
	out->mode = mode;
	if (author_domain == NULL || !domain_valid(author_domain)) {
		snprintf(out->why, sizeof out->why, "invalid author domain");
		return out->found;
	}
	dmarcfind_run(&w, author_domain, mode);
	if (out->found == DMARC_FOUND_NONE)
		dmarcfind_why_none(out, author_domain);
	return out->found;
}

enum dmarc_found
dmarcfind_lookup(struct dns *dns, const char *author_domain,
    enum dmarcfind_mode mode, struct dmarcfind_result *out)
{
	return dmarcfind_lookup_with(dmarcfind_dns_txt, dns, author_domain,
	    mode, out);
}

int
dmarcfind_org(struct dns *dns, const char *domain, enum dmarcfind_mode mode,
    char *out, size_t n)
{
	struct dmarcfind_result *r;
	struct dmarcfind_walker w = { dmarcfind_dns_txt, dns, NULL, NULL, NULL };
	int rc = 0;

	snprintf(out, n, "%s", domain);
	if (mode == DMARCFIND_PSL) {
		if (domain_org(domain, out, n) == NULL)
			snprintf(out, n, "%s", domain);
		return 0;
	}
	r = w.out = xcalloc(1, sizeof *r);
	w.recs = xcalloc(DMARCFIND_MAX_QUERIES + 1, sizeof *w.recs);
	w.texts = xcalloc(DMARCFIND_MAX_QUERIES + 1, sizeof *w.texts);
	if (dmarcfind_walk_queries(&w, domain) == -1)
		rc = -1;
	else {
		dmarcfind_org_step(&w, domain);
		snprintf(out, n, "%s", r->org_domain);
	}
	for (size_t i = 0; i <= DMARCFIND_MAX_QUERIES; i++)
		free(w.texts[i]);
	free(w.texts);
	free(w.recs);
	free(r);
	return rc;
}

int
dmarcfind_exists(struct dns *dns, const char *domain)
{
	enum dns_status (*const q[])(struct dns *, const char *,
	    struct dns_answer *) = { dns_a, dns_aaaa, dns_mx };
	struct dns_answer a;
	int temp = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		memset(&a, 0, sizeof a);
		enum dns_status st = q[i](dns, domain, &a);
		dns_answer_free(&a);
		/* A malformed answer is no proof of absence: exists. */
		if (st == DNS_OK || st == DNS_PERM)
			return 1;
		if (st == DNS_NXDOMAIN)
			return temp ? -1 : 0;
		if (st == DNS_TEMP)
			temp = 1;
	}
	return temp ? -1 : 0;
}
