#!/usr/bin/env bash
# Privileges of the running daemons: postseal-milter and postseal-policyd
# started as root with user = "nobody" run as nobody:nogroup (real,
# effective, saved and file-system ids), with no other supplementary group
# and no capabilities; another local user (daemon) can neither read their
# memory or environment through /proc nor the private key file; their unix
# sockets have the configured mode and group.  A key only root can read
# is loaded at start and at reload (through the milter's key broker, which
# alone stays root) and the broker ends with the milter.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/milter.sh"

POLICYD=$BINDIR/policyd/postseal-policyd
[ -x "$POLICYD" ] || ps_fail "$POLICYD not built"
[ "$(id -u)" = 0 ] || ps_fail "this test starts the daemons as root"
for u in nobody daemon; do
	id "$u" >/dev/null 2>&1 || ps_fail "user $u does not exist"
done
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

ps_tmpdir
chmod 755 "$PS_TMP"
keys=$PS_TMP/keys
"$POSTSEAL" keygen -d example.net -s priv -D "$keys" --user nobody >"$PS_TMP/priv.zone" ||
	ps_fail "keygen"
key=$keys/example.net/priv.key
# A second key readable by root only: start-up (as root) loads it, a reload
# (as nobody) cannot, and the milter says so at start.
"$POSTSEAL" keygen -d example.net -s rootonly -D "$keys" --user nobody >/dev/null ||
	ps_fail "keygen rootonly"
rootkey=$keys/example.net/rootonly.key
chown root:root "$rootkey" && chmod 600 "$rootkey"
ps_write_zone "$PS_TMP/example.net.zone" example.net
grep -v '^;' "$PS_TMP/priv.zone" >>"$PS_TMP/example.net.zone"
ps_start_dns "$PS_TMP/example.net.zone"

msock=$PS_TMP/milter.sock
psock=$PS_TMP/policyd.sock
mkdir -p "$PS_TMP/run" && chown nobody "$PS_TMP/run"
cat >"$PS_TMP/postseal.conf" <<CONF
user = "nobody";
authserv_id = "mx.privileges.test";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 2; };
keys = { directory = "$keys"; };
milter = {
  socket = "unix:$msock";
  socket_group = "postfix";
  socket_mode = 0660;
  internal_hosts = [ "127.0.0.1" ];
  sign = ( { domain = "example.net"; selector = "priv"; },
           { domain = "example.net"; selector = "rootonly"; } );
};
policyd = {
  socket = "unix:$psock";
  socket_group = "postfix";
  socket_mode = 0660;
  pidfile = "$PS_TMP/run/policyd.pid";
};
CONF
chmod 644 "$PS_TMP/postseal.conf"

ps_milter_start "$PS_TMP/postseal.conf"
"$POLICYD" -f -c "$PS_TMP/postseal.conf" >"$PS_TMP/policyd.out" 2>"$PS_TMP/policyd.log" &
POLICYD_PID=$!
ps_register_pid "$POLICYD_PID"
ps_wait_file "$psock" || { cat "$PS_TMP/policyd.log" >&2; ps_fail "policyd did not create $psock"; }

# status_field PID NAME: the value of NAME: in /proc/PID/status.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'
}

