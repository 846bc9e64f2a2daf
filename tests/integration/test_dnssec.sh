#!/usr/bin/env bash
# DNSSEC validation end to end: a DKIM key record in a zone signed with
# ldns-signzone, served by a local unbound, checked by `postseal testkey`
# with dns.trust_anchor pointing at the zone's DS (or DNSKEY).
#
#   signed zone, anchor            -> "DNSSEC: secure", key OK, exit 0
#   unsigned zone outside anchor   -> "DNSSEC: insecure (...)", exit 0
#   no dns.trust_anchor            -> "DNSSEC: not validated (...)", exit 0
#   bogus (signed with another key, record edited after signing, expired
#   signatures, signatures stripped) -> exit 1, "DNSSEC validation failed"
#   and the reason, never "key OK" and never "DNSSEC: secure".
set -u
. "$SRCDIR/tests/integration/common.sh"

[ -x "$POSTSEAL" ] || ps_fail "$POSTSEAL not built"
for tool in ldns-keygen ldns-signzone drill; do
	command -v "$tool" >/dev/null || ps_fail "$tool missing (Debian: ldnsutils)"
done
ps_tmpdir
cd "$PS_TMP" || ps_fail "cd $PS_TMP"
D=dnssec.test		# signed; the trust anchor is for this zone
U=plain.test		# never signed, outside the anchor
S=sel
NAME=$S._domainkey.$D

# signing_key NAME: a DNSSEC key pair for $D (flags 257, signs the whole
# zone); ldns-keygen's base name for it in $PS_TMP/NAME.base, its DS record
# in BASE.ds and its DNSKEY record in BASE.key.
signing_key() {
	ldns-keygen -a ECDSAP256SHA256 -k -r /dev/urandom "$D" \
		>"$PS_TMP/$1.base" 2>"$PS_TMP/$1.err" || {
		cat "$PS_TMP/$1.err" >&2
		ps_fail "ldns-keygen $1"
	}
}

# sign IN OUT KEY [LDNS-SIGNZONE-OPTION...]: sign zone file IN into OUT,
# with the $ORIGIN line unbound-start needs.
sign() {
	local in=$1 out=$2 key=$3
	shift 3
	ldns-signzone "$@" -f "$out.tmp" "$in" "$(cat "$PS_TMP/$key.base")" \
		2>"$out.err" || {
		cat "$out.err" >&2
		ps_fail "ldns-signzone $out"
	}
	{ echo "\$ORIGIN $D."; cat "$out.tmp"; } >"$out"
	grep -q "^$NAME\.[[:space:]].*RRSIG[[:space:]]TXT " "$out" ||
		ps_fail "$out: no RRSIG over the DKIM record"
}

# The DKIM keys (postseal keygen) and the zones holding their records.
ps_key "$D" "$S"
ps_key "$U" "$S"
ps_key "$D" other
ps_write_zone "$PS_TMP/$D.zone" "$D"
grep "^$NAME\." "$PS_TMP/$D.keys" >>"$PS_TMP/$D.zone"
ps_write_zone "$PS_TMP/$U.zone" "$U"
cat "$PS_TMP/$U.keys" >>"$PS_TMP/$U.zone"
# The zone as it was signed before the key record was changed: other's p=.
ps_write_zone "$PS_TMP/old.zone" "$D"
grep "^other\._domainkey\." "$PS_TMP/$D.keys" |
	sed "s/^other\._domainkey\./$S._domainkey./" >>"$PS_TMP/old.zone"
cmp -s "$PS_TMP/$D.zone" "$PS_TMP/old.zone" && ps_fail "old.zone = $D.zone"

signing_key anchor
signing_key rogue
cp "$(cat "$PS_TMP/anchor.base").ds" "$PS_TMP/anchor.ds"
cp "$(cat "$PS_TMP/anchor.base").key" "$PS_TMP/anchor.dnskey"
grep -q "^$D\.[[:space:]].*IN[[:space:]]DS[[:space:]]" "$PS_TMP/anchor.ds" ||
	ps_fail "anchor.ds holds no DS for $D"

