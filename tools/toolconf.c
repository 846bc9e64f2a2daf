/* toolconf: see toolconf.h. */
#include "toolconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"
#include "safepath.h"
#include "xmalloc.h"

struct conf *
toolconf_load(const char *cmd, const char *path, int need_file)
{
	struct strlist problems = { 0 };
	struct conf *c;

	if (path == NULL && access(CONF_DEFAULT_PATH, F_OK) == -1) {
		if (!need_file)
			return conf_defaults();
		fprintf(stderr, "postseal %s: %s does not exist; give -c FILE\n",
		    cmd, CONF_DEFAULT_PATH);
		return NULL;
	}
	if ((c = conf_load(path ? path : CONF_DEFAULT_PATH, &problems)) == NULL)
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "postseal %s: %s\n", cmd, problems.v[i]);
	strlist_clear(&problems);
	return c;
}

void
toolconf_trust(const struct conf *c, const char *user, int report_only,
    struct safepath_trust *t)
{
	char why[512];
	gid_t gid;

	memset(t, 0, sizeof *t);
	t->uid = (uid_t)-1;
	t->enforce = report_only ? 0 : c->keys.require_safe;
	if (privdrop_lookup(user ? user : c->user, &t->uid, &gid, why,
	    sizeof why) == -1)
		t->uid = (uid_t)-1;
}

char *
toolconf_read(FILE *in, size_t max, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *p = xmalloc(cap + 1);

	while ((r = fread(p + n, 1, cap - n, in)) > 0) {
		n += r;
		if (n < cap)
			continue;
		if (cap >= max) {
			free(p);
			return NULL;
		}
		cap *= 2;
		p = xreallocarray(p, cap + 1, 1);
	}
	if (ferror(in)) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	*len = n;
	return p;
}
