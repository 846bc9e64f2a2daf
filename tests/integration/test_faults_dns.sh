#!/usr/bin/env bash
# DNS faults: with its resolver on a black hole (timeouts), on a port where
# nothing listens (ICMP port unreachable), on a server that answers
# SERVFAIL, on one that answers UDP with TC=1 and refuses TCP, and on one
# that answers garbage, inbound mail through a real Postfix and
# postseal-milter is delivered with dkim=temperror, spf=temperror and
# dmarc=temperror, never refused; postseal-policyd answers DEFER_IF_PERMIT
# (4xx) and never a 5xx.  A server that truncates UDP but answers over TCP
# gives the real results (the TCP retry works).  No daemon crashes.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
. "$SRCDIR/tests/integration/faults_lib.sh"
DKIMDNS="/usr/bin/python3 $SRCDIR/tests/integration/dkim_dns.py"

ps_tmpdir
chmod 755 "$PS_TMP"
keys=$PS_TMP/keys
ps_key example.org s1
ps_write_zone "$PS_TMP/example.org.zone" example.org
{
	cat "$PS_TMP/example.org.keys"
	echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"'
	echo '_dmarc IN TXT "v=DMARC1; p=reject"'
} >>"$PS_TMP/example.org.zone"
ps_start_dns "$PS_TMP/example.org.zone"

# One name server per fault; "down" is a port where nothing listens.
declare -A NS
ps_start_fake_dns blackhole; NS[blackhole]=$FAKE_DNS_PORT
ps_start_fake_dns servfail; NS[servfail]=$FAKE_DNS_PORT
NS[down]=$(ps_free_port)
faults_start_dns truncated; NS[truncated]=$FAULT_DNS_PORT
faults_start_dns malformed; NS[malformed]=$FAULT_DNS_PORT
faults_start_dns tcponly "$DNS_PORT"; NS[tcponly]=$FAULT_DNS_PORT
MODES="blackhole down servfail truncated malformed tcponly"

# A milter and a policy daemon per fault, each on its own socket.
master=()
declare -A SMTP PPORT
for m in $MODES; do
	cat >"$PS_TMP/$m.conf" <<CONF
user = "nobody";
authserv_id = "mx.postseal.test";
dns = { nameservers = [ "127.0.0.1@${NS[$m]}" ]; timeout = 1; };
milter = {
  socket = "unix:$PS_TMP/$m.sock";
  socket_group = "postfix";
  internal_hosts = [ "127.0.0.1" ];
  dmarc = { history = ""; };
};
policyd = { socket = "inet:127.0.0.1:PPORT";
  spf = { skip_addresses = [ "127.0.0.1" ]; }; };
CONF
	PPORT[$m]=$(ps_free_port)
	sed -i "s/PPORT/${PPORT[$m]}/" "$PS_TMP/$m.conf"
	chmod 644 "$PS_TMP/$m.conf"
	faults_milter_start "milter-$m" "$PS_TMP/$m.conf"
	eval "MPID_$m=\$MILTER_PID"
	faults_policyd_start "policyd-$m" "$PS_TMP/$m.conf" "${PPORT[$m]}"
	eval "PDPID_$m=\$POLICYD_PID"
	SMTP[$m]=$(ps_free_port)
	master+=("127.0.0.1:${SMTP[$m]} inet n - n - - smtpd -o smtpd_milters=unix:$PS_TMP/$m.sock")
done

ps_sink_start
ps_postfix_start "relay_domains = dest.example" "milter_protocol = 6" \
	"milter_default_action = tempfail" -- "${master[@]}"

# One DKIM-signed inbound message per fault, all at once (timeouts overlap).
for m in $MODES; do
	faults_message "$PS_TMP/$m.raw" news@example.org "dns-$m"
	$DKIMDNS sign "$keys/example.org/s1.key" example.org s1 "$PS_TMP/$m.raw" "$PS_TMP/$m.eml" ||
		ps_fail "dkimpy could not sign"
	swaks --server "127.0.0.1:${SMTP[$m]}" --local-interface 127.0.0.2 \
		--from news@example.org --to user@dest.example --data "@$PS_TMP/$m.eml" \
		>"$PS_TMP/$m.swaks" 2>&1 &
	eval "SWAKS_$m=\$!"
done

# The policy daemons meanwhile: a temporary DNS failure is a 4xx, never a 5xx.
POLICY_Q=$PS_TMP/policy.py
cat >"$POLICY_Q" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(30)
s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\n"
          b"protocol_name=ESMTP\nclient_address=127.0.0.2\nclient_name=unknown\n"
          b"helo_name=mx.example.org\nsender=news@example.org\n"
          b"recipient=user@dest.example\ninstance=f1\n\n")
buf = b""
while not buf.endswith(b"\n\n"):
    d = s.recv(4096)
    if not d:
        break
    buf += d
print(buf.decode().strip() or "CLOSED")
PY
for m in $MODES; do
	/usr/bin/python3 "$POLICY_Q" "${PPORT[$m]}" >"$PS_TMP/$m.policy" 2>&1 &
	eval "PQ_$m=\$!"
done
for m in $MODES; do
	eval "wait \$PQ_$m"
	got=$(cat "$PS_TMP/$m.policy")
	echo "policyd $m: $got"
	case $m:$got in
	tcponly:"action=PREPEND Received-SPF: pass"*) ;;
	tcponly:*) ps_fail "policyd, UDP truncated + TCP answering: '$got', want an SPF pass" ;;
	*:"action=DEFER_IF_PERMIT 4.7.24 SPF temperror"*) ;;
	*) ps_fail "policyd with DNS $m: '$got', want DEFER_IF_PERMIT 4.7.24 SPF temperror" ;;
	esac
done

for m in $MODES; do
	eval "wait \$SWAKS_$m" ||
		{ cat "$PS_TMP/$m.swaks" "$PS_TMP/milter-$m.log" >&2; ps_fail "DNS $m: message refused"; }
	grep -qE '^<[-* ]+5[0-9][0-9] ' "$PS_TMP/$m.swaks" && ps_fail "DNS $m: a 5xx reply"
	f=$(faults_delivered "dns-$m") ||
		{ tail -n 20 "$PF_DIR/maillog" >&2; ps_fail "DNS $m: message not delivered"; }
	faults_authres "$f" >"$PS_TMP/$m.ar"
	echo "milter $m: $(tr '\n' ' ' <"$PS_TMP/$m.ar")"
	if [ "$m" = tcponly ]; then
		for r in dkim=pass spf=pass dmarc=pass; do
			ps_assert_contains "$PS_TMP/$m.ar" "$r"
		done
	else
		for r in dkim=temperror spf=temperror dmarc=temperror; do
			ps_assert_contains "$PS_TMP/$m.ar" "$r"
		done
	fi
done

# Every daemon is still alive, serves again, and none left a sanitizer report.
for m in $MODES; do
	eval "kill -0 \$MPID_$m" 2>/dev/null || ps_fail "milter with DNS $m died"
	eval "kill -0 \$PDPID_$m" 2>/dev/null || ps_fail "policyd with DNS $m died"
	faults_no_sanitizer "$PS_TMP/milter-$m.log"
	faults_no_sanitizer "$PS_TMP/policyd-$m.log"
done
echo "faults dns: all checks passed"
