/* domain: see domain.h.  The From header parser is at the end. */
#include "domain.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <libpsl.h>
#ifdef POSTSEAL_HAVE_IDN2
#include <idn2.h>
#endif

#include "xmalloc.h"

/* Longest raw (UTF-8) domain looked at before conversion. */
#define RAW_MAX 1024

static int
ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Check a lower-case ASCII name without trailing dot. */
static int
name_check(const char *d, const char **why)
{
	size_t len = strlen(d), i, start = 0;
	int digits = 1;

	if (len == 0)
		return *why = "empty domain", -1;
	if (len > DOMAIN_MAX_NAME)
		return *why = "domain too long", -1;
	for (i = 0; i <= len; i++) {
		if (i < len && d[i] != '.') {
			if (!ldh((unsigned char)d[i]))
				return *why = "invalid character in domain", -1;
			if (!isdigit((unsigned char)d[i]))
				digits = 0;
			continue;
		}
		if (i == start)
			return *why = "empty label in domain", -1;
		if (i - start > DOMAIN_MAX_LABEL)
			return *why = "domain label longer than 63", -1;
		if (d[start] == '-' || d[i - 1] == '-')
			return *why = "domain label starts or ends with '-'", -1;
		if (i < len)
			digits = 1;
		start = i + 1;
	}
	if (digits)
		return *why = "top-level label is numeric", -1;
	return 0;
}

/* U-labels -> A-labels into out (size n).  d is NUL-terminated. */
static int
to_ascii(const char *d, char *out, size_t n, const char **why)
{
#ifdef POSTSEAL_HAVE_IDN2
	char *a = NULL;

	if (idn2_to_ascii_8z(d, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) !=
	    IDN2_OK)
		return *why = "invalid internationalized domain", -1;
	if (strlen(a) >= n) {
		idn2_free(a);
		return *why = "domain too long", -1;
	}
	memcpy(out, a, strlen(a) + 1);
	idn2_free(a);
	return 0;
#else
	(void)d;
	(void)out;
	(void)n;
	return *why = "internationalized (UTF-8) domain: built without libidn2", -1;
#endif
}

int
domain_normalise(const char *d, size_t len, char *out, size_t n,
    const char **why)
{
	char raw[RAW_MAX + 1], conv[RAW_MAX + 1];
	const char *src = raw;
	size_t i, utf8 = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0)
		return *why = "empty domain", -1;
	if (len > RAW_MAX)
		return *why = "domain too long", -1;
	for (i = 0; i < len; i++) {
		if (d[i] == '\0')
			return *why = "NUL byte in domain", -1;
		utf8 |= (unsigned char)d[i] >= 0x80;
		raw[i] = (char)tolower((unsigned char)d[i]);
	}
	raw[len] = '\0';
	if (utf8) {
		if (to_ascii(raw, conv, sizeof conv, why) == -1)
			return -1;
		src = conv;
	}
	if (name_check(src, why) == -1)
		return -1;
	if (strlen(src) >= n)
		return *why = "domain does not fit", -1;
	memcpy(out, src, strlen(src) + 1);
	return 0;
}

int
domain_valid(const char *d)
{
	char buf[DOMAIN_MAX_NAME + 1];
	const char *why;

	return d != NULL && domain_normalise(d, strlen(d), buf, sizeof buf,
	    &why) == 0;
}

int
domain_from_address(const char *addr, char *domain, size_t n)
{
	const char *p, *end, *at, *why;

	if (n > 0)
		domain[0] = '\0';
	if (addr == NULL)
		return 1;
	p = addr;
	end = addr + strlen(addr);
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && *p == '<' && end[-1] == '>')
		p++, end--;
	if (p == end)
		return 1;
	if (*p == '@') {	/* obsolete source route "@relay:" */
		if ((p = memchr(p, ':', (size_t)(end - p))) == NULL)
			return -1;
		p++;
	}
	if ((at = memrchr(p, '@', (size_t)(end - p))) == NULL || at == p)
		return -1;
	if (end - at > 1 && at[1] == '[')
		return -1;	/* an address literal has no domain */
	return domain_normalise(at + 1, (size_t)(end - at - 1), domain, n,
	    &why) == 0 ? 0 : -1;
}

