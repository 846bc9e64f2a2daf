/*
 * dns: the pure half (see dns_rr.h): query names, reverse names, and the
 * records of an answer decoded from wire format.  The answer's memory is
 * allocated here, so it is freed here too (dns_answer_free of dns.h), and
 * the names of dns.h's enums are here as well.
 */
#include "dns_rr.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xmalloc.h"

void
dns_rr_why(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

/*
 * A label byte libunbound's text parser takes as itself.  Everything else
 * is written as \DDD: '\\' and '"' would be read as escapes and quotes,
 * ';' '(' ')' and white space end or group a token in zone-file syntax, and
 * control and 8-bit bytes must not depend on how a parser treats them.
 */
static int
dns_rr_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Checked before any packet leaves (see dns_rr.h). */
int
dns_rr_query_name(const char *name, char *out, size_t outlen, char *why,
    size_t whylen)
{
	size_t len, label = 0, i, o = 0;

	len = name ? strlen(name) : 0;
	if (len > 0 && name[len - 1] == '.')
		len--;
	/* The wire form is one length byte per label plus the bytes and the
	 * root: 255 at most, which is DNS_MAX_NAME bytes here. */
	if (len == 0 || len > DNS_MAX_NAME) {
		dns_rr_why(why, whylen, "query name length %zu not in 1..%d",
		    len, DNS_MAX_NAME);
		return -1;
	}
	if (outlen < DNS_RR_QNAME_SIZE) {
		dns_rr_why(why, whylen, "query name buffer too small");
		return -1;
	}
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (i == len || c == '.') {
			if (label == 0 || label > 63) {
				dns_rr_why(why, whylen,
				    "query name has an %s label",
				    label ? "over-long" : "empty");
				return -1;
			}
			out[o++] = '.';
			label = 0;
			continue;
		}
		label++;
		if (dns_rr_plain(c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
	}
	out[o] = '\0';
	return 0;
}

int
dns_rr_ptr_name(const char *addr, char *name, size_t n)
{
	char buf[80], *o = buf;
	unsigned char b[16];
	int i;

	if (addr != NULL && inet_pton(AF_INET, addr, b) == 1)
		snprintf(buf, sizeof buf, "%u.%u.%u.%u.in-addr.arpa",
		    b[3], b[2], b[1], b[0]);
	else if (addr != NULL && inet_pton(AF_INET6, addr, b) == 1) {
		for (i = 15; i >= 0; i--)
			o += sprintf(o, "%x.%x.", b[i] & 15, b[i] >> 4);
		strcpy(o, "ip6.arpa");
	} else
		return -1;
	if (strlen(buf) >= n)
		return -1;
	memcpy(name, buf, strlen(buf) + 1);
	return 0;
}

/*
 * Decode an uncompressed wire name at p (at most len bytes) into out
 * (size >= 1024) in presentation form without the trailing dot.  Bytes that
 * are not printable, '.' and '\' are written as \DDD.  Returns the bytes
 * consumed, or 0 when malformed.
 */
static size_t
dns_wire_name(const unsigned char *p, size_t len, char *out)
{
	size_t i = 0, o = 0, l, k;

	for (;;) {
		/* Labels only (no compression pointers), and the whole wire
		 * name within 255 bytes, which also bounds what out receives. */
		if (i >= len || (p[i] & 0xc0) != 0 || i + 1 + p[i] > len ||
		    (p[i] != 0 && i + 1 + p[i] > 254))
			return 0;
		if ((l = p[i++]) == 0)
			break;
		if (o > 0)
			out[o++] = '.';
		for (k = 0; k < l; k++, i++) {
			if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '.' ||
			    p[i] == '\\')
				o += (size_t)sprintf(out + o, "\\%03u", p[i]);
			else
				out[o++] = (char)p[i];
		}
	}
	out[o] = '\0';
	return i;
}

static int
dns_take_txt(struct dns_answer *a, size_t n, const unsigned char *p, size_t len)
{
	char buf[DNS_MAX_TXT + 1];
	size_t i = 0, o = 0;

	while (i < len) {
		size_t l = p[i++];
		if (i + l > len) {
			dns_rr_why(a->why, sizeof a->why, "malformed TXT rdata");
			return -1;
		}
		if (o + l > DNS_MAX_TXT) {
			dns_rr_why(a->why, sizeof a->why,
			    "TXT record longer than %d bytes", DNS_MAX_TXT);
			return -1;
		}
		memcpy(buf + o, p + i, l);
		o += l;
		i += l;
	}
	buf[o] = '\0';
	a->txt[n] = xmalloc(o + 1);
	memcpy(a->txt[n], buf, o + 1);
	a->txt_len[n] = o;
	return 0;
}

static int
dns_take_name(struct dns_answer *a, int rrtype, size_t n,
    const unsigned char *p, size_t len)
{
	char host[1024];
	size_t off = rrtype == DNS_T_MX ? 2 : 0;

	if (len < off || dns_wire_name(p + off, len - off, host) != len - off) {
		dns_rr_why(a->why, sizeof a->why, "malformed %s rdata",
		    rrtype == DNS_T_MX ? "MX" : "PTR");
		return -1;
	}
	if (rrtype == DNS_T_PTR) {
		a->ptr[n] = xstrdup(host);
		return 0;
	}
	a->mx[n].preference = (unsigned)(p[0] << 8 | p[1]);
	a->mx[n].host = xstrdup(host);
	return 0;
}

static int
dns_take_record(struct dns_answer *a, int rrtype, size_t n,
    const unsigned char *p, size_t len)
{
	switch (rrtype) {
	case DNS_T_TXT:
		return dns_take_txt(a, n, p, len);
	case DNS_T_A:
	case DNS_T_AAAA:
		if (len != (rrtype == DNS_T_A ? 4u : 16u)) {
			dns_rr_why(a->why, sizeof a->why,
			    "address rdata of %zu bytes", len);
			return -1;
		}
		memcpy(rrtype == DNS_T_A ? (void *)&a->a[n] : (void *)&a->aaaa[n],
		    p, len);
		return 0;
	default:
		return dns_take_name(a, rrtype, n, p, len);
	}
}

static void
dns_alloc_records(struct dns_answer *a, int rrtype, size_t n)
{
	if (rrtype == DNS_T_TXT) {
		a->txt = xcalloc(n, sizeof *a->txt);
		a->txt_len = xcalloc(n, sizeof *a->txt_len);
	} else if (rrtype == DNS_T_A)
		a->a = xcalloc(n, sizeof *a->a);
	else if (rrtype == DNS_T_AAAA)
		a->aaaa = xcalloc(n, sizeof *a->aaaa);
	else if (rrtype == DNS_T_MX)
		a->mx = xcalloc(n, sizeof *a->mx);
	else
		a->ptr = xcalloc(n, sizeof *a->ptr);
}

enum dns_status
dns_rr_decode(struct dns_answer *a, int rrtype, char *const *data,
    const int *len)
{
	size_t n = 0, i;

	while (data[n] != NULL)
		if (++n > DNS_MAX_RECORDS) {
			dns_rr_why(a->why, sizeof a->why, "more than %d records",
			    DNS_MAX_RECORDS);
			return DNS_PERM;
		}
	dns_alloc_records(a, rrtype, n);
	for (i = 0; i < n; i++) {
		if (len[i] < 0 || dns_take_record(a, rrtype, i,
		    (const unsigned char *)data[i], (size_t)len[i]) == -1) {
			a->n = i;	/* what was taken is freed by the caller */
			return DNS_PERM;
		}
	}
	a->n = n;
	return DNS_OK;
}

void
dns_answer_free(struct dns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->txt != NULL)
			free(a->txt[i]);
		if (a->mx != NULL)
			free(a->mx[i].host);
		if (a->ptr != NULL)
			free(a->ptr[i]);
	}
	free(a->txt);
	free(a->txt_len);
	free(a->a);
	free(a->aaaa);
	free(a->mx);
	free(a->ptr);
	a->txt = a->ptr = NULL;
	a->txt_len = NULL;
	a->a = NULL;
	a->aaaa = NULL;
	a->mx = NULL;
	a->n = 0;
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[] = { "ok", "nxdomain", "nodata",
	    "temp", "perm" };

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *
dns_security_name(enum dns_security s)
{
	static const char *const names[] = { "unchecked", "insecure", "secure",
	    "bogus" };

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}
