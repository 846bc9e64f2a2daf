#!/bin/bash
# test_install: "cmake --install" into a staging directory puts every file
# where Debian and Fedora expect it, with the right modes, and what it
# installs works: the binaries run, the shipped configuration passes -n,
# the man pages render without warnings, sysusers.d and tmpfiles.d make
# the user and directories the daemons need, and the systemd units verify.
#
# Nothing outside the temporary directory is touched: sysusers and tmpfiles
# run with --root, the units are verified from a copy.
set -u
. "$SRCDIR/tests/integration/common.sh"
ps_tmpdir

STAGE=$PS_TMP/stage
EXPECTED=$SRCDIR/tests/data/install-files.txt
VERSION=$(sed -n 's/^project(postseal VERSION \([0-9.]*\).*/\1/p' \
    "$SRCDIR/CMakeLists.txt")
[ -n "$VERSION" ] || ps_fail "no project version in CMakeLists.txt"

# A build configured for any prefix installs for /usr when told so.
stage_install() {
	DESTDIR=$STAGE cmake --install "$BINDIR" --prefix /usr \
	    >"$PS_TMP/install.log" 2>&1 ||
		{ cat "$PS_TMP/install.log" >&2; ps_fail "cmake --install"; }
}

# The installed files, exactly: nothing missing, nothing extra.  SECURITY.md
# is expected only when the source tree has one.
check_file_list() {
	local want=$PS_TMP/want.txt got=$PS_TMP/got.txt

	if [ -f "$SRCDIR/SECURITY.md" ]; then
		cp "$EXPECTED" "$want"
	else
		grep -v '/SECURITY\.md$' "$EXPECTED" >"$want"
	fi
	(cd "$STAGE" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$got"
	diff -u "$want" "$got" >"$PS_TMP/list.diff" ||
		{ cat "$PS_TMP/list.diff" >&2; ps_fail "installed file list differs"; }
	echo "ok: $(wc -l <"$got") files where expected"
}

# Programs 0755, everything else (config, man pages, units, docs) 0644:
# a package's file modes, whatever the umask.
check_modes() {
	local f mode want

	while read -r mode f; do
		case $f in
		usr/sbin/*) want=755 ;;
		*) want=644 ;;
		esac
		[ "$mode" = "$want" ] || ps_fail "$f: mode $mode, want $want"
	done < <(cd "$STAGE" && find . ! -type d -printf '%m %P\n')
	echo "ok: modes"
}

# run_check CMD...: run a -n check of the shipped configuration.  It names
# /var/lib/postseal/dmarc.db, so where this machine has that directory the
# check runs in a private mount namespace with an empty one in its place.
run_check() {
	if [ ! -d /var/lib/postseal ]; then
		"$@"
		return
	fi
	mkdir -p "$PS_TMP/varlib"
	unshare -m sh -c 'mount --bind "$0" /var/lib/postseal && exec "$@"' \
	    "$PS_TMP/varlib" "$@"
}

check_binaries() {
	local out

	out=$("$STAGE/usr/sbin/postseal" --version) ||
		ps_fail "postseal --version exited $?"
	[ "$out" = "postseal $VERSION" ] ||
		ps_fail "postseal --version: '$out', want 'postseal $VERSION'"
	"$STAGE/usr/sbin/postseal" help >"$PS_TMP/help.txt" ||
		ps_fail "postseal help exited $?"
	ps_assert_contains "$PS_TMP/help.txt" "postseal(8)"
	for d in milter policyd; do
		out=$(run_check "$STAGE/usr/sbin/postseal-$d" -n \
		    -c "$STAGE/etc/postseal/postseal.conf" 2>"$PS_TMP/$d-n.err")
		[ $? -eq 0 ] && [ "$out" = "configuration OK" ] || {
			cat "$PS_TMP/$d-n.err" >&2
			ps_fail "postseal-$d -n on the installed config: '$out'"
		}
	done
	echo "ok: binaries run, shipped configuration passes -n"
}

# The configuration is installed where the programs look for it: without
# -c, they name /etc/postseal/postseal.conf (on a machine without one) or
# read it.
check_default_path() {
	[ -e /etc/postseal/postseal.conf ] && {
		echo "skip: /etc/postseal/postseal.conf exists on this machine"
		return
	}
	"$STAGE/usr/sbin/postseal-milter" -n >/dev/null 2>"$PS_TMP/default.err" &&
		ps_fail "postseal-milter -n without a configuration succeeded"
	ps_assert_contains "$PS_TMP/default.err" "/etc/postseal/postseal.conf"
	[ -f "$STAGE/etc/postseal/postseal.conf" ] ||
		ps_fail "configuration not installed under /etc/postseal"
	echo "ok: compiled-in configuration path is the installed one"
}

# Every man page renders without a warning, and its .TH matches its name.
check_man_pages() {
	local f n=0 warn th base sect

	for f in "$STAGE"/usr/share/man/man*/*; do
		warn=$(man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
		[ -z "$warn" ] || ps_fail "man --warnings $(basename "$f"): $warn"
		base=$(basename "$f")
		sect=${base##*.}
		th=$(awk '$1 == ".TH" { print tolower($2) " " $3; exit }' "$f")
		[ "$th" = "${base%.*} $sect" ] ||
			ps_fail "$base: .TH says '$th', want '${base%.*} $sect'"
		[ "$(basename "$(dirname "$f")")" = "man$sect" ] ||
			ps_fail "$base is not in man$sect"
		n=$((n + 1))
	done
	[ "$n" -ge 4 ] || ps_fail "only $n man pages installed"
	echo "ok: $n man pages, no warnings"
}

# sysusers.d and tmpfiles.d applied to an empty root: user and group
# postseal, then the key, state and socket directories with their owners.
check_sysusers_tmpfiles() {
	local root=$PS_TMP/root uid gid pfgid

	if ! command -v systemd-sysusers >/dev/null ||
	    ! command -v systemd-tmpfiles >/dev/null; then
		echo "skip: systemd-sysusers/systemd-tmpfiles not installed"
		return
	fi
	mkdir -p "$root/etc"
	: >"$root/etc/passwd"; : >"$root/etc/shadow"; : >"$root/etc/gshadow"
	echo "postfix:x:4711:" >"$root/etc/group"
	systemd-sysusers --root="$root" "$STAGE/usr/lib/sysusers.d/postseal.conf" \
	    >"$PS_TMP/sysusers.log" 2>&1 ||
		{ cat "$PS_TMP/sysusers.log" >&2; ps_fail "systemd-sysusers"; }
	uid=$(awk -F: '$1 == "postseal" { print $3 }' "$root/etc/passwd")
	gid=$(awk -F: '$1 == "postseal" { print $4 }' "$root/etc/passwd")
	[ -n "$uid" ] || ps_fail "sysusers made no user postseal"
	[ "$(awk -F: '$1 == "postseal" { print $3 }' "$root/etc/group")" = "$gid" ] ||
		ps_fail "user postseal's group is not group postseal"
	awk -F: '$1 == "postseal" && $7 == "/usr/sbin/nologin" { ok = 1 }
	    END { exit !ok }' "$root/etc/passwd" ||
		ps_fail "user postseal can log in"
	awk -F: '$1 == "postfix" && $4 ~ /postseal/ { bad = 1 }
	    END { exit bad }' "$root/etc/group" ||
		ps_fail "postseal was added to group postfix"
	pfgid=4711
	systemd-tmpfiles --root="$root" --create \
	    "$STAGE/usr/lib/tmpfiles.d/postseal.conf" >"$PS_TMP/tmpfiles.log" 2>&1 ||
		{ cat "$PS_TMP/tmpfiles.log" >&2; ps_fail "systemd-tmpfiles"; }
	expect_node "$root/etc/postseal/keys" "750 0 $gid"
	expect_node "$root/var/lib/postseal" "750 $uid $gid"
	expect_node "$root/var/lib/postseal/dmarc.db" "640 $uid $gid"
	expect_node "$root/var/spool/postfix/postseal" "750 $uid $pfgid"
	echo "ok: sysusers.d user postseal, tmpfiles.d directories"
}

# expect_node PATH "MODE UID GID"
expect_node() {
	local got

	got=$(stat -c '%a %u %g' "$1" 2>/dev/null) || ps_fail "$1 not created"
	[ "$got" = "$2" ] || ps_fail "$1: mode/uid/gid $got, want $2"
}

# The units: hardened the same way, checked (-n) before start, reloadable,
# and accepted by systemd-analyze verify (pointed at the staged binaries).
check_units() {
	local u f units=$PS_TMP/units

	for u in postseal-milter postseal-policyd; do
		f=$STAGE/usr/lib/systemd/system/$u.service
		for line in "ExecStartPre=/usr/sbin/$u -n" \
		    "ExecStart=/usr/sbin/$u -f" "ExecReload=/bin/kill -HUP \$MAINPID" \
		    "NoNewPrivileges=yes" "ProtectSystem=strict" \
		    "RuntimeDirectory=postseal" "RuntimeDirectoryPreserve=yes"; do
			grep -qxF -- "$line" "$f" || ps_fail "$u.service lacks '$line'"
		done
		! grep -q '^StateDirectory=' "$f" ||
			ps_fail "$u.service: StateDirectory= would chown /var/lib/postseal to root"
	done
	if ! command -v systemd-analyze >/dev/null; then
		echo "skip: systemd-analyze not installed, units not verified"
		return
	fi
	mkdir -p "$units"
	for f in "$STAGE"/usr/lib/systemd/system/*.service; do
		sed "s|/usr/sbin/|$STAGE/usr/sbin/|g" "$f" >"$units/$(basename "$f")"
	done
	systemd-analyze verify --man=no "$units"/*.service >"$PS_TMP/verify.log" 2>&1 ||
		{ cat "$PS_TMP/verify.log" >&2; ps_fail "systemd-analyze verify"; }
	[ ! -s "$PS_TMP/verify.log" ] ||
		{ cat "$PS_TMP/verify.log" >&2; ps_fail "systemd-analyze verify warns"; }
	echo "ok: units verified by systemd-analyze"
}

# Installing again over a changed configuration keeps the admin's file.
check_config_kept() {
	local conf=$STAGE/etc/postseal/postseal.conf

	echo '# changed by the admin' >>"$conf"
	stage_install
	tail -n 1 "$conf" | grep -qxF '# changed by the admin' ||
		ps_fail "a second install overwrote postseal.conf"
	cmp -s "$STAGE/etc/postseal/postseal.conf.dist" "$SRCDIR/etc/postseal.conf" ||
		ps_fail "postseal.conf.dist is not the shipped configuration"
	echo "ok: an existing postseal.conf is kept, the new one is .dist"
}

stage_install
check_file_list
check_modes
check_binaries
check_default_path
check_man_pages
check_sysusers_tmpfiles
check_units
check_config_kept
echo "PASS: test_install"
