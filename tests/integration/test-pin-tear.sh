#!/bin/bash
# The card is pulled after each APDU of a PIN change in turn: every call
# gets a clear answer, kartd stays up, and the card ends with either the
# old or the new PIN and no try lost.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

rounds=7
tap_plan $((rounds * 3 + 1))
world_start || { echo "Bail out! the test world did not start"; exit 1; }
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
has_card() { "$CTL" --json status | grep -q '"serial"'; }
world_wait_for 5 has_card
pin=123456
for n in $(seq 0 $((rounds - 1))); do
	new=$((20000000 + n))
	card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
	world_cardsim fault remove-after "$n" >/dev/null
	out=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ChangePin 'ssa{sv}' "$pin" "$new" 0 2>&1)
	case $out in
	"") ok "pulled after $n APDUs: the change succeeded" ;;
	*"card was removed"*|*"No such"*|*"Unknown object"*) ok "pulled after $n APDUs: $out" ;;
	*) not_ok "pulled after $n APDUs: unclear answer: $out" ;;
	esac
	world_cardsim fault none >/dev/null
	world_wait_for 3 sh -c "! '$CTL' --json status | grep -q '\"serial\"'"
	world_card_insert >/dev/null
	world_wait_for 5 has_card
	now=$(world_cardsim get-pin | awk '{print $2}')
	if [ "$now" = "$pin" ] || [ "$now" = "$new" ]; then
		ok "pulled after $n APDUs: the card has the old or the new PIN ($now)"
	else
		not_ok "pulled after $n APDUs: the card has PIN '$now'"
	fi
	check_eq "pulled after $n APDUs: no try lost" 3 "$(world_cardsim pin-tries | awk '{print $2}')"
	pin=$now
done
check "kartd is still running" kill -0 "$WORLD_KARTD_PID"
tap_done
