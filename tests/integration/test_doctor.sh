#!/usr/bin/env bash
# postseal doctor --root on staged trees: a clean tree has no findings;
# each broken tree (made from the clean templates in tests/data/doctor with
# one thing broken) gets the finding and fix an admin needs.  DNS checks run
# with --live against a local unbound.
set -u
. "$SRCDIR/tests/integration/common.sh"

TPL=$SRCDIR/tests/data/doctor/clean
[ -x "$POSTSEAL" ] || ps_fail "$POSTSEAL not built"
ps_tmpdir
chmod 755 "$PS_TMP"

# One key for every domain; DNS publishes it (or another one) per zone.
"$POSTSEAL" keygen -d doctor.example -s mail -D "$PS_TMP/k" --user root \
	>"$PS_TMP/k.out" 2>&1 || ps_fail "keygen"
"$POSTSEAL" keygen -d doctor.example -s other -D "$PS_TMP/k" --user root \
	>"$PS_TMP/k2.out" 2>&1 || ps_fail "keygen other"
KEYREC=$(grep ' IN TXT ' "$PS_TMP/k.out" | sed 's/^[^ ]* IN TXT //')
OTHERREC=$(grep ' IN TXT ' "$PS_TMP/k2.out" | sed 's/^[^ ]* IN TXT //')

# zone DOMAIN SPF DKIM_RECORD DMARC: a zone file for DOMAIN ("" leaves out).
zone() {
	local z=$PS_TMP/$1.zone
	ps_write_zone "$z" "$1"
	{
		echo "@ IN MX 10 mail"
		echo "mail IN A 127.0.0.1"
		[ -n "$2" ] && echo "@ IN TXT \"$2\""
		[ -n "$3" ] && echo "mail._domainkey IN TXT $3"
		[ -n "$4" ] && echo "_dmarc IN TXT \"$4\""
	} >>"$z"
	ZONES+=("$z")
}
ZONES=()
DMARC='v=DMARC1; p=reject; rua=mailto:postmaster@doctor.example'
zone doctor.example "v=spf1 mx -all" "$KEYREC" "$DMARC"
zone spf11.example "v=spf1 a mx include:inc.spf11.example -all" "$KEYREC" "$DMARC"
echo 'inc IN TXT "v=spf1 a mx a:h1.spf11.example a:h2.spf11.example a:h3.spf11.example a:h4.spf11.example a:h5.spf11.example a:h6.spf11.example -all"' \
	>>"$PS_TMP/spf11.example.zone"
zone mismatch.example "v=spf1 mx -all" "$OTHERREC" "$DMARC"
zone nodmarc.example "v=spf1 mx -all" "$KEYREC" ""
# Reverse DNS for --ip, in 192.0.2.0/24 (documentation addresses):
# .25 has a PTR whose name points back to it, .27 a PTR whose name does
# not, .26 no PTR at all.
echo "mail IN A 192.0.2.25" >>"$PS_TMP/doctor.example.zone"
ps_write_zone "$PS_TMP/rev.zone" 2.0.192.in-addr.arpa
{
	echo "25 IN PTR mail.doctor.example."
	echo "27 IN PTR mail.doctor.example."
} >>"$PS_TMP/rev.zone"
ZONES+=("$PS_TMP/rev.zone")
ps_start_dns "${ZONES[@]}"

# A real postseal-milter that the live audits reach: every staged tree's
# /var/spool/postfix/postseal is a link to its socket directory.
. "$SRCDIR/tests/integration/milter.sh"
mkdir -p "$PS_TMP/msock"
cat >"$PS_TMP/live-milter.conf" <<CONF
user = "nobody";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
keys = { directory = "$PS_TMP/k"; };
milter = {
  socket = "unix:$PS_TMP/msock/milter.sock";
  socket_mode = 0666;
  sign = ( { domain = "doctor.example"; selector = "mail"; } );
  dmarc = { history = ""; };
};
CONF
chmod 644 "$PS_TMP/live-milter.conf"
ps_milter_start "$PS_TMP/live-milter.conf"
# And a real postseal-policyd, linked in as private/postseal-policy.
mkdir -p "$PS_TMP/psock" && chown nobody "$PS_TMP/psock"
cat >"$PS_TMP/live-policyd.conf" <<CONF
user = "nobody";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
policyd = { socket = "unix:$PS_TMP/psock/policy.sock"; socket_mode = 0666; };
CONF
chmod 644 "$PS_TMP/live-policyd.conf"
"$BINDIR/policyd/postseal-policyd" -f -c "$PS_TMP/live-policyd.conf" >"$PS_TMP/policyd.log" 2>&1 &
ps_register_pid $!
ps_wait_file "$PS_TMP/psock/policy.sock" || { cat "$PS_TMP/policyd.log" >&2; ps_fail "postseal-policyd did not start"; }

