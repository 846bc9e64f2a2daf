/*
 * keys: the key store, (domain, selector) -> private key parsed once.
 *
 * A key file is opened through safepath_open() (DESIGN.md "Keys and safe
 * paths"), read from the checked descriptor (at most KEYS_MAX_FILE bytes),
 * parsed by OpenSSL into an EVP_PKEY once, and its bytes are wiped.  RSA
 * (at least KEYS_MIN_RSA_BITS) and Ed25519 keys are accepted; everything
 * else is refused with a message that names the path and says what the file
 * is instead (certificate, public key, encrypted key, EC key, ...).
 *
 * OpenDKIM KeyTable / SigningTable files ("file:", "refile:", or a plain
 * path meaning "file:") are accepted so existing setups move over; lib/
 * keytable parses and matches them, the store loads their keys.
 *
 * A loaded store is read-only: keys_select*() and keys_get() may be called
 * from many threads at once.  Loading functions are not thread-safe.
 */
#ifndef POSTSEAL_KEYS_H
#define POSTSEAL_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "safepath.h"
#include "strlist.h"

#define KEYS_MAX_FILE		(64 * 1024)	/* bytes of a PEM key file */
#define KEYS_MIN_RSA_BITS	2048		/* refused for signing below */

enum { KEYS_ALG_RSA = 1, KEYS_ALG_ED25519 = 2 };

struct keys_key {
	char *domain;		/* lower case */
	char *selector;
	char *path;
	int alg;		/* KEYS_ALG_RSA / KEYS_ALG_ED25519 */
	int bits;		/* RSA modulus size; 256 for Ed25519 */
	EVP_PKEY *pkey;		/* owned by the store */
};

struct keys;

struct keys *keys_new(void);
/* Free every key (EVP_PKEY_free) and the store; sets *ks to NULL. */
void keys_free(struct keys **ks);

/*
 * Load path (through safepath with trust) and parse it.  Returns 0 and
 * *pkey_r (caller frees with EVP_PKEY_free), *alg_r, *bits_r; or -1 with a
 * message naming path in why.  A path that breaks a safepath rule fails
 * when trust->enforce is set; otherwise it loads and *unsafe_r (may be
 * NULL) is set to 1 with the safepath reason and fix in why.
 */
int keys_load_file(const char *path, const struct safepath_trust *trust,
    EVP_PKEY **pkey_r, int *alg_r, int *bits_r, int *unsafe_r,
    char *why, size_t whylen);

/*
 * Load path and add it as the key of (domain, selector).  Returns 0, or -1
 * with why (naming the path); the store is unchanged on failure.  A second
 * key for the same (domain, selector) is refused.
 */
int keys_add_file(struct keys *ks, const char *domain, const char *selector,
    const char *path, const struct safepath_trust *trust, char *why,
    size_t whylen);

size_t keys_count(const struct keys *ks);
/* The i-th key in load order (borrowed), or NULL when i >= keys_count(). */
const struct keys_key *keys_get(const struct keys *ks, size_t i);

/*
 * Keys to sign a message whose From domain is from_domain (case-insensitive):
 * the keys of that exact domain; else, with subdomains, those of the nearest
 * parent domain that has keys.  Every key of the chosen domain is returned
 * (RSA + Ed25519 dual signing), in load order, at most max into out
 * (borrowed pointers).  Returns how many.  When an OpenDKIM SigningTable
 * was loaded its rules decide instead, looked up by domain alone (see
 * keys_select_address(); "user@" patterns cannot match).
 */
size_t keys_select(const struct keys *ks, const char *from_domain,
    int subdomains, const struct keys_key **out, size_t max);

/*
 * Keys for the From address ("local@domain") by the loaded SigningTable,
 * with OpenDKIM's semantics (keytable_match()): with "file:", the address
 * is looked up as "user@domain", then "domain", then each parent domain
 * (".example.com", ...), then "user@*" and "*"; the first match decides.
 * With "refile:", the first pattern in file order whose glob ('*' matches
 * any run of characters, case-insensitive) matches the whole address
 * decides.  The matching entries' KeyTable names give the keys.  Without a
 * SigningTable, falls back to keys_select(domain, 0).
 */
size_t keys_select_address(const struct keys *ks, const char *from_address,
    const struct keys_key **out, size_t max);

/*
 * Load an OpenDKIM KeyTable ("name domain:selector:/path/to/key" per line)
 * and SigningTable ("pattern name" per line), replacing tables loaded
 * before, and add every KeyTable key to the store (a key file already
 * loaded for the same domain and selector is shared).  Either may be ""
 * (then a SigningTable alone is an error; a KeyTable alone signs by From
 * domain).  Each problem is appended as "file:line: problem" or
 * "path: problem" (see keytable.h for what is refused).  Returns 0 when
 * everything loaded, -1 otherwise (what loaded stays).
 */
int keys_load_opendkim(struct keys *ks, const char *keytable,
    const char *signingtable, const struct safepath_trust *trust,
    struct strlist *problems);

/*
 * The base64 of the DKIM "p=" value: for RSA the DER SubjectPublicKeyInfo,
 * for Ed25519 the raw 32-byte public key (RFC 8463).  Returns 0 and
 * *b64_r (caller frees), or -1 (unsupported key type).
 */
int keys_public_b64(EVP_PKEY *pk, char **b64_r);

/* "v=DKIM1; k=rsa; p=..." or "v=DKIM1; k=ed25519; p=...".  Caller frees;
 * NULL for an unsupported key type. */
char *keys_txt_record(EVP_PKEY *pk);

/*
 * The zone-file line that publishes pk:
 *   SELECTOR._domainkey.DOMAIN. IN TXT ( "v=DKIM1; k=rsa; " "p=..." ... )
 * with every quoted string at most 255 bytes.  Caller frees; NULL for an
 * unsupported key type.
 */
char *keys_zone_line(EVP_PKEY *pk, const char *domain, const char *selector);

/* "rsa", "ed25519", or "unknown". */
const char *keys_alg_name(int alg);

/* KEYS_ALG_* of pk, or 0 when it is neither RSA nor Ed25519. */
int keys_alg_of(EVP_PKEY *pk);

#endif
