#!/usr/bin/env bash
# postseal-policyd under faults: 1 000 concurrent connections all get their
# own correct answer; clients trickling one byte per second do not stall
# another client; a config made invalid + SIGHUP keeps the old config; and
# behind a real Postfix, a policy daemon killed with SIGKILL makes Postfix
# answer 4xx (smtpd_policy_service_default_action, nothing rejected for
# good), then the restarted daemon replaces its stale socket and the
# retried message passes and is delivered.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/faults_lib.sh"
LOAD="/usr/bin/python3 $SRCDIR/tests/integration/faults_policy.py"

[ -x "$POLICYD" ] || ps_fail "$POLICYD not built"
ps_tmpdir
chmod 755 "$PS_TMP"
mkdir -p "$PS_TMP/run" && chown nobody "$PS_TMP/run" && chmod 755 "$PS_TMP/run"
# 1 000 connections on each side need more than the usual 1 024 descriptors.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

ps_write_zone "$PS_TMP/pass.test.zone" pass.test
echo '@ TXT "v=spf1 ip4:192.0.2.10 ip4:127.0.0.2 -all"' >>"$PS_TMP/pass.test.zone"
ps_start_dns "$PS_TMP/pass.test.zone"

write_conf() {	# write_conf FILE SOCKET AUTHSERV_ID
	cat >"$1" <<CONF
user = "nobody";
authserv_id = "$3";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
policyd = {
	socket = "$2";
	socket_group = "postfix";
	socket_mode = 0660;
	spf = { skip_addresses = [ "127.0.0.1" ]; };
};
CONF
	chmod 644 "$1"
}
ask() {	# ask PORT SENDER: one request, prints the action line
	/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(20)
s.sendall(("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.10\n"
           "helo_name=mx.pass.test\nsender=%s\ninstance=a%s\n\n" % (sys.argv[2], sys.argv[3])).encode())
b = b""
while not b.endswith(b"\n\n"):
    d = s.recv(4096)
    if not d: break
    b += d
print(b.decode().strip() or "CLOSED")' "$1" "$2" "$RANDOM$RANDOM"
}

PORT=$(ps_free_port)
write_conf "$PS_TMP/load.conf" "inet:127.0.0.1:$PORT" "mx.postseal.test"
faults_policyd_start load "$PS_TMP/load.conf" "$PORT"
LOAD_PID=$POLICYD_PID

echo "== 1000 concurrent connections (default max_connections = 1000)"
t0=$(date +%s)
$LOAD many "$PORT" 1000 60 >"$PS_TMP/many.out" 2>&1
cat "$PS_TMP/many.out"
grep -qx "connected 1000" "$PS_TMP/many.out" || ps_fail "not all 1000 connections were made"
grep -qx "correct 1000" "$PS_TMP/many.out" || ps_fail "not every one of 1000 connections got its own correct answer"
echo "   $(($(date +%s) - t0)) s"
kill -0 "$LOAD_PID" || ps_fail "policyd died under 1000 connections"

echo "== 20 clients at one byte per second do not stall another client"
$LOAD slow "$PORT" 20 8 >"$PS_TMP/slow.out" 2>&1
cat "$PS_TMP/slow.out"
lat=$(sed -n 's/^fast \([0-9]*\) max_latency_ms \([0-9]*\)$/\2/p' "$PS_TMP/slow.out")
cnt=$(sed -n 's/^fast \([0-9]*\) max_latency_ms \([0-9]*\)$/\1/p' "$PS_TMP/slow.out")
[ -n "$lat" ] && [ "${cnt:-0}" -ge 10 ] || ps_fail "the fast client did not run: $(cat "$PS_TMP/slow.out")"
[ "$lat" -lt 500 ] || ps_fail "a client waited $lat ms while slow clients were connected"
grep -qx "slow answered 20 of 20" "$PS_TMP/slow.out" || ps_fail "the slow clients were not answered"

echo "== config made invalid + SIGHUP: the old config is kept"
write_conf "$PS_TMP/load.conf" "inet:127.0.0.1:$PORT" "reloaded.postseal.test"
kill -HUP "$LOAD_PID"
ps_wait_log "$PS_TMP/load.log" "event=reload result=ok" || ps_fail "a valid reload was not done"
ask "$PORT" bob@pass.test | grep -q "^action=PREPEND Received-SPF: pass (reloaded.postseal.test:" ||
	ps_fail "the valid reload did not take effect"
