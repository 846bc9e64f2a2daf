#!/usr/bin/env bash
# postseal-milter in a private Postfix with the local DNS: outbound mail is
# signed (RSA + Ed25519) and verifies with dkimpy; inbound mail signed by
# dkimpy gets dkim=pass, a tampered one dkim=fail; a forged A-R with our
# authserv-id is removed; an unauthenticated external client's mail is not
# signed; a key deleted before SIGHUP leaves the old key set in use.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
DKIMDNS="/usr/bin/python3 $SRCDIR/tests/integration/dkim_dns.py"

ps_tmpdir
chmod 755 "$PS_TMP"
keys=$PS_TMP/keys
ps_key example.net rsa
ps_key example.net ed -a ed25519
ps_key example.org ext

ps_write_zone "$PS_TMP/example.net.zone" example.net
cat "$PS_TMP/example.net.keys" >>"$PS_TMP/example.net.zone"
ps_write_zone "$PS_TMP/example.org.zone" example.org
cat "$PS_TMP/example.org.keys" >>"$PS_TMP/example.org.zone"
# Only the internal host may send as example.net; example.org uses 127.0.0.2.
echo '@ IN TXT "v=spf1 ip4:127.0.0.1 -all"' >>"$PS_TMP/example.net.zone"
echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"' >>"$PS_TMP/example.org.zone"
ps_start_dns "$PS_TMP/example.net.zone" "$PS_TMP/example.org.zone"

sock=$PS_TMP/milter.sock
cat >"$PS_TMP/postseal.conf" <<CONF
user = "nobody";
authserv_id = "mx.postseal.test";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
keys = { directory = "$keys"; };
milter = {
  socket = "unix:$sock";
  socket_group = "postfix";
  socket_mode = 0660;
  internal_hosts = [ "127.0.0.1" ];
  sign = ( { domain = "example.net"; selector = "rsa"; },
           { domain = "example.net"; selector = "ed"; } );
};
CONF
"$BINDIR/milter/postseal-milter" -n -c "$PS_TMP/postseal.conf" >"$PS_TMP/check.out" 2>&1 ||
	{ cat "$PS_TMP/check.out" >&2; ps_fail "postseal-milter -n rejected the config"; }
ps_assert_contains "$PS_TMP/check.out" "configuration OK"
ps_milter_start "$PS_TMP/postseal.conf"

ps_sink_start
ps_postfix_start "relay_domains = dest.example" \
	"smtpd_milters = unix:$sock" "milter_protocol = 6" \
	"milter_default_action = tempfail"

n=0
# send FILE [swaks options...]: send FILE's message, wait for the sink copy
# and leave its path in $OUT.
send() {
	local file=$1; shift
	swaks --server "127.0.0.1:$SMTP_PORT" --to user@dest.example \
		--from sender@example.net --data "@$file" "$@" \
		>"$PS_TMP/swaks.$n.log" 2>&1 ||
		{ cat "$PS_TMP/swaks.$n.log" "$PS_TMP/milter.log" >&2; ps_fail "swaks: message $n refused"; }
	n=$((n + 1))
	ps_wait_sink "$n" || { tail -n 30 "$PF_DIR/maillog" >&2; ps_fail "message $n not delivered"; }
	OUT=$(ps_sink_messages | tail -n 1)
}

# authres FILE: our Authentication-Results header of FILE, unfolded lines.
authres() {
	tr -d '\r' <"$1" | awk '/^Authentication-Results: mx.postseal.test/{p=1;print;next} p&&/^[ \t]/{print;next} {p=0}'
}

message() {  # message FILE FROM SUBJECT [BODY]
	printf 'From: Sender <%s>\r\nTo: user@dest.example\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s.%s@postseal.test>\r\n\r\n%s\r\n' \
		"$2" "$3" "$RANDOM" "$n" "${4:-Hello from the postseal test.}" >"$1"
}

# 1. Outbound (internal client 127.0.0.1): signed twice, verified by dkimpy.
message "$PS_TMP/out.eml" someone@example.net "outbound"
send "$PS_TMP/out.eml"
[ "$(grep -c '^DKIM-Signature:' "$OUT")" = 2 ] ||
	{ cat "$OUT" >&2; ps_fail "outbound mail does not carry two DKIM-Signature headers"; }
$DKIMDNS verify "$DNS_PORT" "$OUT" >"$PS_TMP/verify1.out" 2>&1 ||
	{ cat "$PS_TMP/verify1.out" "$OUT" >&2; ps_fail "dkimpy does not verify our signatures"; }
ps_assert_contains "$PS_TMP/verify1.out" "a=rsa-sha256 pass"
ps_assert_contains "$PS_TMP/verify1.out" "a=ed25519-sha256 pass"
ps_assert_not_contains "$OUT" "Authentication-Results:"

