#!/bin/bash
# APDUs per card family, counted by the simulated card itself: insertion
# (identification, the PIN's state and the certificates, one transaction),
# a pin-status, a VERIFY and a PIN change through kartd, on a card that
# stayed in its reader since it was identified; beside what OpenSC's
# pkcs15-tool needs for the same where it reads that card. Profiles: the
# reference card, a generic PKCS#15 card (the reference card's file
# system behind an ATR no driver knows), AKİS 1.0, 1.2 and 2.x.
# Prints a table; never passes or fails. usage: bench/card-apdus.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${KART_TOP_SRCDIR:=$top}" "${KART_TOP_BUILDDIR:=$top/_build}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR
. "$top/tests/world/world.sh"

world_start >/dev/null || exit 1
CTL=$KART_TOP_BUILDDIR/client/kartctl/kartctl
SIM=$top/sim/cardsim
GENERIC_ATR=3B88800147454E455249433169      # historical bytes "GENERIC1"
count() { world_cardsim count | awk '{print $2}'; }
zero() { world_cardsim reset-count >/dev/null; }
listed() { "$CTL" certs 2>/dev/null | grep -q sign; }
card_path() {
	busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
		awk '{print $3}' | tr -d '"'
}
call() { busctl --system call org.kartd.Kartd1 "$(card_path)" org.kartd.Kartd1.Card "$@" >/dev/null 2>&1; }

# The simulator presents PROFILE (ATR: override); kartd lists it.
use_card() {
	world_stop_cardsim
	world_wait_for 10 sh -c "! '$CTL' status 2>/dev/null | grep -q 4b415254"
	KART_CARD_PROFILE=$SIM/$1
	_world_write_profile
	[ -n "${2:-}" ] && sed -i "s/^\[card\]$/[card]\natr = $2/" "$WORLD/card.profile"
	rm -f "$WORLD/card.state"
	world_start_cardsim --no-insert >/dev/null || return 1
	zero
	world_card_insert >/dev/null
	world_wait_for 10 listed
}

# pkcs15-tool ARGS...: the APDUs it took, "n/a" when it failed.
opensc() {
	zero
	if pkcs15-tool "$@" >/dev/null 2>&1; then count; else echo "n/a ($(count), failed)"; fi
}

printf '%-28s | %-9s | %-10s | %-6s | %-6s | %-s\n' card insertion pin-status verify change \
	"pkcs15-tool: list-certificates / verify-pin / change-pin"
row() { # NAME PROFILE ATR [OPENSC_DRIVERS]
	local name=$1 profile=$2 atr=$3 drivers=${4:-} ins status ver chg certs p_ls p_v p_c
	use_card "$profile" "$atr" || { echo "$name: the simulator did not start"; return; }
	ins=$(count)
	certs=$(grep -o 'Read 3 certificates from card [0-9a-f]*: [0-9]* APDUs' "$WORLD/kartd.log" | tail -1 |
		awk '{print $(NF-1)}')
	zero; "$CTL" pin-status >/dev/null 2>&1; status=$(count)
	zero; call VerifyPin 'sa{sv}' 123456 0; ver=$(count)
	zero; call ChangePin 'ssa{sv}' 123456 24681357 0; chg=$(count)
	call ChangePin 'ssa{sv}' 24681357 123456 0
	if [ -n "$drivers" ]; then
		cp "$OPENSC_CONF" "$WORLD/opensc.saved"
		sed -i "s/card_drivers = default;/card_drivers = $drivers;/" "$OPENSC_CONF"
	fi
	p_ls=$(opensc --list-certificates)
	p_v=$(opensc --verify-pin --pin 123456)
	p_c=$(opensc --change-pin --pin 123456 --new-pin 24681357)
	[ -n "$drivers" ] && cp "$WORLD/opensc.saved" "$OPENSC_CONF"
	printf '%-28s | %-9s | %-10s | %-6s | %-6s | %s / %s / %s\n' "$name" "$ins (${certs:-?} certs)" "$status" \
		"$ver" "$chg" "$p_ls" "$p_v" "$p_c"
}

row "reference card" default.profile ""
row "generic PKCS#15" default.profile "$GENERIC_ATR"
row "AKİS 1.0" akis-1.0.profile "" "akis, default"
row "AKİS 1.2.2 (NXP)" akis-1.2.profile ""
row "AKİS 2.2.8 (Infineon)" akis-2.profile ""
world_stop
