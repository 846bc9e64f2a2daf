#!/usr/bin/env bash
# DMARC in postseal-milter through a private Postfix and the local DNS:
# aligned DKIM pass -> dmarc=pass; spoofed From of a p=reject domain ->
# 550 5.7.1; p=quarantine -> Postfix hold queue; outbound (internal)
# mail is never evaluated; per-domain exception; DNS that does not answer
# -> dmarc=temperror and no rejection; the history database gives an
# aggregate report that validates against the RFC 9990 schema.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
DKIMDNS="/usr/bin/python3 $SRCDIR/tests/integration/dkim_dns.py"

ps_tmpdir
chmod 755 "$PS_TMP"
keys=$PS_TMP/keys
ps_key example.org s1
ps_write_zone "$PS_TMP/example.org.zone" example.org
{
	cat "$PS_TMP/example.org.keys"
	echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"'
	echo '_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.org"'
} >>"$PS_TMP/example.org.zone"
ps_write_zone "$PS_TMP/example.com.zone" example.com
{
	echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"'
	echo '_dmarc IN TXT "v=DMARC1; p=quarantine"'
} >>"$PS_TMP/example.com.zone"
ps_write_zone "$PS_TMP/example.edu.zone" example.edu
echo '_dmarc IN TXT "v=DMARC1; p=reject"' >>"$PS_TMP/example.edu.zone"
ps_start_dns "$PS_TMP/example.org.zone" "$PS_TMP/example.com.zone" "$PS_TMP/example.edu.zone"

sock=$PS_TMP/milter.sock
# The history belongs to the daemon user (as /var/lib/postseal does).
mkdir -p "$PS_TMP/lib" && chown nobody "$PS_TMP/lib"
write_conf() {  # write_conf NAMESERVER
	cat >"$PS_TMP/postseal.conf" <<CONF
user = "nobody";
authserv_id = "mx.postseal.test";
dns = { nameservers = [ "$1" ]; timeout = 1; };
milter = {
  socket = "unix:$sock";
  socket_group = "postfix";
  internal_hosts = [ "127.0.0.1" ];
  dmarc = { enforce = true; history = "$PS_TMP/lib/dmarc.db";
            no_enforce_domains = [ "example.edu" ]; };
};
CONF
}
write_conf "127.0.0.1@$DNS_PORT"
ps_milter_start "$PS_TMP/postseal.conf"
ps_sink_start
ps_postfix_start "relay_domains = dest.example" \
	"smtpd_milters = unix:$sock" "milter_protocol = 6" "milter_default_action = tempfail"

