/* dmarc: see dmarc.h. */
#include "dmarc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


static const char *const dmarc_tags[DMARC_TAG_COUNT] = {
	"v", "p", "sp", "np", "adkim", "aspf", "pct", "ri", "fo", "rf",
	"rua", "ruf", "psd", "t",
};

/* A tag value as found in the record: not NUL-terminated. */
struct dmarc_span {
	const char *s;
	size_t n;
};

/* State of one parse: what made p / sp / np unusable. */
struct dmarc_pstate {
	int p_invalid;
	int sub_invalid;
};

static int
dmarc_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
dmarc_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
dmarc_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
dmarc_is(struct dmarc_span v, const char *word)
{
	return strlen(word) == v.n && strncasecmp(v.s, word, v.n) == 0;
}

/* "v" *WSP "=" *WSP "DMARC1" (case-sensitive, RFC 7489 6.4) and then the
 * end, a WSP or ";".  Returns the offset after it, or 0. */
static size_t
dmarc_version_end(const char *rec, size_t len)
{
	size_t i = 0;

	while (i < len && dmarc_wsp(rec[i]))
		i++;
	if (i >= len || (rec[i] != 'v' && rec[i] != 'V'))
		return 0;
	for (i++; i < len && dmarc_wsp(rec[i]); i++)
		;
	if (i >= len || rec[i] != '=')
		return 0;
	for (i++; i < len && dmarc_wsp(rec[i]); i++)
		;
	if (len - i < 6 || memcmp(rec + i, "DMARC1", 6) != 0)
		return 0;
	i += 6;
	if (i < len && !dmarc_wsp(rec[i]) && rec[i] != ';')
		return 0;
	return i;
}

int
dmarc_is_record(const char *rec, size_t len)
{
	return rec != NULL && dmarc_version_end(rec, len) != 0;
}

