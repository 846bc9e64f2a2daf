/* spfrec: see spfrec.h. */
#include "spfrec.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "spfmacro.h"

/* Parsing state of one term: where problems are reported. */
struct spfrec_err {
	const char **why;
	size_t *pos;
	size_t base;		/* offset of the text being looked at */
};

static int
spfrec_fail(struct spfrec_err *e, size_t off, const char *why)
{
	*e->why = why;
	*e->pos = e->base + off;
	return -1;
}

static int
spfrec_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
spfrec_alnum(char c)
{
	return spfrec_alpha(c) || (c >= '0' && c <= '9');
}

int
spfrec_is_record(const char *buf, size_t len)
{
	return buf != NULL && len >= 6 && strncasecmp(buf, "v=spf1", 6) == 0 &&
	    (len == 6 || buf[6] == ' ');
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int
spfrec_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (len == 0 || !spfrec_alnum(s[0]) || !spfrec_alnum(s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (spfrec_alpha(s[i]))
			alpha = 1;
		else if (!spfrec_alnum(s[i]))
			return 0;
	}
	return alpha || dash;
}

/* 1 when the macro-string s ends in a macro-expand (checked syntax). */
static int
spfrec_ends_in_macro(const char *s, size_t len)
{
	size_t i = 0, end = (size_t)-1;
	const char *close;

	while (i < len) {
		if (s[i] != '%') {
			i++;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '{' &&
		    (close = memchr(s + i, '}', len - i)) != NULL)
			i = (size_t)(close - s) + 1;
		else
			i += 2;
		end = i;
	}
	return end == len;
}

int
spfrec_domain_spec(const char *s, size_t len, const char **why, size_t *pos)
{
	const char *dot;
	size_t l = len;

	*pos = 0;
	if (s == NULL || len == 0) {
		*why = "empty domain-spec";
		return -1;
	}
	if (spfmacro_check(s, len, SPFMACRO_DOMAIN, why, pos) == -1)
		return -1;
	if (spfrec_ends_in_macro(s, len))
		return 0;
	if (s[l - 1] == '.')
		l--;
	dot = l > 0 ? memrchr(s, '.', l) : NULL;
	if (dot == NULL || !spfrec_toplabel(dot + 1, l - (size_t)(dot + 1 - s))) {
		*why = "domain-spec must end in a macro or in a dot and a valid "
		    "top label (letters, digits, inner dashes; not all digits)";
		*pos = dot ? (size_t)(dot + 1 - s) : 0;
		return -1;
	}
	return 0;
}

/* ip4-cidr-length / ip6-cidr-length digits: no leading zero, <= max. */
static int
spfrec_cidr(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Split a trailing dual-cidr-length off r (rl bytes): *rest is what
 * remains before it. */
static int
spfrec_dual_cidr(const char *r, size_t rl, size_t off, struct spfrec_term *t,
    size_t *rest, struct spfrec_err *e)
{
	size_t end = rl, j;

	j = end;
	while (j > 0 && r[j - 1] >= '0' && r[j - 1] <= '9')
		j--;
	if (j < end && j >= 2 && r[j - 1] == '/' && r[j - 2] == '/') {
		if (spfrec_cidr(r + j, end - j, 128, &t->cidr6) == -1)
			return spfrec_fail(e, off + j, "ip6 prefix length must be 0..128 "
			    "without leading zeros");
		end = j - 2;
	}
	j = end;
	while (j > 0 && r[j - 1] >= '0' && r[j - 1] <= '9')
		j--;
	if (j < end && j >= 1 && r[j - 1] == '/') {
		if (spfrec_cidr(r + j, end - j, 32, &t->cidr4) == -1)
			return spfrec_fail(e, off + j, "ip4 prefix length must be 0..32 "
			    "without leading zeros");
		end = j - 1;
	}
	*rest = end;
	return 0;
}

static int
spfrec_spec(const char *s, size_t len, struct spfrec_term *t,
    struct spfrec_err *e, size_t off)
{
	const char *why;
	size_t pos;

	if (spfrec_domain_spec(s, len, &why, &pos) == -1)
		return spfrec_fail(e, off + pos, why);
	t->spec = s;
	t->spec_len = len;
	return 0;
}

/* a / mx: [ ":" domain-spec ] [ dual-cidr-length ]; r follows the name. */
static int
spfrec_arg_host(const char *r, size_t rl, size_t off, struct spfrec_term *t,
    struct spfrec_err *e)
{
	size_t rest;

	if (rl > 0 && r[0] != ':' && r[0] != '/')
		return spfrec_fail(e, off, "unknown mechanism");
	if (spfrec_dual_cidr(r, rl, off, t, &rest, e) == -1)
		return -1;
	if (rest == 0)
		return 0;
	if (r[0] != ':')
		return spfrec_fail(e, off, "bad prefix length (use /N or //N)");
	return spfrec_spec(r + 1, rest - 1, t, e, off + 1);
}

/* ip4 / ip6: ":" network [ "/" length ]. */
static int
spfrec_arg_ip(const char *r, size_t rl, size_t off, struct spfrec_term *t,
    struct spfrec_err *e)
{
	int v6 = t->mech == SPFREC_IP6;
	const char *slash;
	char buf[48];
	size_t nl;

	if (rl < 2 || r[0] != ':')
		return spfrec_fail(e, off, v6 ? "ip6 needs \":\" and a network" :
		    "ip4 needs \":\" and a network");
	slash = memchr(r + 1, '/', rl - 1);
	nl = slash ? (size_t)(slash - r) - 1 : rl - 1;
	if (nl == 0 || nl >= sizeof buf)
		return spfrec_fail(e, off + 1, "bad network address");
	memcpy(buf, r + 1, nl);
	buf[nl] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, t->addr) != 1)
		return spfrec_fail(e, off + 1, v6 ? "not an IPv6 address" :
		    "not a dotted-quad IPv4 address");
	if (slash != NULL && spfrec_cidr(slash + 1, rl - nl - 2, v6 ? 128 : 32,
	    v6 ? &t->cidr6 : &t->cidr4) == -1)
		return spfrec_fail(e, off + 1 + nl, v6 ?
		    "ip6 prefix length must be 0..128 without leading zeros" :
		    "ip4 prefix length must be 0..32 without leading zeros");
	return 0;
}

