/*
 * lib/dns against real servers on loopback: the fixture unbound serving
 * tests/fixtures/dns zones plus a zone of hostile sizes written here, a
 * black hole that never answers, and servers answering SERVFAIL / REFUSED.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"

#define FIXTURES TEST_SRCDIR "/tests/fixtures/dns"

static struct {
	char dir[64];
	char unbound[32];	/* "127.0.0.1@PORT" */
	char blackhole[32];
	char servfail[32];
	char refused[32];
	int pids[4];
} env;

static struct dns *
resolver(const char *ns, int timeout)
{
	const char *list[1] = { ns };
	struct dns_options o = { list, 1, timeout, NULL };
	char why[256];
	struct dns *d = dns_new(&o, why, sizeof why);

	if (d == NULL)
		fail_msg("dns_new(%s): %s", ns, why);
	return d;
}

/* Run a fixture script; its output is "PORT PID".  Returns 0 or -1. */
static int
start(const char *cmd, char *ns, size_t nslen, int *pid)
{
	FILE *f = popen(cmd, "r");
	int port = 0, n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%d %d", &port, pid);
	if (pclose(f) != 0 || n != 2 || port <= 0 || *pid <= 0) {
		fprintf(stderr, "fixture failed: %s\n", cmd);
		return -1;
	}
	snprintf(ns, nslen, "127.0.0.1@%d", port);
	return 0;
}

/* A TXT record of 32 strings of 255 bytes and one of tail bytes. */
static void
write_txt(FILE *f, const char *owner, int tail)
{
	char s255[256];
	int i;

	memset(s255, 'x', 255);
	s255[255] = '\0';
	fprintf(f, "%s IN TXT", owner);
	for (i = 0; i < 32; i++)
		fprintf(f, " \"%s\"", s255);
	fprintf(f, " \"%.*s\"\n", tail, s255);
}

static int
write_bounds_zone(const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (f == NULL)
		return -1;
	fprintf(f, "$ORIGIN bounds.test.\n$TTL 300\n"
	    "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\n"
	    "ns1 IN A 127.0.0.1\nnul IN TXT \"a\\000b\"\n");
	write_txt(f, "maxlen", DNS_MAX_TXT - 32 * 255);	/* exactly the limit */
	write_txt(f, "toolong", DNS_MAX_TXT - 32 * 255 + 1);
	for (i = 0; i <= DNS_MAX_RECORDS; i++)
		fprintf(f, "many IN TXT \"record %d\"\n", i);
	for (i = 0; i < DNS_MAX_RECORDS; i++)
		fprintf(f, "enough IN TXT \"record %d\"\n", i);
	/* Owners with bytes a query name must carry as they are (zone-file
	 * escapes), and the names a wrong escaping would reach instead. */
	fprintf(f, "a\\032b IN A 192.0.2.1\n"
	    "\\092\\034\\059\\040\\041 IN A 192.0.2.2\n"
	    "c\\009\\001\\127\\128\\255 IN A 192.0.2.3\n"
	    "\\092065 IN A 192.0.2.4\nA IN A 192.0.2.5\n"
	    "sp\\032\\032 IN TXT \"two spaces\"\n"
	    "macro%%percent\\032\\032space%%20url-space IN A 192.0.2.6\n");
	return fclose(f);
}

