#!/usr/bin/env bash
# Header injection: hostile values from the SMTP client (MAIL FROM, HELO,
# DKIM-Signature tags) and from DNS (an SPF exp= explanation with macros
# and control bytes) go through a private Postfix with postseal-milter and
# postseal-policyd wired in.  Each delivered message must carry exactly one
# Authentication-Results header of ours and one Received-SPF, both
# syntactically valid (RFC 8601 / RFC 7208 9.1, checked by a parser written
# here), and no injected header line; each SMTP reply stays one line.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"

POLICYD=$BINDIR/policyd/postseal-policyd
[ -x "$POLICYD" ] || ps_fail "$POLICYD not built"
ps_tmpdir
chmod 755 "$PS_TMP"

zone() {	# zone ORIGIN RECORD...
	local f=$PS_TMP/$1.zone
	ps_write_zone "$f" "$1"
	shift
	printf '%s\n' "$@" >>"$f"
}
# soft.test: softfail, so policyd prepends and the message goes through.
# evil.test: fail with an explanation that expands the local part and
# carries CR, LF, a NUL-free control byte, quotes and parentheses
# (unbound's \DDD escapes are decimal: \013 CR, \010 LF, \001).
zone soft.test '@ TXT "v=spf1 ip4:198.51.100.1 ~all"'
zone evil.test '@ TXT "v=spf1 ip4:198.51.100.1 exp=exp.%{d} -all"' \
	'exp TXT "%{l} refused\013\010X-Evil: 1\013\010\001(\"x\") \\\\ ; end"'
# exp.test: an explanation that is valid but hostile once %{l} is expanded.
zone exp.test '@ TXT "v=spf1 ip4:198.51.100.1 exp=why.%{d} -all"' \
	'why TXT "%{l} refused (\"x\") \\\\ ; X-Evil: 1 %{s}"'
ps_start_dns "$PS_TMP/soft.test.zone" "$PS_TMP/evil.test.zone" "$PS_TMP/exp.test.zone"

msock=$PS_TMP/milter.sock
PPORT=$(ps_free_port)
cat >"$PS_TMP/postseal.conf" <<CONF
user = "nobody";
authserv_id = "mx.postseal.test";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
milter = {
  socket = "unix:$msock";
  socket_group = "postfix";
  socket_mode = 0660;
  internal_hosts = [ "127.0.0.1" ];
  dmarc = { history = ""; };
};
policyd = {
  socket = "inet:127.0.0.1:$PPORT";
  spf = { skip_addresses = [ "127.0.0.1" ]; helo_fail = "prepend"; };
};
CONF
chmod 644 "$PS_TMP/postseal.conf"
ps_milter_start "$PS_TMP/postseal.conf"
${POLICYD_WRAPPER:-} "$POLICYD" -f -c "$PS_TMP/postseal.conf" >"$PS_TMP/policyd.out" 2>"$PS_TMP/policyd.log" &
POLICYD_PID=$!
ps_register_pid "$POLICYD_PID"
ps_wait_port "$PPORT" || { cat "$PS_TMP/policyd.log" >&2; ps_fail "policyd did not start"; }

ps_sink_start
ps_postfix_start "relay_domains = dest.example" \
	"smtpd_milters = unix:$msock" "milter_protocol = 6" \
	"milter_default_action = tempfail" \
	"smtpd_recipient_restrictions = reject_unauth_destination, check_policy_service inet:127.0.0.1:$PPORT"

# The checker: the header section of a delivered message, and the values
# of our A-R and of Received-SPF, parsed by the grammar of the RFCs.
CHECK=$PS_TMP/check.py
cat >"$CHECK" <<'PY'
import re, sys

TSPECIALS = set('()<>@,;:\\"/[]?=')
ATOM_BAD = set('()<>@,;:\\"[]')

class Bad(Exception):
    pass

def cfws(s, i):
    while i < len(s):
        if s[i] in " \t":
            i += 1
        elif s[i] == "(":
            depth = 0
            while True:
                if i >= len(s):
                    raise Bad("unclosed comment")
                c = s[i]
                if c == "\\":
                    i += 1
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
        else:
            break
    return i

def value(s, i, bad):
    if i < len(s) and s[i] == '"':
        i += 1
        while i < len(s) and s[i] != '"':
            i += 2 if s[i] == "\\" else 1
        if i >= len(s):
            raise Bad("unclosed quoted string")
        return i + 1
    j = i
    while j < len(s) and ord(s[j]) > 32 and ord(s[j]) != 127 and s[j] not in bad:
        j += 1
    if j == i:
        raise Bad("empty value at %r" % s[i:i + 20])
    return j

def keyword(s, i):
    m = re.compile(r"[A-Za-z0-9_.-]+").match(s, i)
    if not m:
        raise Bad("keyword expected at %r" % s[i:i + 20])
    return m.end()