# dropped PID: true once the daemon runs as nobody (it drops after the
# socket and the keys are ready).
dropped() {
	[ "$(status_field "$1" Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ]
}

# as_daemon CMD...: run CMD as user daemon, no supplementary groups.
as_daemon() {
	setpriv --reuid=daemon --regid=daemon --clear-groups -- "$@"
}

check_daemon() {  # check_daemon NAME PID SOCKET LOG
	local name=$1 pid=$2 sock=$3 log=$4 i groups f
	for i in $(seq 1 50); do
		dropped "$pid" && break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; ps_fail "$name is not running"; }
	[ "$(status_field "$pid" Uid)" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ] ||
		ps_fail "$name uids: $(status_field "$pid" Uid), want $NOBODY_UID x4"
	[ "$(status_field "$pid" Gid)" = "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" ] ||
		ps_fail "$name gids: $(status_field "$pid" Gid), want $NOBODY_GID x4"
	groups=$(status_field "$pid" Groups)
	[ -z "$groups" ] || [ "$groups" = "$NOBODY_GID" ] ||
		ps_fail "$name supplementary groups: '$groups', want only $NOBODY_GID"
	for f in CapEff CapPrm CapInh CapAmb; do
		[ "$(status_field "$pid" $f)" = 0000000000000000 ] ||
			ps_fail "$name $f is $(status_field "$pid" $f), want none"
	done
	# Another user cannot look inside the daemon.
	for f in environ maps mem fd; do
		case $f in
		fd) as_daemon ls "/proc/$pid/fd" >"$PS_TMP/$name.$f" 2>&1 ;;
		mem) as_daemon dd if="/proc/$pid/mem" of=/dev/null bs=1 count=1 \
			skip="$(( 16#$(awk -F- 'NR==1{print $1}' "/proc/$pid/maps") ))" \
			iflag=skip_bytes >"$PS_TMP/$name.$f" 2>&1 ;;
		*) as_daemon cat "/proc/$pid/$f" >"$PS_TMP/$name.$f" 2>&1 ;;
		esac
		[ $? -ne 0 ] || ps_fail "user daemon can read /proc/$pid/$f of the $name"
		grep -q "Permission denied" "$PS_TMP/$name.$f" ||
			ps_fail "/proc/$pid/$f of the $name: $(cat "$PS_TMP/$name.$f")"
	done
	# Not even its own user can: the drop left the process non-dumpable.
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		cat "/proc/$pid/environ" >/dev/null 2>&1 &&
		ps_fail "user nobody can read /proc/$pid/environ of the $name"
	# The socket: mode and group as configured.
	[ "$(stat -c '%a %G' "$sock")" = "660 postfix" ] ||
		ps_fail "$name socket $sock is $(stat -c '%a %U:%G' "$sock"), want 660 group postfix"
	echo "$name (pid $pid): nobody:nogroup, no capabilities, /proc closed, socket 660 postfix"
}

check_daemon milter "$MILTER_PID" "$msock" "$PS_TMP/milter.log"
check_daemon policyd "$POLICYD_PID" "$psock" "$PS_TMP/policyd.log"

# The root-only key: start-up (root) loads it, and so does a reload, through
# the key broker, the one process that stays root (a child of the milter).
# No warning about it, a reload that succeeds, and one that picks up a
# replaced root-only key.
ps_assert_not_contains "$PS_TMP/milter.log" "event=reload-unreadable"
broker=$(pgrep -P "$MILTER_PID")
[ -n "$broker" ] && [ "$(echo "$broker" | wc -l)" = 1 ] ||
	ps_fail "want one key broker process under the milter, have: '$broker'"
[ "$(status_field "$broker" Uid)" = "0 0 0 0" ] ||
	ps_fail "the key broker runs as uids $(status_field "$broker" Uid), want root"
# reloaded N: SIGHUP, then wait for the N-th event=reloaded.
reloaded() {
	local i
	kill -HUP "$MILTER_PID"
	for i in $(seq 1 50); do
		[ "$(grep -c "event=reloaded" "$PS_TMP/milter.log")" -ge "$1" ] && return 0
		grep -q "event=reload-failed" "$PS_TMP/milter.log" && break
		sleep 0.1
	done
	cat "$PS_TMP/milter.log" >&2
	ps_fail "reload $1 with a root-only key did not succeed"
}
reloaded 1
"$POSTSEAL" keygen -d example.net -s rootonly -D "$PS_TMP/newkeys" --user nobody >/dev/null ||
	ps_fail "keygen new rootonly"
