/* test_conf: the config loader, its schema, defaults and every problem. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "xmalloc.h"

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

/* Write len bytes of text to tmpdir/name; returns the path (caller frees). */
static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
print_problems(const struct strlist *p)
{
	for (size_t i = 0; i < p->n; i++)
		print_message("  problem: %s\n", p->v[i]);
}

/* Load text as tmpdir/case.conf; problems and path go to the caller. */
static struct conf *
load_text(const char *text, size_t len, struct strlist *p, char **path)
{
	*path = write_file("case.conf", text, len);
	return conf_load(*path, p);
}

/* ---- problems, one per case ---- */

#include "conf_cases.h"

static void
test_bad_cases(void **state)
{
	size_t failed = 0;

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct strlist p = { 0 };
		char *path, *want;
		size_t len = strlen(bc->text);
		struct conf *c;

		/* Cases with a NUL byte carry it inside their text. */
		if (strstr(bc->want, "NUL byte") != NULL)
			len += strlen(bc->text + len + 1) + 1;
		c = load_text(bc->text, len, &p, &path);
		want = xasprintf("%s%s", path, bc->want);
		if (c != NULL || p.n != 1 || strcmp(p.v[0], want) != 0) {
			print_message("case %zu: want %s\n", i, want);
			print_problems(&p);
			failed++;
		}
		conf_free(&c);
		free(want);
		free(path);
		strlist_clear(&p);
	}
	assert_int_equal(failed, 0);
}

/* A file with many problems reports every one, in file order. */
static void
test_all_problems(void **state)
{
	struct strlist p = { 0 };
	char *path = xasprintf("%s/tests/data/conf/bad-many.conf", TEST_SRCDIR);
	static const char *const want[] = {
		":4: usr: unknown key (did you mean user?)",
		":6: dns.timeout: out of range: 0 (allowed 1..60)",
		":7: dns.nameservers[1]: bad value \"resolver\": expected IP or IP@PORT "
		    "(port 1..65535)",
		":10: keys.directory: bad value \"keys\": not an absolute path",
		":11: keys.require_safe: must be true or false, not a string",
		":14: milter.sing: unknown key (did you mean milter.sign?)",
		":16: milter.socket_mode: out of range (allowed 0000..0777)",
		":17: milter.on_sign_error: \"maybe\" is not one of: accept, tempfail",
		":19: milter.sign[0]: missing selector",
		":20: milter.sign[1].key: bad value \"ed.key\": not an absolute path",
		":24: policyd.socket: bad value \"inet:10023\": expected unix:/absolute/path, "
		    "inet:HOST:PORT or inet:[IPv6]:PORT",
		":26: policyd.spf.temperror: \"retry\" is not one of: reject, "
		    "defer_if_permit, prepend",
		":27: policyd.spf.skip_addresses[0]: bad value \"10.0.0.1/8\": host bits "
		    "set after the prefix length",
	};
	size_t n = sizeof want / sizeof want[0];
	struct conf *c = conf_load(path, &p);

	assert_null(c);
	if (p.n != n)
		print_problems(&p);
	assert_int_equal(p.n, n);
	for (size_t i = 0; i < n; i++) {
		char *w = xasprintf("%s%s", path, want[i]);
		assert_string_equal(p.v[i], w);
		free(w);
	}
	strlist_clear(&p);
	free(path);
}

static void
assert_list(const struct strlist *l, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		assert_true(n < l->n);
		assert_string_equal(l->v[n], want[n]);
	}
	assert_int_equal(l->n, n);
	assert_null(l->v == NULL ? NULL : l->v[n]);
}

