#!/usr/bin/env bash
# The local DNS fixtures every integration test relies on: unbound-start
# serving the base zones and a zone made at run time, the fake servers
# (black hole, SERVFAIL), and common.sh cleaning up after a test.
set -u
. "$SRCDIR/tests/integration/common.sh"

ps_tmpdir
PY=/usr/bin/python3

# q PORT NAME TYPE [TIMEOUT]: print "RCODE rdata..." as dnspython sees it.
q() {
	$PY - "$@" <<'PY'
import sys, dns.message, dns.query, dns.rcode, dns.exception
port, name, rtype = int(sys.argv[1]), sys.argv[2], sys.argv[3]
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
try:
    r = dns.query.udp(dns.message.make_query(name, rtype), "127.0.0.1",
                      port=port, timeout=timeout)
except dns.exception.Timeout:
    print("TIMEOUT")
    sys.exit(0)
if r.flags & dns.flags.TC:
    r = dns.query.tcp(dns.message.make_query(name, rtype), "127.0.0.1",
                      port=port, timeout=timeout)
out = [dns.rcode.to_text(r.rcode())]
for rrset in r.answer:
    out += sorted(rd.to_text() for rd in rrset)
print(" ".join(out))
PY
}

# expect PORT NAME TYPE WANT: the answer line must contain WANT.
expect() {
	local got
	got=$(q "$1" "$2" "$3")
	case $got in
	*"$4"*) ;;
	*) ps_fail "$2 $3: got '$got', want '$4'" ;;
	esac
}

# A zone written at run time, next to the base zones.
ps_write_zone "$PS_TMP/runtime.zone" runtime.example
echo 'sel._domainkey IN TXT "v=DKIM1; k=ed25519; " "p=AAAA"' >>"$PS_TMP/runtime.zone"

ps_start_dns "$PS_DNS_FIXTURES/postseal.test.zone" \
	"$PS_DNS_FIXTURES/example.net.zone" "$PS_DNS_FIXTURES/example.org.zone" \
	"$PS_DNS_FIXTURES/reverse.zone" "$PS_DNS_FIXTURES/reverse6.zone" \
	"$PS_TMP/runtime.zone"
[ "$DNS_PORT" -gt 1024 ] || ps_fail "DNS_PORT '$DNS_PORT'"
[ "$(cat "$DNS_DIR/port")" = "$DNS_PORT" ] || ps_fail "DNS_DIR/port"
DNS_PID=$(cat "$DNS_DIR/pid")
ps_assert_contains "$DNS_DIR/unbound.conf" "interface: 127.0.0.1"
ps_assert_contains "$DNS_DIR/unbound.conf" 'do-not-query-localhost: no'

# The test domains later tests use.
expect "$DNS_PORT" postseal.test TXT '"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"'
expect "$DNS_PORT" _dmarc.postseal.test TXT 'p=reject'
expect "$DNS_PORT" example.net TXT 'v=spf1 ip4:127.0.0.0/8'
expect "$DNS_PORT" _dmarc.example.net TXT 'v=DMARC1; p=reject'
expect "$DNS_PORT" _dmarc.example.org TXT 'p=none'
expect "$DNS_PORT" postseal.test MX '10 mx1.postseal.test.'
expect "$DNS_PORT" 25.0.18.198.in-addr.arpa PTR 'mx1.postseal.test.'
expect "$DNS_PORT" nope.postseal.test A NXDOMAIN
expect "$DNS_PORT" aonly.postseal.test TXT NOERROR
[ "$(q "$DNS_PORT" aonly.postseal.test TXT)" = NOERROR ] || ps_fail "aonly has TXT data"
expect "$DNS_PORT" sel._domainkey.runtime.example TXT '"v=DKIM1; k=ed25519; " "p=AAAA"'

# A second server at the same time on another port.
ps_write_zone "$PS_TMP/second.zone" second.example
echo '@ IN TXT "second"' >>"$PS_TMP/second.zone"
first_port=$DNS_PORT
ps_start_dns "$PS_TMP/second.zone"
[ "$DNS_PORT" != "$first_port" ] || ps_fail "second server on the same port"
expect "$DNS_PORT" second.example TXT '"second"'
expect "$first_port" postseal.test MX 'mx2.example.net.'

# Fake servers: a black hole never answers; servfail always fails.
ps_start_blackhole
[ "$(q "$BLACKHOLE_PORT" postseal.test TXT 1)" = TIMEOUT ] || ps_fail "black hole answered"
ps_start_fake_dns servfail
expect "$FAKE_DNS_PORT" postseal.test TXT SERVFAIL
ps_start_fake_dns refused
expect "$FAKE_DNS_PORT" postseal.test TXT REFUSED

# ps_free_port gives a bindable port.
port=$(ps_free_port)
$PY -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" ||
	ps_fail "ps_free_port gave $port, which is taken"

# A zone without $ORIGIN is refused with a message.
echo '@ IN SOA ns1 h 1 1 1 1 1' >"$PS_TMP/noorigin.zone"
if bash "$PS_DNS_FIXTURES/unbound-start" "$PS_TMP/bad" "$PS_TMP/noorigin.zone" \
	>/dev/null 2>"$PS_TMP/bad.err"; then
	ps_fail "unbound-start accepted a zone without \$ORIGIN"
fi
ps_assert_contains "$PS_TMP/bad.err" 'no $ORIGIN'

# unbound-stop stops it.
pid=$(cat "$DNS_DIR/pid")
bash "$PS_DNS_FIXTURES/unbound-stop" "$DNS_DIR"
kill -0 "$pid" 2>/dev/null && ps_fail "unbound-stop left unbound $pid running"
[ "$(q "$DNS_PORT" second.example TXT 1)" = TIMEOUT ] || ps_fail "stopped server answered"

# common.sh cleans up: a test that exits (even failing) leaves no server
# and no directory behind, and its exit status stands.
SRCDIR=$SRCDIR BINDIR=$BINDIR bash -c '
	. "$SRCDIR/tests/integration/common.sh"
	ps_tmpdir
	ps_start_dns "$PS_DNS_FIXTURES/example.org.zone"
	echo "$PS_TMP $(cat "$DNS_DIR/pid")" >"$1"
	exit 3' child "$PS_TMP/child.info"
rc=$?
[ "$rc" -eq 3 ] || ps_fail "child test exit status $rc, want 3"
read -r child_tmp child_pid <"$PS_TMP/child.info" || ps_fail "child did not start DNS"
[ -n "$child_pid" ] || ps_fail "child wrote no PID"
[ ! -e "$child_tmp" ] || ps_fail "child's $child_tmp was not removed"
kill -0 "$child_pid" 2>/dev/null && ps_fail "child's unbound $child_pid still runs"

echo "test_dns: all checks passed"
