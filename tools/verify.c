/*
 * postseal verify [-c FILE] [-K KEYFILE] < message
 *
 * Verifies every DKIM-Signature of a message file with lib/dkverify, keys
 * from DNS through the config's dns.nameservers (or, with -K, from a file
 * of "selector._domainkey.domain TXT" lines).  Prints one line per
 * signature: d= s= a= b= bits= result= reason=.  Exit 0 when at least one
 * signature passed, 1 otherwise, 2 on usage or config errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "dkcanon.h"
#include "dkverify.h"
#include "dns.h"
#include "log.h"
#include "toolconf.h"
#include "xmalloc.h"

#define VERIFY_MAX_MESSAGE (1024UL * 1024 * 1024)

/* Feed msg (CRLF) to v.  Returns 0, or -1 when the header is malformed. */
static int
verify_feed(struct dkverify *v, const char *msg, size_t len)
{
	struct dkcanon_field f;
	size_t off = 0;
	long r;

	while ((r = dkcanon_field(msg + off, len - off, &f)) > 0) {
		char *name = xstrndup(f.name, f.namelen);
		char *value = xstrndup(f.value, f.valuelen);
		dkverify_header(v, name, value);
		free(name);
		free(value);
		off += (size_t)r;
	}
	if (r != 0) {
		fprintf(stderr, "postseal verify: malformed header at byte %zu\n",
		    off);
		return -1;
	}
	if (dkverify_eoh(v) == -1)
		return -1;
	off = len - off >= 2 ? off + 2 : len;
	return dkverify_body(v, (const unsigned char *)msg + off, len - off);
}

static int
verify_print(const struct dkverify_result *r, size_t n)
{
	char reason[256];
	int pass = 0;

	for (size_t i = 0; i < n; i++) {
		printf("d=%s s=%s a=%s b=%s bits=%d result=%s reason=\"%s\"\n",
		    r[i].domain, r[i].selector, r[i].algorithm, r[i].b,
		    r[i].bits, dkverify_status_name(r[i].status),
		    log_quote(r[i].reason, reason, sizeof reason));
		pass |= r[i].status == DKVERIFY_PASS;
	}
	if (n == 0)
		printf("result=none reason=\"no DKIM-Signature header\"\n");
	return pass ? EXIT_OK : EXIT_FINDING;
}

static int
verify_message(struct dkverify_lib *l, int max)
{
	struct dkverify_result *res = NULL;
	struct dkverify *v;
	char *in, *msg;
	size_t inlen, len, n = 0;
	int rc = EXIT_FINDING;

	if ((in = toolconf_read(stdin, VERIFY_MAX_MESSAGE, &inlen)) == NULL) {
		fprintf(stderr, "postseal verify: cannot read the message\n");
		return EXIT_FINDING;
	}
	/* A file with Unix line ends stands for the CRLF message. */
	msg = dkcanon_to_crlf(in, inlen, &len);
	free(in);
	if ((v = dkverify_new(l, max)) == NULL)
		fprintf(stderr, "postseal verify: the verifier could not start\n");
	else if (verify_feed(v, msg, len) == 0 &&
	    dkverify_eom(v, &res, &n) == 0)
		rc = verify_print(res, n);
	free(res);
	dkverify_free(&v);
	free(msg);
	return rc;
}

static struct dkverify_lib *
verify_lib(const struct conf *c, const char *keyfile, struct dns **d)
{
	struct dkverify_lib *l;
	char why[512];

	if (keyfile != NULL)
		l = dkverify_lib_new_file(keyfile, why, sizeof why);
	else if ((*d = conf_resolver(c, why, sizeof why)) == NULL)
		l = NULL;
	else
		l = dkverify_lib_new(*d, why, sizeof why);
	if (l == NULL)
		fprintf(stderr, "postseal verify: %s\n", why);
	return l;
}

static int
verify_main(int argc, char **argv)
{
	const char *cpath = NULL, *keyfile = NULL;
	struct dkverify_lib *l;
	struct dns *d = NULL;
	struct conf *c;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:K:")) != -1) {
		switch (ch) {
		case 'c': cpath = optarg; break;
		case 'K': keyfile = optarg; break;
		default: return command_usage("verify");
		}
	}
	if (optind != argc)
		return command_usage("verify");
	if ((c = toolconf_load("verify", cpath, 0)) == NULL)
		return EXIT_USAGE;
	if ((l = verify_lib(c, keyfile, &d)) == NULL) {
		dns_free(&d);
		conf_free(&c);
		return EXIT_USAGE;
	}
	rc = verify_message(l, c->milter.max_signatures);
	dkverify_lib_free(&l);
	dns_free(&d);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(verify, "verify", "[-c FILE] [-K KEYFILE] < message",
    "verify every DKIM signature of a message; exit 0 iff one passes",
    verify_main)
