#!/usr/bin/env bash
# postseal import-opendkim on five realistic opendkim.conf files
# (tests/data/opendkim): each translation is checked line by line, passes
# `postseal-milter -n`, and reports every key as check-keys sees it.
set -u
. "$SRCDIR/tests/integration/common.sh"

MILTER=$BINDIR/milter/postseal-milter
DATA=$SRCDIR/tests/data/opendkim
[ -x "$POSTSEAL" ] || ps_fail "$POSTSEAL not built"
[ -x "$MILTER" ] || ps_fail "$MILTER not built"
ps_tmpdir
S=$PS_TMP/stage		# files with their paths moved under $S
R=$PS_TMP/root		# the same files at their real paths under --root $R
chmod 755 "$PS_TMP"

# key FILE ALG: a PKCS#8 key at FILE under both trees, root 0600.
key() {
	local t
	for t in "$S" "$R"; do
		mkdir -p "$(dirname "$t$1")"
		chmod 755 "$t" "$t/etc" "$t/etc/opendkim" 2>/dev/null
		if [ "$2" = ed25519 ]; then
			openssl genpkey -algorithm ed25519 -out "$t$1" 2>/dev/null
		else
			openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
				-out "$t$1" 2>/dev/null
		fi || ps_fail "openssl genpkey $2"
		chmod 600 "$t$1"
	done
}

# place NAME DEST: a data file at DEST (a path as the system sees it).
place() {
	mkdir -p "$S$(dirname "$2")" "$R$(dirname "$2")"
	sed "s|/etc/opendkim|$S/etc/opendkim|g" "$DATA/$1" >"$S$2"
	cp "$DATA/$1" "$R$2"
}

key /etc/opendkim/keys/example.com/mail.private rsa
key /etc/opendkim/keys/example.org/mail.private rsa
key /etc/opendkim/keys/example.org.private rsa
key /etc/opendkim/keys/example.net/s2024.private rsa
key /etc/opendkim/keys/example.net/ed2024.private ed25519
key /etc/opendkim/keys/example.info/mail.private rsa
key /etc/opendkim/keys/legacy.private rsa
for f in debian dms single multi unsupported; do
	place "$f.conf" "/etc/opendkim/$f.conf"
done
place dms.KeyTable /etc/opendkim/KeyTable
place dms.SigningTable /etc/opendkim/SigningTable
place dms.TrustedHosts /etc/opendkim/TrustedHosts
place multi.key.table /etc/opendkim/key.table
place multi.signing.table /etc/opendkim/signing.table

# imp NAME WANT_EXIT: translate the staged NAME.conf into $PS_TMP/NAME.out
# and check it with postseal-milter -n.
imp() {
	local rc
	"$POSTSEAL" import-opendkim "$S/etc/opendkim/$1.conf" \
		>"$PS_TMP/$1.out" 2>"$PS_TMP/$1.err"
	rc=$?
	[ "$rc" -eq "$2" ] || {
		cat "$PS_TMP/$1.out" "$PS_TMP/$1.err" >&2
		ps_fail "import-opendkim $1: exit $rc, want $2"
	}
	"$MILTER" -n -c "$PS_TMP/$1.out" >"$PS_TMP/$1.n" 2>&1 || {
		cat "$PS_TMP/$1.out" "$PS_TMP/$1.n" >&2
		ps_fail "$1: postseal-milter -n refused the translation"
	}
	ps_assert_contains "$PS_TMP/$1.n" "configuration OK"
}
has() { ps_assert_contains "$PS_TMP/$1.out" "$2"; }
hasnt() { ps_assert_not_contains "$PS_TMP/$1.out" "$2"; }

# 1. Debian 12's default: no keys, a local socket in Postfix's chroot.
imp debian 0
has debian 'socket = "unix:/var/spool/postfix/opendkim/opendkim.sock";'
has debian 'user = "opendkim";'
has debian 'socket_mode = 0660;'
has debian 'oversign_headers = [ "From" ];'
has debian 'canonicalization = "relaxed/simple";'
has debian 'trust_anchor = "/usr/share/dns/root.key";'
has debian '# opendkim: Syslog yes: postseal logs to syslog'
has debian 'SIGHUP reloads the whole configuration'
hasnt debian 'sign = ('

