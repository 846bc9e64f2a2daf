/* lib/pfconf: Postfix main.cf and master.cf, good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pfconf.h"

static void
parse_main(const char *text, struct pfconf_main *m)
{
	const char *why = NULL;
	size_t line = 0;

	assert_int_equal(pfconf_main_parse(text, strlen(text), m, &why, &line), 0);
}

static void
expect_expand(const struct pfconf_main *m, const char *name, const char *want)
{
	char *v = pfconf_expand(m, name);

	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void
test_main_continuation(void **state)
{
	struct pfconf_main m;
	const struct pfconf_param *p;

	(void)state;
	parse_main("# comment\n"
	    "myhostname = mx.example.com\n"
	    "\n"
	    "smtpd_recipient_restrictions =\n"
	    "    permit_mynetworks,\n"
	    "  # a comment inside does not end the line\n"
	    "    reject_unauth_destination\n"
	    "smtpd_milters=inet:127.0.0.1:8891   \n"
	    "myhostname = mail.example.com\n", &m);
	assert_int_equal(m.n, 3);
	p = pfconf_main_find(&m, "smtpd_recipient_restrictions");
	assert_non_null(p);
	assert_string_equal(p->value, "permit_mynetworks, reject_unauth_destination");
	assert_int_equal(p->line, 4);
	p = pfconf_main_find(&m, "myhostname");
	assert_string_equal(p->value, "mail.example.com");	/* last wins */
	assert_int_equal(p->line, 9);
	assert_string_equal(pfconf_main_find(&m, "smtpd_milters")->value,
	    "inet:127.0.0.1:8891");
	assert_null(pfconf_main_find(&m, "non_smtpd_milters"));
	pfconf_main_clear(&m);
}

static void
test_main_expand(void **state)
{
	struct pfconf_main m;

	(void)state;
	parse_main("a = x\n"
	    "b = $a/y\n"
	    "c = ${b}/z and $(a)\n"
	    "d = ${a?set} ${nothere?set} ${nothere:dflt} ${a:dflt}\n"
	    "e = $undefined.tail\n"
	    "loop = $loop+\n"
	    "cost = 5$\n"
	    "open = ${a\n", &m);
	expect_expand(&m, "b", "x/y");
	expect_expand(&m, "c", "x/y/z and x");
	expect_expand(&m, "d", "set  dflt ");
	expect_expand(&m, "e", ".tail");
	expect_expand(&m, "cost", "5$");
	expect_expand(&m, "open", "${a");
	expect_expand(&m, "missing", NULL);
	{
		char *v = pfconf_expand(&m, "loop");	/* bounded, never endless */
		assert_non_null(v);
		assert_true(strlen(v) > PFCONF_MAX_DEPTH);
		assert_true(strlen(v) < PFCONF_MAX_EXPAND);
		free(v);
	}
	pfconf_main_clear(&m);
}

static void
test_main_bad(void **state)
{
	static const struct { const char *text; size_t line; const char *why; } rows[] = {
		{ "  indented = first\n", 1, "continuation" },
		{ "a = 1\nno equals sign here\n", 2, "missing '='" },
		{ "a = 1\n= value\n", 2, "bad parameter name" },
		{ "bad name = 1\n", 1, "bad parameter name" },
		{ "a = 1\nbad name = 1\n  continued\nc = 3\n", 2, "bad parameter name" },
	};
	struct pfconf_main m;
	const char *why;
	size_t line;
	char nul[] = "a = 1\nb = \0x\n";

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		why = NULL;
		line = 0;
		assert_int_equal(pfconf_main_parse(rows[i].text,
		    strlen(rows[i].text), &m, &why, &line), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, rows[i].why));
		assert_int_equal(line, rows[i].line);
		assert_int_equal(m.n, 0);
	}
	assert_int_equal(pfconf_main_parse(nul, sizeof nul - 1, &m, &why, &line), -1);
	assert_string_equal(why, "NUL byte in file");
}

static void
test_split(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	pfconf_split(" permit_mynetworks,reject_unauth_destination ,\n"
	    "check_policy_service { inet:127.0.0.1:10023, timeout=10s },  x", &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0], "permit_mynetworks");
	assert_string_equal(l.v[1], "reject_unauth_destination");
	assert_string_equal(l.v[2], "check_policy_service");
	assert_string_equal(l.v[3], "{ inet:127.0.0.1:10023, timeout=10s }");
	assert_string_equal(l.v[4], "x");
	strlist_clear(&l);
	pfconf_split("", &l);
	assert_int_equal(l.n, 0);
}

