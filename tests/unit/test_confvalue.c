/* test_confvalue: every value check, on good, malformed, oversized and
 * hostile input.  Each value is copied into a buffer of exactly its length
 * (no NUL after it), so a checker reading past len trips ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confvalue.h"
#include "xmalloc.h"

typedef int (*check_fn)(const char *, size_t, const char **);

struct vcase {
	const char *fname;
	check_fn fn;
	const char *v;
	size_t len;
	const char *why;	/* NULL: must be accepted */
};

/* sizeof keeps NUL bytes inside the literal part of the value. */
#define GOOD(f, s)	{ #f, f, s, sizeof(s) - 1, NULL }
#define BAD(f, s, w)	{ #f, f, s, sizeof(s) - 1, w }

static const char W_DOMLEN[] = "a domain name has 1 to 253 characters";
static const char W_LABEL[] = "empty or over-long (> 63) label";
static const char W_DOMAIN[] = "not a domain name (letters, digits, '-', '_' "
    "and dots; IDN in A-label form)";
static const char W_ACCOUNT[] = "not a user or group name (letters, digits, "
    "'.', '_', '-')";
static const char W_ABS[] = "not an absolute path";
static const char W_TABLE[] = "expected \"\", file:/absolute/path or "
    "refile:/absolute/path";
static const char W_HDR[] = "not a header field name";
static const char W_CANON[] = "not one of: relaxed/relaxed, simple/simple, "
    "relaxed/simple, simple/relaxed";
static const char W_NOTIP[] = "not an IP address or CIDR";
static const char W_PREFIX[] = "bad prefix length (IPv4 0..32, IPv6 0..128)";
static const char W_HOSTBITS[] = "host bits set after the prefix length";
static const char W_NS[] = "expected IP or IP@PORT (port 1..65535)";
static const char W_MSOCK[] = "expected unix:/absolute/path, "
    "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST";
static const char W_PSOCK[] = "expected unix:/absolute/path, "
    "inet:HOST:PORT or inet:[IPv6]:PORT";
static const char W_CTRL[] = "control character in value";
static const char W_UTF8[] = "not valid UTF-8";

