# sec_milter.sh: the signing limit (`openssl speed`), the milters alone
# (miltergen, no MTA) and the milters' memory.  Sourced by run.sh.

# bench_messages: the messages every section sends, and the milters.
bench_messages() {
	"$GEN" -w "$PS_TMP/m4k.eml" -l 4096 || ps_fail "miltergen -w"
	"$GEN" -w "$PS_TMP/m100k.eml" -l 102400 || ps_fail "miltergen -w"
	"$POSTSEAL" sign -d bench.example -s rsa -k "$KEYS/bench.example/rsa.key" \
		<"$PS_TMP/m4k.eml" >"$PS_TMP/s4k.eml" || ps_fail "postseal sign"
	"$POSTSEAL" sign -d bench.example -s rsa -k "$KEYS/bench.example/rsa.key" \
		<"$PS_TMP/m100k.eml" >"$PS_TMP/s100k.eml" || ps_fail "postseal sign"
	RUN=$PS_TMP/run
	mkdir -p "$RUN" && chown nobody "$RUN" && chmod 755 "$RUN"
	local rsa='{ domain = "bench.example"; selector = "rsa"; }'
	local ed='{ domain = "bench.example"; selector = "ed"; }'
	PSRSAI_PORT=$(ps_free_port)
	ODKRSAI_PORT=$(ps_free_port)
	M_psrsa=unix:$RUN/psrsa.sock
	M_psrsai=inet:$PSRSAI_PORT@127.0.0.1
	M_psed=unix:$RUN/psed.sock
	M_psdual=unix:$RUN/psdual.sock
	M_psver=unix:$RUN/psver.sock
	M_odkrsa=unix:$RUN/odkrsa.sock
	M_odkrsai=inet:$ODKRSAI_PORT@127.0.0.1
	M_odkver=unix:$RUN/odkver.sock
	M_odmarc=unix:$RUN/odmarc.sock
	# OpenDKIM verifying, then OpenDMARC: the peers' inbound chain.
	M_odkdmarc=$M_odkver,$M_odmarc
	NULLI_PORT=$(ps_free_port)
	M_null=unix:$RUN/null.sock
	M_nulli=inet:$NULLI_PORT@127.0.0.1
	start_bg null "$BINDIR/bench/nullmilter" -S "$M_null"
	start_bg nulli "$BINDIR/bench/nullmilter" -S "$M_nulli"
	ps_milter psrsa "$M_psrsa" "$rsa"
	ps_milter psrsai "$M_psrsai" "$rsa"
	ps_milter psed "$M_psed" "$ed"
	ps_milter psdual "$M_psdual" "$rsa, $ed"
	ps_milter psver "$M_psver" "$rsa" '"192.0.2.99"'
	odk_milter odkrsa "$M_odkrsa" sv
	odk_milter odkrsai "$M_odkrsai" sv
	odk_milter odkver "$M_odkver" v "$KEYS/bench.example/rsa.key" rsa 192.0.2.99
	odmarc_milter odmarc "$M_odmarc"
	odkdmarc_PID="$odkver_PID $odmarc_PID"
	for m in null nulli psrsa psrsai psed psdual psver odkrsa odkrsai odkver odmarc; do
		eval "spec=\$M_$m"
		milter_wait "$spec" || { cat "$PS_TMP/$m.log" >&2; ps_fail "milter $m did not start"; }
	done
	chmod 666 "$RUN"/odk*.sock "$RUN"/odmarc.sock "$RUN"/null.sock
	{
		echo
		echo "Daemons: postseal-milter (\`-f\`, log to a file) and OpenDKIM (\`opendkim -f\`, \`Syslog no\`)"
		echo "sign with relaxed/relaxed and the same keys (\`postseal keygen\`, RSA-2048 and Ed25519, d=bench.example);"
		echo "verifying milters get the 4 KB message signed once by \`postseal sign\` (rsa-sha256), keys from the same unbound."
		echo "Inbound DMARC (_dmarc.bench.example: p=none): postseal-milter alone (DKIM, SPF and DMARC in one milter, history in SQLite) against OpenDKIM followed by OpenDMARC (\`opendmarc -f\`, SPF checked itself, history file)."
		echo "null/nulli: \`bench/nullmilter\`, built as postseal-milter is (static libmilter, milter/milterio.c) and negotiating the same steps and macros,"
		echo "adds one header as long as an RSA-2048 signature and does nothing else: what any milter costs Postfix here."
	} >>"$REPORT"
}

