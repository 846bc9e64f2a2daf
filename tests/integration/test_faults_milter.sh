#!/usr/bin/env bash
# postseal-milter under faults, through a real Postfix; no message is lost
# or wrongly refused:
#  - key made world-writable (chmod 666) or removed, config made invalid,
#    then SIGHUP: event=reload-failed, mail still signed with the old key
#    and the old config; a valid reload afterwards takes effect;
#  - DMARC history database locked by another process, or on a full disk
#    (a 64 KB tmpfs): mail delivered, the failure logged once per message;
#  - milter killed with SIGKILL in the middle of a message: Postfix applies
#    milter_default_action (accept: delivered unsigned; tempfail: 4xx, the
#    client's retry is delivered once), and the restarted milter signs again.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
. "$SRCDIR/tests/integration/faults_lib.sh"
DKIMDNS="/usr/bin/python3 $SRCDIR/tests/integration/dkim_dns.py"
SMTPC="/usr/bin/python3 $SRCDIR/tests/integration/faults_smtp.py"

ps_tmpdir
chmod 755 "$PS_TMP"
keys=$PS_TMP/keys
ps_key example.net rsa
KEY=$keys/example.net/rsa.key
ps_write_zone "$PS_TMP/example.net.zone" example.net
cat "$PS_TMP/example.net.keys" >>"$PS_TMP/example.net.zone"
echo '@ IN TXT "v=spf1 ip4:127.0.0.1 -all"' >>"$PS_TMP/example.net.zone"
ps_write_zone "$PS_TMP/example.org.zone" example.org
echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"' >>"$PS_TMP/example.org.zone"
echo '_dmarc IN TXT "v=DMARC1; p=none"' >>"$PS_TMP/example.org.zone"
ps_start_dns "$PS_TMP/example.net.zone" "$PS_TMP/example.org.zone"

mkdir -p "$PS_TMP/hist" "$PS_TMP/full" && chown nobody "$PS_TMP/hist"
write_conf() {	# write_conf NAME HISTORY_DB AUTHSERV_ID
	cat >"$PS_TMP/$1.conf" <<CONF
user = "nobody";
authserv_id = "$3";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
keys = { directory = "$keys"; };
milter = {
  socket = "unix:$PS_TMP/$1.sock";
  socket_group = "postfix";
  internal_hosts = [ "127.0.0.1" ];
  sign = ( { domain = "example.net"; selector = "rsa"; } );
  dmarc = { history = "$2"; };
};
CONF
	chmod 644 "$PS_TMP/$1.conf"
}
write_conf m1 "$PS_TMP/hist/dmarc.db" mx.postseal.test
faults_milter_start m1 "$PS_TMP/m1.conf"
M1=$MILTER_PID

# The full disk: a 64 KB tmpfs, unmounted at exit after its milter stops.
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$PS_TMP/full" || ps_fail "cannot mount a tmpfs"
FULL_MOUNTED=1
chown nobody "$PS_TMP/full"
write_conf m2 "$PS_TMP/full/dmarc.db" mx.postseal.test
faults_milter_start m2 "$PS_TMP/m2.conf"
M2=$MILTER_PID

P_TEMP=$(ps_free_port) P_ACCEPT=$(ps_free_port) P_FULL=$(ps_free_port)
ps_sink_start
ps_postfix_start "relay_domains = dest.example" "milter_protocol = 6" \
	"milter_default_action = tempfail" "message_size_limit = 20000000" -- \
	"127.0.0.1:$P_TEMP inet n - n - - smtpd -o smtpd_milters=unix:$PS_TMP/m1.sock" \
	"127.0.0.1:$P_ACCEPT inet n - n - - smtpd -o smtpd_milters=unix:$PS_TMP/m1.sock -o milter_default_action=accept" \
	"127.0.0.1:$P_FULL inet n - n - - smtpd -o smtpd_milters=unix:$PS_TMP/m2.sock"
faults_exit() {
	local rc=$?
	ps_postfix_stop
	if [ "${FULL_MOUNTED:-0}" = 1 ]; then
		kill "$M2" 2>/dev/null
		sleep 0.3
		umount "$PS_TMP/full" 2>/dev/null || umount -l "$PS_TMP/full"
	fi
	(exit "$rc")
	ps_cleanup
}
trap faults_exit EXIT

