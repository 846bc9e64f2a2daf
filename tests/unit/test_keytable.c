/* Unit tests for lib/keytable: OpenDKIM KeyTable / SigningTable parsing,
 * malformed input, matching order, file reading. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keytable.h"
#include "strlist.h"
#include "xmalloc.h"

static int
has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], s) != NULL)
			return 1;
	return 0;
}

static void
show(const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		print_message("problem: %s\n", l->v[i]);
}

/* KeyTable kt and, when st != NULL, a SigningTable of type; rc of both. */
static int
parse(struct keytable *t, const char *kt, size_t ktlen, int type,
    const char *st, struct strlist *pr)
{
	int rc = keytable_parse_keys(t, kt, ktlen, "KT", pr);

	if (st != NULL && keytable_parse_rules(t, type, st, strlen(st), "ST",
	    pr) == -1)
		rc = -1;
	return rc;
}

/* The names of the keys that sign for addr, "a,b", or "". */
static const char *
pick(const struct keytable *t, const char *addr, char *buf, size_t n)
{
	size_t idx[8], k = keytable_match(t, addr, idx, 8);

	buf[0] = '\0';
	for (size_t i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
		    i ? "," : "", t->keys[idx[i]].name);
	return buf;
}

static void
test_parse_good(void **state)
{
	static const char kt[] = "# name  domain:selector:path\r\n\r\n"
	    "rsa\texample.com:rsa:/etc/keys/rsa.key\r\n"
	    "  ed   Example.COM:ed-1_x:/etc/keys/ed key.key   # Ed25519\n"
	    "\t\n# only a comment\nlast other.org:s.sub:/k";
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	assert_int_equal(parse(&t, kt, strlen(kt), 0, NULL, &pr), 0);
	assert_int_equal(pr.n, 0);
	assert_int_equal(t.n_keys, 3);
	assert_string_equal(t.keys[0].name, "rsa");
	assert_string_equal(t.keys[0].path, "/etc/keys/rsa.key");
	assert_int_equal(t.keys[0].line, 3);
	assert_string_equal(t.keys[1].domain, "Example.COM");
	assert_string_equal(t.keys[1].selector, "ed-1_x");
	assert_string_equal(t.keys[1].path, "/etc/keys/ed key.key");
	assert_string_equal(t.keys[2].selector, "s.sub");
	assert_string_equal(t.keys[2].path, "/k");
	assert_int_equal(t.keys[2].line, 7);
	assert_int_equal(t.type, KEYTABLE_NONE);
	keytable_clear(&t);
	assert_null(t.keys);
	assert_int_equal(t.n_keys, 0);
}

/* Every bad KeyTable line is reported as "KT:1: ..." and skipped. */
static void
test_parse_bad_keys(void **state)
{
	static const struct { const char *line; size_t len; const char *says; }
	    cases[] = {
		{ "novalue", 0, "\"novalue\" has no value" },
		{ "novalue   # comment", 0, "has no value" },
		{ "short example.com:rsa", 0, "expected \"name domain:selector" },
		{ "short example.com", 0, "expected \"name domain:selector" },
		{ "rel example.com:x:keys/x.key", 0, "absolute file path" },
		{ "inline example.com:x:MIIEvQIBADANBgkq", 0, "absolute file" },
		{ "pct %:x:/etc/x.key", 0, "domain \"%\" is not supported" },
		{ "e :x:/k", 0, "empty domain or selector" },
		{ "e example.com::/k", 0, "empty domain or selector" },
		{ "semi exa;mple.com:s:/k", 0, "characters other than" },
		{ "eq example.com:s=1:/k", 0, "characters other than" },
		{ "sp example.com:s s:/k", 0, "characters other than" },
		{ "utf example.c\xc3\xb6m:s:/k", 0, "characters other than" },
		{ "nul\0x example.com:s:/k", 22, "NUL byte" },
		{ "nul example.com:s:/k\0", 21, "NUL byte" },
		{ "ctl\x01 example.com:s:/k", 0, "control character 0x01" },
		{ "esc example.com:s:/k\x1b[2J", 0, "control character 0x1b" },
		{ "cr example.com:s\r:/k", 0, "control character 0x0d" },
		{ "del example.com:s:/k\x7f", 0, "control character 0x7f" },
	};
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].line);

		assert_int_equal(parse(&t, cases[i].line, len, 0, NULL, &pr), -1);
		if (pr.n != 1 || strncmp(pr.v[0], "KT:1: ", 6) != 0 ||
		    !has(&pr, cases[i].says)) {
			show(&pr);
			fail_msg("case %zu: want \"%s\"", i, cases[i].says);
		}
		assert_int_equal(t.n_keys, 0);
		strlist_clear(&pr);
		keytable_clear(&t);
	}
}

