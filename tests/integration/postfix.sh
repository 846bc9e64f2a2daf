# postfix.sh: a private Postfix instance and an smtp-sink for integration
# tests.  Source it after common.sh and call ps_tmpdir first:
#
#	. "$SRCDIR/tests/integration/common.sh"
#	. "$SRCDIR/tests/integration/postfix.sh"
#	ps_tmpdir
#	ps_sink_start                       # SINK_PORT, SINK_DIR (one file per message)
#	ps_postfix_start "relay_domains = example.test" "smtpd_milters = ..."
#	swaks --server 127.0.0.1:$SMTP_PORT ...
#	ps_postfix_stop                     # also done at exit
#
# The instance has its own config_directory, queue_directory and
# data_directory under $PS_TMP/postfix (FIELD-NOTES "Postfix private
# instances"), listens on 127.0.0.1:$SMTP_PORT only, logs to
# $PF_DIR/maillog and relays every message to the sink.  Nothing under
# /etc/postfix is changed.

PF_DIR=
PF_STARTED=0

# ps_sink_start: smtp-sink on 127.0.0.1 at a free port, each message
# dumped to its own file in $SINK_DIR.  Sets SINK_PORT, SINK_DIR.
ps_sink_start() {
	[ -n "$PS_TMP" ] || ps_fail "ps_sink_start: call ps_tmpdir first"
	chmod 755 "$PS_TMP"
	SINK_DIR=$PS_TMP/sink
	mkdir -p "$SINK_DIR" && chown postfix "$SINK_DIR"
	SINK_PORT=$(ps_free_port)
	smtp-sink -u postfix -d "$SINK_DIR/%Y%m%d%H%M%S." \
		"127.0.0.1:$SINK_PORT" 50 >"$PS_TMP/sink.log" 2>&1 &
	ps_register_pid $!
	ps_wait_port "$SINK_PORT" || ps_fail "smtp-sink did not start"
}

# ps_wait_port PORT: wait up to 10 s for 127.0.0.1:PORT to accept.
ps_wait_port() {
	local i
	for i in $(seq 1 100); do
		/usr/bin/python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ps_sink_messages: the dumped message files, oldest first.
ps_sink_messages() {
	ls -1tr "$SINK_DIR"/* 2>/dev/null
}

ps_postfix_master_cf() {
	cat <<MASTER
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
relay     unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
local     unix  - n n -    - local
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
MASTER
}

ps_postfix_main_cf() {
	cat <<MAIN
compatibility_level = 3.6
config_directory = $PF_DIR/etc
queue_directory = $PF_DIR/spool
data_directory = $PF_DIR/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postseal.test
mydomain = postseal.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
smtputf8_enable = no
biff = no
smtpd_relay_restrictions = reject_unauth_destination
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
MAIN
}

# ps_postfix_start [MAIN_CF_LINE...] [-- MASTER_CF_LINE...]: start the
# instance; lines given override or extend main.cf / master.cf.  Needs
# ps_sink_start first.  Sets SMTP_PORT, PF_DIR, PF_CONF.
ps_postfix_start() {
	local line master=0
	[ -n "$SINK_PORT" ] || ps_fail "ps_postfix_start: call ps_sink_start first"
	PF_DIR=$PS_TMP/postfix
	PF_CONF=$PF_DIR/etc
	mkdir -p "$PF_CONF" "$PF_DIR/spool" "$PF_DIR/data"
	chown postfix "$PF_DIR/data"
	SMTP_PORT=$(ps_free_port)
	cp /etc/postfix/dynamicmaps.cf "$PF_CONF/" 2>/dev/null
	ps_postfix_main_cf >"$PF_CONF/main.cf"
	ps_postfix_master_cf >"$PF_CONF/master.cf"
	for line in "$@"; do
		if [ "$line" = "--" ]; then
			master=1
		elif [ "$master" = 1 ]; then
			echo "$line" >>"$PF_CONF/master.cf"
		else
			postconf -c "$PF_CONF" -e "$line" ||
				ps_fail "postconf -e '$line'"
		fi
	done
	trap 'PF_RC=$?; ps_postfix_stop; (exit $PF_RC); ps_cleanup' EXIT
	postfix -c "$PF_CONF" check >"$PF_DIR/check.log" 2>&1
	postfix -c "$PF_CONF" start >"$PF_DIR/start.log" 2>&1 || {
		cat "$PF_DIR/start.log" >&2
		ps_fail "postfix did not start"
	}
	PF_STARTED=1
	ps_wait_port "$SMTP_PORT" || {
		cat "$PF_DIR/start.log" "$PF_DIR/maillog" >&2 2>/dev/null
		ps_fail "postfix smtpd does not listen on $SMTP_PORT"
	}
}

# ps_postfix_stop: stop the instance (idempotent).
ps_postfix_stop() {
	[ "$PF_STARTED" = 1 ] || return 0
	PF_STARTED=0
	postfix -c "$PF_CONF" stop >/dev/null 2>&1
	postfix -c "$PF_CONF" abort >/dev/null 2>&1
}

# ps_postfix_flush: ask the queue manager to retry deferred mail now.
ps_postfix_flush() {
	postqueue -c "$PF_CONF" -f >/dev/null 2>&1
}

# ps_wait_sink COUNT: wait up to 20 s until the sink holds COUNT messages.
ps_wait_sink() {
	local i
	for i in $(seq 1 200); do
		[ "$(ps_sink_messages | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