def equals(s, i):
    i = cfws(s, i)
    if i >= len(s) or s[i] != "=":
        raise Bad("'=' expected at %r" % s[i:i + 20])
    return cfws(s, i + 1)

def authres(s):
    """RFC 8601: authserv-id [version] ( none / 1*( ";" resinfo ) )."""
    i = value(s, cfws(s, 0), TSPECIALS)
    i = cfws(s, i)
    if s[i:].strip() == "none":
        return 0
    n = 0
    while i < len(s) and s[i] == ";":
        i = cfws(s, i + 1)
        i = keyword(s, equals(s, keyword(s, i)))
        i = cfws(s, i)
        while i < len(s) and s[i] != ";":
            i = value(s, equals(s, keyword(s, i)), TSPECIALS - set("@."))
            i = cfws(s, i)
        n += 1
    if i != len(s):
        raise Bad("junk at %r" % s[i:i + 20])
    return n

def received_spf(s):
    """RFC 7208 9.1: result [comment] *( key "=" (dot-atom / quoted) ";" )."""
    i = cfws(s, keyword(s, cfws(s, 0)))
    n = 0
    while i < len(s):
        i = cfws(s, value(s, equals(s, keyword(s, i)), ATOM_BAD))
        if i < len(s) and s[i] == ";":
            i = cfws(s, i + 1)
        n += 1
    return n

def headers(path):
    data = open(path, "rb").read().decode("utf-8", "surrogateescape")
    head = data.split("\r\n\r\n", 1)[0].split("\n\n", 1)[0]
    fields = []
    for line in head.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1][1] += " " + line.strip(" \t")
        elif re.match(r"[!-9;-~]+:", line):
            name, v = line.split(":", 1)
            fields.append([name, v.strip(" \t")])
        else:
            raise Bad("not a header line: %r" % line[:80])
    return fields

def main(path, our_id):
    fields = headers(path)
    evil = [f for f in fields if f[0].lower().startswith("x-evil")]
    if evil:
        raise Bad("injected header: %r" % evil)
    ours = [v for n, v in fields if n.lower() == "authentication-results"
            and re.match(r"\s*" + re.escape(our_id) + r"\s*;", v)]
    if len(ours) != 1:
        raise Bad("%d A-R headers of ours" % len(ours))
    rspf = [v for n, v in fields if n.lower() == "received-spf"]
    if len(rspf) != 1:
        raise Bad("%d Received-SPF headers" % len(rspf))
    for v in ours + rspf:
        if any(ord(c) < 32 and c != "\t" or ord(c) == 127 for c in v):
            raise Bad("control character in %r" % v)
    print("A-R results: %d; Received-SPF pairs: %d" %
          (authres(ours[0]), received_spf(rspf[0])))
    print("A-R: " + ours[0])
    print("Received-SPF: " + rspf[0])

if __name__ == "__main__":
    if sys.argv[1] == "selftest":
        good = ["mx; spf=pass smtp.mailfrom=a@b.example",
                'mx; dkim=fail reason="a\\"b" header.d="x;y"']
        bad = ["mx; spf=pass\nX-Evil: 1", 'mx; spf=pass smtp.mailfrom="a',
               "mx; spf=pass header.d=a;b", "mx spf=pass", "mx; spf pass"]
        for s in good:
            authres(s)
        for s in bad:
            try:
                authres(s)
            except Bad:
                continue
            sys.exit("checker accepts %r" % s)
        print("selftest ok")
        sys.exit(0)
    try:
        main(sys.argv[1], sys.argv[2])
    except Bad as e:
        sys.exit("FAIL %s: %s" % (sys.argv[1], e))
PY
/usr/bin/python3 "$CHECK" selftest >/dev/null || ps_fail "the header checker does not catch broken headers"

n=0
# send NAME FILE [swaks options...]: deliver, leave the sink copy in $OUT.
send() {
	local name=$1 file=$2; shift 2
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--to user@dest.example --data "@$file" "$@" \
		>"$PS_TMP/swaks.$name.log" 2>&1 ||
		{ cat "$PS_TMP/swaks.$name.log" "$PS_TMP/milter.log" >&2; ps_fail "$name: refused"; }
	n=$((n + 1))
	ps_wait_sink "$n" || { tail -n 30 "$PF_DIR/maillog" >&2; ps_fail "$name: not delivered"; }
	OUT=$(ps_sink_messages | tail -n 1)
	/usr/bin/python3 "$CHECK" "$OUT" mx.postseal.test >"$PS_TMP/check.$name" 2>&1 ||
		{ cat "$PS_TMP/check.$name" "$OUT" >&2; ps_fail "$name: headers broken"; }
	grep -qi '^X-Evil' "$OUT" && ps_fail "$name: injected header line in $OUT"
	return 0
}

