/* Unit tests for lib/history: rows in SQLite, the aggregate report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "history.h"
#include "history_int.h"

static char dir[] = "/tmp/postseal-history.XXXXXX";
static char path[64];

static void
row(struct history *h, time_t t, const char *ip, const char *efrom,
    const char *disp, const struct history_dkim *k, size_t nk)
{
	struct history_row r;
	const char *why = NULL;

	memset(&r, 0, sizeof r);
	r.time = t;
	r.source_ip = ip;
	r.header_from = "example.com";
	r.envelope_from = efrom;
	r.envelope_to = "rcpt.example";
	r.spf_domain = "example.com";
	r.spf_scope = "mfrom";
	r.spf_result = "fail";
	r.dkim = k;
	r.n_dkim = nk;
	r.policy_domain = "example.com";
	r.discovery = "treewalk";
	r.p = "reject";
	r.sp = "quarantine";
	r.np = "";
	r.adkim = "r";
	r.aspf = "s";
	r.pct = 100;
	r.fo = "0";
	r.rua = "mailto:dmarc@example.com";
	r.disposition = disp;
	r.dmarc_dkim = nk ? "pass" : "fail";
	r.dmarc_spf = "fail";
	r.override = strcmp(disp, "none") == 0 ? "policy_test_mode" : "";
	r.reason = "t=y <&>";
	if (history_add(h, &r, &why) != 0)
		fail_msg("history_add: %s", why);
}

static char *
report(struct history *h, const char *domain, time_t since, time_t until,
    const char *skip, long *n)
{
	struct history_reporter rep = { "Receiver & Co", "dmarc@rx.example",
	    NULL, "rid-1@rx.example", skip };
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*n = history_report(h, domain, since, until, &rep, f, &why);
	fclose(f);
	if (*n < 0)
		fail_msg("history_report: %s", why);
	return buf;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_add_and_report(void **state)
{
	struct history_dkim k[2] = { { "example.com", "sel 1;x", "pass" },
	    { "other.net", "s2", "fail" } };
	struct history *h;
	const char *why = NULL;
	char *xml;
	long n;

	(void)state;
	h = history_open(path, &why);
	assert_non_null(h);
	row(h, 1000, "192.0.2.1", "a@example.com", "reject", NULL, 0);
	row(h, 1001, "192.0.2.1", "b@Example.COM", "reject", NULL, 0);
	row(h, 1002, "192.0.2.1", "c@example.com", "none", NULL, 0);
	row(h, 1003, "2001:db8::1", "", "none", k, 2);
	row(h, 1004, "192.0.2.9", "report@rx.example", "reject", NULL, 0);
	row(h, 5000, "192.0.2.1", "a@example.com", "reject", NULL, 0);

	xml = report(h, "example.com", 1000, 2000, "report@rx.example", &n);
	assert_int_equal(n, 4);
	assert_non_null(strstr(xml, "<feedback xmlns=\"urn:ietf:params:xml:"
	    "ns:dmarc-2.0\">"));
	assert_non_null(strstr(xml, "<org_name>Receiver &amp; Co</org_name>"));
	assert_non_null(strstr(xml, "<begin>1000</begin>"));
	assert_non_null(strstr(xml, "<end>1999</end>"));
	assert_non_null(strstr(xml, "<discovery_method>treewalk"));
	assert_non_null(strstr(xml, "<sp>quarantine</sp>"));
	assert_null(strstr(xml, "<np>"));
	/* Two rejects from one IP: one record, count 2; own mail skipped. */
	assert_int_equal(count(xml, "<record>"), 3);
	assert_non_null(strstr(xml, "<count>2</count>"));
	assert_null(strstr(xml, "192.0.2.9"));
	assert_non_null(strstr(xml, "<type>policy_test_mode</type>"));
	assert_non_null(strstr(xml, "<comment>t=y &lt;&amp;&gt;</comment>"));
	/* DKIM fields come back exactly, separators included. */
	assert_non_null(strstr(xml, "<selector>sel 1;x</selector>"));
	assert_non_null(strstr(xml, "<domain>other.net</domain>"));
	assert_int_equal(count(xml, "<dkim>\n"), 2);
	assert_non_null(strstr(xml, "<envelope_from>example.com</envelope_from>"));
	free(xml);

	/* Without the skip the reporter's own row is counted. */
	xml = report(h, "example.com", 1000, 2000, NULL, &n);
	assert_int_equal(n, 5);
	free(xml);
	/* No rows: nothing written. */
	xml = report(h, "example.com", 2000, 3000, NULL, &n);
	assert_int_equal(n, 0);
	assert_true(xml == NULL || *xml == '\0');
	free(xml);
	xml = report(h, "nobody.example", 0, 9000, NULL, &n);
	assert_int_equal(n, 0);
	free(xml);

	assert_int_equal(history_purge(h, 2000, &why), 5);
	xml = report(h, "example.com", 0, 9000, NULL, &n);
	assert_int_equal(n, 1);
	free(xml);
	history_close(&h);
	assert_null(h);
}

