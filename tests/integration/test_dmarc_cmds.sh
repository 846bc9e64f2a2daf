#!/usr/bin/env bash
# postseal dmarc and postseal dmarc-report against a real local unbound:
# PSL and tree-walk discovery at different levels, psd=n / psd=y, a long
# name costing at most 8 queries, np for a non-existent name, a temporary
# failure (black hole) that is never "no policy"; then aggregate reports
# from a history database, gzip, RFC 9990 schema, rua authorisation, and
# the mail handed to sendmail.
set -u
. "$SRCDIR/tests/integration/common.sh"

ps_tmpdir
PY=/usr/bin/python3
XSD=$SRCDIR/tests/data/dmarc/rfc9990.xsd
command -v xmllint >/dev/null || ps_fail "xmllint missing (apt-get install libxml2-utils)"

ps_write_zone "$PS_TMP/example.zone" example
cat >>"$PS_TMP/example.zone" <<'ZONE'
_dmarc	IN TXT "v=DMARC1; p=none; np=reject; psd=y"
org1	IN A 127.0.0.1
_dmarc.org1	IN TXT "v=DMARC1; p=reject; sp=quarantine; " "rua=mailto:agg@org1.example,mailto:ext@reports.example,mailto:x@unauth.example"
a.b.org1	IN A 127.0.0.1
_dmarc.org2	IN TXT "v=DMARC1; p=reject"
_dmarc.dept.org2	IN TXT "v=DMARC1; p=quarantine; psd=n"
x.dept.org2	IN A 127.0.0.1
_dmarc.two	IN TXT "v=DMARC1; p=reject"
_dmarc.two	IN TXT "v=DMARC1; p=none"
shop	IN A 127.0.0.1
org1.example._report._dmarc.reports	IN TXT "v=DMARC1"
ZONE
ps_start_dns "$PS_TMP/example.zone"

conf() {	# conf FILE NAMESERVER TIMEOUT
	cat >"$1" <<CONF
authserv_id = "mx.receiver.test";
dns = { nameservers = [ "$2" ]; timeout = $3; };
CONF
}
conf "$PS_TMP/ok.conf" "127.0.0.1@$DNS_PORT" 2

run() {		# run NAME EXPECTED-EXIT ARGS...: output in $PS_TMP/NAME.out
	local name=$1 want=$2 rc
	shift 2
	"$POSTSEAL" "$@" >"$PS_TMP/$name.out" 2>"$PS_TMP/$name.err"
	rc=$?
	[ "$rc" = "$want" ] || { cat "$PS_TMP/$name.out" "$PS_TMP/$name.err" >&2
		ps_fail "$name: exit $rc, want $want"; }
}
queries() { grep -c '^query: ' "$PS_TMP/$1.out"; }

# Tree walk: the subdomain inherits the organizational domain's sp.
run walk 0 dmarc -c "$PS_TMP/ok.conf" --treewalk a.b.org1.example
ps_assert_contains "$PS_TMP/walk.out" "policy-domain: org1.example"
ps_assert_contains "$PS_TMP/walk.out" "org-domain: org1.example"
ps_assert_contains "$PS_TMP/walk.out" "effective-policy: quarantine (sp=)"
ps_assert_contains "$PS_TMP/walk.out" "exists: yes"
ps_assert_contains "$PS_TMP/walk.out" "tag p: reject"
ps_assert_contains "$PS_TMP/walk.out" "tag adkim: r (default)"
ps_assert_contains "$PS_TMP/walk.out" "tag rua: mailto:ext@reports.example"
ps_assert_contains "$PS_TMP/walk.out" "query: _dmarc.a.b.org1.example TXT nxdomain"
ps_assert_contains "$PS_TMP/walk.out" "query: _dmarc.example TXT ok dmarc-records=1"

# PSL mode: the author domain, then the organizational domain only.
run psl 0 dmarc -c "$PS_TMP/ok.conf" --psl a.b.org1.example
[ "$(queries psl)" = 2 ] || ps_fail "psl: $(queries psl) queries, want 2"
ps_assert_contains "$PS_TMP/psl.out" "discovery: psl"
ps_assert_contains "$PS_TMP/psl.out" "query: _dmarc.org1.example TXT ok"
ps_assert_contains "$PS_TMP/psl.out" "policy-domain: org1.example"

