#!/bin/bash
# The simulated card served by kartd's own driver and by OpenSC's PKCS#11
# module (Prefer=): APDUs and time from insertion until the card is listed
# with its certificates, a warm ListCertificates, and kartd's system calls
# in SECONDS idle seconds (a module with slot events is asked every 2 s).
# Prints figures; never passes or fails. usage: bench/pkcs11.sh [SECONDS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${KART_TOP_SRCDIR:=$top}" "${KART_TOP_BUILDDIR:=$top/_build}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR
. "$top/tests/world/world.sh"
. "$top/tests/integration/p11.sh"
seconds=${1:-30}
opensc=$(p11_opensc_module)
[ -n "$opensc" ] || { echo "opensc-pkcs11 is not installed: skipped"; exit 0; }

world_start --no-kartd >/dev/null || exit 1
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
listed() { "$CTL" certs 2>/dev/null | grep -q sign; }

run() { # NAME CONFIG-LINES...
	local name=$1 t0 t1 card
	shift
	p11_configure "$@"
	world_start_kartd >/dev/null || { echo "$name: kartd did not start"; return; }
	world_wait_for 10 listed || { echo "$name: no card"; return; }
	world_card_remove >/dev/null
	world_wait_for 5 sh -c "! '$CTL' status 2>/dev/null | grep -q 4b415254"
	world_cardsim reset-count >/dev/null
	t0=$(now_us)
	world_card_insert >/dev/null
	world_wait_for 10 listed
	t1=$(now_us)
	echo "$name: insertion until listed with its certificates: $(( (t1 - t0) / 1000 )) ms" \
		"(vpcd's 400 ms presence poll included), $(world_cardsim count | awk '{print $2}') APDUs"
	card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
		awk '{print $3}' | tr -d '"')
	world_cardsim reset-count >/dev/null
	t0=$(now_us)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ListCertificates >/dev/null
	done
	t1=$(now_us)
	echo "$name: warm ListCertificates: $(( (t1 - t0) / 10000 )) ms each (busctl round trip)," \
		"$(world_cardsim count | awk '{print $2}') APDUs for 10"
	sleep 2
	timeout -s INT "$seconds" strace -f -qq -p "$WORLD_KARTD_PID" -o "$WORLD/$name.strace" 2>/dev/null
	echo "$name: kartd system calls in $seconds idle seconds:" \
		"$(grep -Evc 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/$name.strace")"
	grep -Ev 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/$name.strace" | sed -E 's/^[0-9]+ +//; s/\(.*//' |
		sort | uniq -c | sort -rn | head -4 | sed 's/^/    /'
	echo "$name: kartd VmRSS: $(awk '/VmRSS/ { print $2, $3 }' "/proc/$WORLD_KARTD_PID/status")"
	world_stop_kartd >/dev/null
}

run native
run opensc-pkcs11 "Modules=$opensc" "Prefer=opensc-pkcs11.so"
world_stop
