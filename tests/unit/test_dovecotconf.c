/* lib/dovecotconf: dovecot.conf sections, settings and includes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovecotconf.h"

static const char conf[] =
    "# Dovecot\n"
    "protocols = imap lmtp\n"
    "mail_location = maildir:/var/mail/vhosts/%d/%n   # trailing comment\n"
    "service auth {\n"
    "  unix_listener /var/spool/postfix/private/auth {\n"
    "    mode = 0660\n"
    "    user = postfix\n"
    "    group = \"postfix\"\n"
    "  }\n"
    "  user = dovecot\n"
    "}\n"
    "passdb {\n"
    "  driver = passwd-file\n"
    "  args = scheme=CRYPT username_format=%u /etc/dovecot/users\n"
    "}\n"
    "!include_try local.conf\n";

static void
test_parse(void **state)
{
	struct dovecotconf dc = { 0 };
	const struct dovecotconf_entry *e;
	const char *why = NULL, *L = "service auth > unix_listener /var/spool/postfix/private/auth";
	size_t line = 0;

	(void)state;
	assert_int_equal(dovecotconf_parse(&dc, conf, strlen(conf), "dovecot.conf",
	    "", &why, &line), 0);
	assert_string_equal(dovecotconf_get(&dc, "", "protocols"), "imap lmtp");
	assert_string_equal(dovecotconf_get(&dc, "", "mail_location"),
	    "maildir:/var/mail/vhosts/%d/%n");
	assert_string_equal(dovecotconf_get(&dc, L, "mode"), "0660");
	assert_string_equal(dovecotconf_get(&dc, L, "group"), "postfix");
	assert_string_equal(dovecotconf_get(&dc, "service auth", "user"), "dovecot");
	assert_null(dovecotconf_get(&dc, "", "user"));
	e = dovecotconf_find(&dc, "passdb", "args");
	assert_non_null(e);
	assert_int_equal(e->line, 14);
	assert_string_equal(e->file, "dovecot.conf");
	assert_string_equal(e->value, "scheme=CRYPT username_format=%u /etc/dovecot/users");
	e = dovecotconf_find(&dc, "", "!include_try");
	assert_non_null(e);
	assert_string_equal(e->value, "local.conf");
	dovecotconf_clear(&dc);
	assert_int_equal(dc.n, 0);
}

static void
test_bad(void **state)
{
	static const struct { const char *text; size_t line; const char *why; } rows[] = {
		{ "a = 1\n}\n", 2, "without an open section" },
		{ "service auth {\n  a = 1\n", 3, "not closed" },
		{ "just words\n", 1, "neither" },
		{ " = 1\n", 1, "without a name" },
	};
	struct dovecotconf dc = { 0 };
	const char *why;
	size_t line;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		why = NULL;
		assert_int_equal(dovecotconf_parse(&dc, rows[i].text,
		    strlen(rows[i].text), "x.conf", "", &why, &line), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, rows[i].why));
		assert_int_equal(line, rows[i].line);
		dovecotconf_clear(&dc);
	}
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A staged tree: root/etc/dovecot/dovecot.conf includes every conf.d file. */
static void
test_read_includes(void **state)
{
	char root[] = "/tmp/dctest.XXXXXX", p[512];
	struct dovecotconf dc = { 0 };
	struct strlist problems = { 0 };
	const struct dovecotconf_entry *e;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof p, "%s/etc", root), mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/dovecot", root), mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/dovecot/conf.d", root), mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/dovecot/dovecot.conf", root);
	put(p, "a = top\n!include conf.d/*.conf\n!include_try /etc/dovecot/none.conf\n"
	    "service auth {\n  !include /etc/dovecot/inner.ext\n}\nz = last\n");
	snprintf(p, sizeof p, "%s/etc/dovecot/conf.d/10-auth.conf", root);
	put(p, "auth_mechanisms = plain login\n");
	snprintf(p, sizeof p, "%s/etc/dovecot/conf.d/20-b.conf", root);
	put(p, "a = overridden\n");
	snprintf(p, sizeof p, "%s/etc/dovecot/inner.ext", root);
	put(p, "user = dovecot\n");
	assert_int_equal(dovecotconf_read(&dc, root, "/etc/dovecot/dovecot.conf",
	    &problems), 0);
	assert_int_equal(problems.n, 0);
	assert_int_equal(dc.n, 5);
	assert_string_equal(dovecotconf_get(&dc, "", "a"), "overridden");
	assert_string_equal(dovecotconf_get(&dc, "", "auth_mechanisms"), "plain login");
	assert_string_equal(dovecotconf_get(&dc, "service auth", "user"), "dovecot");
	assert_string_equal(dc.v[4].key, "z");	/* includes expanded in place */
	e = dovecotconf_find(&dc, "", "auth_mechanisms");
	snprintf(p, sizeof p, "%s/etc/dovecot/conf.d/10-auth.conf", root);
	assert_string_equal(e->file, p);
	dovecotconf_clear(&dc);

	/* A missing plain !include is a problem that names the line. */
	snprintf(p, sizeof p, "%s/etc/dovecot/dovecot.conf", root);
	put(p, "a = 1\n!include missing.conf\n");
	assert_int_equal(dovecotconf_read(&dc, root, "/etc/dovecot/dovecot.conf",
	    &problems), -1);
	assert_int_equal(problems.n, 1);
	assert_non_null(strstr(problems.v[0], "dovecot.conf:2: !include missing.conf"));
	strlist_clear(&problems);
	dovecotconf_clear(&dc);
	snprintf(p, sizeof p, "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_read_includes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