static void
assert_defaults(const struct conf *c)
{
	static const char *const none[] = { NULL };
	char host[256] = "";

	assert_int_equal(gethostname(host, sizeof host - 1), 0);
	assert_string_equal(c->user, "postseal");
	assert_string_equal(c->authserv_id, host);
	assert_list(&c->dns.nameservers, none);
	assert_int_equal(c->dns.timeout, 5);
	assert_string_equal(c->dns.trust_anchor, "");
	assert_string_equal(c->keys.directory, "/etc/postseal/keys");
	assert_int_equal(c->keys.require_safe, 1);
	assert_string_equal(c->milter.socket, "inet:8891@127.0.0.1");
	assert_string_equal(c->milter.socket_group, "postfix");
	assert_int_equal(c->milter.socket_mode, 0660);
	assert_string_equal(c->milter.pidfile, "");
	assert_list(&c->milter.internal_hosts, (const char *[]){ "127.0.0.1", "::1", NULL });
	assert_int_equal(c->milter.n_sign, 0);
	assert_int_equal(c->milter.subdomains, 0);
	assert_string_equal(c->milter.keytable, "");
	assert_string_equal(c->milter.signingtable, "");
	assert_string_equal(c->milter.canonicalization, "relaxed/relaxed");
	assert_list(&c->milter.sign_headers, (const char *[]){ "From", "Reply-To",
	    "Subject", "Date", "To", "Cc", "Resent-Date", "Resent-From", "Resent-To",
	    "Resent-Cc", "In-Reply-To", "References", "List-Id", "List-Help",
	    "List-Unsubscribe", "List-Subscribe", "List-Post", "List-Owner",
	    "List-Archive", "Message-ID", "MIME-Version", "Content-Type",
	    "Content-Transfer-Encoding", NULL });
	assert_list(&c->milter.oversign_headers, (const char *[]){ "From", NULL });
	assert_int_equal(c->milter.signature_ttl, 0);
	assert_int_equal(c->milter.max_signatures, 5);
	assert_int_equal(c->milter.on_sign_error, CONF_ON_ERROR_ACCEPT);
	assert_int_equal(c->milter.on_verify_temperror, CONF_ON_ERROR_ACCEPT);
	assert_int_equal(c->milter.spf, CONF_MILTER_SPF_SELF);
	assert_int_equal(c->milter.dmarc.enforce, 1);
	assert_string_equal(c->milter.dmarc.history, "/var/lib/postseal/dmarc.db");
	assert_int_equal(c->milter.dmarc.discovery, CONF_DISCOVERY_TREEWALK);
	assert_list(&c->milter.dmarc.no_enforce_domains, none);
	assert_string_equal(c->policyd.socket, "inet:127.0.0.1:10023");
	assert_string_equal(c->policyd.socket_group, "postfix");
	assert_int_equal(c->policyd.socket_mode, 0660);
	assert_string_equal(c->policyd.pidfile, "");
	assert_int_equal(c->policyd.max_connections, 1000);
	assert_int_equal(c->policyd.spf.helo_fail, CONF_SPF_REJECT);
	assert_int_equal(c->policyd.spf.mailfrom_fail, CONF_SPF_REJECT);
	assert_int_equal(c->policyd.spf.softfail, CONF_SPF_PREPEND);
	assert_int_equal(c->policyd.spf.permerror, CONF_SPF_PREPEND);
	assert_int_equal(c->policyd.spf.temperror, CONF_SPF_DEFER);
	assert_int_equal(c->policyd.spf.dmarc_aware, 1);
	assert_int_equal(c->policyd.spf.header, CONF_HEADER_RECEIVED_SPF);
	assert_list(&c->policyd.spf.skip_addresses,
	    (const char *[]){ "127.0.0.0/8", "::1", NULL });
	assert_int_equal(c->policyd.spf.skip_authenticated, 1);
	assert_list(&c->policyd.spf.skip_helo, none);
	assert_list(&c->policyd.spf.skip_domains, none);
}

static void
test_defaults(void **state)
{
	struct conf *c = conf_defaults();
	struct strlist p = { 0 };
	char *path;

	assert_defaults(c);
	assert_null(c->path);
	conf_free(&c);
	assert_null(c);
	/* An empty file, and one with only comments, is all defaults. */
	c = load_text("# nothing\n/* at */ // all\n", 26, &p, &path);
	assert_int_equal(p.n, 0);
	assert_non_null(c);
	assert_defaults(c);
	assert_string_equal(c->path, path);
	conf_free(&c);
	free(path);
}