static void
test_overlong_lines(void **state)
{
	size_t n = KEYTABLE_MAX_LINE;
	char *buf = xmalloc(3 * n + 100), *p = buf;
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	/* Line 1: exactly the limit, accepted; line 2: one byte more;
	 * line 3: a good line after it, so parsing went on. */
	p += sprintf(p, "ok example.com:s:/");
	memset(p, 'k', n - (size_t)(p - buf));
	p = buf + n;
	*p++ = '\n';
	memset(p, 'x', n + 1);
	p += n + 1;
	p += sprintf(p, "\nafter example.com:t:/k\n");
	assert_int_equal(parse(&t, buf, (size_t)(p - buf), 0, NULL, &pr), -1);
	assert_int_equal(pr.n, 1);
	assert_string_equal(pr.v[0], "KT:2: line longer than 4096 bytes");
	assert_int_equal(t.n_keys, 2);
	assert_int_equal(strlen(t.keys[0].path), n - strlen("ok example.com:s:"));
	assert_string_equal(t.keys[1].name, "after");
	/* A file that is one endless line, no newline at all. */
	strlist_clear(&pr);
	keytable_clear(&t);
	memset(buf, 'a', 3 * n);
	assert_int_equal(parse(&t, buf, 3 * n, 0, NULL, &pr), -1);
	assert_int_equal(pr.n, 1);
	assert_int_equal(t.n_keys, 0);
	strlist_clear(&pr);
	keytable_clear(&t);
	free(buf);
}

static void
test_duplicate_names(void **state)
{
	static const char kt[] = "a example.com:a:/a\nb example.com:b:/b\n"
	    "a example.com:c:/c\nc example.com:d:/d\na example.com:e:/e\n";
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	char b[64];
	size_t idx;

	assert_int_equal(parse(&t, kt, strlen(kt), KEYTABLE_FILE,
	    "example.com a\n", &pr), -1);
	assert_int_equal(pr.n, 2);
	assert_true(has(&pr, "KT:3: key name \"a\" is used twice (first on line 1)"));
	assert_true(has(&pr, "KT:5: key name \"a\" is used twice (first on line 1)"));
	assert_int_equal(t.n_keys, 3);
	assert_string_equal(t.keys[0].selector, "a");
	assert_string_equal(t.keys[1].name, "b");
	assert_string_equal(t.keys[2].name, "c");
	/* The name means its first line's key. */
	assert_string_equal(pick(&t, "x@example.com", b, sizeof b), "a");
	assert_int_equal(keytable_match(&t, "example.com", &idx, 1), 1);
	assert_int_equal(t.keys[idx].line, 1);
	strlist_clear(&pr);
	keytable_clear(&t);
}

static const char keys3[] = "k1 example.com:rsa:/k1\nk2 example.com:ed:/k2\n"
    "k3 other.org:s:/k3\n";

