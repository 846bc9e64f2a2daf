/*
 * keys: the key file loader (see keys.h): a PEM private key read from the
 * descriptor safepath_open() checked, told apart from what it is not
 * before OpenSSL parses it, and wiped from memory once parsed.
 */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "keys_int.h"
#include "xmalloc.h"

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

int
keys_load_key(const char *path, const char *domain, const char *selector,
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
	return keys_load_key(path, NULL, NULL, trust, pkey_r, alg_r, bits_r,
	    unsafe_r, why, whylen);
}