# speed_field KIND OUTPUT: "sign verify" per second from `openssl speed`.
speed_field() {
	case $1 in
	rsa) echo "$2" | awk '/^rsa 2048 bits/ {print $(NF-1), $NF}' | tail -n 1 ;;
	ed) echo "$2" | awk '/Ed25519\)/ {print $(NF-1), $NF}' | tail -n 1 ;;
	esac
}

section_limit() {
	local secs=2 rs1=() rv1=() es1=() ev1=() rs2=() rv2=() es2=() ev2=() o i
	[ "$QUICK" = 1 ] && secs=1
	for i in $(seq 1 "$REPS"); do
		o=$(openssl speed -seconds "$secs" rsa2048 ed25519 2>/dev/null)
		set -- $(speed_field rsa "$o") $(speed_field ed "$o")
		rs1+=("$1"); rv1+=("$2"); es1+=("$3"); ev1+=("$4")
		o=$(openssl speed -seconds "$secs" -multi 2 rsa2048 ed25519 2>/dev/null)
		set -- $(speed_field rsa "$o") $(speed_field ed "$o")
		rs2+=("$1"); rv2+=("$2"); es2+=("$3"); ev2+=("$4")
	done
	SPEED_RSA1=$(median "${rs1[@]}")
	SPEED_RSA2=$(median "${rs2[@]}")
	SPEED_ED1=$(median "${es1[@]}")
	SPEED_ED2=$(median "${es2[@]}")
	SPEED_RSA1_US=$(awk -v r="$SPEED_RSA1" 'BEGIN {printf "%.1f", 1e6 / r}')
	out "" "### Limit: openssl speed (\`openssl speed -seconds $secs [-multi 2] rsa2048 ed25519\`)" "" \
		"| algorithm | processes | sign/s | verify/s |" "|---|---|---|---|" \
		"| RSA-2048 | 1 | $SPEED_RSA1 | $(median "${rv1[@]}") |" \
		"| RSA-2048 | 2 | $SPEED_RSA2 | $(median "${rv2[@]}") |" \
		"| Ed25519 | 1 | $SPEED_ED1 | $(median "${ev1[@]}") |" \
		"| Ed25519 | 2 | $SPEED_ED2 | $(median "${ev2[@]}") |" "" \
		"One RSA-2048 signature on one core: $SPEED_RSA1_US µs."
}

# alone NAME SPEC CONNS TOTAL GEN_ARGS...: median rate and milter CPU per
# message over REPS runs; sets A_RATE, A_CPU (µs per message).
alone() {
	local name=$1 spec=$2 conns=$3 total=$4 rates=() cpus=() line i
	shift 4
	eval "local pid=\$${name}_PID"
	for i in $(seq 1 "$REPS"); do
		line=$("$GEN" -S "$spec" -c "$conns" -m $((total / conns)) -p "$pid" "$@") ||
			{ echo "$line" >&2; tail -n 20 "$PS_TMP/$name.log" >&2; ps_fail "miltergen against $name ($*)"; }
		rates+=("$(kv rate "$line")")
		cpus+=("$(kv milter_cpu_per_msg_us "$line")")
	done
	A_RATE=$(median "${rates[@]}")
	A_CPU=$(median "${cpus[@]}")
}

