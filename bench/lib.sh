# lib.sh: helpers shared by the benchmark sections.  Sourced by run.sh
# after tests/integration/{common,postfix,milter}.sh.

# median NUMBER...: the median (the lower middle one for an even count).
median() {
	printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

# kv KEY LINE: the value of KEY=value in a miltergen/policygen line.
kv() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# ratio A B [DIGITS]: A / B.
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f\n", d, a / b }'
}

# rss_kb PID: resident set size of PID in KiB.
rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

# cpu_ticks: busy jiffies of the whole machine (all processes, all users).
cpu_ticks() {
	awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat
}

# out LINE...: append to the report of this run.
out() {
	printf '%s\n' "$@" >>"$REPORT"
}

# note TEXT: progress on stderr.
note() {
	echo "bench: $*" >&2
}

# target NAME OK(0/1) DETAIL: one line of the targets summary.
target() {
	local verdict=MISSED
	[ "$2" = 1 ] && verdict=met
	printf '| %s | %s | %s |\n' "$1" "$verdict" "$3" >>"$TARGETS"
	[ "$2" = 1 ] || MISSED=$((MISSED + 1))
}

# ge A B: true when A >= B (floating point).
ge() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'
}

# start_bg NAME CMD...: run CMD in the background, log in $PS_TMP/NAME.log,
# PID in NAME_PID (a shell variable) and registered for clean-up.
start_bg() {
	local name=$1
	shift
	"$@" >>"$PS_TMP/$name.log" 2>&1 &
	eval "${name}_PID=$!"
	ps_register_pid "$!"
}

# dns_start_53 ZONEFILE...: serve the zones with unbound on 127.0.0.1:53
# inside the benchmark's own network namespace (run.sh made it), so that
# peers that only read /etc/resolv.conf reach it too.
dns_start_53() {
	ps_start_dns "$@"
	sed -e "s/^\([[:space:]]*port:\).*/\1 53/" \
	    -e "s#unbound.pid#unbound53.pid#; s#unbound.log#unbound53.log#" \
	    "$DNS_DIR/unbound.conf" >"$DNS_DIR/unbound53.conf"
	start_bg unbound53 unbound -d -c "$DNS_DIR/unbound53.conf"
	for _ in $(seq 1 50); do
		/usr/bin/python3 "$PS_DNS_FIXTURES/dnstool.py" probe 53 bench.example. \
			2>/dev/null && return 0
		sleep 0.1
	done
	ps_fail "unbound on port 53 did not answer"
}

# ps_conf NAME SOCKET SIGN_LIST [INTERNAL]: a postseal.conf for one milter.
ps_conf() {
	cat >"$PS_TMP/$1.conf" <<CONF
user = "nobody";
authserv_id = "mx.bench.example";
dns = { nameservers = [ "127.0.0.1@53" ]; timeout = 5; };
keys = { directory = "$KEYS"; };
milter = {
  socket = "$2";
  socket_group = "postfix";
  socket_mode = 0660;
  internal_hosts = [ ${4-\"127.0.0.1\"} ];
  sign = ( $3 );
  dmarc = { history = "$RUN/$1.db"; };
};
CONF
	chmod 644 "$PS_TMP/$1.conf"
}

# ps_milter NAME SOCKET SIGN_LIST [INTERNAL]: start a postseal-milter.
ps_milter() {
	ps_conf "$@"
	start_bg "$1" "$BINDIR/milter/postseal-milter" -f -c "$PS_TMP/$1.conf"
}

# odk_milter NAME SOCKET MODE [KEY SELECTOR [INTERNAL]]: start an OpenDKIM milter
# (Debian's), relaxed/relaxed like postseal, logging nowhere (no syslog
# here), resolver on the same local unbound.
odk_milter() {
	cat >"$PS_TMP/$1.conf" <<CONF
Syslog no
Mode $3
Domain bench.example
Selector ${5:-rsa}
KeyFile ${4:-$KEYS/bench.example/rsa.key}
Socket $2
Canonicalization relaxed/relaxed
RequireSafeKeys no
UserID nobody
UMask 007
Nameservers 127.0.0.1
InternalHosts ${6:-127.0.0.1}
AuthservID mx.bench.example
CONF
	start_bg "$1" opendkim -f -x "$PS_TMP/$1.conf"
}

# odmarc_milter NAME SOCKET: start an OpenDMARC milter (Debian's) that
# evaluates DMARC as postseal-milter does inbound: SPF checked itself, DKIM
# taken from OpenDKIM's Authentication-Results (same authserv-id), a
# history file written per message (postseal records its DMARC history
# too), no reports, no rejections, logging nowhere.  Mail from 127.0.0.1,
# which OpenDMARC ignores by default, is evaluated.
odmarc_milter() {
	echo 192.0.2.99 >"$PS_TMP/$1.ignore"
	cat >"$PS_TMP/$1.conf" <<CONF
Syslog false
Socket $2
AuthservID mx.bench.example
TrustedAuthservIDs mx.bench.example
IgnoreHosts $PS_TMP/$1.ignore
SPFSelfValidate true
SPFIgnoreResults true
RejectFailures false
FailureReports false
RequiredHeaders false
HistoryFile $RUN/$1.hist
UserID nobody
UMask 007
CONF
	start_bg "$1" opendmarc -f -c "$PS_TMP/$1.conf"
}

# milter_wait SPEC: wait until a milter socket (unix:/path or
# inet:PORT@HOST) accepts.
milter_wait() {
	case $1 in
	unix:*|local:*) ps_wait_file "${1#*:}" ;;
	inet:*) p=${1#inet:}; ps_wait_port "${p%@*}" ;;
	esac
}
