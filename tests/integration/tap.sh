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

# diag FILE: shows the tail of a log as TAP comments.
diag() { [ -f "$1" ] && tail -${2:-15} "$1" | sed "s|^|# $(basename "$1"): |"; }

tap_done() {
	if [ "$tap_failed" -gt 0 ]; then
		diag "$WORLD/kartd.log" 30
	fi
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