const char *
domain_org(const char *d, char *buf, size_t n)
{
	char norm[DOMAIN_MAX_NAME + 1];
	const psl_ctx_t *psl = psl_builtin();
	const char *reg, *why;

	if (d == NULL || psl == NULL ||
	    domain_normalise(d, strlen(d), norm, sizeof norm, &why) == -1)
		return NULL;
	if ((reg = psl_registrable_domain(psl, norm)) == NULL ||
	    strlen(reg) >= n)
		return NULL;
	memcpy(buf, reg, strlen(reg) + 1);
	return buf;
}

static size_t
bare_len(const char *d)
{
	size_t len = strlen(d);

	return len > 0 && d[len - 1] == '.' ? len - 1 : len;
}

int
domain_is_subdomain(const char *sub, const char *parent)
{
	size_t ls, lp;

	if (sub == NULL || parent == NULL)
		return 0;
	ls = bare_len(sub);
	lp = bare_len(parent);
	if (lp == 0 || ls < lp)
		return 0;
	if (ls > lp && sub[ls - lp - 1] != '.')
		return 0;
	return strncasecmp(sub + ls - lp, parent, lp) == 0;
}

int
domain_aligned(const char *a, const char *b, int strict)
{
	char oa[DOMAIN_MAX_NAME + 1], ob[DOMAIN_MAX_NAME + 1];
	int same;

	if (a == NULL || b == NULL || bare_len(a) == 0)
		return 0;
	same = bare_len(a) == bare_len(b) &&
	    strncasecmp(a, b, bare_len(a)) == 0;
	if (strict || same)
		return same;
	if (domain_org(a, oa, sizeof oa) == NULL ||
	    domain_org(b, ob, sizeof ob) == NULL)
		return 0;
	return strcmp(oa, ob) == 0;
}

/*
 * Address text -> family + bytes.  Accepts "[...]" and "IPv6:" (as SMTP
 * writes them) and turns IPv4-mapped IPv6 into IPv4, so ::ffff:192.0.2.1
 * matches 192.0.2.0/24 exactly as the client's IPv4 address would.
 */
static int
ip_parse(const char *s, size_t len, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	char buf[INET6_ADDRSTRLEN + 8];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		s++, len -= 2;
	if (len >= 5 && strncasecmp(s, "IPv6:", 5) == 0)
		s += 5, len -= 5;
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		return *family = AF_INET, 0;
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (memcmp(addr, mapped, sizeof mapped) == 0) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

static int
prefix_parse(const char *s, unsigned max, unsigned *prefix)
{
	unsigned v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -1;
	*prefix = v;
	return 0;
}

int
domain_cidr_parse(const char *s, struct domain_cidr *out)
{
	const char *slash, *close;
	size_t alen, i;
	int v6text;

	if (s == NULL)
		return -1;
	memset(out, 0, sizeof *out);
	close = s[0] == '[' ? strchr(s, ']') : NULL;
	slash = strchr(close != NULL ? close : s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (ip_parse(s, alen, &out->family, out->addr) == -1)
		return -1;
	out->prefix = out->family == AF_INET ? 32 : 128;
	v6text = memchr(s, ':', alen) != NULL;
	if (slash != NULL) {
		if (prefix_parse(slash + 1, v6text ? 128 : 32, &out->prefix) == -1)
			return -1;
		if (v6text && out->family == AF_INET) {	/* ::ffff:a.b.c.d/NN */
			if (out->prefix < 96)
				return -1;
			out->prefix -= 96;
		}
	}
	for (i = 0; i < 16; i++) {	/* clear the host bits */
		if (i * 8 >= out->prefix)
			out->addr[i] = 0;
		else if (i * 8 + 8 > out->prefix)
			out->addr[i] &= (unsigned char)(0xff << (8 - out->prefix % 8));
	}
	return 0;
}

int
domain_cidr_match(const struct domain_cidr *c, const char *ip_text)
{
	unsigned char a[16] = { 0 };
	unsigned full, rest;
	int family;

	if (c == NULL || ip_text == NULL ||
	    ip_parse(ip_text, strlen(ip_text), &family, a) == -1 ||
	    family != c->family)
		return 0;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(a, c->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ c->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
domain_ip_normalise(const char *in, char *out, size_t n)
{
	unsigned char a[16];
	int family;

	if (in == NULL || ip_parse(in, strlen(in), &family, a) == -1 ||
	    n > 0x7fffffff)
		return -1;
	return inet_ntop(family, a, out, (socklen_t)n) == NULL ? -1 : 0;
}

/*
 * From header (RFC 5322 3.4, 3.6.2, 4.4).  The value is first cut into
 * tokens with whitespace and comments dropped, then parsed by the grammar
 * with one index into the token array; every loop stops at T_END.
 */
enum tok_type { T_END, T_ATOM, T_QSTR, T_DLIT, T_CHAR };

struct tok {
	const char *s;
	size_t len;
	enum tok_type type;
};

struct fparse {
	struct tok *t;
	size_t n, i;
	struct domain_from *out;
	const char *why;
};

static int
atext(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c)) ||
	    c >= 0x80;	/* RFC 6532 UTF-8 */
}

static int
tok_is(const struct tok *t, char c)
{
	return t->type == T_CHAR && t->s[0] == c;
}

static const struct tok *
cur(const struct fparse *fp)
{
	return &fp->t[fp->i];
}

/* Skip folding white space and nested comments (quoted-pairs inside). */
static int
skip_cfws(const char **pp, const char *end, const char **why)
{
	const char *p = *pp;
	int depth = 0;

	for (; p < end; p++) {
		if (depth > 0 && *p == '\\') {
			if (++p == end)
				break;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && !strchr(" \t\r\n", *p)) {
			break;
		}
	}
	if (depth > 0)
		return *why = "unterminated comment", -1;
	*pp = p;
	return 0;
}

/* End of a quoted string or domain literal starting at p, or NULL. */
static const char *
scan_quoted(const char *p, const char *end, char close)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			if (++p == end)
				return NULL;
		} else if (*p == close) {
			return p + 1;
		}
	}
	return NULL;
}