# tree NAME DOMAIN [SOCKDIR [POLICYSOCK]]: a clean staged tree at
# $PS_TMP/NAME signing for DOMAIN, its milter socket directory a link to
# SOCKDIR and its private/postseal-policy a link to POLICYSOCK (by default
# those of the live milter and policy daemon).
tree() {
	local t=$PS_TMP/$1
	mkdir -p "$t"
	cp -r "$TPL/etc" "$t/"
	sed -i "s/DNS_PORT/$DNS_PORT/; s/DOMAIN/$2/" "$t/etc/postseal/postseal.conf"
	mkdir -p "$t/etc/postseal/keys/$2" "$t/var/spool/postfix/private" \
		"$t/var/mail/vhosts/$2"
	ln -s "${3:-$PS_TMP/msock}" "$t/var/spool/postfix/postseal"
	ln -s "${4:-$PS_TMP/psock/policy.sock}" "$t/var/spool/postfix/private/postseal-policy"
	install -m 0640 "$PS_TMP/k/doctor.example/mail.key" "$t/etc/postseal/keys/$2/mail.key"
	chmod -R go-w "$t"
	printf 'admin:{PLAIN}secret\n' >"$t/etc/dovecot/master-users"
	printf 'user@%s:{PLAIN}secret\n' "$2" >"$t/etc/dovecot/users"
	chown root:2102 "$t/etc/dovecot/master-users" "$t/etc/dovecot/users"
	chmod 0640 "$t/etc/dovecot/master-users" "$t/etc/dovecot/users"
	chown -R 2103:2103 "$t/var/mail/vhosts"
}

# doctor NAME WANT_EXIT [ARGS...]: run doctor on tree NAME into NAME.log.
doctor() {
	local n=$1 want=$2
	shift 2
	ps_expect_exit "$PS_TMP/$n.log" "$want" "$POSTSEAL" doctor --root "$PS_TMP/$n" "$@"
}
has() { ps_assert_contains "$PS_TMP/$1.log" "$2"; }

# A clean tree: nothing to report, with and without the live DNS checks.
tree clean doctor.example
doctor clean 0
has clean "no problems found"
doctor clean 0 --live
has clean "no problems found"
[ "$(wc -l <"$PS_TMP/clean.log")" -eq 1 ] || ps_fail "clean tree printed more than the summary"

# Key under a world-writable directory without the sticky bit.
tree ww doctor.example
chmod 0777 "$PS_TMP/ww/etc/postseal/keys"
doctor ww 1
has ww "error: keys: $PS_TMP/ww/etc/postseal/keys/doctor.example/mail.key: directory $PS_TMP/ww/etc/postseal/keys is world-writable"
has ww "    fix: chmod 755 $PS_TMP/ww/etc/postseal/keys"
has ww "1 error, 0 warnings"

# A configured domain whose key file is missing.
tree nokey doctor.example
rm "$PS_TMP/nokey/etc/postseal/keys/doctor.example/mail.key"
doctor nokey 1
has nokey "error: keys: $PS_TMP/nokey/etc/postseal/keys/doctor.example/mail.key: key for domain doctor.example selector mail (milter.sign) does not exist"
has nokey "    fix: postseal keygen -d doctor.example -s mail -D $PS_TMP/nokey/etc/postseal/keys"

