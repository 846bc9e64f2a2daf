#!/usr/bin/env bash
# bench/run.sh: postseal against OpenDKIM, postfix-policyd-spf-python,
# postfix-policyd-spf-perl, OpenDMARC and the `openssl speed` limit, on
# loopback.
#
#	bench/run.sh [--quick] [--no-build] [--sections "limit milter postfix policy memory"]
#
# Builds postseal (Release, build-bench/, the default built-in SPF engine
# unless POSTSEAL_SPF=libspf2 is set) and the load generators, then
# runs everything inside a private network + mount namespace (unshare -n
# -m): one unbound on 127.0.0.1:53 serves the bench zone (keys, SPF) to
# every daemon, /etc/resolv.conf is replaced inside the namespace only, so
# peers that read it reach the same server.  Every process is started
# here, stopped by PID, and the temporary directory removed on exit.
# Each figure is the median of REPS runs (5; 1 with --quick, which also
# uses small counts and only checks that the scripts work).  The report,
# with commands and versions, is appended to bench/RESULTS.md (with
# --quick: printed only, unless BENCH_RECORD=1).  --no-build uses the
# binaries already in build-bench/ (BENCH_BUILD overrides the directory).
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
BINDIR=${BENCH_BUILD:-$SRCDIR/build-bench}
QUICK=0
BUILD=1
SECTIONS="limit milter postfix policy memory"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--no-build) BUILD=0 ;;
	--sections) SECTIONS=$2; shift ;;
	*) echo "usage: bench/run.sh [--quick] [--no-build] [--sections LIST]" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (private Postfix, namespaces)" >&2; exit 2; }

if [ "${BENCH_IN_NS:-0}" != 1 ]; then
	note() { echo "bench: $*" >&2; }
	if [ "$BUILD" = 1 ]; then
		note "building postseal (Release) in $BINDIR"
		cmake -S "$SRCDIR" -B "$BINDIR" -DCMAKE_BUILD_TYPE=Release \
			-DPOSTSEAL_TESTS=OFF -DPOSTSEAL_SPF="${POSTSEAL_SPF:-builtin}" \
			>/dev/null || exit 1
		cmake --build "$BINDIR" -j2 >/dev/null || exit 1
	fi
	mkdir -p "$BINDIR/bench"
	make -s -C "$BENCH_DIR" BUILD="$BINDIR/bench" || exit 1
	for p in postfix-policyd-spf-python postfix-policyd-spf-perl opendmarc; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "$p" >/dev/null || exit 1
	done
	args=()
	[ "$QUICK" = 1 ] && args+=(--quick)
	exec env BENCH_IN_NS=1 BENCH_BUILD="$BINDIR" unshare -n -m --propagation private \
		bash "$0" "${args[@]}" --sections "$SECTIONS"
fi

ip link set lo up || exit 1
# Everything the bench writes (Postfix queue, smtp-sink's files, logs) on a
# tmpfs private to this mount namespace: on this machine's ext4, creating
# queue files after thousands of deletes cost Postfix more CPU with every
# repetition (ext4 inode allocation skipping recently deleted inodes), and
# that drift, not the daemons, set the figures.
mount -t tmpfs -o size=4g,mode=1777 tmpfs "${TMPDIR:-/tmp}" || exit 1
. "$SRCDIR/tests/integration/common.sh"
. "$SRCDIR/tests/integration/postfix.sh"
. "$SRCDIR/tests/integration/milter.sh"
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/sec_milter.sh"
. "$BENCH_DIR/sec_postfix.sh"
. "$BENCH_DIR/sec_policy.sh"
GEN=$BINDIR/bench/miltergen
PGEN=$BINDIR/bench/policygen
REPS=5
[ "$QUICK" = 1 ] && REPS=1
MISSED=0

ps_tmpdir
chmod 755 "$PS_TMP"
REPORT=$PS_TMP/report.md
TARGETS=$PS_TMP/targets.md
: >"$REPORT"
: >"$TARGETS"
printf 'nameserver 127.0.0.1\n' >"$PS_TMP/resolv.conf"
mount --bind "$PS_TMP/resolv.conf" /etc/resolv.conf || ps_fail "bind-mount resolv.conf"

# Keys and the zone every daemon uses.
KEYS=$PS_TMP/keys
"$POSTSEAL" keygen -d bench.example -s rsa -D "$KEYS" --user nobody >"$PS_TMP/rsa.zone" ||
	ps_fail "keygen rsa"
"$POSTSEAL" keygen -d bench.example -s ed -a ed25519 -D "$KEYS" --user nobody \
	>"$PS_TMP/ed.zone" || ps_fail "keygen ed25519"
ps_write_zone "$PS_TMP/bench.example.zone" bench.example
{
	grep -hv '^;' "$PS_TMP/rsa.zone" "$PS_TMP/ed.zone"
	echo '@ TXT "v=spf1 ip4:192.0.2.10 -all"'
	echo '*.warm TXT "v=spf1 ip4:192.0.2.10 -all"'
	echo '*.cold TXT "v=spf1 ip4:192.0.2.10 -all"'
	echo '_dmarc TXT "v=DMARC1; p=none"'
} >>"$PS_TMP/bench.example.zone"
dns_start_53 "$PS_TMP/bench.example.zone"

# The messages: 4 KB and 100 KB, and the 4 KB one signed for verifying.
{
	echo
	echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$QUICK" = 1 ] && echo ' (--quick: 1 repetition, small counts; checks the scripts only)')"
	echo
	echo "- Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r)."
	echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg). The machine is shared with other builds: absolute figures are noisy; ratios are measured in the same run."
	echo "- postseal $(git -C "$SRCDIR" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree), Release build, SPF engine $(sed -n 's/^POSTSEAL_SPF:STRING=//p' "$BINDIR/CMakeCache.txt"), $(cc --version | head -n 1)."
	echo "- $(openssl version); OpenDKIM $(opendkim -V 2>&1 | sed -n 's/.*Filter v//p' | head -n 1) and OpenDMARC $(dpkg-query -W -f='${Version}' opendmarc) (Debian); Postfix $(postconf -d -h mail_version); unbound $(unbound -V 2>/dev/null | sed -n 's/^Version //p');" \
		"postfix-policyd-spf-python $(dpkg-query -W -f='${Version}' postfix-policyd-spf-python); postfix-policyd-spf-perl $(dpkg-query -W -f='${Version}' postfix-policyd-spf-perl)."
	echo "- Command: \`bench/run.sh$([ "$QUICK" = 1 ] && echo ' --quick')\`; each figure is the median of $REPS run(s)."
} >>"$REPORT"
bench_messages

START=$(date +%s)
for s in $SECTIONS; do
	note "section $s ($(date +%T))"
	"section_$s" || ps_fail "section $s failed"
done

{
	echo
	echo "### Targets"
	echo
	echo "| target | result | measured |"
	echo "|---|---|---|"
	cat "$TARGETS"
	echo
	echo "Run time: $(( $(date +%s) - START )) s."
} >>"$REPORT"
umount /etc/resolv.conf 2>/dev/null
cat "$REPORT"
if [ "$QUICK" = 0 ] || [ "${BENCH_RECORD:-0}" = 1 ]; then
	cat "$REPORT" >>"$BENCH_DIR/RESULTS.md"
	note "appended to $BENCH_DIR/RESULTS.md"
fi
note "targets missed: $MISSED"
exit 0