# 1b. OpenDKIM (the peer) verifies them too, keys from the same local DNS.
cat >"$PS_TMP/odk-resolver.conf" <<RES
server:
  do-not-query-localhost: no
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@$DNS_PORT
RES
printf 'Mode v\nSyslog no\nResolverConfiguration %s\n' "$PS_TMP/odk-resolver.conf" >"$PS_TMP/odk-verify.conf"
opendkim -x "$PS_TMP/odk-verify.conf" -t "$OUT" >"$PS_TMP/odk1.out" 2>&1
grep -q "s=rsa, d=example.net, 2048-bit key) succeeded" "$PS_TMP/odk1.out" ||
	{ cat "$PS_TMP/odk1.out" >&2; ps_fail "OpenDKIM does not verify our RSA signature"; }

# 2. The same message from an unauthenticated external client: not signed.
message "$PS_TMP/ext-unsigned.eml" someone@example.net "external, our domain"
send "$PS_TMP/ext-unsigned.eml" --local-interface 127.0.0.2
ps_assert_not_contains "$OUT" "DKIM-Signature:"
ps_assert_contains "$OUT" "Authentication-Results: mx.postseal.test;"
authres "$OUT" >"$PS_TMP/ar2"
ps_assert_contains "$PS_TMP/ar2" "dkim=none"
ps_assert_contains "$PS_TMP/ar2" "spf=fail smtp.mailfrom=sender@example.net"

# 3. Inbound, signed by dkimpy with example.org's key: dkim=pass.
message "$PS_TMP/ext.eml" news@example.org "signed by dkimpy"
$DKIMDNS sign "$keys/example.org/ext.key" example.org ext "$PS_TMP/ext.eml" "$PS_TMP/ext-signed.eml" ||
	ps_fail "dkimpy could not sign"
send "$PS_TMP/ext-signed.eml" --local-interface 127.0.0.2 --from news@example.org
authres "$OUT" >"$PS_TMP/ar3"
ps_assert_contains "$PS_TMP/ar3" "dkim=pass"
ps_assert_contains "$PS_TMP/ar3" "header.d=example.org"
ps_assert_contains "$PS_TMP/ar3" "header.s=ext"
ps_assert_contains "$PS_TMP/ar3" "spf=pass smtp.mailfrom=news@example.org"

# 3b. Inbound, signed by OpenDKIM with example.org's key: dkim=pass.
message "$PS_TMP/odk.eml" news@example.org "signed by OpenDKIM"
printf 'Mode s\nDomain example.org\nSelector ext\nKeyFile %s\nCanonicalization relaxed/simple\nSyslog no\nRequireSafeKeys no\n' \
	"$keys/example.org/ext.key" >"$PS_TMP/odk-sign.conf"
opendkim -x "$PS_TMP/odk-sign.conf" -t "$PS_TMP/odk.eml" 2>&1 |
	awk '/^DKIM-Signature:/{p=1} p' >"$PS_TMP/odk.sig"
grep -q '^DKIM-Signature:' "$PS_TMP/odk.sig" || ps_fail "OpenDKIM did not sign"
{ sed 's/\r*$/\r/' "$PS_TMP/odk.sig"; cat "$PS_TMP/odk.eml"; } >"$PS_TMP/odk-signed.eml"
send "$PS_TMP/odk-signed.eml" --local-interface 127.0.0.2 --from news@example.org
authres "$OUT" >"$PS_TMP/ar3b"
ps_assert_contains "$PS_TMP/ar3b" "dkim=pass"
ps_assert_contains "$PS_TMP/ar3b" "header.d=example.org"

# 4. The same, body tampered after signing: dkim=fail.
sed 's/Hello from/Hullo from/' "$PS_TMP/ext-signed.eml" >"$PS_TMP/tampered.eml"
send "$PS_TMP/tampered.eml" --local-interface 127.0.0.2 --from news@example.org
authres "$OUT" >"$PS_TMP/ar4"
ps_assert_contains "$PS_TMP/ar4" "dkim=fail"
ps_assert_not_contains "$PS_TMP/ar4" "dkim=pass"

# 5. A forged A-R claiming our authserv-id is removed; a foreign one stays.
{
	printf 'Authentication-Results: mx.postseal.test; dkim=pass header.d=example.org\r\n'
	printf 'Authentication-Results: other.example; spf=pass\r\n'
	cat "$PS_TMP/tampered.eml"
} >"$PS_TMP/forged.eml"
send "$PS_TMP/forged.eml" --local-interface 127.0.0.2 --from news@example.org
[ "$(grep -c '^Authentication-Results: mx.postseal.test' "$OUT")" = 1 ] ||
	{ cat "$OUT" >&2; ps_fail "forged Authentication-Results not removed"; }
ps_assert_not_contains "$OUT" "mx.postseal.test; dkim=pass header.d=example.org"
ps_assert_contains "$OUT" "Authentication-Results: other.example; spf=pass"

