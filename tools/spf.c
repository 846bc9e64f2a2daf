/*
 * postseal spf [-c FILE] IP SENDER [HELO]
 *
 * Runs the SPF check the daemons run, through the configured resolver
 * (dns.nameservers, dns.timeout), and prints the result, the identity and
 * domain checked, the explanation, the matching mechanism and every DNS
 * look-up.  An empty SENDER ("") checks the HELO identity.
 * Exit: 0 pass, 1 any other result, 2 usage or configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "dns.h"
#include "log.h"
#include "spf.h"
#include "strlist.h"

/* Text from DNS is printed with control characters escaped. */
static void
spfcmd_print(const char *key, const char *value)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");

	printf("%s: ", key);
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static struct conf *
spfcmd_conf(const char *path, int explicit_path)
{
	struct strlist problems = { 0 };
	struct conf *c;
	size_t i;

	if (!explicit_path && access(path, F_OK) == -1 && errno == ENOENT)
		return conf_defaults();
	if ((c = conf_load(path, &problems)) == NULL) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "postseal spf: %s\n", problems.v[i]);
		if (problems.n == 0)
			fprintf(stderr, "postseal spf: %s: cannot load\n", path);
	}
	strlist_clear(&problems);
	return c;
}

static struct spf *
spfcmd_engine(const struct conf *c, struct dns **dns)
{
	struct spf *s;
	char why[256];

	if ((*dns = conf_resolver(c, why, sizeof why)) == NULL) {
		fprintf(stderr, "postseal spf: resolver: %s\n", why);
		return NULL;
	}
	if ((s = spf_new(*dns, c->authserv_id, why, sizeof why)) == NULL) {
		fprintf(stderr, "postseal spf: %s\n", why);
		dns_free(dns);
	}
	return s;
}

static void
spfcmd_report(const struct spf_outcome *o)
{
	size_t i;

	spfcmd_print("result", spf_result_name(o->result));
	spfcmd_print("identity", o->identity);
	spfcmd_print("client-ip", o->client_ip);
	spfcmd_print("sender", o->sender);
	spfcmd_print("domain", o->domain);
	spfcmd_print("explanation", o->explanation);
	spfcmd_print("mechanism", o->mechanism[0] ? o->mechanism :
	    "(not reported)");
	spfcmd_print("engine", spf_engine_name());
	for (i = 0; i < o->lookups.n; i++)
		spfcmd_print("lookup", o->lookups.v[i]);
}

static int
spfcmd_run(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct spf_outcome out;
	struct conf *c;
	struct dns *dns = NULL;
	struct spf *s;
	int ch, explicit_path = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			return command_usage("spf");
		path = optarg;
		explicit_path = 1;
	}
	if (argc - optind < 2 || argc - optind > 3)
		return command_usage("spf");
	if ((c = spfcmd_conf(path, explicit_path)) == NULL)
		return EXIT_USAGE;
	if ((s = spfcmd_engine(c, &dns)) == NULL) {
		conf_free(&c);
		return EXIT_USAGE;
	}
	spf_check(s, argv[optind], argc - optind == 3 ? argv[optind + 2] : NULL,
	    argv[optind + 1], &out);
	spfcmd_report(&out);
	spf_outcome_clear(&out);
	spf_free(&s);
	dns_free(&dns);
	conf_free(&c);
	return out.result == SPF_RES_PASS ? EXIT_OK : EXIT_FINDING;
}

POSTSEAL_COMMAND(spf, "spf", "[-c FILE] IP SENDER [HELO]",
    "SPF check of a client address, sender and HELO name, with every look-up",
    spfcmd_run)
