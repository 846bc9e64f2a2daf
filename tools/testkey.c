/*
 * postseal testkey: check that each signing key is published in DNS as it
 * should be, the way a verifier will see it.
 *
 * Per key (every milter.sign entry, or the one given with -d/-s), lines read
 * "SELECTOR._domainkey.DOMAIN: finding", one finding per line: the key file
 * (loads? stored safely?), the TXT record (published? valid? revoked?
 * testing? k= and p= matching the private key?), and the DNSSEC state,
 * then "key OK" when nothing is wrong.  A temporary DNS failure is reported
 * as temporary ("try again"), never as "not published"; an answer that
 * fails DNSSEC validation as "DNSSEC: bogus", with the validator's reason.
 * Exit 0 every key OK, 1 any finding, 2 usage or configuration error.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "command.h"
#include "conf.h"
#include "dkkey.h"
#include "dns.h"
#include "keys.h"
#include "privdrop.h"
#include "strlist.h"
#include "xmalloc.h"

struct testkey {
	struct dns *dns;
	struct safepath_trust trust;
	int timeout;
};

/* One key under test; findings counts what is wrong with it. */
struct tk_key {
	const char *domain, *selector, *path;
	char name[512];		/* SELECTOR._domainkey.DOMAIN */
	EVP_PKEY *pk;
	int alg;
	int findings;
};

static void tk_say(struct tk_key *k, int finding, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tk_say(struct tk_key *k, int finding, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", k->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	k->findings += finding;
}

/* Load the private key and report how it is stored (check-keys verdict). */
static void
tk_load(struct testkey *t, struct tk_key *k)
{
	char why[2048];
	int bits, unsafe = 0;

	if (keys_load_file(k->path, &t->trust, &k->pk, &k->alg, &bits, &unsafe,
	    why, sizeof why) == -1) {
		tk_say(k, 1, "key file cannot be used: %s", why);
		return;
	}
	if (unsafe)
		tk_say(k, 1, "key file is not stored safely: %s", why);
	else
		tk_say(k, 0, "key file %s (%s %d) is stored safely", k->path,
		    keys_alg_name(k->alg), bits);
}

/* The private key's public half as bytes (the form p= carries). */
static long
tk_public(EVP_PKEY *pk, unsigned char *out, size_t max)
{
	char *b64;
	long n;

	if (keys_public_b64(pk, &b64) == -1)
		return -1;
	n = dkkey_b64decode(b64, strlen(b64), out, max);
	free(b64);
	return n;
}

/* Does p= hold pk's public key?  RSA p= may also be a bare PKCS#1
 * RSAPublicKey (older generators), so compare parsed keys as well. */
static int
tk_same_key(EVP_PKEY *pk, const struct dkkey *rec)
{
	unsigned char mine[DKKEY_MAX_KEY];
	const unsigned char *p = rec->key;
	EVP_PKEY *pub;
	long n;
	int eq;

	n = tk_public(pk, mine, sizeof mine);
	if (n > 0 && (size_t)n == rec->key_len && memcmp(mine, rec->key, (size_t)n) == 0)
		return 1;
	if (keys_alg_of(pk) != KEYS_ALG_RSA)
		return 0;
	pub = d2i_PUBKEY(NULL, &p, (long)rec->key_len);
	if (pub == NULL) {
		p = rec->key;
		pub = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)rec->key_len);
	}
	eq = pub != NULL && EVP_PKEY_eq(pk, pub) == 1;
	EVP_PKEY_free(pub);
	return eq;
}

static void
tk_not_published(struct tk_key *k, const char *what)
{
	char *line;

	tk_say(k, 1, "not published: %s", what);
	if (k->pk != NULL && (line = keys_zone_line(k->pk, k->domain,
	    k->selector)) != NULL) {
		printf("%s: publish this line in the zone of %s:\n%s\n", k->name,
		    k->domain, line);
		free(line);
	}
}

