/*
 * doctor, keys: every configured key (milter.sign and the KeyTable) as
 * check-keys sees it (exists, safe path, loads, algorithm, size) and, when
 * live, as testkey sees it (published, a valid DKIM record, the same key).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkkey.h"
#include "dns.h"
#include "doctor.h"
#include "keys.h"
#include "keytable.h"
#include "safepath.h"
#include "xmalloc.h"

struct dk_key {
	const char *domain, *selector;
	const char *origin;		/* "milter.sign" or "KeyTable FILE:LINE" */
	char *path;			/* on this machine */
	EVP_PKEY *pk;
};

/* Does the record's p= hold pk's public key?  (RSA: SPKI or PKCS#1.) */
static int
dk_same(EVP_PKEY *pk, const struct dkkey *rec)
{
	unsigned char mine[DKKEY_MAX_KEY];
	const unsigned char *p = rec->key;
	EVP_PKEY *pub;
	char *b64;
	long n = -1;
	int eq;

	if (keys_public_b64(pk, &b64) == 0) {
		n = dkkey_b64decode(b64, strlen(b64), mine, sizeof mine);
		free(b64);
	}
	if (n > 0 && (size_t)n == rec->key_len && memcmp(mine, rec->key, rec->key_len) == 0)
		return 1;
	if (keys_alg_of(pk) != KEYS_ALG_RSA)
		return 0;
	if ((pub = d2i_PUBKEY(NULL, &p, (long)rec->key_len)) == NULL) {
		p = rec->key;
		pub = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)rec->key_len);
	}
	eq = pub != NULL && EVP_PKEY_eq(pk, pub) == 1;
	EVP_PKEY_free(pub);
	return eq;
}

static void
dk_publish(struct doctor *d, const struct dk_key *k, const char *problem)
{
	char *line = keys_zone_line(k->pk, k->domain, k->selector), *fix;

	fix = xasprintf("publish in the zone of %s: %s", k->domain,
	    line ? line : "(postseal dns-record output)");
	doctor_finding(d, DOCTOR_ERROR, "dns", fix, "%s._domainkey.%s: %s",
	    k->selector, k->domain, problem);
	free(fix);
	free(line);
}

/* testkey's view: the TXT record at SELECTOR._domainkey.DOMAIN. */
static void
dk_dns(struct doctor *d, const struct dk_key *k)
{
	char name[600], msg[1200];
	struct dns_answer a;
	struct dkkey rec;
	const char *why;

	snprintf(name, sizeof name, "%s._domainkey.%s", k->selector, k->domain);
	switch (dns_txt(d->dns, name, &a)) {
	case DNS_OK:
		if (dkkey_parse(a.txt[0], a.txt_len[0], &rec, &why) == -1) {
			snprintf(msg, sizeof msg, "the TXT record is not a valid "
			    "DKIM key record: %s", why);
			dk_publish(d, k, msg);
		} else if (rec.revoked)
			dk_publish(d, k, "the key is revoked in DNS (empty p=)");
		else if (!dk_same(k->pk, &rec)) {
			snprintf(msg, sizeof msg, "the DKIM record in DNS does not "
			    "match the key %s (%s)", k->path, k->origin);
			dk_publish(d, k, msg);
		}
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		snprintf(msg, sizeof msg, "no DKIM record in DNS (%s)",
		    dns_status_name(a.status));
		dk_publish(d, k, msg);
		break;
	default:
		doctor_finding(d, DOCTOR_WARNING, "dns", "run postseal doctor "
		    "again when DNS answers", "%s: DNS look-up failed: %s (%s)",
		    name, dns_status_name(a.status), a.why);
	}
	dns_answer_free(&a);
}

static void
dk_missing(struct doctor *d, const struct dk_key *k)
{
	char *dir = doctor_path(d, d->conf->keys.directory), *fix;

	fix = xasprintf("postseal keygen -d %s -s %s -D %s", k->domain,
	    k->selector, dir);
	doctor_finding(d, DOCTOR_ERROR, "keys", fix, "%s: key for domain %s "
	    "selector %s (%s) does not exist", k->path, k->domain, k->selector,
	    k->origin);
	free(fix);
	free(dir);
}