static int
teardown(void **state)
{
	char cmd[128];
	size_t i;

	for (i = 0; i < 4; i++)
		if (env.pids[i] > 0)
			kill(env.pids[i], SIGTERM);
	snprintf(cmd, sizeof cmd, "rm -rf %s", env.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	static const char *const modes[] = { "blackhole", "servfail", "refused" };
	char *ns[] = { env.blackhole, env.servfail, env.refused };
	char cmd[1024];
	int i;

	strcpy(env.dir, "/tmp/postseal-test-dns.XXXXXX");
	if (mkdtemp(env.dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "%s/bounds.zone", env.dir);
	if (write_bounds_zone(cmd) != 0)
		return teardown(state), -1;
	snprintf(cmd, sizeof cmd, "bash %s/unbound-start %s/unbound "
	    "%s/postseal.test.zone %s/example.net.zone %s/reverse.zone "
	    "%s/reverse6.zone %s/bounds.zone", FIXTURES, env.dir, FIXTURES,
	    FIXTURES, FIXTURES, FIXTURES, env.dir);
	if (start(cmd, env.unbound, sizeof env.unbound, &env.pids[0]) != 0)
		return teardown(state), -1;
	for (i = 0; i < 3; i++) {
		snprintf(cmd, sizeof cmd, "bash %s/blackhole-start %s %s",
		    FIXTURES, env.dir, modes[i]);
		if (start(cmd, ns[i], 32, &env.pids[1 + i]) != 0)
			return teardown(state), -1;
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
has_txt(const struct dns_answer *a, const char *s)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->txt_len[i] == strlen(s) && strcmp(a->txt[i], s) == 0)
			return 1;
	return 0;
}

static void
test_txt_join(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;

	assert_int_equal(dns_txt(d, "multi.postseal.test", &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.txt[0], "v=spf1 ip4:192.0.2.1 -all");
	assert_int_equal(a.txt_len[0], strlen("v=spf1 ip4:192.0.2.1 -all"));
	assert_int_equal(a.security, DNS_SEC_UNCHECKED);
	dns_answer_free(&a);
	/* Two records stay two records; a CNAME is followed. */
	assert_int_equal(dns_txt(d, "twotxt.postseal.test.", &a), DNS_OK);
	assert_int_equal(a.n, 2);
	assert_true(has_txt(&a, "first record") && has_txt(&a, "second record"));
	dns_answer_free(&a);
	assert_int_equal(dns_txt(d, "alias.postseal.test", &a), DNS_OK);
	assert_true(a.n == 1 && has_txt(&a, "v=spf1 ip4:192.0.2.1 -all"));
	dns_answer_free(&a);
	dns_free(&d);
	assert_null(d);
}

static void
test_txt_nul_and_bounds(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;

	assert_int_equal(dns_txt(d, "nul.bounds.test", &a), DNS_OK);
	assert_int_equal(a.txt_len[0], 3);
	assert_memory_equal(a.txt[0], "a\0b", 4);
	dns_answer_free(&a);
	assert_int_equal(dns_txt(d, "maxlen.bounds.test", &a), DNS_OK);
	assert_int_equal(a.txt_len[0], DNS_MAX_TXT);
	dns_answer_free(&a);
	assert_int_equal(dns_txt(d, "toolong.bounds.test", &a), DNS_PERM);
	assert_non_null(strstr(a.why, "longer than 8192"));
	assert_null(a.txt);
	assert_int_equal(dns_txt(d, "enough.bounds.test", &a), DNS_OK);
	assert_int_equal(a.n, DNS_MAX_RECORDS);
	dns_answer_free(&a);
	assert_int_equal(dns_txt(d, "many.bounds.test", &a), DNS_PERM);
	assert_non_null(strstr(a.why, "more than 64 records"));
	dns_free(&d);
}

static void
test_addresses(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;
	char buf[INET6_ADDRSTRLEN];
	int seen = 0;
	size_t i;

	assert_int_equal(dns_a(d, "postseal.test", &a), DNS_OK);
	assert_int_equal(a.n, 2);
	for (i = 0; i < a.n; i++) {
		inet_ntop(AF_INET, &a.a[i], buf, sizeof buf);
		seen |= strcmp(buf, "192.0.2.10") == 0 ? 1 :
		    strcmp(buf, "192.0.2.11") == 0 ? 2 : 4;
	}
	assert_int_equal(seen, 3);
	dns_answer_free(&a);
	assert_int_equal(dns_aaaa(d, "postseal.test", &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(inet_ntop(AF_INET6, &a.aaaa[0], buf, sizeof buf),
	    "2001:db8::10");
	dns_answer_free(&a);
	dns_free(&d);
}

static void
test_mx(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;
	size_t i;
	int seen = 0;

	assert_int_equal(dns_mx(d, "postseal.test", &a), DNS_OK);
	assert_int_equal(a.n, 2);
	for (i = 0; i < a.n; i++) {
		if (a.mx[i].preference == 10 &&
		    strcmp(a.mx[i].host, "mx1.postseal.test") == 0)
			seen |= 1;
		if (a.mx[i].preference == 20 &&
		    strcmp(a.mx[i].host, "mx2.example.net") == 0)
			seen |= 2;
	}
	assert_int_equal(seen, 3);
	dns_answer_free(&a);
	/* Null MX (RFC 7505): preference 0, host "". */
	assert_int_equal(dns_mx(d, "nullmx.postseal.test", &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.mx[0].preference, 0);
	assert_string_equal(a.mx[0].host, "");
	dns_answer_free(&a);
	dns_free(&d);
}

static void
test_ptr(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;

	assert_int_equal(dns_ptr(d, "198.18.0.25", &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.ptr[0], "mx1.postseal.test");
	dns_answer_free(&a);
	assert_int_equal(dns_ptr(d, "198.18.0.26", &a), DNS_OK);
	assert_int_equal(a.n, 2);
	dns_answer_free(&a);
	assert_int_equal(dns_ptr(d, "2001:2::25", &a), DNS_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.ptr[0], "mx1.postseal.test");
	dns_answer_free(&a);
	assert_int_equal(dns_ptr(d, "198.18.0.99", &a), DNS_NXDOMAIN);
	assert_int_equal(dns_ptr(d, "not-an-ip", &a), DNS_PERM);
	dns_free(&d);
}

static void
test_notfound(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;

	assert_int_equal(dns_txt(d, "nope.postseal.test", &a), DNS_NXDOMAIN);
	assert_int_equal(a.status, DNS_NXDOMAIN);
	assert_int_equal(a.n, 0);
	assert_int_equal(dns_txt(d, "aonly.postseal.test", &a), DNS_NODATA);
	assert_int_equal(a.n, 0);
	assert_int_equal(dns_mx(d, "aonly.postseal.test", &a), DNS_NODATA);
	assert_int_equal(dns_a(d, "nope.example.net", &a), DNS_NXDOMAIN);
	dns_free(&d);
}

static void
test_bad_names(void **state)
{
	struct dns *d = resolver(env.blackhole, 5);
	struct dns_answer a;
	char name[300];
	double t0 = now();

	/* 254 characters: 127 labels "a."; refused before any query (the
	 * resolver points at a black hole, so a query would take 5 s). */
	memset(name, 0, sizeof name);
	for (int i = 0; i < 127; i++)
		memcpy(name + 2 * i, "a.", 2);
	name[253] = 'a';
	assert_int_equal(strlen(name), 254);
	assert_int_equal(dns_txt(d, name, &a), DNS_PERM);
	assert_non_null(strstr(a.why, "length"));
	assert_int_equal(dns_txt(d, "a..postseal.test", &a), DNS_PERM);
	assert_non_null(strstr(a.why, "empty label"));
	assert_int_equal(dns_txt(d, "", &a), DNS_PERM);
	assert_int_equal(dns_txt(d, ".", &a), DNS_PERM);
	memset(name, 'l', 64);
	strcpy(name + 64, ".test");
	assert_int_equal(dns_txt(d, name, &a), DNS_PERM);
	assert_non_null(strstr(a.why, "over-long"));
	/* Length is counted in bytes, not in escaped characters: 64 spaces. */
	memset(name, ' ', 64);
	strcpy(name + 64, ".test");
	assert_int_equal(dns_txt(d, name, &a), DNS_PERM);
	assert_int_equal(dns_a(d, "a b..bounds.test", &a), DNS_PERM);
	assert_true(now() - t0 < 1.0);
	dns_free(&d);
}

/* The address of name from the bounds zone, or 0 when it has none. */
static uint32_t
addr_of(struct dns *d, const char *name)
{
	struct dns_answer a;
	uint32_t v = 0;

	if (dns_a(d, name, &a) == DNS_OK && a.n == 1)
		v = ntohl(a.a[0].s_addr);
	dns_answer_free(&a);
	return v;
}

/* Any byte but '.' is part of a label and reaches the server as itself. */
static void
test_special_names(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;
	unsigned char *pkt;
	size_t len;
	char why[256];

	assert_int_equal(addr_of(d, "a b.bounds.test"), 0xc0000201);
	assert_int_equal(addr_of(d, "A B.Bounds.Test."), 0xc0000201);
	assert_int_equal(addr_of(d, "\\\";().bounds.test"), 0xc0000202);
	assert_int_equal(addr_of(d, "c\t\001\177\200\377.bounds.test"),
	    0xc0000203);
	/* A backslash is a byte of the name, never an escape. */
	assert_int_equal(addr_of(d, "\\065.bounds.test"), 0xc0000204);
	assert_int_equal(addr_of(d, "A.bounds.test"), 0xc0000205);
	assert_int_equal(addr_of(d, "macro%percent  space%20url-space.bounds.test"),
	    0xc0000206);
	assert_int_equal(dns_a(d, "a  b.bounds.test", &a), DNS_NXDOMAIN);
	assert_int_equal(dns_a(d, "a\\032b.bounds.test", &a), DNS_NXDOMAIN);
	assert_int_equal(dns_txt(d, "sp  .bounds.test", &a), DNS_OK);
	assert_true(has_txt(&a, "two spaces"));
	dns_answer_free(&a);
	assert_int_equal(dns_raw(d, "sp  .bounds.test", 16, &pkt, &len, why,
	    sizeof why), DNS_OK);
	assert_non_null(memmem(pkt, len, "\004sp  \006bounds\004test", 17));
	free(pkt);
	dns_free(&d);
}

/* Wire length 255 (253 bytes) passes however long the escaped form is. */
static void
test_long_special_names(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	struct dns_answer a;
	char name[300];
	size_t i;

	/* 3 labels of 63 bytes of 0xff and ' ', one of 49 ' ', "bounds.test":
	 * 3 * 64 + 50 + 11 = 253 bytes, 4 bytes per byte once escaped. */
	memset(name, 0, sizeof name);
	for (i = 0; i < 3; i++) {
		memset(name + 64 * i, i == 1 ? ' ' : 0xff, 63);
		name[64 * i + 63] = '.';
	}
	memset(name + 192, ' ', 49);
	strcpy(name + 241, ".bounds.test");
	assert_int_equal(strlen(name), DNS_MAX_NAME);
	assert_int_equal(dns_a(d, name, &a), DNS_NXDOMAIN);
	strcat(name, ".");
	assert_int_equal(dns_a(d, name, &a), DNS_NXDOMAIN);
	name[192] = '(';
	memmove(name + 193, name + 192, strlen(name + 192) + 1);
	assert_int_equal(strlen(name), DNS_MAX_NAME + 2);
	assert_int_equal(dns_a(d, name, &a), DNS_PERM);
	assert_non_null(strstr(a.why, "length 254"));
	dns_free(&d);
}

static void
test_timeout(void **state)
{
	struct dns *d = resolver(env.blackhole, 1);
	struct dns_answer a;
	unsigned char *pkt;
	size_t len;
	char why[256];
	double t0 = now(), dt;

	assert_int_equal(dns_txt(d, "postseal.test", &a), DNS_TEMP);
	dt = now() - t0;
	assert_non_null(strstr(a.why, "timeout after 1s"));
	assert_true(dt >= 0.9 && dt < 2.0);
	t0 = now();
	assert_int_equal(dns_raw(d, "postseal.test", 16, &pkt, &len, why,
	    sizeof why), DNS_TEMP);
	assert_null(pkt);
	assert_true(now() - t0 < 2.0);
	dns_free(&d);
}

struct worker {
	struct dns *d;
	const char *name;
	enum dns_status want;
	int ok;
	double seconds;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct dns_answer a;
	double t0 = now();
	int i;

	w->ok = 1;
	for (i = 0; i < 20 && w->ok; i++) {
		w->ok = dns_txt(w->d, w->name, &a) == w->want;
		dns_answer_free(&a);
		if (w->want != DNS_OK)
			break;
	}
	w->seconds = now() - t0;
	return NULL;
}

/* Many threads on one resolver: answers reach the right caller, and every
 * caller of a dead server is released at its own deadline. */
static void
test_threads(void **state)
{
	static const char *const names[] = { "multi.postseal.test",
	    "postseal.test", "twotxt.postseal.test", "example.net" };
	struct dns *d = resolver(env.unbound, 5);
	struct dns *bh = resolver(env.blackhole, 1);
	struct worker w[8];
	pthread_t t[8];
	int i;

	for (i = 0; i < 8; i++) {
		w[i].d = i < 4 ? d : bh;
		w[i].name = i < 4 ? names[i] : names[i - 4];
		w[i].want = i < 4 ? DNS_OK : DNS_TEMP;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	/* Join every thread before any assertion leaves this function. */
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	dns_free(&d);
	dns_free(&bh);
	for (i = 0; i < 8; i++) {
		assert_true(w[i].ok);
		if (i >= 4)
			assert_true(w[i].seconds < 2.0);
	}
}

static void
test_servfail_refused(void **state)
{
	struct dns *d = resolver(env.servfail, 3);
	struct dns *r = resolver(env.refused, 3);
	struct dns_answer a;

	assert_int_equal(dns_txt(d, "postseal.test", &a), DNS_TEMP);
	assert_true(a.why[0] != '\0');
	assert_int_equal(dns_a(r, "postseal.test", &a), DNS_TEMP);
	assert_true(a.why[0] != '\0');
	dns_free(&d);
	dns_free(&r);
}

static void
test_raw(void **state)
{
	struct dns *d = resolver(env.unbound, 5);
	unsigned char *pkt;
	size_t len;
	char why[256];

	assert_int_equal(dns_raw(d, "multi.postseal.test", 16, &pkt, &len, why,
	    sizeof why), DNS_OK);
	assert_true(len > 12);
	assert_int_equal(pkt[3] & 0x0f, 0);		/* NOERROR */
	assert_int_equal(pkt[6] << 8 | pkt[7], 1);	/* one answer */
	assert_non_null(memmem(pkt, len, "ip4:192.0.2.1 ", 14));
	free(pkt);
	assert_int_equal(dns_raw(d, "nope.postseal.test", 16, &pkt, &len, why,
	    sizeof why), DNS_OK);
	assert_int_equal(pkt[3] & 0x0f, 3);		/* NXDOMAIN */
	free(pkt);
	assert_int_equal(dns_raw(d, "a..b", 16, &pkt, &len, why, sizeof why),
	    DNS_PERM);
	assert_int_equal(dns_raw(d, "b.test", 0, &pkt, &len, why, sizeof why),
	    DNS_PERM);
	dns_free(&d);
}

static void
test_options(void **state)
{
	static const char *const bad[] = { "localhost", "127.0.0.1@", "127.0.0.1@0",
	    "127.0.0.1@65536", "1.2.3.4@53x", "::1@", "" };
	struct dns_options o = { NULL, 0, 5, NULL };
	char why[256];
	struct dns *d;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.nameservers = &bad[i];
		o.n_nameservers = 1;
		why[0] = '\0';
		assert_null(dns_new(&o, why, sizeof why));
		assert_non_null(strstr(why, "nameserver"));
	}
	o.nameservers = NULL;
	o.n_nameservers = 0;
	o.timeout = 0;
	assert_null(dns_new(&o, why, sizeof why));
	o.timeout = 5;
	o.trust_anchor = "/nonexistent/anchor";
	assert_null(dns_new(&o, why, sizeof why));
	assert_non_null(strstr(why, "/nonexistent/anchor"));
	o.trust_anchor = NULL;
	d = dns_new(&o, why, sizeof why);	/* /etc/resolv.conf */
	if (d == NULL)
		fail_msg("dns_new: %s", why);
	dns_free(&d);
	assert_string_equal(dns_status_name(DNS_NODATA), "nodata");
	assert_string_equal(dns_security_name(DNS_SEC_BOGUS), "bogus");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_txt_join),
		cmocka_unit_test(test_txt_nul_and_bounds),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_mx),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_notfound),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_special_names),
		cmocka_unit_test(test_long_special_names),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_servfail_refused),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