/* The shipped sample loads with no problem and says what the defaults say. */
static void
test_sample_config(void **state)
{
	struct strlist p = { 0 };
	struct conf *c = conf_load(TEST_SRCDIR "/etc/postseal.conf", &p);

	print_problems(&p);
	assert_int_equal(p.n, 0);
	assert_non_null(c);
	assert_defaults(c);
	conf_free(&c);
}

/* Every key set to something else than its default, and read back. */
static void
test_good_config(void **state)
{
	struct strlist p = { 0 };
	struct conf *c = conf_load(TEST_SRCDIR "/tests/data/conf/good.conf", &p);
	char *k;

	print_problems(&p);
	assert_int_equal(p.n, 0);
	assert_non_null(c);
	assert_string_equal(c->user, "mailsign");
	assert_string_equal(c->authserv_id, "mx.example.org");
	assert_list(&c->dns.nameservers, (const char *[]){ "127.0.0.1@5353", "::1", NULL });
	assert_int_equal(c->dns.timeout, 60);
	assert_string_equal(c->dns.trust_anchor, "/usr/share/dns/root.key");
	assert_string_equal(c->keys.directory, "/srv/keys");
	assert_int_equal(c->keys.require_safe, 0);
	assert_string_equal(c->milter.socket, "unix:/var/spool/postfix/postseal/milter.sock");
	assert_string_equal(c->milter.socket_group, "");
	assert_int_equal(c->milter.socket_mode, 0640);
	assert_string_equal(c->milter.pidfile, "/run/postseal/milter.pid");
	assert_list(&c->milter.internal_hosts,
	    (const char *[]){ "192.0.2.0/24", "2001:db8::/32", "::1", NULL });
	assert_int_equal(c->milter.n_sign, 2);
	assert_string_equal(c->milter.sign[0].domain, "example.org");
	assert_string_equal(c->milter.sign[0].selector, "rsa2024");
	assert_null(c->milter.sign[0].key);
	k = conf_key_path(c, &c->milter.sign[0]);
	assert_string_equal(k, "/srv/keys/example.org/rsa2024.key");
	free(k);
	assert_string_equal(c->milter.sign[1].selector, "ed.2024");
	k = conf_key_path(c, &c->milter.sign[1]);
	assert_string_equal(k, "/etc/postseal/ed.key");
	free(k);
	assert_int_equal(c->milter.subdomains, 1);
	assert_string_equal(c->milter.keytable, "file:/etc/opendkim/KeyTable");
	assert_string_equal(c->milter.signingtable, "refile:/etc/opendkim/SigningTable");
	assert_string_equal(c->milter.canonicalization, "simple/relaxed");
	assert_list(&c->milter.sign_headers, (const char *[]){ "from", "Subject", NULL });
	assert_list(&c->milter.oversign_headers, (const char *[]){ "From", "Subject", NULL });
	assert_int_equal(c->milter.signature_ttl, 604800);
	assert_int_equal(c->milter.max_signatures, 50);
	assert_int_equal(c->milter.on_sign_error, CONF_ON_ERROR_TEMPFAIL);
	assert_int_equal(c->milter.on_verify_temperror, CONF_ON_ERROR_TEMPFAIL);
	assert_int_equal(c->milter.spf, CONF_MILTER_SPF_POLICYD);
	assert_int_equal(c->milter.dmarc.enforce, 0);
	assert_string_equal(c->milter.dmarc.history, "");
	assert_int_equal(c->milter.dmarc.discovery, CONF_DISCOVERY_PSL);
	assert_list(&c->milter.dmarc.no_enforce_domains,
	    (const char *[]){ "example.net", "xn--bcher-kva.example", NULL });
	assert_string_equal(c->policyd.socket, "inet:[::1]:10023");
	assert_string_equal(c->policyd.socket_group, "postfix");
	assert_int_equal(c->policyd.socket_mode, 0600);
	assert_string_equal(c->policyd.pidfile, "/run/postseal/policyd.pid");
	assert_int_equal(c->policyd.max_connections, 1);
	assert_int_equal(c->policyd.spf.helo_fail, CONF_SPF_DEFER);
	assert_int_equal(c->policyd.spf.mailfrom_fail, CONF_SPF_PREPEND);
	assert_int_equal(c->policyd.spf.softfail, CONF_SPF_REJECT);
	assert_int_equal(c->policyd.spf.permerror, CONF_SPF_REJECT);
	assert_int_equal(c->policyd.spf.temperror, CONF_SPF_PREPEND);
	assert_int_equal(c->policyd.spf.dmarc_aware, 0);
	assert_int_equal(c->policyd.spf.header, CONF_HEADER_AUTH_RESULTS);
	assert_list(&c->policyd.spf.skip_addresses, (const char *[]){ NULL });
	assert_int_equal(c->policyd.spf.skip_authenticated, 0);
	assert_list(&c->policyd.spf.skip_helo, (const char *[]){ "localhost", NULL });
	assert_list(&c->policyd.spf.skip_domains, (const char *[]){ "example.com", NULL });
	conf_free(&c);
}

