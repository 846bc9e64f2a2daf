/* keys: see keys.h.  Reading and parsing a key file is keyfile.c's. */
#include "keys.h"

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "keys_int.h"
#include "keytable.h"
#include "xmalloc.h"

struct keys {
	struct keys_key *v;
	size_t n;
	struct keytable table;	/* OpenDKIM tables; type NONE when unused */
	size_t *table_key;	/* per table.keys[i]: index in v, or SIZE_MAX */
};

struct keys *
keys_new(void)
{
	return xcalloc(1, sizeof(struct keys));
}

void
keys_free(struct keys **ksp)
{
	struct keys *ks = *ksp;

	if (ks == NULL)
		return;
	for (size_t i = 0; i < ks->n; i++) {
		EVP_PKEY_free(ks->v[i].pkey);
		free(ks->v[i].domain);
		free(ks->v[i].selector);
		free(ks->v[i].path);
	}
	keytable_clear(&ks->table);
	free(ks->table_key);
	free(ks->v);
	free(ks);
	*ksp = NULL;
}

const char *
keys_alg_name(int alg)
{
	return alg == KEYS_ALG_RSA ? "rsa" :
	    alg == KEYS_ALG_ED25519 ? "ed25519" : "unknown";
}

int
keys_alg_of(EVP_PKEY *pk)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		return KEYS_ALG_RSA;
	case EVP_PKEY_ED25519:
		return KEYS_ALG_ED25519;
	}
	return 0;
}

static ssize_t
keys_find(const struct keys *ks, const char *domain, const char *selector)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcasecmp(ks->v[i].domain, domain) == 0 &&
		    strcmp(ks->v[i].selector, selector) == 0)
			return (ssize_t)i;
	return -1;
}