# Dovecot master-users root:root 0600: the auth process (dovecot) cannot read it.
tree mu doctor.example
chown root:root "$PS_TMP/mu/etc/dovecot/master-users"
chmod 0600 "$PS_TMP/mu/etc/dovecot/master-users"
doctor mu 1
has mu "error: dovecot: $PS_TMP/mu/etc/dovecot/master-users (owner root:root, mode 0600) cannot be read by user dovecot"
has mu "missing +r perm"
has mu "    fix: chown root:dovecot $PS_TMP/mu/etc/dovecot/master-users && chmod 0640 $PS_TMP/mu/etc/dovecot/master-users"
has mu "1 error, 0 warnings"

# Dovecot's auth socket that Postfix cannot open.
tree sock doctor.example
sed -i 's/mode = 0660/mode = 0600/; s/user = postfix/user = dovecot/' \
	"$PS_TMP/sock/etc/dovecot/conf.d/10-master.conf"
doctor sock 1
has sock "error: dovecot: $PS_TMP/sock/etc/dovecot/conf.d/10-master.conf:3: unix_listener /var/spool/postfix/private/auth (user dovecot, group postfix, mode 0600): Postfix (user postfix) cannot connect"

# Submission without STARTTLS.
tree notls doctor.example
sed -i '/smtpd_tls_security_level=encrypt/d' "$PS_TMP/notls/etc/postfix/master.cf"
sed -i 's/^smtpd_tls_security_level = may/smtpd_tls_security_level = none/' \
	"$PS_TMP/notls/etc/postfix/main.cf"
doctor notls 1
has notls "error: postfix: $PS_TMP/notls/etc/postfix/master.cf:3: service submission offers no STARTTLS (smtpd_tls_security_level = none)"
has notls "    fix: postconf -P 'submission/inet/smtpd_tls_security_level=encrypt'"

# The milter missing from smtpd_milters.
tree nomilter doctor.example
sed -i 's/^smtpd_milters = .*/smtpd_milters = inet:127.0.0.1:8891/' \
	"$PS_TMP/nomilter/etc/postfix/main.cf"
doctor nomilter 1
has nomilter "error: postfix: $PS_TMP/nomilter/etc/postfix/main.cf:21: smtpd_milters = inet:127.0.0.1:8891 does not include the postseal milter unix:/var/spool/postfix/postseal/milter.sock"
has nomilter "    fix: postconf -e 'smtpd_milters = inet:127.0.0.1:8891, unix:/var/spool/postfix/postseal/milter.sock'"
# non_smtpd_milters = $smtpd_milters follows it: a warning of its own.
has nomilter "warning: postfix: $PS_TMP/nomilter/etc/postfix/main.cf:22: non_smtpd_milters = inet:127.0.0.1:8891"

# milter_protocol unset with a Postfix older than 2.6.
tree oldpf doctor.example
sed -i 's/^mail_version = .*/mail_version = 2.5.6/' "$PS_TMP/oldpf/etc/postfix/main.cf"
doctor oldpf 1
has oldpf "error: postfix: $PS_TMP/oldpf/etc/postfix/main.cf: milter_protocol is not set and mail_version = 2.5.6 (before 2.6)"
has oldpf "    fix: postconf -e 'milter_protocol = 4'"
echo "milter_protocol = 6" >>"$PS_TMP/clean/etc/postfix/main.cf"
doctor clean 0	# set on a current Postfix: fine

# The policy service before reject_unauth_destination.
tree relay doctor.example
sed -i '/^smtpd_recipient_restrictions/,/^$/d' "$PS_TMP/relay/etc/postfix/main.cf"
echo "smtpd_recipient_restrictions = permit_mynetworks, check_policy_service unix:private/postseal-policy, reject_unauth_destination" \
	>>"$PS_TMP/relay/etc/postfix/main.cf"
doctor relay 1
has relay "smtpd_recipient_restrictions: check_policy_service comes before reject_unauth_destination"
has relay "(open relay risk)"
has relay "    fix: postconf -e 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_policy_service unix:private/postseal-policy'"

# --ip: forward-confirmed reverse DNS of the sending address.
doctor clean 0 --live --ip 192.0.2.25
has clean "no problems found"
doctor clean 1 --live --ip 192.0.2.26
has clean "error: dns: 192.0.2.26: no PTR record (nxdomain): many receivers reject or junk mail from it"
has clean "    fix: ask the owner of 192.0.2.26's reverse zone (your provider) for PTR 192.0.2.26 -> "
doctor clean 1 --live --ip 192.0.2.27
has clean "error: dns: 192.0.2.27: PTR mail.doctor.example does not resolve back to 192.0.2.27 (no forward-confirmed reverse DNS)"
has clean "1 error, 0 warnings"