/* How a socket mode may be written: as chmod(1) reads it. */
static void
test_socket_mode(void **state)
{
	static const struct { const char *v; int mode; } cases[] = {
		{ "0660", 0660 }, { "660", 0660 }, { "\"0660\"", 0660 },
		{ "\"600\"", 0600 }, { "0", 0 }, { "0777", 0777 }, { "0x1a0", 0640 },
		{ "0007", 07 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strlist p = { 0 };
		char *text = xasprintf("milter = { socket_mode = %s; };\n", cases[i].v);
		char *path;
		struct conf *c = load_text(text, strlen(text), &p, &path);

		print_problems(&p);
		assert_non_null(c);
		assert_int_equal(c->milter.socket_mode, cases[i].mode);
		conf_free(&c);
		free(text);
		free(path);
	}
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xmalloc(256 * 1024);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 256 * 1024 - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every key of the schema is in the man page and in the sample file. */
static void
test_documented(void **state)
{
	char *man = slurp(TEST_SRCDIR "/docs/postseal.conf.5");
	char *sample = slurp(TEST_SRCDIR "/etc/postseal.conf");
	const char *name, *leaf;
	size_t i;

	for (i = 0; (name = conf_key_name(i)) != NULL; i++) {
		/* A key has its own entry; a group has its keys' entries. */
		char *tp = xasprintf("\n.TP\n.B %s\n", name);
		char *ss = xasprintf("\n.TP\n.B %s.", name);
		char *set;

		leaf = strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
		set = xasprintf("%s = ", leaf);
		if (strstr(man, tp) == NULL && strstr(man, ss) == NULL)
			fail_msg("%s is not in docs/postseal.conf.5", name);
		if (strstr(sample, set) == NULL)
			fail_msg("%s is not in etc/postseal.conf", name);
		free(tp);
		free(ss);
		free(set);
	}
	assert_true(i > 40);
	free(man);
	free(sample);
}

static void
test_action_names(void **state)
{
	assert_string_equal(conf_action_name(CONF_SPF_REJECT), "reject");
	assert_string_equal(conf_action_name(CONF_SPF_DEFER), "defer_if_permit");
	assert_string_equal(conf_action_name(CONF_SPF_PREPEND), "prepend");
}

static void
test_file_errors(void **state)
{
	struct strlist p = { 0 };
	char *missing = xasprintf("%s/missing.conf", tmpdir);

	assert_null(conf_load(missing, &p));
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0] + strlen(missing), ": open: No such file or directory");
	strlist_clear(&p);
	assert_null(conf_load(tmpdir, &p));
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0] + strlen(tmpdir), ": not a regular file");
	strlist_clear(&p);
	/* No problem list: the result alone says it failed. */
	assert_null(conf_load(missing, NULL));
	free(missing);
}

