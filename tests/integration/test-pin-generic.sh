#!/bin/bash
# A PKCS#15 card kartd's drivers do not know (the reference card's file
# system behind an ATR no driver lists): ISO VERIFY and CHANGE as the AODF
# describes the PIN, never an empty VERIFY, and tries shown only as the
# card said them: a 63C2 is two tries left, not a maximum of two, and after
# a right PIN the count is unknown (-1), never a made-up number.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 12
. "$(dirname "$0")/card.sh"
world_start --no-card || { echo "Bail out! the test world did not start"; exit 1; }
world_stop_cardsim
sed -i 's/^\[card\]$/[card]\natr = 3B88800147454E455249433169/' "$WORLD/card.profile"
world_start_cardsim >/dev/null || { echo "Bail out! the simulator did not start"; exit 1; }
world_wait_for 10 sh -c "'$CTL' --json status | grep -q '\"serial\"'"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')

check_eq "an unknown ATR with a PKCS#15 application: the generic driver" "pkcs15 PKCS#15 card" \
	"$(prop Driver) $(prop Model)"
check_eq "the PIN's state cannot be asked: unknown, no maximum" "unknown -1 -1" \
	"$(prop PinState) $(prop PinRetriesLeft) $(prop PinRetriesMax)"
out=$(call VerifyPin 'sa{sv}' 00000000 0)
check "a wrong PIN: WrongPin with the tries the card said" grep -q 'Wrong PIN; 2 tries left' <<<"$out"
check_eq "... 2 left; the maximum still unknown (a count is no maximum)" "ok 2 -1" \
	"$(prop PinState) $(prop PinRetriesLeft) $(prop PinRetriesMax)"
out=$(call VerifyPin 'sa{sv}' 123456 0)
check_eq "the right PIN" "" "$out"
check_eq "... ok, the count unknown rather than made up" "ok -1 -1" \
	"$(prop PinState) $(prop PinRetriesLeft) $(prop PinRetriesMax)"
check_eq "the card agrees: its counter is full" 3 "$(card_tries)"
out=$(call ChangePin 'ssa{sv}' 123456 24681357 0)
check_eq "ChangePin (ISO, padded as the AODF says)" "" "$out"
check_eq "the card holds the new PIN" "ok 24681357" "$(world_cardsim get-pin)"
# (kartd --debug logs every APDU: the VERIFYs with a PIN are there to see)
check "VERIFYs with the PIN are in kartd's log" grep -q 'APDU 00 20 00 81 Lc=[1-9]' "$WORLD/kartd.log"
check "... and no empty VERIFY was ever sent" lacks "$WORLD/kartd.log" -e 'APDU 00 20 00 81 Lc=0 '
check_eq "the PUK was never used" 3 "$(world_cardsim pin-tries | awk '{print $3}')"
tap_done
