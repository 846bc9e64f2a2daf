#!/usr/bin/env bash
# The whole stack as scripts/demo runs it, with assertions: Dovecot SASL
# submission is signed (RSA + Ed25519, verified by dkimpy), the same From
# without a login is not; a well-run remote domain arrives in the Maildir
# with spf=pass dkim=pass dmarc=pass; a spoofed p=reject domain is refused.
set -u
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
. "$SRCDIR/tests/integration/dovecot.sh"
. "$SRCDIR/tests/integration/stack.sh"

ps_tmpdir
ps_stack_start

# 1. Authenticated submission: two signatures that dkimpy verifies.
ps_stack_submit || { cat "$STACK_LOG" >&2; ps_fail "submission failed"; }
[ "$(ps_stack_header "$STACK_OUT" DKIM-Signature | wc -l)" = 2 ] ||
	{ cat "$STACK_OUT" >&2; ps_fail "submitted mail does not carry two signatures"; }
/usr/bin/python3 "$SRCDIR/tests/integration/dkim_dns.py" verify "$DNS_PORT" "$STACK_OUT" >"$PS_TMP/v1" 2>&1 ||
	{ cat "$PS_TMP/v1" >&2; ps_fail "dkimpy does not verify the submitted mail"; }
ps_assert_contains "$PS_TMP/v1" "s=rsa a=rsa-sha256 pass"
ps_assert_contains "$PS_TMP/v1" "s=ed a=ed25519-sha256 pass"
ps_assert_contains "$PS_TMP/milter.log" "event=signed signatures=2"

# The same From without SASL, from 127.0.0.2: accepted (DMARC p=quarantine
# of example.net holds it), never signed.
ps_stack_unauthenticated || { cat "$STACK_LOG" >&2; ps_fail "unauthenticated message refused"; }
ps_assert_contains "$STACK_LOG" "250 2.0.0 Ok: queued"
qid=$(sed -n 's/.*Ok: queued as \([0-9A-F]*\).*/\1/p' "$STACK_LOG" | tail -n 1)
grep -q "queue_id=$qid event=signed" "$PS_TMP/milter.log" &&
	ps_fail "mail without SASL login was signed"
grep "queue_id=$qid" "$PS_TMP/milter.log" >"$PS_TMP/unauth.log"
ps_assert_contains "$PS_TMP/unauth.log" "event=spf"

# 2. Inbound from a domain whose SPF, DKIM and DMARC are in order.
ps_stack_inbound || { cat "$STACK_LOG" "$PF_DIR/maillog" >&2; ps_fail "inbound mail not delivered"; }
ps_stack_header "$STACK_OUT" Authentication-Results >"$PS_TMP/ar"
ps_assert_contains "$PS_TMP/ar" "Authentication-Results: mx.example.net;"
ps_assert_contains "$PS_TMP/ar" "spf=pass smtp.mailfrom=news@example.org"
ps_assert_contains "$PS_TMP/ar" "dkim=pass header.d=example.org header.s=news"
ps_assert_contains "$PS_TMP/ar" "dmarc=pass"
ps_assert_contains "$PS_TMP/ar" "header.from=example.org"
ps_stack_header "$STACK_OUT" Received-SPF | grep -q '^Received-SPF: pass' ||
	ps_fail "policy daemon's Received-SPF missing"
ps_assert_not_contains "$STACK_OUT" "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net"

# 3. Spoofed From of a p=reject domain: refused with the reason.
ps_stack_spoof
grep -qE '^<[-*~ ]+550 5\.7\.1 .*DMARC' "$STACK_LOG" ||
	{ cat "$STACK_LOG" >&2; ps_fail "spoofed p=reject mail was not refused with 550 5.7.1"; }
ps_assert_contains "$PS_TMP/milter.log" "event=dmarc"

# Everything stops cleanly.
ps_postfix_stop
kill -TERM "$MILTER_PID" "$POLICYD_PID"
wait "$MILTER_PID"; m=$?
wait "$POLICYD_PID"; p=$?
[ "$m" = 0 ] && [ "$p" = 0 ] || ps_fail "daemons exited with $m / $p"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$PS_TMP/milter.log" "$PS_TMP/policyd.log"; then
	ps_fail "sanitizer report from a daemon"
fi
echo "stack: all checks passed"
