#!/bin/bash
# Certificates: what a listing and a revocation check cost, on the
# simulated card with three certificates and the test CA's `openssl ocsp`.
# Prints figures; never passes or fails. usage: bench/certs.sh [ROUNDS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${KART_TOP_SRCDIR:=$top}" "${KART_TOP_BUILDDIR:=$top/_build}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR
. "$top/tests/world/world.sh"
rounds=${1:-20}

world_start >/dev/null || exit 1
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial" || exit 1
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
bus_call() { busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card "$@" >/dev/null; }
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
median_ms() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f ms\n", m / 1000 }'; }
time_us() { local t0; t0=$(now_us); "$@"; echo $(( $(now_us) - t0 )); }

bus_call ListCertificates
world_cardsim reset-count >/dev/null
for (( i = 0; i < rounds; i++ )); do time_us bus_call ListCertificates; done | median_ms |
	sed "s/^/warm ListCertificates (busctl round trip), median of $rounds: /"
echo "APDUs sent by those $rounds warm listings: $(world_cardsim count | awk '{print $2}')"
for (( i = 0; i < rounds; i++ )); do time_us bus_call RefreshStatus; done | median_ms |
	sed "s/^/RefreshStatus, 3 certificates over OCSP (openssl ocsp on loopback), median of $rounds: /"
echo "cold read at insertion: $(grep -o 'Read [0-9]* certificates.*' "$WORLD/kartd.log" | tail -1)"
echo "kartd VmRSS after that: $(awk '/VmRSS/ { print $2, $3 }' "/proc/$WORLD_KARTD_PID/status")"
