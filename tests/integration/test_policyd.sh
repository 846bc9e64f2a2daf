#!/bin/bash
# postseal-policyd end to end: the real daemon (inet, unix and --stdio)
# against a local unbound serving SPF and DMARC records, driven by a small
# policy-protocol client.  Checks the actions, bad input handling (only the
# offending connection is closed), 500 concurrent connections, a resolver
# that never answers (temperror), reload and clean shutdown.
set -u
. "$SRCDIR/tests/integration/common.sh"

POLICYD=$BINDIR/policyd/postseal-policyd
[ -x "$POLICYD" ] || ps_fail "$POLICYD not built"
ps_tmpdir
# The daemon drops to "nobody": it must reach its socket and config.
chmod 755 "$PS_TMP"
mkdir -p "$PS_TMP/run" && chown nobody "$PS_TMP/run"

zone() {	# zone ORIGIN RECORD...
	local f=$PS_TMP/$1.zone
	ps_write_zone "$f" "$1"
	shift
	printf '%s\n' "$@" >>"$f"
}
zone pass.test '@ TXT "v=spf1 ip4:192.0.2.10 ip4:127.0.0.2 -all"' \
	'mx TXT "v=spf1 ip4:192.0.2.10 ip4:127.0.0.2 -all"'
zone fail.test '@ TXT "v=spf1 ip4:198.51.100.1 -all"' \
	'badhelo TXT "v=spf1 -all"'
zone dmarc.test '@ TXT "v=spf1 ip4:198.51.100.1 -all"' \
	'_dmarc TXT "v=DMARC1; p=reject"' \
	'sub TXT "v=spf1 -all"'
zone soft.test '@ TXT "v=spf1 ~all"'
zone perm.test '@ TXT "v=spf1 ip4:not-an-ip -all"'
ps_start_dns "$PS_TMP"/pass.test.zone "$PS_TMP"/fail.test.zone \
	"$PS_TMP"/dmarc.test.zone "$PS_TMP"/soft.test.zone "$PS_TMP"/perm.test.zone

# write_conf FILE SOCKET NAMESERVER_PORT [EXTRA_POLICYD_SETTING]
write_conf() {
	cat >"$1" <<CONF
user = "nobody";
authserv_id = "mx.policyd.test";
dns = { nameservers = [ "127.0.0.1@$3" ]; timeout = ${POLICYD_DNS_TIMEOUT:-2}; };
policyd = {
	socket = "$2";
	socket_group = "postfix";
	socket_mode = 0660;
	pidfile = "$PS_TMP/run/policyd.pid";
	spf = { skip_addresses = [ "127.0.0.1" ]; };
	${4:-}
};
CONF
	chmod 644 "$1"
}

# start_policyd CONF LOG: foreground daemon; sets POLICYD_PID.
# POLICYD_WRAPPER (e.g. "valgrind ...", see scripts/valgrind) runs it under
# a tool; POLICYD_DNS_TIMEOUT (default 2 s) gives a slowed-down daemon time.
start_policyd() {
	${POLICYD_WRAPPER:-} "$POLICYD" -f -c "$1" >"$2.out" 2>"$2" &
	POLICYD_PID=$!
	ps_register_pid "$POLICYD_PID"
}

CLIENT=$PS_TMP/client.py
cat >"$CLIENT" <<'PY'
import socket, sys, threading, time

def connect(addr):
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    s.settimeout(20)
    return s

def request(ip, helo, sender, instance="i1", extra=""):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\n"
            "protocol_name=ESMTP\nclient_address=%s\nclient_name=unknown\n"
            "helo_name=%s\nsender=%s\nrecipient=rcpt@mx.policyd.test\n"
            "instance=%s\nqueue_id=\n%s\n" % (ip, helo, sender, instance,
            extra)).encode()

def answer(s):
    buf = b""
    while not buf.endswith(b"\n\n"):
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    return buf.decode()

def ask(s, *a):
    s.sendall(request(*a))
    r = answer(s)
    if r is None:
        return "CLOSED"
    assert r.startswith("action=") and r.count("\n") == 2, repr(r)
    return r[len("action="):-2]

def cmd_ask(addr, *a):
    # one connection, each argument group "ip,helo,sender,instance"
    s = connect(addr)
    for q in a:
        print(ask(s, *q.split(",")))

def closed_without_reply(s):
    try:
        return s.recv(65536) == b""
    except ConnectionResetError:
        return True

