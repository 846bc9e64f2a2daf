# sec_postfix.sh: the milters through a private Postfix, driven by
# smtp-source, delivering to smtp-sink.  Sourced by run.sh.
#
# One Postfix instance; one smtpd listener per configuration (no milter,
# each milter on unix and inet sockets), so every configuration runs in the
# same instance, one after the other.  The same instance runs the policy
# peers under spawn(8) (sec_policy.sh).

PF_CONFIGS="none null nulli psrsa psrsai psed psdual psver odkrsa odkrsai odkver odkdmarc"

# pf_ensure: start the instance once.
pf_ensure() {
	local master=() c spec
	[ "$PF_STARTED" = 1 ] && return 0
	ps_sink_start
	for c in $PF_CONFIGS; do
		eval "PF_PORT_$c=$(ps_free_port)"
		eval "port=\$PF_PORT_$c"
		spec=
		if [ "$c" != none ]; then
			eval "spec=\$M_$c"
			case $spec in
			inet:*) spec=${spec#inet:}; spec="inet:127.0.0.1:${spec%@*}" ;;
			esac
		fi
		master+=("127.0.0.1:$port inet n - n - - smtpd -o smtpd_milters=$spec")
	done
	PYSPF_PORT=$(ps_free_port)
	PLSPF_PORT=$(ps_free_port)
	master+=("127.0.0.1:$PYSPF_PORT inet n n n - 200 spawn user=nobody argv=/usr/bin/policyd-spf")
	master+=("127.0.0.1:$PLSPF_PORT inet n n n - 200 spawn user=nobody argv=/usr/sbin/postfix-policyd-spf-perl")
	ps_postfix_start "relay_domains = dest.example" "milter_protocol = 6" \
		"milter_default_action = tempfail" "in_flow_delay = 0" \
		"default_process_limit = 300" "smtpd_client_connection_count_limit = 0" \
		"spawn_time_limit = 3600s" "relay_destination_concurrency_limit = 40" \
		-- "${master[@]}"
	for c in $PF_CONFIGS; do
		eval "ps_wait_port \$PF_PORT_$c" || ps_fail "smtpd for $c does not listen"
	done
}

sink_count() {
	find "$SINK_DIR" -type f | wc -l
}

