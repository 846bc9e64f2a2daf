# sec_postfix.sh: the milters through a private Postfix, driven by
# smtp-source, delivering to smtp-sink.  Sourced by run.sh.
#
# One Postfix instance; one smtpd listener per configuration (no milter,
# each milter on unix and inet sockets), so every configuration runs in the
# same instance, one after the other.  The same instance runs the policy
# peers under spawn(8) (sec_policy.sh).

PF_CONFIGS="none psrsa psrsai psed psdual psver odkrsa odkrsai odkver"

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
	psdual) got=$(grep -c '^DKIM-Signature:' "${files[@]}" | awk -F: '$NF >= 2' | wc -l) ;;
	psver|odkver) got=$(grep -l 'dkim=pass' "${files[@]}" | wc -l) ;;
	*) got=$(grep -l '^DKIM-Signature:' "${files[@]}" | wc -l) ;;
	esac
	case $1 in
	none|ps*) [ "$got" = "$want" ] ||
		ps_fail "$1: $got of $2 delivered messages as expected (want $want)" ;;
	esac
	[ "$1" = none ] && got=$2
	echo "$got"
}

# pf_once CONFIG MSGFILE SESSIONS TOTAL: one timed run; prints
# "rate milter_us machine_us checked".
pf_once() {
	local c=$1 file=$2 s=$3 total=$4 port pid=0 t0 t1 m0 m1 k0 k1 i
	eval "port=\$PF_PORT_$c"
	[ "$c" != none ] && eval "pid=\$${c}_PID"
	find "$SINK_DIR" -type f -delete
	m0=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
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
	m1=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
	[ "$(sink_count)" -ge "$total" ] || { tail -n 20 "$PF_DIR/maillog" >&2; ps_fail "$c: not all delivered"; }
	ok=$(pf_check "$c" "$total") || exit 1
	awk -v ok="$ok" -v n="$total" -v t="$(echo "$t1 - $t0" | bc -l)" -v m=$((m1 - m0)) -v k=$((k1 - k0)) \
		-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f %.0f %.0f %d\n", n / t, m / hz / n * 1e6, k / hz / n * 1e6, ok}'
}

# pf_row CONFIG SIZE MSGFILE SESSIONS TOTAL: median of REPS, one table row.
pf_row() {
	local c=$1 size=$2 file=$3 s=$4 total=$5 r=() mu=() ku=() i rate base bad=0
	for i in $(seq 1 "$REPS"); do
		set -- $(pf_once "$c" "$file" "$s" "$total")
		[ $# = 4 ] || ps_fail "$c: run failed"
		r+=("$1"); mu+=("$2"); ku+=("$3"); bad=$((bad + total - $4))
	done
	rate=$(median "${r[@]}")
	eval "PF_${c}_${size}_${s}=$rate"
	eval "base=\${PF_none_${size}_${s}:-$rate}"
	out "| $c | $size | $s | $rate | $(ratio "$rate" "$base") | $([ "$c" = none ] && echo - || median "${mu[@]}") | $(median "${ku[@]}") | $bad |"
}

section_postfix() {
	local few=50 many=300 bigfew=20 bigmany=100 c s
	[ "$QUICK" = 1 ] && { few=20; many=100; bigfew=10; bigmany=40; }
	pf_ensure
	out "" "### Through Postfix (smtp-source -> private Postfix $(postconf -d -h mail_version) -> smtp-sink)" "" \
		"\`smtp-source -s SESSIONS -m N -f sender@bench.example -t user@dest.example -F MSG 127.0.0.1:PORT\`; time from the first connection to the last message in smtp-sink." \
		"milter µs = the milter process's CPU per message; machine µs = all CPU on the machine per message (Postfix, smtp-source, smtp-sink, milter — and any other load on this shared machine)." \
		"none = the same Postfix with no milter; *i = inet socket; last column: delivered messages (all repetitions) without the expected signature or dkim=pass (postseal must have none); psver/odkver verify the signed message (client outside internal hosts for postseal, Mode v for OpenDKIM)." "" \
		"| config | size | sessions | msg/s | vs none | milter µs/msg | machine µs/msg | not signed/verified |" "|---|---|---|---|---|---|---|---|"
	for s in 1 10 20; do
		for c in $PF_CONFIGS; do
			case $s/$c in
			1/*i) continue ;;	# ~90 ms per message on inet for OpenDKIM: too slow to repeat
			10/none|10/psrsa|10/psrsai|10/odkrsa|10/odkrsai|20/*|1/*) ;;
			*) continue ;;
			esac
			pf_row "$c" 4k "$PS_TMP/$([ "${c%ver}" != "$c" ] && echo s4k || echo m4k).eml" \
				"$s" "$([ "$s" = 1 ] && echo "$few" || echo "$many")"
		done
	done
	for s in 1 20; do
		for c in none psrsa psdual odkrsa psver odkver; do
			pf_row "$c" 100k "$PS_TMP/$([ "${c%ver}" != "$c" ] && echo s100k || echo m100k).eml" \
				"$s" "$([ "$s" = 1 ] && echo "$bigfew" || echo "$bigmany")"
		done
	done
	for c in psrsa psrsai; do
		eval "local r=\$PF_${c}_4k_10"
		local f=$(ratio "$r" "$PF_none_4k_10")
		target "through Postfix, 4 KB, 10 sessions: $c >= 80 % of no milter ($([ $c = psrsa ] && echo unix || echo inet))" \
			"$(ge "$f" 0.8 && echo 1 || echo 0)" "$r vs $PF_none_4k_10 msg/s: $f (OpenDKIM: $(ratio "$(eval echo \$PF_odk${c#ps}_4k_10)" "$PF_none_4k_10"))"
	done
}
