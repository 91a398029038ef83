#!/bin/bash
# What MemoryMax= and TasksMax= in kartd.service rest on: kartd's resident
# memory and threads idle, with a PKCS#11 module, while calls are parked
# and flooded, and at its peak (VmHWM) after the largest messages the
# system bus lets through (32 MiB) came at once from several callers.
# Prints figures; never passes or fails. usage: bench/limits.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${KART_TOP_SRCDIR:=$top}" "${KART_TOP_BUILDDIR:=$top/_build}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR
. "$top/tests/world/world.sh"
. "$top/tests/integration/p11.sh"
PY=/usr/bin/python3
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl

figures() { # WHAT
	awk -v what="$1" '/^VmRSS/ { rss = $2 } /^VmHWM/ { hwm = $2 } /^Threads/ { t = $2 }
		END { printf "%s: VmRSS %.1f MB, peak (VmHWM) %.1f MB, %d threads\n", what, rss / 1024, hwm / 1024, t }' \
		"/proc/$WORLD_KARTD_PID/status"
}
# max_threads SECONDS: the most threads kartd had, sampled every 10 ms.
max_threads() {
	local end=$(( $(date +%s%N) + $1 * 1000000000 )) max=0 n
	while [ "$(date +%s%N)" -lt "$end" ]; do
		n=$(awk '/^Threads/ { print $2 }' "/proc/$WORLD_KARTD_PID/status")
		[ "$n" -gt "$max" ] && max=$n
		sleep 0.01
	done
	echo "$max"
}
listed() { "$CTL" certs 2>/dev/null | grep -q sign; }

world_start --polkit >/dev/null || exit 1
world_wait_for 10 listed
sleep 1
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
figures "idle, one reader with a card"

# OCSP checks (libcurl may resolve names on threads of its own).
busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card RefreshStatus >/dev/null &
refresh=$!
echo "RefreshStatus (three OCSP checks): at most $(max_threads 2) threads"
wait "$refresh"

# Calls parked while polkit decides: polkitd stopped, a user sends 300
# calls with a PIN as long as a card may take (the rest is answered Busy).
kill -STOP "$WORLD_POLKIT_PID"
runuser -u nobody -- "$PY" - "$card" 2>/dev/null <<-'PY' &
	import sys
	from gi.repository import Gio, GLib
	bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
	for _ in range(300):
	    bus.call("org.kartd.Kartd1", sys.argv[1], "org.kartd.Kartd1.Card", "VerifyPin",
	             GLib.Variant("(sa{sv})", ("7" * 255, {})), None, 0, 60000, None, None, None)
	GLib.MainLoop().run()
	PY
flood=$!
world_wait_for 10 sh -c "[ \$(grep -c 'wait for authorization' '$WORLD/kartd.log') -ge 1 ]"
sleep 2
figures "300 calls from one user, polkitd stopped (16 parked, the rest Busy)"
kill "$flood"; wait "$flood" 2>/dev/null
kill -CONT "$WORLD_POLKIT_PID"

# The largest messages: 4 callers at once, each a 32 MiB VerifyPin (the
# bus's max_message_size), answered InvalidPin before anything is parked.
big=()
for i in 1 2 3 4; do
	"$PY" - "$card" 2>>"$WORLD/big.out" <<-'PY' &
	import sys
	from gi.repository import Gio, GLib
	bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
	try:
	    bus.call_sync("org.kartd.Kartd1", sys.argv[1], "org.kartd.Kartd1.Card", "VerifyPin",
	                  GLib.Variant("(sa{sv})", ("7" * (32 * 1024 * 1024 - 4096), {})), None, 0, 60000, None)
	except GLib.Error as e:
	    print(e.message[:80], file=sys.stderr)
	PY
	big+=($!)
done
wait "${big[@]}"
echo "answers: $(sort "$WORLD/big.out" | uniq -c | tr -s ' ')"
figures "after four 32 MiB calls at once"

# A PKCS#11 module adds its thread (and, while it is first loaded, a child).
opensc=$(p11_opensc_module)
if [ -n "$opensc" ]; then
	p11_configure "Modules=$opensc" "Prefer=opensc-pkcs11.so"
	world_restart_kartd >/dev/null
	world_wait_for 10 listed
	sleep 1
	figures "with OpenSC's PKCS#11 module serving the card"
fi
world_stop