# send NAME FROM CLIENT [ENVFROM]: send a message, SMTP dialogue in $PS_TMP/NAME.swaks
send() {
	printf 'From: <%s>\r\nTo: user@dest.example\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@postseal.test>\r\n\r\nbody\r\n' \
		"$2" "$1" "$(date -R)" "$1" >"$PS_TMP/$1.eml"
	if [ -n "${5:-}" ]; then
		$DKIMDNS sign "$5" example.org s1 "$PS_TMP/$1.eml" "$PS_TMP/$1.signed" || ps_fail "dkimpy sign"
		mv "$PS_TMP/$1.signed" "$PS_TMP/$1.eml"
	fi
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface "$3" --from "${4:-$2}" \
		--to user@dest.example --data "@$PS_TMP/$1.eml" >"$PS_TMP/$1.swaks" 2>&1
}
queue_id() { sed -n 's/.*Ok: queued as \([0-9A-F]*\).*/\1/p' "$PS_TMP/$1.swaks" | tail -n 1; }
authres_of() {  # authres_of QUEUE_ID: our A-R of the delivered message
	local f
	ps_wait_sink "$2" || ps_fail "message $1 not delivered"
	f=$(grep -l "id $1" "$SINK_DIR"/* | head -n 1)
	[ -n "$f" ] || ps_fail "no delivered message with queue id $1"
	tr -d '\r' <"$f" | awk '/^Authentication-Results: mx.postseal.test/{p=1;print;next} p&&/^[ \t]/{print;next} {p=0}'
}

# 1. Aligned DKIM (and SPF) pass: dmarc=pass.
send pass news@example.org 127.0.0.2 "" "$keys/example.org/s1.key"
authres_of "$(queue_id pass)" 1 >"$PS_TMP/ar.pass"
ps_assert_contains "$PS_TMP/ar.pass" "dmarc=pass header.from=example.org"

# 2. Spoofed p=reject From from a host SPF does not allow: 550 5.7.1.
send spoof ceo@example.org 127.0.0.3
grep -qE '^<[-*~ ]+550 5\.7\.1 Message rejected by the DMARC policy of example\.org' "$PS_TMP/spoof.swaks" ||
	{ cat "$PS_TMP/spoof.swaks" >&2; ps_fail "spoofed p=reject mail not refused with 550 5.7.1"; }

# 3. p=quarantine: accepted into the hold queue.
send quar billing@example.com 127.0.0.3
qid=$(queue_id quar)
[ -n "$qid" ] || { cat "$PS_TMP/quar.swaks" >&2; ps_fail "p=quarantine mail was not accepted"; }
sleep 1
postqueue -c "$PF_CONF" -j | grep "\"queue_id\": \"$qid\"" | grep -q '"queue_name": "hold"' ||
	{ postqueue -c "$PF_CONF" -p >&2; ps_fail "p=quarantine mail $qid is not in the hold queue"; }

# 4. Outbound (internal client 127.0.0.1) with a p=reject From: not evaluated.
send outbound ceo@example.org 127.0.0.1
qid=$(queue_id outbound)
[ -n "$qid" ] || ps_fail "outbound mail was refused"
grep -q "queue_id=$qid event=dmarc" "$PS_TMP/milter.log" && ps_fail "outbound mail was DMARC-evaluated"

# 5. no_enforce_domains: a failing p=reject domain on the list is delivered, dmarc=fail.
send exempt boss@example.edu 127.0.0.3
qid=$(queue_id exempt)
[ -n "$qid" ] || { cat "$PS_TMP/exempt.swaks" >&2; ps_fail "exempted domain was rejected"; }
authres_of "$qid" 3 >"$PS_TMP/ar.exempt"
ps_assert_contains "$PS_TMP/ar.exempt" "dmarc=fail"

# 6. DNS that never answers: dmarc=temperror, the spoof is not rejected.
ps_start_blackhole
kill -TERM "$MILTER_PID"; wait "$MILTER_PID"
write_conf "127.0.0.1@$BLACKHOLE_PORT"
ps_milter_start "$PS_TMP/postseal.conf"
send temp ceo@example.org 127.0.0.3
qid=$(queue_id temp)
[ -n "$qid" ] || { cat "$PS_TMP/temp.swaks" >&2; ps_fail "DNS failure led to a rejection"; }
authres_of "$qid" 4 >"$PS_TMP/ar.temp"
ps_assert_contains "$PS_TMP/ar.temp" "dmarc=temperror"
ps_assert_contains "$PS_TMP/ar.temp" "spf=temperror"

# The database was created by the daemon user, not by root.
[ "$(stat -c %U "$PS_TMP/lib/dmarc.db")" = nobody ] || ps_fail "dmarc.db is not owned by the daemon user"

# 7. The history gives an RFC 9990 report that validates against the schema.
n=$(sqlite3 "$PS_TMP/lib/dmarc.db" 'select count(*) from message' 2>/dev/null || echo 0)
[ "$n" -ge 4 ] || ps_fail "history has $n rows, expected at least 4"
mkdir -p "$PS_TMP/reports"
"$POSTSEAL" dmarc-report -c "$PS_TMP/postseal.conf" --since "$(date -u +%Y-%m-%d)" \
	--until "$(date -u -d tomorrow +%Y-%m-%d)" --out "$PS_TMP/reports" >"$PS_TMP/report.out" 2>&1 ||
	{ cat "$PS_TMP/report.out" >&2; ps_fail "dmarc-report failed"; }
rep=$(ls "$PS_TMP/reports"/mx.postseal.test\!example.org\!*.xml.gz 2>/dev/null | head -n 1)
[ -n "$rep" ] || { ls "$PS_TMP/reports" >&2; cat "$PS_TMP/report.out" >&2; ps_fail "no report for example.org"; }
gzip -dc "$rep" >"$PS_TMP/report.xml"
xmllint --noout --schema "$SRCDIR/tests/data/dmarc/rfc9990.xsd" "$PS_TMP/report.xml" 2>"$PS_TMP/xmllint.err" ||
	{ cat "$PS_TMP/xmllint.err" >&2; ps_fail "aggregate report does not validate"; }
ps_assert_contains "$PS_TMP/report.xml" "<disposition>reject</disposition>"
ps_assert_contains "$PS_TMP/report.xml" "<source_ip>127.0.0.3</source_ip>"
echo "milter dmarc: all checks passed"