# pf_check CONFIG TOTAL: print how many delivered messages carry what the
# milter should have added (nothing for "none"); postseal must get all
# right, a peer's misses are reported in the table.
pf_check() {
	local files=("$SINK_DIR"/*) got want=$2
	case $1 in
	none) got=$(grep -l '^DKIM-Signature:' "${files[@]}" | wc -l); want=0 ;;
	null*) got=$(grep -l '^X-Bench-Null:' "${files[@]}" | wc -l) ;;
	psdual) got=$(grep -c '^DKIM-Signature:' "${files[@]}" | awk -F: '$NF >= 2' | wc -l) ;;
	odkver) got=$(grep -l 'dkim=pass' "${files[@]}" | wc -l) ;;
	psver|odkdmarc) got=$(grep -l 'dmarc=pass' "${files[@]}" | xargs -r grep -l 'dkim=pass' | wc -l) ;;
	*) got=$(grep -l '^DKIM-Signature:' "${files[@]}" | wc -l) ;;
	esac
	case $1 in
	none|null*|ps*) [ "$got" = "$want" ] ||
		ps_fail "$1: $got of $2 delivered messages as expected (want $want)" ;;
	esac
	[ "$1" = none ] && got=$2
	echo "$got"
}

# milter_ticks PID...: user+system jiffies of the processes, together.
milter_ticks() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# pf_once CONFIG MSGFILE SESSIONS TOTAL: one timed run; prints
# "rate milter_us machine_us checked" (milter: all of the configuration's
# milter processes, CONFIG_PID, a list for a chain).
pf_once() {
	local c=$1 file=$2 s=$3 total=$4 port pid= t0 t1 m0 m1 k0 k1 i
	eval "port=\$PF_PORT_$c"
	[ "$c" != none ] && eval "pid=\$${c}_PID"
	find "$SINK_DIR" -type f -delete
	m0=$(milter_ticks $pid)
	k0=$(cpu_ticks)
	t0=$(date +%s.%N)
	smtp-source -s "$s" -m "$total" -f sender@bench.example -t user@dest.example \
		-F "$file" "127.0.0.1:$port" >"$PS_TMP/smtp-source.log" 2>&1 ||
		{ cat "$PS_TMP/smtp-source.log" >&2; ps_fail "smtp-source to $c"; }
	for i in $(seq 1 6000); do
		[ "$(sink_count)" -ge "$total" ] && break
		sleep 0.02
	done
	t1=$(date +%s.%N)
	k1=$(cpu_ticks)
	m1=$(milter_ticks $pid)
	[ "$(sink_count)" -ge "$total" ] || { tail -n 20 "$PF_DIR/maillog" >&2; ps_fail "$c: not all delivered"; }
	ok=$(pf_check "$c" "$total") || exit 1
	awk -v ok="$ok" -v n="$total" -v t="$(echo "$t1 - $t0" | bc -l)" -v m=$((m1 - m0)) -v k=$((k1 - k0)) \
		-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f %.0f %.0f %d\n", n / t, m / hz / n * 1e6, k / hz / n * 1e6, ok}'
}

# pf_rows SIZE SESSIONS TOTAL CONFIG...: REPS rounds, each running every
# CONFIG once in turn (so a drift in the machine's speed touches all of
# them alike), then one table row per CONFIG with the medians; "none", when
# listed, comes first and is the base of the ratios.
pf_rows() {
	local size=$1 s=$2 total=$3 i c rate mu ku ok base file
	shift 3
	for c in "$@"; do
		eval "R_$c= MU_$c= KU_$c= BAD_$c=0"
	done
	for i in $(seq 1 "$REPS"); do
		for c in "$@"; do
			case $c in
			*ver|odkdmarc) file=$PS_TMP/s$size.eml ;;	# signed: to verify
			*) file=$PS_TMP/m$size.eml ;;
			esac
			read -r rate mu ku ok <<<"$(pf_once "$c" "$file" "$s" "$total")"
			[ -n "$ok" ] || ps_fail "$c: run failed"
			eval "R_$c+=\" $rate\" MU_$c+=\" $mu\" KU_$c+=\" $ku\" BAD_$c=\$((BAD_$c + total - ok))"
		done
	done
	for c in "$@"; do
		eval "rate=\$(median \$R_$c) mu=\$(median \$MU_$c) ku=\$(median \$KU_$c) ok=\$BAD_$c"
		eval "PF_${c}_${size}_${s}=$rate"
		eval "base=\${PF_none_${size}_${s}:-$rate}"
		[ "$c" = none ] && mu=-
		out "| $c | $size | $s | $rate | $(ratio "$rate" "$base") | $mu | $ku | $ok |"
	done
}

section_postfix() {
	local few=100 many=1000 bigfew=20 bigmany=100 c
	[ "$QUICK" = 1 ] && { few=20; many=100; bigfew=10; bigmany=40; }
	pf_ensure
	out "" "### Through Postfix (smtp-source -> private Postfix $(postconf -d -h mail_version) -> smtp-sink)" "" \
		"\`smtp-source -s SESSIONS -m N -f sender@bench.example -t user@dest.example -F MSG 127.0.0.1:PORT\`; time from the first connection to the last message in smtp-sink." \
		"milter µs = the milter process's CPU per message; machine µs = all CPU on the machine per message (Postfix, smtp-source, smtp-sink, milter — and any other load on this shared machine)." \
		"none = the same Postfix with no milter; null = bench/nullmilter, a milter that does nothing (above); *i = inet socket; last column: delivered messages (all repetitions) without the expected signature or dkim=pass (postseal must have none); psver/odkver verify the signed message (client outside internal hosts for postseal, Mode v for OpenDKIM); psver also checks SPF and DMARC, odkdmarc = OpenDKIM then OpenDMARC (both need dkim=pass and dmarc=pass)." "" \
		"| config | size | sessions | msg/s | vs none | milter µs/msg | machine µs/msg | not signed/verified |" "|---|---|---|---|---|---|---|---|"
	# OpenDKIM on inet takes about 90 ms per message with one session: too
	# slow to repeat, so the inet rows start at 10 sessions.
	pf_rows 4k 1 "$few" none psrsa psed psdual psver odkrsa odkver odkdmarc
	pf_rows 4k 10 "$many" none null nulli psrsa psrsai odkrsa odkrsai
	pf_rows 4k 20 "$many" $PF_CONFIGS
	pf_rows 100k 1 "$bigfew" none psrsa psed psdual odkrsa psver odkver odkdmarc
	pf_rows 100k 20 "$bigmany" none psrsa psed psdual odkrsa psver odkver odkdmarc
	# The null milter on the same socket is what any milter leaves of
	# Postfix alone here: the bound the share is read against.
	for c in psrsa psrsai; do
		eval "local r=\$PF_${c}_4k_10 n=\$PF_null${c#psrsa}_4k_10"
		local f=$(ratio "$r" "$PF_none_4k_10" 3)
		target "through Postfix, 4 KB, 10 sessions: $c >= 80 % of no milter ($([ $c = psrsa ] && echo unix || echo inet))" \
			"$(ge "$f" 0.8 && echo 1 || echo 0)" "$r vs $PF_none_4k_10 msg/s: $f (null milter: $(ratio "$n" "$PF_none_4k_10"), postseal / null milter: $(ratio "$r" "$n"); OpenDKIM: $(ratio "$(eval echo \$PF_odk${c#ps}_4k_10)" "$PF_none_4k_10"))"
	done
}
