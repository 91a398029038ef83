#!/bin/bash
# The desktop clients' cost, against the real world (one card):
#  - kart-notify: resident memory and system calls in SECONDS idle seconds
#    (it should sleep in its event loop and make none);
#  - kart-gui under Xvfb: time from start until the card's serial is on the
#    cards page as AT-SPI reads it (polled every 0.3 s, so the figure is
#    an upper bound to about 0.3 s), and its resident memory then.
# usage: bench/desktop.sh [SECONDS]   (after a build in KART_TOP_BUILDDIR)
set -u
seconds=${1:-30}
top=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top/tests/world/world.sh"
world_start >/dev/null || exit 1
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
serial=$("$CTL" --json status | sed -n 's/.*"serial":"\([^"]*\)".*/\1/p' | head -n1)

notify=$KART_TOP_BUILDDIR/client/notify/kart-notify
rss() { awk '/^VmRSS/ {print $2, $3}' "/proc/$1/status"; }
# shellcheck disable=SC2016 # expanded by the inner shell
env SECONDS_IDLE="$seconds" NOTIFY="$notify" OUT="$WORLD/notify.strace" dbus-run-session -- bash -c '
	"$NOTIFY" --no-daemon >/dev/null 2>&1 & pid=$!
	sleep 2
	echo "kart-notify idle RSS: $(awk "/^VmRSS/ {print \$2, \$3}" /proc/$pid/status)"
	timeout -s INT "$SECONDS_IDLE" strace -f -qq -p $pid -o "$OUT" 2>/dev/null
	calls=$(grep -Evc "unfinished|detached|resumed|\+\+\+|---" "$OUT")
	echo "kart-notify system calls in $SECONDS_IDLE idle seconds: $calls"
	grep -Ev "unfinished|detached|resumed|\+\+\+|---" "$OUT" | sed -E "s/^[0-9]+ +//; s/\(.*//" | sort | uniq -c | sed "s/^/    /"
	kill $pid'

gui=$KART_TOP_BUILDDIR/client/gui/kart-gui
py=/usr/bin/python3
if [ -x "$gui" ] && command -v Xvfb >/dev/null; then
	. "$top/tests/integration/xvfb.sh"
	# shellcheck disable=SC2016
	with_xvfb env GUI="$gui" PY="$py" ATSPI="$top/tests/integration/gui-atspi.py" SERIAL="$serial" LC_ALL=C.UTF-8 \
		dbus-run-session -- bash -c '
		# the accessibility bus up first, so that it is not counted
		"$PY" "$ATSPI" nothing 0 >/dev/null 2>&1
		start=$(date +%s%N)
		"$GUI" >/dev/null 2>&1 & pid=$!
		if "$PY" "$ATSPI" kart-gui 20 "Serial number: $SERIAL" >/dev/null; then
			end=$(date +%s%N)
			echo "kart-gui: the card on the cards page after $(( (end - start) / 1000000 )) ms (AT-SPI polled every 300 ms)"
			echo "kart-gui RSS then: $(awk "/^VmRSS/ {print \$2, \$3}" /proc/$pid/status)"
		else
			echo "kart-gui: the card did not show within 20 s"
		fi
		kill $pid' 2>/dev/null
else
	echo "kart-gui: not built or no Xvfb; skipped"
fi
world_stop
