#!/bin/bash
# After an online unlock with the web password, no secret of it is left in
# kartd's memory, freed blocks included: not the verification code, the
# web password, the CA session's token nor the new PIN. They passed
# through sd-bus messages, jansson (request and answer bodies), libcurl
# and OpenSSL; each is wiped before its memory is freed. kartd's memory
# is read through /proc/PID/mem (kartd_memory_has in card.sh).
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

KART_BACKEND_PASSWORD=webpw-$RANDOM$RANDOM-secret   # (not exported: kartd would have it in its environment)
NEWPIN=$((RANDOM % 90 + 10))$((RANDOM % 90 + 10))$((RANDOM % 90 + 10))7
TOKEN='st-[0-9a-f]{64}'         # the reference backend's session tokens

tap_plan 9
card_start_with_backend
lock_pin
code=$(world_backend_code unblock)
session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' "$code" 0 |
	awk '{print $2}' | tr -d '"')
check "an unlock session" test -n "$session"
check "while it lives, kartd holds its token (the search works)" kartd_memory_has "$TOKEN"
session_call() { busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$@" 2>&1; }
check "Confirm with the web password" test -z "$(session_call Confirm ss password "$KART_BACKEND_PASSWORD")"
check "SetPin: the new PIN is set" test -z "$(session_call SetPin s "$NEWPIN")"
check_eq "... the card holds it" "$NEWPIN" "$(world_cardsim get-pin | awk '{print $2}')"
world_wait_for 5 sh -c "! busctl --system get-property org.kartd.Kartd1 '$session' org.kartd.Kartd1.Session State 2>/dev/null"

absent() { ! kartd_memory_has "$1"; }
check "the web password is not in kartd's memory" absent "$KART_BACKEND_PASSWORD"
check "nor the verification code" absent "$(sed 's/[^A-Za-z0-9]/\\&/g' <<<"$code")"
check "nor the session's token" absent "$TOKEN"
check "nor the new PIN" absent "$NEWPIN"
tap_done