/* Every bad SigningTable line is reported as "ST:1: ..." and skipped. */
static void
test_parse_bad_rules(void **state)
{
	static const struct { int type; const char *line, *says; } cases[] = {
		{ KEYTABLE_FILE, "onlypattern", "has no value" },
		{ KEYTABLE_FILE, "a b c", "expected \"pattern keyname\"" },
		{ KEYTABLE_FILE, "example.com nosuch", "no KeyTable entry named \"nosuch\"" },
		{ KEYTABLE_FILE, "example.com K1", "no KeyTable entry named \"K1\"" },
		{ KEYTABLE_FILE, "*@example.com k1", "in a file: table '*' works only" },
		{ KEYTABLE_FILE, "*.example.com k1", "in a file: table" },
		{ KEYTABLE_FILE, "bob@*.com k1", "in a file: table" },
		{ KEYTABLE_FILE, "@* k1", "in a file: table" },
		{ KEYTABLE_FILE, "** k1", "in a file: table" },
		{ KEYTABLE_FILE, "*@* k1", "in a file: table" },
		{ KEYTABLE_REFILE, "[ab]@example.com k1", "regular expression syntax" },
		{ KEYTABLE_REFILE, "a+@example.com k1", "regular expression" },
		{ KEYTABLE_REFILE, "(a|b)@example.com k1", "regular expression" },
		{ KEYTABLE_REFILE, "^bob@example.com$ k1", "regular expression" },
		{ KEYTABLE_REFILE, "bob?@example.com k1", "regular expression" },
		{ KEYTABLE_REFILE, "bob\\@example.com k1", "regular expression" },
		{ KEYTABLE_REFILE, "a{2}@example.com k1", "regular expression" },
		{ KEYTABLE_REFILE, "*@exa\x02mple.com k1", "control character 0x02" },
	};
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(parse(&t, keys3, strlen(keys3), cases[i].type,
		    cases[i].line, &pr), -1);
		if (pr.n != 1 || strncmp(pr.v[0], "ST:1: ", 6) != 0 ||
		    !has(&pr, cases[i].says)) {
			show(&pr);
			fail_msg("case %zu (%s): want \"%s\"", i, cases[i].line,
			    cases[i].says);
		}
		assert_int_equal(t.n_rules, 0);
		assert_int_equal(t.type, cases[i].type);
		strlist_clear(&pr);
		keytable_clear(&t);
	}
}

/* OpenDKIM's file: order, proven by removing the winner each round:
 * bob@host, host, bob@.parent, .parent, ..., bob@*, *. */
static void
test_match_file_order(void **state)
{
	static const char *const order[] = {
		"bob@mail.example.com", "mail.example.com", "bob@.example.com",
		".example.com", "bob@.com", ".com", "bob@*", "*",
	};
	char kt[512] = "", st[512], want[8], b[64];
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	for (int i = 0; i < 8; i++)
		snprintf(kt + strlen(kt), sizeof kt - strlen(kt),
		    "k%d example.com:s%d:/k%d\n", i, i, i);
	for (int first = 0; first < 8; first++) {
		st[0] = '\0';
		for (int i = 7; i >= first; i--)	/* file order is irrelevant */
			snprintf(st + strlen(st), sizeof st - strlen(st),
			    "%s k%d\n", order[i], i);
		assert_int_equal(parse(&t, kt, strlen(kt), KEYTABLE_FILE, st,
		    &pr), 0);
		snprintf(want, sizeof want, "k%d", first);
		assert_string_equal(pick(&t, "bob@mail.example.com", b, 64), want);
		assert_string_equal(pick(&t, "BOB@Mail.Example.COM", b, 64), want);
		keytable_clear(&t);
	}
	assert_int_equal(parse(&t, kt, strlen(kt), KEYTABLE_FILE,
	    ".example.com k3\nmail.example.com k1\nbob@* k6\n", &pr), 0);
	/* A bare domain cannot match user@ patterns. */
	assert_string_equal(pick(&t, "mail.example.com", b, 64), "k1");
	assert_string_equal(pick(&t, "x.example.com", b, 64), "k3");
	assert_string_equal(pick(&t, "example.com", b, 64), "");
	assert_string_equal(pick(&t, "eve@badexample.com", b, 64), "");
	assert_string_equal(pick(&t, "bob@badexample.com", b, 64), "k6");
	assert_string_equal(pick(&t, "bob@", b, 64), "k6");
	assert_string_equal(pick(&t, "", b, 64), "");
	keytable_clear(&t);
	assert_int_equal(pr.n, 0);
}

