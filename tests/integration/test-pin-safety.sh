#!/bin/bash
# PIN safety on a card whose retry counter cannot be asked (AKİS mode):
# calls queued behind one another judge the card as it is when their turn
# comes, not as it was when they were queued.
set -u
. "$(dirname "$0")/tap.sh"
export KART_CARD_PROFILE="${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/sim/cardsim/akis.profile"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 5
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
tap_done
