#!/usr/bin/env bash
# postseal sign / postseal verify against a local DNS and dkimpy: every
# message of tests/data/dkim, with CRLF and with bare LF line ends, signed
# with RSA-2048 and Ed25519 in three canonicalizations, verifies with
# `postseal verify` (libopendkim, keys through lib/dns) and with dkimpy; a
# tampered copy fails with both; dkimpy's signatures pass `postseal verify`;
# a missing key is a permerror and a dead name server a temperror.
set -u
. "$SRCDIR/tests/integration/common.sh"

[ -x "$POSTSEAL" ] || ps_fail "$POSTSEAL not built"
ps_tmpdir
K=$PS_TMP/keys
D=dkim.example
Z=$PS_TMP/dkim.zone
DATA=$SRCDIR/tests/data/dkim
PYTOOL=$DATA/dkimpy_tool.py
n_checked=0

for s in rsa:rsa ed:ed25519; do
	"$POSTSEAL" keygen -d "$D" -s "${s%%:*}" -a "${s#*:}" -D "$K" --user root \
		>"$PS_TMP/${s%%:*}.out" 2>&1 || {
		cat "$PS_TMP/${s%%:*}.out" >&2
		ps_fail "keygen ${s%%:*}"
	}
done
ps_write_zone "$Z" "$D"
grep -h ' IN TXT ' "$PS_TMP/rsa.out" "$PS_TMP/ed.out" >>"$Z" ||
	ps_fail "keygen printed no zone lines"
ps_start_dns "$Z"

# The same keys as a table for dkimpy (its DNS is a dict).
/usr/bin/python3 - "$Z" >"$PS_TMP/keytable" <<'EOF' || ps_fail "key table"
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r'(\S+)\s+IN\s+TXT\s+(.*)', line)
    if m:
        txt = "".join(re.findall(r'"([^"]*)"', m.group(2)))
        name = m.group(1)
        name = name[:-1] if name.endswith(".") else name + ".dkim.example"
        print("%s %s" % (name, txt))
EOF
grep -q '^rsa._domainkey.dkim.example v=DKIM1' "$PS_TMP/keytable" ||
	ps_fail "no RSA key in the key table"

conf() {	# conf FILE CANON NAMESERVER
	cat >"$1" <<CONF
user = "root";
dns = { nameservers = [ "$3" ]; timeout = 2; };
keys = { directory = "$K"; };
milter = { canonicalization = "$2"; oversign_headers = [ "From" ]; };
CONF
}

crlf() { perl -pe 's/\r?\n/\r\n/' "$1"; }

# check_signed FILE LF: two passes with postseal verify and with dkimpy.
check_signed() {
	local f=$1 out=$PS_TMP/verify.out
	"$POSTSEAL" verify -c "$PS_TMP/relaxed.conf" <"$f" >"$out" 2>&1 ||
		{ cat "$out" >&2; ps_fail "postseal verify: $f does not pass"; }
	[ "$(grep -c 'result=pass' "$out")" = 2 ] ||
		{ cat "$out" >&2; ps_fail "$f: not two passes"; }
	crlf "$f" >"$PS_TMP/crlf.eml"
	/usr/bin/python3 "$PYTOOL" verify "$PS_TMP/keytable" "$PS_TMP/crlf.eml" \
		>"$out" 2>&1 || { cat "$out" >&2; ps_fail "dkimpy: $f does not pass"; }
	[ "$(grep -c ' pass$' "$out")" = 2 ] || ps_fail "dkimpy: $f not two passes"
	if [ "$2" = 1 ] && grep -q $'\r' "$f"; then
		ps_fail "$f: LF input came out with CR"
	fi
	# Tampered body: both fail, exit 1.
	sed '0,/^\r\{0,1\}$/!s/^/X/' "$f" >"$PS_TMP/bad.eml"
	printf 'tampered\n' >>"$PS_TMP/bad.eml"
	"$POSTSEAL" verify -c "$PS_TMP/relaxed.conf" <"$PS_TMP/bad.eml" >"$out" 2>&1 &&
		ps_fail "tampered $f passes postseal verify"
	grep -q 'result=fail reason="body hash mismatch"' "$out" ||
		{ cat "$out" >&2; ps_fail "tampered $f: no body hash mismatch"; }
	crlf "$PS_TMP/bad.eml" >"$PS_TMP/crlf.eml"
	/usr/bin/python3 "$PYTOOL" verify "$PS_TMP/keytable" "$PS_TMP/crlf.eml" \
		>/dev/null 2>&1 && ps_fail "tampered $f passes dkimpy"
	n_checked=$((n_checked + 1))
}

