#!/bin/bash
# While an unlock waits on a backend that takes 5 s to authorize, another
# client reads a Card property over and over: the latency it sees (the
# loop must not wait on the network). Also: backend round trips and APDUs
# per unlock. Prints figures; never passes or fails.
# usage: bench/unlock-latency.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${KART_TOP_SRCDIR:=$top}" "${KART_TOP_BUILDDIR:=$top/_build}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR
. "$top/tests/world/world.sh"

world_start >/dev/null || exit 1
world_start_backend >/dev/null || exit 1
world_restart_kartd >/dev/null || exit 1
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial" || exit 1
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
session_call() { busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$@" >/dev/null; }

reqs_before=$(wc -l <"$WORLD/backend/state/requests.log" 2>/dev/null || echo 0)
session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' \
	"$(world_backend_code unblock)" 0 | awk '{print $2}' | tr -d '"')
session_call Confirm ss password kart-test-pw
world_backend_fault authorizations delay=5000 1 >/dev/null
world_cardsim reset-count >/dev/null
t0=${EPOCHREALTIME//[.,]/}
session_call SetPin s 24681357 &
setpin=$!
sleep 0.3
# One client, one connection, reads back to back while the worker waits.
echo "PinState reads while SetPin waits 5 s for the backend: $("$KART_TOP_BUILDDIR/bench/prop-latency" "$card" 4)"
wait "$setpin"
echo "SetPin took $(( (${EPOCHREALTIME//[.,]/} - t0) / 1000 )) ms (5000 ms of it the backend's delay)"
echo "APDUs of the unlock transaction: $(world_cardsim count | awk '{print $2}')"
echo "backend requests of the unlock (create, verify, authorizations, result): $(( $(wc -l <"$WORLD/backend/state/requests.log") - reqs_before ))"
echo "the same reads with kartd idle: $("$KART_TOP_BUILDDIR/bench/prop-latency" "$card" 4)"
