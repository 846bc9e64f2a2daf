#!/bin/bash
# postseal-policyd behind a real Postfix (private instance): SPF pass adds
# one Received-SPF header to the delivered message, a fail without DMARC is
# refused with 550 5.7.23, a fail whose domain publishes DMARC is accepted
# with the header, a resolver that never answers gives a 4xx with 4.7.24,
# and the spawn(8) mode works as a Postfix service.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"

POLICYD=$BINDIR/policyd/postseal-policyd
[ -x "$POLICYD" ] || ps_fail "$POLICYD not built"
command -v swaks >/dev/null || ps_fail "swaks is not installed"
ps_tmpdir
chmod 755 "$PS_TMP"

zone() {
	local f=$PS_TMP/$1.zone
	ps_write_zone "$f" "$1"
	shift
	printf '%s\n' "$@" >>"$f"
}
zone pass.test '@ TXT "v=spf1 ip4:127.0.0.2 -all"' 'mx TXT "v=spf1 ip4:127.0.0.2 -all"'
zone fail.test '@ TXT "v=spf1 ip4:198.51.100.1 -all"'
zone dmarc.test '@ TXT "v=spf1 ip4:198.51.100.1 -all"' '_dmarc TXT "v=DMARC1; p=reject"'
ps_start_dns "$PS_TMP"/pass.test.zone "$PS_TMP"/fail.test.zone "$PS_TMP"/dmarc.test.zone

write_conf() {	# write_conf FILE NAMESERVER_PORT SOCKET
	cat >"$1" <<CONF
user = "nobody";
authserv_id = "mx.postseal.test";
dns = { nameservers = [ "127.0.0.1@$2" ]; timeout = 1; };
policyd = {
	socket = "$3";
	spf = { skip_addresses = [ "127.0.0.1" ]; };
};
CONF
	chmod 644 "$1"
}
start_policyd() {	# start_policyd CONF LOG PORT
	"$POLICYD" -f -c "$1" >/dev/null 2>"$2" &
	ps_register_pid $!
	ps_wait_port "$3" || { cat "$2" >&2; ps_fail "policyd did not start"; }
}

PPORT=$(ps_free_port)
write_conf "$PS_TMP/policyd.conf" "$DNS_PORT" "inet:127.0.0.1:$PPORT"
start_policyd "$PS_TMP/policyd.conf" "$PS_TMP/policyd.log" "$PPORT"
ps_start_blackhole
TPORT=$(ps_free_port)
write_conf "$PS_TMP/temp.conf" "$BLACKHOLE_PORT" "inet:127.0.0.1:$TPORT"
start_policyd "$PS_TMP/temp.conf" "$PS_TMP/temp.log" "$TPORT"
write_conf "$PS_TMP/spawn.conf" "$DNS_PORT" "inet:127.0.0.1:1"

ps_sink_start
ps_postfix_start "relay_domains = rcpt.test temp.rcpt.test spawn.rcpt.test" \
	"smtpd_recipient_restrictions = check_recipient_access inline:{temp.rcpt.test=check_policy_service_temp, spawn.rcpt.test=check_policy_service_spawn}, check_policy_service inet:127.0.0.1:$PPORT" \
	"smtpd_restriction_classes = check_policy_service_temp, check_policy_service_spawn" \
	"check_policy_service_temp = check_policy_service inet:127.0.0.1:$TPORT" \
	"check_policy_service_spawn = check_policy_service unix:private/postseal-policy" \
	"postseal-policy_time_limit = 3600s" \
	-- \
	"postseal-policy unix - n n - 0 spawn user=nobody argv=$POLICYD --stdio -c $PS_TMP/spawn.conf"

# send NAME FROM TO...: swaks from 127.0.0.2 (outside mynetworks).
send() {
	local name=$1 from=$2 to
	shift 2
	to=$(IFS=,; echo "$*")
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--helo mx.pass.test --from "$from" --to "$to" \
		--header "Subject: $name" >"$PS_TMP/$name.swaks" 2>&1
}
# delivered NAME: the sink file holding the message with Subject NAME.
delivered() {
	local i f
	for i in $(seq 1 200); do
		f=$(grep -l "Subject: $1\$" "$SINK_DIR"/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

echo "== pass: one header, two recipients"
send pass bob@pass.test a@rcpt.test b@rcpt.test || ps_fail "pass not accepted: $(cat "$PS_TMP/pass.swaks")"
f=$(delivered pass) || ps_fail "pass not delivered"
ps_assert_contains "$f" "Received-SPF: pass (mx.postseal.test: domain of bob@pass.test designates 127.0.0.2 as permitted sender)"
ps_assert_contains "$f" "identity=mailfrom;"
[ "$(grep -c '^Received-SPF:' "$f")" = 1 ] || ps_fail "two recipients, not one header: $f"

echo "== fail without DMARC: 550 5.7.23"
send fail bob@fail.test a@rcpt.test && ps_fail "fail accepted"
grep -E '^<\*\* 550 5\.7\.23 .*SPF fail for bob@fail\.test' "$PS_TMP/fail.swaks" >/dev/null ||
	ps_fail "fail reply: $(grep '^<\*\*' "$PS_TMP/fail.swaks")"

echo "== fail with DMARC p=reject: accepted with the header"
send dmarc bob@dmarc.test a@rcpt.test || ps_fail "dmarc fail refused: $(cat "$PS_TMP/dmarc.swaks")"
f=$(delivered dmarc) || ps_fail "dmarc-fail message not delivered"
ps_assert_contains "$f" "Received-SPF: fail (mx.postseal.test:"

echo "== temperror: 4xx with 4.7.24"
send temp bob@pass.test a@temp.rcpt.test && ps_fail "temperror accepted"
grep -E '^<\*\* 4[0-9][0-9] 4\.7\.24 .*SPF temperror' "$PS_TMP/temp.swaks" >/dev/null ||
	ps_fail "temperror reply: $(grep '^<\*\*' "$PS_TMP/temp.swaks")"

echo "== spawn(8) mode"
send spawn bob@pass.test a@spawn.rcpt.test || ps_fail "spawn mode: $(cat "$PS_TMP/spawn.swaks")"
f=$(delivered spawn) || ps_fail "spawn-mode message not delivered"
ps_assert_contains "$f" "Received-SPF: pass (mx.postseal.test:"
send spawnfail bob@fail.test a@spawn.rcpt.test && ps_fail "spawn mode accepted a fail"
grep -E '^<\*\* 550 5\.7\.23 ' "$PS_TMP/spawnfail.swaks" >/dev/null ||
	ps_fail "spawn mode fail reply: $(grep '^<\*\*' "$PS_TMP/spawnfail.swaks")"

echo "PASS"
