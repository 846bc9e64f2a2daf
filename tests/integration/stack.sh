# stack.sh: the whole postseal stack on loopback, as scripts/demo and
# test_stack.sh run it.  Source after common.sh, postfix.sh, milter.sh and
# dovecot.sh; needs ps_tmpdir.
#
#	ps_stack_start      # DNS, Dovecot, Postfix (MX + submission),
#	                    # postseal-milter, postseal-policyd
#
# Cast (all on 127.0.0.0/8, nothing leaves the machine):
#   example.net   our domain: Postfix + Dovecot, signs with RSA + Ed25519
#                 keys; user alice@example.net (password "wonderland")
#   example.org   a well-run remote domain whose MTA is 127.0.0.2: SPF,
#                 DKIM (selector "news") and DMARC p=reject
#   dest.example  a remote domain; its "MX" is an smtp-sink
#   127.0.0.3     a spoofer

POLICYD=$BINDIR/policyd/postseal-policyd

stack_zones() {
	ps_key example.net rsa
	ps_key example.net ed -a ed25519
	ps_key example.org news
	ps_write_zone "$PS_TMP/example.net.zone" example.net
	{
		cat "$PS_TMP/example.net.keys"
		echo '@ IN MX 10 mx'
		echo 'mx IN A 127.0.0.1'
		echo '@ IN TXT "v=spf1 ip4:127.0.0.1 -all"'
		echo '_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net"'
	} >>"$PS_TMP/example.net.zone"
	ps_write_zone "$PS_TMP/example.org.zone" example.org
	{
		cat "$PS_TMP/example.org.keys"
		echo '@ IN TXT "v=spf1 ip4:127.0.0.2 -all"'
		echo '_dmarc IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"'
	} >>"$PS_TMP/example.org.zone"
	ps_start_dns "$PS_TMP/example.net.zone" "$PS_TMP/example.org.zone"
}

stack_conf() {
	POLICY_PORT=$(ps_free_port)
	mkdir -p "$PS_TMP/lib" && chown nobody "$PS_TMP/lib"
	MILTER_SOCK=$PS_TMP/milter.sock
	cat >"$PS_TMP/postseal.conf" <<CONF
# postseal for the loopback stack (see tests/integration/stack.sh)
user = "nobody";
authserv_id = "mx.example.net";
dns = { nameservers = [ "127.0.0.1@$DNS_PORT" ]; timeout = 3; };
keys = { directory = "$PS_TMP/keys"; };
milter = {
  socket = "unix:$MILTER_SOCK";
  socket_group = "postfix";
  socket_mode = 0660;
  internal_hosts = [ ];
  sign = ( { domain = "example.net"; selector = "rsa"; },
           { domain = "example.net"; selector = "ed"; } );
  dmarc = { enforce = true; history = "$PS_TMP/lib/dmarc.db"; };
};
policyd = {
  socket = "inet:127.0.0.1:$POLICY_PORT";
  spf = { skip_addresses = [ "127.0.0.1" ]; };
};
CONF
}

stack_tls() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.example.net" \
		-keyout "$PS_TMP/tls.key" -out "$PS_TMP/tls.crt" >/dev/null 2>&1 ||
		ps_fail "could not make a TLS certificate"
	chmod 600 "$PS_TMP/tls.key"
}

stack_postfix() {
	SUBMISSION_PORT=$(ps_free_port)
	ps_postfix_start \
		"myhostname = mx.example.net" "mydomain = example.net" \
		"virtual_mailbox_domains = example.net" \
		"virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT" \
		"relay_domains = dest.example" \
		"smtpd_recipient_restrictions = reject_unauth_destination, check_policy_service inet:127.0.0.1:$POLICY_PORT" \
		"smtpd_milters = unix:$MILTER_SOCK" \
		"non_smtpd_milters = unix:$MILTER_SOCK" \
		"milter_protocol = 6" "milter_default_action = accept" \
		"smtpd_tls_cert_file = $PS_TMP/tls.crt" "smtpd_tls_key_file = $PS_TMP/tls.key" \
		"smtpd_tls_security_level = may" \
		"smtpd_sasl_type = dovecot" "smtpd_sasl_path = private/auth" \
		-- "tlsmgr unix - - n 1000? 1 tlsmgr" "lmtp unix - - n - - lmtp" \
		"127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject"
}