# send NAME PORT FROM CLIENT_IP: one message, must be accepted and
# delivered; the sink copy is left in $OUT.
send() {
	faults_message "$PS_TMP/$1.eml" "$3" "$1"
	swaks --server "127.0.0.1:$2" --local-interface "$4" --from "$3" \
		--to user@dest.example --data "@$PS_TMP/$1.eml" >"$PS_TMP/$1.swaks" 2>&1 ||
		{ cat "$PS_TMP/$1.swaks" >&2; ps_fail "$1: message refused"; }
	OUT=$(faults_delivered "$1") || { tail -n 20 "$PF_DIR/maillog" >&2; ps_fail "$1: not delivered"; }
}
# signed NAME: send outbound mail through port P_TEMP, check that it is
# signed and that dkimpy verifies it.
signed() {
	send "$1" "$P_TEMP" someone@example.net 127.0.0.1
	[ "$(grep -c '^DKIM-Signature:' "$OUT")" = 1 ] || ps_fail "$1: not signed"
	$DKIMDNS verify "$DNS_PORT" "$OUT" >"$PS_TMP/$1.verify" 2>&1 ||
		{ cat "$PS_TMP/$1.verify" >&2; ps_fail "$1: signature does not verify"; }
}
# reload_fails WHAT: SIGHUP m1, expect one more event=reload-failed.
reload_fails() {
	local n i
	n=$(grep -c 'event=reload-failed' "$PS_TMP/m1.log")
	kill -HUP "$M1"
	for i in $(seq 1 100); do
		[ "$(grep -c 'event=reload-failed' "$PS_TMP/m1.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	ps_fail "$1 + SIGHUP: no event=reload-failed"
}

echo "== DMARC history locked by another process"
rows() { sqlite3 "$1" 'select count(*) from message' 2>/dev/null || echo -1; }
send hist-ok "$P_TEMP" news@example.org 127.0.0.2
r0=$(rows "$PS_TMP/hist/dmarc.db")
[ "$r0" -ge 1 ] || ps_fail "the history records nothing (premise of the lock test)"
/usr/bin/python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(120)' "$PS_TMP/hist/dmarc.db" "$PS_TMP/locked" >"$PS_TMP/locker.log" 2>&1 &
LOCKER=$!
ps_register_pid "$LOCKER"
ps_wait_file "$PS_TMP/locked" || { cat "$PS_TMP/locker.log" >&2; ps_fail "could not lock the database"; }
f0=$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m1.log")
for i in 1 2 3; do
	send "locked-$i" "$P_TEMP" news@example.org 127.0.0.2
	faults_authres "$OUT" | grep -q 'dmarc=pass' || ps_fail "locked-$i: no dmarc=pass"
done
f1=$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m1.log")
[ $((f1 - f0)) -ge 1 ] && [ $((f1 - f0)) -le 3 ] ||
	ps_fail "locked history: $((f1 - f0)) failure lines for 3 messages"
grep 'event=dmarc-history-failed' "$PS_TMP/m1.log" | tail -n 1 | grep -q 'locked' ||
	ps_fail "locked history: the failure does not say the database is locked"
kill "$LOCKER"; wait "$LOCKER" 2>/dev/null
send hist-unlocked "$P_TEMP" news@example.org 127.0.0.2
[ "$(rows "$PS_TMP/hist/dmarc.db")" -gt "$r0" ] || ps_fail "the history does not record after the lock is gone"
kill -0 "$M1" || ps_fail "m1 died"

echo "== DMARC history on a full disk"
send full-ok "$P_FULL" news@example.org 127.0.0.2
[ "$(rows "$PS_TMP/full/dmarc.db")" -ge 1 ] || ps_fail "the tmpfs history records nothing (premise)"
dd if=/dev/zero of="$PS_TMP/full/filler" bs=4k >/dev/null 2>&1
df -k "$PS_TMP/full" | awk 'NR==2 && $4 != 0 {exit 1}' || ps_fail "could not fill the tmpfs"
f0=$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m2.log")
for i in 1 2 3 4 5; do
	send "full-$i" "$P_FULL" news@example.org 127.0.0.2
	faults_authres "$OUT" | grep -q 'dmarc=pass' || ps_fail "full-$i: no dmarc=pass"
done
f1=$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m2.log")
[ $((f1 - f0)) -ge 1 ] && [ $((f1 - f0)) -le 5 ] ||
	{ tail -n 20 "$PS_TMP/m2.log" >&2; ps_fail "full disk: $((f1 - f0)) failure lines for 5 messages"; }
grep 'event=dmarc-history-failed' "$PS_TMP/m2.log" | tail -n 1 | grep -q 'full' ||
	ps_fail "full disk: the failure does not say the disk is full"
kill -0 "$M2" || ps_fail "m2 died on a full disk"
faults_no_sanitizer "$PS_TMP/m2.log"

echo "== milter killed mid-message, milter_default_action = accept"
$SMTPC "$P_ACCEPT" someone@example.net kill-accept 100000 rcpt "$M1" >"$PS_TMP/kill-accept.out" 2>&1 ||
	{ cat "$PS_TMP/kill-accept.out" >&2; ps_fail "milter killed, default action accept: message refused"; }
OUT=$(faults_delivered kill-accept) || ps_fail "kill-accept: not delivered"
ps_assert_not_contains "$OUT" "DKIM-Signature:"
faults_milter_start m1 "$PS_TMP/m1.conf"
M1=$MILTER_PID
signed after-restart-1

echo "== milter killed in a 5 MB body, milter_default_action = tempfail"
$SMTPC "$P_TEMP" someone@example.net kill-temp 5000000 body "$M1" >"$PS_TMP/kill-temp.out" 2>&1
rc=$?
cat "$PS_TMP/kill-temp.out"
[ "$rc" = 4 ] || ps_fail "milter killed, default action tempfail: want a 4xx, got: $(cat "$PS_TMP/kill-temp.out")"
faults_milter_start m1 "$PS_TMP/m1.conf"
M1=$MILTER_PID
# The client retries: delivered once, signed by the restarted milter.
$SMTPC "$P_TEMP" someone@example.net kill-temp 5000000 none 0 >"$PS_TMP/retry.out" 2>&1 ||
	{ cat "$PS_TMP/retry.out" >&2; ps_fail "the retried 5 MB message was refused"; }
OUT=$(faults_delivered kill-temp) || ps_fail "the retried 5 MB message was not delivered"
sleep 1
[ "$(grep -l '^Subject: kill-temp' "$SINK_DIR"/* | wc -l)" = 1 ] || ps_fail "kill-temp delivered more than once"
[ "$(grep -c '^DKIM-Signature:' "$OUT")" = 1 ] || ps_fail "the retried message is not signed"
$DKIMDNS verify "$DNS_PORT" "$OUT" >/dev/null 2>&1 || ps_fail "the retried message does not verify"

echo "== key made unsafe, key removed, config invalid + SIGHUP"
signed baseline
key_mode=$(stat -c %a "$KEY")
chmod 666 "$KEY"
reload_fails "key chmod 666"
ps_assert_contains "$PS_TMP/m1.log" "rsa.key"
signed after-chmod
chmod "$key_mode" "$KEY"
mv "$KEY" "$PS_TMP/rsa.key.saved"
reload_fails "key removed"
signed after-remove
mv "$PS_TMP/rsa.key.saved" "$KEY"
for bad in 's/timeout = 3/timeout = 0/' '$a milter_sockets = 1;' '$a authserv_id = ;' \
	's/selector = "rsa"/selector = "missing"/'; do
	write_conf m1 "$PS_TMP/hist/dmarc.db" broken.postseal.test
	sed -i "$bad" "$PS_TMP/m1.conf"
	reload_fails "config edit '$bad'"
	send "in-$RANDOM" "$P_TEMP" news@example.org 127.0.0.2
	faults_authres "$OUT" | grep -q . || ps_fail "config edit '$bad': the old authserv-id is gone"
	signed "out-$RANDOM"
done
# A valid reload is taken, so the failures above were not vacuous.
write_conf m1 "$PS_TMP/hist/dmarc.db" mx.postseal.test
sed -i 's/timeout = 3/timeout = 2/' "$PS_TMP/m1.conf"
kill -HUP "$M1"
ps_wait_log "$PS_TMP/m1.log" "event=reloaded" || ps_fail "a valid reload was not taken"
signed after-good-reload
# After a valid reload the DMARC history still records.
r0=$(rows "$PS_TMP/hist/dmarc.db")
f0=$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m1.log")
send hist-after-reload "$P_TEMP" news@example.org 127.0.0.2
[ "$(grep -c 'event=dmarc-history-failed' "$PS_TMP/m1.log")" = "$f0" ] &&
	[ "$(rows "$PS_TMP/hist/dmarc.db")" -gt "$r0" ] ||
	{ grep 'event=dmarc-history-failed' "$PS_TMP/m1.log" | tail -n 1 >&2
	  ls -l "$PS_TMP/hist" >&2
	  ps_fail "after a valid reload the DMARC history no longer records"; }

kill -0 "$M1" || ps_fail "m1 died"
faults_no_sanitizer "$PS_TMP/m1.log"
echo "faults milter: all checks passed"