static const struct vcase cases[] = {
	/* text: printable UTF-8 only */
	GOOD(confvalue_text, ""),
	GOOD(confvalue_text, "postseal"),
	GOOD(confvalue_text, "b\xc3\xbc" "cher \xe2\x82\xac \xf0\x9f\x93\xa7"),
	GOOD(confvalue_text, "\xc2\xa0\xf4\x8f\xbf\xbf"),	/* U+00A0, U+10FFFF */
	BAD(confvalue_text, "post\tseal", W_CTRL),
	BAD(confvalue_text, "a\nb", W_CTRL),
	BAD(confvalue_text, "a\x7f", W_CTRL),
	BAD(confvalue_text, "a\0b", W_CTRL),
	BAD(confvalue_text, "\xc2\x85", W_CTRL),		/* NEL, a C1 control */
	BAD(confvalue_text, "\xc2\x9b[2J", W_CTRL),		/* CSI */
	BAD(confvalue_text, "mx\xff.example", W_UTF8),
	BAD(confvalue_text, "\x80", W_UTF8),
	BAD(confvalue_text, "\xc0\xaf", W_UTF8),		/* overlong '/' */
	BAD(confvalue_text, "\xe0\x80\xaf", W_UTF8),		/* overlong '/' */
	BAD(confvalue_text, "\xed\xa0\x80", W_UTF8),		/* surrogate */
	BAD(confvalue_text, "\xf4\x90\x80\x80", W_UTF8),	/* > U+10FFFF */
	BAD(confvalue_text, "\xf5\x80\x80\x80", W_UTF8),
	BAD(confvalue_text, "abc\xe2\x82", W_UTF8),		/* cut at the end */
	BAD(confvalue_text, "\xe2\x28\xa1", W_UTF8),
	/* domain names and selectors */
	GOOD(confvalue_domain, "example.com"),
	GOOD(confvalue_domain, "xn--bcher-kva.example"),
	GOOD(confvalue_domain, "s1"),
	GOOD(confvalue_domain, "ed.2024"),
	GOOD(confvalue_domain, "_dmarc.a-b_c.EXAMPLE"),
	BAD(confvalue_domain, "", W_DOMLEN),
	BAD(confvalue_domain, "../etc", W_LABEL),
	BAD(confvalue_domain, "a..b", W_LABEL),
	BAD(confvalue_domain, ".example", W_LABEL),
	BAD(confvalue_domain, "example.", W_LABEL),
	BAD(confvalue_domain, "a/b", W_DOMAIN),
	BAD(confvalue_domain, "exa mple.com", W_DOMAIN),
	BAD(confvalue_domain, "b\xc3\xbc" "cher.example", W_DOMAIN),
	BAD(confvalue_domain, "example.com\0.evil", W_DOMAIN),
	BAD(confvalue_domain, "[127.0.0.1]", W_DOMAIN),
	/* user and group names */
	GOOD(confvalue_account, "postseal"),
	GOOD(confvalue_account, "_postfix"),
	GOOD(confvalue_account, "a.b-c_9"),
	BAD(confvalue_account, "", W_ACCOUNT),
	BAD(confvalue_account, "-postseal", W_ACCOUNT),
	BAD(confvalue_account, "post seal", W_ACCOUNT),
	BAD(confvalue_account, "root:x", W_ACCOUNT),
	BAD(confvalue_account, "../root", W_ACCOUNT),
	BAD(confvalue_account, "p\xc3\xa9", W_ACCOUNT),
	BAD(confvalue_account, "post\0seal", W_ACCOUNT),
	/* absolute paths */
	GOOD(confvalue_abspath, "/"),
	GOOD(confvalue_abspath, "/etc/postseal/keys"),
	BAD(confvalue_abspath, "", W_ABS),
	BAD(confvalue_abspath, "etc/keys", W_ABS),
	BAD(confvalue_abspath, "./x", W_ABS),
	BAD(confvalue_abspath, "~/keys", W_ABS),
	BAD(confvalue_abspath, "/etc\0/shadow", "NUL byte in path"),
	/* OpenDKIM tables */
	GOOD(confvalue_table, ""),
	GOOD(confvalue_table, "file:/etc/opendkim/KeyTable"),
	GOOD(confvalue_table, "refile:/etc/opendkim/SigningTable"),
	GOOD(confvalue_table, "/etc/opendkim/KeyTable"),
	BAD(confvalue_table, "db:/x", W_TABLE),
	BAD(confvalue_table, "KeyTable", W_TABLE),
	BAD(confvalue_table, "file:", W_ABS),
	BAD(confvalue_table, "refile:", W_ABS),
	BAD(confvalue_table, "file:KeyTable", W_ABS),
	BAD(confvalue_table, "fil", W_TABLE),
	/* header field names */
	GOOD(confvalue_header, "From"),
	GOOD(confvalue_header, "X-Custom_Header.1"),
	GOOD(confvalue_header, "!#$%&'*+"),
	BAD(confvalue_header, "", "empty header name"),
	BAD(confvalue_header, "From:", W_HDR),
	BAD(confvalue_header, "Fr om", W_HDR),
	BAD(confvalue_header, "Fr\tom", W_HDR),
	BAD(confvalue_header, "Fr\0om", W_HDR),
	BAD(confvalue_header, "Subj\xc3\xa9", W_HDR),
	BAD(confvalue_header, "From\r\nBcc", W_HDR),
	/* canonicalization */
	GOOD(confvalue_canon, "relaxed/relaxed"),
	GOOD(confvalue_canon, "simple/simple"),
	GOOD(confvalue_canon, "relaxed/simple"),
	GOOD(confvalue_canon, "simple/relaxed"),
	BAD(confvalue_canon, "", W_CANON),
	BAD(confvalue_canon, "relaxed", W_CANON),
	BAD(confvalue_canon, "relaxed/relaxed ", W_CANON),
	BAD(confvalue_canon, "Relaxed/Relaxed", W_CANON),
	BAD(confvalue_canon, "relaxed/relaxed\0", W_CANON),
	/* CIDRs */
	GOOD(confvalue_cidr, "127.0.0.1"),
	GOOD(confvalue_cidr, "127.0.0.0/8"),
	GOOD(confvalue_cidr, "0.0.0.0/0"),
	GOOD(confvalue_cidr, "10.0.0.1/32"),
	GOOD(confvalue_cidr, "::1"),
	GOOD(confvalue_cidr, "::/0"),
	GOOD(confvalue_cidr, "2001:db8::/32"),
	GOOD(confvalue_cidr, "2001:db8::1/128"),
	GOOD(confvalue_cidr, "::ffff:192.0.2.0/120"),
	BAD(confvalue_cidr, "", W_NOTIP),
	BAD(confvalue_cidr, "mx.example.com", W_NOTIP),
	BAD(confvalue_cidr, "256.0.0.1", W_NOTIP),
	BAD(confvalue_cidr, " 10.0.0.1", W_NOTIP),
	BAD(confvalue_cidr, "/8", W_NOTIP),
	BAD(confvalue_cidr, "fe80::1%eth0", W_NOTIP),
	BAD(confvalue_cidr, "10.0.0.1\0/8", W_NOTIP),
	BAD(confvalue_cidr, "10.0.0.0/33", W_PREFIX),
	BAD(confvalue_cidr, "::/129", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/a", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/-1", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/+8", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/0008", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/8/9", W_PREFIX),
	BAD(confvalue_cidr, "10.0.0.0/8\0", W_PREFIX),
	BAD(confvalue_cidr, "10.1.2.3/8", W_HOSTBITS),
	BAD(confvalue_cidr, "2001:db8::1/64", W_HOSTBITS),
	BAD(confvalue_cidr, "0.0.0.1/0", W_HOSTBITS),
	/* nameservers */
	GOOD(confvalue_nameserver, "127.0.0.1"),
	GOOD(confvalue_nameserver, "127.0.0.1@5353"),
	GOOD(confvalue_nameserver, "192.0.2.1@65535"),
	GOOD(confvalue_nameserver, "::1"),
	GOOD(confvalue_nameserver, "2001:db8::53@53"),
	BAD(confvalue_nameserver, "", W_NS),
	BAD(confvalue_nameserver, "localhost", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@0", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@65536", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@53x", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@000053", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@53@53", W_NS),
	BAD(confvalue_nameserver, "@53", W_NS),
	BAD(confvalue_nameserver, "[::1]@53", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1:53", W_NS),
	BAD(confvalue_nameserver, "127.0.0.1@53\0", W_NS),
	/* milter sockets */
	GOOD(confvalue_milter_socket, "inet:8891@127.0.0.1"),
	GOOD(confvalue_milter_socket, "inet:8891@localhost"),
	GOOD(confvalue_milter_socket, "inet:1@mx.example.com"),
	GOOD(confvalue_milter_socket, "inet6:8891@::1"),
	GOOD(confvalue_milter_socket, "inet6:8891@[::1]"),
	GOOD(confvalue_milter_socket, "inet6:8891@mx.example.com"),
	GOOD(confvalue_milter_socket, "unix:/var/spool/postfix/postseal/milter.sock"),
	GOOD(confvalue_milter_socket, "local:/run/postseal/milter.sock"),
	BAD(confvalue_milter_socket, "", W_MSOCK),
	BAD(confvalue_milter_socket, "tcp:8891", W_MSOCK),
	BAD(confvalue_milter_socket, "unix:milter.sock", W_MSOCK),
	BAD(confvalue_milter_socket, "unix:/", W_MSOCK),
	BAD(confvalue_milter_socket, "unix:", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:8891", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:99999@127.0.0.1", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:0@127.0.0.1", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:@127.0.0.1", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:8891@", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:8891@::1", W_MSOCK),
	BAD(confvalue_milter_socket, "inet6:8891@127.0.0.1", W_MSOCK),
	BAD(confvalue_milter_socket, "inet6:8891@[127.0.0.1]", W_MSOCK),
	BAD(confvalue_milter_socket, "inet6:8891@[mx.example.com]", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:8891@127.0.0.1@x", W_MSOCK),
	BAD(confvalue_milter_socket, "inet:8891@-- ; rm -rf /", W_MSOCK),
	BAD(confvalue_milter_socket, "unix:/run/m.sock\0evil", W_MSOCK),
	/* policyd listeners */
	GOOD(confvalue_policyd_socket, "inet:127.0.0.1:10023"),
	GOOD(confvalue_policyd_socket, "inet:localhost:10023"),
	GOOD(confvalue_policyd_socket, "inet:[::1]:10023"),
	GOOD(confvalue_policyd_socket, "unix:/var/spool/postfix/private/postseal-policy"),
	BAD(confvalue_policyd_socket, "", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:127.0.0.1", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:10023@127.0.0.1", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:::1:10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:[::1:10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:[127.0.0.1]:10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:[mx.example.com]:10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet::10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:127.0.0.1:0", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:127.0.0.1:65536", W_PSOCK),
	BAD(confvalue_policyd_socket, "unix:private/policy", W_PSOCK),
	BAD(confvalue_policyd_socket, "tcp:127.0.0.1:10023", W_PSOCK),
	BAD(confvalue_policyd_socket, "inet:127.0.0.1:10023\0", W_PSOCK),
};

/* value in a heap buffer of exactly len bytes (one byte for len 0). */
static char *
exact_copy(const char *v, size_t len)
{
	char *b = xmalloc(len > 0 ? len : 1);

	memcpy(b, v, len);
	return b;
}

static int
run_case(check_fn fn, const char *v, size_t len, const char *want_why,
    const char *label)
{
	static const char untouched[] = "untouched";
	const char *why = untouched;
	char *b = exact_copy(v, len);
	int rc = fn(b, len, &why), ok;

	if (want_why == NULL)
		ok = rc == 0 && why == untouched;
	else
		ok = rc == -1 && why != untouched && why != NULL &&
		    strcmp(why, want_why) == 0;
	if (!ok)
		print_message("%s: len %zu: rc %d why \"%s\", want %s\n", label, len,
		    rc, why == untouched ? "(untouched)" : why ? why : "(null)",
		    want_why ? want_why : "success");
	free(b);
	return ok;
}

static void
test_table(void **state)
{
	size_t failed = 0, n = sizeof cases / sizeof cases[0];

	for (size_t i = 0; i < n; i++) {
		char label[128];

		snprintf(label, sizeof label, "case %zu %s", i, cases[i].fname);
		if (!run_case(cases[i].fn, cases[i].v, cases[i].len, cases[i].why, label))
			failed++;
	}
	assert_int_equal(failed, 0);
	assert_true(n > 150);
}

/* Only s[0..len) counts: a longer buffer is never read past len. */
static void
test_explicit_length(void **state)
{
	const char *why = NULL;

	assert_int_equal(confvalue_domain("example.com/../x", 11, &why), 0);
	assert_int_equal(confvalue_cidr("10.0.0.0/8", 8, &why), 0);
	assert_int_equal(confvalue_cidr("10.0.0.0/8", 9, &why), -1);
	assert_string_equal(why, W_PREFIX);
	assert_int_equal(confvalue_nameserver("127.0.0.1@53", 9, &why), 0);
	assert_int_equal(confvalue_canon("simple/simpleX", 13, &why), 0);
	assert_int_equal(confvalue_text("ok\n", 2, &why), 0);
	assert_int_equal(confvalue_abspath("/etc", 0, &why), -1);
	assert_string_equal(why, W_ABS);
	assert_int_equal(confvalue_milter_socket("inet:8891@127.0.0.1", 9, &why), -1);
	assert_int_equal(confvalue_policyd_socket("inet:h:1", 8, &why), 0);
}

static char *
repeat(char ch, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* Every limit: the longest good value passes, one byte more fails. */
static void
test_oversized(void **state)
{
	char *a = repeat('a', 4097), *p = repeat('/', 4096);
	char *d = xasprintf("%.63s.%.63s.%.63s.%.61s", a, a, a, a);
	char *d1 = xasprintf("%s.", d);
	char *lab = xasprintf("%.64s.example", a);
	char *ms = xasprintf("unix:/%.106s", a), *ms1 = xasprintf("unix:/%.107s", a);
	char *ls = xasprintf("local:/%.106s", a), *ps1 = xasprintf("unix:/%.107s", a);
	char *mh = xasprintf("inet:1@%.63s.%.63s.%.63s.%.61s", a, a, a, a);
	char *mh1 = xasprintf("inet:1@%.63s.%.63s.%.63s.%.62s", a, a, a, a);
	int ok = 1;

	ok &= run_case(confvalue_text, a, 4096, NULL, "text 4096");
	ok &= run_case(confvalue_text, a, 4097, "value too long (at most 4096 bytes)",
	    "text 4097");
	ok &= run_case(confvalue_domain, d, 253, NULL, "domain 253");
	ok &= run_case(confvalue_domain, d1, 254, W_DOMLEN, "domain 254");
	ok &= run_case(confvalue_domain, a, 63, NULL, "label 63");
	ok &= run_case(confvalue_domain, lab, strlen(lab), W_LABEL, "label 64");
	ok &= run_case(confvalue_account, a, 32, NULL, "account 32");
	ok &= run_case(confvalue_account, a, 33, W_ACCOUNT, "account 33");
	ok &= run_case(confvalue_abspath, p, 4095, NULL, "path 4095");
	ok &= run_case(confvalue_abspath, p, 4096,
	    "path too long (at most 4095 bytes)", "path 4096");
	ok &= run_case(confvalue_table, p, 4096, "path too long (at most 4095 bytes)",
	    "table 4096");
	ok &= run_case(confvalue_header, a, 997, NULL, "header 997");
	ok &= run_case(confvalue_header, a, 998,
	    "header name too long (at most 997 bytes)", "header 998");
	ok &= run_case(confvalue_milter_socket, ms, strlen(ms), NULL, "msock 107");
	ok &= run_case(confvalue_milter_socket, ls, strlen(ls), NULL, "local 107");
	ok &= run_case(confvalue_milter_socket, ms1, strlen(ms1), W_MSOCK, "msock 108");
	ok &= run_case(confvalue_policyd_socket, ms, strlen(ms), NULL, "psock 107");
	ok &= run_case(confvalue_policyd_socket, ps1, strlen(ps1), W_PSOCK, "psock 108");
	ok &= run_case(confvalue_milter_socket, mh, strlen(mh), NULL, "host 253");
	ok &= run_case(confvalue_milter_socket, mh1, strlen(mh1), W_MSOCK, "host 254");
	assert_true(ok);
	free(a);
	free(p);
	free(d);
	free(d1);
	free(lab);
	free(ms);
	free(ms1);
	free(ls);
	free(ps1);
	free(mh);
	free(mh1);
}

static const struct { const char *name; check_fn fn; } checkers[] = {
	{ "text", confvalue_text }, { "domain", confvalue_domain },
	{ "account", confvalue_account }, { "abspath", confvalue_abspath },
	{ "table", confvalue_table }, { "header", confvalue_header },
	{ "canon", confvalue_canon }, { "cidr", confvalue_cidr },
	{ "nameserver", confvalue_nameserver },
	{ "milter_socket", confvalue_milter_socket },
	{ "policyd_socket", confvalue_policyd_socket },
};

/* Megabyte values of the characters each syntax is made of: refused by
 * every checker, in bounded time, without reading past the buffer. */
static void
test_hostile(void **state)
{
	static const char fill[] = "a/.:@[]0\xff";
	size_t n = 1024 * 1024, failed = 0;
	char label[64];

	for (size_t f = 0; f < sizeof fill - 1; f++) {
		char *b = repeat(fill[f], n);
		for (size_t c = 0; c < sizeof checkers / sizeof checkers[0]; c++) {
			const char *why = NULL;
			char *e = exact_copy(b, n);

			snprintf(label, sizeof label, "%s x%02x", checkers[c].name,
			    (unsigned char)fill[f]);
			if (checkers[c].fn(e, n, &why) != -1 || why == NULL) {
				print_message("%s: accepted a 1 MiB value\n", label);
				failed++;
			}
			free(e);
		}
		free(b);
	}
	assert_int_equal(failed, 0);
}

static void
test_mode_string(void **state)
{
	static const struct { const char *v; int mode; const char *why; } mc[] = {
		{ "0660", 0660, NULL }, { "660", 0660, NULL }, { "600", 0600, NULL },
		{ "0", 0, NULL }, { "0777", 0777, NULL }, { "0007", 07, NULL },
		{ "", 0, "not an octal mode like 0660" },
		{ "rw-rw----", 0, "not an octal mode like 0660" },
		{ "0689", 0, "not an octal mode like 0660" },
		{ "07777", 0, "not an octal mode like 0660" },
		{ "-660", 0, "not an octal mode like 0660" },
		{ "0x1a0", 0, "not an octal mode like 0660" },
		{ "660 ", 0, "not an octal mode like 0660" },
		{ "1000", 0, "out of range (allowed 0000..0777)" },
		{ "7777", 0, "out of range (allowed 0000..0777)" },
	};

	for (size_t i = 0; i < sizeof mc / sizeof mc[0]; i++) {
		const char *why = NULL;
		int mode = -1;
		char *b = exact_copy(mc[i].v, strlen(mc[i].v));
		int rc = confvalue_mode_string(b, strlen(mc[i].v), &mode, &why);

		free(b);
		if (mc[i].why == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(mode, mc[i].mode);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(mode, -1);
			assert_string_equal(why, mc[i].why);
		}
	}
}

static void
test_mode_number(void **state)
{
	static const char W_DIGITS[] = "not an octal mode like 0660 (digits 0-7)";
	static const char W_RANGE[] = "out of range (allowed 0000..0777)";
	static const struct { long long v; int hex, mode; const char *why; } mc[] = {
		{ 660, 0, 0660, NULL }, { 0, 0, 0, NULL }, { 777, 0, 0777, NULL },
		{ 7, 0, 07, NULL }, { 640, 0, 0640, NULL },
		{ 0x1a0, 1, 0640, NULL }, { 0x1ff, 1, 0777, NULL },
		{ 689, 0, 0, W_DIGITS }, { 7708, 0, 0, W_DIGITS }, { 8, 0, 0, W_DIGITS },
		{ 1000, 0, 0, W_RANGE }, { 7777, 0, 0, W_RANGE }, { 7779, 0, 0, W_RANGE },
		{ 7778, 0, 0, W_RANGE }, { 77777, 0, 0, W_RANGE }, { -1, 0, 0, W_RANGE },
		{ 0x200, 1, 0, W_RANGE },
		{ -1, 1, 0, W_RANGE }, { LLONG_MAX, 0, 0, W_RANGE },
		{ LLONG_MIN, 0, 0, W_RANGE }, { LLONG_MAX, 1, 0, W_RANGE },
	};

	for (size_t i = 0; i < sizeof mc / sizeof mc[0]; i++) {
		const char *why = NULL;
		int mode = -1;
		int rc = confvalue_mode_number(mc[i].v, mc[i].hex, &mode, &why);

		if (mc[i].why == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(mode, mc[i].mode);
		} else {
			if (rc != -1 || why == NULL || strcmp(why, mc[i].why) != 0)
				fail_msg("case %zu (%lld, hex %d): rc %d why %s", i,
				    mc[i].v, mc[i].hex, rc, why ? why : "(null)");
			assert_int_equal(mode, -1);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_explicit_length),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_mode_string),
		cmocka_unit_test(test_mode_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