ps_stack_start() {
	stack_zones
	stack_conf
	stack_tls
	ps_sink_start
	ps_milter_start "$PS_TMP/postseal.conf"
	"$POLICYD" -f -c "$PS_TMP/postseal.conf" >>"$PS_TMP/policyd.log" 2>&1 &
	ps_register_pid $!
	POLICYD_PID=$!
	ps_wait_port "$POLICY_PORT" || { cat "$PS_TMP/policyd.log" >&2; ps_fail "postseal-policyd did not start"; }
	# Postfix first: it makes the queue's private/ where Dovecot puts its
	# auth socket.  The smtpd processes start on demand, after Dovecot.
	LMTP_PORT=$(ps_free_port)
	stack_postfix
	ps_dovecot_start "$PF_DIR/spool/private/auth" "alice@example.net:wonderland"
}

# ps_stack_message FILE FROM TO SUBJECT BODY: write a message.
ps_stack_message() {
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s.%s@example.test>\r\n\r\n%s\r\n' \
		"$2" "$3" "$4" "$(date -R)" "$RANDOM" "$$" "$5" >"$1"
}

# The three scenarios.  Each leaves what happened in files under $PS_TMP:
# STACK_OUT (the message as delivered) and STACK_LOG (the SMTP dialogue).

# 1. alice submits over STARTTLS + SASL (Dovecot) to bob@dest.example.
ps_stack_submit() {
	ps_stack_message "$PS_TMP/submit.eml" "Alice <alice@example.net>" bob@dest.example \
		"Quarterly figures" "Signed on the way out."
	STACK_LOG=$PS_TMP/submit.swaks
	swaks --server "127.0.0.1:$SUBMISSION_PORT" --tls --auth PLAIN \
		--auth-user alice@example.net --auth-password wonderland \
		--from alice@example.net --to bob@dest.example \
		--data "@$PS_TMP/submit.eml" >"$STACK_LOG" 2>&1 || return 1
	ps_wait_sink 1 || return 1
	STACK_OUT=$(ps_sink_messages | tail -n 1)
}

# The same message from an unauthenticated client at 127.0.0.2 (port 25):
# relaying is refused, so it goes to a local user; it must not be signed.
ps_stack_unauthenticated() {
	ps_stack_message "$PS_TMP/unauth.eml" "Alice <alice@example.net>" alice@example.net \
		"Not really Alice" "No SASL login, so no signature."
	STACK_LOG=$PS_TMP/unauth.swaks
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--from alice@example.net --to alice@example.net \
		--data "@$PS_TMP/unauth.eml" >"$STACK_LOG" 2>&1
}

# 2. news@example.org (SPF, DKIM, DMARC all in order) writes to alice.
ps_stack_inbound() {
	local n
	ps_stack_message "$PS_TMP/inbound.eml" "Example News <news@example.org>" alice@example.net \
		"Your newsletter" "From a well-run domain."
	/usr/bin/python3 "$SRCDIR/tests/integration/dkim_dns.py" sign \
		"$PS_TMP/keys/example.org/news.key" example.org news \
		"$PS_TMP/inbound.eml" "$PS_TMP/inbound-signed.eml" || return 1
	n=$(ls "$(ps_dovecot_maildir alice@example.net)/new" 2>/dev/null | wc -l)
	STACK_LOG=$PS_TMP/inbound.swaks
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.2 \
		--from news@example.org --to alice@example.net \
		--data "@$PS_TMP/inbound-signed.eml" >"$STACK_LOG" 2>&1 || return 1
	ps_wait_maildir alice@example.net $((n + 1)) || return 1
	STACK_OUT=$(ls -t "$(ps_dovecot_maildir alice@example.net)"/new/* | head -n 1)
}

# 3. 127.0.0.3 sends as ceo@example.org (p=reject) without SPF or DKIM.
ps_stack_spoof() {
	ps_stack_message "$PS_TMP/spoof.eml" "CEO <ceo@example.org>" alice@example.net \
		"Urgent wire transfer" "Please pay the attached invoice today."
	STACK_LOG=$PS_TMP/spoof.swaks
	swaks --server "127.0.0.1:$SMTP_PORT" --local-interface 127.0.0.3 \
		--from ceo@example.org --to alice@example.net \
		--data "@$PS_TMP/spoof.eml" >"$STACK_LOG" 2>&1
}

# ps_stack_header FILE NAME: the (unfolded) headers NAME of FILE, one a line.
ps_stack_header() {
	tr -d '\r' <"$1" | awk -v n="$2:" '
		/^$/ { exit }
		/^[ \t]/ { if (p) { sub(/^[ \t]+/, " "); line = line $0 }; next }
		{ if (p) print line; p = (tolower(substr($0, 1, length(n))) == tolower(n)); line = $0 }
		END { if (p) print line }'
}
