/*
 * conf: /etc/postseal/postseal.conf (libconfig syntax), loaded through one
 * declarative schema (name, type, default, bounds) in confschema.c.
 *
 * Every problem is reported as "file:line: key: problem": syntax errors,
 * unknown keys, wrong types, values out of range or not one of the allowed
 * words.  A loaded struct conf is immutable and shared read-only between
 * threads; reload builds a new one and swaps the pointer (DESIGN.md).
 */
#ifndef POSTSEAL_CONF_H
#define POSTSEAL_CONF_H

#include "strlist.h"

#define CONF_DEFAULT_PATH POSTSEAL_SYSCONFDIR "/postseal/postseal.conf"

enum conf_on_error { CONF_ON_ERROR_ACCEPT = 0, CONF_ON_ERROR_TEMPFAIL };

/* What policyd does with an SPF result. */
enum conf_spf_action {
	CONF_SPF_REJECT = 0,	/* 550 5.7.23 (5.7.24 for permerror) */
	CONF_SPF_DEFER,		/* defer_if_permit 4.7.24 */
	CONF_SPF_PREPEND,	/* accept, header only */
};

enum conf_spf_header { CONF_HEADER_RECEIVED_SPF = 0, CONF_HEADER_AUTH_RESULTS };
enum conf_milter_spf { CONF_MILTER_SPF_SELF = 0, CONF_MILTER_SPF_POLICYD };
enum conf_dmarc_discovery { CONF_DISCOVERY_TREEWALK = 0, CONF_DISCOVERY_PSL };

struct conf_sign {
	char *domain;
	char *selector;
	char *key;	/* file path; default keys.directory/domain/selector.key */
};

struct conf {
	char *path;			/* the file this came from */
	char *user;			/* "postseal" */
	char *authserv_id;		/* default: the host name */
	struct {
		struct strlist nameservers;	/* "IP" or "IP@PORT"; empty: resolv.conf */
		int timeout;			/* seconds, 1..60, default 5 */
		char *trust_anchor;		/* file, "" = none */
	} dns;
	struct {
		char *directory;		/* "/etc/postseal/keys" */
		int require_safe;		/* true */
	} keys;
	struct {
		char *socket;			/* "inet:8891@127.0.0.1" */
		char *socket_group;		/* "postfix" ("" = leave) */
		int socket_mode;		/* 0660 */
		char *pidfile;			/* "" = none */
		struct strlist internal_hosts;	/* CIDRs; default 127.0.0.1, ::1 */
		struct conf_sign *sign;
		int n_sign;
		int subdomains;			/* false */
		char *keytable;			/* "" or "file:..." / "refile:..." / path */
		char *signingtable;
		char *canonicalization;		/* "relaxed/relaxed" */
		struct strlist sign_headers;	/* default list in confschema.c */
		struct strlist oversign_headers;/* default: From */
		int signature_ttl;		/* x= seconds after t=, 0 = no x= */
		int max_signatures;		/* verified per message, default 5 */
		enum conf_on_error on_sign_error;	/* accept */
		enum conf_on_error on_verify_temperror;	/* accept */
		enum conf_milter_spf spf;		/* self */
		struct {
			int enforce;			/* true */
			char *history;			/* "" = off */
			enum conf_dmarc_discovery discovery;	/* treewalk */
			struct strlist no_enforce_domains;
		} dmarc;
	} milter;
	struct {
		char *socket;			/* "inet:127.0.0.1:10023" */
		char *socket_group;
		int socket_mode;		/* 0660 */
		char *pidfile;
		int max_connections;		/* 1000 */
		struct {
			enum conf_spf_action helo_fail;		/* reject */
			enum conf_spf_action mailfrom_fail;	/* reject */
			enum conf_spf_action softfail;		/* prepend */
			enum conf_spf_action permerror;		/* prepend */
			enum conf_spf_action temperror;		/* defer */
			int dmarc_aware;			/* true */
			enum conf_spf_header header;		/* received-spf */
			struct strlist skip_addresses;		/* 127.0.0.0/8, ::1 */
			int skip_authenticated;			/* true */
			struct strlist skip_helo;
			struct strlist skip_domains;
		} spf;
	} policyd;
};

/*
 * Load and validate path.  Returns the config (caller frees with conf_free)
 * or NULL when there is any problem; every problem is appended to problems
 * (may be NULL) as one line "file:line: key: problem", in file order, at
 * most 100 of them plus one "file: more problems not shown".  Exceptions to
 * that shape: "file:line: syntax error[: text]" and "file:line: NUL byte in
 * file" (then it is the only problem), and "file: problem" when the file
 * cannot be read at all.  Never exits, never logs, never prints: callers
 * print each problem, or "configuration OK" when there is none (-n).
 * Thread-safe (no global state); @include is relative to path's directory.
 */
struct conf *conf_load(const char *path, struct strlist *problems);

/* A config with every default, as if the file were empty. */
struct conf *conf_defaults(void);

void conf_free(struct conf **c);

struct dns;
/*
 * The resolver this config describes: dns.nameservers (empty:
 * /etc/resolv.conf), dns.timeout, dns.trust_anchor.  Returns it (free with
 * dns_free) or NULL with why.
 */
struct dns *conf_resolver(const struct conf *c, char *why, size_t whylen);

/* The key file of a sign entry: entry->key or keys.directory/domain/selector.key.
 * Returns a new string. */
char *conf_key_path(const struct conf *c, const struct conf_sign *s);

/* "reject", "defer_if_permit" or "prepend": the words of the config file. */
const char *conf_action_name(enum conf_spf_action a);

/* The i-th key of the schema ("milter.dmarc.enforce"), groups included;
 * NULL past the end.  For documentation checks and tools. */
const char *conf_key_name(size_t i);

#endif