# 6. Key deleted, then SIGHUP: the reload fails, the old key set signs on.
rm -f "$keys/example.net/rsa.key"
ps_milter_signal HUP
ps_wait_log "$PS_TMP/milter.log" "event=reload-failed" 50
ps_assert_contains "$PS_TMP/milter.log" "event=reload-failed"
ps_assert_contains "$PS_TMP/milter.log" "rsa.key"
message "$PS_TMP/out2.eml" someone@example.net "after reload"
send "$PS_TMP/out2.eml"
[ "$(grep -c '^DKIM-Signature:' "$OUT")" = 2 ] ||
	{ cat "$OUT" >&2; ps_fail "after a failed reload the old keys no longer sign"; }
$DKIMDNS verify "$DNS_PORT" "$OUT" >/dev/null 2>&1 || ps_fail "signatures after reload do not verify"
# 7. Hostile signatures: each gets a clear result, the milter serves on.
hostile() {  # hostile NAME DKIM-SIGNATURE-VALUE
	{ printf 'DKIM-Signature: %s\r\n' "$2"; cat "$PS_TMP/ext.eml"; } >"$PS_TMP/h-$1.eml"
	send "$PS_TMP/h-$1.eml" --local-interface 127.0.0.2 --from news@example.org
	authres "$OUT" >"$PS_TMP/ar-$1"
}
hostile missing-tags "v=1; a=rsa-sha256; s=ext; bh=abc="
grep -qE 'dkim=(permerror|neutral)' "$PS_TMP/ar-missing-tags" || ps_fail "missing d= not permerror"
hostile bad-base64 "v=1; a=rsa-sha256; d=example.org; s=ext; h=from; bh=!!!notbase64; b=###"
grep -qE 'dkim=(permerror|neutral|fail)' "$PS_TMP/ar-bad-base64" || ps_fail "bad base64 not reported"
hostile unknown-alg "v=1; a=rsa-md5; d=example.org; s=ext; h=from; bh=YWJj; b=YWJj"
grep -qE 'dkim=(permerror|neutral)' "$PS_TMP/ar-unknown-alg" || ps_fail "unknown a= not permerror"
hostile l-beyond "v=1; a=rsa-sha256; d=example.org; s=ext; l=999999; h=from; bh=YWJj; b=YWJj"
grep -qE 'dkim=(permerror|fail|neutral)' "$PS_TMP/ar-l-beyond" || ps_fail "l= beyond body not reported"
hostile huge-b "v=1; a=rsa-sha256; d=example.org; s=ext; h=from; bh=YWJj; b=$(head -c 49152 /dev/zero | tr '\0' 'A')"
grep -qE 'dkim=(permerror|fail|neutral)' "$PS_TMP/ar-huge-b" || ps_fail "64 KB b= not reported"
[ "$(wc -c <"$PS_TMP/ar-huge-b")" -lt 2000 ] || ps_fail "a huge b= made the A-R header huge"
# 100 signatures: the first milter.max_signatures (5) are checked, one entry says the rest were not.
{
	for i in $(seq 1 100); do
		printf 'DKIM-Signature: v=1; a=rsa-sha256; d=s%d.example.org; s=x; h=from; bh=YWJj; b=YWJj\r\n' "$i"
	done
	cat "$PS_TMP/ext.eml"
} >"$PS_TMP/h-100.eml"
send "$PS_TMP/h-100.eml" --local-interface 127.0.0.2 --from news@example.org
authres "$OUT" >"$PS_TMP/ar-100"
[ "$(grep -o 'dkim=' "$PS_TMP/ar-100" | wc -l)" = 6 ] || { cat "$PS_TMP/ar-100" >&2; ps_fail "100 signatures: expected 5 results + 1 limit entry"; }
ps_assert_contains "$PS_TMP/ar-100" "95 more signatures not verified (limit 5)"
# A 1 MB header (Postfix truncates it) must not stop the milter.
{ printf 'X-Big: '; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\r\n'; cat "$PS_TMP/ext-signed.eml"; } >"$PS_TMP/h-big.eml"
send "$PS_TMP/h-big.eml" --local-interface 127.0.0.2 --from news@example.org
ps_assert_contains "$OUT" "Authentication-Results: mx.postseal.test"
# And a normal message after all that still verifies.
send "$PS_TMP/ext-signed.eml" --local-interface 127.0.0.2 --from news@example.org
authres "$OUT" | grep -q 'dkim=pass' || ps_fail "milter stopped verifying after hostile input"

kill -0 "$MILTER_PID" || ps_fail "the milter died"
# A clean stop: exit status 0, and under ASan no error or leak report.
ps_postfix_stop
kill -TERM "$MILTER_PID"
wait "$MILTER_PID"
rc=$?
[ "$rc" = 0 ] || { tail -n 40 "$PS_TMP/milter.log" >&2; ps_fail "milter exited with status $rc"; }
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$PS_TMP/milter.log"; then
	cat "$PS_TMP/milter.log" >&2
	ps_fail "sanitizer report from the milter"
fi
echo "milter postfix: all checks passed"