/* @include is relative to the including file, and problems name the file. */
static void
test_include(void **state)
{
	struct strlist p = { 0 };
	char *inc = write_file("inc.conf", "dns = {\n timeout = 0; };\n", 25);
	char *path, *want;
	struct conf *c = load_text("user = \"x\";\n@include \"inc.conf\"\n", 32, &p, &path);

	assert_null(c);
	assert_int_equal(p.n, 1);
	want = xasprintf("inc.conf:2: dns.timeout: out of range: 0 (allowed 1..60)");
	assert_string_equal(p.v[0], want);
	free(want);
	strlist_clear(&p);
	free(inc);
	free(path);
}

/* Hostile files: problems or a clean load, never a crash or a leak. */
static char *
big_text(const char *head, const char *item, size_t n, const char *sep,
    const char *tail)
{
	size_t len = strlen(head) + n * (strlen(item) + strlen(sep)) + strlen(tail) + 1;
	char *s = xmalloc(len), *o = s;

	o = stpcpy(o, head);
	for (size_t i = 0; i < n; i++) {
		o = stpcpy(o, item);
		if (i + 1 < n)
			o = stpcpy(o, sep);
	}
	stpcpy(o, tail);
	return s;
}

static size_t
load_problems(const char *text, size_t len, const char *want_suffix)
{
	struct strlist p = { 0 };
	char *path;
	struct conf *c = load_text(text, len, &p, &path);
	size_t n = p.n;

	if (want_suffix != NULL) {
		assert_true(n > 0);
		if (strstr(p.v[0], want_suffix) == NULL)
			print_problems(&p);
		assert_non_null(strstr(p.v[0], want_suffix));
	}
	assert_true((c == NULL) == (n > 0));
	conf_free(&c);
	strlist_clear(&p);
	free(path);
	return n;
}

static void
test_hostile(void **state)
{
	char *s;

	s = big_text("user = \"", "a", 1024 * 1024, "", "\";\n");
	assert_int_equal(load_problems(s, strlen(s),
	    ": user: too long (1048576 bytes, at most 32)"), 1);
	free(s);
	s = big_text("milter = { internal_hosts = [ ", "\"10.0.0.1\"", 10000, ", ",
	    " ]; };\n");
	assert_int_equal(load_problems(s, strlen(s),
	    ": milter.internal_hosts: too many entries (10000, at most 4096)"), 1);
	free(s);
	s = big_text("policyd = { spf = { skip_domains = [ ", "\"example.com\"", 10000,
	    ", ", " ]; }; };\n");
	assert_int_equal(load_problems(s, strlen(s), NULL), 0);
	free(s);
	s = big_text("milter = { internal_hosts = [ ", "\"300.0.0.1\"", 1000, ", ",
	    " ]; };\n");
	assert_int_equal(load_problems(s, strlen(s), "internal_hosts[0]: bad value"), 101);
	free(s);
	s = big_text("x = ", "{ a = ", 20000, "", "1; };\n");
	assert_int_equal(load_problems(s, strlen(s), ":1: syntax error"), 1);
	free(s);
	s = big_text("x = ", "(", 20000, "", ";\n");
	assert_int_equal(load_problems(s, strlen(s), ":1: syntax error"), 1);
	free(s);
	assert_int_equal(load_problems("# caf\xe9 \xff\xfe\nuser = \"postseal\";\n", 29,
	    NULL), 0);
	assert_int_equal(load_problems("\xff\xfe\x00\x01garbage", 11, "NUL byte"), 1);
	assert_int_equal(load_problems("\xff\xfe garbage\n", 11, ":1: syntax error"), 1);
	assert_int_equal(load_problems("authserv_id = \"\x80\";", 18, "not valid UTF-8"), 1);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_all_problems),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sample_config),
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_socket_mode),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
