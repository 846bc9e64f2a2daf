/*
 * postseal sign [-c FILE] -d DOMAIN -s SELECTOR [-k KEYFILE] < msg > signed
 *
 * Signs a message file with lib/dksign, exactly as the milter would (the
 * config's canonicalization, signed and oversigned headers, x= ttl), and
 * writes it out with the DKIM-Signature header first.  Files with Unix
 * line ends are signed as the CRLF message they stand for on the wire and
 * written back with LF line ends.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "conf.h"
#include "dkcanon.h"
#include "dksign.h"
#include "keys.h"
#include "log.h"
#include "privdrop.h"
#include "toolconf.h"
#include "xmalloc.h"

#define SIGN_MAX_MESSAGE (1024UL * 1024 * 1024)

static EVP_PKEY *
sign_key(const struct conf *c, const char *domain, const char *selector,
    const char *keyfile)
{
	struct conf_sign cs = { (char *)domain, (char *)selector,
	    (char *)keyfile };
	struct safepath_trust trust = { .uid = (uid_t)-1,
	    .enforce = c->keys.require_safe };
	char *path = conf_key_path(c, &cs), why[1024];
	EVP_PKEY *pk = NULL;
	gid_t gid;
	int alg, bits, unsafe = 0;

	if (privdrop_lookup(c->user, &trust.uid, &gid, why, sizeof why) == -1)
		trust.uid = (uid_t)-1;	/* no daemon user here: root only */
	if (keys_load_file(path, &trust, &pk, &alg, &bits, &unsafe, why,
	    sizeof why) == -1)
		fprintf(stderr, "postseal sign: %s\n", why);
	else if (unsafe)
		fprintf(stderr, "postseal sign: warning: %s\n", why);
	free(path);
	return pk;
}

static void
sign_opts(const struct conf *c, struct dksign_opts *o)
{
	char hc[16] = "relaxed", bc[16] = "relaxed";
	enum dkcanon_mode m;

	sscanf(c->milter.canonicalization, "%15[a-z]/%15[a-z]", hc, bc);
	memset(o, 0, sizeof *o);
	o->header_canon = dkcanon_parse(hc, &m) == 0 ? (int)m : DKCANON_RELAXED;
	o->body_canon = dkcanon_parse(bc, &m) == 0 ? (int)m : DKCANON_RELAXED;
	o->sign_headers = (const char *const *)c->milter.sign_headers.v;
	o->n_sign_headers = c->milter.sign_headers.n;
	o->oversign_headers = (const char *const *)c->milter.oversign_headers.v;
	o->n_oversign = c->milter.oversign_headers.n;
	o->timestamp = (long)time(NULL);
	o->ttl = c->milter.signature_ttl;
}

/* Feed msg (CRLF) to s.  Returns 0, or -1 with why. */
static int
sign_feed(struct dksign *s, const char *msg, size_t len, char *why, size_t n)
{
	struct dkcanon_field f;
	size_t off = 0;
	long r;

	while ((r = dkcanon_field(msg + off, len - off, &f)) > 0) {
		char *name = xstrndup(f.name, f.namelen);
		char *value = xstrndup(f.value, f.valuelen);
		int ok = dksign_header(s, name, value);
		free(name);
		free(value);
		if (ok == -1)
			break;
		off += (size_t)r;
	}
	if (r != 0) {
		snprintf(why, n, "malformed header at byte %zu", off);
		return -1;
	}
	off = len - off >= 2 ? off + 2 : len;	/* the empty line */
	return dksign_body(s, (const unsigned char *)msg + off, len - off);
}

/* The signature header with the input's line ends. */
static void
sign_print(const char *value, int lf)
{
	fputs("DKIM-Signature:", stdout);
	for (; *value != '\0'; value++)
		if (!(lf && *value == '\r'))
			putchar(*value);
	fputs(lf ? "\n" : "\r\n", stdout);
}

static int
sign_message(const struct conf *c, const struct dksign_key *k)
{
	struct dksign_opts o;
	struct strlist sigs = { 0 };
	struct dksign *s;
	char *in, *msg, why[512] = "";
	size_t inlen, len;
	int lf, rc = EXIT_FINDING;

	if ((in = toolconf_read(stdin, SIGN_MAX_MESSAGE, &inlen)) == NULL) {
		fprintf(stderr, "postseal sign: cannot read the message\n");
		return EXIT_FINDING;
	}
	lf = memchr(in, '\n', inlen) != NULL &&
	    ((char *)memchr(in, '\n', inlen) == in ||
	    ((char *)memchr(in, '\n', inlen))[-1] != '\r');
	msg = lf ? dkcanon_to_crlf(in, inlen, &len) : in;
	if (!lf)
		len = inlen;
	sign_opts(c, &o);
	s = dksign_new(&o, k, 1);
	if (sign_feed(s, msg, len, why, sizeof why) == 0 &&
	    dksign_eom(s, &sigs, why, sizeof why) == 0) {
		for (size_t i = 0; i < sigs.n; i++)
			sign_print(sigs.v[i], lf);
		fwrite(in, 1, inlen, stdout);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FINDING;
	} else
		fprintf(stderr, "postseal sign: %s\n", why[0] ? why :
		    "the signer refused the message");
	dksign_free(&s);
	strlist_clear(&sigs);
	if (msg != in)
		free(msg);
	free(in);
	return rc;
}

static int
sign_main(int argc, char **argv)
{
	const char *cpath = NULL, *domain = NULL, *selector = NULL, *key = NULL;
	struct dksign_key k;
	struct conf *c;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:d:s:k:")) != -1) {
		switch (ch) {
		case 'c': cpath = optarg; break;
		case 'd': domain = optarg; break;
		case 's': selector = optarg; break;
		case 'k': key = optarg; break;
		default: return command_usage("sign");
		}
	}
	if (domain == NULL || selector == NULL || optind != argc)
		return command_usage("sign");
	if ((c = toolconf_load("sign", cpath, 0)) == NULL)
		return EXIT_USAGE;
	k.domain = domain;
	k.selector = selector;
	if ((k.pkey = sign_key(c, domain, selector, key)) == NULL) {
		conf_free(&c);
		return EXIT_USAGE;
	}
	rc = sign_message(c, &k);
	EVP_PKEY_free(k.pkey);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(sign, "sign", "[-c FILE] -d DOMAIN -s SELECTOR [-k KEYFILE] < message > signed",
    "sign a message with the key of DOMAIN/SELECTOR (DKIM-Signature prepended)",
    sign_main)
