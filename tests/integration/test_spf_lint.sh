#!/bin/bash
# postseal spf-lint against crafted records served by a local unbound:
# a clean record (exit 0), 11 DNS terms through nested includes, three
# void look-ups, two records, +all, a syntax error with its column, ptr,
# an MX host the record leaves out, an include loop, and usage errors.
set -u
. "${SRCDIR:?}/tests/integration/common.sh"

[ -x "$POSTSEAL" ] || ps_fail "no $POSTSEAL"
ps_tmpdir
Z=$PS_TMP/lint.test.zone
ps_write_zone "$Z" lint.test
cat >>"$Z" <<'ZONE'
mail	IN A	192.0.2.10
mail	IN AAAA	2001:db8::10
h1	IN A	192.0.2.21
h2	IN A	192.0.2.22
h3	IN A	192.0.2.23
clean	IN TXT	"v=spf1 mx ip4:198.51.100.0/24 -all"
clean	IN TXT	"google-site-verification=abc"
clean	IN MX	10 mail
deep	IN TXT	"v=spf1 include:i1.lint.test -all"
i1	IN TXT	"v=spf1 a:h1.lint.test a:h2.lint.test a:h3.lint.test include:i2.lint.test ~all"
i2	IN TXT	"v=spf1 a:h1.lint.test a:h2.lint.test a:h3.lint.test include:i3.lint.test ~all"
i3	IN TXT	"v=spf1 a:h1.lint.test a:h2.lint.test ~all"
ten	IN TXT	"v=spf1 include:i2.lint.test -all"
void	IN TXT	"v=spf1 a:gone1.lint.test a:gone2.lint.test mx:gone3.lint.test -all"
two	IN TXT	"v=spf1 -all"
two	IN TXT	"v=spf1 mx -all"
open	IN TXT	"v=spf1 +all"
syntax	IN TXT	"v=spf1 a ip4:192.0.2.300 -all"
ptr	IN TXT	"v=spf1 ptr -all"
nomx	IN TXT	"v=spf1 ip4:192.0.2.99 -all"
nomx	IN MX	10 mail
loop1	IN TXT	"v=spf1 include:loop2.lint.test -all"
loop2	IN TXT	"v=spf1 include:loop1.lint.test -all"
ZONE
ps_start_dns "$Z"
CONF=$PS_TMP/postseal.conf
printf 'dns = { nameservers = [ "127.0.0.1@%s" ]; timeout = 2; };\n' \
    "$DNS_PORT" >"$CONF"

# lint NAME EXPECTED_EXIT: run spf-lint on NAME.lint.test into $PS_TMP/NAME.
lint() {
	local rc
	"$POSTSEAL" spf-lint -c "$CONF" "$1.lint.test" >"$PS_TMP/$1" 2>&1
	rc=$?
	[ "$rc" -eq "$2" ] || { cat "$PS_TMP/$1" >&2;
		ps_fail "spf-lint $1: exit $rc, expected $2"; }
}

lint clean 0
ps_assert_contains "$PS_TMP/clean" "record: v=spf1 mx ip4:198.51.100.0/24 -all"
ps_assert_contains "$PS_TMP/clean" "dns-terms: 1 (limit 10)"
ps_assert_contains "$PS_TMP/clean" "findings: 0 error(s), 0 warning(s)"
ps_assert_not_contains "$PS_TMP/clean" "warning:"

lint deep 1
ps_assert_contains "$PS_TMP/deep" "dns-terms: 11 (limit 10)"
ps_assert_contains "$PS_TMP/deep" "error: 11 DNS-querying terms"
ps_assert_contains "$PS_TMP/deep" "        [2 DNS term(s) here, 11 of 10 so far]"
ps_assert_contains "$PS_TMP/deep" "  include:i1.lint.test -> i1.lint.test"
ps_assert_contains "$PS_TMP/deep" "    include:i2.lint.test -> i2.lint.test"
ps_assert_contains "$PS_TMP/deep" "      include:i3.lint.test -> i3.lint.test"
# Exactly 10 through the same includes is fine.
lint ten 0
ps_assert_contains "$PS_TMP/ten" "dns-terms: 7 (limit 10)"

lint void 1
ps_assert_contains "$PS_TMP/void" "void-lookups: 3 (limit 2)"
ps_assert_contains "$PS_TMP/void" "error: 3 void look-ups, over the limit of 2"
ps_assert_contains "$PS_TMP/void" "gone3.lint.test has no MX"

lint two 1
ps_assert_contains "$PS_TMP/two" "error: two.lint.test has 2 SPF records"

lint open 1
ps_assert_contains "$PS_TMP/open" "warning: open.lint.test: \"+all\" lets every host"
ps_assert_contains "$PS_TMP/open" "findings: 0 error(s), 1 warning(s)"

lint syntax 1
ps_assert_contains "$PS_TMP/syntax" "error: syntax.lint.test: syntax error at column 14: not a dotted-quad IPv4 address"
ps_assert_contains "$PS_TMP/syntax" "               ^"

lint ptr 1
ps_assert_contains "$PS_TMP/ptr" "warning: ptr.lint.test: \"ptr\": ptr is slow"

lint nomx 1
ps_assert_contains "$PS_TMP/nomx" "MX host mail.lint.test (192.0.2.10) is not covered: nomx.lint.test gives fail"
ps_assert_contains "$PS_TMP/nomx" "MX host mail.lint.test (2001:db8::10) is not covered"

lint loop1 1
ps_assert_contains "$PS_TMP/loop1" "error: loop1.lint.test: include/redirect loop"

lint missing 1
ps_assert_contains "$PS_TMP/missing" "error: missing.lint.test has no SPF record"

"$POSTSEAL" spf-lint >/dev/null 2>&1
[ $? -eq 2 ] || ps_fail "spf-lint without a domain: exit code not 2"
"$POSTSEAL" spf-lint -c "$PS_TMP/nonexistent.conf" clean.lint.test >/dev/null 2>&1
[ $? -eq 2 ] || ps_fail "spf-lint with a missing config: exit code not 2"
echo "spf-lint: all checks passed"
exit 0