static int
tokenize(const char *p, const char *end, struct fparse *fp)
{
	const char *q;
	struct tok *t;

	for (;;) {
		if (skip_cfws(&p, end, &fp->why) == -1)
			return -1;
		t = &fp->t[fp->n++];
		t->s = p;
		t->len = 0;
		if ((t->type = T_END, p == end))
			return 0;
		if (*p == '"' || *p == '[') {
			t->type = *p == '"' ? T_QSTR : T_DLIT;
			if ((q = scan_quoted(p, end, *p == '"' ? '"' : ']')) == NULL)
				return fp->why = t->type == T_QSTR ?
				    "unterminated quoted string" :
				    "unterminated domain literal", -1;
		} else if (atext((unsigned char)*p)) {
			for (q = p; q < end && atext((unsigned char)*q); q++)
				;
			t->type = T_ATOM;
		} else {
			q = p + 1;
			t->type = T_CHAR;
		}
		t->len = (size_t)(q - p);
		p = q;
	}
}

static void
add_address(struct domain_from *out, const char *local, const char *dom)
{
	size_t i;

	if (out->n_addresses++ == 0) {
		memcpy(out->local, local, strlen(local) + 1);
		memcpy(out->domain, dom, strlen(dom) + 1);
	}
	for (i = 0; i < out->n_domains && i < DOMAIN_FROM_MAX_DOMAINS; i++)
		if (strcmp(out->domains[i], dom) == 0)
			return;
	if (out->n_domains < DOMAIN_FROM_MAX_DOMAINS)
		memcpy(out->domains[out->n_domains], dom, strlen(dom) + 1);
	out->n_domains++;
	out->domains_differ = out->n_domains > 1;
}

/* Append the tokens that may form a local part or a domain to buf. */
static size_t
collect(struct fparse *fp, int local, char *buf, size_t max, size_t *words)
{
	const struct tok *t;
	size_t len = 0;

	for (*words = 0; (t = cur(fp))->type == T_ATOM || tok_is(t, '.') ||
	    (local && t->type == T_QSTR); fp->i++) {
		if (len + t->len > max)
			return max + 1;
		memcpy(buf + len, t->s, t->len);
		len += t->len;
		*words += t->type != T_CHAR;
	}
	buf[len] = '\0';
	return len;
}

/* local-part "@" domain; lone and trailing dots in the local part are
 * obsolete but seen in real mail ("john.@example.jp"), so they pass. */