message() {  # message FILE [EXTRA_HEADER_LINES]
	printf '%sFrom: Sender <news@soft.test>\r\nTo: user@dest.example\r\nSubject: hostile %s\r\nMessage-ID: <%s.%s@postseal.test>\r\n\r\nHello.\r\n' \
		"${2:-}" "$n" "$RANDOM" "$n" >"$1"
}

echo "== hostile MAIL FROM and HELO"
message "$PS_TMP/m1.eml"
send quoted "$PS_TMP/m1.eml" --from '"a;b(c)\"d\\e=?x?="@soft.test' \
	--helo 'evil;(x)"y\z)'
ps_assert_contains "$PS_TMP/check.quoted" "Received-SPF: softfail"
ps_assert_contains "$PS_TMP/check.quoted" "spf=softfail"
long=$(head -c 200 /dev/zero | tr '\0' 'x')
message "$PS_TMP/m2.eml"
send long "$PS_TMP/m2.eml" --from "\"$long(\\\"\\;\"@soft.test" \
	--helo "h$(head -c 240 /dev/zero | tr '\0' '(')"
ps_assert_contains "$PS_TMP/check.long" "spf="

echo "== hostile DKIM-Signature tags (CRLF + text arrives as folding)"
sig1=$'DKIM-Signature: v=1; a=rsa-sha256; d=evil.example\r\n X-Evil: 1; s=sel\r\n X-Evil: 2";(; h=from; bh=YWJj; b=YWJj\r\n'
sig2=$'DKIM-Signature: v=1; a=rsa-sha256; d=x";dkim=pass header.d=bank.example; s=a\\"b(; h=from; bh=YWJj; b=YWJj\r\n'
sig3=$'DKIM-Signature: v=1; a=rsa-sha256; d=soft.test; s=\r\n\tX-Evil:\r\n\t3; h=from; bh=YWJj; b=YWJj\r\n'
message "$PS_TMP/m3.eml" "$sig1$sig2$sig3"
send dkim "$PS_TMP/m3.eml" --from news@soft.test --helo mx.soft.test
[ "$(grep -o 'dkim=' "$PS_TMP/check.dkim" | wc -l)" -ge 3 ] ||
	{ cat "$PS_TMP/check.dkim" >&2; ps_fail "not one dkim= result per hostile signature"; }
ps_assert_not_contains "$PS_TMP/check.dkim" "dkim=pass"
ps_assert_not_contains "$PS_TMP/check.dkim" "header.d=bank.example"

echo "== hostile SPF explanations from DNS in the reject reply"
# reject NAME SENDER: the sender is refused with one 550 reply line, left
# in $PS_TMP/NAME.reply, free of control bytes.
reject() {
	message "$PS_TMP/$1.eml"
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--to user@dest.example --from "$2" --helo mx.soft.test \
		--data "@$PS_TMP/$1.eml" >"$PS_TMP/swaks.$1.log" 2>&1 &&
		ps_fail "$1: SPF fail was not rejected"
	grep -a '^<\*\*' "$PS_TMP/swaks.$1.log" >"$PS_TMP/$1.reply"
	[ "$(grep -c '^<\*\* 550 5.7.23 ' "$PS_TMP/$1.reply")" = 1 ] &&
		[ "$(wc -l <"$PS_TMP/$1.reply")" = 1 ] ||
		{ cat "$PS_TMP/swaks.$1.log" >&2; ps_fail "$1: the reject is not one 550 reply line"; }
	ps_assert_contains "$PS_TMP/$1.reply" "SPF fail for"
	LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\r\n' <"$PS_TMP/$1.reply") &&
		ps_fail "$1: control bytes in the reply: $(cat -A "$PS_TMP/$1.reply")"
	return 0
}
# Control bytes make the explanation invalid (RFC 7208 6.2): not used.
reject ctl '"x\"y\\z(X-Evil: 0)"@evil.test'
# (libspf2 uses such an explanation anyway, cleaned of the control bytes;
# the reply is still one clean line, checked above.)
grep -q '^POSTSEAL_SPF:STRING=libspf2' "$BINDIR/CMakeCache.txt" 2>/dev/null ||
	ps_assert_not_contains "$PS_TMP/ctl.reply" "refused"
# A valid one, hostile after expansion: used, still one clean line.
reject exp '"q\"u;o(t)e"@exp.test'
ps_assert_contains "$PS_TMP/exp.reply" "refused"
ps_assert_contains "$PS_TMP/exp.reply" "X-Evil: 1"

echo "== the daemons serve on"
message "$PS_TMP/m5.eml"
send after "$PS_TMP/m5.eml" --from news@soft.test --helo mx.soft.test
kill -0 "$MILTER_PID" || ps_fail "the milter died"
kill -0 "$POLICYD_PID" || ps_fail "policyd died"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$PS_TMP/milter.log" "$PS_TMP/policyd.log"; then
	cat "$PS_TMP/milter.log" "$PS_TMP/policyd.log" >&2
	ps_fail "sanitizer report"
fi
echo "header injection: all checks passed"