static int
dmarc_policy_word(struct dmarc_span v, enum dmarc_policy *out)
{
	if (dmarc_is(v, "none"))
		*out = DMARC_POLICY_NONE;
	else if (dmarc_is(v, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (dmarc_is(v, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return -1;
	return 0;
}

/* Decimal number of at most maxdigits digits, <= max. */
static int
dmarc_number(struct dmarc_span v, size_t maxdigits, unsigned long max,
    unsigned long *out)
{
	unsigned long n = 0;
	size_t i;

	if (v.n == 0 || v.n > maxdigits)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (!dmarc_digit(v.s[i]))
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
dmarc_colon_list(struct dmarc_span v, int (*ok)(struct dmarc_span),
    char *out, size_t n)
{
	size_t i = 0, o = 0;

	while (i < v.n) {
		struct dmarc_span w = { v.s + i, 0 };
		while (i < v.n && v.s[i] != ':' && !dmarc_wsp(v.s[i]))
			i++, w.n++;
		if (!ok(w) || o + w.n + 2 > n)
			return -1;
		if (o > 0)
			out[o++] = ':';
		memcpy(out + o, w.s, w.n);
		o += w.n;
		while (i < v.n && dmarc_wsp(v.s[i]))
			i++;
		if (i < v.n && v.s[i++] != ':')
			return -1;
		while (i < v.n && dmarc_wsp(v.s[i]))
			i++;
		if (i == v.n && v.s[i - 1] == ':')
			return -1;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

static int
dmarc_fo_word(struct dmarc_span w)
{
	return w.n == 1 && strchr("01dsDS", w.s[0]) != NULL;
}

static int
dmarc_keyword(struct dmarc_span w)
{
	size_t i;

	if (w.n == 0 || !dmarc_alpha(w.s[0]))
		return 0;
	for (i = 1; i < w.n; i++)
		if (!dmarc_alpha(w.s[i]) && !dmarc_digit(w.s[i]) &&
		    w.s[i] != '-')
			return 0;
	return 1;
}

/* scheme ":" rest (RFC 3986 3.1), no WSP, commas or 8-bit bytes. */
static int
dmarc_uri(struct dmarc_span u)
{
	size_t i;

	if (u.n == 0 || u.n > DMARC_MAX_URI || !dmarc_alpha(u.s[0]))
		return 0;
	for (i = 1; i < u.n && u.s[i] != ':'; i++)
		if (!dmarc_alpha(u.s[i]) && !dmarc_digit(u.s[i]) &&
		    strchr("+-.", u.s[i]) == NULL)
			return 0;
	if (i + 1 >= u.n)
		return 0;
	for (; i < u.n; i++)
		if ((unsigned char)u.s[i] <= 0x20 || (unsigned char)u.s[i] >= 0x7f)
			return 0;
	return 1;
}

/* rua / ruf: a comma-separated URI list; invalid URIs are dropped (RFC
 * 9989 4.7: unsupported URIs are ignored).  Returns how many were kept. */
static size_t
dmarc_uri_list(struct dmarc_span v, char uris[][DMARC_MAX_URI + 1])
{
	size_t i = 0, n = 0;

	while (i < v.n) {
		struct dmarc_span u;
		while (i < v.n && dmarc_wsp(v.s[i]))
			i++;
		u.s = v.s + i;
		while (i < v.n && v.s[i] != ',')
			i++;
		u.n = (size_t)(v.s + i - u.s);
		while (u.n > 0 && dmarc_wsp(u.s[u.n - 1]))
			u.n--;
		i++;
		if (n < DMARC_MAX_URIS && dmarc_uri(u)) {
			memcpy(uris[n], u.s, u.n);
			uris[n++][u.n] = '\0';
		}
	}
	return n;
}

static int
dmarc_flag(struct dmarc_span v, const char *yes, const char *no, int *out)
{
	if (dmarc_is(v, yes))
		*out = 1;
	else if (dmarc_is(v, no))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
dmarc_set_psd(struct dmarc_span v, struct dmarc_record *r)
{
	if (dmarc_is(v, "y"))
		r->psd = DMARC_PSD_Y;
	else if (dmarc_is(v, "n"))
		r->psd = DMARC_PSD_N;
	else if (dmarc_is(v, "u"))
		r->psd = DMARC_PSD_U;
	else
		return -1;
	return 0;
}

/* Apply one known tag.  Returns -1 when its value is invalid. */
static int
dmarc_set(enum dmarc_tag t, struct dmarc_span v, struct dmarc_record *r)
{
	unsigned long n;
	int yes;

	switch (t) {
	case DMARC_TAG_P:
		return dmarc_policy_word(v, &r->p);
	case DMARC_TAG_SP:
		return dmarc_policy_word(v, &r->sp);
	case DMARC_TAG_NP:
		return dmarc_policy_word(v, &r->np);
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		if (dmarc_flag(v, "s", "r", &yes) == -1)
			return -1;
		*(t == DMARC_TAG_ADKIM ? &r->adkim : &r->aspf) =
		    yes ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
		return 0;
	case DMARC_TAG_PCT:
		if (dmarc_number(v, 3, 100, &n) == -1)
			return -1;
		r->pct = (unsigned)n;
		return 0;
	case DMARC_TAG_RI:
		if (dmarc_number(v, 10, 4294967295UL, &n) == -1)
			return -1;
		r->ri = n;
		return 0;
	case DMARC_TAG_FO:
		return dmarc_colon_list(v, dmarc_fo_word, r->fo, sizeof r->fo);
	case DMARC_TAG_RF:
		return dmarc_colon_list(v, dmarc_keyword, r->rf, sizeof r->rf);
	case DMARC_TAG_RUA:
		return (r->n_rua = dmarc_uri_list(v, r->rua)) > 0 ? 0 : -1;
	case DMARC_TAG_RUF:
		return (r->n_ruf = dmarc_uri_list(v, r->ruf)) > 0 ? 0 : -1;
	case DMARC_TAG_PSD:
		return dmarc_set_psd(v, r);
	case DMARC_TAG_T:
		return dmarc_flag(v, "y", "n", &r->testing);
	default:
		return -1;
	}
}

static void
dmarc_defaults(struct dmarc_record *r)
{
	memset(r, 0, sizeof *r);
	r->pct = 100;
	r->ri = 86400;
	strcpy(r->fo, "0");
	strcpy(r->rf, "afrf");
}

/* A value that failed: back to its default (RFC 9989 4.7: "discarded in
 * favor of default values"), remembering p / sp / np for 4.10.1. */
static void
dmarc_reset(enum dmarc_tag t, struct dmarc_record *r, struct dmarc_pstate *st)
{
	struct dmarc_record d;

	dmarc_defaults(&d);
	r->ignored |= 1u << t;
	switch (t) {
	case DMARC_TAG_P: r->p = DMARC_POLICY_UNSET; st->p_invalid = 1; break;
	case DMARC_TAG_SP: r->sp = DMARC_POLICY_UNSET; st->sub_invalid = 1; break;
	case DMARC_TAG_NP: r->np = DMARC_POLICY_UNSET; st->sub_invalid = 1; break;
	case DMARC_TAG_PCT: r->pct = d.pct; break;
	case DMARC_TAG_RI: r->ri = d.ri; break;
	case DMARC_TAG_FO: strcpy(r->fo, d.fo); break;
	case DMARC_TAG_RF: strcpy(r->rf, d.rf); break;
	case DMARC_TAG_PSD: r->psd = d.psd; break;
	case DMARC_TAG_T: r->testing = 0; break;
	default: break;
	}
}

static int
dmarc_tag_lookup(struct dmarc_span name)
{
	int t;

	for (t = 0; t < DMARC_TAG_COUNT; t++)
		if (dmarc_is(name, dmarc_tags[t]))
			return t;
	return -1;
}

/* One tag-spec "name = value" (between semicolons, WSP trimmed).  A
 * malformed one is ignored (RFC 9989 4.7); a repeated known tag makes the
 * whole record invalid.  Returns 0 or -1 with *why. */
static int
dmarc_tagspec(struct dmarc_span ts, struct dmarc_record *r,
    struct dmarc_pstate *st, const char **why)
{
	struct dmarc_span name = { ts.s, 0 }, v;
	size_t i = 0;
	int t;

	while (i < ts.n && dmarc_alpha(ts.s[i]))
		i++, name.n++;
	while (i < ts.n && dmarc_wsp(ts.s[i]))
		i++;
	if (name.n == 0 || i >= ts.n || ts.s[i] != '=')
		return 0;
	for (i++; i < ts.n && dmarc_wsp(ts.s[i]); i++)
		;
	v.s = ts.s + i;
	v.n = ts.n - i;
	if ((t = dmarc_tag_lookup(name)) == -1)
		return 0;
	if (r->seen & (1u << t)) {
		*why = t == DMARC_TAG_V ? "v tag repeated" : "duplicate tag";
		return -1;
	}
	r->seen |= 1u << t;
	if (t == DMARC_TAG_V)
		return 0;
	for (i = 0; i < v.n; i++)
		if ((unsigned char)v.s[i] >= 0x7f)
			break;
	if (v.n == 0 || i < v.n || dmarc_set((enum dmarc_tag)t, v, r) == -1)
		dmarc_reset((enum dmarc_tag)t, r, st);
	return 0;
}

static int
dmarc_check_bytes(const char *rec, size_t len, const char **why)
{
	size_t i;

	if (len > DMARC_MAX_RECORD) {
		*why = "record too long";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)rec[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*why = c == 0 ? "NUL byte in record" :
			    "control character in record";
			return -1;
		}
	}
	return 0;
}

/* p missing: "p=none" (RFC 9989 4.7).  p / sp / np invalid: "p=none"
 * when a valid rua exists, else no DMARC processing (RFC 9989 4.10.1,
 * RFC 7489 6.6.3). */
static int
dmarc_settle_policy(struct dmarc_record *r, const struct dmarc_pstate *st,
    const char **why)
{
	if (st->p_invalid || st->sub_invalid) {
		if (r->n_rua == 0) {
			*why = st->p_invalid ? "invalid p and no valid rua" :
			    "invalid sp or np and no valid rua";
			return -1;
		}
		r->sp = r->np = DMARC_POLICY_UNSET;
		r->p = DMARC_POLICY_UNSET;
	}
	if (r->p == DMARC_POLICY_UNSET) {
		r->p = DMARC_POLICY_NONE;
		r->p_as_none = 1;
	}
	return 0;
}

int
dmarc_parse(const char *rec, size_t len, struct dmarc_record *out,
    const char **why)
{
	struct dmarc_pstate st = { 0, 0 };
	size_t i;

	dmarc_defaults(out);
	if (rec == NULL) {
		*why = "no record";
		return -1;
	}
	if (dmarc_check_bytes(rec, len, why) == -1)
		return -1;
	if ((i = dmarc_version_end(rec, len)) == 0) {
		*why = "not a DMARC record: v=DMARC1 is not the first tag";
		return -1;
	}
	out->seen = 1u << DMARC_TAG_V;
	while (i < len) {
		struct dmarc_span ts;
		while (i < len && (dmarc_wsp(rec[i]) || rec[i] == ';'))
			i++;
		ts.s = rec + i;
		while (i < len && rec[i] != ';')
			i++;
		ts.n = (size_t)(rec + i - ts.s);
		while (ts.n > 0 && dmarc_wsp(ts.s[ts.n - 1]))
			ts.n--;
		if (ts.n > 0 && dmarc_tagspec(ts, out, &st, why) == -1)
			return -1;
	}
	return dmarc_settle_policy(out, &st, why);
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	static const char *const names[] = { "", "none", "quarantine", "reject" };

	return (unsigned)p < 4 ? names[p] : "";
}

const char *
dmarc_tag_name(enum dmarc_tag t)
{
	return (unsigned)t < DMARC_TAG_COUNT ? dmarc_tags[t] : "";
}

const char *
dmarc_result_name(enum dmarc_result r)
{
	static const char *const names[] = { "none", "pass", "fail",
	    "temperror", "permerror" };

	return (unsigned)r < 5 ? names[r] : "permerror";
}

static const char *const dmarc_auth_names[] = { "none", "pass", "fail",
    "temperror", "permerror", "neutral", "softfail", "policy" };

const char *
dmarc_auth_name(enum dmarc_auth a)
{
	return (unsigned)a < 8 ? dmarc_auth_names[a] : "permerror";
}

int
dmarc_auth_parse(const char *s, enum dmarc_auth *out)
{
	unsigned i;

	for (i = 0; s != NULL && i < 8; i++)
		if (strcasecmp(s, dmarc_auth_names[i]) == 0) {
			*out = (enum dmarc_auth)i;
			return 0;
		}
	return -1;
}

const char *
dmarc_override_name(enum dmarc_override o)
{
	if (o == DMARC_OVERRIDE_TEST_MODE)
		return "policy_test_mode";
	if (o == DMARC_OVERRIDE_SAMPLED_OUT)
		return "other";
	return NULL;
}
