/*
 * postseal keygen: make a DKIM key pair, write the private key as
 * DIR/DOMAIN/SELECTOR.key (PKCS#8 PEM) and print the DNS TXT record.
 *
 * The key is written to a temporary file in the target directory, synced,
 * and then link()ed to its name, which fails if the name exists: an
 * existing key is never overwritten, and a crash never leaves half a key
 * under the real name.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "command.h"
#include "conf.h"
#include "keys.h"
#include "privdrop.h"
#include "toolconf.h"
#include "xmalloc.h"

struct keygen {
	const char *domain, *selector, *dir, *user, *conf;
	int alg, bits;
	uid_t uid;		/* owner of what we create */
	gid_t gid;
	mode_t mode;		/* of the key file */
};

/* A DNS label sequence; no '/', no leading dot: it becomes a path. */
static int
keygen_name_ok(const char *s, int dots)
{
	if (*s == '\0' || *s == '.' || *s == '-' || strlen(s) > 253 ||
	    strstr(s, "..") != NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    !(dots && *s == '.'))
			return 0;
	return 1;
}

/* root:<user's group> 0640 when root; 0600 otherwise or when the user does
 * not exist (then nobody but root may read it, and we say so). */
static void
keygen_owner(struct keygen *kg)
{
	char why[512];
	uid_t uid;

	kg->uid = geteuid();
	kg->gid = getegid();
	kg->mode = 0600;
	if (geteuid() != 0)
		return;
	if (privdrop_lookup(kg->user, &uid, &kg->gid, why, sizeof why) == -1) {
		fprintf(stderr, "postseal keygen: warning: %s; the key will "
		    "be root:root 0600 and the daemon cannot read it until you "
		    "run: chgrp %s FILE && chmod 640 FILE\n", why, kg->user);
		kg->gid = 0;
		return;
	}
	kg->uid = 0;
	kg->mode = 0640;
}

/* mkdir -p for the directories we need; new ones are 0750 root:group. */
static int
keygen_mkdirs(const struct keygen *kg, char *path)
{
	struct stat st;

	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (stat(path, &st) == -1) {
			if (errno != ENOENT || mkdir(path, 0750) == -1 ||
			    chown(path, kg->uid, kg->gid) == -1 ||
			    chmod(path, 0750) == -1) {
				fprintf(stderr, "postseal keygen: mkdir %s: %s\n",
				    path, strerror(errno));
				return -1;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "postseal keygen: %s is not a directory\n",
			    path);
			return -1;
		}
		*p = c;
		if (c == '\0')
			return 0;
	}
}

static EVP_PKEY *
keygen_make(const struct keygen *kg)
{
	if (kg->alg == KEYS_ALG_ED25519)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)kg->bits);
}

/* Write pem into a temporary file beside path, then link it into place. */
static int
keygen_write(const struct keygen *kg, const char *path, const char *pem,
    size_t len)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, rc = -1;

	if ((fd = mkstemp(tmp)) == -1) {
		fprintf(stderr, "postseal keygen: mkstemp %s: %s\n", tmp,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchown(fd, kg->uid, kg->gid) == -1 || fchmod(fd, kg->mode) == -1 ||
	    write(fd, pem, len) != (ssize_t)len || fsync(fd) == -1)
		fprintf(stderr, "postseal keygen: write %s: %s\n", tmp,
		    strerror(errno));
	else if (link(tmp, path) == -1)
		fprintf(stderr, "postseal keygen: %s: %s\n", path,
		    errno == EEXIST ? "exists; refusing to overwrite a key "
		    "(choose a new selector, or remove the old key first)" :
		    strerror(errno));
	else
		rc = 0;
	close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

static int
keygen_store(const struct keygen *kg, EVP_PKEY *pk, const char *path)
{
	BIO *bio = BIO_new(BIO_s_secmem());	/* wiped when freed */
	char *pem = NULL;
	long len;
	int rc = -1;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0,
	    NULL, NULL) == 1 && (len = BIO_get_mem_data(bio, &pem)) > 0)
		rc = keygen_write(kg, path, pem, (size_t)len);
	else
		fprintf(stderr, "postseal keygen: cannot encode the key\n");
	BIO_free(bio);
	return rc;
}

static void
keygen_report(const struct keygen *kg, const char *path, const char *zone)
{
	struct passwd *pw = getpwuid(kg->uid);
	struct group *gr = getgrgid(kg->gid);

	printf("; wrote %s: %s %d bits, mode %04o, owner %s:%s\n%s\n", path,
	    keys_alg_name(kg->alg), kg->alg == KEYS_ALG_RSA ? kg->bits : 256,
	    (unsigned)kg->mode, pw ? pw->pw_name : "?", gr ? gr->gr_name : "?",
	    zone);
}

