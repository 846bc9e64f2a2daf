# common.sh: helpers for integration tests.  Source it first:
#
#	. "$SRCDIR/tests/integration/common.sh"
#	ps_tmpdir                       # PS_TMP, cleaned up on exit
#	ps_start_dns "$PS_DNS_FIXTURES/postseal.test.zone" my.zone   # DNS_PORT
#	"$POSTSEAL" ... || ps_fail "..."
#
# Environment (set by ctest): SRCDIR (source tree), BINDIR (build tree),
# SHARED_DIR.  KEEP=1 keeps the temporary directory for inspection.
# Every server a test starts is registered with ps_register_pid and killed
# by PID when the test exits, whatever the reason.

: "${SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BINDIR:=$SRCDIR/build}"
PS_FIXTURES=$SRCDIR/tests/fixtures
PS_DNS_FIXTURES=$PS_FIXTURES/dns
: "${POSTSEAL:=$BINDIR/tools/postseal}"
PS_PIDS=()
PS_TMP=

# ps_fail MSG...: print "FAIL: MSG" to stderr and exit 1.
ps_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# ps_register_pid PID: kill PID when the test exits.
ps_register_pid() {
	PS_PIDS+=("$1")
}

ps_cleanup() {
	local rc=$? pid i
	for pid in "${PS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${PS_PIDS[@]}"; do
		for i in $(seq 1 30); do
			kill -0 "$pid" 2>/dev/null || continue 2
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	if [ -n "$PS_TMP" ] && [ -d "$PS_TMP" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "kept $PS_TMP" >&2
		else
			rm -rf "$PS_TMP"
		fi
	fi
	exit "$rc"
}

# ps_tmpdir: make PS_TMP (mktemp -d) and install the cleanup trap.
ps_tmpdir() {
	PS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/postseal-test.XXXXXX") ||
		ps_fail "mktemp -d"
	trap ps_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ps_free_port: print a port that is free on 127.0.0.1 for TCP and UDP and
# given to no other test running at the same time (dnstool.py free-port).
ps_free_port() {
	PS_PORT_OWNER=$$ /usr/bin/python3 "$PS_DNS_FIXTURES/dnstool.py" free-port
}

# ps_expect_exit LOG WANT CMD...: run CMD with its output in LOG; fail,
# showing LOG, unless it exits with status WANT.
ps_expect_exit() {
	local log=$1 want=$2 rc
	shift 2
	"$@" >"$log" 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] && return 0
	cat "$log" >&2
	ps_fail "${1##*/} ${2:-}: exit $rc, want $want"
}

# ps_wait_log FILE STRING [TENTHS]: true once FILE contains STRING (fixed),
# false after TENTHS/10 s (default 10 s).
ps_wait_log() {
	local i
	for i in $(seq 1 "${3:-100}"); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ps_assert_contains FILE STRING: fail unless FILE contains STRING (fixed).
ps_assert_contains() {
	grep -qF -- "$2" "$1" && return 0
	echo "--- $1:" >&2
	head -n 50 "$1" >&2
	ps_fail "$1 does not contain '$2'"
}

# ps_assert_not_contains FILE STRING: fail if FILE contains STRING.
ps_assert_not_contains() {
	grep -qF -- "$2" "$1" || return 0
	echo "--- $1:" >&2
	head -n 50 "$1" >&2
	ps_fail "$1 contains '$2'"
}

# ps_key DOMAIN SELECTOR [KEYGEN-OPTION...]: a key made by postseal keygen in
# $PS_TMP/keys (group nogroup, readable by the daemons' test user nobody);
# its DNS record is appended to $PS_TMP/DOMAIN.keys for the zone file.
ps_key() {
	local d=$1 s=$2
	shift 2
	"$POSTSEAL" keygen -d "$d" -s "$s" -D "$PS_TMP/keys" --user nobody "$@" 2>/dev/null |
		grep '_domainkey' >>"$PS_TMP/$d.keys" || ps_fail "keygen $d/$s"
}

# ps_write_zone FILE ORIGIN: start a zone file for ORIGIN (SOA, NS, ns1 A);
# append records to it, then pass it to ps_start_dns.
ps_write_zone() {
	cat >"$1" <<ZONE
\$ORIGIN ${2%.}.
\$TTL 300
@	IN SOA	ns1 hostmaster 1 3600 600 86400 300
@	IN NS	ns1
ns1	IN A	127.0.0.1
ZONE
}

# ps_start_dns ZONEFILE...: serve the zones with a private unbound; sets
# DNS_PORT and DNS_DIR.  Needs ps_tmpdir first.  Several servers may run.
ps_start_dns() {
	local out
	[ -n "$PS_TMP" ] || ps_fail "ps_start_dns: call ps_tmpdir first"
	DNS_DIR=$(mktemp -d "$PS_TMP/dns.XXXXXX")
	out=$(bash "$PS_DNS_FIXTURES/unbound-start" "$DNS_DIR" "$@") ||
		ps_fail "unbound did not start for $*"
	DNS_PORT=${out% *}
	ps_register_pid "${out#* }"
}

# ps_start_fake_dns MODE: a name server that never answers (blackhole) or
# answers everything with SERVFAIL (servfail) or REFUSED (refused); sets
# FAKE_DNS_PORT.
ps_start_fake_dns() {
	local out
	[ -n "$PS_TMP" ] || ps_fail "ps_start_fake_dns: call ps_tmpdir first"
	out=$(bash "$PS_DNS_FIXTURES/blackhole-start" "$PS_TMP/fakedns" "$1") ||
		ps_fail "fake name server ($1) did not start"
	FAKE_DNS_PORT=${out% *}
	ps_register_pid "${out#* }"
}

# ps_start_blackhole: a name server that never answers; sets BLACKHOLE_PORT.
ps_start_blackhole() {
	ps_start_fake_dns blackhole
	BLACKHOLE_PORT=$FAKE_DNS_PORT
}