/* One pattern naming two keys signs twice, in file order; only the
 * deciding pattern's rules count. */
static void
test_match_dual(void **state)
{
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	char b[64];

	assert_int_equal(parse(&t, keys3, strlen(keys3), KEYTABLE_FILE,
	    "example.com k2\n* k3\nEXAMPLE.COM k1\n", &pr), 0);
	assert_string_equal(pick(&t, "a@example.com", b, 64), "k2,k1");
	assert_string_equal(pick(&t, "a@example.org", b, 64), "k3");
	assert_int_equal(keytable_match(&t, "a@example.com", (size_t[1]){ 0 },
	    1), 1);
	keytable_clear(&t);
	assert_int_equal(parse(&t, keys3, strlen(keys3), KEYTABLE_REFILE,
	    "*@example.com k2\n*@*.com k3\n*@Example.com k1\n*@EXAMPLE.COM k1\n",
	    &pr), 0);
	assert_string_equal(pick(&t, "a@example.com", b, 64), "k2,k1,k1");
	assert_string_equal(pick(&t, "a@x.com", b, 64), "k3");
	keytable_clear(&t);
	assert_int_equal(pr.n, 0);
}

static void
test_match_refile(void **state)
{
	static const struct { const char *addr, *want; } cases[] = {
		{ "alice@example.com", "k1" },	/* first in file order */
		{ "Bob@EXAMPLE.com", "k2" },
		{ "bob@sub.example.com", "k3" },
		{ "bob@example.com.evil", "" },	/* anchored at the end */
		{ "bob@xexample.co", "" },
		{ "x@mail.other.org", "k3" },
		{ "alice@o.org", "k1" },	/* "***" acts as "*" */
		{ "example.com", "k2" },	/* "@example.com" */
		{ "carol@a.b.c.another.net", "" },
		{ "xavier@ivy", "k1" },
	};
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	char b[64];

	assert_int_equal(parse(&t, keys3, strlen(keys3), KEYTABLE_REFILE,
	    "alice@*** k1\n*@example.com k2\n*@*.example.com k3\n"
	    "***@***.other.*** k3\n***x***y k1\n", &pr), 0);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (strcmp(pick(&t, cases[i].addr, b, 64), cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].addr, b,
			    cases[i].want);
	keytable_clear(&t);
	/* "***" alone matches everything, even the empty address ("@"). */
	assert_int_equal(parse(&t, keys3, strlen(keys3), KEYTABLE_REFILE,
	    "*** k2\n", &pr), 0);
	assert_string_equal(pick(&t, "anyone@anywhere.example", b, 64), "k2");
	assert_string_equal(pick(&t, "", b, 64), "k2");
	keytable_clear(&t);
	assert_int_equal(pr.n, 0);
}

/* Backtracking goes to the last star only: a hostile pattern against a
 * long address costs length * length, not 2^stars. */
static void
test_match_hostile(void **state)
{
	char st[512], addr[600], b[64];
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	clock_t start;

	strcpy(st, "");
	for (int i = 0; i < 40; i++)
		strcat(st, "*a");
	strcat(st, "*b k1\n");
	assert_int_equal(parse(&t, keys3, strlen(keys3), KEYTABLE_REFILE, st,
	    &pr), 0);
	memset(addr, 'a', 255);
	addr[255] = '@';
	memset(addr + 256, 'a', 255);
	addr[511] = '\0';
	start = clock();
	for (int i = 0; i < 100; i++)
		assert_string_equal(pick(&t, addr, b, 64), "");
	addr[510] = 'b';
	assert_string_equal(pick(&t, addr, b, 64), "k1");
	assert_true(clock() - start < 2 * CLOCKS_PER_SEC);
	/* Local part or domain over 255 bytes: no match at all. */
	memset(addr, 'a', 300);
	strcpy(addr + 300, "@ab");
	assert_string_equal(pick(&t, addr, b, 64), "");
	keytable_clear(&t);
	assert_int_equal(pr.n, 0);
}

