/* dmarcrec: see dmarcrec.h. */
#include "dmarcrec.h"

#include <string.h>

#include "dmarctag.h"

/* A piece of the record (tag-spec, name, value): not NUL-terminated. */
struct dmarcrec_span {
	const char *s;
	size_t n;
};

/* State of one parse: what made p / sp / np unusable. */
struct dmarcrec_pstate {
	int p_invalid;
	int sub_invalid;
};

static int
dmarcrec_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
dmarcrec_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "v" *WSP "=" *WSP "DMARC1" (case-sensitive, RFC 7489 6.4) and then the
 * end, a WSP or ";".  Returns the offset after it, or 0. */
static size_t
dmarcrec_version_end(const char *rec, size_t len)
{
	size_t i = 0;

	while (i < len && dmarcrec_wsp(rec[i]))
		i++;
	if (i >= len || (rec[i] != 'v' && rec[i] != 'V'))
		return 0;
	for (i++; i < len && dmarcrec_wsp(rec[i]); i++)
		;
	if (i >= len || rec[i] != '=')
		return 0;
	for (i++; i < len && dmarcrec_wsp(rec[i]); i++)
		;
	if (len - i < 6 || memcmp(rec + i, "DMARC1", 6) != 0)
		return 0;
	i += 6;
	if (i < len && !dmarcrec_wsp(rec[i]) && rec[i] != ';')
		return 0;
	return i;
}

int
dmarcrec_is_record(const char *rec, size_t len)
{
	return rec != NULL && dmarcrec_version_end(rec, len) != 0;
}

static void
dmarcrec_defaults(struct dmarc_record *r)
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
dmarcrec_reset(enum dmarc_tag t, struct dmarc_record *r,
    struct dmarcrec_pstate *st)
{
	struct dmarc_record d;

	dmarcrec_defaults(&d);
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

/* One tag-spec "name = value" (between semicolons, WSP trimmed).  A
 * malformed one is ignored (RFC 9989 4.7); a repeated known tag makes the
 * whole record invalid.  Returns 0 or -1 with *why. */
static int
dmarcrec_tagspec(struct dmarcrec_span ts, struct dmarc_record *r,
    struct dmarcrec_pstate *st, const char **why)
{
	struct dmarcrec_span name = { ts.s, 0 }, v;
	size_t i = 0;
	int t;

	while (i < ts.n && dmarcrec_alpha(ts.s[i]))
		i++, name.n++;
	while (i < ts.n && dmarcrec_wsp(ts.s[i]))
		i++;
	if (name.n == 0 || i >= ts.n || ts.s[i] != '=')
		return 0;
	for (i++; i < ts.n && dmarcrec_wsp(ts.s[i]); i++)
		;
	v.s = ts.s + i;
	v.n = ts.n - i;
	if ((t = dmarctag_lookup(name.s, name.n)) == -1)
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
	if (v.n == 0 || i < v.n ||
	    dmarctag_set((enum dmarc_tag)t, v.s, v.n, r) == -1)
		dmarcrec_reset((enum dmarc_tag)t, r, st);
	return 0;
}

static int
dmarcrec_check_bytes(const char *rec, size_t len, const char **why)
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
dmarcrec_settle_policy(struct dmarc_record *r, const struct dmarcrec_pstate *st,
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
dmarcrec_parse(const char *rec, size_t len, struct dmarc_record *out,
    const char **why)
{
	struct dmarcrec_pstate st = { 0, 0 };
	size_t i;

	dmarcrec_defaults(out);
	if (rec == NULL) {
		*why = "no record";
		return -1;
	}
	if (dmarcrec_check_bytes(rec, len, why) == -1)
		return -1;
	if ((i = dmarcrec_version_end(rec, len)) == 0) {
		*why = "not a DMARC record: v=DMARC1 is not the first tag";
		return -1;
	}
	out->seen = 1u << DMARC_TAG_V;
	while (i < len) {
		struct dmarcrec_span ts;
		while (i < len && (dmarcrec_wsp(rec[i]) || rec[i] == ';'))
			i++;
		ts.s = rec + i;
		while (i < len && rec[i] != ';')
			i++;
		ts.n = (size_t)(rec + i - ts.s);
		while (ts.n > 0 && dmarcrec_wsp(ts.s[ts.n - 1]))
			ts.n--;
		if (ts.n > 0 && dmarcrec_tagspec(ts, out, &st, why) == -1)
			return -1;
	}
	return dmarcrec_settle_policy(out, &st, why);
}

const char *
dmarcrec_policy_name(enum dmarc_policy p)
{
	static const char *const names[] = { "", "none", "quarantine",
	    "reject" };

	return (unsigned)p < 4 ? names[p] : "";
}
