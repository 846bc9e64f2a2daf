/* confvalue: see confvalue.h. */
#include "confvalue.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <string.h>

static int
confvalue_fail(const char **why, const char *text)
{
	*why = text;
	return -1;
}

/* s[0..len) as a C string in buf; -1 when it holds a NUL byte (which
 * would silently cut it) or does not fit. */
static int
confvalue_cstr(const char *s, size_t len, char *buf, size_t size)
{
	if (len >= size || memchr(s, '\0', len) != NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

static int
confvalue_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* ASCII only on purpose: isalnum() would follow the locale. */
static int
confvalue_is_alnum(char ch)
{
	return confvalue_is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z');
}

/* ---- text ---- */

/* Length of the UTF-8 sequence at p (left bytes available), 0 when it is
 * not one RFC 3629 allows: overlong forms, surrogates and code points
 * above U+10FFFF are refused by narrowing the second byte's range. */
static size_t
confvalue_utf8(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n > left || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int
confvalue_text(const char *s, size_t len, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	if (len > CONFVALUE_MAX_TEXT)
		return confvalue_fail(why, "value too long (at most 4096 bytes)");
	while (i < len) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return confvalue_fail(why, "control character in value");
		if ((n = confvalue_utf8(p + i, len - i)) == 0)
			return confvalue_fail(why, "not valid UTF-8");
		/* U+0080..U+009F: C1 controls, which some terminals obey. */
		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			return confvalue_fail(why, "control character in value");
		i += n;
	}
	return 0;
}

/* ---- names and paths ---- */

int
confvalue_domain(const char *s, size_t len, const char **why)
{
	size_t label = 0;
	char ch;

	if (len == 0 || len > CONFVALUE_MAX_DOMAIN)
		return confvalue_fail(why, "a domain name has 1 to 253 characters");
	/* The end of the value closes the last label like a dot does. */
	for (size_t i = 0; i <= len; i++) {
		ch = i < len ? s[i] : '.';
		if (ch == '.') {
			if (label == 0 || label > CONFVALUE_MAX_LABEL)
				return confvalue_fail(why,
				    "empty or over-long (> 63) label");
			label = 0;
		} else if (confvalue_is_alnum(ch) || ch == '-' || ch == '_') {
			label++;
		} else {
			return confvalue_fail(why, "not a domain name (letters, "
			    "digits, '-', '_' and dots; IDN in A-label form)");
		}
	}
	return 0;
}

int
confvalue_account(const char *s, size_t len, const char **why)
{
	static const char bad[] = "not a user or group name (letters, digits, "
	    "'.', '_', '-')";

	if (len == 0 || len > CONFVALUE_MAX_ACCOUNT || s[0] == '-')
		return confvalue_fail(why, bad);
	for (size_t i = 0; i < len; i++)
		if (!confvalue_is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return confvalue_fail(why, bad);
	return 0;
}

int
confvalue_abspath(const char *s, size_t len, const char **why)
{
	if (len == 0 || s[0] != '/')
		return confvalue_fail(why, "not an absolute path");
	if (len > CONFVALUE_MAX_PATH)
		return confvalue_fail(why, "path too long (at most 4095 bytes)");
	if (memchr(s, '\0', len) != NULL)
		return confvalue_fail(why, "NUL byte in path");
	return 0;
}

int
confvalue_table(const char *s, size_t len, const char **why)
{
	if (len == 0)
		return 0;
	if (len >= 5 && memcmp(s, "file:", 5) == 0)
		return confvalue_abspath(s + 5, len - 5, why);
	if (len >= 7 && memcmp(s, "refile:", 7) == 0)
		return confvalue_abspath(s + 7, len - 7, why);
	if (s[0] != '/')
		return confvalue_fail(why, "expected \"\", file:/absolute/path or "
		    "refile:/absolute/path");
	return confvalue_abspath(s, len, why);
}

int
confvalue_header(const char *s, size_t len, const char **why)
{
	if (len == 0)
		return confvalue_fail(why, "empty header name");
	if (len > CONFVALUE_MAX_HEADER)
		return confvalue_fail(why, "header name too long (at most 997 bytes)");
	for (size_t i = 0; i < len; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == ':')
			return confvalue_fail(why, "not a header field name");
	return 0;
}

int
confvalue_canon(const char *s, size_t len, const char **why)
{
	static const char *const ok[] = { "relaxed/relaxed", "simple/simple",
	    "relaxed/simple", "simple/relaxed", NULL };

	for (int i = 0; ok[i] != NULL; i++)
		if (strlen(ok[i]) == len && memcmp(s, ok[i], len) == 0)
			return 0;
	return confvalue_fail(why, "not one of: relaxed/relaxed, simple/simple, "
	    "relaxed/simple, simple/relaxed");
}

/* ---- addresses ---- */

/* The address family of s[0..len) as an IP address, 0 when it is none. */
static int
confvalue_ip(const char *s, size_t len, unsigned char *addr)
{
	char buf[CONFVALUE_MAX_ADDRESS + 1];

	if (confvalue_cstr(s, len, buf, sizeof buf) == -1)
		return 0;
	if (inet_pton(AF_INET, buf, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, addr) == 1)
		return AF_INET6;
	return 0;
}

/* 1..65535 in decimal, at most 5 digits. */
static int
confvalue_port(const char *p, size_t len)
{
	long v = 0;

	if (len == 0 || len > 5)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!confvalue_is_digit(p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

int
confvalue_cidr(const char *s, size_t len, const char **why)
{
	static const char badlen[] = "bad prefix length (IPv4 0..32, IPv6 0..128)";
	unsigned char a[16];
	const char *slash = memchr(s, '/', len);
	size_t n = slash ? (size_t)(slash - s) : len, plen;
	int af, bits = 0, max;

	if ((af = confvalue_ip(s, n, a)) == 0)
		return confvalue_fail(why, "not an IP address or CIDR");
	if (slash == NULL)
		return 0;
	max = af == AF_INET ? 32 : 128;
	if ((plen = len - n - 1) == 0 || plen > 3)
		return confvalue_fail(why, badlen);
	for (size_t i = 0; i < plen; i++) {
		if (!confvalue_is_digit(slash[1 + i]))
			return confvalue_fail(why, badlen);
		bits = bits * 10 + (slash[1 + i] - '0');
	}
	if (bits > max)
		return confvalue_fail(why, badlen);
	/* A network written with host bits is a typo more often than not. */
	for (int i = bits; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return confvalue_fail(why, "host bits set after the prefix length");
	return 0;
}

int
confvalue_nameserver(const char *s, size_t len, const char **why)
{
	unsigned char a[16];
	const char *at = memchr(s, '@', len);
	size_t n = at ? (size_t)(at - s) : len;

	if (confvalue_ip(s, n, a) == 0 ||
	    (at != NULL && !confvalue_port(at + 1, len - n - 1)))
		return confvalue_fail(why, "expected IP or IP@PORT (port 1..65535)");
	return 0;
}

/* ---- sockets ---- */

/* A unix socket path: absolute and short enough for sun_path. */
static int
confvalue_is_sockpath(const char *p)
{
	return p[0] == '/' && p[1] != '\0' && strlen(p) <= CONFVALUE_MAX_SOCKPATH;
}

/* HOST of an inet socket: an address of family af, or a host name.
 * Brackets are allowed around an IPv6 address only. */
static int
confvalue_is_host(const char *h, size_t len, int af)
{
	unsigned char a[16];
	const char *why;
	int got;

	if (len == 0 || len > CONFVALUE_MAX_HOST)
		return 0;
	if (af == AF_INET6 && len > 2 && h[0] == '[' && h[len - 1] == ']')
		return confvalue_ip(h + 1, len - 2, a) == AF_INET6;
	if ((got = confvalue_ip(h, len, a)) != 0)
		return got == af;
	return confvalue_domain(h, len, &why) == 0;
}

int
confvalue_milter_socket(const char *s, size_t len, const char **why)
{
	static const char bad[] = "expected unix:/absolute/path, "
	    "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST";
	char v[CONFVALUE_MAX_SOCKET + 1];
	const char *at;

	if (confvalue_cstr(s, len, v, sizeof v) == -1)
		return confvalue_fail(why, bad);
	at = strchr(v, '@');
	if (strncmp(v, "unix:", 5) == 0)
		return confvalue_is_sockpath(v + 5) ? 0 : confvalue_fail(why, bad);
	if (strncmp(v, "local:", 6) == 0)
		return confvalue_is_sockpath(v + 6) ? 0 : confvalue_fail(why, bad);
	if (at != NULL && strncmp(v, "inet:", 5) == 0 &&
	    confvalue_port(v + 5, (size_t)(at - v - 5)) &&
	    confvalue_is_host(at + 1, strlen(at + 1), AF_INET))
		return 0;
	if (at != NULL && strncmp(v, "inet6:", 6) == 0 &&
	    confvalue_port(v + 6, (size_t)(at - v - 6)) &&
	    confvalue_is_host(at + 1, strlen(at + 1), AF_INET6))
		return 0;
	return confvalue_fail(why, bad);
}

int
confvalue_policyd_socket(const char *s, size_t len, const char **why)
{
	static const char bad[] = "expected unix:/absolute/path, "
	    "inet:HOST:PORT or inet:[IPv6]:PORT";
	char v[CONFVALUE_MAX_SOCKET + 1];
	const char *colon, *host;

	if (confvalue_cstr(s, len, v, sizeof v) == -1)
		return confvalue_fail(why, bad);
	if (strncmp(v, "unix:", 5) == 0)
		return confvalue_is_sockpath(v + 5) ? 0 : confvalue_fail(why, bad);
	/* The port follows the last colon, so an IPv6 host needs brackets. */
	colon = strrchr(v, ':');
	if (strncmp(v, "inet:", 5) != 0 || colon < v + 5 ||
	    !confvalue_port(colon + 1, strlen(colon + 1)))
		return confvalue_fail(why, bad);
	host = v + 5;
	if (confvalue_is_host(host, (size_t)(colon - host),
	    host[0] == '[' ? AF_INET6 : AF_INET))
		return 0;
	return confvalue_fail(why, bad);
}

/* ---- socket_mode ---- */

static int
confvalue_mode_range(long long v, int *mode, const char **why)
{
	if (v < 0 || v > 0777)
		return confvalue_fail(why, "out of range (allowed 0000..0777)");
	*mode = (int)v;
	return 0;
}

int
confvalue_mode_string(const char *s, size_t len, int *mode, const char **why)
{
	long long v = 0;

	if (len == 0 || len > 4)
		return confvalue_fail(why, "not an octal mode like 0660");
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			return confvalue_fail(why, "not an octal mode like 0660");
		v = v * 8 + (s[i] - '0');
	}
	return confvalue_mode_range(v, mode, why);
}

int
confvalue_mode_number(long long v, int hex, int *mode, const char **why)
{
	long long octal = 0, mul = 1;

	if (hex || v < 0)
		return confvalue_mode_range(v, mode, why);
	/* Four decimal digits at most; anything bigger is out of range
	 * whatever its digits, and the loop below cannot overflow. */
	if (v > 7777)
		return confvalue_mode_range(01000, mode, why);
	for (; v > 0; v /= 10, mul *= 8) {
		if (v % 10 > 7)
			return confvalue_fail(why,
			    "not an octal mode like 0660 (digits 0-7)");
		octal += v % 10 * mul;
	}
	return confvalue_mode_range(octal, mode, why);
}
