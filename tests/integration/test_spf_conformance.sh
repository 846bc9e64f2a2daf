#!/bin/bash
# RFC 7208 conformance of the compiled SPF engine, through `postseal spf`,
# against each scenario of the openspf suite (SHARED_DIR/conformance/spf/
# rfc7208-tests.yml) served by a test DNS server on loopback that gives
# TIMEOUT to exactly the names and query types the suite says (spf_dns.py).
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
DNS=$SRCDIR/tests/conformance/spf_dns.py
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

# One authoritative test server (spf_dns.py) serves every scenario, each on
# its own port: the scenario's records, NXDOMAIN / NODATA for the rest, and
# no answer at all for exactly the (name, type) queries the suite marks
# TIMEOUT.  Sets DNSPID.
start_dns() {
	"$PY" "$DNS" serve "$PS_TMP/suite" >"$PS_TMP/dns.log" 2>&1 &
	DNSPID=$!
	ps_register_pid "$DNSPID"
	for _ in $(seq 1 100); do
		[ -e "$PS_TMP/suite/dns.ready" ] && return 0
		kill -0 "$DNSPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$PS_TMP/dns.log" >&2
	ps_fail "test DNS server did not start"
}

# run_scenario DIR: every case of DIR, one `postseal spf` (with its own
# resolver) after the other; output in DIR/out/ID and DIR/out/ID.err.
run_scenario() {
	local id host mailfrom helo
	# 5 s: with every scenario at once on a loaded machine (a sanitizer
	# build, ctest -j) an answer can take over 2 s and turn a case into a
	# temperror; the cases meant to time out get no answer at all.
	printf 'authserv_id = "receiver.com";\ndns = { nameservers = [ "127.0.0.1@%s" ]; timeout = 5; };\n' \
	    "$(cat "$1/port")" >"$1/postseal.conf"
	# A tab is white space to read, so runs of tabs would merge and an
	# empty MAIL FROM would take the HELO's place: split at \037 instead.
	tr '\t' '\037' <"$1/cases.tsv" |
	while IFS=$'\037' read -r id host mailfrom helo; do
		"$POSTSEAL" spf -c "$1/postseal.conf" "$host" "$mailfrom" "$helo" \
		    >"$1/out/$id" 2>"$1/out/$id.err"
		[ $? -le 1 ] || echo "case $id: postseal spf: $(cat "$1/out/$id.err")" >&2
	done
}

# The scenarios run side by side: most of the time is spent waiting for
# the queries that time out.
start_dns
CASEPIDS=()
for dir in "$PS_TMP"/suite/s*; do
	run_scenario "$dir" &
	CASEPIDS+=("$!")
	ps_register_pid "$!"
done
wait "${CASEPIDS[@]}"
kill "$DNSPID"
wait "$DNSPID" 2>/dev/null
for f in "$PS_TMP"/suite/s*/out/*.err; do
	! grep -q "Sanitizer" "$f" || ps_fail "case ${f%.err}: $(cat "$f")"
done

"$PY" "$TOOL" score "$PS_TMP/suite" "$ENGINE" "$SCOREFILE" ||
	ps_fail "SPF conformance ($ENGINE) dropped below $(cat "$SCOREFILE")"
exit 0
