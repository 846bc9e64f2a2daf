#!/usr/bin/env bash
# postseal testkey against a local DNS: published keys are "key OK"; every
# kind of problem is named; a dead name server is a temporary failure.
set -u
. "$SRCDIR/tests/integration/common.sh"

[ -x "$POSTSEAL" ] || ps_fail "$POSTSEAL not built"
ps_tmpdir
K=$PS_TMP/keys
D=testkey.example
Z=$PS_TMP/testkey.zone

# keygen SELECTOR ALG: make a key with postseal keygen, zone line in SELECTOR.rec
keygen() {
	"$POSTSEAL" keygen -d "$D" -s "$1" -a "$2" -D "$K" --user root \
		>"$PS_TMP/$1.out" 2>"$PS_TMP/$1.err" || {
		cat "$PS_TMP/$1.err" >&2
		ps_fail "keygen $1 $2"
	}
	grep ' IN TXT ' "$PS_TMP/$1.out" >"$PS_TMP/$1.rec" ||
		ps_fail "keygen $1 printed no zone line"
}

keygen good rsa
keygen ed ed25519
keygen mismatch rsa
keygen other rsa
keygen unpub ed25519
keygen revoked rsa
keygen testing ed25519
keygen kwrong ed25519
keygen unsafe rsa

ps_write_zone "$Z" "$D"
cat "$PS_TMP/good.rec" "$PS_TMP/ed.rec" >>"$Z"
# mismatch publishes another key's record under its own name.
sed "s/^other\._domainkey/mismatch._domainkey/" "$PS_TMP/other.rec" >>"$Z"
echo "revoked._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"" >>"$Z"
sed 's/"v=DKIM1; k=ed25519; "/"v=DKIM1; k=ed25519; t=y; "/' "$PS_TMP/testing.rec" >>"$Z"
# kwrong: an Ed25519 key published as k=rsa (with an RSA key's p=).
sed -e "s/^good\._domainkey/kwrong._domainkey/" "$PS_TMP/good.rec" >>"$Z"
cat "$PS_TMP/unsafe.rec" >>"$Z"
echo "broken._domainkey IN TXT \"v=DKIM1; k=rsa; k=rsa; p=AAAA\"" >>"$Z"
echo "twice._domainkey IN TXT \"v=DKIM1; p=\"" >>"$Z"
echo "twice._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"" >>"$Z"
grep -q 'p=' "$Z" || ps_fail "zone has no keys"

ps_start_dns "$Z"

conf() {	# conf FILE NAMESERVER TIMEOUT [SELECTOR...]
	local f=$1 ns=$2 t=$3 s
	shift 3
	{
		echo "user = \"root\";"
		echo "dns = { nameservers = [ \"$ns\" ]; timeout = $t; };"
		echo "keys = { directory = \"$K\"; };"
		echo "milter = { sign = ("
		local sep=
		for s in "$@"; do
			echo "$sep { domain = \"$D\"; selector = \"$s\"; }"
			sep=,
		done
		echo "); };"
	} >"$f"
}
conf "$PS_TMP/ok.conf" "127.0.0.1@$DNS_PORT" 5 good ed
conf "$PS_TMP/all.conf" "127.0.0.1@$DNS_PORT" 5 good mismatch ed

# tk NAME EXPECTED_EXIT ARGS...: run testkey, output in $PS_TMP/NAME.log
tk() {
	local n=$1 want=$2
	shift 2
	ps_expect_exit "$PS_TMP/$n.log" "$want" "$POSTSEAL" testkey "$@"
}

# Every configured key, all good.
tk ok 0 -c "$PS_TMP/ok.conf"
[ "$(grep -c ': key OK$' "$PS_TMP/ok.log")" -eq 2 ] || {
	cat "$PS_TMP/ok.log" >&2
	ps_fail "two keys OK expected"
}
ps_assert_contains "$PS_TMP/ok.log" "good._domainkey.$D: key OK"
ps_assert_contains "$PS_TMP/ok.log" "ed._domainkey.$D: key OK"
ps_assert_contains "$PS_TMP/ok.log" "DNSSEC: not validated"
ps_assert_not_contains "$PS_TMP/ok.log" "not secure"

