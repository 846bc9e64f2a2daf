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

#include "command.h"
#include "conf.h"
#include "keys.h"
#include "keytable.h"
#include "strlist.h"
#include "toolconf.h"

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
	struct strlist problems = { 0 };
	struct keytable kt = { 0 };
	int rc = EXIT_OK;
	char *path;

	for (int i = 0; i < c->milter.n_sign; i++) {
		path = conf_key_path(c, &c->milter.sign[i]);
		rc = ckeys_worst(rc, ckeys_one(path, trust));
		free(path);
	}
	if (keytable_read(&kt, c->milter.keytable, c->milter.signingtable,
	    &problems) == -1)
		rc = EXIT_USAGE;
	for (size_t i = 0; i < problems.n; i++)
		printf("ERROR %s\n", problems.v[i]);
	for (size_t i = 0; i < kt.n_keys; i++)
		rc = ckeys_worst(rc, ckeys_one(kt.keys[i].path, trust));
	if (c->milter.n_sign == 0 && kt.n_keys == 0 && problems.n == 0)
		printf("no keys configured in %s\n", c->path);
	keytable_clear(&kt);
	strlist_clear(&problems);
	return rc;
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
	if ((c = toolconf_load("check-keys", cf, optind == argc)) == NULL)
		return EXIT_USAGE;
	/* Report every rule instead of stopping at the first. */
	toolconf_trust(c, user, 1, &trust);
	if (trust.uid == (uid_t)-1)
		fprintf(stderr, "postseal check-keys: warning: no user \"%s\"; "
		    "trusting root only\n", user ? user : c->user);
	if (optind == argc)
		rc = ckeys_configured(c, &trust);
	for (int i = optind; i < argc; i++)
		rc = ckeys_worst(rc, ckeys_one(argv[i], &trust));
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(check_keys, "check-keys", "[-c FILE] [--user USER] [KEYFILE...]",
    "check that every key loads and is stored safely", ckeys_main)
