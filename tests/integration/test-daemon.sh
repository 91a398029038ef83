#!/bin/bash
# The daemon's command line, configuration and lifecycle.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 8
KARTD=${KARTD:-$KART_TOP_BUILDDIR/daemon/kartd}

check "--help describes the daemon" sh -c "'$KARTD' --help | grep -q 'org.kartd.Kartd1'"
check "--version prints the version" sh -c "'$KARTD' --version | grep -Eq '^kartd [0-9]'"
check "an unknown option fails" sh -c "! '$KARTD' --no-such-option 2>/dev/null"
check "a missing --config file fails clearly" sh -c "'$KARTD' --config /nonexistent/kartd.conf 2>&1 | grep -q '/nonexistent/kartd.conf'"

world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
cat >"$WORLD/kartd.conf" <<CONF
[daemon]
LogLevel=info
NoSuchKey=1
this line is not ini
[nosuchsection]
x=y
CONF
KART_KARTD_ARGS="--config $WORLD/kartd.conf" world_start_kartd
check "bad config lines are reported with file:line" grep -q "kartd.conf:3" "$WORLD/kartd.log"
check "the daemon runs despite them" busctl --system status org.kartd.Kartd1
world_stop_kartd TERM
check_eq "SIGTERM: clean exit" 0 "$?"
check "SIGTERM: the name is released" sh -c "! busctl --system status org.kartd.Kartd1 >/dev/null 2>&1"
tap_done
