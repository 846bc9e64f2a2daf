/*
 * Unit tests for lib/dmarcfind: the walk's targets, and discovery (PSL
 * and tree walk) over a table of DNS answers.  The same discovery against
 * the real local unbound is in tests/integration/test_dmarc_cmds.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarcfind.h"

/* One name of the fake zone: status and up to two TXT records. */
struct fake_rr {
	const char *name;
	enum dns_status status;
	const char *txt[2];
};

struct fake_dns {
	const struct fake_rr *rr;
	size_t n_queries;
	char queried[16][300];
};

static enum dns_status
fake_txt(void *ctx, const char *name, struct dns_answer *a)
{
	struct fake_dns *f = ctx;
	const struct fake_rr *r;
	size_t i;

	if (f->n_queries < 16)
		snprintf(f->queried[f->n_queries], 300, "%s", name);
	f->n_queries++;
	memset(a, 0, sizeof *a);
	a->status = DNS_NXDOMAIN;
	for (r = f->rr; r->name != NULL; r++) {
		if (strcmp(r->name, name) != 0)
			continue;
		a->status = r->status;
		if (r->status == DNS_TEMP)
			snprintf(a->why, sizeof a->why, "timeout");
		for (i = 0; i < 2 && r->txt[i] != NULL; i++)
			;
		a->n = i;
		a->txt = calloc(i + 1, sizeof *a->txt);
		a->txt_len = calloc(i + 1, sizeof *a->txt_len);
		for (i = 0; i < a->n; i++) {
			a->txt[i] = strdup(r->txt[i]);
			a->txt_len[i] = strlen(r->txt[i]);
		}
		break;
	}
	return a->status;
}

static void
test_walk_targets(void **state)
{
	char names[DMARCFIND_MAX_QUERIES][DMARCFIND_NAME];
	size_t n;

	(void)state;
	n = dmarcfind_walk("a.mail.example.com", names, DMARCFIND_MAX_QUERIES);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "a.mail.example.com");
	assert_string_equal(names[1], "mail.example.com");
	assert_string_equal(names[2], "example.com");
	assert_string_equal(names[3], "com");
	/* 9 labels: the name, then straight to the last 7: 8 queries. */
	n = dmarcfind_walk("a.b.c.d.e.f.g.example.com", names,
	    DMARCFIND_MAX_QUERIES);
	assert_int_equal(n, 8);
	assert_string_equal(names[0], "a.b.c.d.e.f.g.example.com");
	assert_string_equal(names[1], "c.d.e.f.g.example.com");
	assert_string_equal(names[7], "com");
	/* 8 labels: one label less is already the last 7. */
	n = dmarcfind_walk("b.c.d.e.f.g.example.com", names,
	    DMARCFIND_MAX_QUERIES);
	assert_int_equal(n, 8);
	assert_string_equal(names[1], "c.d.e.f.g.example.com");
	/* 20 labels still cost 8. */
	n = dmarcfind_walk("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.test",
	    names, DMARCFIND_MAX_QUERIES);
	assert_int_equal(n, 8);
	assert_string_equal(names[1], "14.15.16.17.18.19.test");
	assert_int_equal(dmarcfind_walk("com", names, 8), 1);
	assert_int_equal(dmarcfind_walk("", names, 8), 0);
	assert_int_equal(dmarcfind_walk("a.b.c", names, 2), 2);
}

static const struct fake_rr zone[] = {
	{ "_dmarc.example.com", DNS_OK, { "v=DMARC1; p=reject; sp=quarantine",
	    NULL } },
	{ "_dmarc.sub.example.com", DNS_OK, { "v=spf1 -all",
	    "v=DMARC1; p=none" } },
	{ "_dmarc.two.example.com", DNS_OK, { "v=DMARC1; p=none",
	    "v=DMARC1; p=reject" } },
	{ "_dmarc.dept.corp.example", DNS_OK, { "v=DMARC1; p=quarantine; psd=n",
	    NULL } },
	{ "_dmarc.corp.example", DNS_OK, { "v=DMARC1; p=reject", NULL } },
	{ "_dmarc.example", DNS_OK, { "v=DMARC1; p=reject; psd=y", NULL } },
	{ "_dmarc.psdonly", DNS_OK, { "v=DMARC1; p=none; sp=reject; psd=y",
	    NULL } },
	{ "_dmarc.slow.example.org", DNS_TEMP, { NULL, NULL } },
	{ "_dmarc.bad.example.net", DNS_OK, { "v=DMARC1; p=bogus", NULL } },
	{ NULL, DNS_OK, { NULL, NULL } },
};

static struct dmarcfind_result *
find(const char *domain, enum dmarcfind_mode mode, struct fake_dns *f)
{
	static struct dmarcfind_result r;

	memset(f, 0, sizeof *f);
	f->rr = zone;
	dmarcfind_lookup_with(fake_txt, f, domain, mode, &r);
	return &r;
}

