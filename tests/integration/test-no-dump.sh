#!/bin/bash
# PINs pass through kartd and kartctl: both make themselves non-dumpable
# (PR_SET_DUMPABLE 0), so no core file is written and even processes of
# the same user cannot read their memory (/proc/PID/mem, environ) or
# ptrace them; the unit also sets LimitCORE=0. The kernel shows a
# non-dumpable process by handing the files in its /proc/PID to root.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

plain=kartnd$$
trap 'world_stop; userdel "$plain" 2>/dev/null' EXIT
useradd -M -N "$plain"
card_start
trap 'world_stop; userdel "$plain" 2>/dev/null' EXIT
tap_plan 6

# kartd runs as user kartd in the world (as the service does).
kuser=$(stat -c %U "/proc/$WORLD_KARTD_PID/status")
check_eq "kartd runs as user kartd" kartd "$(ps -o user= -p "$WORLD_KARTD_PID" | tr -d ' ')"
check_eq "kartd's /proc entry belongs to root: non-dumpable" root "$kuser"
check "user kartd cannot read kartd's environment" \
	sh -c "! runuser -u kartd -- head -c1 /proc/$WORLD_KARTD_PID/environ >/dev/null"

# kartctl waiting for the PIN on standard input (a FIFO nobody writes yet).
mkfifo "$WORLD/pin.fifo"
chmod 0666 "$WORLD/pin.fifo"
runuser -u "$plain" -- "$CTL" verify-pin --stdin <"$WORLD/pin.fifo" >"$WORLD/ctl.out" 2>&1 &
job=$!
exec 9>"$WORLD/pin.fifo"        # opens once the reading end is open
world_wait_for 5 pgrep -u "$plain" -x kartctl
ctl=$(pgrep -u "$plain" -x kartctl)
# pgrep may see it before its main() ran (slow under ASan): wait for it.
check "kartctl's /proc entry belongs to root: non-dumpable" \
	world_wait_for 5 sh -c "stat -c %U /proc/$ctl/status | grep -qx root"
check "the user running kartctl cannot read its environment" \
	sh -c "! runuser -u '$plain' -- head -c1 /proc/$ctl/environ >/dev/null"
exec 9>&-                       # end of input: kartctl gives up, sends nothing
wait "$job"

check "the unit sets LimitCORE=0" grep -qx 'LimitCORE=0' "$KART_TOP_BUILDDIR/systemd/kartd.service"
tap_done
