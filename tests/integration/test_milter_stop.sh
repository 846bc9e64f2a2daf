#!/usr/bin/env bash
# postseal-milter on SIGTERM: it stops at once when no message is in
# flight, and a message in flight when the signal comes still finishes,
# signed, before the milter exits.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/milter.sh"
CLIENT="/usr/bin/python3 $SRCDIR/tests/integration/milter_client.py"

ps_tmpdir
chmod 755 "$PS_TMP"
ps_key stop.test s1
cat >"$PS_TMP/milter.conf" <<CONF
user = "nobody";
authserv_id = "mx.stop.test";
dns = { nameservers = [ "127.0.0.1@$(ps_free_port)" ]; timeout = 1; };
keys = { directory = "$PS_TMP/keys"; };
milter = {
  socket = "unix:$PS_TMP/milter.sock";
  internal_hosts = [ "127.0.0.1" ];
  sign = ( { domain = "stop.test"; selector = "s1"; } );
  dmarc = { history = ""; };
};
CONF
chmod 644 "$PS_TMP/milter.conf"

# exits_within PID TENTHS: true once PID has exited, false after TENTHS/10 s.
exits_within() {
	local i
	for i in $(seq 1 "$2"); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

echo "== idle: SIGTERM stops the milter at once"
ps_milter_start "$PS_TMP/milter.conf"
$CLIENT "$PS_TMP/milter.sock" someone@stop.test >"$PS_TMP/before.out" ||
	{ cat "$PS_TMP/before.out" "$PS_TMP/milter.log" >&2; ps_fail "a message before the stop failed"; }
ps_assert_contains "$PS_TMP/before.out" "add DKIM-Signature:"
kill -TERM "$MILTER_PID"
exits_within "$MILTER_PID" 10 || ps_fail "an idle milter still runs 1 s after SIGTERM"
ps_assert_contains "$PS_TMP/milter.log" "event=stopping in_flight=0"
ps_assert_contains "$PS_TMP/milter.log" "event=stopped in_flight=0"

echo "== in flight: the message finishes, signed, then the milter exits"
: >"$PS_TMP/milter.log"
ps_milter_start "$PS_TMP/milter.conf"
$CLIENT "$PS_TMP/milter.sock" someone@stop.test "$PS_TMP/paused" "$PS_TMP/go" \
	>"$PS_TMP/flight.out" 2>&1 &
client=$!
ps_register_pid "$client"
ps_wait_file "$PS_TMP/paused" || ps_fail "the client never reached the body"
kill -TERM "$MILTER_PID"
sleep 0.5
kill -0 "$MILTER_PID" 2>/dev/null ||
	{ cat "$PS_TMP/milter.log" >&2; ps_fail "the milter exited with a message in flight"; }
ps_assert_contains "$PS_TMP/milter.log" "event=stopping in_flight=1"
touch "$PS_TMP/go"
wait "$client" || { cat "$PS_TMP/flight.out" >&2; ps_fail "the message in flight failed"; }
ps_assert_contains "$PS_TMP/flight.out" "add DKIM-Signature:"
exits_within "$MILTER_PID" 20 ||
	ps_fail "the milter still runs 2 s after its last message ended"
ps_assert_contains "$PS_TMP/milter.log" "event=stopped in_flight=0"
echo "PASS"
