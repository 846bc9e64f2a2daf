/* domain: see domain.h.  The From header parser is in domain_from.c, the
 * CIDR and IP address helpers in domain_cidr.c. */
#include "domain.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>
#ifdef POSTSEAL_HAVE_IDN2
#include <idn2.h>
#endif

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