static int
keygen_run(struct keygen *kg)
{
	char *dir = xasprintf("%s/%s", kg->dir, kg->domain);
	char *path = xasprintf("%s/%s.key", dir, kg->selector);
	char *zone = NULL;
	EVP_PKEY *pk = NULL;
	int rc = EXIT_FINDING;

	if (access(path, F_OK) == 0) {
		fprintf(stderr, "postseal keygen: %s: exists; refusing to "
		    "overwrite a key (choose a new selector, or remove the old "
		    "key first)\n", path);
		goto out;
	}
	keygen_owner(kg);
	if (keygen_mkdirs(kg, dir) == -1)
		goto out;
	if ((pk = keygen_make(kg)) == NULL) {
		fprintf(stderr, "postseal keygen: key generation failed\n");
		goto out;
	}
	if (keygen_store(kg, pk, path) == -1 ||
	    (zone = keys_zone_line(pk, kg->domain, kg->selector)) == NULL)
		goto out;
	keygen_report(kg, path, zone);
	rc = EXIT_OK;
out:
	free(zone);
	EVP_PKEY_free(pk);
	free(path);
	free(dir);
	return rc;
}

/* A positive number of bits, or -1. */
static int
keygen_bits(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 65536)
		return -1;
	return (int)v;
}

/* Options into kg; returns 0 or -1 (usage). */
static int
keygen_args(int argc, char **argv, struct keygen *kg)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *alg = "rsa";
	int ch;

	kg->bits = 0;
	while ((ch = getopt_long(argc, argv, "a:b:c:d:D:s:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a': alg = optarg; break;
		case 'b': kg->bits = keygen_bits(optarg); break;
		case 'c': kg->conf = optarg; break;
		case 'd': kg->domain = optarg; break;
		case 'D': kg->dir = optarg; break;
		case 's': kg->selector = optarg; break;
		case 'u': kg->user = optarg; break;
		default: return -1;
		}
	}
	if (optind != argc || kg->domain == NULL || kg->selector == NULL)
		return -1;
	kg->alg = strcmp(alg, "rsa") == 0 ? KEYS_ALG_RSA :
	    strcmp(alg, "ed25519") == 0 ? KEYS_ALG_ED25519 : 0;
	return kg->alg == 0 ? -1 : 0;
}

/* Returns an error message, or NULL when the request is sound. */
static const char *
keygen_check(struct keygen *kg)
{
	if (!keygen_name_ok(kg->domain, 1))
		return "-d: not a domain name";
	if (!keygen_name_ok(kg->selector, 1))
		return "-s: a selector is letters, digits, '-', '_' and '.'";
	if (kg->bits == -1)
		return "-b: not a number of bits";
	if (kg->alg == KEYS_ALG_ED25519 && kg->bits != 0)
		return "-b applies to RSA keys only (Ed25519 keys are 256 bits)";
	if (kg->alg == KEYS_ALG_RSA && kg->bits == 0)
		kg->bits = 2048;
	if (kg->alg == KEYS_ALG_RSA && kg->bits < KEYS_MIN_RSA_BITS)
		return "-b: RSA keys under 2048 bits are refused for signing "
		    "(use -b 2048 or more)";
	if (kg->alg == KEYS_ALG_RSA && kg->bits > 8192)
		return "-b: at most 8192 bits (DNS and verifiers will not "
		    "handle more)";
	return NULL;
}

static int
keygen_main(int argc, char **argv)
{
	struct keygen kg = { 0 };
	struct conf *c;
	const char *err;
	int rc;

	if (keygen_args(argc, argv, &kg) == -1)
		return command_usage("keygen");
	if ((err = keygen_check(&kg)) != NULL) {
		fprintf(stderr, "postseal keygen: %s\n", err);
		return EXIT_USAGE;
	}
	if ((c = toolconf_load("keygen", kg.conf, 0)) == NULL)
		return EXIT_USAGE;
	if (kg.dir == NULL)
		kg.dir = c->keys.directory;
	if (kg.user == NULL)
		kg.user = c->user;
	rc = keygen_run(&kg);
	conf_free(&c);
	return rc;
}

POSTSEAL_COMMAND(keygen, "keygen",
    "-d DOMAIN -s SELECTOR [-a rsa|ed25519] [-b BITS] [-D DIR] [--user USER] [-c FILE]",
    "make a DKIM key and print its DNS TXT record", keygen_main)