static void
tk_check_record(struct tk_key *k, const struct dkkey *r)
{
	if (r->revoked) {
		tk_say(k, 1, "key revoked in DNS (empty p=): verifiers fail "
		    "every signature made with it");
		return;
	}
	if (r->flags & DKKEY_T_TESTING)
		tk_say(k, 1, "testing mode (t=y): verifiers may treat failing "
		    "signatures as unsigned; remove t=y when done testing");
	if (!r->service_email)
		tk_say(k, 1, "s= does not include email: the key is not for mail");
	if (!(r->hashes & DKKEY_H_SHA256))
		tk_say(k, 1, "h= excludes sha256, which postseal signs with");
	if (k->pk == NULL)
		return;
	if ((r->type == DKKEY_ED25519) != (k->alg == KEYS_ALG_ED25519)) {
		tk_say(k, 1, "k=%s in DNS but the private key is %s",
		    dkkey_type_name(r->type), keys_alg_name(k->alg));
		return;
	}
	if (!tk_same_key(k->pk, r))
		tk_say(k, 1, "public key in DNS does not match the private key "
		    "%s: publish the record of this key again", k->path);
}

static void
tk_security(struct tk_key *k, enum dns_security sec)
{
	if (sec == DNS_SEC_SECURE)
		tk_say(k, 0, "DNSSEC: secure");
	else if (sec == DNS_SEC_INSECURE)
		tk_say(k, 0, "DNSSEC: insecure (the zone is not signed)");
	else
		tk_say(k, 0, "DNSSEC: not validated (no dns.trust_anchor "
		    "configured)");
}

static void
tk_answer(struct tk_key *k, const struct dns_answer *a)
{
	struct dkkey rec;
	const char *why;

	if (a->n > 1)
		tk_say(k, 1, "%zu TXT records at %s: verifiers may use any of "
		    "them; keep exactly one", a->n, k->name);
	if (dkkey_parse(a->txt[0], a->txt_len[0], &rec, &why) == -1) {
		tk_say(k, 1, "published record is not a valid DKIM key "
		    "record: %s", why);
		return;
	}
	tk_check_record(k, &rec);
}

static void
tk_lookup(struct testkey *t, struct tk_key *k)
{
	struct dns_answer a;

	switch (dns_txt(t->dns, k->name, &a)) {
	case DNS_OK:
		tk_answer(k, &a);
		tk_security(k, a.security);
		break;
	case DNS_NXDOMAIN:
		tk_not_published(k, "the name does not exist in DNS (NXDOMAIN)");
		break;
	case DNS_NODATA:
		tk_not_published(k, "the name has no TXT record");
		break;
	case DNS_TEMP:
		/* Mail treats a bogus answer as temporary (lib/dns); for the
		 * admin it is a zone to fix, not a wait. */
		if (a.security == DNS_SEC_BOGUS)
			tk_say(k, 1, "DNSSEC: bogus (%s): the zone's signatures do "
			    "not verify against dns.trust_anchor; re-sign the zone "
			    "or fix its DS at the parent", a.why);
		else if (strncmp(a.why, "timeout", 7) == 0)
			tk_say(k, 1, "DNS timeout: no answer within %ds; this "
			    "is temporary, try again", t->timeout);
		else
			tk_say(k, 1, "temporary DNS failure (%s); try again",
			    a.why);
		break;
	case DNS_PERM:
		tk_say(k, 1, "unusable DNS answer: %s", a.why);
		break;
	}
	dns_answer_free(&a);
}

/* Returns EXIT_OK or EXIT_FINDING for one key. */
static int
tk_one(struct testkey *t, const char *domain, const char *selector,
    const char *path)
{
	struct tk_key k = { domain, selector, path, "", NULL, 0, 0 };

	snprintf(k.name, sizeof k.name, "%s._domainkey.%s", selector, domain);
	tk_load(t, &k);
	tk_lookup(t, &k);
	if (k.findings == 0)
		tk_say(&k, 0, "key OK");
	EVP_PKEY_free(k.pk);
	return k.findings ? EXIT_FINDING : EXIT_OK;
}