static int
parse_addr_spec(struct fparse *fp)
{
	char local[DOMAIN_MAX_ADDRESS + 1], dom[RAW_MAX + 1];
	char norm[DOMAIN_MAX_NAME + 1];
	size_t ll, dl, words;

	ll = collect(fp, 1, local, DOMAIN_MAX_ADDRESS, &words);
	if (ll > DOMAIN_MAX_ADDRESS)
		return fp->why = "address too long", -1;
	if (words == 0)
		return fp->why = ll ? "invalid local part" : "expected an address", -1;
	if (!tok_is(cur(fp), '@'))
		return fp->why = "address has no domain", -1;
	fp->i++;
	if (cur(fp)->type == T_DLIT)
		return fp->why = "domain is an address literal", -1;
	if ((dl = collect(fp, 0, dom, RAW_MAX, &words)) > RAW_MAX)
		return fp->why = "domain too long", -1;
	if (dl == 0)
		return fp->why = "empty domain", -1;
	if (domain_normalise(dom, dl, norm, sizeof norm, &fp->why) == -1)
		return -1;
	if (ll + 1 + strlen(norm) > DOMAIN_MAX_ADDRESS)
		return fp->why = "address too long", -1;
	add_address(fp->out, local, norm);
	return 0;
}

/* "<" [obs-route] addr-spec ">" */
static int
parse_angle(struct fparse *fp)
{
	fp->i++;
	if (tok_is(cur(fp), '>'))
		return fp->why = "empty address <>", -1;
	if (tok_is(cur(fp), '@')) {
		while (cur(fp)->type != T_END && !tok_is(cur(fp), ':') &&
		    !tok_is(cur(fp), '>'))
			fp->i++;
		if (!tok_is(cur(fp), ':'))
			return fp->why = "invalid source route", -1;
		fp->i++;
	}
	if (parse_addr_spec(fp) == -1)
		return -1;
	if (!tok_is(cur(fp), '>'))
		return fp->why = "missing '>' after address", -1;
	fp->i++;
	return 0;
}

static int parse_group(struct fparse *);

/*
 * A display name is words and dots; a stray '@' in it ("a@b.c <a@b.c>")
 * is tolerated because the address in angle brackets decides anyway.
 */
static int
parse_mailbox(struct fparse *fp, int allow_group)
{
	const struct tok *t;
	size_t j;
	int at = 0;

	for (j = fp->i; (t = &fp->t[j])->type == T_ATOM || t->type == T_QSTR ||
	    tok_is(t, '.') || tok_is(t, '@'); j++)
		at |= tok_is(t, '@');
	if (tok_is(t, '<')) {
		fp->i = j;
		return parse_angle(fp);
	}
	if (tok_is(t, ':') && j > fp->i && !at) {
		if (!allow_group)
			return fp->why = "group inside a group", -1;
		fp->i = j + 1;
		return parse_group(fp);
	}
	return parse_addr_spec(fp);
}

static int
expect_separator(struct fparse *fp, char c)
{
	if (cur(fp)->type == T_END || tok_is(cur(fp), ',') || tok_is(cur(fp), c))
		return 0;
	return fp->why = "unexpected text after address", -1;
}

static int
parse_group(struct fparse *fp)
{
	for (;;) {
		if (tok_is(cur(fp), ';')) {
			fp->i++;
			return 0;
		}
		if (tok_is(cur(fp), ',')) {
			fp->i++;
			continue;
		}
		if (cur(fp)->type == T_END)
			return fp->why = "group without ';'", -1;
		if (parse_mailbox(fp, 0) == -1 || expect_separator(fp, ';') == -1)
			return -1;
	}
}

static int
parse_list(struct fparse *fp)
{
	while (cur(fp)->type != T_END) {
		if (tok_is(cur(fp), ',')) {
			fp->i++;
			continue;
		}
		if (parse_mailbox(fp, 1) == -1 || expect_separator(fp, ',') == -1)
			return -1;
	}
	if (fp->out->n_addresses == 0)
		return fp->why = "no address", -1;
	return 0;
}

static const char *
header_check(const char *v, size_t len)
{
	size_t i;

	if (v == NULL)
		return "no header";
	if (len > DOMAIN_MAX_HEADER)
		return "header too long";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == 0)
			return "NUL byte in header";
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return "control character in header";
	}
	return NULL;
}

int
domain_from_header(const char *value, size_t len, struct domain_from *out,
    const char **why)
{
	struct fparse fp;
	int r = -1;

	memset(out, 0, sizeof *out);
	memset(&fp, 0, sizeof fp);
	if ((*why = header_check(value, len)) != NULL)
		return -1;
	fp.t = xcalloc(len + 1, sizeof *fp.t);
	fp.out = out;
	if (tokenize(value, value + len, &fp) == 0 && parse_list(&fp) == 0)
		r = 0;
	free(fp.t);
	if (r == -1) {
		memset(out, 0, sizeof *out);
		*why = fp.why;
	}
	return r;
}
