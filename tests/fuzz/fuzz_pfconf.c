/*
 * libFuzzer target for lib/pfconf: any bytes as main.cf and as master.cf.
 * The parsers must return 0 or -1 with a reason and a line, never read
 * outside the input, and what they return must be usable: every parsed
 * name is found again and expands within the bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pfconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_main(const struct pfconf_main *m)
{
	char *v;

	for (size_t i = 0; i < m->n; i++) {
		if (pfconf_main_find(m, m->v[i].name) != &m->v[i])
			abort();
		if ((v = pfconf_expand(m, m->v[i].name)) == NULL ||
		    strlen(v) >= PFCONF_MAX_EXPAND)
			abort();
		free(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfconf_main m;
	struct pfconf_master ms;
	struct strlist l = { 0 };
	const char *why = NULL;
	size_t line = 0;

	if (pfconf_main_parse((const char *)data, size, &m, &why, &line) == 0) {
		check_main(&m);
		for (size_t i = 0; i < m.n; i++)
			pfconf_split(m.v[i].value, &l);
		strlist_clear(&l);
		pfconf_main_clear(&m);
	} else if (why == NULL || line == 0 || m.n != 0)
		abort();
	why = NULL;
	if (pfconf_master_parse((const char *)data, size, &ms, &why, &line) == 0) {
		for (size_t i = 0; i < ms.n; i++)
			if (pfconf_master_find(&ms, ms.v[i].name, ms.v[i].type) == NULL)
				abort();
		pfconf_master_clear(&ms);
	} else if (why == NULL || ms.n != 0)
		abort();
	return 0;
}