sign "$PS_TMP/$D.zone" "$PS_TMP/good.signed" anchor
sign "$PS_TMP/$D.zone" "$PS_TMP/rogue.signed" rogue
sign "$PS_TMP/$D.zone" "$PS_TMP/expired.signed" anchor -i 20200101 -e 20200201
# Edited after signing: the RRSIG covers other's record, the zone serves
# sel's (a non-validating resolver sees a perfectly good key).
sign "$PS_TMP/old.zone" "$PS_TMP/edited.tmp" anchor
good_txt=$(awk -v n="$NAME." '$1 == n && $4 == "TXT"' "$PS_TMP/good.signed")
[ "$(grep -c . <<<"$good_txt")" -eq 1 ] ||
	ps_fail "good.signed: want one TXT record at $NAME"
awk -v n="$NAME." -v line="$good_txt" '
	$1 == n && $4 == "TXT" { print line; done = 1; next }
	{ print }
	END { exit !done }' "$PS_TMP/edited.tmp" >"$PS_TMP/edited.signed" ||
	ps_fail "could not edit the signed zone"
cmp -s "$PS_TMP/edited.tmp" "$PS_TMP/edited.signed" &&
	ps_fail "edited.signed is unchanged"

# One name server per variant of $D; the good one also serves $U.
declare -A PORT
serve() {	# serve VARIANT ZONEFILE...: its port in PORT[VARIANT]
	ps_start_dns "${@:2}"
	PORT[$1]=$DNS_PORT
}
serve good "$PS_TMP/good.signed" "$PS_TMP/$U.zone"
serve rogue "$PS_TMP/rogue.signed"
serve expired "$PS_TMP/expired.signed"
serve edited "$PS_TMP/edited.signed"
serve stripped "$PS_TMP/$D.zone"

# The served zone carries signatures for DO queries, none for the unsigned.
drill -D -p "${PORT[good]}" @127.0.0.1 "$NAME" TXT >"$PS_TMP/drill.good" 2>&1 ||
	ps_fail "drill $NAME"
ps_assert_contains "$PS_TMP/drill.good" "RRSIG	TXT 13 4 300"
drill -D -p "${PORT[good]}" @127.0.0.1 "$D" DNSKEY >"$PS_TMP/drill.dnskey" 2>&1 ||
	ps_fail "drill $D DNSKEY"
ps_assert_contains "$PS_TMP/drill.dnskey" "RRSIG	DNSKEY 13 2 300"
drill -D -p "${PORT[good]}" @127.0.0.1 "$S._domainkey.$U" TXT \
	>"$PS_TMP/drill.plain" 2>&1 || ps_fail "drill $S._domainkey.$U"
ps_assert_contains "$PS_TMP/drill.plain" "v=DKIM1"
ps_assert_not_contains "$PS_TMP/drill.plain" "RRSIG"

conf() {	# conf FILE PORT ANCHOR-FILE|"" DOMAIN...
	local f=$1 port=$2 ta=$3 d sep=
	shift 3
	{
		echo "user = \"nobody\";"
		echo "dns = { nameservers = [ \"127.0.0.1@$port\" ]; timeout = 3;"
		[ -n "$ta" ] && echo "	trust_anchor = \"$ta\";"
		echo "};"
		echo "keys = { directory = \"$PS_TMP/keys\"; };"
		echo "milter = { sign = ("
		for d in "$@"; do
			echo "$sep { domain = \"$d\"; selector = \"$S\"; }"
			sep=,
		done
		echo "); };"
	} >"$f"
}

# tk NAME EXPECTED_EXIT ARGS...: run testkey, output in $PS_TMP/NAME.log
tk() {
	local n=$1 want=$2
	shift 2
	ps_expect_exit "$PS_TMP/$n.log" "$want" "$POSTSEAL" testkey "$@"
}

# line FILE LINE: FILE has exactly LINE as one of its lines.
line() {
	grep -qxF -- "$2" "$1" && return 0
	echo "--- $1:" >&2
	cat "$1" >&2
	ps_fail "$1 has no line '$2'"
}

SECURE="DNSSEC: secure"
INSECURE="DNSSEC: insecure (the zone is not signed)"
UNCHECKED="DNSSEC: not validated (no dns.trust_anchor configured)"

