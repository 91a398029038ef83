# shellcheck shell=bash
# TAP helpers for the integration tests (sourced).
# Every check prints "ok N - what" or "not ok N - what" plus diagnostics.

tap_n=0
tap_failed=0

tap_plan() { echo "1..$1"; }

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

# check "description" command...: ok when the command succeeds.
check() {
	local what=$1; shift
	local out=${WORLD:-${TMPDIR:-/tmp}}/check.out
	if "$@" >"$out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/# /' "$out" | tail -20
	fi
}

# check_eq "description" expected actual
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "# expected: '$2'"
		echo "#      got: '$3'"
	fi
}

# lacks FILE [GREP-OPTIONS...] PATTERN: true when FILE exists, is not empty
# and has no line matching PATTERN (grep "$@" FILE). A missing, empty or
# unreadable file proves nothing, so it fails, saying which; so does a
# match (shown). A directory (GREP-OPTIONS with -r) must hold at least one
# non-empty file.
lacks() {
	local file=$1 rc
	shift
	if [ -d "$file" ]; then
		if [ -z "$(find "$file" -type f -size +0c -print -quit 2>/dev/null)" ]; then
			echo "lacks: $file holds no file that is not empty: nothing was looked at"
			return 1
		fi
	elif [ ! -s "$file" ] || [ ! -r "$file" ]; then
		echo "lacks: $file is missing, empty or unreadable: nothing was looked at"
		return 1
	fi
	grep -n "$@" "$file"
	rc=$?
	case $rc in
	0) echo "lacks: $file has the lines above"; return 1 ;;
	1) return 0 ;;
	*) echo "lacks: grep failed on $file (status $rc)"; return 1 ;;
	esac
}

# Skips. A test skips what this machine lacks; but on a machine set up by
# build-aux/setup-debian (CI: build-aux/check-all exports KART_CI=1) every
# component the tests use is installed, and a skip there would hide a
# failure: the skips below then fail. (What even CI does not have, e.g.
# pcscd's polkit policy, a test skips with a plain "ok N # SKIP".)
#
# skip_or_fail REASON: the whole test, before its plan: "1..0 # SKIP
# REASON" and exit 0; under KART_CI=1, a plan of one failed check.
skip_or_fail() {
	if [ "${KART_CI:-0}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - KART_CI=1: CI installs everything this test needs, yet: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}
# skip_check_or_fail REASON: one check, "ok N # SKIP REASON"; under
# KART_CI=1 a failed check.
skip_check_or_fail() {
	if [ "${KART_CI:-0}" = 1 ]; then
		not_ok "KART_CI=1: CI installs everything this check needs, yet: $*"
	else
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP $*"
	fi
}

# diag FILE: shows the tail of a log as TAP comments.
diag() { [ -f "$1" ] && tail -${2:-15} "$1" | sed "s|^|# $(basename "$1"): |"; }

# A sanitizer's report (ASan, LeakSanitizer at exit, UBSan) from kartd or
# a simulator in the world's logs is a failure of the test that ran them,
# as one more "not ok" (the plan then no longer matches either). kartd is
# stopped first: its leak check runs at exit.
# A test that provokes one on purpose (a PKCS#11 module that lies, in its
# host) sets SANITIZER_EXPECTED to a regular expression found in that
# report (up to its SUMMARY line): such reports are left out.
sanitizer_reports() {
	local pattern='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' log found=
	# (only a world this test started: a test without one may point
	# WORLD at a directory of others' logs, e.g. /tmp)
	[ "${_WORLD_OWNED:-0}" = 1 ] && [ -n "${WORLD:-}" ] && [ -d "$WORLD" ] || return 0
	if declare -F world_stop_kartd >/dev/null; then
		world_stop_kartd >/dev/null 2>&1
	fi
	for log in "$WORLD"/*.log; do
		[ -f "$log" ] || continue
		awk -v pat="$pattern" -v ok="${SANITIZER_EXPECTED:-}" '
			function flush() {
				if (n && !(ok != "" && hit)) { for (i = 1; i <= n && i <= 40; i++) print buf[i]; bad = 1 }
				n = 0; hit = 0; inb = 0
			}
			$0 ~ pat { if (inb) flush(); inb = 1 }
			inb { buf[++n] = $0; if (ok != "" && $0 ~ ok) hit = 1; if ($0 ~ /SUMMARY: / || n >= 200) flush() }
			END { if (inb) flush(); exit !bad }' "$log" >"$WORLD/sanitizer.out" || continue
		# (which program and what, in the one line a cut-down log keeps)
		[ -n "$found" ] || not_ok "a sanitizer reported an error (the build's ASan/UBSan) in $(basename "$log"):" \
			"$(grep -m1 -E 'SUMMARY: |runtime error:' "$WORLD/sanitizer.out" | cut -c1-200)"
		found=1
		sed "s|^|# $(basename "$log"): |" "$WORLD/sanitizer.out" >>"$WORLD/sanitizer.all"
	done
}

tap_done() {
	[ -z "${WORLD:-}" ] || rm -f "$WORLD/sanitizer.all"
	sanitizer_reports
	if [ "$tap_failed" -gt 0 ]; then
		diag "$WORLD/kartd.log" 30
	fi
	# the sanitizer's own words last, where a log's tail shows them
	[ -z "${WORLD:-}" ] || [ ! -f "$WORLD/sanitizer.all" ] || cat "$WORLD/sanitizer.all"
	[ "$tap_failed" -eq 0 ]
}

# Seconds since the epoch with milliseconds.
now_ms() { date +%s%3N; }

# For tests that install kartd's polkit policy system-wide: one at a time
# (make check runs tests in parallel). Holds fd 8 until the test exits.
take_system_polkit_lock() {
	exec 8>/tmp/kartd-tests-system-polkit.lock
	flock -w 900 8 || { echo "Bail out! could not take the polkit test lock"; exit 1; }
}

# kartd_polkit_install: kartd's polkit policy and rules system-wide, and
# two users: $admin in group kartd-admin and $plain; kartd_polkit_remove
# undoes it. (With take_system_polkit_lock: one test at a time.)
kartd_polkit_install() {
	admin=kartadm$$ plain=kartusr$$
	getent group kartd-admin >/dev/null || groupadd --system kartd-admin
	useradd -M -N -G kartd-admin "$admin"
	useradd -M -N "$plain"
	install -D -m 0644 "$KART_TOP_BUILDDIR/dbus/org.kartd.policy" /usr/share/polkit-1/actions/org.kartd.policy
	install -D -m 0644 "$KART_TOP_SRCDIR/dbus/org.kartd.rules" /etc/polkit-1/rules.d/50-org.kartd.rules
}
kartd_polkit_remove() {
	rm -f /usr/share/polkit-1/actions/org.kartd.policy /etc/polkit-1/rules.d/50-org.kartd.rules
	userdel "$admin" 2>/dev/null; userdel "$plain" 2>/dev/null
}
