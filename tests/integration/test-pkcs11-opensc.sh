#!/bin/bash
# The simulated card through OpenSC's PKCS#11 module: the same Card
# object (path, serial, certificates) as through kartd's own driver; the
# module is used only when Prefer= names it, since kartd's own driver
# knows the card. PIN state and commands through the module, with the
# card's own counter (cardsim) and OpenSC's pkcs15-tool as witnesses. An
# online unlock of such a card still goes over APDUs, kartd's own driver.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

opensc=$(p11_opensc_module)
[ -n "$opensc" ] || skip_or_fail "opensc-pkcs11 is not installed"
tap_plan 29
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
p11_configure "Modules=$opensc"
world_start_kartd || { echo "Bail out! kartd did not start"; exit 1; }
serial=4b41525400000001

verify() { call VerifyPin 'sa{sv}' "$1" 0; }
verify_force() { call VerifyPin 'sa{sv}' "$1" 1 force b true; }
listing() { call ListCertificates | grep -o '"[^"]*"' | sed -n '1,9p;10,18p;19,27p' | grep -v '^"\(good\|unknown\|revoked\|on-hold\)"' ; }

check "the card is there with the module configured" p11_wait_card $serial
native_path=$card
check_eq "kartd's own driver knows the card: it keeps it" pkcs15 "$(prop Driver)"
native_certs=$(call ListCertificates | cut -d' ' -f1-2)
native_ids=$(listing | tr '\n' ' ')

p11_configure "Modules=$opensc" "Prefer=opensc-pkcs11.so"
world_start_backend >/dev/null || { echo "Bail out! the reference backend did not start"; exit 1; }
world_restart_kartd >/dev/null || { echo "Bail out! kartd did not restart"; exit 1; }
check "with Prefer= the card is there again" p11_wait_card $serial
check_eq "... served by OpenSC's module" "pkcs11:opensc-pkcs11.so" "$(prop Driver)"
check_eq "... as the same object" "$native_path" "$card"
check_eq "... with the same serial" $serial "$(prop Serial)"
check "its reader is the PC/SC reader, no reader of its own" lacks "$WORLD/kartd.log" -e "Reader added: '.*PKCS#15"
check_eq "one card object, not two" 1 \
	"$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $2}')"
check_eq "the same number of certificates" "$native_certs" "$(call ListCertificates | cut -d' ' -f1-2)"
check_eq "the same certificates: IDs, labels, subjects, issuers, serials" "$native_ids" "$(listing | tr '\n' ' ')"
busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificate s 01 |
	python3 -c 'import json,sys; open(sys.argv[1],"wb").write(bytes(json.load(sys.stdin)["data"][0]))' "$WORLD/01.der"
check "GetCertificate 01 is the test CA's signing certificate" cmp "$WORLD/01.der" "$WORLD/ca/sign.der"
check_eq "PinState from the token flags" ok "$(prop PinState)"

out=$(verify 000000)
check "a wrong PIN: WrongPin" grep -q 'Wrong PIN' <<<"$out"
check_eq "... the card counted it" 2 "$(card_tries)"
verify 000000 >/dev/null
check_eq "two wrong PINs: CKF_USER_PIN_FINAL_TRY shows as last-try" "last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify 123456)
check "the interlock holds through the module" grep -q 'pass force=true' <<<"$out"
check_eq "... the card's counter did not move" 1 "$(card_tries)"
check_eq "forced, the right PIN verifies" "" "$(verify_force 123456)"
check_eq "... and the card is back at 3 tries" "ok 3" "$(prop PinState) $(card_tries)"
check_eq "ChangePin through the module" "" "$(call ChangePin 'ssa{sv}' 123456 24681357 0)"
check "OpenSC's pkcs15-tool verifies the new PIN" pkcs15-tool --verify-pin --auth-id 01 --pin 24681357

# Locked through the module, unlocked online by kartd's own driver.
verify 000000 >/dev/null; verify 000000 >/dev/null; verify_force 000000 >/dev/null
check_eq "three wrong PINs through the module: locked" "locked 0" "$(prop PinState) $(card_tries)"
check_eq "an online unlock is offered: it goes over APDUs" true "$(prop UnlockSupported)"
world_cardsim reset-count >/dev/null
out=$(printf '%s\npassword\nkart-test-pw\n%s\n%s\n' "$(world_backend_code unblock)" 11223344 11223344 |
	"$CTL" unlock --stdin 2>&1)
check "kartctl unlock sets a new PIN" grep -q "The new PIN is set" <<<"$out"
check_eq "... with one RESET RETRY COUNTER, the card holds it" "1 11223344" \
	"$(world_cardsim ins-count 2C | awk '{print $2}') $(world_cardsim get-pin | awk '{print $2}')"
check_eq "... and the module verifies it" "" "$(verify 11223344)"
# Again, with the CA taking 3 s to authorize: meanwhile the module's
# thread must not send a PIN to the card the reader's worker is writing.
world_backend_fault authorizations delay=3000 1 >/dev/null
printf '%s\npassword\nkart-test-pw\n%s\n%s\n' "$(world_backend_code unblock)" 55667788 55667788 |
	"$CTL" unlock --stdin >"$WORLD/unlock.out" 2>&1 &
unlocking=$!
world_wait_for 10 sh -c "[ \$(grep -c 'setting a new PIN on card $serial' '$WORLD/kartd.log') -ge 2 ]"
busy=$(verify 11223344)
wait "$unlocking"
# (busctl prints the error's message, not its name)
check "a PIN call through the module while an unlock writes the card: refused, busy" \
	grep -q 'The card is busy (being unlocked' <<<"$busy"
check_eq "... the unlock went through: the card holds its PIN, its counter full" "55667788 3" \
	"$(world_cardsim get-pin | awk '{print $2}') $(card_tries)"
world_card_remove >/dev/null
world_wait_for 5 sh -c "! busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card Serial"
world_card_insert >/dev/null
p11_wait_card $serial
check_eq "pulled and put back: served by the module again" "pkcs11:opensc-pkcs11.so" "$(prop Driver)"
tap_done