static struct conf *
tk_conf(const char *path, int need)
{
	struct strlist problems = { 0 };
	struct conf *c;

	if (path == NULL && access(CONF_DEFAULT_PATH, F_OK) == -1) {
		if (!need)
			return conf_defaults();
		fprintf(stderr, "postseal testkey: %s does not exist; give -c "
		    "FILE or -d DOMAIN -s SELECTOR\n", CONF_DEFAULT_PATH);
		return NULL;
	}
	if ((c = conf_load(path ? path : CONF_DEFAULT_PATH, &problems)) == NULL)
		for (size_t i = 0; i < problems.n; i++)
			fprintf(stderr, "postseal testkey: %s\n", problems.v[i]);
	strlist_clear(&problems);
	return c;
}

static int
tk_setup(struct testkey *t, const struct conf *c)
{
	char why[512];
	uid_t uid;
	gid_t gid;

	if ((t->dns = conf_resolver(c, why, sizeof why)) == NULL) {
		fprintf(stderr, "postseal testkey: DNS: %s\n", why);
		return -1;
	}
	t->timeout = c->dns.timeout;
	/* Trust root and the daemon user, as the daemon will (check-keys). */
	t->trust.uid = (uid_t)-1;
	t->trust.enforce = 0;
	if (privdrop_lookup(c->user, &uid, &gid, why, sizeof why) == 0)
		t->trust.uid = uid;
	return 0;
}

/* -d/-s given: the matching milter.sign entry's key, else -k, else
 * keys.directory/DOMAIN/SELECTOR.key. */
static int
tk_single(struct testkey *t, const struct conf *c, const char *domain,
    const char *selector, const char *keyfile)
{
	struct conf_sign s = { (char *)domain, (char *)selector, NULL };
	char *path;
	int rc;

	for (int i = 0; keyfile == NULL && i < c->milter.n_sign; i++)
		if (strcasecmp(c->milter.sign[i].domain, domain) == 0 &&
		    strcmp(c->milter.sign[i].selector, selector) == 0)
			s.key = c->milter.sign[i].key;
	if (keyfile != NULL)
		s.key = (char *)keyfile;
	path = conf_key_path(c, &s);
	rc = tk_one(t, domain, selector, path);
	free(path);
	return rc;
}

static int
tk_all(struct testkey *t, const struct conf *c)
{
	int rc = EXIT_OK, r;
	char *path;

	if (c->milter.n_sign == 0) {
		fprintf(stderr, "postseal testkey: no milter.sign keys in %s; "
		    "give -d DOMAIN -s SELECTOR\n", c->path);
		return EXIT_USAGE;
	}
	for (int i = 0; i < c->milter.n_sign; i++) {
		path = conf_key_path(c, &c->milter.sign[i]);
		r = tk_one(t, c->milter.sign[i].domain,
		    c->milter.sign[i].selector, path);
		rc = r > rc ? r : rc;
		free(path);
	}
	return rc;
}

static int
testkey_main(int argc, char **argv)
{
	const char *cf = NULL, *domain = NULL, *selector = NULL, *keyfile = NULL;
	struct testkey t = { 0 };
	struct conf *c;
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:d:s:k:")) != -1) {
		switch (ch) {
		case 'c': cf = optarg; break;
		case 'd': domain = optarg; break;
		case 's': selector = optarg; break;
		case 'k': keyfile = optarg; break;
		default: return command_usage("testkey");
		}
	}
	if (optind != argc || (domain == NULL) != (selector == NULL) ||
	    (keyfile != NULL && domain == NULL))
		return command_usage("testkey");
	if ((c = tk_conf(cf, domain == NULL)) == NULL)
		return EXIT_USAGE;
	if (tk_setup(&t, c) == -1) {
		conf_free(&c);
		return EXIT_USAGE;
	}
	rc = domain ? tk_single(&t, c, domain, selector, keyfile) : tk_all(&t, c);
	dns_free(&t.dns);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(testkey, "testkey",
    "[-c FILE] [-d DOMAIN -s SELECTOR [-k KEYFILE]]",
    "check that each key is published in DNS and matches its private key",
    testkey_main)