# Signed zone, DS anchor: secure, key OK.
conf "$PS_TMP/good.conf" "${PORT[good]}" "$PS_TMP/anchor.ds" "$D"
tk good 0 -c "$PS_TMP/good.conf"
line "$PS_TMP/good.log" "$NAME: $SECURE"
line "$PS_TMP/good.log" "$NAME: key OK"
[ "$(wc -l <"$PS_TMP/good.log")" -eq 3 ] || {
	cat "$PS_TMP/good.log" >&2
	ps_fail "good: 3 lines expected (key file, DNSSEC, key OK)"
}

# The same with the DNSKEY itself as the anchor.
conf "$PS_TMP/dnskey.conf" "${PORT[good]}" "$PS_TMP/anchor.dnskey" "$D"
tk dnskey 0 -c "$PS_TMP/dnskey.conf"
line "$PS_TMP/dnskey.log" "$NAME: $SECURE"
line "$PS_TMP/dnskey.log" "$NAME: key OK"

# Unsigned zone, same anchor configuration: insecure, still OK; both keys
# in one run, each with its own state.
conf "$PS_TMP/both.conf" "${PORT[good]}" "$PS_TMP/anchor.ds" "$D" "$U"
tk both 0 -c "$PS_TMP/both.conf"
line "$PS_TMP/both.log" "$NAME: $SECURE"
line "$PS_TMP/both.log" "$S._domainkey.$U: $INSECURE"
line "$PS_TMP/both.log" "$S._domainkey.$U: key OK"
ps_assert_not_contains "$PS_TMP/both.log" "$S._domainkey.$U: $SECURE"
tk plain 0 -c "$PS_TMP/both.conf" -d "$U" -s "$S"
line "$PS_TMP/plain.log" "$S._domainkey.$U: $INSECURE"
ps_assert_not_contains "$PS_TMP/plain.log" "$SECURE"

# No trust anchor: not validated, whatever the zone.
conf "$PS_TMP/nota.conf" "${PORT[good]}" "" "$D" "$U"
tk nota 0 -c "$PS_TMP/nota.conf"
line "$PS_TMP/nota.log" "$NAME: $UNCHECKED"
line "$PS_TMP/nota.log" "$S._domainkey.$U: $UNCHECKED"
[ "$(grep -c ': key OK$' "$PS_TMP/nota.log")" -eq 2 ] ||
	ps_fail "nota: two keys OK expected"
ps_assert_not_contains "$PS_TMP/nota.log" "$SECURE"
ps_assert_not_contains "$PS_TMP/nota.log" "DNSSEC: insecure"

# bogus VARIANT REASON: with the anchor the answer fails validation and
# testkey says so; REASON is unbound's account of the failure.
bogus() {
	local v=$1 reason=$2
	conf "$PS_TMP/$v.conf" "${PORT[$v]}" "$PS_TMP/anchor.ds" "$D"
	tk "$v" 1 -c "$PS_TMP/$v.conf"
	ps_assert_contains "$PS_TMP/$v.log" "$NAME: DNSSEC: bogus (DNSSEC validation failed: validation failure <$NAME. TXT IN>: $reason"
	ps_assert_not_contains "$PS_TMP/$v.log" "key OK"
	ps_assert_not_contains "$PS_TMP/$v.log" "$SECURE"
	ps_assert_not_contains "$PS_TMP/$v.log" "not published"
}
bogus rogue "no keys have a DS with algorithm ECDSAP256SHA256"
bogus expired "signature expired"
bogus edited "ECDSA signature verification failed"
bogus stripped "no DNSKEY rrset"

# Without the anchor the edited zone passes: only validation catches it.
conf "$PS_TMP/edited-nota.conf" "${PORT[edited]}" "" "$D"
tk edited-nota 0 -c "$PS_TMP/edited-nota.conf"
line "$PS_TMP/edited-nota.log" "$NAME: key OK"
line "$PS_TMP/edited-nota.log" "$NAME: $UNCHECKED"

# An anchor file that cannot be read is a configuration error, not a pass.
conf "$PS_TMP/noanchor.conf" "${PORT[good]}" "$PS_TMP/missing.ds" "$D"
tk noanchor 2 -c "$PS_TMP/noanchor.conf"
ps_assert_contains "$PS_TMP/noanchor.log" "trust anchor $PS_TMP/missing.ds: No such file or directory"
ps_assert_not_contains "$PS_TMP/noanchor.log" "key OK"

echo "test_dnssec: all checks passed"