# One key by name, and a key file given with -k.
tk single 0 -c "$PS_TMP/ok.conf" -d "$D" -s ed
ps_assert_contains "$PS_TMP/single.log" "ed._domainkey.$D: key OK"
tk keyfile 0 -c "$PS_TMP/ok.conf" -d "$D" -s good -k "$K/$D/good.key"

# A mismatch in the middle: the others still OK, exit 1.
tk all 1 -c "$PS_TMP/all.conf"
ps_assert_contains "$PS_TMP/all.log" "good._domainkey.$D: key OK"
ps_assert_contains "$PS_TMP/all.log" "ed._domainkey.$D: key OK"
ps_assert_contains "$PS_TMP/all.log" "mismatch._domainkey.$D: public key in DNS does not match the private key"
ps_assert_not_contains "$PS_TMP/all.log" "mismatch._domainkey.$D: key OK"

# Not published: says so and prints the exact zone line to publish.
tk unpub 1 -c "$PS_TMP/ok.conf" -d "$D" -s unpub
ps_assert_contains "$PS_TMP/unpub.log" "not published"
ps_assert_contains "$PS_TMP/unpub.log" "$(cat "$PS_TMP/unpub.rec")"
ps_assert_not_contains "$PS_TMP/unpub.log" "key OK"

tk revoked 1 -c "$PS_TMP/ok.conf" -d "$D" -s revoked
ps_assert_contains "$PS_TMP/revoked.log" "key revoked in DNS (empty p=)"

tk testing 1 -c "$PS_TMP/ok.conf" -d "$D" -s testing
ps_assert_contains "$PS_TMP/testing.log" "testing mode (t=y)"
ps_assert_not_contains "$PS_TMP/testing.log" "does not match"

tk kwrong 1 -c "$PS_TMP/ok.conf" -d "$D" -s kwrong
ps_assert_contains "$PS_TMP/kwrong.log" "k=rsa in DNS but the private key is ed25519"

tk broken 1 -c "$PS_TMP/ok.conf" -d "$D" -s broken -k "$K/$D/good.key"
ps_assert_contains "$PS_TMP/broken.log" "not a valid DKIM key record: duplicate tag"

tk twice 1 -c "$PS_TMP/ok.conf" -d "$D" -s twice -k "$K/$D/good.key"
ps_assert_contains "$PS_TMP/twice.log" "2 TXT records"

# Key file safety: the check-keys verdict.
chmod 0644 "$K/$D/unsafe.key"
tk unsafe 1 -c "$PS_TMP/ok.conf" -d "$D" -s unsafe
ps_assert_contains "$PS_TMP/unsafe.log" "key file is not stored safely"
ps_assert_contains "$PS_TMP/unsafe.log" "chmod"
tk nokey 1 -c "$PS_TMP/ok.conf" -d "$D" -s good -k "$PS_TMP/missing.key"
ps_assert_contains "$PS_TMP/nokey.log" "key file cannot be used"

# A name server that never answers: temporary, within the timeout.
ps_start_blackhole
conf "$PS_TMP/bh.conf" "127.0.0.1@$BLACKHOLE_PORT" 2 good
t0=$(date +%s.%N)
tk timeout 1 -c "$PS_TMP/bh.conf"
t1=$(date +%s.%N)
ps_assert_contains "$PS_TMP/timeout.log" "DNS timeout"
ps_assert_contains "$PS_TMP/timeout.log" "try again"
ps_assert_not_contains "$PS_TMP/timeout.log" "not published"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.8 && b - a < 3.0) }' ||
	ps_fail "timeout took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')s, want 2..3"

# Usage and configuration errors exit 2.
tk usage1 2 -c "$PS_TMP/ok.conf" -d "$D"
tk usage2 2 -c "$PS_TMP/ok.conf" -k "$K/$D/good.key"
echo 'dns = { timeout = 0; };' >"$PS_TMP/bad.conf"
tk badconf 2 -c "$PS_TMP/bad.conf" -d "$D" -s good
echo "dns = { nameservers = [ \"127.0.0.1@$DNS_PORT\" ]; }; keys = { directory = \"$K\"; };" \
	>"$PS_TMP/nosign.conf"
tk nosign 2 -c "$PS_TMP/nosign.conf"

echo "test_testkey: all checks passed"