/* 10 000 keys and rules: all parsed, the last one found, quickly. */
static void
test_many_entries(void **state)
{
	size_t cap = 10000 * 64, off;
	char *kt = xmalloc(cap), *st = xmalloc(cap), addr[64], b[64];
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	clock_t start = clock();

	for (int type = KEYTABLE_FILE; type <= KEYTABLE_REFILE; type++) {
		off = 0;
		for (int i = 0; i < 10000; i++)
			off += (size_t)snprintf(kt + off, cap - off,
			    "key%05d d%05d.example:sel:/keys/%05d.key\n", i, i, i);
		off = 0;
		for (int i = 9999; i >= 0; i--)
			off += (size_t)snprintf(st + off, cap - off, "%sd%05d.example "
			    "key%05d\n", type == KEYTABLE_REFILE ? "*@" : "", i, i);
		assert_int_equal(parse(&t, kt, strlen(kt), type, st, &pr), 0);
		assert_int_equal(pr.n, 0);
		assert_int_equal(t.n_keys, 10000);
		assert_int_equal(t.n_rules, 10000);
		for (int i = 0; i < 10000; i += 97) {
			snprintf(addr, sizeof addr, "u@d%05d.example", i);
			snprintf(b, sizeof b, "key%05d", i);
			assert_string_equal(pick(&t, addr, b + 16, 32), b);
		}
		assert_string_equal(pick(&t, "u@d10000.example", b, 64), "");
		keytable_clear(&t);
	}
	assert_true(clock() - start < 20 * CLOCKS_PER_SEC);
	free(kt);
	free(st);
}

/* Past KEYTABLE_MAX_ENTRIES lines of data, and past 100 problems, the
 * table stops growing and the report says so once. */
static void
test_limits(void **state)
{
	size_t cap = (KEYTABLE_MAX_ENTRIES + 10) * 32, off = 0;
	char *kt = xmalloc(cap);
	struct keytable t = { 0 };
	struct strlist pr = { 0 };
	char want[64];

	for (int i = 0; i < KEYTABLE_MAX_ENTRIES + 2; i++)
		off += (size_t)snprintf(kt + off, cap - off,
		    "k%d e.com:s%d:/k\n", i, i);
	assert_int_equal(parse(&t, kt, off, 0, NULL, &pr), -1);
	assert_int_equal(t.n_keys, KEYTABLE_MAX_ENTRIES);
	assert_int_equal(pr.n, 2);
	snprintf(want, sizeof want, "KT:%d: more than %d entries",
	    KEYTABLE_MAX_ENTRIES + 1, KEYTABLE_MAX_ENTRIES);
	assert_true(has(&pr, want));
	strlist_clear(&pr);
	keytable_clear(&t);
	/* A binary file: 1000 bad lines, 100 reported, then one note. */
	off = 0;
	for (int i = 0; i < 1000; i++)
		off += (size_t)snprintf(kt + off, cap - off, "\x01\xff\n");
	assert_int_equal(parse(&t, kt, off, 0, NULL, &pr), -1);
	assert_int_equal(pr.n, 101);
	assert_string_equal(pr.v[100], "KT: more problems not shown");
	strlist_clear(&pr);
	keytable_clear(&t);
	free(kt);
}

