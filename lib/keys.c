/* keys: see keys.h. */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "xmalloc.h"

enum { TABLE_NONE = 0, TABLE_FILE, TABLE_REFILE };

struct keys_name {		/* KeyTable: name -> key */
	char *name;
	size_t key;
};

struct keys_rule {		/* SigningTable: pattern -> key */
	char *pattern;
	size_t key;
};

struct keys {
	struct keys_key *v;
	size_t n;
	struct keys_name *names;
	size_t n_names;
	struct keys_rule *rules;
	size_t n_rules;
	int table;		/* TABLE_* of the SigningTable */
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
	for (size_t i = 0; i < ks->n_names; i++)
		free(ks->names[i].name);
	for (size_t i = 0; i < ks->n_rules; i++)
		free(ks->rules[i].pattern);
	free(ks->v);
	free(ks->names);
	free(ks->rules);
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

/* Read at most KEYS_MAX_FILE bytes; the buffer is KEYS_MAX_FILE + 1 long
 * and NUL-terminated, so the caller wipes that many bytes. */
static char *
keys_read(int fd, const char *path, size_t *len_r, char *why, size_t n)
{
	char *buf = xmalloc(KEYS_MAX_FILE + 1);
	size_t len = 0;
	ssize_t r;

	while (len <= KEYS_MAX_FILE &&
	    (r = read(fd, buf + len, KEYS_MAX_FILE + 1 - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(why, n, "%s: read: %s", path, strerror(errno));
			xfreezero(buf, KEYS_MAX_FILE + 1);
			return NULL;
		}
		len += (size_t)r;
	}
	if (len > KEYS_MAX_FILE) {
		snprintf(why, n, "%s: larger than %d bytes, not a DKIM key",
		    path, KEYS_MAX_FILE);
		xfreezero(buf, KEYS_MAX_FILE + 1);
		return NULL;
	}
	buf[len] = '\0';
	*len_r = len;
	return buf;
}

/* The label of the first PEM block ("PRIVATE KEY"), or "" when none. */
static void
keys_pem_label(const char *buf, char *label, size_t n)
{
	const char *b = strstr(buf, "-----BEGIN "), *e;

	label[0] = '\0';
	if (b == NULL)
		return;
	b += strlen("-----BEGIN ");
	if ((e = strstr(b, "-----")) == NULL || (size_t)(e - b) >= n ||
	    memchr(b, '\n', (size_t)(e - b)) != NULL)
		return;
	memcpy(label, b, (size_t)(e - b));
	label[e - b] = '\0';
}

/*
 * Say what the file is when it is not a plain private key, before OpenSSL
 * sees it: its errors ("unsupported", "bad decrypt") do not tell an admin
 * what to do.  Returns 0 when the block looks like a private key.
 */
static int
keys_classify(const char *path, const char *buf, char *why, size_t n)
{
	char label[64], end[96];
	const char *p;

	for (p = buf; *p != '\0' && isspace((unsigned char)*p); p++)
		;
	keys_pem_label(buf, label, sizeof label);
	if (*p == '\0')
		snprintf(why, n, "%s: empty file, not a private key", path);
	else if (*label == '\0')
		snprintf(why, n, "%s: not a PEM private key (no \"-----BEGIN\" "
		    "line); expected the PKCS#8 file that postseal keygen "
		    "writes", path);
	else if (strstr(label, "CERTIFICATE") != NULL)
		snprintf(why, n, "%s: this is a certificate, not a private key",
		    path);
	else if (strstr(label, "PUBLIC KEY") != NULL)
		snprintf(why, n, "%s: this is a public key, not a private key "
		    "(the public half belongs in DNS)", path);
	else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0 ||
	    strstr(buf, "Proc-Type: 4,ENCRYPTED") != NULL)
		snprintf(why, n, "%s: the key is encrypted with a passphrase, "
		    "which a daemon cannot type (fix: openssl pkey -in %s "
		    "-out NEWFILE)", path, path);
	else if (strcmp(label, "EC PRIVATE KEY") == 0)
		snprintf(why, n, "%s: unsupported algorithm EC; DKIM keys are "
		    "RSA or Ed25519", path);
	else if (strcmp(label, "PRIVATE KEY") != 0 &&
	    strcmp(label, "RSA PRIVATE KEY") != 0)
		snprintf(why, n, "%s: PEM block \"%s\" is not a private key",
		    path, label);
	else if (snprintf(end, sizeof end, "-----END %s-----", label) > 0 &&
	    strstr(buf, end) == NULL)
		snprintf(why, n, "%s: truncated PEM: no \"%s\" line", path, end);
	else
		return 0;
	return -1;
}

/* Never prompt: an encrypted key is an error, not a question on a tty. */
static int
keys_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return 0;
}

