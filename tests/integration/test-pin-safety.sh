#!/bin/bash
# PIN safety on a card whose retry counter cannot be asked (AKİS mode):
# calls queued behind one another judge the card as it is when their turn
# comes, not as it was when they were queued. Then a card without a serial
# (TokenInfo without serialNumber): kartd cannot tell it from the next
# card put in the reader, so it sends it no PIN at all, and each insertion
# gets an object of its own. In between, the certificates of the AKİS card:
# every job on it, not only the one that identifies it, keeps to its limits
# (at most 244 bytes a response, no extended APDU).
set -u
. "$(dirname "$0")/tap.sh"
export KART_CARD_PROFILE="${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/sim/cardsim/akis-1.2.profile"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 18
. "$(dirname "$0")/card.sh"
card_start

verify() { call VerifyPin 'sa{sv}' "$1" 0; }
# The card objects kartd lists, and waits for it to list none or one.
cards() { busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"'; }
has_card() { [ -n "$(cards)" ]; }
no_card() { [ -z "$(cards)" ]; }

# Two wrong PINs at once, the card at 2 tries: the first spends one and
# learns that one is left; the second, queued behind it, must then be
# refused with LastTry instead of spending the last try. The simulator
# answers slowly so that both are queued before the first one is done.
world_cardsim set-pin-tries 2 >/dev/null
world_cardsim fault delay 250 >/dev/null
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

# Pulled and put back, the card cannot be asked, but it is the same card
# (same serial) in the same reader: kartd remembers its last try.
world_card_remove >/dev/null
world_wait_for 5 no_card
world_card_insert >/dev/null
world_wait_for 5 has_card
check_eq "put back: still the last try" "last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify 33333333)
check "... a wrong PIN without force is refused: LastTry" grep -q 'pass force=true' <<<"$out"
check_eq "... and the card keeps its last try" 1 "$(card_tries)"
out=$(call VerifyPin 'sa{sv}' 123456 1 force b true)
check_eq "force with the right PIN still works" "" "$out"
out=$(verify 123)
check "a malformed PIN: InvalidPin names the lengths the card takes" grep -q 'must be 6 to 8 digits' <<<"$out"

# Certificates from the AKİS card, read by a job of their own.
der_of() { # ID FILE: GetCertificate into FILE
	busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificate s "$1" |
		/usr/bin/python3 -c 'import json,sys; open(sys.argv[1],"wb").write(bytes(json.load(sys.stdin)["data"][0]))' "$2"
}
out=$(call ListCertificates)
check "AKİS: the three certificates are listed" grep -q '^a(sssssttss) 3 "01" "sign"' <<<"$out"
check_eq "AKİS: none is unreadable" 0 "$(grep -c unreadable <<<"$out")"
der_of 01 "$WORLD/01.der"
check "AKİS: GetCertificate 01 is the whole signing certificate" cmp "$WORLD/01.der" "$WORLD/ca/sign.der"
# kartd --debug traces every APDU's header with its Le.
max_le=$(sed -n 's/.*APDU 00 B0 .* Le=\([0-9]*\) .*/\1/p' "$WORLD/kartd.log" | sort -n | tail -1)
check_eq "AKİS: no READ BINARY of the card's jobs asked for more than 244 bytes" 244 "$max_le"

# The same card without a serial.
world_stop_cardsim
world_wait_for 5 no_card
sed -i 's/^serial = .*/serial = none/' "$WORLD/card.profile"
rm -f "$WORLD/card.state"
world_start_cardsim
world_wait_for 5 has_card
card=$(cards)
check_eq "a card without a serial: no Serial" "" "$(prop Serial)"
world_cardsim reset-count >/dev/null
out=$(verify 123456)
echo "# $out"
check "... VerifyPin is refused: no serial" grep -q 'no serial number' <<<"$out"
check_eq "... and the card saw no APDU" 0 "$(apdus)"
first=$card
world_card_remove >/dev/null
world_wait_for 5 no_card
world_card_insert >/dev/null
world_wait_for 5 has_card
card=$(cards)
echo "# first insertion: $first, second: $card"
check "each insertion of a card without a serial gets its own object" test -n "$card" -a "$card" != "$first"
out=$(call ChangePin 'ssa{sv}' 123456 654321 0)
check_eq "... ChangePin is refused too, and the card keeps its PIN" "ok 123456" "$(world_cardsim get-pin)"
tap_done
