/* dksign: see dksign.h. */
#include "dksign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "xmalloc.h"

#define FOLD_COLUMN 78

const char *const dksign_default_headers[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Resent-Date",
	"Resent-From", "Resent-To", "Resent-Cc", "In-Reply-To", "References",
	"List-Id", "List-Help", "List-Unsubscribe", "List-Subscribe",
	"List-Post", "List-Owner", "List-Archive", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", NULL,
};

struct buf {
	char *p;
	size_t len, cap;
};

struct dksign_k {
	char *domain;
	char *selector;
	EVP_PKEY *pkey;
	int ed25519;
};

struct dksign_h {
	char *name;
	char *value;
};

struct dksign {
	enum dkcanon_mode hcanon, bcanon;
	struct strlist sign, over;
	long t, ttl;
	struct dksign_k *keys;
	size_t nkeys;
	struct dksign_h *hdrs;
	size_t nhdrs, hbytes;
	EVP_MD_CTX *bh;
	struct dkcanon_body *body;
	char err[256];
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
body_sink(void *arg, const unsigned char *p, size_t n)
{
	if (arg != NULL)
		EVP_DigestUpdate(arg, p, n);
}

static void
fail(struct dksign *s, const char *msg)
{
	if (s->err[0] == '\0')
		snprintf(s->err, sizeof s->err, "%s", msg);
}

static void
add_key(struct dksign *s, const struct dksign_key *k)
{
	struct dksign_k *d = &s->keys[s->nkeys++];
	int id = k->pkey != NULL ? EVP_PKEY_get_base_id(k->pkey) : 0;

	d->domain = xstrdup(k->domain != NULL ? k->domain : "");
	d->selector = xstrdup(k->selector != NULL ? k->selector : "");
	d->pkey = k->pkey;
	d->ed25519 = id == EVP_PKEY_ED25519;
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519)
		fail(s, "key is neither RSA nor Ed25519");
	if (*d->domain == '\0' || *d->selector == '\0')
		fail(s, "key without domain or selector");
}

static void
copy_names(struct strlist *l, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strlist_contains(l, v[i]))
			strlist_add(l, v[i]);
}

struct dksign *
dksign_new(const struct dksign_opts *o, const struct dksign_key *keys,
    size_t nkeys)
{
	struct dksign *s = xcalloc(1, sizeof *s);
	size_t ndef = 0;

	s->hcanon = o->header_canon == DKCANON_SIMPLE ? DKCANON_SIMPLE :
	    DKCANON_RELAXED;
	s->bcanon = o->body_canon == DKCANON_SIMPLE ? DKCANON_SIMPLE :
	    DKCANON_RELAXED;
	if ((o->header_canon != DKCANON_SIMPLE && o->header_canon != DKCANON_RELAXED) ||
	    (o->body_canon != DKCANON_SIMPLE && o->body_canon != DKCANON_RELAXED))
		fail(s, "unknown canonicalization");
	/* RFC 6376 5.4: From MUST be signed. */
	strlist_add(&s->sign, "From");
	while (dksign_default_headers[ndef] != NULL)
		ndef++;
	if (o->sign_headers != NULL && o->n_sign_headers > 0)
		copy_names(&s->sign, o->sign_headers, o->n_sign_headers);
	else
		copy_names(&s->sign, dksign_default_headers, ndef);
	if (o->oversign_headers != NULL)
		copy_names(&s->over, o->oversign_headers, o->n_oversign);
	copy_names(&s->sign, (const char *const *)s->over.v, s->over.n);
	s->t = o->timestamp;
	s->ttl = o->ttl;
	if (nkeys == 0 || nkeys > DKSIGN_MAX_KEYS)
		fail(s, nkeys == 0 ? "no signing key" : "too many signing keys");
	s->keys = xcalloc(nkeys ? nkeys : 1, sizeof *s->keys);
	for (size_t i = 0; i < nkeys && i < DKSIGN_MAX_KEYS; i++)
		add_key(s, &keys[i]);
	if ((s->bh = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->bh, EVP_sha256(), NULL) != 1)
		fail(s, "SHA-256 not available");
	s->body = dkcanon_body_new(s->bcanon, body_sink, s->bh);
	return s;
}

static int
field_name_ok(const char *name)
{
	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++)
		if ((unsigned char)*name <= 32 || (unsigned char)*name >= 127 ||
		    *name == ':')
			return 0;
	return 1;
}