/* Accept RSA >= KEYS_MIN_RSA_BITS and Ed25519. */
static int
keys_check_alg(EVP_PKEY *pk, const char *path, const char *domain,
    const char *selector, int *bits_r, char *why, size_t n)
{
	const char *type = EVP_PKEY_get0_type_name(pk);
	int alg = keys_alg_of(pk);

	if (alg == 0) {
		snprintf(why, n, "%s: unsupported algorithm %s; DKIM keys are "
		    "RSA or Ed25519", path, type ? type : "(unknown)");
		return 0;
	}
	*bits_r = alg == KEYS_ALG_ED25519 ? 256 : EVP_PKEY_get_bits(pk);
	if (alg == KEYS_ALG_RSA && *bits_r < KEYS_MIN_RSA_BITS) {
		snprintf(why, n, "%s: RSA key of %d bits is too weak for signing "
		    "(minimum %d; fix: postseal keygen -d %s -s %s -b 2048)",
		    path, *bits_r, KEYS_MIN_RSA_BITS, domain ? domain : "DOMAIN",
		    selector ? selector : "SELECTOR");
		return 0;
	}
	return alg;
}

static EVP_PKEY *
keys_parse(const char *path, const char *buf, size_t len, char *why, size_t n)
{
	EVP_PKEY *pk = NULL;
	BIO *bio;

	if (keys_classify(path, buf, why, n) == -1)
		return NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		pk = PEM_read_bio_PrivateKey(bio, NULL, keys_no_passphrase, NULL);
	BIO_free(bio);
	if (pk == NULL)
		snprintf(why, n, "%s: damaged PEM private key: the data between "
		    "its BEGIN and END lines is not a valid key", path);
	ERR_clear_error();
	return pk;
}

static int
keys_load(const char *path, const char *domain, const char *selector,
    const struct safepath_trust *trust, EVP_PKEY **pkey_r, int *alg_r,
    int *bits_r, int *unsafe_r, char *why, size_t n)
{
	struct safepath_verdict v;
	EVP_PKEY *pk;
	size_t len;
	char *buf;
	int fd;

	if (unsafe_r != NULL)
		*unsafe_r = 0;
	if ((fd = safepath_open(path, trust, &v)) == -1) {
		snprintf(why, n, "%s: %s%s (fix: %s)", path, v.status ==
		    SAFEPATH_UNSAFE ? "unsafe, refused: " : "", v.reason,
		    *v.fix ? v.fix : "check the path");
		return -1;
	}
	buf = keys_read(fd, path, &len, why, n);
	close(fd);
	if (buf == NULL)
		return -1;
	pk = keys_parse(path, buf, len, why, n);
	xfreezero(buf, KEYS_MAX_FILE + 1);
	if (pk == NULL)
		return -1;
	if ((*alg_r = keys_check_alg(pk, path, domain, selector, bits_r,
	    why, n)) == 0) {
		EVP_PKEY_free(pk);
		return -1;
	}
	*pkey_r = pk;
	if (v.status == SAFEPATH_UNSAFE) {
		/* Loaded only because keys.require_safe is off: say why. */
		snprintf(why, n, "%s (fix: %s)", v.reason, v.fix);
		if (unsafe_r != NULL)
			*unsafe_r = 1;
	}
	return 0;
}

