# faults_lib.sh: helpers shared by the fault tests (test_faults_*.sh).
# Source it after common.sh (and postfix.sh when a test sends mail); needs
# ps_tmpdir first.
#
#	faults_start_dns MODE [UPSTREAM_PORT]   # faults_dns.py server; FAULT_DNS_PORT
#	faults_milter_start NAME CONF           # milter with its own log; MILTER_PID
#	faults_policyd_start NAME CONF PORT     # policyd with its own log; POLICYD_PID
#	faults_message FILE FROM SUBJECT        # write a small message
#	faults_delivered SUBJECT                # sink file holding it (waits 20 s)
#	faults_authres FILE                     # our Authentication-Results, unfolded
#	faults_no_sanitizer LOG                 # fail on an ASan/UBSan report

FAULTS_PY=/usr/bin/python3
FAULTS_HERE=$SRCDIR/tests/integration
POLICYD=$BINDIR/policyd/postseal-policyd
MILTER=$BINDIR/milter/postseal-milter

faults_start_dns() {
	local dir=$PS_TMP/faultdns i
	mkdir -p "$dir"
	$FAULTS_PY "$FAULTS_HERE/faults_dns.py" serve "$1" "$dir" ${2:+"$2"} \
		>"$dir/$1.log" 2>&1 </dev/null &
	ps_register_pid $!
	for i in $(seq 1 100); do
		[ -s "$dir/$1.port" ] && break
		sleep 0.1
	done
	[ -s "$dir/$1.port" ] || { cat "$dir/$1.log" >&2; ps_fail "faults_dns.py $1 did not start"; }
	FAULT_DNS_PORT=$(cat "$dir/$1.port")
}

faults_milter_start() {
	local name=$1 conf=$2 sock
	sock=$(sed -n 's/^ *socket *= *"unix:\(.*\)";.*/\1/p' "$conf" | head -n 1)
	[ -n "$sock" ] || ps_fail "faults_milter_start: $conf has no unix: socket"
	rm -f "$sock"
	"$MILTER" -f -c "$conf" >>"$PS_TMP/$name.log" 2>&1 &
	MILTER_PID=$!
	disown "$MILTER_PID"	# killed with SIGKILL on purpose: no job report
	ps_register_pid "$MILTER_PID"
	ps_wait_log "$PS_TMP/$name.log" "event=started" ||
		{ cat "$PS_TMP/$name.log" >&2; ps_fail "milter $name did not start"; }
	ps_wait_file "$sock" || { cat "$PS_TMP/$name.log" >&2; ps_fail "milter $name: no $sock"; }
}

faults_policyd_start() {
	"$POLICYD" -f -c "$2" >"$PS_TMP/$1.out" 2>>"$PS_TMP/$1.log" &
	POLICYD_PID=$!
	ps_register_pid "$POLICYD_PID"
	ps_wait_port "$3" || { cat "$PS_TMP/$1.log" >&2; ps_fail "policyd $1 did not listen on $3"; }
}

faults_message() {
	printf 'From: <%s>\r\nTo: user@dest.example\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s.%s@faults.test>\r\n\r\nFault test body.\r\n' \
		"$2" "$3" "$(date -R)" "$3" "$RANDOM" >"$1"
}

faults_delivered() {
	local i f
	for i in $(seq 1 200); do
		f=$(grep -l "^Subject: $1"$'\r'"\?\$" "$SINK_DIR"/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

faults_authres() {
	tr -d '\r' <"$1" | awk '/^Authentication-Results: mx.postseal.test/{p=1;print;next} p&&/^[ \t]/{print;next} {p=0}'
}

faults_no_sanitizer() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
		cat "$1" >&2
		ps_fail "sanitizer report in $1"
	fi
}