# Live: no milter at the socket (none there; a socket file nobody listens
# on), or a socket where something else answers.
mkdir -p "$PS_TMP/nosock" "$PS_TMP/stale" "$PS_TMP/other"
/usr/bin/python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
	"$PS_TMP/stale/milter.sock"
chmod 666 "$PS_TMP/stale/milter.sock"
tree down doctor.example "$PS_TMP/nosock"
doctor down 1 --live
has down "error: milter: $PS_TMP/down/var/spool/postfix/postseal/milter.sock: cannot connect: the socket does not exist: postseal-milter is not running; Postfix applies milter_default_action to every message (tempfail: 451 4.7.1 for all mail)"
has down "    fix: systemctl start postseal-milter"
has down "1 error, 0 warnings"
tree stale doctor.example "$PS_TMP/stale"
doctor stale 1 --live
has stale "milter.sock: cannot connect: nothing listens there: postseal-milter is not running"
# Something that accepts but does not speak the milter protocol.
/usr/bin/python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(4)
open(sys.argv[2], "w").close()
c, _ = s.accept(); c.recv(64); c.sendall(b"220 not a milter\r\n"); time.sleep(5)
' "$PS_TMP/other/milter.sock" "$PS_TMP/other.ready" &
ps_register_pid $!
ps_wait_file "$PS_TMP/other.ready" || ps_fail "the non-milter listener did not start"
tree other doctor.example "$PS_TMP/other"
doctor other 1 --live
has other "milter.sock: connected, but no milter protocol answer (an unexpected reply)"
# The policy service Postfix calls (check_policy_service
# unix:private/postseal-policy): missing, and a socket nobody listens on.
tree nopol doctor.example "$PS_TMP/msock" "$PS_TMP/nosock/policy.sock"
doctor nopol 1 --live
has nopol "error: policy: $PS_TMP/nopol/var/spool/postfix/private/postseal-policy: cannot connect: the socket does not exist: the policy server is not running; Postfix answers \"451 4.3.5 Server configuration problem\" to every recipient"
has nopol "    fix: start the policy server Postfix calls as private/postseal-policy (postseal-policyd: systemctl start postseal-policyd)"
has nopol "1 error, 0 warnings"
tree stalepol doctor.example "$PS_TMP/msock" "$PS_TMP/stale/milter.sock"
doctor stalepol 1 --live
has stalepol "postseal-policy: cannot connect: nothing listens there: the policy server is not running"
# Without --live nothing is connected to.
doctor down 0
has down "no problems found"

# DNS (live): an SPF record that needs 11 look-ups through its include.
tree spf spf11.example
doctor spf 1 --live
has spf 'error: dns: spf11.example: SPF record "v=spf1 a mx include:inc.spf11.example -all" needs 11 DNS look-ups (limit 10)'
has spf "1 error, 0 warnings"

# DNS: a DKIM record that is not the configured key's.
tree mm mismatch.example
doctor mm 1 --live
has mm "error: dns: mail._domainkey.mismatch.example: the DKIM record in DNS does not match the key $PS_TMP/mm/etc/postseal/keys/mismatch.example/mail.key"
has mm "    fix: publish in the zone of mismatch.example: mail._domainkey.mismatch.example. IN TXT"
has mm "1 error, 0 warnings"

# DNS: no DMARC record.
tree nd nodmarc.example
doctor nd 1 --live
has nd "error: dns: _dmarc.nodmarc.example: no DMARC record (nxdomain)"
has nd "    fix: publish: _dmarc.nodmarc.example. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@nodmarc.example\""

# Usage errors: exit 2.
"$POSTSEAL" doctor --root "$PS_TMP/none" >/dev/null 2>&1
[ $? -eq 2 ] || ps_fail "doctor on a missing root: want exit 2"
"$POSTSEAL" doctor --bogus >/dev/null 2>&1
[ $? -eq 2 ] || ps_fail "doctor with a bad option: want exit 2"
echo "PASS doctor"