int
keys_load_file(const char *path, const struct safepath_trust *trust,
    EVP_PKEY **pkey_r, int *alg_r, int *bits_r, int *unsafe_r, char *why,
    size_t whylen)
{
	return keys_load(path, NULL, NULL, trust, pkey_r, alg_r, bits_r,
	    unsafe_r, why, whylen);
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
	if (keys_load(path, domain, selector, trust, &pk, &alg, &bits, NULL,
	    why, whylen) == -1)
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

/* Every rule with exactly this pattern, so one pattern can name an RSA
 * and an Ed25519 key for dual signing. */
static size_t
keys_by_pattern(const struct keys *ks, const char *pattern,
    const struct keys_key **out, size_t max)
{
	size_t nout = 0;

	for (size_t i = 0; i < ks->n_rules; i++)
		if (strcasecmp(ks->rules[i].pattern, pattern) == 0)
			keys_out(ks, ks->rules[i].key, out, max, &nout);
	return nout;
}

/* Glob with '*' only, case-insensitive; linear backtracking to the last
 * star, so hostile patterns cannot blow up. */
static int
keys_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (tolower((unsigned char)*pat) ==
		    tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* OpenDKIM's order for file: tables: user@host, host, then for each
 * parent user@.parent and .parent, then user@* and *. */
static size_t
keys_table_file(const struct keys *ks, const char *local, const char *domain,
    const struct keys_key **out, size_t max)
{
	char cand[600];
	const char *d = domain;
	size_t n;

	if (local && snprintf(cand, sizeof cand, "%s@%s", local, domain) > 0 &&
	    (n = keys_by_pattern(ks, cand, out, max)) > 0)
		return n;
	if ((n = keys_by_pattern(ks, domain, out, max)) > 0)
		return n;
	while ((d = strchr(d, '.')) != NULL) {
		if (local && snprintf(cand, sizeof cand, "%s@%s", local, d) > 0 &&
		    (n = keys_by_pattern(ks, cand, out, max)) > 0)
			return n;
		if ((n = keys_by_pattern(ks, d, out, max)) > 0)
			return n;
		d++;
	}
	if (local && snprintf(cand, sizeof cand, "%s@*", local) > 0 &&
	    (n = keys_by_pattern(ks, cand, out, max)) > 0)
		return n;
	return keys_by_pattern(ks, "*", out, max);
}

static size_t
keys_table(const struct keys *ks, const char *local, const char *domain,
    const struct keys_key **out, size_t max)
{
	char addr[600];

	if (strlen(domain) > 255 || (local != NULL && strlen(local) > 255))
		return 0;
	if (ks->table == TABLE_FILE)
		return keys_table_file(ks, local, domain, out, max);
	snprintf(addr, sizeof addr, "%s@%s", local ? local : "", domain);
	for (size_t i = 0; i < ks->n_rules; i++)
		if (keys_glob(ks->rules[i].pattern, addr))
			return keys_by_pattern(ks, ks->rules[i].pattern, out, max);
	return 0;
}

size_t
keys_select(const struct keys *ks, const char *from_domain, int subdomains,
    const struct keys_key **out, size_t max)
{
	const char *d = from_domain;
	size_t n;

	if (ks->table != TABLE_NONE)
		return keys_table(ks, NULL, from_domain, out, max);
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
	char local[256];

	if (at == NULL)
		return keys_select(ks, from_address, 0, out, max);
	if (ks->table == TABLE_NONE)
		return keys_select(ks, at + 1, 0, out, max);
	if ((size_t)(at - from_address) >= sizeof local)
		return 0;
	memcpy(local, from_address, (size_t)(at - from_address));
	local[at - from_address] = '\0';
	return keys_table(ks, local, at + 1, out, max);
}

/* OpenDKIM tables: "file:/p", "refile:/p", or a plain path (file:). */
static int
keys_table_spec(const char *spec, const char **path_r)
{
	*path_r = spec;
	if (strncmp(spec, "file:", 5) == 0) {
		*path_r = spec + 5;
		return TABLE_FILE;
	}
	if (strncmp(spec, "refile:", 7) == 0) {
		*path_r = spec + 7;
		return TABLE_REFILE;
	}
	return *spec == '/' || strchr(spec, ':') == NULL ? TABLE_FILE : -1;
}

struct keys_ctx {
	struct keys *ks;
	const struct safepath_trust *trust;
	struct strlist *paths;
	struct strlist *problems;
	char where[4200];	/* "file:line" of the current line */
};

typedef int (*keys_line_fn)(struct keys_ctx *, char *, char *);

#define KEYS_TABLE_LINE	4096

/* Split one table line into key and value; '#' starts a comment. */
static int
keys_table_line(struct keys_ctx *c, char *line, keys_line_fn fn)
{
	char *key, *value, *end;

	line[strcspn(line, "#\r\n")] = '\0';
	key = line + strspn(line, " \t");
	if (*key == '\0')
		return 0;
	value = key + strcspn(key, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value += strspn(value, " \t");
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*value == '\0') {
		strlist_addf(c->problems, "%s: \"%s\" has no value (expected "
		    "two fields)", c->where, key);
		return -1;
	}
	return fn(c, key, value);
}

static int
keys_read_table(struct keys_ctx *c, const char *spec, int *type_r,
    keys_line_fn fn)
{
	const char *path;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	FILE *fp;
	int rc = 0;

	if ((*type_r = keys_table_spec(spec, &path)) == -1) {
		strlist_addf(c->problems, "%s: only file: and refile: tables "
		    "are supported", spec);
		return -1;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		strlist_addf(c->problems, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		snprintf(c->where, sizeof c->where, "%s:%zu", path, ++lineno);
		if (len > KEYS_TABLE_LINE) {
			strlist_addf(c->problems, "%s: line longer than %d "
			    "bytes", c->where, KEYS_TABLE_LINE);
			rc = -1;
		} else if (keys_table_line(c, line, fn) == -1)
			rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}

/* KeyTable value "domain:selector:/path/to/key". */
static int
keys_kt_split(struct keys_ctx *c, char *value, char **d, char **s, char **p)
{
	const char *why = NULL;

	*d = value;
	if ((*s = strchr(value, ':')) == NULL ||
	    (*p = strchr(*s + 1, ':')) == NULL)
		why = "expected \"name domain:selector:/path/to/key\"";
	else {
		*(*s)++ = '\0';
		*(*p)++ = '\0';
		if (**d == '\0' || **s == '\0')
			why = "empty domain or selector";
		else if (strcmp(*d, "%") == 0)
			why = "domain \"%\" is not supported; name the domain";
		else if (**p != '/')
			why = "the key must be an absolute file path (inline "
			    "key data is not supported)";
	}
	if (why != NULL)
		strlist_addf(c->problems, "%s: %s", c->where, why);
	return why == NULL ? 0 : -1;
}

static int
keys_kt_path(struct keys_ctx *c, char *name, char *value)
{
	char *d, *s, *p;

	if (keys_kt_split(c, value, &d, &s, &p) == -1)
		return -1;
	strlist_add(c->paths, p);
	return 0;
}

static int
keys_kt_load(struct keys_ctx *c, char *name, char *value)
{
	struct keys *ks = c->ks;
	char why[2048], *d, *s, *p;
	ssize_t i;

	if (keys_kt_split(c, value, &d, &s, &p) == -1)
		return -1;
	for (size_t j = 0; j < ks->n_names; j++)
		if (strcmp(ks->names[j].name, name) == 0) {
			strlist_addf(c->problems, "%s: key name \"%s\" is "
			    "used twice", c->where, name);
			return -1;
		}
	if ((i = keys_find(ks, d, s)) != -1 && strcmp(ks->v[i].path, p) != 0) {
		strlist_addf(c->problems, "%s: %s selector %s already has the "
		    "key %s", c->where, d, s, ks->v[i].path);
		return -1;
	}
	if (i == -1 && keys_add_file(ks, d, s, p, c->trust, why, sizeof why) == -1) {
		strlist_addf(c->problems, "%s: %s", c->where, why);
		return -1;
	}
	ks->names = xreallocarray(ks->names, ks->n_names + 1, sizeof *ks->names);
	ks->names[ks->n_names].name = xstrdup(name);
	ks->names[ks->n_names++].key = i != -1 ? (size_t)i : ks->n - 1;
	return 0;
}

static int
keys_st_load(struct keys_ctx *c, char *pattern, char *name)
{
	struct keys *ks = c->ks;

	if (name[strcspn(name, " \t")] != '\0') {
		strlist_addf(c->problems, "%s: expected \"pattern keyname\"",
		    c->where);
		return -1;
	}
	for (size_t j = 0; j < ks->n_names; j++)
		if (strcmp(ks->names[j].name, name) == 0) {
			ks->rules = xreallocarray(ks->rules, ks->n_rules + 1,
			    sizeof *ks->rules);
			ks->rules[ks->n_rules].pattern = xstrdup(pattern);
			ks->rules[ks->n_rules++].key = ks->names[j].key;
			return 0;
		}
	strlist_addf(c->problems, "%s: no KeyTable entry named \"%s\"",
	    c->where, name);
	return -1;
}

int
keys_load_opendkim(struct keys *ks, const char *keytable,
    const char *signingtable, const struct safepath_trust *trust,
    struct strlist *problems)
{
	struct keys_ctx c = { .ks = ks, .trust = trust, .problems = problems };
	int type, rc = 0;

	if (*signingtable != '\0' && *keytable == '\0') {
		strlist_addf(problems, "%s: a SigningTable needs a KeyTable",
		    signingtable);
		return -1;
	}
	if (*keytable != '\0' &&
	    keys_read_table(&c, keytable, &type, keys_kt_load) == -1)
		rc = -1;
	if (*signingtable != '\0') {
		if (keys_read_table(&c, signingtable, &type, keys_st_load) == -1)
			rc = -1;
		if (type != -1)
			ks->table = type;
	}
	return rc;
}

int
keys_opendkim_paths(const char *keytable, struct strlist *paths_r,
    struct strlist *problems)
{
	struct keys_ctx c = { .paths = paths_r, .problems = problems };
	int type;

	return keys_read_table(&c, keytable, &type, keys_kt_path);
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