int
keys_add_file(struct keys *ks, const char *domain, const char *selector,
    const char *path, const struct safepath_trust *trust, char *why,
    size_t whylen)
{
	struct keys_key *k;
	EVP_PKEY *pk;
	int alg, bits;

	if (keys_find(ks, domain, selector) != -1) {
		snprintf(why, whylen, "%s: a key for %s selector %s is already "
		    "loaded", path, domain, selector);
		return -1;
	}
	if (keys_load_key(path, domain, selector, trust, &pk, &alg, &bits,
	    NULL, why, whylen) == -1)
		return -1;
	ks->v = xreallocarray(ks->v, ks->n + 1, sizeof *ks->v);
	k = &ks->v[ks->n++];
	k->domain = xstrdup(domain);
	for (char *p = k->domain; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	k->selector = xstrdup(selector);
	k->path = xstrdup(path);
	k->alg = alg;
	k->bits = bits;
	k->pkey = pk;
	return 0;
}

size_t
keys_count(const struct keys *ks)
{
	return ks->n;
}

const struct keys_key *
keys_get(const struct keys *ks, size_t i)
{
	return i < ks->n ? &ks->v[i] : NULL;
}

/* Append key i to out unless it is there already. */
static void
keys_out(const struct keys *ks, size_t i, const struct keys_key **out,
    size_t max, size_t *nout)
{
	for (size_t j = 0; j < *nout; j++)
		if (out[j] == &ks->v[i])
			return;
	if (*nout < max)
		out[(*nout)++] = &ks->v[i];
}

static size_t
keys_by_domain(const struct keys *ks, const char *domain,
    const struct keys_key **out, size_t max)
{
	size_t nout = 0;

	for (size_t i = 0; i < ks->n; i++)
		if (strcasecmp(ks->v[i].domain, domain) == 0)
			keys_out(ks, i, out, max, &nout);
	return nout;
}

/* The loaded keys of the SigningTable's choice for address. */
static size_t
keys_by_table(const struct keys *ks, const char *address,
    const struct keys_key **out, size_t max)
{
	size_t idx[KEYTABLE_MAX_MATCH], n, nout = 0;

	n = keytable_match(&ks->table, address, idx, KEYTABLE_MAX_MATCH);
	for (size_t i = 0; i < n; i++)
		if (ks->table_key[idx[i]] != SIZE_MAX)
			keys_out(ks, ks->table_key[idx[i]], out, max, &nout);
	return nout;
}

size_t
keys_select(const struct keys *ks, const char *from_domain, int subdomains,
    const struct keys_key **out, size_t max)
{
	const char *d = from_domain;
	size_t n;

	if (ks->table.type != KEYTABLE_NONE)
		return keys_by_table(ks, from_domain, out, max);
	while ((n = keys_by_domain(ks, d, out, max)) == 0 && subdomains &&
	    (d = strchr(d, '.')) != NULL && strchr(++d, '.') != NULL)
		;
	return n;
}

size_t
keys_select_address(const struct keys *ks, const char *from_address,
    const struct keys_key **out, size_t max)
{
	const char *at = strrchr(from_address, '@');

	if (at == NULL || ks->table.type == KEYTABLE_NONE)
		return keys_select(ks, at ? at + 1 : from_address, 0, out, max);
	return keys_by_table(ks, from_address, out, max);
}

/*
 * Load the key of every KeyTable entry.  Two names (or milter.sign and a
 * name) may share one key file; a second file for the same domain and
 * selector is refused by keys_add_file().
 */
int
keys_load_opendkim(struct keys *ks, const char *keytable,
    const char *signingtable, const struct safepath_trust *trust,
    struct strlist *problems)
{
	struct keytable *t = &ks->table;
	const struct keytable_key *e;
	const char *kt;
	char why[2048];
	ssize_t k;
	int rc;

	keytable_clear(t);
	rc = keytable_read(t, keytable, signingtable, problems);
	keytable_spec(keytable, &kt);
	ks->table_key = xreallocarray(ks->table_key, t->n_keys + 1,
	    sizeof *ks->table_key);
	for (size_t i = 0; i < t->n_keys; i++) {
		e = &t->keys[i];
		if ((k = keys_find(ks, e->domain, e->selector)) != -1 &&
		    strcmp(ks->v[k].path, e->path) == 0)
			ks->table_key[i] = (size_t)k;
		else if (keys_add_file(ks, e->domain, e->selector, e->path,
		    trust, why, sizeof why) == 0)
			ks->table_key[i] = ks->n - 1;
		else {
			strlist_addf(problems, "%s:%zu: %s", kt, e->line, why);
			ks->table_key[i] = SIZE_MAX;
			rc = -1;
		}
	}
	return rc;
}

int
keys_public_b64(EVP_PKEY *pk, char **b64_r)
{
	unsigned char raw[64], *der = NULL;
	const unsigned char *bin = raw;
	size_t len = 0;
	int n;

	if (keys_alg_of(pk) == KEYS_ALG_RSA) {
		n = i2d_PUBKEY(pk, &der);
		len = n > 0 ? (size_t)n : 0;
		bin = der;
	} else if (keys_alg_of(pk) == KEYS_ALG_ED25519) {
		len = sizeof raw;
		if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1)
			len = 0;
	}
	if (len == 0 || len > 16384) {
		OPENSSL_free(der);
		return -1;
	}
	*b64_r = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)*b64_r, bin, (int)len);
	OPENSSL_free(der);
	return 0;
}

char *
keys_txt_record(EVP_PKEY *pk)
{
	char *b64, *txt;

	if (keys_public_b64(pk, &b64) == -1)
		return NULL;
	txt = xasprintf("v=DKIM1; k=%s; p=%s", keys_alg_name(keys_alg_of(pk)),
	    b64);
	free(b64);
	return txt;
}

char *
keys_zone_line(EVP_PKEY *pk, const char *domain, const char *selector)
{
	char *b64, *line;
	size_t len, off, n;

	if (keys_public_b64(pk, &b64) == -1)
		return NULL;
	line = xasprintf("%s._domainkey.%s. IN TXT ( \"v=DKIM1; k=%s; \"",
	    selector, domain, keys_alg_name(keys_alg_of(pk)));
	/* A TXT character-string holds at most 255 bytes (RFC 1035 3.3). */
	len = strlen(b64);
	for (off = 0; off < len; off += n) {
		n = off == 0 ? 253 : 255;
		n = len - off < n ? len - off : n;
		line = xreallocarray(line, strlen(line) + n + 8, 1);
		snprintf(line + strlen(line), n + 8, " \"%s%.*s\"",
		    off == 0 ? "p=" : "", (int)n, b64 + off);
	}
	line = xreallocarray(line, strlen(line) + 3, 1);
	strcat(line, " )");
	free(b64);
	return line;
}
