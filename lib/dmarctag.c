/* dmarctag: see dmarctag.h. */
#include "dmarctag.h"

#include <string.h>
#include <strings.h>

static const char *const dmarctag_tags[DMARC_TAG_COUNT] = {
	"v", "p", "sp", "np", "adkim", "aspf", "pct", "ri", "fo", "rf",
	"rua", "ruf", "psd", "t",
};

/* A tag value as found in the record: not NUL-terminated. */
struct dmarctag_span {
	const char *s;
	size_t n;
};

static int
dmarctag_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
dmarctag_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
dmarctag_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
dmarctag_is(struct dmarctag_span v, const char *word)
{
	return strlen(word) == v.n && strncasecmp(v.s, word, v.n) == 0;
}

static int
dmarctag_policy_word(struct dmarctag_span v, enum dmarc_policy *out)
{
	if (dmarctag_is(v, "none"))
		*out = DMARC_POLICY_NONE;
	else if (dmarctag_is(v, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (dmarctag_is(v, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return -1;
	return 0;
}

/* Decimal number of at most maxdigits digits, <= max. */
static int
dmarctag_number(struct dmarctag_span v, size_t maxdigits, unsigned long max,
    unsigned long *out)
{
	unsigned long n = 0;
	size_t i;

	if (v.n == 0 || v.n > maxdigits)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (!dmarctag_digit(v.s[i]))
			return -1;
		n = n * 10 + (unsigned long)(v.s[i] - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

/* A colon-separated list (WSP around ':' allowed) of words that ok()
 * accepts, normalised into out (size n) with bare colons. */
static int
dmarctag_colon_list(struct dmarctag_span v, int (*ok)(struct dmarctag_span),
    char *out, size_t n)
{
	size_t i = 0, o = 0;

	while (i < v.n) {
		struct dmarctag_span w = { v.s + i, 0 };
		while (i < v.n && v.s[i] != ':' && !dmarctag_wsp(v.s[i]))
			i++, w.n++;
		if (!ok(w) || o + w.n + 2 > n)
			return -1;
		if (o > 0)
			out[o++] = ':';
		memcpy(out + o, w.s, w.n);
		o += w.n;
		while (i < v.n && dmarctag_wsp(v.s[i]))
			i++;
		if (i < v.n && v.s[i++] != ':')
			return -1;
		while (i < v.n && dmarctag_wsp(v.s[i]))
			i++;
		if (i == v.n && v.s[i - 1] == ':')
			return -1;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

static int
dmarctag_fo_word(struct dmarctag_span w)
{
	return w.n == 1 && strchr("01dsDS", w.s[0]) != NULL;
}

static int
dmarctag_keyword(struct dmarctag_span w)
{
	size_t i;

	if (w.n == 0 || !dmarctag_alpha(w.s[0]))
		return 0;
	for (i = 1; i < w.n; i++)
		if (!dmarctag_alpha(w.s[i]) && !dmarctag_digit(w.s[i]) &&
		    w.s[i] != '-')
			return 0;
	return 1;
}

/* scheme ":" rest (RFC 3986 3.1), no WSP, commas or 8-bit bytes. */
static int
dmarctag_uri(struct dmarctag_span u)
{
	size_t i;

	if (u.n == 0 || u.n > DMARC_MAX_URI || !dmarctag_alpha(u.s[0]))
		return 0;
	for (i = 1; i < u.n && u.s[i] != ':'; i++)
		if (!dmarctag_alpha(u.s[i]) && !dmarctag_digit(u.s[i]) &&
		    strchr("+-.", u.s[i]) == NULL)
			return 0;
	if (i + 1 >= u.n)
		return 0;
	for (; i < u.n; i++)
		if ((unsigned char)u.s[i] <= 0x20 ||
		    (unsigned char)u.s[i] >= 0x7f)
			return 0;
	return 1;
}

/* rua / ruf: a comma-separated URI list; invalid URIs are dropped (RFC
 * 9989 4.7: unsupported URIs are ignored).  Returns how many were kept. */
static size_t
dmarctag_uri_list(struct dmarctag_span v, char uris[][DMARC_MAX_URI + 1])
{
	size_t i = 0, n = 0;

	while (i < v.n) {
		struct dmarctag_span u;
		while (i < v.n && dmarctag_wsp(v.s[i]))
			i++;
		u.s = v.s + i;
		while (i < v.n && v.s[i] != ',')
			i++;
		u.n = (size_t)(v.s + i - u.s);
		while (u.n > 0 && dmarctag_wsp(u.s[u.n - 1]))
			u.n--;
		i++;
		if (n < DMARC_MAX_URIS && dmarctag_uri(u)) {
			memcpy(uris[n], u.s, u.n);
			uris[n++][u.n] = '\0';
		}
	}
	return n;
}

static int
dmarctag_flag(struct dmarctag_span v, const char *yes, const char *no, int *out)
{
	if (dmarctag_is(v, yes))
		*out = 1;
	else if (dmarctag_is(v, no))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
dmarctag_set_psd(struct dmarctag_span v, struct dmarc_record *r)
{
	if (dmarctag_is(v, "y"))
		r->psd = DMARC_PSD_Y;
	else if (dmarctag_is(v, "n"))
		r->psd = DMARC_PSD_N;
	else if (dmarctag_is(v, "u"))
		r->psd = DMARC_PSD_U;
	else
		return -1;
	return 0;
}

/* Apply one known tag.  Returns -1 when its value is invalid. */
static int
dmarctag_apply(enum dmarc_tag t, struct dmarctag_span v,
    struct dmarc_record *r)
{
	unsigned long n;
	int yes;

	switch (t) {
	case DMARC_TAG_P:
		return dmarctag_policy_word(v, &r->p);
	case DMARC_TAG_SP:
		return dmarctag_policy_word(v, &r->sp);
	case DMARC_TAG_NP:
		return dmarctag_policy_word(v, &r->np);
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		if (dmarctag_flag(v, "s", "r", &yes) == -1)
			return -1;
		*(t == DMARC_TAG_ADKIM ? &r->adkim : &r->aspf) =
		    yes ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
		return 0;
	case DMARC_TAG_PCT:
		if (dmarctag_number(v, 3, 100, &n) == -1)
			return -1;
		r->pct = (unsigned)n;
		return 0;
	case DMARC_TAG_RI:
		if (dmarctag_number(v, 10, 4294967295UL, &n) == -1)
			return -1;
		r->ri = n;
		return 0;
	case DMARC_TAG_FO:
		return dmarctag_colon_list(v, dmarctag_fo_word, r->fo,
		    sizeof r->fo);
	case DMARC_TAG_RF:
		return dmarctag_colon_list(v, dmarctag_keyword, r->rf,
		    sizeof r->rf);
	case DMARC_TAG_RUA:
		return (r->n_rua = dmarctag_uri_list(v, r->rua)) > 0 ? 0 : -1;
	case DMARC_TAG_RUF:
		return (r->n_ruf = dmarctag_uri_list(v, r->ruf)) > 0 ? 0 : -1;
	case DMARC_TAG_PSD:
		return dmarctag_set_psd(v, r);
	case DMARC_TAG_T:
		return dmarctag_flag(v, "y", "n", &r->testing);
	default:
		return -1;
	}
}

int
dmarctag_set(enum dmarc_tag t, const char *v, size_t n, struct dmarc_record *r)
{
	struct dmarctag_span span = { v, n };

	return dmarctag_apply(t, span, r);
}

int
dmarctag_lookup(const char *name, size_t n)
{
	struct dmarctag_span span = { name, n };
	int t;

	for (t = 0; t < DMARC_TAG_COUNT; t++)
		if (dmarctag_is(span, dmarctag_tags[t]))
			return t;
	return -1;
}

const char *
dmarctag_name(enum dmarc_tag t)
{
	return (unsigned)t < DMARC_TAG_COUNT ? dmarctag_tags[t] : "";
}