static const char *const spfrec_names[] = { "all", "include", "a", "mx",
    "ptr", "ip4", "ip6", "exists" };

const char *
spfrec_mech_name(enum spfrec_mech m)
{
	if ((unsigned)m < sizeof spfrec_names / sizeof spfrec_names[0])
		return spfrec_names[m];
	return "unknown";
}

char
spfrec_qual_char(enum spfrec_qual q)
{
	static const char q_chars[] = "+-~?";

	return (unsigned)q < 4 ? q_chars[q] : '?';
}

/* The mechanism's argument r (rl bytes, at offset off in the term). */
static int
spfrec_arg(const char *r, size_t rl, size_t off, struct spfrec_term *t,
    struct spfrec_err *e)
{
	switch (t->mech) {
	case SPFREC_ALL:
		return rl == 0 ? 0 : spfrec_fail(e, off, "all takes no argument");
	case SPFREC_INCLUDE:
	case SPFREC_EXISTS:
		if (rl == 0 || r[0] != ':')
			return spfrec_fail(e, off, "needs \":\" and a domain");
		return spfrec_spec(r + 1, rl - 1, t, e, off + 1);
	case SPFREC_PTR:
		if (rl == 0)
			return 0;
		if (r[0] != ':')
			return spfrec_fail(e, off, "ptr takes only \":\" domain");
		return spfrec_spec(r + 1, rl - 1, t, e, off + 1);
	case SPFREC_A:
	case SPFREC_MX:
		return spfrec_arg_host(r, rl, off, t, e);
	default:
		return spfrec_arg_ip(r, rl, off, t, e);
	}
}

static int
spfrec_mechanism(const char *s, size_t len, struct spfrec *rec,
    struct spfrec_err *e)
{
	struct spfrec_term *t;
	size_t i = 0, n, m;
	const char *q;