n=1
for bad in 's/timeout = 3/timeout = 0/' 's/socket_mode = 0660;/&\n\tmax_connections = "many";/' \
	'$a authserv_id = ;' '$a no_such_setting = 1;'; do
	write_conf "$PS_TMP/load.conf" "inet:127.0.0.1:$PORT" "broken.postseal.test"
	sed -i "$bad" "$PS_TMP/load.conf"
	"$POLICYD" -n -c "$PS_TMP/load.conf" >/dev/null 2>&1 && ps_fail "-n accepts the broken config ($bad)"
	kill -HUP "$LOAD_PID"
	for i in $(seq 1 100); do
		[ "$(grep -c 'event=reload result=fail' "$PS_TMP/load.log")" -ge "$n" ] && break
		sleep 0.1
	done
	[ "$(grep -c 'event=reload result=fail' "$PS_TMP/load.log")" -ge "$n" ] ||
		ps_fail "invalid config ($bad) + SIGHUP: no 'event=reload result=fail'"
	got=$(ask "$PORT" bob@pass.test)
	case $got in
	"action=PREPEND Received-SPF: pass (reloaded.postseal.test:"*) ;;
	*) ps_fail "after an invalid reload ($bad): '$got'" ;;
	esac
	n=$((n + 1))
done
kill -0 "$LOAD_PID" || ps_fail "policyd died on an invalid reload"
faults_no_sanitizer "$PS_TMP/load.log"

echo "== policyd killed behind Postfix: 4xx, then a clean restart"
SOCK=$PS_TMP/run/policy.sock
write_conf "$PS_TMP/pf.conf" "unix:$SOCK" "mx.postseal.test"
start_unix() {	# start_unix LOG
	"$POLICYD" -f -c "$PS_TMP/pf.conf" >/dev/null 2>"$PS_TMP/$1" &
	PF_POLICYD=$!
	ps_register_pid "$PF_POLICYD"
	ps_wait_log "$PS_TMP/$1" "event=start socket=" && [ -S "$SOCK" ] ||
		{ cat "$PS_TMP/$1" >&2; ps_fail "policyd on $SOCK did not start"; }
}
start_unix pf1.log
ps_sink_start
ps_postfix_start "relay_domains = dest.example" \
	"smtpd_recipient_restrictions = check_policy_service unix:$SOCK" \
	"smtpd_policy_service_try_limit = 2" "smtpd_policy_service_retry_delay = 1s"
send() {	# send NAME: swaks from 127.0.0.2, log in $PS_TMP/NAME.swaks
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--helo mx.pass.test --from bob@pass.test --to user@dest.example \
		--header "Subject: $1" >"$PS_TMP/$1.swaks" 2>&1
}
send before || { cat "$PS_TMP/before.swaks" >&2; ps_fail "mail refused before the kill"; }
f=$(faults_delivered before) || ps_fail "mail before the kill not delivered"
ps_assert_contains "$f" "Received-SPF: pass (mx.postseal.test:"

kill -9 "$PF_POLICYD"
wait "$PF_POLICYD" 2>/dev/null
[ -S "$SOCK" ] || ps_fail "kill -9 did not leave the socket behind (test premise)"
send killed && ps_fail "mail accepted without its policy check"
grep -qE '^<\*\* 4[0-9][0-9] ' "$PS_TMP/killed.swaks" ||
	{ cat "$PS_TMP/killed.swaks" >&2; ps_fail "policyd down: not a 4xx (temporary) reply"; }
grep -qE '^<\*\* 5[0-9][0-9] ' "$PS_TMP/killed.swaks" && ps_fail "policyd down: a 5xx reply"
grep -E '^<\*\* ' "$PS_TMP/killed.swaks"

start_unix pf2.log
# The client retries the refused message: it passes now and is delivered.
send killed || { cat "$PS_TMP/killed.swaks" "$PS_TMP/pf2.log" >&2; ps_fail "the retried mail was refused after the restart"; }
f=$(faults_delivered killed) || ps_fail "the retried mail was not delivered"
ps_assert_contains "$f" "Received-SPF: pass (mx.postseal.test:"
faults_no_sanitizer "$PS_TMP/pf1.log"
faults_no_sanitizer "$PS_TMP/pf2.log"
echo "faults policyd: all checks passed"