static void
test_spec(void **state)
{
	static const struct { const char *spec, *path; int type; } cases[] = {
		{ "file:/etc/kt", "/etc/kt", KEYTABLE_FILE },
		{ "refile:/etc/st", "/etc/st", KEYTABLE_REFILE },
		{ "/etc/kt", "/etc/kt", KEYTABLE_FILE },
		{ "relative/kt", "relative/kt", KEYTABLE_FILE },
		{ "db:/etc/kt.db", NULL, -1 },
		{ "dsn:mysql://u@h/db", NULL, -1 },
		{ "ldap://h/dc=x", NULL, -1 },
	};
	const char *path;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(keytable_spec(cases[i].spec, &path),
		    cases[i].type);
		if (cases[i].path != NULL)
			assert_string_equal(path, cases[i].path);
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* keytable_read: specs, files that are not tables, the whole path. */
static void
test_read(void **state)
{
	char dir[] = "/tmp/test_keytable.XXXXXX", kt[128], st[128], p[160];
	char cmd[128], b[64];
	struct keytable t = { 0 };
	struct strlist pr = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(kt, sizeof kt, "%s/KeyTable", dir);
	snprintf(st, sizeof st, "%s/SigningTable", dir);
	write_file(kt, keys3);
	write_file(st, "*@example.com k1\n*@example.com k2\n");
	snprintf(p, sizeof p, "refile:%s", st);
	assert_int_equal(keytable_read(&t, kt, p, &pr), 0);
	assert_int_equal(t.type, KEYTABLE_REFILE);
	assert_string_equal(pick(&t, "x@example.com", b, 64), "k1,k2");
	keytable_clear(&t);
	/* A KeyTable alone: no SigningTable, nothing matches. */
	snprintf(p, sizeof p, "file:%s", kt);
	assert_int_equal(keytable_read(&t, p, "", &pr), 0);
	assert_int_equal(t.n_keys, 3);
	assert_int_equal(t.type, KEYTABLE_NONE);
	assert_int_equal(keytable_match(&t, "x@example.com", (size_t[1]){ 0 },
	    1), 0);
	keytable_clear(&t);
	assert_int_equal(pr.n, 0);

	assert_int_equal(keytable_read(&t, "", st, &pr), -1);
	assert_true(has(&pr, "a SigningTable needs a KeyTable"));
	assert_int_equal(keytable_read(&t, "db:/x.db", "", &pr), -1);
	assert_true(has(&pr, "db:/x.db: only file: and refile:"));
	snprintf(p, sizeof p, "%s/missing", dir);
	assert_int_equal(keytable_read(&t, p, "", &pr), -1);
	assert_true(has(&pr, "missing: No such file or directory"));
	assert_int_equal(keytable_read(&t, dir, "", &pr), -1);
	assert_true(has(&pr, "not a regular file"));
	snprintf(p, sizeof p, "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(keytable_read(&t, p, "", &pr), -1);	/* no hang */
	snprintf(p, sizeof p, "%s/huge", dir);
	write_file(p, "");
	assert_int_equal(truncate(p, KEYTABLE_MAX_FILE + 1), 0);
	assert_int_equal(keytable_read(&t, p, "", &pr), -1);
	assert_int_equal(pr.n, 6);
	assert_true(has(&pr, "huge: not a regular file of at most"));
	/* An unreadable SigningTable still makes it a table: nothing signs. */
	strlist_clear(&pr);
	snprintf(p, sizeof p, "refile:%s/missing", dir);
	assert_int_equal(keytable_read(&t, kt, p, &pr), -1);
	assert_int_equal(t.type, KEYTABLE_REFILE);
	assert_int_equal(keytable_match(&t, "x@example.com", (size_t[1]){ 0 },
	    1), 0);
	keytable_clear(&t);
	strlist_clear(&pr);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad_keys),
		cmocka_unit_test(test_overlong_lines),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_parse_bad_rules),
		cmocka_unit_test(test_match_file_order),
		cmocka_unit_test(test_match_dual),
		cmocka_unit_test(test_match_refile),
		cmocka_unit_test(test_match_hostile),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
