#!/bin/bash
# What a PKCS#11 module costs: the simulated card served by kartd's own
# driver and by OpenSC's module (Prefer=), and a SoftHSM2 token. For each:
# time from insertion (SoftHSM2: from kartd's start) until the card is
# listed with its certificates, a warm ListCertificates and a VerifyPin
# round trip (busctl), the APDUs, kartd's and the module hosts' RSS, and
# their system calls in SECONDS idle seconds (a module with slot events is
# asked every 2 s). Prints figures; never passes or fails.
# usage: bench/pkcs11.sh [SECONDS]
# KART_TOP_BUILDDIR may name an older build (one that loaded modules into
# kartd itself) for the figures before kart-p11-host.
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
p11_softhsm_token "Bench token" 1234 >/dev/null || { echo "SoftHSM2 token: failed"; exit 1; }
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
listed() { "$CTL" certs 2>/dev/null | grep -q sign; }
card_path() { busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	grep -o '"/[^"]*"' | tr -d '"' | head -1; }
hosts() { pgrep -P "$WORLD_KARTD_PID" -f kart-p11-host | tr '\n' ' '; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# figures NAME PIN: the warm calls, memory and idle system calls of kartd
# (and of its module hosts, if any) with the card at $card.
figures() {
	local name=$1 pin=$2 t0 t1 pids h total=0
	world_cardsim reset-count >/dev/null
	t0=$(now_us)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ListCertificates >/dev/null
	done
	t1=$(now_us)
	echo "$name: warm ListCertificates: $(( (t1 - t0) / 10000 )) ms each (busctl round trip)," \
		"$(world_cardsim count | awk '{print $2}') APDUs for 10"
	t0=$(now_us)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' "$pin" 0 >/dev/null
	done
	t1=$(now_us)
	echo "$name: VerifyPin: $(( (t1 - t0) / 10000 )) ms each (busctl round trip)"
	sleep 2
	pids=("$WORLD_KARTD_PID")
	for h in $(hosts); do pids+=("$h"); done
	timeout -s INT "$seconds" strace -f -qq $(printf -- '-p %s ' "${pids[@]}") -o "$WORLD/$name.strace" 2>/dev/null
	echo "$name: system calls in $seconds idle seconds (kartd and its hosts):" \
		"$(grep -Evc 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/$name.strace")"
	grep -Ev 'unfinished|detached|resumed|\+\+\+|---' "$WORLD/$name.strace" | sed -E 's/^[0-9]+ +//; s/\(.*//' |
		sort | uniq -c | sort -rn | head -4 | sed 's/^/    /'
	for h in $(hosts); do total=$((total + $(rss_kb "$h"))); done
	echo "$name: VmRSS kartd $(rss_kb "$WORLD_KARTD_PID") kB, module hosts $total kB ($(hosts | wc -w) hosts)"
}

reader_card() { # NAME CONFIG-LINES...: the simulated card, taken out and put back
	local name=$1 t0 t1
	shift
	p11_configure "$@"
	world_start_kartd >/dev/null || { echo "$name: kartd did not start"; return; }
	world_wait_for 10 listed || { echo "$name: no card"; world_stop_kartd >/dev/null; return; }
	world_card_remove >/dev/null
	world_wait_for 5 sh -c "! '$CTL' status 2>/dev/null | grep -q 4b415254"
	world_cardsim reset-count >/dev/null
	t0=$(now_us)
	world_card_insert >/dev/null
	world_wait_for 10 listed
	t1=$(now_us)
	echo "$name: insertion until listed with its certificates: $(( (t1 - t0) / 1000 )) ms" \
		"(vpcd's 400 ms presence poll included), $(world_cardsim count | awk '{print $2}') APDUs"
	card=$(card_path)
	figures "$name" 123456
	world_stop_kartd >/dev/null
}

soft_token() { # NAME: SoftHSM2's token, from kartd's start
	local name=$1 t0 t1
	world_card_remove >/dev/null
	p11_configure "Modules=$SOFTHSM_MODULE"
	t0=$(now_us)
	world_start_kartd >/dev/null || { echo "$name: kartd did not start"; return; }
	world_wait_for 10 listed || { echo "$name: no token"; world_stop_kartd >/dev/null; return; }
	t1=$(now_us)
	echo "$name: kartd's start until the token is listed with its certificate: $(( (t1 - t0) / 1000 )) ms"
	card=$(card_path)
	figures "$name" 1234
	world_stop_kartd >/dev/null
	world_card_insert >/dev/null
}

reader_card native
reader_card opensc-pkcs11 "Modules=$opensc" "Prefer=opensc-pkcs11.so"
soft_token softhsm2
world_stop
