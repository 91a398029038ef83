#!/bin/bash
# PIN safety on a card whose retry counter cannot be asked (AKİS mode):
# calls queued behind one another judge the card as it is when their turn
# comes, not as it was when they were queued. Then a card without a serial
# (TokenInfo without serialNumber): kartd cannot tell it from the next
# card put in the reader, so it sends it no PIN at all, and each insertion
# gets an object of its own.
set -u
. "$(dirname "$0")/tap.sh"
export KART_CARD_PROFILE="${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/sim/cardsim/akis.profile"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 10
. "$(dirname "$0")/card.sh"
card_start

verify() { call VerifyPin 'sa{sv}' "$1" 0; }

# Two wrong PINs at once, the card at 2 tries: the first spends one and
# learns that one is left; the second, queued behind it, must then be
# refused with LastTry instead of spending the last try. The simulator
# answers slowly so that both are queued before the first one is done.
world_cardsim set-pin-tries 2 >/dev/null
world_cardsim fault delay 150 >/dev/null
verify 11111111 >"$WORLD/a.out" & pa=$!
verify 22222222 >"$WORLD/b.out" & pb=$!
wait $pa $pb
world_cardsim fault none >/dev/null
answers=$(cat "$WORLD/a.out" "$WORLD/b.out")
echo "$answers" | sed 's/^/# /'
check "two queued wrong PINs: the card is not locked" test "$(card_tries)" -gt 0
check "... one was tried: Wrong PIN, 1 try left" grep -q 'Wrong PIN; 1 try left' <<<"$answers"
check "... the other was refused: LastTry" grep -q 'Only one PIN try is left; pass force=true' <<<"$answers"
check_eq "kartd shows the last try" "last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
out=$(call VerifyPin 'sa{sv}' 123456 1 force b true)
check_eq "force with the right PIN still works" "" "$out"

# The same card without a serial.
cards() { busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"'; }
world_stop_cardsim
world_wait_for 5 sh -c "! busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -q card/"
sed -i 's/^serial = .*/serial = none/' "$WORLD/card.profile"
rm -f "$WORLD/card.state"
world_start_cardsim
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -q card/"
card=$(cards)
check_eq "a card without a serial: no Serial" "" "$(prop Serial)"
world_cardsim reset-count >/dev/null
out=$(verify 123456)
echo "# $out"
check "... VerifyPin is refused: no serial" grep -q 'no serial number' <<<"$out"
check_eq "... and the card saw no APDU" 0 "$(apdus)"
first=$card
world_card_remove >/dev/null
world_wait_for 5 sh -c "! busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -q card/"
world_card_insert >/dev/null
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -q card/"
card=$(cards)
echo "# first insertion: $first, second: $card"
check "each insertion of a card without a serial gets its own object" test -n "$card" -a "$card" != "$first"
out=$(call ChangePin 'ssa{sv}' 123456 654321 0)
check_eq "... ChangePin is refused too, and the card keeps its PIN" "ok 123456" "$(world_cardsim get-pin)"
tap_done
