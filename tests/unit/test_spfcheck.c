/* spfcheck: the milter trusts the policy daemon's Received-SPF header only
 * through this parser; hostile and malformed values must not turn into a
 * pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "spfcheck.h"

struct row {
	const char *value;
	int ok;
	enum spf_result result;
	const char *identity;
	const char *sender;
	const char *client_ip;
};

static const struct row rows[] = {
	{ " pass (mx: domain of a@example.org designates 192.0.2.1 as permitted "
	  "sender) identity=mailfrom; receiver=mx; client-ip=192.0.2.1; "
	  "envelope-from=\"a@example.org\"; helo=h", 0, SPF_RES_PASS,
	  "mailfrom", "a@example.org", "192.0.2.1" },
	{ "fail identity=helo; client-ip=\"2001:db8::1\"; envelope-from=\"\"; "
	  "helo=mx.example.org", 0, SPF_RES_FAIL, "helo", "", "2001:db8::1" },
	{ "SoftFail (x) identity=mailfrom; envelope-from=b@example.net", 0,
	  SPF_RES_SOFTFAIL, "mailfrom", "b@example.net", "" },
	{ "temperror", 0, SPF_RES_TEMPERROR, "", "", "" },
	{ "permerror (bad) identity=mailfrom", 0, SPF_RES_PERMERROR, "mailfrom",
	  "", "" },
	{ "none", 0, SPF_RES_NONE, "", "", "" },
	{ "neutral", 0, SPF_RES_NEUTRAL, "", "", "" },
	/* Not results: never taken for anything, least of all a pass. */
	{ "passed identity=mailfrom", -1, 0, NULL, NULL, NULL },
	{ "", -1, 0, NULL, NULL, NULL },
	{ "   ", -1, 0, NULL, NULL, NULL },
	{ "(pass) identity=mailfrom", -1, 0, NULL, NULL, NULL },
	{ "yes pass", -1, 0, NULL, NULL, NULL },
	/* A parameter named like ours inside another one is not ours. */
	{ "fail xidentity=mailfrom; identity=helo", 0, SPF_RES_FAIL, "helo", "",
	  "" },
};

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct spf_outcome o;
		int r = spfcheck_parse_received(rows[i].value, &o);

		assert_int_equal(r, rows[i].ok);
		if (r != 0)
			continue;
		assert_int_equal(o.result, rows[i].result);
		assert_string_equal(o.identity, rows[i].identity);
		assert_string_equal(o.sender, rows[i].sender);
		assert_string_equal(o.client_ip, rows[i].client_ip);
	}
}

/* Oversized parameters are cut to the field, never overflow it. */
static void
test_oversized(void **state)
{
	static char value[70000];
	struct spf_outcome o;

	(void)state;
	memcpy(value, "pass envelope-from=", 19);
	memset(value + 19, 'a', sizeof value - 20);
	value[sizeof value - 1] = '\0';
	assert_int_equal(spfcheck_parse_received(value, &o), 0);
	assert_int_equal(o.result, SPF_RES_PASS);
	assert_int_equal(strlen(o.sender), sizeof o.sender - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_oversized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
