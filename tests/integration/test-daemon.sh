#!/bin/bash
# The daemon's command line, configuration and lifecycle.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 10
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
[PKCS11]
Registry=no
CONF
# sd_notify: a datagram socket stands in for systemd's.
/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)  # kartd runs as its own user
open(sys.argv[2], "w").close()
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\n"); f.flush()
' "$WORLD/notify.sock" "$WORLD/notify.log" &
notify_pid=$!
world_wait_for 5 test -e "$WORLD/notify.log"
NOTIFY_SOCKET=$WORLD/notify.sock KART_KARTD_ARGS="--config $WORLD/kartd.conf" world_start_kartd
world_wait_for 5 grep -q READY=1 "$WORLD/notify.log"
check "READY=1 is sent to the notify socket" grep -q '^READY=1' "$WORLD/notify.log"
check "bad config lines are reported with file:line" grep -q "kartd.conf:3" "$WORLD/kartd.log"
check "the daemon runs despite them" busctl --system status org.kartd.Kartd1
world_stop_kartd TERM
check_eq "SIGTERM: clean exit" 0 "$?"
check "SIGTERM: the name is released" sh -c "! busctl --system status org.kartd.Kartd1 >/dev/null 2>&1"
check "STOPPING=1 is sent on the way out" grep -q '^STOPPING=1' "$WORLD/notify.log"
kill "$notify_pid" 2>/dev/null
tap_done
