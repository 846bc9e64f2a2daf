/*
 * domain: addresses and networks (see domain.h): CIDR parsing and
 * matching, and the canonical text of an IP address.
 */
#include "domain.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

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
