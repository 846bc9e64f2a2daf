/*
 * The bad-config table of test_conf.c: one config text per row and the one
 * problem it must give, after "<path>" ("file:line: key: problem").
 */
#ifndef POSTSEAL_TEST_CONF_CASES_H
#define POSTSEAL_TEST_CONF_CASES_H

struct bad_case {
	const char *text;
	const char *want;	/* the one problem, after "<path>" */
};

static const struct bad_case bad_cases[] = {
	/* syntax */
	{ "user = \"x\";\nmilter = {\n  socket = ;\n};\n", ":3: syntax error" },
	{ "a = 1;\na = 2;\n", ":2: syntax error: duplicate setting name" },
	{ "user = \"x\";\0\n", ":1: NUL byte in file" },
	{ "authserv_id = \"a\0b\";\n", ":1: NUL byte in file" },
	/* unknown keys, at the top, in groups, in sign entries */
	{ "usr = \"x\";\n", ":1: usr: unknown key (did you mean user?)" },
	{ "milter = {\n  sing = ( );\n};\n",
	  ":2: milter.sing: unknown key (did you mean milter.sign?)" },
	{ "milter = { dmarc = {\n enforced = true; }; };\n",
	  ":2: milter.dmarc.enforced: unknown key (did you mean milter.dmarc.enforce?)" },
	{ "frobnicate = { a = 1; };\n", ":1: frobnicate: unknown key" },
	{ "milter = { sign = ( { domain = \"example.com\"; selector = \"s\";\n"
	  "keyfile = \"/k\"; } ); };\n", ":2: milter.sign[0].keyfile: unknown key" },
	{ "milter = { sign = ( { domain = \"example.com\"; selector = \"s\";\n"
	  "domian = \"x\"; } ); };\n",
	  ":2: milter.sign[0].domian: unknown key (did you mean domain?)" },
	/* wrong types */
	{ "dns = { timeout = \"5\"; };\n", ":1: dns.timeout: must be an integer, not a string" },
	{ "dns = { timeout = 5.0; };\n", ":1: dns.timeout: must be an integer, not a float" },
	{ "keys = { require_safe = 1; };\n",
	  ":1: keys.require_safe: must be true or false, not an integer" },
	{ "user = 5;\n", ":1: user: must be a string, not an integer" },
	{ "milter = 5;\n", ":1: milter: must be a group { ... }, not an integer" },
	{ "milter = { internal_hosts = \"127.0.0.1\"; };\n",
	  ":1: milter.internal_hosts: must be a list of strings [ \"...\", ... ], not a string" },
	{ "policyd = { spf = { skip_helo = [ 1 ]; }; };\n",
	  ":1: policyd.spf.skip_helo[0]: must be a string, not an integer" },
	{ "milter = { sign = \"example.com\"; };\n",
	  ":1: milter.sign: must be a list ( { domain = \"...\"; selector = \"...\"; }, ... ), "
	  "not a string" },
	{ "milter = { sign = ( \"example.com\" ); };\n",
	  ":1: milter.sign[0]: must be a group { domain = \"...\"; selector = \"...\"; }, "
	  "not a string" },
	/* ranges */
	{ "dns = { timeout = 0; };\n", ":1: dns.timeout: out of range: 0 (allowed 1..60)" },
	{ "dns = {\n\ttimeout = 100000;\n};\n",
	  ":2: dns.timeout: out of range: 100000 (allowed 1..60)" },
	{ "dns = { timeout = 4294967301; };\n",
	  ":1: dns.timeout: out of range: integer too large (allowed 1..60)" },
	{ "milter = { max_signatures = 51; };\n",
	  ":1: milter.max_signatures: out of range: 51 (allowed 1..50)" },
	{ "policyd = { max_connections = -1; };\n",
	  ":1: policyd.max_connections: out of range: -1 (allowed 1..100000)" },
	{ "milter = { socket_mode = 01000; };\n",
	  ":1: milter.socket_mode: out of range (allowed 0000..0777)" },
	{ "policyd = { socket_mode = 0x200; };\n",
	  ":1: policyd.socket_mode: out of range (allowed 0000..0777)" },
	{ "milter = { socket_mode = 0689; };\n",
	  ":1: milter.socket_mode: not an octal mode like 0660 (digits 0-7)" },
	{ "milter = { socket_mode = \"rw-rw----\"; };\n",
	  ":1: milter.socket_mode: not an octal mode like 0660" },
	/* words */
	{ "milter = { on_sign_error = \"maybe\"; };\n",
	  ":1: milter.on_sign_error: \"maybe\" is not one of: accept, tempfail" },
	{ "policyd = { spf = { softfail = \"deny\"; }; };\n",
	  ":1: policyd.spf.softfail: \"deny\" is not one of: reject, defer_if_permit, prepend" },
	{ "policyd = { spf = { header = \"Received-SPF\"; }; };\n",
	  ":1: policyd.spf.header: \"Received-SPF\" is not one of: received-spf, "
	  "authentication-results" },
	{ "milter = { dmarc = { discovery = \"dns\"; }; };\n",
	  ":1: milter.dmarc.discovery: \"dns\" is not one of: treewalk, psl" },
	{ "milter = { spf = \"both\"; };\n",
	  ":1: milter.spf: \"both\" is not one of: self, policyd" },
	{ "milter = { canonicalization = \"relaxed\"; };\n",
	  ":1: milter.canonicalization: bad value \"relaxed\": not one of: relaxed/relaxed, "
	  "simple/simple, relaxed/simple, simple/relaxed" },
	/* sockets */
	{ "milter = { socket = \"tcp:8891\"; };\n",
	  ":1: milter.socket: bad value \"tcp:8891\": expected unix:/absolute/path, "
	  "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST" },
	{ "milter = { socket = \"unix:milter.sock\"; };\n",
	  ":1: milter.socket: bad value \"unix:milter.sock\": expected unix:/absolute/path, "
	  "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST" },
	{ "milter = { socket = \"inet:99999@127.0.0.1\"; };\n",
	  ":1: milter.socket: bad value \"inet:99999@127.0.0.1\": expected unix:/absolute/path, "
	  "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST" },
	{ "milter = { socket = \"inet:8891@::1\"; };\n",
	  ":1: milter.socket: bad value \"inet:8891@::1\": expected unix:/absolute/path, "
	  "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST" },
	{ "milter = { socket = \"inet:8891\"; };\n",
	  ":1: milter.socket: bad value \"inet:8891\": expected unix:/absolute/path, "
	  "local:/absolute/path, inet:PORT@HOST or inet6:PORT@HOST" },
	{ "policyd = { socket = \"inet:127.0.0.1\"; };\n",
	  ":1: policyd.socket: bad value \"inet:127.0.0.1\": expected unix:/absolute/path, "
	  "inet:HOST:PORT or inet:[IPv6]:PORT" },
	{ "policyd = { socket = \"inet:10023@127.0.0.1\"; };\n",
	  ":1: policyd.socket: bad value \"inet:10023@127.0.0.1\": expected "
	  "unix:/absolute/path, inet:HOST:PORT or inet:[IPv6]:PORT" },
	/* addresses */
	{ "milter = { internal_hosts = [ \"127.0.0.1\", \"10.0.0.0/33\" ]; };\n",
	  ":1: milter.internal_hosts[1]: bad value \"10.0.0.0/33\": bad prefix length "
	  "(IPv4 0..32, IPv6 0..128)" },
	{ "policyd = { spf = { skip_addresses = [ \"10.1.2.3/8\" ]; }; };\n",
	  ":1: policyd.spf.skip_addresses[0]: bad value \"10.1.2.3/8\": host bits set "
	  "after the prefix length" },
	{ "policyd = { spf = { skip_addresses = [ \"mx.example.com\" ]; }; };\n",
	  ":1: policyd.spf.skip_addresses[0]: bad value \"mx.example.com\": not an IP "
	  "address or CIDR" },
	{ "dns = { nameservers = [ \"127.0.0.1@0\" ]; };\n",
	  ":1: dns.nameservers[0]: bad value \"127.0.0.1@0\": expected IP or IP@PORT "
	  "(port 1..65535)" },
	{ "dns = { nameservers = [ \"localhost\" ]; };\n",
	  ":1: dns.nameservers[0]: bad value \"localhost\": expected IP or IP@PORT "
	  "(port 1..65535)" },
	/* sign entries and paths */
	{ "milter = { sign = (\n { domain = \"example.com\"; } ); };\n",
	  ":2: milter.sign[0]: missing selector" },
	{ "milter = { sign = (\n { selector = \"s1\"; } ); };\n",
	  ":2: milter.sign[0]: missing domain" },
	{ "milter = { sign = ( { domain = \"example.com\"; selector = \"s1\";\n"
	  "  key = \"keys/s1.key\"; } ); };\n",
	  ":2: milter.sign[0].key: bad value \"keys/s1.key\": not an absolute path" },
	{ "milter = { sign = ( { domain = \"../etc\"; selector = \"s1\"; } ); };\n",
	  ":1: milter.sign[0].domain: bad value \"../etc\": empty or over-long (> 63) label" },
	{ "keys = { directory = \"etc/keys\"; };\n",
	  ":1: keys.directory: bad value \"etc/keys\": not an absolute path" },
	{ "milter = { dmarc = { history = \"dmarc.db\"; }; };\n",
	  ":1: milter.dmarc.history: bad value \"dmarc.db\": not an absolute path" },
	{ "milter = { keytable = \"file:/etc/opendkim/KeyTable\"; };\n",
	  ":1: milter.keytable: milter.keytable and milter.signingtable go together" },
	{ "milter = { signingtable = \"db:/x\"; };\n",
	  ":1: milter.signingtable: bad value \"db:/x\": expected \"\", file:/absolute/path "
	  "or refile:/absolute/path" },
	/* names and text */
	{ "milter = { sign_headers = [ \"Subject\", \"To\" ]; };\n",
	  ":1: milter.sign_headers: must include From (RFC 6376 5.4)" },
	{ "milter = { oversign_headers = [ \"From:\" ]; };\n",
	  ":1: milter.oversign_headers[0]: bad value \"From:\": not a header field name" },
	{ "user = \"post\\tseal\";\n",
	  ":1: user: bad value \"post\\x09seal\": control character in value" },
	{ "authserv_id = \"mx\xff.example\";\n",
	  ":1: authserv_id: bad value \"mx\\xff.example\": not valid UTF-8" },
	{ "user = \"\";\n",
	  ":1: user: bad value \"\": not a user or group name (letters, digits, '.', '_', '-')" },
	{ "policyd = { spf = { skip_domains = [ \"b\xc3\xbc" "cher.example\" ]; }; };\n",
	  ":1: policyd.spf.skip_domains[0]: bad value \"b\\xc3\\xbccher.example\": not a "
	  "domain name (letters, digits, '-', '_' and dots; IDN in A-label form)" },
};

#endif