	if (rec->n >= SPFREC_MAX_TERMS)
		return spfrec_fail(e, 0, "too many terms");
	t = &rec->terms[rec->n];
	memset(t, 0, sizeof *t);
	t->cidr4 = 32;
	t->cidr6 = 128;
	if ((q = memchr("+-~?", s[0], 4)) != NULL) {
		t->qual = (enum spfrec_qual)(q - "+-~?");
		i = 1;
	}
	for (n = i; n < len && spfrec_alnum(s[n]); n++)
		;
	for (m = 0; m < sizeof spfrec_names / sizeof spfrec_names[0]; m++)
		if (strlen(spfrec_names[m]) == n - i &&
		    strncasecmp(s + i, spfrec_names[m], n - i) == 0)
			break;
	if (n == i || m == sizeof spfrec_names / sizeof spfrec_names[0])
		return spfrec_fail(e, i, "unknown mechanism");
	t->mech = (enum spfrec_mech)m;
	if (spfrec_arg(s + n, len - n, n, t, e) == -1)
		return -1;
	t->text = s;
	t->text_len = len;
	t->pos = e->base;
	rec->n++;
	return 0;
}

static int
spfrec_modifier(const char *s, size_t len, size_t nlen, struct spfrec *rec,
    struct spfrec_err *e)
{
	const char **slot = NULL, *why;
	size_t *slot_len = NULL, pos;
	const char *v = s + nlen + 1;
	size_t vl = len - nlen - 1;

	if (nlen == 8 && strncasecmp(s, "redirect", 8) == 0) {
		slot = &rec->redirect;
		slot_len = &rec->redirect_len;
	} else if (nlen == 3 && strncasecmp(s, "exp", 3) == 0) {
		slot = &rec->exp;
		slot_len = &rec->exp_len;
	}
	if (slot == NULL) {
		/* Unknown modifiers are ignored, but their syntax counts. */
		if (spfmacro_check(v, vl, SPFMACRO_ANY, &why, &pos) == -1)
			return spfrec_fail(e, nlen + 1 + pos, why);
		return 0;
	}
	if (*slot != NULL)
		return spfrec_fail(e, 0, nlen == 3 ? "exp= given twice" :
		    "redirect= given twice");
	if (spfrec_domain_spec(v, vl, &why, &pos) == -1)
		return spfrec_fail(e, nlen + 1 + pos, why);
	*slot = v;
	*slot_len = vl;
	return 0;
}

static int
spfrec_term(const char *s, size_t len, struct spfrec *rec, struct spfrec_err *e)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return spfrec_fail(e, i, (unsigned char)s[i] > 0x7e ?
			    "non-ASCII byte" : "control character (terms are "
			    "separated by spaces only)");
	/* A modifier is name "=" ...; '=' before any ':' or '/' says it
	 * is meant as one, and then the name must be valid. */
	for (i = 0; i < len && s[i] != '=' && s[i] != ':' && s[i] != '/'; i++)
		;
	if (i == len || s[i] != '=')
		return spfrec_mechanism(s, len, rec, e);
	if (i == 0 || !spfrec_alpha(s[0]))
		return spfrec_fail(e, 0, "modifier name must start with a letter");
	for (size_t k = 1; k < i; k++)
		if (!spfrec_alnum(s[k]) && s[k] != '-' && s[k] != '_' &&
		    s[k] != '.')
			return spfrec_fail(e, k, "bad character in modifier name");
	return spfrec_modifier(s, len, i, rec, e);
}

int
spfrec_parse(const char *buf, size_t len, struct spfrec *out,
    const char **why, size_t *pos)
{
	struct spfrec_err e = { why, pos, 0 };
	size_t i = 6, start;

	out->n = 0;
	out->redirect = out->exp = NULL;
	out->redirect_len = out->exp_len = 0;
	if (len > SPFREC_MAX_LEN)
		return spfrec_fail(&e, SPFREC_MAX_LEN, "record too long");
	if (!spfrec_is_record(buf, len))
		return spfrec_fail(&e, 0, "not an SPF record (must start with "
		    "\"v=spf1\" and a space)");
	while (i < len) {
		if (buf[i] == ' ') {
			i++;
			continue;
		}
		for (start = i; i < len && buf[i] != ' '; i++)
			;
		e.base = start;
		if (spfrec_term(buf + start, i - start, out, &e) == -1)
			return -1;
	}
	return 0;
}

size_t
spfrec_dns_terms(const struct spfrec *rec)
{
	size_t i, n = rec->redirect != NULL;

	for (i = 0; i < rec->n; i++)
		switch (rec->terms[i].mech) {
		case SPFREC_INCLUDE:
		case SPFREC_A:
		case SPFREC_MX:
		case SPFREC_PTR:
		case SPFREC_EXISTS:
			n++;
			break;
		default:
			break;
		}
	return n;
}