int
dksign_header(struct dksign *s, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value);

	if (s->err[0] != '\0')
		return -1;
	if (!field_name_ok(name)) {
		fail(s, "malformed header field name");
		return -1;
	}
	if (s->nhdrs >= DKSIGN_MAX_HEADERS ||
	    n > DKSIGN_MAX_HEADER_BYTES - s->hbytes) {
		fail(s, "too many or too large headers to sign");
		return -1;
	}
	s->hdrs = xreallocarray(s->hdrs, s->nhdrs + 1, sizeof *s->hdrs);
	s->hdrs[s->nhdrs].name = xstrdup(name);
	s->hdrs[s->nhdrs].value = xstrdup(value);
	s->nhdrs++;
	s->hbytes += n;
	return 0;
}

int
dksign_body(struct dksign *s, const unsigned char *buf, size_t len)
{
	if (s->err[0] != '\0')
		return -1;
	dkcanon_body_update(s->body, buf, len);
	return 0;
}

static size_t
count_name(const struct dksign *s, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nhdrs; i++)
		n += strcasecmp(s->hdrs[i].name, name) == 0;
	return n;
}

/* h=: each name as often as it occurs, once more when oversigned. */
static void
select_names(const struct dksign *s, struct strlist *h)
{
	for (size_t i = 0; i < s->sign.n; i++) {
		size_t n = count_name(s, s->sign.v[i]);
		if (strlist_contains(&s->over, s->sign.v[i]))
			n++;
		while (n-- > 0)
			strlist_add(h, s->sign.v[i]);
	}
}

/* The instance of name that is skip instances above the bottom-most one
 * (RFC 6376 5.4.2), or NULL when there are not that many. */
static const struct dksign_h *
instance_from_bottom(const struct dksign *s, const char *name, size_t skip)
{
	for (size_t i = s->nhdrs; i-- > 0;)
		if (strcasecmp(s->hdrs[i].name, name) == 0 && skip-- == 0)
			return &s->hdrs[i];
	return NULL;
}

static int
canon_append(enum dkcanon_mode m, const char *name, const char *value,
    int crlf, struct buf *data)
{
	char *c;
	size_t n;

	if (dkcanon_header(m, name, strlen(name), value, strlen(value), &c,
	    &n) == -1)
		return -1;
	buf_add(data, c, crlf ? n : n - 2);
	free(c);
	return 0;
}

/* Canonical data of the signed headers, in h= order. */
static int
hash_headers(const struct dksign *s, const struct strlist *h, struct buf *data)
{
	for (size_t i = 0; i < h->n; i++) {
		size_t used = 0;
		for (size_t j = 0; j < i; j++)
			used += strcasecmp(h->v[j], h->v[i]) == 0;
		const struct dksign_h *x = instance_from_bottom(s, h->v[i], used);
		if (x != NULL &&
		    canon_append(s->hcanon, x->name, x->value, 1, data) == -1)
			return -1;
	}
	return 0;
}

struct fold {
	struct buf b;
	size_t col;
};

/* Add piece, after a SP when sp and not at the start of a line; fold
 * first when the line would pass FOLD_COLUMN. */
static void
fold_piece(struct fold *f, const char *piece, int sp)
{
	size_t n = strlen(piece);

	if (f->col > 1 && f->col + (sp ? 1 : 0) + n > FOLD_COLUMN) {
		buf_str(&f->b, "\r\n\t");
		f->col = 1;
	} else if (sp && f->col > 1) {
		buf_str(&f->b, " ");
		f->col++;
	}
	buf_str(&f->b, piece);
	f->col += n;
}

/* One piece "tag value end", e.g. ("d=", "example.com", ";"), after a
 * SP when sp. */
static void
fold_tag(struct fold *f, const char *tag, const char *value, const char *end,
    int sp)
{
	char piece[600];

	snprintf(piece, sizeof piece, "%s%s%s", tag, value, end);
	fold_piece(f, piece, sp);
}

/* The header value up to and including "b=". */
static void
build_prefix(const struct dksign *s, const struct dksign_k *k,
    const struct strlist *h, const char *bh, struct fold *f)
{
	char num[32];

	f->col = strlen("DKIM-Signature:");
	fold_piece(f, "v=1;", 1);
	fold_tag(f, "a=", k->ed25519 ? "ed25519-sha256" : "rsa-sha256", ";", 1);
	snprintf(num, sizeof num, "%s/%s", dkcanon_name(s->hcanon),
	    dkcanon_name(s->bcanon));
	fold_tag(f, "c=", num, ";", 1);
	fold_tag(f, "d=", k->domain, ";", 1);
	fold_tag(f, "s=", k->selector, ";", 1);
	if (s->t >= 0) {
		snprintf(num, sizeof num, "%ld", s->t);
		fold_tag(f, "t=", num, ";", 1);
		if (s->ttl > 0) {
			snprintf(num, sizeof num, "%ld", s->t + s->ttl);
			fold_tag(f, "x=", num, ";", 1);
		}
	}
	for (size_t i = 0; i < h->n; i++)
		fold_tag(f, i == 0 ? "h=" : ":", h->v[i],
		    i + 1 == h->n ? ";" : "", i == 0);
	fold_tag(f, "bh=", bh, ";", 1);
	fold_piece(f, "b=", 1);
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)o, p, (int)n);
	return o;
}

