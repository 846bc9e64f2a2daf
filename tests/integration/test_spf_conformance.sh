#!/bin/bash
# RFC 7208 conformance of the compiled SPF engine, through `postseal spf`,
# against a real unbound serving each scenario of the openspf suite
# (SHARED_DIR/conformance/spf/rfc7208-tests.yml) in turn.
#
# Prints every failing case with expected/got and
# "SPF conformance (ENGINE): N/TOTAL"; fails when N is below the number
# recorded in tests/conformance/spf-ENGINE.score (ENGINE as printed by
# `postseal spf`).  The score file is only read: raising it is a change
# made by hand, with the code that earns it.
set -u
. "${SRCDIR:?}/tests/integration/common.sh"

SUITE=${SHARED_DIR:-$SRCDIR/../shared}/conformance/spf/rfc7208-tests.yml
TOOL=$SRCDIR/tests/conformance/spf_suite.py
PY=/usr/bin/python3
[ -r "$SUITE" ] || ps_fail "suite not found: $SUITE"
[ -x "$POSTSEAL" ] || ps_fail "no $POSTSEAL"

ps_tmpdir
: >"$PS_TMP/empty.conf"
ENGINE=$("$POSTSEAL" spf -c "$PS_TMP/empty.conf" 192.0.2.1 x@invalid. 2>&1 |
    sed -n 's/^engine: //p')
[ -n "$ENGINE" ] || ps_fail "postseal spf does not report its engine"
SCOREFILE=$SRCDIR/tests/conformance/spf-$ENGINE.score
"$PY" "$TOOL" gen "$SUITE" "$PS_TMP/suite" >/dev/null || ps_fail "generator failed"

# The zone is "." so every name of the scenario, and every name it does
# not define, is answered by this server; the special-use zones unbound
# answers itself are opened up; "TIMEOUT" names are refused.
write_unbound_conf() {	# DIR PORT
	local z
	cat <<CONF
server:
	interface: 127.0.0.1
	port: $2
	do-ip6: no
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	chroot: ""
	username: ""
	directory: "$1"
	pidfile: "$1/unbound.pid"
	logfile: "$1/unbound.log"
	use-syslog: no
	verbosity: 1
	num-threads: 1
	module-config: "iterator"
CONF
	for z in test. invalid. localhost. onion. home.arpa. 10.in-addr.arpa. \
	    168.192.in-addr.arpa. 254.169.in-addr.arpa. 2.0.192.in-addr.arpa. \
	    100.51.198.in-addr.arpa. 113.0.203.in-addr.arpa. 127.in-addr.arpa. \
	    0.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa. d.f.ip6.arpa. \
	    8.e.f.ip6.arpa. 9.e.f.ip6.arpa. a.e.f.ip6.arpa. b.e.f.ip6.arpa.; do
		printf '\tlocal-zone: "%s" transparent\n' "$z"
	done
	while read -r z; do
		[ -n "$z" ] && printf '\tlocal-zone: "%s" always_refuse\n' "$z"
	done <"$1/refuse.txt"
	printf 'remote-control:\n\tcontrol-enable: no\n'
	printf 'auth-zone:\n\tname: "."\n\tzonefile: "%s/root.zone"\n' "$1"
	printf '\tfor-downstream: yes\n\tfor-upstream: yes\n\tfallback-enabled: no\n'
}

# start_unbound DIR: serve DIR's scenario; sets PORT and UPID.
start_unbound() {
	local attempt
	for attempt in 1 2 3 4 5; do
		PORT=$("$PY" "$PS_DNS_FIXTURES/dnstool.py" free-port)
		write_unbound_conf "$1" "$PORT" >"$1/unbound.conf"
		unbound-checkconf "$1/unbound.conf" >"$1/checkconf.log" 2>&1 ||
			ps_fail "unbound config for $1: $(cat "$1/checkconf.log")"
		unbound -d -c "$1/unbound.conf" >>"$1/unbound.stderr" 2>&1 &
		UPID=$!
		ps_register_pid "$UPID"
		for _ in $(seq 1 100); do
			kill -0 "$UPID" 2>/dev/null || break
			"$PY" "$PS_DNS_FIXTURES/dnstool.py" probe "$PORT" . && return 0
			sleep 0.1
		done
		kill "$UPID" 2>/dev/null
		wait "$UPID" 2>/dev/null
	done
	cat "$1/unbound.log" "$1/unbound.stderr" >&2
	ps_fail "unbound did not start for $1"
}

for dir in "$PS_TMP"/suite/s*; do
	start_unbound "$dir"
	printf 'authserv_id = "receiver.com";\ndns = { nameservers = [ "127.0.0.1@%s" ]; timeout = 2; };\n' \
	    "$PORT" >"$dir/postseal.conf"
	while IFS=$'\t' read -r id host mailfrom helo; do
		"$POSTSEAL" spf -c "$dir/postseal.conf" "$host" "$mailfrom" "$helo" \
		    >"$dir/out/$id" 2>"$dir/out/$id.err"
		[ $? -le 1 ] || echo "case $id: postseal spf: $(cat "$dir/out/$id.err")" >&2
		! grep -q "Sanitizer" "$dir/out/$id.err" ||
			ps_fail "case $id: $(cat "$dir/out/$id.err")"
	done <"$dir/cases.tsv"
	kill "$UPID"
	wait "$UPID" 2>/dev/null
done

"$PY" "$TOOL" score "$PS_TMP/suite" "$ENGINE" "$SCOREFILE" ||
	ps_fail "SPF conformance ($ENGINE) dropped below $(cat "$SCOREFILE")"
exit 0