# 2. docker-mailserver: refile: tables referenced in place, keys checked.
imp dms 0
has dms "keytable = \"refile:$S/etc/opendkim/KeyTable\";"
has dms "signingtable = \"refile:$S/etc/opendkim/SigningTable\";"
has dms "# check-keys: OK $S/etc/opendkim/keys/example.com/mail.private (rsa 2048)"
has dms "# check-keys: OK $S/etc/opendkim/keys/example.org/mail.private (rsa 2048)"
has dms 'internal_hosts = [ "127.0.0.1", "127.0.0.1", "::1", "10.0.0.0/8" ];'
has dms '# opendkim: InternalHosts entry *.internal.example.com'
has dms '# opendkim: ExternalIgnoreList'
has dms '# opendkim: AutoRestart Yes: let systemd restart'
has dms 'socket = "inet:8891@localhost";'
has dms 'socket_mode = 0664;'
has dms 'subdomains = false;'
ps_assert_contains "$PS_TMP/dms.err" "OK $S/etc/opendkim/keys/example.com/mail.private"

# 3. One domain with KeyFile: one milter.sign entry, key in place.
imp single 0
has single "{ domain = \"example.org\"; selector = \"mail\"; key = \"$S/etc/opendkim/keys/example.org.private\"; }"
has single 'socket_group = "postfix";'
has single 'canonicalization = "relaxed/relaxed";'
has single '# opendkim: Mode sv: postseal signs mail from SASL users'

# 4. Several domains, RSA + Ed25519 through file: tables.
imp multi 0
has multi "keytable = \"file:$S/etc/opendkim/key.table\";"
has multi "# check-keys: OK $S/etc/opendkim/keys/example.net/ed2024.private (ed25519 256)"
has multi "# check-keys: OK $S/etc/opendkim/keys/example.info/mail.private (rsa 2048)"
has multi 'internal_hosts = [ "127.0.0.1", "::1", "10.0.0.0/8", "192.168.0.0/16" ];'
has multi 'nameservers = [ "127.0.0.1" ];'
has multi 'authserv_id = "mx.example.net";'
has multi 'subdomains = true;'

# 5. Unsupported options: each one a comment; the On-* actions mapped.
imp unsupported 0
has unsupported '{ domain = "a.example"; selector = "legacy";'
has unsupported '{ domain = "b.example"; selector = "legacy";'
has unsupported '# opendkim: RequireSafeKeys no: postseal always checks key paths'
has unsupported '# opendkim: On-BadSignature reject:'
has unsupported '# opendkim: ReportAddress postmaster@a.example:'
has unsupported '# opendkim: X-Header yes: no postseal equivalent; ignored'
has unsupported '# opendkim: ResolverConfiguration'
has unsupported 'on_sign_error = "tempfail";'
has unsupported 'on_verify_temperror = "tempfail";'
has unsupported 'timeout = 10;'
hasnt unsupported 'require_safe = false'

# --root: files are read under DIR, paths written as the system sees them.
"$POSTSEAL" import-opendkim --root "$R" /etc/opendkim/dms.conf \
	>"$PS_TMP/root.out" 2>"$PS_TMP/root.err" || ps_fail "--root run failed"
ps_assert_contains "$PS_TMP/root.out" 'keytable = "refile:/etc/opendkim/KeyTable";'
ps_assert_contains "$PS_TMP/root.out" "# check-keys: OK $R/etc/opendkim/keys/example.com/mail.private"

# An unsafe key directory and a broken table line are reported: exit 1.
chmod 777 "$S/etc/opendkim/keys/example.org"
echo "broken-line-without-key" >>"$S/etc/opendkim/KeyTable"
"$POSTSEAL" import-opendkim "$S/etc/opendkim/dms.conf" \
	>"$PS_TMP/bad.out" 2>"$PS_TMP/bad.err"
rc=$?
[ "$rc" -eq 1 ] || ps_fail "unsafe key: exit $rc, want 1"
ps_assert_contains "$PS_TMP/bad.out" "# check-keys: UNSAFE $S/etc/opendkim/keys/example.org/mail.private"
ps_assert_contains "$PS_TMP/bad.out" "world-writable"
ps_assert_contains "$PS_TMP/bad.out" "# problem: $S/etc/opendkim/KeyTable:3:"
ps_assert_contains "$PS_TMP/bad.err" "UNSAFE"

# Usage errors: exit 2.
"$POSTSEAL" import-opendkim >/dev/null 2>&1; [ $? -eq 2 ] || ps_fail "no argument: want 2"
"$POSTSEAL" import-opendkim "$PS_TMP/none.conf" >/dev/null 2>&1
[ $? -eq 2 ] || ps_fail "missing file: want 2"
echo "PASS import-opendkim"