/* rsa-sha256 signs data with SHA-256; ed25519-sha256 signs SHA-256(data)
 * with PureEdDSA (RFC 8463 3). */
static char *
sign_data(const struct dksign_k *k, const struct buf *data)
{
	unsigned char hash[EVP_MAX_MD_SIZE], sig[1024];
	const unsigned char *in = (const unsigned char *)data->p;
	size_t inlen = data->len, siglen = sizeof sig;
	unsigned int hlen;
	EVP_MD_CTX *ctx;
	int ok;

	if (k->ed25519) {
		if (EVP_Digest(in, inlen, hash, &hlen, EVP_sha256(), NULL) != 1)
			return NULL;
		in = hash;
		inlen = hlen;
	}
	if (EVP_PKEY_get_size(k->pkey) > (int)sizeof sig ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = EVP_DigestSignInit(ctx, NULL, k->ed25519 ? NULL : EVP_sha256(),
	    NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, in, inlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? b64(sig, siglen) : NULL;
}

/* Append the b= value, folded; verifiers remove it with its whitespace. */
static void
fold_b(struct fold *f, const char *b)
{
	size_t n = strlen(b), room;

	while (n > 0) {
		room = f->col < FOLD_COLUMN ? FOLD_COLUMN - f->col : 0;
		if (room == 0) {
			buf_str(&f->b, "\r\n\t");
			f->col = 1;
			continue;
		}
		if (room > n)
			room = n;
		buf_add(&f->b, b, room);
		f->col += room;
		b += room;
		n -= room;
	}
}

static char *
sign_one(const struct dksign *s, const struct dksign_k *k, const char *bh)
{
	struct strlist h = { 0 };
	struct buf data = { 0 };
	struct fold f = { 0 };
	char *b = NULL;

	select_names(s, &h);
	build_prefix(s, k, &h, bh, &f);
	if (hash_headers(s, &h, &data) == 0 &&
	    canon_append(s->hcanon, "DKIM-Signature", f.b.p, 0, &data) == 0)
		b = sign_data(k, &data);
	if (b != NULL)
		fold_b(&f, b);
	free(b);
	free(data.p);
	strlist_clear(&h);
	if (b == NULL) {
		free(f.b.p);
		return NULL;
	}
	return f.b.p;
}

int
dksign_eom(struct dksign *s, struct strlist *sigs, char *why, size_t whylen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strlist out = { 0 };
	char *bh, *v;

	dkcanon_body_final(s->body);
	if (count_name(s, "From") == 0)
		fail(s, "message has no From header");
	if (s->err[0] == '\0' && EVP_DigestFinal_ex(s->bh, md, &mdlen) != 1)
		fail(s, "body hash failed");
	if (s->err[0] != '\0') {
		snprintf(why, whylen, "%s", s->err);
		return -1;
	}
	bh = b64(md, mdlen);
	for (size_t i = 0; i < s->nkeys; i++) {
		if ((v = sign_one(s, &s->keys[i], bh)) == NULL) {
			snprintf(why, whylen, "signing with %s/%s failed",
			    s->keys[i].domain, s->keys[i].selector);
			fail(s, why);
			break;
		}
		strlist_add(&out, v);
		free(v);
	}
	free(bh);
	for (size_t i = 0; s->err[0] == '\0' && i < out.n; i++)
		strlist_add(sigs, out.v[i]);
	strlist_clear(&out);
	return s->err[0] == '\0' ? 0 : -1;
}

void
dksign_free(struct dksign **sp)
{
	struct dksign *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nkeys; i++) {
		free(s->keys[i].domain);
		free(s->keys[i].selector);
	}
	for (size_t i = 0; i < s->nhdrs; i++) {
		free(s->hdrs[i].name);
		free(s->hdrs[i].value);
	}
	free(s->keys);
	free(s->hdrs);
	strlist_clear(&s->sign);
	strlist_clear(&s->over);
	EVP_MD_CTX_free(s->bh);
	dkcanon_body_free(&s->body);
	free(s);
	*sp = NULL;
}
