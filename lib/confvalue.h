/*
 * confvalue: the checks of single config values, as conf's schema uses them.
 *
 * Every function is pure (no I/O, no globals, no allocation) and takes the
 * value as s[0..len): s need not be NUL-terminated, a NUL byte inside it is
 * a bad value, and nothing past s + len is read.  Each has an explicit
 * length limit: a longer value is refused, never truncated.
 *
 * The checkers return 0 when the value is acceptable, else -1 with *why set
 * to a static, human-readable reason (what a good value looks like); *why
 * is left alone on success.  They check syntax only: nothing is resolved,
 * opened or looked up.  Thread-safe.
 */
#ifndef POSTSEAL_CONFVALUE_H
#define POSTSEAL_CONFVALUE_H

#include <stddef.h>

#define CONFVALUE_MAX_TEXT	4096	/* any value, confvalue_text() */
#define CONFVALUE_MAX_DOMAIN	253	/* RFC 1035 2.3.4, without the root dot */
#define CONFVALUE_MAX_LABEL	63
#define CONFVALUE_MAX_ACCOUNT	32	/* useradd(8) */
#define CONFVALUE_MAX_PATH	4095	/* PATH_MAX without the NUL */
#define CONFVALUE_MAX_HEADER	997	/* "name:" fits a 998-byte line */
#define CONFVALUE_MAX_SOCKPATH	107	/* sockaddr_un.sun_path without the NUL */
#define CONFVALUE_MAX_SOCKET	1024	/* a whole socket specification */
#define CONFVALUE_MAX_HOST	255	/* host part of an inet socket */
#define CONFVALUE_MAX_ADDRESS	63	/* IP text of a CIDR or a nameserver */

/* No C0 or C1 control character, no DEL, and valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF): every value ends
 * up in logs, headers or paths.  At most CONFVALUE_MAX_TEXT bytes. */
int confvalue_text(const char *s, size_t len, const char **why);

/* A domain name or a DKIM selector: 1..253 bytes, labels of 1..63 letters,
 * digits, '-' and '_' separated by single dots (IDN as A-labels).  No "..",
 * no "/": it can never climb out of keys.directory. */
int confvalue_domain(const char *s, size_t len, const char **why);

/* A POSIX portable user or group name: 1..32 of [A-Za-z0-9._-], not
 * starting with '-'. */
int confvalue_account(const char *s, size_t len, const char **why);

/* An absolute path: starts with '/', at most CONFVALUE_MAX_PATH bytes. */
int confvalue_abspath(const char *s, size_t len, const char **why);

/* An OpenDKIM KeyTable / SigningTable: "" (none), "file:/abs",
 * "refile:/abs" or a bare "/abs". */
int confvalue_table(const char *s, size_t len, const char **why);

/* A header field name (RFC 5322 2.2): 1..997 printable ASCII characters
 * except ':'. */
int confvalue_header(const char *s, size_t len, const char **why);

/* A DKIM canonicalization pair: relaxed/relaxed, simple/simple,
 * relaxed/simple or simple/relaxed. */
int confvalue_canon(const char *s, size_t len, const char **why);

/* "IP" or "IP/PREFIX" (IPv4 0..32, IPv6 0..128, at most 3 digits) with no
 * host bits set after the prefix. */
int confvalue_cidr(const char *s, size_t len, const char **why);

/* A nameserver as libunbound takes it: "IP" or "IP@PORT", port 1..65535. */
int confvalue_nameserver(const char *s, size_t len, const char **why);

/* A milter socket as libmilter takes it: unix:/abs, local:/abs (path
 * < 108 bytes), inet:PORT@HOST (HOST an IPv4 address or a host name) or
 * inet6:PORT@HOST (an IPv6 address, bracketed or not, or a host name). */
int confvalue_milter_socket(const char *s, size_t len, const char **why);

/* A policyd listener: unix:/abs (path < 108 bytes), inet:HOST:PORT
 * (HOST an IPv4 address or a host name) or inet:[IPv6]:PORT. */
int confvalue_policyd_socket(const char *s, size_t len, const char **why);

/*
 * A file mode as chmod(1) reads it, 0000..0777, into *mode.
 * confvalue_mode_string: a string of 1..4 octal digits ("0660", "600").
 * confvalue_mode_number: an integer as libconfig read it.  libconfig 1.5
 * reads 0660 as decimal 660, so a decimal number's digits are taken as
 * octal digits (660 and 0660 both mean rw-rw----); with hex set (the
 * literal was 0x...) the number is taken by its value.
 * *mode is written only on success.
 */
int confvalue_mode_string(const char *s, size_t len, int *mode, const char **why);
int confvalue_mode_number(long long v, int hex, int *mode, const char **why);

#endif