def cmd_bad(addr, kind):
    good = connect(addr)
    print("before", ask(good, "192.0.2.10", "mx.pass.test", "a@pass.test", kind + "g1"))
    bad = connect(addr)
    req = request("192.0.2.10", "mx.pass.test", "a@pass.test", "b1")
    if kind == "longline":
        payload = b"request=smtpd_access_policy\nsender=" + b"x" * (1 << 20) + b"\n\n"
    elif kind == "attrs":
        payload = b"request=smtpd_access_policy\n" + b"".join(
            b"a%d=v\n" % i for i in range(10000)) + b"\n"
    elif kind == "nul":
        payload = req.replace(b"sender=a", b"sender=\0a")
    elif kind == "garbage":
        payload = bytes(range(1, 256)) * 4 + b"\n\n"
    elif kind == "norequest":
        payload = b"sender=a@pass.test\nclient_address=1.2.3.4\n\n"
    elif kind == "midrequest":
        bad.sendall(req[:40])
        bad.close()
        payload = None
    if payload is not None:
        try:
            bad.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        print("bad", "closed" if closed_without_reply(bad) else "ANSWERED")
    print("after", ask(good, "192.0.2.10", "mx.pass.test", "a@pass.test", kind + "g2"))
    fresh = connect(addr)
    print("fresh", ask(fresh, "192.0.2.10", "mx.pass.test", "a@pass.test", kind + "g3"))

def cmd_many(addr, n):
    n = int(n)
    socks = [connect(addr) for _ in range(n)]
    results = [None] * n
    def one(i):
        try:
            results[i] = ask(socks[i], "192.0.2.10", "mx.pass.test",
                             "a%d@pass.test" % i, "m%d" % i)
        except Exception as e:
            results[i] = "ERROR %r" % e
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    ok = sum(1 for r in results if r and r.startswith("PREPEND Received-SPF: pass"))
    print("answered", ok)
    bad = [r for r in results if not (r and r.startswith("PREPEND"))]
    if bad:
        print("first-bad", bad[0])

def cmd_bound(addr):
    # max_connections = 2: a third connection is closed at once
    a, b = connect(addr), connect(addr)
    print("a", ask(a, "192.0.2.10", "mx.pass.test", "a@pass.test", "bd1"))
    print("b", ask(b, "192.0.2.10", "mx.pass.test", "b@pass.test", "bd2"))
    c = connect(addr)
    print("c", "closed" if closed_without_reply(c) else "open")
    a.close()
    for _ in range(50):
        time.sleep(0.1)
        d = connect(addr)
        r = ask(d, "192.0.2.10", "mx.pass.test", "d@pass.test", "bd3")
        if r != "CLOSED":
            break
    print("d", r)

globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
PY
client() { /usr/bin/python3 "$CLIENT" "$@"; }

# expect_ask ADDR "ip,helo,sender,instance" PREFIX
expect_ask() {
	local got
	got=$(client ask "$1" "$2" 2>&1)
	case $got in
	"$3"*) ;;
	*) ps_fail "request $2: got '$got', want '$3...'" ;;
	esac
	LAST=$got
}