/* check-keys' view: safe path first (reason + fix), then the key itself. */
static int
dk_file(struct doctor *d, struct dk_key *k, const struct safepath_trust *tr)
{
	struct safepath_verdict v;
	char why[2048];
	int fd, alg, bits;

	if (access(k->path, F_OK) == -1) {
		dk_missing(d, k);
		return -1;
	}
	if ((fd = safepath_open(k->path, tr, &v)) != -1)
		close(fd);
	if (v.status == SAFEPATH_UNSAFE)
		doctor_finding(d, DOCTOR_ERROR, "keys", v.fix[0] ? v.fix : NULL,
		    "%s: %s", k->path, v.reason);
	else if (v.status == SAFEPATH_ERROR) {
		doctor_finding(d, DOCTOR_ERROR, "keys", v.fix[0] ? v.fix : NULL,
		    "%s: %s", k->path, v.reason);
		return -1;
	}
	if (keys_load_file(k->path, tr, &k->pk, &alg, &bits, NULL, why,
	    sizeof why) == -1) {
		doctor_finding(d, DOCTOR_ERROR, "keys", "postseal keygen -d "
		    "DOMAIN -s SELECTOR makes a usable key", "%s", why);
		return -1;
	}
	return 0;
}

static void
dk_check(struct doctor *d, struct dk_key *k, const struct safepath_trust *tr)
{
	if (dk_file(d, k, tr) == 0 && d->live)
		dk_dns(d, k);
	EVP_PKEY_free(k->pk);
	k->pk = NULL;
}

static void
dk_sign_entries(struct doctor *d, const struct safepath_trust *tr)
{
	struct dk_key k = { NULL, NULL, "milter.sign", NULL, NULL };
	char *seen;

	for (int i = 0; i < d->conf->milter.n_sign; i++) {
		seen = conf_key_path(d->conf, &d->conf->milter.sign[i]);
		k.path = doctor_path(d, seen);
		k.domain = d->conf->milter.sign[i].domain;
		k.selector = d->conf->milter.sign[i].selector;
		dk_check(d, &k, tr);
		free(k.path);
		free(seen);
	}
}

static void
dk_keytable(struct doctor *d, const struct safepath_trust *tr)
{
	struct keytable t = { 0 };
	struct strlist problems = { 0 };
	struct dk_key k = { NULL, NULL, NULL, NULL, NULL };
	const char *file;
	char *path, *spec, origin[600];
	int type = keytable_spec(d->conf->milter.keytable, &file);

	if (*d->conf->milter.keytable == '\0' || type == -1)
		return;
	path = doctor_path(d, file);
	spec = xasprintf("%s%s", type == KEYTABLE_REFILE ? "refile:" : "file:", path);
	if (keytable_read(&t, spec, "", &problems) == -1)
		for (size_t i = 0; i < problems.n; i++)
			doctor_finding(d, DOCTOR_ERROR, "keys", "correct the line "
			    "(name domain:selector:/path/to/key)", "%s", problems.v[i]);
	for (size_t i = 0; i < t.n_keys; i++) {
		snprintf(origin, sizeof origin, "KeyTable %s:%zu", path, t.keys[i].line);
		k.origin = origin;
		k.domain = t.keys[i].domain;
		k.selector = t.keys[i].selector;
		k.path = doctor_path(d, t.keys[i].path);
		dk_check(d, &k, tr);
		free(k.path);
	}
	keytable_clear(&t);
	strlist_clear(&problems);
	free(spec);
	free(path);
}

void
doctor_keys(struct doctor *d)
{
	struct safepath_trust tr;
	gid_t gid;

	/* Trust root and the daemon user of the audited system; report every
	 * rule instead of stopping at the first (as check-keys does). */
	memset(&tr, 0, sizeof tr);
	if (doctor_user(d, d->conf->user, &tr.uid, &gid) == -1)
		tr.uid = (uid_t)-1;
	if (d->conf->milter.n_sign == 0 && *d->conf->milter.keytable == '\0')
		doctor_finding(d, DOCTOR_WARNING, "keys", "add milter.sign = "
		    "( { domain = \"example.com\"; selector = \"mail\"; } ); and "
		    "run postseal keygen", "%s: no signing keys configured: "
		    "outbound mail is not signed", d->conf->path ? d->conf->path :
		    "postseal.conf");
	dk_sign_entries(d, &tr);
	dk_keytable(d, &tr);
}
