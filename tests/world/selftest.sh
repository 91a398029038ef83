#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Self-test of the test world (world.sh): the private bus, pcscd + vpcd on
# a private socket, the simulated card as OpenSC sees it, insertion and
# removal, a second world side by side, and a clean teardown. TAP output.
set -u
. "$(dirname "$0")/world.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check "what" COMMAND...: ok when COMMAND succeeds, else its output as comments.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		printf '%s\n' "$out" | tail -n 15 | sed 's/^/# /'
	fi
}
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
reader_listed() { opensc-tool -l 2>/dev/null | grep -q 'Virtual PCD 00 00'; }
card_absent() { opensc-tool -l 2>/dev/null | grep -Eq '^[0-9]+ +No .*Virtual PCD 00 00'; }

echo "1..17"

t0=$(now_ms)
if ! world_start --no-kartd; then
	echo "Bail out! the test world did not start"
	exit 1
fi
t1=$(now_ms)
echo "# world_start --no-kartd: $((t1 - t0)) ms, vpcd port $WORLD_VPCD_PORT, OCSP port $OCSP_PORT"
# About 0.6-1 s alone; `make -j check` starts several worlds at once on
# few CPUs, so only a gross regression fails here.
check "the world starts within 5 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000

check "the private system bus answers" busctl --system status org.freedesktop.DBus
check "the bus is the world's own" \
	sh -c 'case $DBUS_SYSTEM_BUS_ADDRESS in "unix:path=$WORLD/system_bus_socket"*) ;; *) exit 1 ;; esac'
check "no bus activation (nothing activatable)" \
	sh -c '! busctl --system list --no-legend --activatable | grep -v "^org.freedesktop.DBus "'
check "pcscd's private socket exists with mode 666" \
	test "$(stat -c %a "$PCSCLITE_CSOCK_NAME" 2>/dev/null)" = 666
check "opensc-tool -l lists the vpcd reader" reader_listed
check "pcsc_scan -r lists the vpcd reader" \
	sh -c 'timeout 5 pcsc_scan -r | grep -q "Virtual PCD 00 00"'

atr=$(opensc-tool -a 2>/dev/null | head -n 1)
echo "# ATR: $atr"
# The default profile's ATR: 3B 8B 80 01 80 57 "KARTSIM" 31 C0 TCK.
check "opensc-tool -a shows the simulated card's ATR" \
	sh -c "printf '%s' '$atr' | grep -qi '^3b:8b:80:01:80:57:4b:41:52:54:53:49:4d:31:c0'"

certs=$(pkcs15-tool --list-certificates 2>&1)
check "pkcs15-tool sees the three certificates of the world's CA" \
	test "$(printf '%s\n' "$certs" | grep -c 'X.509 Certificate')" = 3
check "the card's first certificate verifies against \$WORLD/ca/ca.crt" \
	sh -c 'pkcs15-tool --read-certificate 01 2>/dev/null >"$WORLD/cert01.pem" &&
	       openssl verify -CAfile "$WORLD/ca/ca.crt" "$WORLD/cert01.pem"'

t0=$(now_ms)
world_card_remove >/dev/null
if world_wait_for 2 card_absent; then
	ok "world_card_remove: the reader is empty within 2 s ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "world_card_remove: the reader is empty within 2 s"
	opensc-tool -l 2>&1 | sed 's/^/# /'
fi
t0=$(now_ms)
world_card_insert >/dev/null
if world_wait_for 2 world_card_present; then
	ok "world_card_insert: the card is back within 2 s ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "world_card_insert: the card is back within 2 s"
fi

# A second world side by side, in another shell: its own ports, socket and
# card; removing its card leaves ours alone; it leaves nothing behind.
other=$(mktemp)
bash -c '
	. "$1"
	world_start --no-kartd || exit 1
	echo "$WORLD $WORLD_VPCD_PORT ${WORLD_PIDS[*]}"
	world_card_remove >/dev/null
	world_wait_for 2 eval "! world_card_present" || exit 1
' other-world "$(dirname "$0")/world.sh" >"$other" 2>&1
other_rc=$?
read -r other_dir other_port other_pids <"$other"
left=
for p in $other_pids; do
	kill -0 "$p" 2>/dev/null && left="$left $p"
done
if [ "$other_rc" = 0 ] && [ "$other_port" != "$WORLD_VPCD_PORT" ] && [ -n "$other_pids" ] &&
	[ -z "$left" ] && [ ! -e "$other_dir" ] && world_card_present; then
	ok "a second world runs side by side (port $other_port) and leaves nothing behind"
else
	not_ok "a second world runs side by side and leaves nothing behind"
	echo "# rc=$other_rc port=$other_port (ours $WORLD_VPCD_PORT) still running:${left:- none} dir=$other_dir"
	sed 's/^/# /' "$other"
fi
rm -f "$other"

world_restart_pcscd
check "world_restart_pcscd: the card is seen again" world_wait_for 5 world_card_present

if [ "$(id -u)" = 0 ] && [ -x /usr/lib/polkit-1/polkitd ]; then
	check "world_start_polkit: polkitd owns org.freedesktop.PolicyKit1" world_start_polkit
else
	skip "world_start_polkit" "needs root and polkitd"
fi

if [ -x "$KARTD" ]; then
	if world_start_kartd; then
		world_stop_kartd
		rc=$?
		check "world_start_kartd / world_stop_kartd (exit status $rc)" test "$rc" = 0
	else
		not_ok "world_start_kartd"
	fi
else
	skip "world_start_kartd / world_stop_kartd" "kartd not built"
fi

dir=$WORLD
pids=("${WORLD_PIDS[@]}")
world_stop
left=
for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null && left="$left $p"
done
check "world_stop ends every process (${#pids[@]}) and removes the directory" \
	test -z "$left" -a ! -e "$dir"

[ "$failed" = 0 ]
