#!/bin/bash
# PIN state, VerifyPin and ChangePin against the simulated card, checked
# with independent witnesses: OpenSC's pkcs15-tool and the card's own
# counters (cardsim's control socket).
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 26
. "$(dirname "$0")/card.sh"
card_start

verify() { call VerifyPin 'sa{sv}' "$1" 0; }
verify_force() { call VerifyPin 'sa{sv}' "$1" 1 force b true; }
change() { call ChangePin 'ssa{sv}' "$1" "$2" 0; }

check_eq "PinState on insertion" ok "$(prop PinState)"
check_eq "PinRetriesLeft on insertion" 3 "$(prop PinRetriesLeft)"
check_eq "PIN lengths from the AODF" "6 8" "$(prop PinMinLength) $(prop PinMaxLength)"

# A wrong PIN costs a try, and the property follows.
out=$(verify 000000)
check "wrong PIN: WrongPin with the tries left" grep -q 'Wrong PIN; 2 tries left' <<<"$out"
check_eq "wrong PIN: PinRetriesLeft follows" 2 "$(prop PinRetriesLeft)"
check_eq "wrong PIN: the card agrees" 2 "$(card_tries)"
out=$(verify 000000)
check_eq "second wrong PIN: last-try" last-try "$(prop PinState)"

# The interlock: nothing is tried at one try left without force.
out=$(verify 123456)
check "one try left: LastTry refusal" grep -q 'pass force=true' <<<"$out"
check_eq "one try left: the card's counter did not move" 1 "$(card_tries)"
out=$(verify_force 123456)
check_eq "force with the right PIN succeeds" "" "$out"
check_eq "the right PIN restores the tries" "ok 3" "$(prop PinState) $(prop PinRetriesLeft)"

# Malformed PINs never reach the card.
before=$(apdus)
for bad in "" 123 123456789 12a456 "$(head -c 100000 /dev/zero | tr '\0' 1)"; do
	out=$(verify "$bad")
	echo "$out" | grep -q 'nothing was sent' || { echo "# '$bad': $out" | cut -c1-120; bad_ok=no; }
done
check "empty, short, long, letters, 100 KB: InvalidPin" test "${bad_ok:-yes}" = yes
check_eq "... and the card saw no APDU at all" "$before" "$(apdus)"
out=$(call ChangePin 'ssa{sv}' 123456 654321 1 colour s red)
check "an unknown option is refused" grep -q "Unknown option 'colour'" <<<"$out"

# Change, then let OpenSC, an independent client, verify the new PIN.
out=$(change 123456 24681357)
check_eq "ChangePin succeeds" "" "$out"
check "OpenSC verifies the new PIN" pkcs15-tool --verify-pin --auth-id 01 --pin 24681357
check "OpenSC refuses the old PIN" sh -c "! pkcs15-tool --verify-pin --auth-id 01 --pin 123456 >/dev/null 2>&1"
world_cardsim set-pin-tries 3 >/dev/null

# Two clients at once: serialized, both get a clear answer. (call prints
# nothing on success; busctl's exit status says so too.)
change 24681357 11112222 >"$WORLD/a.out" & pa=$!
change 24681357 33334444 >"$WORLD/b.out" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
a=$(cat "$WORLD/a.out") b=$(cat "$WORLD/b.out")
echo "# a (to 11112222): status $ra, '$a'; b (to 33334444): status $rb, '$b'"
winner=none loser=
if [ "$ra" = 0 ] && [ -z "$a" ] && [ "$rb" != 0 ]; then
	winner=11112222 loser=$b
elif [ "$rb" = 0 ] && [ -z "$b" ] && [ "$ra" != 0 ]; then
	winner=33334444 loser=$a
fi
check "two concurrent changes: exactly one succeeds (status 0, no answer; the other failed)" test "$winner" != none
check "two concurrent changes: the other is told the PIN was wrong" grep -q 'Wrong PIN; 2 tries left' <<<"$loser"
check_eq "... and the card holds the PIN of the change that succeeded" "ok $winner" "$(world_cardsim get-pin)"
world_cardsim set-pin-tries 3 >/dev/null

# kartd meeting the card with tries spent: the maximum is the model's
# (the ATR table's), not the most kartd happened to see.
world_cardsim set-pin-tries 2 >/dev/null
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinRetriesLeft | grep -q ' 2\$'"
check_eq "kartd restarted on a card with 2 tries left: 2 of 3" "2 3" "$(prop PinRetriesLeft) $(prop PinRetriesMax)"
world_cardsim set-pin-tries 3 >/dev/null

# Locked: PinLocked without a try; the card shows it on insertion.
world_cardsim set-pin-tries 0 >/dev/null
reinsert_until_pin_state locked
check_eq "a locked PIN shows as locked" locked "$(prop PinState)"
out=$(verify_force 11112222)
check "locked: PinLocked" grep -q 'PIN is locked' <<<"$out"

# PUK exhausted too: blocked for good.
world_cardsim set-puk-tries 0 >/dev/null
reinsert_until_pin_state blocked
check_eq "PIN and PUK exhausted: blocked" blocked "$(prop PinState)"
out=$(verify_force 11112222)
check "blocked: CardBlocked" grep -q 'card must be replaced' <<<"$out"
check "the change is audited, without the PIN" sh -c "grep -q 'Audit: change-pin on card' '$WORLD/kartd.log' && ! grep -Eq '24681357|11112222|33334444' '$WORLD/kartd.log'"
tap_done
