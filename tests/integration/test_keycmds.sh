#!/usr/bin/env bash
# postseal keygen / dns-record / check-keys, as an admin would use them.
set -uo pipefail

: "${BINDIR:?}"
PS="$BINDIR/tools/postseal"
T=$(mktemp -d /tmp/test_keycmds.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 700 "$T"
failures=0
pass() { echo "ok - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# run NAME CMD...: stdout to $T/NAME.out, stderr to $T/NAME.err, status in $rc
run() { local n=$1; shift; "$@" >"$T/$n.out" 2>"$T/$n.err"; rc=$?; }

# The zone line's quoted strings, one per line, without quotes.
txt_strings() { grep ' IN TXT ' "$1" | grep -o '"[^"]*"' | sed 's/^"//; s/"$//'; }
# The p= value from a zone line file.
txt_p() { txt_strings "$1" | tr -d '\n' | sed 's/.*p=//'; }
# The p= value openssl computes from a private key file.
openssl_p() {
	if [ "$2" = ed25519 ]; then
		openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | base64 -w0
	else
		openssl pkey -in "$1" -pubout -outform DER | base64 -w0
	fi
}

K="$T/keys"
for alg in rsa ed25519; do
	sel="s-$alg"
	key="$K/example.com/$sel.key"
	run keygen-$alg "$PS" keygen -d example.com -s "$sel" -a "$alg" -D "$K" --user daemon
	check "keygen $alg exits 0" [ "$rc" -eq 0 ]
	check "keygen $alg writes $key" [ -f "$key" ]
	check "keygen $alg names the file" grep -q "wrote $key" "$T/keygen-$alg.out"
	check "keygen $alg key mode 0640" [ "$(stat -c %a "$key")" = 640 ]
	check "keygen $alg key owner root:daemon" [ "$(stat -c %U:%G "$key")" = root:daemon ]
	check "keygen $alg key is PKCS#8" grep -q '^-----BEGIN PRIVATE KEY-----$' "$key"
	check "keygen $alg record has k=$alg" grep -q "^$sel._domainkey.example.com. IN TXT ( \"v=DKIM1; k=$alg; \" \"p=" "$T/keygen-$alg.out"
	long=$(txt_strings "$T/keygen-$alg.out" | awk 'length($0) > 255' | wc -l)
	check "keygen $alg TXT strings <= 255 bytes" [ "$long" -eq 0 ]
	check "keygen $alg TXT key matches openssl pkey -pubout" \
		[ "$(txt_p "$T/keygen-$alg.out")" = "$(openssl_p "$key" "$alg")" ]
	run dnsrec-$alg "$PS" dns-record -d example.com -s "$sel" -k "$key"
	check "dns-record $alg exits 0" [ "$rc" -eq 0 ]
	check "dns-record $alg equals keygen's line" \
		[ "$(cat "$T/dnsrec-$alg.out")" = "$(grep ' IN TXT ' "$T/keygen-$alg.out")" ]
done
check "RSA record is split (2048-bit key is longer than 255)" \
	[ "$(txt_strings "$T/keygen-rsa.out" | wc -l)" -ge 3 ]
check "RSA key is 2048 bits" openssl pkey -in "$K/example.com/s-rsa.key" -noout -text \
	-out "$T/rsa.txt"
check "RSA key text says 2048 bit" grep -q '2048 bit' "$T/rsa.txt"
check "directories 0750 root:daemon" \
	[ "$(stat -c %a:%U:%G "$K" "$K/example.com" | sort -u)" = "750:root:daemon" ]

# Never overwrite, never leave temporary files.
before=$(sha256sum < "$K/example.com/s-rsa.key")
run again "$PS" keygen -d example.com -s s-rsa -D "$K" --user daemon
check "keygen refuses to overwrite (exit 1)" [ "$rc" -eq 1 ]
check "keygen says it refuses to overwrite" grep -q 'refusing to overwrite' "$T/again.err"
check "the existing key is unchanged" [ "$(sha256sum < "$K/example.com/s-rsa.key")" = "$before" ]
check "no temporary files left" [ "$(ls -A "$K/example.com" | wc -l)" -eq 2 ]

run weak "$PS" keygen -d example.com -s weak -b 1024 -D "$K"
check "keygen -b 1024 refused (exit 2)" [ "$rc" -eq 2 ]
check "keygen -b 1024 explains" grep -q 'under 2048 bits are refused' "$T/weak.err"
check "no key written for -b 1024" [ ! -e "$K/example.com/weak.key" ]
run badname "$PS" keygen -d ../etc -s x -D "$K"
check "keygen refuses a domain that is a path (exit 2)" [ "$rc" -eq 2 ]
run usage "$PS" keygen -s x -D "$K"
check "keygen without -d is a usage error (exit 2)" [ "$rc" -eq 2 ]

run nouser "$PS" keygen -d example.org -s s1 -D "$K" --user no-such-user-postseal
check "keygen with a missing user still writes (exit 0)" [ "$rc" -eq 0 ]
check "keygen warns about the missing user" grep -q 'warning: .*no-such-user-postseal' "$T/nouser.err"
check "missing user: key is root:root 0600" \
	[ "$(stat -c %a:%U:%G "$K/example.org/s1.key")" = "600:root:root" ]

# check-keys on files and on a configuration.
cat > "$T/postseal.conf" <<EOF
user = "daemon";
keys = { directory = "$K"; require_safe = true; };
milter = {
  sign = ( { domain = "example.com"; selector = "s-rsa"; },
           { domain = "example.com"; selector = "s-ed25519"; } );
};
EOF
run ck1 "$PS" check-keys -c "$T/postseal.conf"
check "check-keys on safe keys exits 0" [ "$rc" -eq 0 ]
check "check-keys reports OK rsa 2048" grep -qx "OK $K/example.com/s-rsa.key (rsa 2048)" "$T/ck1.out"
check "check-keys reports OK ed25519" grep -qx "OK $K/example.com/s-ed25519.key (ed25519 256)" "$T/ck1.out"
chmod 644 "$K/example.com/s-ed25519.key"
run ck2 "$PS" check-keys -c "$T/postseal.conf"
check "check-keys on a 0644 key exits 1" [ "$rc" -eq 1 ]
check "check-keys says UNSAFE with the fix" \
	grep -q "^UNSAFE $K/example.com/s-ed25519.key: .*(fix: chmod [0-7]* $K/example.com/s-ed25519.key)" "$T/ck2.out"
check "check-keys still reports the safe key" grep -q "^OK $K/example.com/s-rsa.key" "$T/ck2.out"
chmod 640 "$K/example.com/s-ed25519.key"

cp "$SRCDIR/tests/fixtures/keys/rsa1024.key" "$SRCDIR/tests/fixtures/keys/certificate.pem" "$T/"
chmod 600 "$T/rsa1024.key" "$T/certificate.pem"
run ck3 "$PS" check-keys --user daemon "$K/example.com/s-rsa.key" "$T/rsa1024.key" "$T/certificate.pem"
check "check-keys on a weak key and a certificate exits 1" [ "$rc" -eq 1 ]
check "check-keys: weak key is an ERROR with the fix" \
	grep -q "^ERROR $T/rsa1024.key: RSA key of 1024 bits.*postseal keygen -d DOMAIN -s SELECTOR -b 2048" "$T/ck3.out"
check "check-keys: certificate is an ERROR" \
	grep -q "^ERROR $T/certificate.pem: this is a certificate, not a private key" "$T/ck3.out"

run ck4 "$PS" check-keys -c "$T/missing.conf"
check "check-keys with a missing config exits 2" [ "$rc" -eq 2 ]
printf 'no_such_setting = 1;\n' > "$T/bad.conf"
run ck5 "$PS" check-keys -c "$T/bad.conf"
check "check-keys with a bad config exits 2" [ "$rc" -eq 2 ]
check "check-keys names the bad line" grep -q "bad.conf:1" "$T/ck5.err"
run ck6 "$PS" check-keys --no-such-option
check "check-keys with a bad option exits 2" [ "$rc" -eq 2 ]

# dns-record finds the key through the config.
run dnsconf "$PS" dns-record -c "$T/postseal.conf" -d example.com -s s-rsa
check "dns-record from config equals keygen's line" \
	[ "$rc" -eq 0 ] && [ "$(cat "$T/dnsconf.out")" = "$(grep ' IN TXT ' "$T/keygen-rsa.out")" ]
run dnsmiss "$PS" dns-record -c "$T/postseal.conf" -d example.com -s nosuch
check "dns-record of a missing key exits 1" [ "$rc" -eq 1 ]

if [ "$failures" -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
