/*
 * dmarcfind: DMARC policy discovery over lib/dns.
 *
 * Two methods: RFC 7489 6.6.3 (the author domain, then its organizational
 * domain by the Public Suffix List) and the RFC 9989 DNS tree walk (the
 * author domain, then up the tree, at most 8 queries, psd=y / psd=n
 * deciding the organizational domain).  A temporary DNS failure anywhere
 * on the way makes the outcome DMARC_FOUND_TEMP, never "no policy".
 * At one name, TXT records that do not start with v=DMARC1 are discarded
 * and more than one DMARC record counts as none (RFC 9989 4.10).
 * Thread-safe as lib/dns is; results go into caller-owned structs.
 */
#ifndef POSTSEAL_DMARCFIND_H
#define POSTSEAL_DMARCFIND_H

#include <stddef.h>

#include "dmarc.h"
#include "dns.h"

enum dmarcfind_mode { DMARCFIND_TREEWALK = 0, DMARCFIND_PSL };

#define DMARCFIND_MAX_QUERIES	8	/* RFC 9989 4.10: 1 + at most 7 */
#define DMARCFIND_NAME		(DNS_MAX_NAME + 1)

/* One query made. */
struct dmarcfind_step {
	char domain[DMARCFIND_NAME];	/* the domain; queried as _dmarc.domain */
	enum dns_status status;
	size_t n_dmarc;			/* v=DMARC1 records in the answer */
	int usable;			/* exactly one, and it parsed */
	enum dmarc_psd psd;		/* of that record */
	char why[256];			/* TEMP reason, parse error, "2 records" */
};

struct dmarcfind_result {
	enum dmarc_found found;
	struct dmarc_record record;		/* the policy record, when found */
	char text[DMARC_MAX_RECORD + 1];	/* ... as published */
	char policy_domain[DMARCFIND_NAME];	/* where it was found */
	char org_domain[DMARCFIND_NAME];	/* of the author domain */
	enum dmarcfind_mode mode;
	size_t n_steps;
	struct dmarcfind_step steps[DMARCFIND_MAX_QUERIES + 1];
	char why[1024];				/* for NONE and TEMP */
};

/* The TXT query used: dns_txt on a struct dns, or a test double. */
typedef enum dns_status (*dmarcfind_txt_fn)(void *ctx, const char *name,
    struct dns_answer *a);

/*
 * Discover the policy of author_domain (normalised, see domain.h).
 * Returns out->found; out is overwritten completely.
 */
enum dmarc_found dmarcfind_lookup(struct dns *dns, const char *author_domain,
    enum dmarcfind_mode mode, struct dmarcfind_result *out);
enum dmarc_found dmarcfind_lookup_with(dmarcfind_txt_fn txt, void *ctx,
    const char *author_domain, enum dmarcfind_mode mode,
    struct dmarcfind_result *out);

/*
 * Organizational domain of any domain (an SPF or DKIM identifier), for
 * relaxed alignment: by the PSL, or by a tree walk (RFC 9989 4.10.2).
 * Writes it to out (size n).  Returns 0, or -1 on a temporary DNS
 * failure (out then holds domain itself).
 */
int dmarcfind_org(struct dns *dns, const char *domain, enum dmarcfind_mode mode,
    char *out, size_t n);

/*
 * Whether domain exists for DMARC's np (RFC 9989 3.2.x, RFC 9091): it
 * does not when A, AAAA and MX all answer NXDOMAIN or NODATA.
 * Returns 1 exists, 0 does not, -1 temporary failure.
 */
int dmarcfind_exists(struct dns *dns, const char *domain);

/*
 * The tree walk's targets for domain, in query order: the domain; then,
 * with 8 or more labels, its last 7 labels, else one label less; then one
 * label less each time down to the top-level domain (RFC 9989 4.10).
 * Writes at most max names (each DMARCFIND_NAME bytes) and returns how
 * many; never more than DMARCFIND_MAX_QUERIES.  Pure.
 */
size_t dmarcfind_walk(const char *domain, char names[][DMARCFIND_NAME],
    size_t max);

const char *dmarcfind_mode_name(enum dmarcfind_mode m);	/* "treewalk", "psl" */

#endif
