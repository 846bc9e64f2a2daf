/*
 * postseal dns-record: print the zone-file line that publishes an existing
 * key, the same line keygen printed when it made the key.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "conf.h"
#include "keys.h"
#include "toolconf.h"
#include "xmalloc.h"

/* The configured key of (domain, selector), else keys.directory/D/S.key. */
static char *
dnsrec_path(const struct conf *c, const char *domain, const char *selector)
{
	struct conf_sign s = { (char *)domain, (char *)selector, NULL };

	for (int i = 0; i < c->milter.n_sign; i++)
		if (strcasecmp(c->milter.sign[i].domain, domain) == 0 &&
		    strcmp(c->milter.sign[i].selector, selector) == 0)
			return conf_key_path(c, &c->milter.sign[i]);
	return conf_key_path(c, &s);
}

/* Only the public half is used, so an unsafe file is printed with a
 * warning rather than refused; check-keys is the place for verdicts. */
static int
dnsrec_print(const struct conf *c, const char *path, const char *domain,
    const char *selector)
{
	struct safepath_trust trust;
	char why[2048], *zone;
	EVP_PKEY *pk;
	int alg, bits, unsafe;

	toolconf_trust(c, NULL, 1, &trust);
	if (keys_load_file(path, &trust, &pk, &alg, &bits, &unsafe, why,
	    sizeof why) == -1) {
		fprintf(stderr, "postseal dns-record: %s\n", why);
		return EXIT_FINDING;
	}
	if (unsafe)
		fprintf(stderr, "postseal dns-record: warning: %s: %s\n", path,
		    why);
	zone = keys_zone_line(pk, domain, selector);
	printf("%s\n", zone);
	free(zone);
	EVP_PKEY_free(pk);
	return EXIT_OK;
}

static int
dnsrec_main(int argc, char **argv)
{
	const char *domain = NULL, *selector = NULL, *key = NULL, *cf = NULL;
	struct conf *c;
	char *path;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:d:k:s:")) != -1) {
		switch (ch) {
		case 'c': cf = optarg; break;
		case 'd': domain = optarg; break;
		case 'k': key = optarg; break;
		case 's': selector = optarg; break;
		default: return command_usage("dns-record");
		}
	}
	if (optind != argc || domain == NULL || selector == NULL)
		return command_usage("dns-record");
	if ((c = toolconf_load("dns-record", cf, 0)) == NULL)
		return EXIT_USAGE;
	path = key ? xstrdup(key) : dnsrec_path(c, domain, selector);
	rc = dnsrec_print(c, path, domain, selector);
	free(path);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(dns_record, "dns-record",
    "-d DOMAIN -s SELECTOR [-k KEYFILE] [-c FILE]",
    "print the DNS TXT record (zone-file line) of a DKIM key", dnsrec_main)