# psd=n marks the organizational domain and ends the walk.
run psdn 0 dmarc -c "$PS_TMP/ok.conf" x.dept.org2.example
ps_assert_contains "$PS_TMP/psdn.out" "org-domain: dept.org2.example"
ps_assert_contains "$PS_TMP/psdn.out" "effective-policy: quarantine (p=)"
[ "$(queries psdn)" = 2 ] || ps_fail "psd=n: $(queries psdn) queries"

# 10 labels: at most 8 queries, jumping to the last 7 labels.
run long 0 dmarc -c "$PS_TMP/ok.conf" a.b.c.d.e.f.g.h.org1.example
[ "$(queries long)" -le 8 ] || ps_fail "long name: $(queries long) queries"
ps_assert_contains "$PS_TMP/long.out" "query: _dmarc.d.e.f.g.h.org1.example TXT"
ps_assert_contains "$PS_TMP/long.out" "policy-domain: org1.example"

# Only the public suffix publishes (psd=y): np for a name that does not exist.
run np 0 dmarc -c "$PS_TMP/ok.conf" nx.shop.example
ps_assert_contains "$PS_TMP/np.out" "policy-domain: example"
ps_assert_contains "$PS_TMP/np.out" "org-domain: shop.example"
ps_assert_contains "$PS_TMP/np.out" "exists: no"
ps_assert_contains "$PS_TMP/np.out" "effective-policy: reject (np=)"

# Two DMARC records at one name: none there, the PSD record applies.
run two 0 dmarc -c "$PS_TMP/ok.conf" two.example
ps_assert_contains "$PS_TMP/two.out" "dmarc-records=2 2 DMARC records: all discarded"
ps_assert_contains "$PS_TMP/two.out" "policy-domain: example"

# No record at all (PSL mode never asks the suffix): exit 1.
run none 1 dmarc -c "$PS_TMP/ok.conf" --psl none.example
ps_assert_contains "$PS_TMP/none.out" "result: none"

# A name server that never answers: temperror, not "none".
ps_start_blackhole
conf "$PS_TMP/bh.conf" "127.0.0.1@$BLACKHOLE_PORT" 1
run temp 1 dmarc -c "$PS_TMP/bh.conf" org1.example
ps_assert_contains "$PS_TMP/temp.out" "result: temperror"
ps_assert_not_contains "$PS_TMP/temp.out" "result: none"

run usage 2 dmarc
run baddomain 2 dmarc -c "$PS_TMP/ok.conf" "bad..name"

# ---- dmarc-report ----
DB=$PS_TMP/history.db
mkdir "$PS_TMP/out"
DAY=$(( $(date -u +%s) / 86400 * 86400 - 86400 ))	# yesterday, UTC
run empty 0 dmarc-report -c "$PS_TMP/ok.conf" --db "$DB" --out "$PS_TMP/out"
[ -z "$(ls "$PS_TMP/out")" ] || ps_fail "report written without rows"

$PY - "$DB" "$DAY" <<'PY' || ps_fail "cannot fill the history"
import sqlite3, sys
db, day = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
cols = ("time source_ip header_from envelope_from envelope_to spf_domain"
        " spf_scope spf_result dkim policy_domain discovery p sp np adkim"
        " aspf pct testing fo rua disposition dmarc_dkim dmarc_spf override"
        " reason").split()
rua = "mailto:agg@org1.example,mailto:ext@reports.example,mailto:x@unauth.example"
def row(t, ip, hfrom, efrom, disp, dkim, ddkim, override=""):
    v = dict(time=t, source_ip=ip, header_from=hfrom, envelope_from=efrom,
             envelope_to="receiver.test", spf_domain="org1.example",
             spf_scope="mfrom", spf_result="fail", dkim=dkim,
             policy_domain="org1.example", discovery="treewalk", p="reject",
             sp="quarantine", np="", adkim="r", aspf="r", pct=100, testing=0,
             fo="0", rua=rua, disposition=disp, dmarc_dkim=ddkim,
             dmarc_spf="fail", override=override, reason="")
    c.execute("INSERT INTO message (%s) VALUES (%s)" % (",".join(cols),
              ",".join("?" * len(cols))), [v[k] for k in cols])