section_milter() {
	local n1=500 n20=2000 odk1 odk20 ps1 ps20 eff row
	[ "$QUICK" = 1 ] && { n1=100; n20=400; }
	[ -n "${SPEED_RSA1:-}" ] || section_limit >/dev/null
	out "" "### Milter alone (miltergen, milter protocol v6, 4 KB message; \`miltergen -S SOCKET -c CONNS -m N -f MSG -p PID\`)" "" \
		"CPU = the milter process's user+system CPU per message (/proc/PID/stat); the generator's own CPU is not counted." "" \
		"| milter | work | conns | messages/s | CPU µs/msg | openssl sign µs / CPU µs |" "|---|---|---|---|---|---|"
	for row in "null none -e1 -xX-Bench-Null" "psrsa rsa-sign -e1 -xDKIM-Signature" "odkrsa rsa-sign -e1 -xDKIM-Signature" \
	    "psed ed25519-sign -e1 -xDKIM-Signature" "psdual rsa+ed25519-sign -e2 -xDKIM-Signature" \
	    "psver verify -e1 -xdkim=pass -i192.0.2.10 -f$PS_TMP/s4k.eml" \
	    "odkver verify -e1 -xdkim=pass -i192.0.2.10 -f$PS_TMP/s4k.eml"; do
		set -- $row
		local m=$1 work=$2
		shift 2
		local args=("$@")
		case $work in *sign|none) args+=(-f "$PS_TMP/m4k.eml") ;; esac
		eval "spec=\$M_$m"
		for c in 1 20; do
			alone "$m" "$spec" "$c" "$([ "$c" = 1 ] && echo $n1 || echo $n20)" "${args[@]}"
			eff=-
			[ "$work" = rsa-sign ] && eff=$(ratio "$SPEED_RSA1_US" "$A_CPU")
			out "| $m | $work | $c | $A_RATE | $A_CPU | $eff |"
			eval "AL_${m}_${c}_RATE=$A_RATE AL_${m}_${c}_CPU=$A_CPU"
		done
	done
	out "" "null: the milter that does nothing (bench/nullmilter); psrsa/psed/psdual/psver: postseal-milter; odkrsa/odkver: OpenDKIM. Sign rate limit on 2 cores (openssl -multi 2): RSA-2048 $SPEED_RSA2/s, Ed25519 $SPEED_ED2/s;" \
		"postseal RSA-2048 at 20 connections: $(ratio "$AL_psrsa_20_RATE" "$SPEED_RSA2") of it, OpenDKIM: $(ratio "$AL_odkrsa_20_RATE" "$SPEED_RSA2")."
	eff=$(ratio "$SPEED_RSA1_US" "$AL_psrsa_20_CPU" 3)
	target "milter alone, RSA-2048, 4 KB: CPU per signature <= 1.4x openssl (efficiency >= 0.70)" \
		"$(ge "$eff" 0.7142 && echo 1 || echo 0)" "postseal $AL_psrsa_20_CPU µs/msg vs openssl $SPEED_RSA1_US µs: efficiency $eff"
	ps20=$(ratio "$AL_psrsa_20_RATE" "$AL_odkrsa_20_RATE")
	ps1=$(ratio "$AL_psrsa_1_RATE" "$AL_odkrsa_1_RATE")
	target "milter alone, RSA-2048, 4 KB: >= 1.5x OpenDKIM signatures/s" \
		"$(ge "$ps20" 1.5 && ge "$ps1" 1.5 && echo 1 || echo 0)" "x$ps1 (1 connection), x$ps20 (20 connections)"
}

# mem_run NAME SPEC TOTAL ARGS...: send TOTAL messages (20 connections).
mem_run() {
	local name=$1 spec=$2 total=$3
	shift 3
	"$GEN" -S "$spec" -c 20 -m $((total / 20)) "$@" >/dev/null ||
		ps_fail "miltergen (memory) against $name"
}

section_memory() {
	local n=100000 r0 r1 r2 m spec g
	[ "$QUICK" = 1 ] && n=10000
	out "" "### Memory (RSS, KiB; fresh daemons; 4 KB messages / warm requests, 20 milter connections, 50 policy clients)" "" \
		"| daemon | idle | after $((n / 10)) | after $n | growth $((n / 10))->$n |" "|---|---|---|---|---|"
	ps_milter psmem "unix:$RUN/psmem.sock" '{ domain = "bench.example"; selector = "rsa"; }'
	odk_milter odkmem "unix:$RUN/odkmem.sock" sv
	for m in psmem odkmem; do
		spec=unix:$RUN/$m.sock
		milter_wait "$spec" || ps_fail "milter $m did not start"
		chmod 666 "$RUN/$m.sock"
		eval "local pid=\$${m}_PID"
		sleep 0.5
		r0=$(rss_kb "$pid")
		mem_run "$m" "$spec" $((n / 10)) -f "$PS_TMP/m4k.eml" -e1
		r1=$(rss_kb "$pid")
		mem_run "$m" "$spec" $((n - n / 10)) -f "$PS_TMP/m4k.eml" -e1
		r2=$(rss_kb "$pid")
		g=$(ratio "$r2" "$r1" 3)
		out "| $([ $m = psmem ] && echo postseal-milter || echo OpenDKIM) (sign) | $r0 | $r1 | $r2 | x$g |"
		[ $m = psmem ] && target "postseal-milter RSS after $n messages within 10 % of after $((n / 10))" \
			"$(ge 1.10 "$g" && echo 1 || echo 0)" "$r1 -> $r2 KiB (x$g)"
		kill "$pid"
	done
	policy_memory "$n"
}
