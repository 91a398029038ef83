#!/bin/bash
# An AKİS-mode card: recognised by its ATR, PIN changed with the
# proprietary 00 24 01 format, and never sent an empty VERIFY (this card
# counts an empty VERIFY as a wrong PIN, which kartd must never find out
# the hard way).
# The card is now sim/cardsim/akis-1.2.profile, an AKİS card with the 1.2
# command set as the public record gives it (the old assumption-based
# "akis" flavour is gone): until kartd's AKİS driver follows that record,
# the assertions below about 00 24 01 81 describe the old driver.
set -u
. "$(dirname "$0")/tap.sh"
export KART_CARD_PROFILE="${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/sim/cardsim/akis-1.2.profile"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 13
. "$(dirname "$0")/card.sh"
card_start

check_eq "the ATR table names the model" "AKİS v1.2+" "$("$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["readers"][0]["card"]["model"])')"
check_eq "the AKİS driver is used" akis "$(prop Driver)"
check_eq "the PIN state is unknown (no safe way to ask)" "unknown -1" "$(prop PinState) $(prop PinRetriesLeft)"
check_eq "insertion cost the card no try" 3 "$(card_tries)"

out=$(call ChangePin 'ssa{sv}' 123456 97531864 0)
check_eq "ChangePin succeeds" "" "$out"
check_eq "the card holds the new PIN" "ok 97531864" "$(world_cardsim get-pin)"
check "it was the proprietary CHANGE REFERENCE DATA 00 24 01 81" grep -q 'APDU 00 24 01 81' "$WORLD/kartd.log"

out=$(call VerifyPin 'sa{sv}' 11111111 0)
check "a wrong PIN tells the tries left" grep -q 'Wrong PIN; 2 tries left' <<<"$out"
check_eq "...and the property learns them from the answer" "ok 2" "$(prop PinState) $(prop PinRetriesLeft)"
check_eq "the card agrees: one try spent, not more" 2 "$(card_tries)"
check "no empty VERIFY was ever sent to this card" sh -c "! grep -q 'APDU 00 20 00 81 Lc=0 ' '$WORLD/kartd.log'"
# AKİS's online unlock is the CA's own protocol: kartd does not offer its
# v1 unlock for an AKİS card, even with a backend configured.
world_start_backend >/dev/null && world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
check_eq "an AKİS card is not UnlockSupported" false "$(prop UnlockSupported)"
check "... and Unlock is refused before the backend is asked" \
	grep -q "cannot unlock this card online" <<<"$(call Unlock 'sa{sv}' ABCD-EFGH-JKLM 0)"
tap_done