NS=127.0.0.1@$DNS_PORT
for canon in relaxed/relaxed simple/simple relaxed/simple; do
	conf "$PS_TMP/${canon%%/*}${canon#*/}.conf" "$canon" "$NS"
done
cp "$PS_TMP/relaxedrelaxed.conf" "$PS_TMP/relaxed.conf"

for msg in "$DATA"/msg-*.eml; do
	for lf in 0 1; do
		if [ $lf = 1 ]; then tr -d '\r' <"$msg" >"$PS_TMP/in.eml"
		else cp "$msg" "$PS_TMP/in.eml"; fi
		for canon in relaxed/relaxed simple/simple relaxed/simple; do
			c=$PS_TMP/${canon%%/*}${canon#*/}.conf
			"$POSTSEAL" sign -c "$c" -d "$D" -s rsa <"$PS_TMP/in.eml" \
				>"$PS_TMP/s1.eml" 2>"$PS_TMP/sign.err" ||
				{ cat "$PS_TMP/sign.err" >&2; ps_fail "sign rsa $msg"; }
			"$POSTSEAL" sign -c "$c" -d "$D" -s ed <"$PS_TMP/s1.eml" \
				>"$PS_TMP/s2.eml" 2>"$PS_TMP/sign.err" ||
				{ cat "$PS_TMP/sign.err" >&2; ps_fail "sign ed $msg"; }
			[ "$(grep -c "c=$canon;" "$PS_TMP/s2.eml")" = 2 ] ||
				ps_fail "$msg: signatures without c=$canon"
			check_signed "$PS_TMP/s2.eml" $lf
		done
	done
done
[ "$n_checked" -ge 48 ] || ps_fail "only $n_checked messages checked"

# dkimpy's signatures pass postseal verify, keys through lib/dns.
openssl pkey -in "$K/$D/rsa.key" -traditional >"$PS_TMP/rsa.pem" 2>/dev/null ||
	openssl rsa -in "$K/$D/rsa.key" -traditional -out "$PS_TMP/rsa.pem" 2>/dev/null
openssl pkey -in "$K/$D/ed.key" -outform DER | tail -c 32 | base64 >"$PS_TMP/ed.seed"
/usr/bin/python3 "$PYTOOL" sign rsa-sha256 "$PS_TMP/rsa.pem" "$D" rsa \
	relaxed/simple "$DATA/msg-utf8.eml" "$PS_TMP/p1.eml" || ps_fail "dkimpy sign rsa"
/usr/bin/python3 "$PYTOOL" sign ed25519-sha256 "$PS_TMP/ed.seed" "$D" ed \
	simple/simple "$PS_TMP/p1.eml" "$PS_TMP/p2.eml" || ps_fail "dkimpy sign ed"
"$POSTSEAL" verify -c "$PS_TMP/relaxed.conf" <"$PS_TMP/p2.eml" >"$PS_TMP/v.out" 2>&1 ||
	{ cat "$PS_TMP/v.out" >&2; ps_fail "dkimpy-signed message does not pass"; }
ps_assert_contains "$PS_TMP/v.out" "d=$D s=ed a=ed25519-sha256"
[ "$(grep -c 'result=pass' "$PS_TMP/v.out")" = 2 ] || ps_fail "dkimpy: not two passes"

# A selector that is not published: permerror "key not found", exit 1.
sed 's/s=rsa;/s=nokey;/' "$PS_TMP/s1.eml" >"$PS_TMP/nokey.eml"
"$POSTSEAL" verify -c "$PS_TMP/relaxed.conf" <"$PS_TMP/nokey.eml" >"$PS_TMP/v.out" 2>&1 &&
	ps_fail "unpublished key passes"
ps_assert_contains "$PS_TMP/v.out" 'result=permerror reason="key not found"'

# A name server that never answers: temperror, not fail.
ps_start_blackhole
conf "$PS_TMP/dead.conf" relaxed/relaxed "127.0.0.1@$BLACKHOLE_PORT"
sed -i 's/timeout = 2;/timeout = 1;/' "$PS_TMP/dead.conf"
"$POSTSEAL" verify -c "$PS_TMP/dead.conf" <"$PS_TMP/s1.eml" >"$PS_TMP/v.out" 2>&1 &&
	ps_fail "verify passes without DNS"
ps_assert_contains "$PS_TMP/v.out" "result=temperror"
ps_assert_not_contains "$PS_TMP/v.out" "result=fail"

# No signature: exit 1, says so.
"$POSTSEAL" verify -c "$PS_TMP/relaxed.conf" <"$DATA/msg-basic.eml" >"$PS_TMP/v.out" 2>&1 &&
	ps_fail "unsigned message passes"
ps_assert_contains "$PS_TMP/v.out" "result=none"

echo "PASS: $n_checked signed messages verified by postseal verify and dkimpy"
