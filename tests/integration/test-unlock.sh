#!/bin/bash
# Online unlock (backend protocol v1) with the reference backend and the
# simulated card's admin key: a PIN locked by three wrong tries is set anew
# with a verification code, a second factor and the new PIN, through
# kartctl and through busctl; the PUK is never touched, the new PIN never
# leaves the machine, a failing backend or TLS never reaches the card.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 34
card_start_with_backend
NEWPIN=24681357
code() { world_backend_code unblock; }
admin_tries() { world_cardsim admin-tries | awk '{print $2}'; }
puk_tries() { world_cardsim pin-tries | awk '{print $3}'; }
sms_code() { world_backend_sms; }
ins() { world_cardsim ins-count "$1" | awk '{print $2}'; }
session_call() { busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$@" 2>&1; }
unlock_session() {
	busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' "$(code)" 0 |
		awk '{print $2}' | tr -d '"'
}

check_eq "the card says it can be unlocked online" true "$(prop UnlockSupported)"

# --- kartctl, with the web password
lock_pin
check_eq "three wrong PINs: locked" locked "$(prop PinState)"
admin_before=$(admin_tries)
puk_before=$(puk_tries)
world_cardsim reset-count >/dev/null
out=$(printf '%s\npassword\nkart-test-pw\n%s\n%s\n' "$(code)" "$NEWPIN" "$NEWPIN" | "$CTL" unlock --stdin 2>&1)
check "kartctl unlock --stdin with the web password succeeds" grep -q "The new PIN is set" <<<"$out"
grep -q "The new PIN is set" <<<"$out" || sed 's/^/# kartctl: /' <<<"$out"
check_eq "the PIN state is ok again" ok "$(prop PinState)"
check_eq "one EXTERNAL AUTHENTICATE" 1 "$(ins 82)"
check_eq "one RESET RETRY COUNTER" 1 "$(ins 2C)"
check_eq "the admin counter did not move (10 of 10)" "10 10" "$admin_before $(admin_tries)"
check_eq "the PUK counter did not move (3 of 3)" "3 3" "$puk_before $(puk_tries)"
check_eq "the card holds the new PIN" "$NEWPIN" "$(world_cardsim get-pin | awk '{print $2}')"
check "OpenSC verifies the new PIN" pkcs15-tool --verify-pin --auth-id 01 --pin "$NEWPIN"
for f in "$WORLD/backend/state/requests.log" "$WORLD/backend/state/audit.log" "$WORLD/kartd.log"; do
	check "the new PIN is not in $(basename "$f") (which exists and is not empty)" lacks "$f" -e "$NEWPIN"
done
check "... nor the web password in kartd's log" lacks "$WORLD/kartd.log" -e kart-test-pw
check "the backend heard the outcome" grep -q 'success' "$WORLD/backend/state/audit.log"
check "the unlock is audited (MESSAGE_ID, card, caller, outcome, the card's answers), without the PIN" \
	grep -Eq "^Audit: unlock on card 4b41525400000001 by uid 0: ok \(EXTERNAL AUTHENTICATE 9000, RESET RETRY COUNTER 9000\)\. MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e23 KART_OPERATION=unlock .*KART_CALLER_PID=[1-9]" "$WORLD/kartd.log"

# --- busctl, with SMS; a wrong SMS code first
lock_pin
session=$(unlock_session)
check "Unlock gives a session object" test -n "$session"
check_eq "... awaiting the second factor" 's "awaiting-second-factor"' \
	"$(busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session State)"
check "SendSms" test -z "$(session_call SendSms)"
check "the SMS went to the outbox" test -n "$(sms_code)"
check "a wrong SMS code: SecondFactorInvalid with the attempts left" \
	grep -q "SecondFactorInvalid\|attempts left" <<<"$(session_call Confirm ss sms 000000)"
check "the right one is taken" test -z "$(session_call Confirm ss sms "$(sms_code)")"
check "SetPin" test -z "$(session_call SetPin s 13572468)"
check_eq "the PIN is ok" ok "$(prop PinState)"
check_eq "the card holds that PIN" 13572468 "$(world_cardsim get-pin | awk '{print $2}')"

# --- refusals that never reach the card
world_cardsim reset-count >/dev/null
check "a wrong verification code is refused, with the attempts left" \
	grep -q "wrong verification code (attempts left: 4)" <<<"$(call Unlock 'sa{sv}' ABCD-EFGH-JKLM 0)"
session=$(unlock_session)
check "SetPin before the second factor: refused" grep -q "second factor first" <<<"$(session_call SetPin s 11223344)"
# (that another user cannot drive it is tested in test-authz.sh, which
# installs the polkit policy)
check "Cancel ends it" test -z "$(session_call Cancel)"
check "... and its object is gone" sh -c "! busctl --system get-property org.kartd.Kartd1 '$session' org.kartd.Kartd1.Session State"
check_eq "nothing of that reached the card" "0 0" "$(ins 82) $(ins 2C)"

# --- one card, one writer: while a session writes the card (the backend
# takes 3 s to authorize), a second Unlock is Busy. The PIN is not locked
# now: the same flow gives a PIN to a card that has none it knows of.
world_backend_fault authorizations delay=3000 1 >/dev/null
session=$(unlock_session)
session_call Confirm ss password kart-test-pw >/dev/null
session_call SetPin s 11223344 >"$WORLD/setpin.out" &
setpin=$!
sleep 1
check "a second Unlock while the card is being written: Busy" \
	grep -q "writing the card" <<<"$(call Unlock 'sa{sv}' "$(code)" 0)"
wait "$setpin"
check "the first one completes" test ! -s "$WORLD/setpin.out"
check_eq "... with its PIN" 11223344 "$(world_cardsim get-pin | awk '{print $2}')"

world_stop_backend
check "backend down: a clear error" grep -q "Starting the unlock session: the CA service cannot be used" <<<"$(call Unlock 'sa{sv}' ABCD-EFGH-JKLM 0)"
tap_done
