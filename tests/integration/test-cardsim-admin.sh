#!/bin/bash
# The simulated card's admin key (backend protocol v1, "Card side"), driven
# through pcscd without kartd: scriptor sends the APDUs on one PC/SC
# connection, tests/unit/admin-crypt plays the backend. GET CHALLENGE,
# EXTERNAL AUTHENTICATE, RESET RETRY COUNTER P1=02/03, the admin counter
# and its persistence, and the control socket's admin commands and faults.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

MASTER=000102030405060708090A0B0C0D0E0F
SERIAL=4B41525400000001
READER="Virtual PCD 00 00"
CRYPT="$KART_TOP_BUILDDIR/tests/unit/admin-crypt"
PUK=3132333435363738

tap_plan 75
[ -x "$CRYPT" ] || { echo "Bail out! $CRYPT is not built (make check builds it)"; exit 1; }
command -v scriptor >/dev/null || { echo "Bail out! scriptor (pcsc-tools) is not installed"; exit 1; }
world_start --no-kartd --no-ocsp || { echo "Bail out! the test world did not start"; exit 1; }

. "$(dirname "$0")/scriptor.sh"

cryptogram() { "$CRYPT" "$MASTER" "$SERIAL" 01 "$1"; }
# ea_right / ea_wrong: GET CHALLENGE, then EXTERNAL AUTHENTICATE with the
# right cryptogram or a wrong one; SW is EXTERNAL AUTHENTICATE's.
ea_right() {
	apdu 0084000010
	[ "$SW" = 9000 ] || return 0
	apdu "0082000110$(cryptogram "$DATA")"
}
ea_wrong() {
	apdu 0084000010
	apdu 008200011000112233445566778899AABBCCDDEEFF
}
admin_tries() { world_cardsim admin-tries | awk '{print $2}'; }
pin_tries() { world_cardsim pin-tries | awk '{print $2}'; }
card_pin() { world_cardsim get-pin | awk '{print $2}'; }
# A PIN as RESET RETRY COUNTER P1=02 carries it: ASCII, FF to 8 bytes.
padded() { local h="" i; for ((i = 0; i < ${#1}; i++)); do h+=$(printf %02X "'${1:i:1}"); done
	while [ ${#h} -lt 16 ]; do h+=FF; done; echo "$h"; }
# The first APDU right after an insertion can fail in vpcd even though
# pcscd lists the card: wait until a harmless SELECT of the MF goes through.
card_answers() { echo 00A4000C023F00 | scriptor -r "$READER" 2>/dev/null | grep -q "^< 90 00"; }
reinsert() {
	world_cardsim insert >/dev/null
	world_wait_for 5 world_card_present
	world_wait_for 5 card_answers
}

# ---- GET CHALLENGE ----
world_wait_for 5 card_answers
sc_open
check_eq "the admin counter starts at the profile's 10" 10 "$(admin_tries)"
apdu 0084000010
check_eq "GET CHALLENGE Le=16: 9000" 9000 "$SW"
check_eq "GET CHALLENGE Le=16: 16 bytes" 32 "${#DATA}"
first=$DATA
apdu 0084000010
check "two challenges differ" test "$first" != "$DATA"
apdu 0084000008
check_eq "GET CHALLENGE Le=8: 8 bytes 9000" "16 9000" "${#DATA} $SW"
apdu 0084000020
check_eq "GET CHALLENGE Le=32: 6700" 6700 "$SW"
apdu 0084000100
check_eq "GET CHALLENGE P1=01: 6A86" 6A86 "$SW"

# ---- EXTERNAL AUTHENTICATE without a usable challenge ----
apdu "0082000110$(cryptogram "$first")"
check_eq "EXTERNAL AUTHENTICATE without a pending challenge: 6985" 6985 "$SW"
apdu 0084000010
chal=$DATA
apdu 00B0000001
apdu "0082000110$(cryptogram "$chal")"
check_eq "any APDU consumes the challenge (READ BINARY in between): 6985" 6985 "$SW"
apdu 0084000010
chal=$DATA
apdu "0082000110$(cryptogram "$chal")"
apdu "0082000110$(cryptogram "$chal")"
check_eq "a challenge works once: the second EXTERNAL AUTHENTICATE gets 6985" 6985 "$SW"
apdu 0084000008
apdu "008200011000112233445566778899AABBCCDDEEFF"
check_eq "an 8-byte challenge is no admin challenge: 6985" 6985 "$SW"
apdu 0084000010
apdu "0082000210$(cryptogram "$DATA")"
check_eq "EXTERNAL AUTHENTICATE with key reference 02: 6A88" 6A88 "$SW"
apdu 0084000010
apdu "00820001080011223344556677"
check_eq "EXTERNAL AUTHENTICATE with 8 bytes: 6700" 6700 "$SW"
check_eq "none of these cost an admin try" 10 "$(admin_tries)"

# ---- RESET RETRY COUNTER P1=02 needs the grant ----
apdu "002C028108$(padded 246813)"
check_eq "RESET RETRY COUNTER P1=02 without EXTERNAL AUTHENTICATE: 6982" 6982 "$SW"
check_eq "... the PIN is unchanged" 123456 "$(card_pin)"

# ---- wrong and right cryptograms ----
ea_wrong
check_eq "a wrong cryptogram: 63C9" 63C9 "$SW"
check_eq "the admin counter went down to 9" 9 "$(admin_tries)"
check "the state file holds the admin counter" grep -qx "admin_tries = 9" "$WORLD/card.state"
apdu "002C028108$(padded 246813)"
check_eq "a failed EXTERNAL AUTHENTICATE grants nothing: 6982" 6982 "$SW"
world_cardsim set-pin-tries 0 >/dev/null
ea_right
check_eq "the right cryptogram: 9000" 9000 "$SW"
check_eq "the right cryptogram resets the admin counter" 10 "$(admin_tries)"
apdu 00200081
check_eq "the PIN is locked before the unlock" 6983 "$SW"
apdu "002C028108$(padded 246813)"
check_eq "RESET RETRY COUNTER P1=02 after EXTERNAL AUTHENTICATE: 9000" 9000 "$SW"
check_eq "... the new PIN is set" 246813 "$(card_pin)"
check_eq "... the PIN counter is back at its maximum" 3 "$(pin_tries)"
apdu 0020008108"$(padded 246813)"
check_eq "... VERIFY with the new PIN: 9000" 9000 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "the grant works once: a second RESET RETRY COUNTER gets 6982" 6982 "$SW"
check_eq "... the PIN stays" 246813 "$(card_pin)"

# ---- a refused RESET RETRY COUNTER consumes the grant too ----
ea_right
apdu "002C028108$(padded 12a456)"
check_eq "a new PIN that is not digits: 6A80" 6A80 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "... and the grant is gone: 6982" 6982 "$SW"
ea_right
apdu "002C028106$(padded 135790 | cut -c1-12)"
check_eq "a new PIN of the wrong length: 6700" 6700 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "... and the grant is gone: 6982" 6982 "$SW"
ea_right
apdu "002C028208$(padded 135790)"
check_eq "RESET RETRY COUNTER for another reference: 6A88" 6A88 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "... and the grant is gone: 6982" 6982 "$SW"
check_eq "the PIN survived all of them" 246813 "$(card_pin)"

# ---- P1=03: the counter only ----
world_cardsim set-pin-tries 0 >/dev/null
apdu 002C0381
check_eq "RESET RETRY COUNTER P1=03 without the grant: 6982" 6982 "$SW"
ea_right
apdu 002C0381
check_eq "RESET RETRY COUNTER P1=03 with the grant: 9000" 9000 "$SW"
check_eq "... counter at its maximum, PIN unchanged" "3 246813" "$(pin_tries) $(card_pin)"

# ---- what clears the grant ----
ea_right
apdu 00A4000C023F00
apdu "002C028108$(padded 135790)"
check_eq "a SELECT clears the grant" 6982 "$SW"
ea_right
apdu 00A4040C04DEADBEEF
check_eq "... even a failed one (6A82)" 6A82 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "... the grant is gone: 6982" 6982 "$SW"
ea_right
sc_reset
apdu "002C028108$(padded 135790)"
check_eq "a card reset clears the grant" 6982 "$SW"
apdu 0084000010
sc_reset
apdu "0082000110$(cryptogram "$DATA")"
check_eq "a card reset clears the challenge" 6985 "$SW"
ea_right
world_cardsim reset >/dev/null
apdu "002C028108$(padded 135790)"
check_eq "the control socket's reset clears the grant" 6982 "$SW"
ea_right
check_eq "(the grant is there before the removal)" 9000 "$SW"
sc_close
world_cardsim remove >/dev/null
reinsert
sc_open
apdu "002C028108$(padded 135790)"
check_eq "removal clears the grant" 6982 "$SW"
check_eq "the PIN is still the one set" 246813 "$(card_pin)"

# ---- PUK path as before ----
apdu "002C008110${PUK}$(padded 123456)"
check_eq "RESET RETRY COUNTER P1=00 with the PUK still works" 9000 "$SW"
check_eq "... PIN back to 123456" 123456 "$(card_pin)"

# ---- the admin counter runs out ----
world_cardsim set-admin-tries 1 >/dev/null
ea_wrong
check_eq "the last admin try wrong: 63C0" 63C0 "$SW"
ea_right
check_eq "no admin try left: even the right cryptogram gets 6983" 6983 "$SW"
apdu "002C028108$(padded 135790)"
check_eq "... and grants nothing" 6982 "$SW"
check_eq "admin-tries shows 0" 0 "$(admin_tries)"
check "set-admin-tries refuses more than the maximum" sh -c "! '$KART_CARDSIM' ctl '$WORLD/cardsim.ctl' set-admin-tries 11"
world_cardsim set-admin-tries 10 >/dev/null

# ---- ins-count ----
world_cardsim reset-count >/dev/null
apdu 0084000010
apdu 0084000008
apdu 00200081
check_eq "ins-count 84 counts GET CHALLENGE" 2 "$(world_cardsim ins-count 84 | awk '{print $2}')"
check_eq "ins-count 20 counts VERIFY" 1 "$(world_cardsim ins-count 20 | awk '{print $2}')"
check_eq "ins-count 82: none" 0 "$(world_cardsim ins-count 82 | awk '{print $2}')"
world_cardsim reset-count >/dev/null
check_eq "reset-count clears ins-count" 0 "$(world_cardsim ins-count 84 | awk '{print $2}')"
check "ins-count refuses a bad INS" sh -c "! '$KART_CARDSIM' ctl '$WORLD/cardsim.ctl' ins-count 8G4"

# ---- faults ----
world_cardsim fault swap-admin-key >/dev/null
ea_right
check_eq "fault swap-admin-key: the right cryptogram fails (63C9)" 63C9 "$SW"
world_cardsim fault none >/dev/null
ea_right
check_eq "fault none: the card's own key again" 9000 "$SW"

world_cardsim fault remove-on-ins 82 >/dev/null
ea_wrong
check_eq "fault remove-on-ins 82: no answer" GONE "$SW"
check_eq "... the card is out" "ok removed" "$(world_cardsim status)"
check_eq "... EXTERNAL AUTHENTICATE was not executed (no try lost)" 10 "$(admin_tries)"
reinsert
sc_open
world_cardsim fault remove-after-ins 82 >/dev/null
ea_wrong
check_eq "fault remove-after-ins 82: no answer" GONE "$SW"
check_eq "... the card is out" "ok removed" "$(world_cardsim status)"
check_eq "... EXTERNAL AUTHENTICATE was executed (a try lost)" 9 "$(admin_tries)"
reinsert
sc_open

world_cardsim fault tear-rrc >/dev/null
world_cardsim set-pin-tries 0 >/dev/null
ea_right
apdu "002C028108$(padded 97531246)"
check_eq "fault tear-rrc: RESET RETRY COUNTER gets no answer" GONE "$SW"
check_eq "... the card is out" "ok removed" "$(world_cardsim status)"
check_eq "... yet the new PIN is set, counter at maximum" "97531246 3" "$(card_pin) $(pin_tries)"
world_cardsim set-admin-tries 7 >/dev/null
world_stop_cardsim
world_start_cardsim >/dev/null
world_wait_for 5 world_card_present
world_wait_for 5 card_answers
check_eq "the torn RESET RETRY COUNTER's PIN is in the state file (simulator restarted)" 97531246 "$(card_pin)"
check_eq "the admin counter persists across a restart" 7 "$(admin_tries)"
sc_open
apdu 0020008108"$(padded 97531246)"
check_eq "VERIFY with the new PIN after the tear: 9000" 9000 "$SW"
sc_close

check "kart-cardsim is still running" kill -0 "$WORLD_CARDSIM_PID"
tap_done