static const char master_cf[] =
    "# service type  private unpriv  chroot  wakeup  maxproc command + args\n"
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "submission inet n       -       y       -       -       smtpd\n"
    "  -o syslog_name=postfix/submission\n"
    "  -o smtpd_tls_security_level=encrypt\n"
    "#  -o smtpd_sasl_auth_enable=no\n"
    "  -o smtpd_sasl_auth_enable=yes\n"
    "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
    "  -osmtpd_milters=inet:127.0.0.1:8891\n"
    "pickup    unix  n       -       y       60      1       pickup\n"
    "policy-spawn unix - n n - 0 spawn\n"
    "  user=postseal argv=/usr/sbin/postseal-policyd --stdio\n";

static void
test_master(void **state)
{
	struct pfconf_master m;
	const struct pfconf_service *s;
	const char *why = NULL;
	size_t line = 0;

	(void)state;
	assert_int_equal(pfconf_master_parse(master_cf, strlen(master_cf), &m,
	    &why, &line), 0);
	assert_int_equal(m.n, 4);
	s = pfconf_master_find(&m, "submission", "inet");
	assert_non_null(s);
	assert_int_equal(s->line, 3);
	assert_string_equal(s->chroot, "y");
	assert_string_equal(s->command, "smtpd");
	assert_int_equal(s->n_opts, 5);
	assert_string_equal(pfconf_service_opt(s, "smtpd_tls_security_level"), "encrypt");
	assert_string_equal(pfconf_service_opt(s, "smtpd_sasl_auth_enable"), "yes");
	assert_string_equal(pfconf_service_opt(s, "smtpd_client_restrictions"),
	    "permit_sasl_authenticated, reject");
	assert_string_equal(pfconf_service_opt(s, "smtpd_milters"), "inet:127.0.0.1:8891");
	assert_null(pfconf_service_opt(s, "smtpd_tls_auth_only"));
	assert_null(pfconf_master_find(&m, "submission", "unix"));
	s = pfconf_master_find(&m, "policy-spawn", NULL);
	assert_non_null(s);
	assert_string_equal(s->wakeup, "-");
	assert_string_equal(s->maxproc, "0");
	assert_int_equal(s->args.n, 3);
	assert_string_equal(s->args.v[0], "user=postseal");
	assert_string_equal(s->args.v[2], "--stdio");
	pfconf_master_clear(&m);
	assert_int_equal(m.n, 0);
}

static void
test_master_bad(void **state)
{
	static const struct { const char *text; size_t line; const char *why; } rows[] = {
		{ "smtp inet n - y - - \n", 1, "fewer than 8" },
		{ "smtp inet n - y - - smtpd\n  -o\n", 1, "-o without" },
		{ "smtp inet n - y - - smtpd -o {\n  a = b\n", 1, "-o without" },
		{ "  -o a=b\n", 1, "continuation" },
	};
	struct pfconf_master m;
	const char *why;
	size_t line;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		why = NULL;
		line = 0;
		assert_int_equal(pfconf_master_parse(rows[i].text,
		    strlen(rows[i].text), &m, &why, &line), -1);
		assert_non_null(strstr(why, rows[i].why));
		assert_int_equal(line, rows[i].line);
		assert_int_equal(m.n, 0);
	}
}

/*
 * A continuation line of blanks and other white space (form feed, vertical
 * tab): found by fuzz_pfconf, it once made a negative-length copy.
 */
static void
test_whitespace_continuation(void **state)
{
	static const char main_cf[] = "smtpd_milters = inet:127.0.0.1:8891\n"
	    "  \f\n  \v \f\nmyhostname = mx.example.com\n";
	static const char master_ws[] = "smtp inet n - n - - smtpD\n"
	    "  \fo smtpd_milters=inet:\n  \f";
	struct pfconf_main m;
	struct pfconf_master ms;
	const char *why = NULL;
	size_t line = 0;

	(void)state;
	assert_int_equal(pfconf_main_parse(main_cf, sizeof main_cf - 1, &m,
	    &why, &line), 0);
	assert_string_equal(pfconf_main_find(&m, "smtpd_milters")->value,
	    "inet:127.0.0.1:8891");
	assert_string_equal(pfconf_main_find(&m, "myhostname")->value,
	    "mx.example.com");
	pfconf_main_clear(&m);
	/* accepted or refused with a reason; never a bad copy */
	why = NULL;
	if (pfconf_master_parse(master_ws, sizeof master_ws - 1, &ms, &why,
	    &line) == 0)
		pfconf_master_clear(&ms);
	else
		assert_non_null(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_continuation),
		cmocka_unit_test(test_main_expand),
		cmocka_unit_test(test_main_bad),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_master),
		cmocka_unit_test(test_master_bad),
		cmocka_unit_test(test_whitespace_continuation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