wait_for() {	# wait_for CMD...: up to 10 s
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
port_open() { /usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; }

echo "== inet listener"
PORT=$(ps_free_port)
write_conf "$PS_TMP/inet.conf" "inet:127.0.0.1:$PORT" "$DNS_PORT"
"$POLICYD" -n -c "$PS_TMP/inet.conf" | grep -qx "configuration OK" ||
	ps_fail "-n does not accept the test config"
start_policyd "$PS_TMP/inet.conf" "$PS_TMP/inet.log"
wait_for port_open "$PORT" || { cat "$PS_TMP/inet.log" >&2; ps_fail "policyd did not listen"; }
A=127.0.0.1:$PORT

expect_ask "$A" "192.0.2.10,mx.pass.test,bob@pass.test,p1" "PREPEND Received-SPF: pass"
echo "$LAST" | grep -qF 'identity=mailfrom;' || ps_fail "no identity=: $LAST"
echo "$LAST" | grep -qF 'envelope-from="bob@pass.test";' || ps_fail "no envelope-from: $LAST"
echo "$LAST" | grep -qF 'client-ip=192.0.2.10;' || ps_fail "no client-ip: $LAST"
echo "$LAST" | grep -qF 'receiver=mx.policyd.test;' || ps_fail "no receiver: $LAST"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@fail.test,f1" "550 5.7.23 SPF fail for bob@fail.test"
expect_ask "$A" "192.0.2.10,badhelo.fail.test,bob@pass.test,h1" "550 5.7.23 SPF fail for badhelo.fail.test"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@soft.test,s1" "PREPEND Received-SPF: softfail"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@perm.test,e1" "PREPEND Received-SPF: permerror"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@none.pass.test,n1" "PREPEND Received-SPF: none"
expect_ask "$A" "127.0.0.1,mx.pass.test,bob@fail.test,k1" "DUNNO"
expect_ask "$A" "192.0.2.10,mx.pass.test,,z1" "PREPEND Received-SPF: pass"
echo "$LAST" | grep -qF 'identity=helo;' || ps_fail "null sender is not the HELO identity: $LAST"

echo "== DMARC-aware fail"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@dmarc.test,d1" "PREPEND Received-SPF: fail"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@sub.dmarc.test,d2" "PREPEND Received-SPF: fail"
ps_assert_contains "$PS_TMP/inet.log" "publishes DMARC"

echo "== one header per message"
out=$(client ask "$A" "192.0.2.10,mx.pass.test,bob@pass.test,two" \
	"192.0.2.10,mx.pass.test,bob@pass.test,two")
[ "$(echo "$out" | sed -n 1p | cut -c1-21)" = "PREPEND Received-SPF:" ] &&
	[ "$(echo "$out" | sed -n 2p)" = "DUNNO" ] ||
	ps_fail "second RCPT of a message: $out"

echo "== bad input closes only that connection"
for kind in longline attrs nul garbage norequest midrequest; do
	out=$(client bad "$A" "$kind" 2>&1) || ps_fail "$kind: client failed: $out"
	echo "$out" | grep -q '^bad ANSWERED' && ps_fail "$kind: got a reply"
	[ "$(echo "$out" | grep -c 'PREPEND Received-SPF: pass')" = 3 ] ||
		ps_fail "$kind: other connections not served: $out"
done
ps_assert_contains "$PS_TMP/inet.log" 'event=bad-request'
ps_assert_contains "$PS_TMP/inet.log" 'reason="line longer than 4096 bytes"'
ps_assert_contains "$PS_TMP/inet.log" 'reason="NUL byte in request"'
ps_assert_contains "$PS_TMP/inet.log" 'reason="no request= attribute"'
ps_assert_contains "$PS_TMP/inet.log" 'closed in the middle of a request'
kill -0 "$POLICYD_PID" || ps_fail "policyd died on bad input"

echo "== 500 concurrent connections"
out=$(client many "$A" 500 2>&1)
echo "$out" | grep -qx "answered 500" || ps_fail "concurrency: $out"

echo "== reload and shutdown"
sed -i 's/authserv_id = "mx.policyd.test"/authserv_id = "reloaded.policyd.test"/' "$PS_TMP/inet.conf"
kill -HUP "$POLICYD_PID"
wait_for grep -q 'event=reload result=ok' "$PS_TMP/inet.log" || ps_fail "no reload"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@pass.test,r1" "PREPEND Received-SPF: pass (reloaded.policyd.test:"
echo 'broken = ;' >>"$PS_TMP/inet.conf"
kill -HUP "$POLICYD_PID"
wait_for grep -q 'event=reload result=fail' "$PS_TMP/inet.log" || ps_fail "bad reload not reported"
expect_ask "$A" "192.0.2.10,mx.pass.test,bob@pass.test,r2" "PREPEND Received-SPF: pass (reloaded.policyd.test:"
[ -s "$PS_TMP/run/policyd.pid" ] || ps_fail "no pidfile"
kill -TERM "$POLICYD_PID"
wait_for eval '! kill -0 $POLICYD_PID 2>/dev/null' || ps_fail "policyd ignores SIGTERM"
wait "$POLICYD_PID"; rc=$?
[ "$rc" = 0 ] || ps_fail "exit status $rc after SIGTERM"
[ -e "$PS_TMP/run/policyd.pid" ] && ps_fail "pidfile left behind"
[ -s "$PS_TMP/inet.log.out" ] && ps_fail "policyd wrote to stdout"

echo "== unix listener"
SOCK=$PS_TMP/run/policy.sock
write_conf "$PS_TMP/unix.conf" "unix:$SOCK" "$DNS_PORT"
/usr/bin/python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$SOCK"
start_policyd "$PS_TMP/unix.conf" "$PS_TMP/unix.log"
wait_for test -S "$SOCK" || ps_fail "no unix socket"
wait_for grep -q 'event=start' "$PS_TMP/unix.log" || { cat "$PS_TMP/unix.log" >&2; ps_fail "stale socket not replaced"; }
[ "$(stat -c '%a %G' "$SOCK")" = "660 postfix" ] ||
	ps_fail "socket mode/group: $(stat -c '%a %G' "$SOCK")"
expect_ask "$SOCK" "192.0.2.10,mx.pass.test,bob@fail.test,u1" "550 5.7.23"
# A second daemon on the same socket must refuse, not steal it.
"$POLICYD" -f -c "$PS_TMP/unix.conf" 2>"$PS_TMP/unix2.log" && ps_fail "second daemon started"
ps_assert_contains "$PS_TMP/unix2.log" "in use"
kill -TERM "$POLICYD_PID"
wait_for eval '! test -e "$SOCK"' || ps_fail "unix socket left behind"

echo "== resolver that never answers: temperror"
ps_start_blackhole
PORT=$(ps_free_port)
write_conf "$PS_TMP/temp.conf" "inet:127.0.0.1:$PORT" "$BLACKHOLE_PORT"
sed -i 's/timeout = [0-9]*;/timeout = 1;/' "$PS_TMP/temp.conf"
start_policyd "$PS_TMP/temp.conf" "$PS_TMP/temp.log"
wait_for port_open "$PORT" || ps_fail "policyd (blackhole) did not listen"
expect_ask "127.0.0.1:$PORT" "192.0.2.10,mx.pass.test,bob@pass.test,t1" "DEFER_IF_PERMIT 4.7.24 SPF temperror"
kill -TERM "$POLICYD_PID"

echo "== connection bound, daemon mode"
PORT=$(ps_free_port)
write_conf "$PS_TMP/bound.conf" "inet:127.0.0.1:$PORT" "$DNS_PORT" "max_connections = 2;"
"$POLICYD" -c "$PS_TMP/bound.conf" >"$PS_TMP/bound.out" 2>&1 || ps_fail "daemon mode did not start"
wait_for test -s "$PS_TMP/run/policyd.pid" || ps_fail "daemon mode: no pidfile"
DPID=$(cat "$PS_TMP/run/policyd.pid")
ps_register_pid "$DPID"
[ "$(ps -o user= -p "$DPID")" = nobody ] || ps_fail "daemon runs as $(ps -o user= -p "$DPID")"
wait_for port_open "$PORT" || ps_fail "daemon mode does not listen"
out=$(client bound "127.0.0.1:$PORT" 2>&1)
echo "$out" | grep -qx "c closed" || ps_fail "connection over the bound: $out"
echo "$out" | grep -q "^d PREPEND Received-SPF: pass" || ps_fail "no answer after a slot was freed: $out"
kill -TERM "$DPID"
wait_for eval '! kill -0 $DPID 2>/dev/null' || ps_fail "daemon ignores SIGTERM"
[ -e "$PS_TMP/run/policyd.pid" ] && ps_fail "daemon left its pidfile"
[ -s "$PS_TMP/bound.out" ] && ps_fail "daemon mode wrote to the terminal: $(cat "$PS_TMP/bound.out")"

echo "== --stdio (spawn mode)"
/usr/bin/python3 -c '
import sys
def r(ip, helo, sender, inst):
    return ("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=%s\n"
            "helo_name=%s\nsender=%s\ninstance=%s\n\n" % (ip, helo, sender, inst))
sys.stdout.write(r("192.0.2.10", "mx.pass.test", "bob@pass.test", "s1"))
sys.stdout.write(r("192.0.2.10", "mx.pass.test", "bob@fail.test", "s2"))
' >"$PS_TMP/stdio.in"
timeout 30 "$POLICYD" --stdio -c "$PS_TMP/missing.conf" <"$PS_TMP/stdio.in" \
	>"$PS_TMP/stdio.out" 2>"$PS_TMP/stdio.err" && ps_fail "--stdio accepted a missing config"
[ -s "$PS_TMP/stdio.out" ] && ps_fail "--stdio wrote to stdout on a config error"
[ -s "$PS_TMP/stdio.err" ] && ps_fail "--stdio wrote to stderr on a config error"
write_conf "$PS_TMP/stdio.conf" "inet:127.0.0.1:1" "$DNS_PORT"
timeout 60 ${POLICYD_WRAPPER:-} "$POLICYD" --stdio -c "$PS_TMP/stdio.conf" <"$PS_TMP/stdio.in" \
	>"$PS_TMP/stdio.out" 2>"$PS_TMP/stdio.err" || ps_fail "--stdio exit status $?"
[ -s "$PS_TMP/stdio.err" ] && ps_fail "--stdio wrote to stderr: $(cat "$PS_TMP/stdio.err")"
[ "$(grep -c . "$PS_TMP/stdio.out")" = 2 ] || ps_fail "--stdio output: $(cat "$PS_TMP/stdio.out")"
sed -n 1p "$PS_TMP/stdio.out" | grep -q '^action=PREPEND Received-SPF: pass' || ps_fail "--stdio pass"
sed -n 3p "$PS_TMP/stdio.out" | grep -q '^action=550 5.7.23' || ps_fail "--stdio fail"
grep -v '^action=' "$PS_TMP/stdio.out" | grep -q . && ps_fail "--stdio printed something else"

echo "PASS"
