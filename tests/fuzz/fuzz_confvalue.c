/*
 * libFuzzer target for lib/confvalue: the input, exactly as given (no NUL
 * after it), goes to every value check and to both socket_mode readers.
 * Besides crashes and sanitizer reports, a result that breaks the contract
 * in confvalue.h aborts: a status other than 0/-1, a failure without a
 * reason, a success that touched the reason, an accepted value that breaks
 * the syntax the check promises, or a mode outside 0000..0777.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "confvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*check_fn)(const char *, size_t, const char **);

static const check_fn checkers[] = {
	confvalue_text, confvalue_domain, confvalue_account, confvalue_abspath,
	confvalue_table, confvalue_header, confvalue_canon, confvalue_cidr,
	confvalue_nameserver, confvalue_milter_socket, confvalue_policyd_socket,
};

static const char untouched[] = "untouched";

static int
has_prefix(const char *s, size_t len, const char *p)
{
	return len >= strlen(p) && memcmp(s, p, strlen(p)) == 0;
}

/* One check; 1 when it accepted s, with the status contract enforced. */
static int
accepts(check_fn fn, const char *s, size_t len)
{
	const char *why = untouched;
	int rc = fn(s, len, &why);

	if (rc == 0 && why == untouched)
		return 1;
	if (rc == -1 && why != NULL && why != untouched && why[0] != '\0')
		return 0;
	abort();
}

/* What an accepted value promises, checked from the outside. */
static void
check_promises(const char *s, size_t len)
{
	int nul = memchr(s, '\0', len) != NULL;

	if (accepts(confvalue_domain, s, len) &&
	    (len == 0 || len > CONFVALUE_MAX_DOMAIN || nul || s[0] == '.' ||
	    s[len - 1] == '.' || memchr(s, '/', len) != NULL ||
	    !accepts(confvalue_text, s, len)))
		abort();
	if (accepts(confvalue_account, s, len) &&
	    (len == 0 || len > CONFVALUE_MAX_ACCOUNT || s[0] == '-' || nul))
		abort();
	if (accepts(confvalue_abspath, s, len) &&
	    (len == 0 || s[0] != '/' || len > CONFVALUE_MAX_PATH || nul))
		abort();
	if (accepts(confvalue_header, s, len) &&
	    (len == 0 || memchr(s, ':', len) != NULL ||
	    !accepts(confvalue_text, s, len)))
		abort();
	if (accepts(confvalue_text, s, len) &&
	    (len > CONFVALUE_MAX_TEXT || nul || memchr(s, '\n', len) != NULL))
		abort();
	if (accepts(confvalue_cidr, s, len) &&
	    (nul || len > CONFVALUE_MAX_ADDRESS + 4))
		abort();
	if ((accepts(confvalue_milter_socket, s, len) ||
	    accepts(confvalue_policyd_socket, s, len)) &&
	    (nul || len > CONFVALUE_MAX_SOCKET || (!has_prefix(s, len, "unix:/") &&
	    !has_prefix(s, len, "local:/") && !has_prefix(s, len, "inet"))))
		abort();
}

static void
check_modes(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	long long v = 0;
	int mode = -1;

	if (confvalue_mode_string((const char *)data, size, &mode, &why) == 0 &&
	    (mode < 0 || mode > 0777 || size == 0 || size > 4))
		abort();
	if (size < 1 + sizeof v)
		return;
	memcpy(&v, data + 1, sizeof v);
	mode = -1;
	if (confvalue_mode_number(v, data[0] & 1, &mode, &why) == 0) {
		if (mode < 0 || mode > 0777)
			abort();
	} else if (mode != -1 || why == NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	for (size_t i = 0; i < sizeof checkers / sizeof checkers[0]; i++)
		(void)accepts(checkers[i], s, size);
	check_promises(s, size);
	check_modes(data, size);
	return 0;
}
