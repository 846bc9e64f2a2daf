/*
 * domain: domain names, addresses and the From header, pure.
 *
 * No I/O, no logging, no mutable globals: every function may be called from
 * any thread.  The organizational domain comes from libpsl's built-in
 * Public Suffix List (psl_builtin(), a read-only table).
 *
 * Domains handed out are normalised: lower case, no trailing dot, IDNA
 * A-labels ("xn--...").  A UTF-8 (U-label) domain is converted to A-labels
 * when postseal is built with libidn2 (POSTSEAL_HAVE_IDN2); without it such
 * a domain is refused with a reason that says so.
 */
#ifndef POSTSEAL_DOMAIN_H
#define POSTSEAL_DOMAIN_H

#include <stddef.h>

#define DOMAIN_MAX_HEADER	998	/* bytes of a From header value */
#define DOMAIN_MAX_ADDRESS	254	/* bytes of local@domain */
#define DOMAIN_MAX_NAME		253	/* bytes of a domain name */
#define DOMAIN_MAX_LABEL	63
#define DOMAIN_FROM_MAX_DOMAINS	8	/* distinct author domains kept */

/* What a From header says (RFC 5322 3.6.2). */
struct domain_from {
	/* The first address: local part as written without CFWS (a quoted
	 * local part keeps its quotes) and its normalised domain. */
	char local[DOMAIN_MAX_ADDRESS + 1];
	char domain[DOMAIN_MAX_NAME + 1];
	size_t n_addresses;	/* mailboxes, group members included */
	/* Distinct domains in order of appearance; exact up to
	 * DOMAIN_FROM_MAX_DOMAINS, beyond that n_domains only grows. */
	char domains[DOMAIN_FROM_MAX_DOMAINS][DOMAIN_MAX_NAME + 1];
	size_t n_domains;
	int domains_differ;	/* n_domains > 1: no single author domain */
};

/*
 * Parse a From header value (everything after "From:", folds included):
 * display names (atoms, quoted strings with escapes, encoded words taken as
 * atoms), comments (nested), angle addresses with obsolete source routes,
 * groups, several addresses, obsolete local parts ("a . b") and empty list
 * elements.  Returns 0 with out filled, or -1 with *why (a static string):
 * no address, empty domain, invalid domain syntax, too long, NUL byte,
 * control character, or a syntax error.  Only len bytes are read.
 */
int domain_from_header(const char *value, size_t len, struct domain_from *out,
    const char **why);

/*
 * Domain of an envelope address, "<user@Example.COM>" or "user@example.com"
 * (a source route "<@relay:user@dom>" is skipped).  Writes the normalised
 * domain into domain (size n).  Returns 0; 1 for the null sender (NULL, ""
 * or "<>"; domain becomes ""); -1 when there is no valid domain.
 */
int domain_from_address(const char *addr, char *domain, size_t n);

/*
 * Hostname syntax: LDH labels of 1..63 bytes, no leading or trailing
 * hyphen, at most 253 bytes, one optional trailing dot, a top label that is
 * not all digits.  A-labels are LDH and pass; a UTF-8 name passes when it
 * converts to A-labels (needs libidn2).  Returns 1 when valid, 0 otherwise.
 */
int domain_valid(const char *d);

/*
 * Normalise the domain d (len bytes) into out (size n): U-labels to
 * A-labels, lower case, trailing dot removed, then checked as in
 * domain_valid().  Returns 0, or -1 with *why.
 */
int domain_normalise(const char *d, size_t len, char *out, size_t n,
    const char **why);

/*
 * Organizational domain (RFC 7489 3.2) of d by the Public Suffix List:
 * "a.b.example.co.uk" -> "example.co.uk".  Written to buf (size n), lower
 * case.  Returns buf, or NULL when d is itself a public suffix ("co.uk",
 * "com", an unknown TLD alone), is invalid, or does not fit.
 */
const char *domain_org(const char *d, char *buf, size_t n);

/* 1 when sub equals parent or lies below it on a label boundary
 * (case-insensitive, trailing dots ignored); else 0. */
int domain_is_subdomain(const char *sub, const char *parent);

/*
 * DMARC identifier alignment of a and b: strict = equal names; relaxed =
 * the same organizational domain (a public suffix only aligns with
 * itself).  Case-insensitive.  Returns 1 aligned, 0 not.
 */
int domain_aligned(const char *a, const char *b, int strict);

/* A network: "192.0.2.0/24", "2001:db8::/32", "[::1]", or a bare address
 * (a host route).  IPv4-mapped IPv6 (::ffff:a.b.c.d) is stored as IPv4. */
struct domain_cidr {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];		/* network byte order, host bits zero */
	unsigned prefix;		/* 0..32 or 0..128 */
};

/* Parse s; host bits beyond the prefix are cleared.  Returns 0 or -1. */
int domain_cidr_parse(const char *s, struct domain_cidr *out);

/* 1 when the address text ip_text lies in c; 0 otherwise or unparsable. */
int domain_cidr_match(const struct domain_cidr *c, const char *ip_text);

/*
 * Canonical text of an IPv4 or IPv6 address (inet_ntop form; brackets and
 * an "IPv6:" prefix are removed; IPv4-mapped IPv6 becomes IPv4) into out
 * (size n).  Returns 0, or -1 when in is not an address or out is small.
 */
int domain_ip_normalise(const char *in, char *out, size_t n);

#endif