static void
collect(void *arg, const char *domain, const char *rua)
{
	char *out = arg;

	strcat(out, domain);
	strcat(out, "=");
	strcat(out, rua);
	strcat(out, ";");
}

static void
test_domains(void **state)
{
	struct history *h;
	const char *why = NULL;
	char out[512] = "";

	(void)state;
	h = history_open(path, &why);
	assert_non_null(h);
	row(h, 7000, "192.0.2.1", "a@example.com", "reject", NULL, 0);
	assert_int_equal(history_domains(h, 0, 10000, collect, out, &why), 1);
	assert_string_equal(out, "example.com=mailto:dmarc@example.com;");
	out[0] = '\0';
	assert_int_equal(history_domains(h, 8000, 10000, collect, out, &why), 0);
	history_close(&h);
}

static void
test_errors(void **state)
{
	struct history_row r;
	struct history *h;
	const char *why = NULL;
	char bad[128];
	FILE *f;

	(void)state;
	assert_null(history_open("/nonexistent-dir/x/h.db", &why));
	assert_non_null(why);
	snprintf(bad, sizeof bad, "%s/notadb", dir);
	f = fopen(bad, "w");
	fputs("this is not an SQLite database, not at all, no...........", f);
	fclose(f);
	why = NULL;
	assert_null(history_open(bad, &why));
	assert_non_null(why);
	unlink(bad);
	h = history_open(path, &why);
	memset(&r, 0, sizeof r);
	assert_int_equal(history_add(h, &r, &why), -1);
	assert_non_null(strstr(why, "without"));
	history_close(&h);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/h.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[96];

	(void)state;
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	return rmdir(dir);
}


static int
pragma_value(void *arg, int n, char **v, char **name)
{
	(void)name;
	snprintf(arg, 16, "%s", n > 0 && v[0] != NULL ? v[0] : "");
	return 0;
}

/* The insert is prepared once and reused: a failed step leaves it usable,
 * and every row written lands once. */
static void
test_reuse_after_error(void **state)
{
	struct history *h;
	const char *why = NULL;
	char v[16];

	(void)state;
	unlink(path);
	h = history_open(path, &why);
	assert_non_null(h);
	row(h, 100, "192.0.2.1", "a@example.com", "none", NULL, 0);
	assert_int_equal(sqlite3_exec(h->db, "PRAGMA query_only=1", NULL, NULL,
	    NULL), SQLITE_OK);
	{
		struct history_row r = { .time = 101, .source_ip = "192.0.2.2",
		    .header_from = "example.com", .policy_domain = "example.com" };

		why = NULL;
		assert_int_equal(history_add(h, &r, &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, "readonly"));
	}
	assert_int_equal(sqlite3_exec(h->db, "PRAGMA query_only=0", NULL, NULL,
	    NULL), SQLITE_OK);
	row(h, 102, "192.0.2.3", "c@example.com", "none", NULL, 0);
	assert_int_equal(sqlite3_exec(h->db, "SELECT count(*) || ':' || "
	    "group_concat(time) FROM message", pragma_value, v, NULL), SQLITE_OK);
	assert_string_equal(v, "2:100,102");
	history_close(&h);
}

/* A message's row is a WAL append without an fsync (history.c says why). */
static void
test_durability(void **state)
{
	struct history *h;
	const char *why = NULL;
	char v[16];

	(void)state;
	h = history_open(path, &why);
	assert_non_null(h);
	assert_int_equal(sqlite3_exec(h->db, "PRAGMA journal_mode", pragma_value,
	    v, NULL), SQLITE_OK);
	assert_string_equal(v, "wal");
	assert_int_equal(sqlite3_exec(h->db, "PRAGMA synchronous", pragma_value,
	    v, NULL), SQLITE_OK);
	assert_string_equal(v, "1");	/* NORMAL */
	history_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_report),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_durability),
		cmocka_unit_test(test_reuse_after_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
