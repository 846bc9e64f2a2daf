# dovecot.sh: a private Dovecot for integration tests and the demo: SASL
# authentication for Postfix (auth socket in Postfix's queue directory)
# and LMTP delivery into Maildirs.  Source after common.sh; needs ps_tmpdir.
#
#	ps_dovecot_start SOCKET_PATH USER:PASSWORD...   # sets LMTP_PORT, DOVECOT_DIR
#	ps_dovecot_maildir USER@DOMAIN                   # prints the Maildir path
#
# Mail is stored as the unprivileged user "nobody"; nothing outside
# $PS_TMP/dovecot is written.

DOVECOT_DIR=

ps_dovecot_start() {
	local sock=$1 cred; shift
	DOVECOT_DIR=$PS_TMP/dovecot
	mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/mail"
	chown nobody:nogroup "$DOVECOT_DIR/mail"
	chmod 755 "$DOVECOT_DIR"
	: >"$DOVECOT_DIR/users"
	for cred in "$@"; do
		echo "${cred%%:*}:{PLAIN}${cred#*:}" >>"$DOVECOT_DIR/users"
	done
	chown root:dovecot "$DOVECOT_DIR/users"
	chmod 640 "$DOVECOT_DIR/users"
	LMTP_PORT=${LMTP_PORT:-$(ps_free_port)}
	cat >"$DOVECOT_DIR/dovecot.conf" <<CONF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
info_log_path = $DOVECOT_DIR/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DOVECOT_DIR/mail/%d/%n
}
mail_location = maildir:~/Maildir
lmtp_save_to_detail_mailbox = no
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  unix_listener $sock {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
	mkdir -p "$DOVECOT_DIR/state"
	dovecot -c "$DOVECOT_DIR/dovecot.conf" -F >>"$DOVECOT_DIR/stdout.log" 2>&1 &
	ps_register_pid $!
	ps_wait_port "$LMTP_PORT" || {
		cat "$DOVECOT_DIR/dovecot.log" "$DOVECOT_DIR/stdout.log" >&2 2>/dev/null
		ps_fail "dovecot did not start"
	}
}

ps_dovecot_maildir() {
	echo "$DOVECOT_DIR/mail/${1#*@}/${1%@*}/Maildir"
}

# ps_wait_maildir USER@DOMAIN COUNT: wait up to 20 s for COUNT new messages.
ps_wait_maildir() {
	local dir i
	dir=$(ps_dovecot_maildir "$1")/new
	for i in $(seq 1 200); do
		[ "$(ls "$dir" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
