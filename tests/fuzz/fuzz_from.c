/*
 * libFuzzer target for the From header parser (domain_from_header) and the
 * envelope address helper.  Besides crashes and sanitizer reports, a
 * result that breaks the documented contract aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_result(const struct domain_from *f)
{
	size_t i;

	if (f->n_addresses == 0 || f->n_domains == 0 ||
	    f->n_domains > f->n_addresses ||
	    (f->domains_differ != 0) != (f->n_domains > 1))
		abort();
	if (!domain_valid(f->domain) || strcmp(f->domain, f->domains[0]) != 0 ||
	    strlen(f->local) + 1 + strlen(f->domain) > DOMAIN_MAX_ADDRESS)
		abort();
	for (i = 0; i < f->n_domains && i < DOMAIN_FROM_MAX_DOMAINS; i++)
		if (!domain_valid(f->domains[i]))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain_from f;
	struct domain_cidr c;
	char dom[DOMAIN_MAX_NAME + 1], *s;
	const char *why = NULL;

	if (domain_from_header((const char *)data, size, &f, &why) == 0)
		check_result(&f);
	else if (why == NULL)
		abort();
	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (domain_from_address(s, dom, sizeof dom) == 0 && !domain_valid(dom))
		abort();
	if (domain_cidr_parse(s, &c) == 0 && c.prefix > 128)
		abort();
	free(s);
	return 0;
}