install -o root -g root -m 600 "$PS_TMP/newkeys/example.net/rootonly.key" "$rootkey"
reloaded 2
ps_assert_not_contains "$PS_TMP/milter.log" "event=reload-problem"
# A broker that is gone: the reload fails and says why, the milter runs
# on with its keys, and the dead broker is reaped.
kill -KILL "$broker"
kill -HUP "$MILTER_PID"
ps_wait_log "$PS_TMP/milter.log" "event=reload-failed" 50
ps_assert_contains "$PS_TMP/milter.log" "no answer from the key broker"
ps_assert_contains "$PS_TMP/milter.log" "event=reload-failed"
kill -0 "$MILTER_PID" 2>/dev/null || ps_fail "the milter stopped when its key broker died"
[ -z "$(ps -o stat= -p "$broker")" ] || ps_fail "the dead key broker $broker was not reaped"

# The key: root-owned, group nogroup, 0640; another user cannot read it.
[ "$(stat -c '%U %G %a' "$key")" = "root nogroup 640" ] ||
	ps_fail "key $key is $(stat -c '%U %G %a' "$key"), want root nogroup 640"
as_daemon cat "$key" >/dev/null 2>"$PS_TMP/key.err" &&
	ps_fail "user daemon can read the private key $key"
ps_assert_contains "$PS_TMP/key.err" "Permission denied"
# And the milter did load it: it signs, so the key it holds is the real one.
"$POSTSEAL" testkey -c "$PS_TMP/postseal.conf" -d example.net -s priv -k "$key" \
	>"$PS_TMP/testkey.out" 2>&1 ||
	{ cat "$PS_TMP/testkey.out" >&2; ps_fail "testkey: the key and its DNS record differ"; }

# A refused drop stops the start: an unknown user is a start-up error.
sed 's/^user = "nobody";/user = "postseal-no-such-user";/' "$PS_TMP/postseal.conf" >"$PS_TMP/bad.conf"
sed -i "s|$msock|$PS_TMP/bad-milter.sock|; s|$psock|$PS_TMP/bad-policyd.sock|" "$PS_TMP/bad.conf"
for prog in "$MILTER" "$POLICYD"; do
	timeout 20 "$prog" -f -c "$PS_TMP/bad.conf" >"$PS_TMP/bad.out" 2>&1 &&
		ps_fail "${prog##*/} started with an unknown user"
	ps_assert_contains "$PS_TMP/bad.out" "postseal-no-such-user"
done

# A configuration file only root can read: the milter starts (as root) and
# says at once that a reload, which reads it as nobody, would fail.
sed "s|$msock|$PS_TMP/private-milter.sock|" "$PS_TMP/postseal.conf" >"$PS_TMP/private.conf"
chmod 600 "$PS_TMP/private.conf"
"$MILTER" -f -c "$PS_TMP/private.conf" >"$PS_TMP/private.log" 2>&1 &
private=$!
ps_register_pid "$private"
ps_wait_log "$PS_TMP/private.log" "event=reload-unreadable" 50
ps_assert_contains "$PS_TMP/private.log" \
	"event=reload-unreadable file=$PS_TMP/private.conf what=config detail=\"user nobody (uid $NOBODY_UID) cannot read $PS_TMP/private.conf; a reload reads it as that user and would fail"
# Its key broker ends with it.
pbroker=$(pgrep -P "$private")
[ -n "$pbroker" ] || ps_fail "the second milter has no key broker"
kill -TERM "$private"
wait "$private" || ps_fail "the second milter exited with status $? on SIGTERM"
for i in $(seq 1 20); do
	kill -0 "$pbroker" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pbroker" 2>/dev/null && ps_fail "the key broker (pid $pbroker) outlived its milter"

# Both stop cleanly on SIGTERM, with no sanitizer report (ASan builds).
for pid in "$MILTER_PID" "$POLICYD_PID"; do
	kill -TERM "$pid"
	wait "$pid" || ps_fail "daemon $pid exited with status $? on SIGTERM"
done
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$PS_TMP/milter.log" "$PS_TMP/policyd.log"; then
	cat "$PS_TMP/milter.log" "$PS_TMP/policyd.log" >&2
	ps_fail "sanitizer report from a daemon"
fi
echo "privileges: all checks passed"