row(day + 10, "192.0.2.1", "org1.example", "a@org1.example", "reject", "", "fail")
row(day + 20, "192.0.2.1", "org1.example", "b@org1.example", "reject", "", "fail")
row(day + 30, "2001:db8::25", "a.b.org1.example", "", "none",
    "org1.example s1 pass;other.test s%202 fail", "pass")
row(day + 40, "192.0.2.7", "org1.example", "dmarc-noreply@mx.receiver.test",
    "reject", "", "fail")
row(day + 86400 + 5, "192.0.2.1", "org1.example", "a@org1.example", "reject", "", "fail")
c.commit()
PY

cat >"$PS_TMP/sendmail" <<SH
#!/bin/sh
echo "\$*" >>"$PS_TMP/sendmail.args"
cat >>"$PS_TMP/sendmail.mail"
SH
chmod +x "$PS_TMP/sendmail"
run report 0 dmarc-report -c "$PS_TMP/ok.conf" --db "$DB" --out "$PS_TMP/out" \
	--since "$DAY" --until $((DAY + 86400)) --send --sendmail "$PS_TMP/sendmail"
F="$PS_TMP/out/mx.receiver.test!org1.example!$DAY!$((DAY + 86399)).xml.gz"
[ -f "$F" ] || { ls "$PS_TMP/out" >&2; ps_fail "no report file $F"; }
[ "$(ls "$PS_TMP/out" | wc -l)" = 1 ] || ps_fail "one report per domain and day"
ps_assert_contains "$PS_TMP/report.out" "messages=3"
gzip -dc "$F" >"$PS_TMP/report.xml" || ps_fail "not gzip"
xmllint --noout --schema "$XSD" "$PS_TMP/report.xml" 2>"$PS_TMP/xmllint.err" ||
	{ cat "$PS_TMP/xmllint.err" >&2; ps_fail "report does not validate"; }
ps_assert_contains "$PS_TMP/report.xml" "<count>2</count>"
ps_assert_contains "$PS_TMP/report.xml" "<selector>s 2</selector>"
ps_assert_contains "$PS_TMP/report.xml" "<domain>org1.example</domain>"
ps_assert_not_contains "$PS_TMP/report.xml" "192.0.2.7"
ps_assert_contains "$PS_TMP/report.out" "rua: agg@org1.example: authorised"
ps_assert_contains "$PS_TMP/report.out" "rua: ext@reports.example: authorised"
ps_assert_contains "$PS_TMP/report.out" "rua: x@unauth.example: not authorised"
[ "$(wc -l <"$PS_TMP/sendmail.args")" = 2 ] || ps_fail "want 2 mails"
ps_assert_contains "$PS_TMP/sendmail.args" "-t -oi -f dmarc-noreply@mx.receiver.test"
ps_assert_contains "$PS_TMP/sendmail.mail" "Subject: Report Domain: org1.example Submitter: mx.receiver.test"
ps_assert_contains "$PS_TMP/sendmail.mail" "To: ext@reports.example"
ps_assert_not_contains "$PS_TMP/sendmail.mail" "unauth.example"
# The attachment decodes to the same report.
$PY - "$PS_TMP/sendmail.mail" "$F" <<'PY' || ps_fail "attachment differs from the file"
import email, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read().split(b"\nFrom: ")[0])
parts = [p for p in msg.walk() if p.get_content_type() == "application/gzip"]
assert parts and parts[0].get_payload(decode=True) == open(sys.argv[2], "rb").read()
PY

# Two days: two reports; a bad period is a usage error.
rm -f "$PS_TMP/out/"*
run twodays 0 dmarc-report -c "$PS_TMP/ok.conf" --db "$DB" --out "$PS_TMP/out" \
	--since "$DAY" --until $((DAY + 2 * 86400))
[ "$(ls "$PS_TMP/out" | wc -l)" = 2 ] || ps_fail "two days, two reports"
run badperiod 2 dmarc-report -c "$PS_TMP/ok.conf" --db "$DB" --since 20 --until 10
echo "test_dmarc_cmds: ok"
