# milter.sh: start postseal-milter for integration tests.  Source it after
# common.sh; needs ps_tmpdir.
#
#	ps_milter_start CONF     # runs postseal-milter -f -c CONF in the
#	                         # background, log in $PS_TMP/milter.log,
#	                         # waits until its socket answers; MILTER_PID
#	ps_milter_signal SIG     # kill -SIG the milter
#
# MILTER_WRAPPER (e.g. "valgrind --error-exitcode=99 ...") runs the milter
# under a tool.

MILTER=$BINDIR/milter/postseal-milter
MILTER_PID=

# ps_wait_file PATH: wait up to 10 s for PATH to exist.
ps_wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

ps_milter_start() {
	local conf=$1 sock
	sock=$(sed -n 's/^ *socket *= *"unix:\(.*\)";.*/\1/p' "$conf" | head -n 1)
	[ -n "$sock" ] || ps_fail "ps_milter_start: $conf has no unix: milter socket"
	rm -f "$sock"
	${MILTER_WRAPPER:-} "$MILTER" -f -c "$conf" >>"$PS_TMP/milter.log" 2>&1 &
	MILTER_PID=$!
	ps_register_pid "$MILTER_PID"
	ps_wait_file "$sock" || {
		cat "$PS_TMP/milter.log" >&2
		ps_fail "postseal-milter did not create $sock"
	}
}

ps_milter_signal() {
	kill "-$1" "$MILTER_PID" || ps_fail "milter (pid $MILTER_PID) is not running"
}
