#!/bin/bash
# Idle cost of kartd with one reader and one card: resident memory, and
# every system call kartd's threads make in SECONDS idle seconds (strace),
# which should be none of its own.
# usage: bench/idle.sh [SECONDS]   (after a build in KART_TOP_BUILDDIR)
set -u
seconds=${1:-30}
. "$(dirname "$0")/../tests/world/world.sh"
world_start >/dev/null || exit 1
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
sleep 2

rss=$(awk '/^VmRSS/ {print $2, $3}' "/proc/$WORLD_KARTD_PID/status")
threads=$(ls "/proc/$WORLD_KARTD_PID/task" | wc -l)
echo "kartd idle RSS: $rss ($threads threads)"

timeout -s INT "$seconds" strace -f -qq -p "$WORLD_KARTD_PID" -o "$WORLD/idle.strace" 2>/dev/null
# Lines strace prints for the calls it finds blocked when it attaches or
# detaches (<unfinished ...>, <detached ...>, resumed) are not wake-ups.
total=$(wc -l <"$WORLD/idle.strace")
calls=$(grep -Evc 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/idle.strace")
echo "kartd system calls in $seconds idle seconds: $calls (strace lines incl. attach/detach: $total)"
grep -Ev 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/idle.strace" | sed -E 's/^[0-9]+ +//; s/\(.*//' | sort | uniq -c | sort -rn | head -5 | sed 's/^/    /'
