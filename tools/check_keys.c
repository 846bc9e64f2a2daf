/*
 * postseal check-keys: load every key as the daemon would and say, per key,
 *   OK path (rsa 2048)
 *   UNSAFE path: reason (fix: command)
 *   ERROR path: reason
 * Exit 0 when every key is OK, 1 when any is not, 2 on usage or config error.
 * Keys are loaded with the safe-path rules reported, not enforced, so one
 * run shows every problem of every key.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "keys.h"
#include "privdrop.h"
#include "strlist.h"

/* Print the verdict on one key; returns EXIT_OK or EXIT_FINDING. */
static int
ckeys_one(const char *path, const struct safepath_trust *trust)
{
	char why[2048];
	EVP_PKEY *pk = NULL;
	int alg, bits, unsafe;

	if (keys_load_file(path, trust, &pk, &alg, &bits, &unsafe, why,
	    sizeof why) == -1) {
		printf("ERROR %s\n", why);
		return EXIT_FINDING;
	}
	EVP_PKEY_free(pk);
	if (unsafe) {
		printf("UNSAFE %s: %s\n", path, why);
		return EXIT_FINDING;
	}
	printf("OK %s (%s %d)\n", path, keys_alg_name(alg), bits);
	return EXIT_OK;
}

static int
ckeys_worst(int a, int b)
{
	return a > b ? a : b;
}

/* milter.sign keys, then the KeyTable's. */
static int
ckeys_configured(const struct conf *c, const struct safepath_trust *trust)
{
	struct strlist paths = { 0 }, problems = { 0 };
	int rc = EXIT_OK;
	char *path;

	for (int i = 0; i < c->milter.n_sign; i++) {
		path = conf_key_path(c, &c->milter.sign[i]);
		rc = ckeys_worst(rc, ckeys_one(path, trust));
		free(path);
	}
	if (*c->milter.keytable != '\0' &&
	    keys_opendkim_paths(c->milter.keytable, &paths, &problems) == -1)
		rc = EXIT_USAGE;
	for (size_t i = 0; i < problems.n; i++)
		printf("ERROR %s\n", problems.v[i]);
	for (size_t i = 0; i < paths.n; i++)
		rc = ckeys_worst(rc, ckeys_one(paths.v[i], trust));
	if (c->milter.n_sign == 0 && paths.n == 0 && problems.n == 0)
		printf("no keys configured in %s\n", c->path);
	strlist_clear(&paths);
	strlist_clear(&problems);
	return rc;
}

static struct conf *
ckeys_conf(const char *path, int need)
{
	struct strlist problems = { 0 };
	struct conf *c;

	if (path == NULL && access(CONF_DEFAULT_PATH, F_OK) == -1) {
		if (!need)
			return conf_defaults();
		fprintf(stderr, "postseal check-keys: %s does not exist; give "
		    "-c FILE or KEYFILEs\n", CONF_DEFAULT_PATH);
		return NULL;
	}
	if ((c = conf_load(path ? path : CONF_DEFAULT_PATH, &problems)) == NULL)
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "postseal check-keys: %s\n", problems.v[i]);
	strlist_clear(&problems);
	return c;
}

/* Trust root and the daemon user, as the daemon will. */
static void
ckeys_trust(const char *user, struct safepath_trust *t)
{
	char why[512];
	uid_t uid;
	gid_t gid;

	t->uid = (uid_t)-1;
	t->enforce = 0;
	if (privdrop_lookup(user, &uid, &gid, why, sizeof why) == 0)
		t->uid = uid;
	else
		fprintf(stderr, "postseal check-keys: warning: %s; trusting "
		    "root only\n", why);
}

static int
ckeys_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct safepath_trust trust = { 0 };
	const char *cf = NULL, *user = NULL;
	struct conf *c;
	int ch, rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cf = optarg; break;
		case 'u': user = optarg; break;
		default: return command_usage("check-keys");
		}
	}
	if ((c = ckeys_conf(cf, optind == argc)) == NULL)
		return EXIT_USAGE;
	ckeys_trust(user ? user : c->user, &trust);
	if (optind == argc)
		rc = ckeys_configured(c, &trust);
	for (int i = optind; i < argc; i++)
		rc = ckeys_worst(rc, ckeys_one(argv[i], &trust));
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(check_keys, "check-keys", "[-c FILE] [--user USER] [KEYFILE...]",
    "check that every key loads and is stored safely", ckeys_main)
