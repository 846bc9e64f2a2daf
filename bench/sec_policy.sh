# sec_policy.sh: postseal-policyd against postfix-policyd-spf-python and
# postfix-policyd-spf-perl (both run by the private Postfix's spawn(8), as
# Debian documents them), driven by policygen.  Sourced by run.sh.

# policyd_start NAME: a fresh postseal-policyd on a free port; sets
# NAME_ADDR and NAME_PID.
policyd_start() {
	local port
	port=$(ps_free_port)
	cat >"$PS_TMP/$1.conf" <<CONF
user = "nobody";
authserv_id = "mx.bench.example";
dns = { nameservers = [ "127.0.0.1@53" ]; timeout = 5; };
policyd = {
  socket = "inet:127.0.0.1:$port";
  spf = { skip_addresses = [ "127.0.0.1" ]; };
};
CONF
	chmod 644 "$PS_TMP/$1.conf"
	start_bg "$1" "$BINDIR/policyd/postseal-policyd" -f -c "$PS_TMP/$1.conf"
	ps_wait_port "$port" || { cat "$PS_TMP/$1.log" >&2; ps_fail "postseal-policyd did not listen"; }
	eval "${1}_ADDR=127.0.0.1:$port"
}

# rss_sampler PATTERN FILE: in the background, keep the largest RSS (KiB)
# of one process whose command line matches PATTERN in FILE; sets SAMPLER.
rss_sampler() {
	(
		max=0
		while :; do
			for p in $(pgrep -u nobody -f "$1"); do
				r=$(rss_kb "$p")
				[ "${r:-0}" -gt "$max" ] && max=$r && echo "$max" >"$2"
			done
			sleep 0.2
		done
	) &
	SAMPLER=$!
	ps_register_pid "$SAMPLER"
}

# pol_row NAME LABEL ADDR PID MODE CLIENTS PER_CLIENT: median of REPS
# policygen runs, one table row; sets POL_<NAME>_<MODE>_<CLIENTS> (rate)
# and POL_P99 (µs).
pol_row() {
	local name=$1 label=$2 addr=$3 pid=$4 mode=$5 c=$6 n=$7 r=() p50=() p99=() i line
	local args=(-S "$addr" -c "$c" -n "$n")
	[ "$pid" != 0 ] && args+=(-p "$pid")
	for i in $(seq 1 "$REPS"); do
		[ "$mode" = cold ] && args+=(-C "r$RANDOM$i")
		line=$("$PGEN" "${args[@]}") || { echo "$line" >&2; ps_fail "policygen against $label"; }
		[ "$(kv passes "$line")" = "$((c * n))" ] ||
			ps_fail "$label: $(kv passes "$line") of $((c * n)) answers were an SPF pass: $line"
		r+=("$(kv rate "$line")"); p50+=("$(kv p50_us "$line")"); p99+=("$(kv p99_us "$line")")
	done
	eval "POL_${name}_${mode}_${c}=$(median "${r[@]}")"
	POL_P99=$(median "${p99[@]}")
	POL_LINE="| $label | $mode | $c | $(median "${r[@]}") | $(median "${p50[@]}") | $POL_P99 |"
}

section_policy() {
	local d c mode n rss
	pf_ensure
	policyd_start pspol
	out "" "### Policy daemon (policygen: persistent connections, one request after the other on each; \`policygen -S ADDR -c CLIENTS -n N [-C TAG]\`)" "" \
		"Requests: RCPT state, client 192.0.2.10, a new instance each (no per-message cache); SPF pass for HELO and MAIL FROM." \
		"warm = 16 sender domains, cached after the first requests; cold = a never-seen domain per request (wildcard TXT), no cache anywhere." \
		"The peers run under Postfix spawn(8), one process per connection (Debian's setup); one untimed request per connection first, so interpreter start-up is not counted." \
		"RSS: postseal-policyd's process; the peers: the largest single process seen (each connection has its own)." "" \
		"| daemon | cache | clients | requests/s | p50 µs | p99 µs | RSS KiB |" "|---|---|---|---|---|---|---|"
	for d in ps py pl; do
		case $d in
		ps) addr=$pspol_ADDR; pid=$pspol_PID; label=postseal-policyd ;;
		py) addr=127.0.0.1:$PYSPF_PORT; pid=0; label=policyd-spf-python ;;
		pl) addr=127.0.0.1:$PLSPF_PORT; pid=0; label=policyd-spf-perl ;;
		esac
		: >"$PS_TMP/rss.$d"
		[ $d = py ] && rss_sampler /usr/bin/policyd-spf "$PS_TMP/rss.$d"
		[ $d = pl ] && rss_sampler postfix-policyd-spf-perl "$PS_TMP/rss.$d"
		for mode in warm cold; do
			for c in 1 50; do
				case $d/$c in
				ps/1) n=2000 ;; ps/50) n=1000 ;; */1) n=150 ;; */50) n=10 ;;
				esac
				[ "$QUICK" = 1 ] && n=$((n / 5))
				pol_row "$d" "$label" "$addr" "$pid" "$mode" "$c" "$n"
				rss=$([ $d = ps ] && rss_kb "$pid" || cat "$PS_TMP/rss.$d")
				out "$POL_LINE ${rss:-?} |"
				[ $d/$mode/$c = ps/warm/50 ] && PS_P99_WARM50=$POL_P99
			done
		done
		[ $d != ps ] && kill "$SAMPLER"
	done
	local f
	f=$(ratio "$POL_ps_warm_50" "$POL_py_warm_50" 1)
	target "policy daemon: >= 30x policyd-spf-python requests/s, 50 clients (warm)" \
		"$(ge "$f" 30 && echo 1 || echo 0)" "$POL_ps_warm_50 vs $POL_py_warm_50 req/s: x$f (cold: x$(ratio "$POL_ps_cold_50" "$POL_py_cold_50" 1); perl warm: x$(ratio "$POL_ps_warm_50" "$POL_pl_warm_50" 1))"
	target "policy daemon: p99 < 2 ms, 50 clients, warm cache" \
		"$([ "$PS_P99_WARM50" -lt 2000 ] && echo 1 || echo 0)" "p99 $PS_P99_WARM50 µs"
	kill "$pspol_PID"
}

# policy_memory N: a fresh postseal-policyd, RSS idle, after N/10 and N
# warm requests from 50 clients.
policy_memory() {
	local n=$1 r0 r1 r2 g
	policyd_start polmem
	sleep 0.5
	r0=$(rss_kb "$polmem_PID")
	"$PGEN" -S "$polmem_ADDR" -c 50 -n $((n / 10 / 50)) >/dev/null || ps_fail "policygen (memory)"
	r1=$(rss_kb "$polmem_PID")
	"$PGEN" -S "$polmem_ADDR" -c 50 -n $(((n - n / 10) / 50)) >/dev/null || ps_fail "policygen (memory)"
	r2=$(rss_kb "$polmem_PID")
	g=$(ratio "$r2" "$r1" 3)
	out "| postseal-policyd | $r0 | $r1 | $r2 | x$g |"
	target "postseal-policyd RSS after $n requests within 10 % of after $((n / 10))" \
		"$(ge 1.10 "$g" && echo 1 || echo 0)" "$r1 -> $r2 KiB (x$g)"
	kill "$polmem_PID"
}