static void
test_treewalk(void **state)
{
	struct fake_dns f;
	struct dmarcfind_result *r;

	(void)state;
	r = find("example.com", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->policy_domain, "example.com");
	assert_string_equal(r->org_domain, "example.com");
	assert_int_equal(r->record.p, DMARC_POLICY_REJECT);
	assert_string_equal(r->text, "v=DMARC1; p=reject; sp=quarantine");

	/* Policy from the organizational domain, two levels up. */
	r = find("a.b.example.com", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->policy_domain, "example.com");
	assert_string_equal(r->org_domain, "example.com");
	assert_int_equal(f.n_queries, 4);
	assert_string_equal(f.queried[0], "_dmarc.a.b.example.com");
	assert_string_equal(f.queried[3], "_dmarc.com");

	/* An SPF record next to the DMARC one is discarded, not counted. */
	r = find("sub.example.com", DMARCFIND_TREEWALK, &f);
	assert_string_equal(r->policy_domain, "sub.example.com");
	assert_string_equal(r->org_domain, "example.com");

	/* Two DMARC records: none at that name, the walk goes on. */
	r = find("two.example.com", DMARCFIND_TREEWALK, &f);
	assert_string_equal(r->policy_domain, "example.com");
	assert_int_equal(r->steps[0].n_dmarc, 2);
	assert_non_null(strstr(r->steps[0].why, "discarded"));
}

static void
test_treewalk_psd(void **state)
{
	struct fake_dns f;
	struct dmarcfind_result *r;

	(void)state;
	/* psd=n marks the organizational domain and stops the walk. */
	r = find("x.dept.corp.example", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->org_domain, "dept.corp.example");
	assert_string_equal(r->policy_domain, "dept.corp.example");
	assert_int_equal(r->record.p, DMARC_POLICY_QUARANTINE);
	assert_int_equal(f.n_queries, 2);

	/* psd=y above: the organizational domain is one label below it. */
	r = find("a.b.corp.example", DMARCFIND_TREEWALK, &f);
	assert_string_equal(r->org_domain, "corp.example");
	assert_string_equal(r->policy_domain, "corp.example");
	assert_int_equal(f.n_queries, 4);

	/* Only the public suffix publishes: its record is the policy. */
	r = find("mail.shop.psdonly", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->org_domain, "shop.psdonly");
	assert_string_equal(r->policy_domain, "psdonly");
	assert_int_equal(r->record.sp, DMARC_POLICY_REJECT);
}

static void
test_treewalk_limits(void **state)
{
	struct fake_dns f;
	struct dmarcfind_result *r;

	(void)state;
	r = find("a.b.c.d.e.f.g.h.example.com", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->policy_domain, "example.com");
	assert_true(f.n_queries <= DMARCFIND_MAX_QUERIES);
	assert_string_equal(f.queried[1], "_dmarc.d.e.f.g.h.example.com");

	r = find("nothing.invalid", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_NONE);
	assert_non_null(strstr(r->why, "no DMARC record"));
	assert_string_equal(r->org_domain, "nothing.invalid");

	/* A temporary failure is never "no policy". */
	r = find("a.slow.example.org", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_TEMP);
	assert_non_null(strstr(r->why, "timeout"));

	/* An unusable record is not a policy; the reason says why. */
	r = find("bad.example.net", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_NONE);
	assert_non_null(strstr(r->why, "invalid p"));

	r = find("-bad-", DMARCFIND_TREEWALK, &f);
	assert_int_equal(r->found, DMARC_FOUND_NONE);
	assert_int_equal(f.n_queries, 0);
}

static void
test_psl(void **state)
{
	struct fake_dns f;
	struct dmarcfind_result *r;

	(void)state;
	r = find("a.b.example.com", DMARCFIND_PSL, &f);
	assert_int_equal(r->found, DMARC_FOUND_RECORD);
	assert_string_equal(r->policy_domain, "example.com");
	assert_string_equal(r->org_domain, "example.com");
	/* The author domain, then straight to the organizational domain. */
	assert_int_equal(f.n_queries, 2);
	assert_string_equal(f.queried[1], "_dmarc.example.com");

	r = find("sub.example.com", DMARCFIND_PSL, &f);
	assert_string_equal(r->policy_domain, "sub.example.com");
	assert_int_equal(f.n_queries, 1);

	r = find("slow.example.org", DMARCFIND_PSL, &f);
	assert_int_equal(r->found, DMARC_FOUND_TEMP);

	r = find("none.example.net", DMARCFIND_PSL, &f);
	assert_int_equal(r->found, DMARC_FOUND_NONE);
	assert_int_equal(f.n_queries, 2);
	assert_string_equal(f.queried[1], "_dmarc.example.net");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_targets),
		cmocka_unit_test(test_treewalk),
		cmocka_unit_test(test_treewalk_psd),
		cmocka_unit_test(test_treewalk_limits),
		cmocka_unit_test(test_psl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
