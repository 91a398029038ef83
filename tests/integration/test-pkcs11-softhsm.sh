#!/bin/bash
# A SoftHSM2 token through kartd's PKCS#11 driver: a Card object like any
# other (serial, label, model, driver from C_GetTokenInfo), its
# certificate through the same pipeline as a card's (bytes, OCSP), the PIN
# verified and changed with SoftHSM2 itself (pkcs11-tool) as the witness;
# then, behind a shim that counts tries as a card does (SoftHSM2 only ever
# says "count low"), the last-try interlock and the locked token.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

command -v softhsm2-util >/dev/null && [ -e "$SOFTHSM_MODULE" ] ||
	skip_or_fail "softhsm2 is not installed (build-aux/setup-debian installs it)"
tap_plan 30
world_start --no-kartd --no-card || { echo "Bail out! the test world did not start"; exit 1; }
p11_softhsm_token "Kart Test" 123456 || { echo "Bail out! SoftHSM2 could not make a token"; exit 1; }
serial=$(softhsm2-util --show-slots | awk '/Serial number:/ && $3 != "" { print $3; exit }')
p11_configure "Modules=$SOFTHSM_MODULE"
world_start_kartd || { echo "Bail out! kartd did not start"; exit 1; }

verify() { call VerifyPin 'sa{sv}' "$1" 0; }
verify_force() { call VerifyPin 'sa{sv}' "$1" 1 force b true; }
change() { call ChangePin 'ssa{sv}' "$1" "$2" 0; }
witness_login() { pkcs11-tool --module "$SOFTHSM_MODULE" --login --pin "$1" -O >/dev/null 2>&1; }

check "the token shows up as a card" p11_wait_card "$serial"
check_eq "Driver names the module" "pkcs11:libsofthsm2.so" "$(prop Driver)"
check_eq "Label and Model from C_GetTokenInfo" "Kart Test|SoftHSM v2" "$(prop Label)|$(prop Model)"
check "its reader is the slot" grep -q "Reader added: 'SoftHSM slot ID 0x" "$WORLD/kartd.log"
check_eq "SoftHSM2's blank slot is no card" 1 \
	"$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $2}')"
check_eq "PinState ok, tries unknown" "ok -1" "$(prop PinState) $(prop PinRetriesLeft)"
check_eq "PIN lengths from the token info" "4 255" "$(prop PinMinLength) $(prop PinMaxLength)"
check_eq "no online unlock for it" "b false" \
	"$(busctl --system get-property org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card UnlockSupported)"
check "kartctl status shows it" sh -c "'$CTL' status | grep -q 'pkcs11:libsofthsm2.so'"

out=$(call ListCertificates)
check "ListCertificates lists the certificate by its CKA_ID and label" grep -q '^a(sssssttss) 1 "01" "sign"' <<<"$out"
check "... and OCSP says good" grep -q '"good"' <<<"$out"
busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificate s 01 |
	python3 -c 'import json,sys; open(sys.argv[1],"wb").write(bytes(json.load(sys.stdin)["data"][0]))' "$WORLD/01.der"
check "GetCertificate 01 is the certificate imported with pkcs11-tool" cmp "$WORLD/01.der" "$WORLD/ca/sign.der"

out=$(verify 000000)
check "a wrong PIN: WrongPin" grep -q 'WrongPin\|Wrong PIN\.' <<<"$out"
check_eq "... SoftHSM2 says only 'count low': still ok, tries unknown" "ok -1" "$(prop PinState) $(prop PinRetriesLeft)"
check_eq "the right PIN verifies" "" "$(verify 123456)"
out=$(verify 12)
check "a PIN shorter than the token's minimum is refused before the module" grep -q 'InvalidPin\|nothing was sent' <<<"$out"
check_eq "ChangePin" "" "$(change 123456 24681357)"
check "SoftHSM2 takes the new PIN" witness_login 24681357
check "... and no longer the old one" sh -c "! pkcs11-tool --module '$SOFTHSM_MODULE' --login --pin 123456 -O >/dev/null 2>&1"
check "the change is audited with the token's serial" \
	grep -q "Audit: change-pin on card $serial by uid [0-9]*: ok" "$WORLD/kartd.log"

# The same token, as a card's module counts: three tries.
retry=$(p11_test_module retry)
export KART_P11_WRAP=$SOFTHSM_MODULE KART_P11_LOGIN_MSEC=400
p11_configure "Modules=$retry"
world_restart_kartd >/dev/null || { echo "Bail out! kartd did not restart"; exit 1; }
p11_wait_card "$serial"
check_eq "behind the shim: driver" "pkcs11:kart-p11-retry.so" "$(prop Driver)"
# Three wrong PINs sent at once, queued on the module's thread behind one
# another: the last one is judged by the flags the first two left, not by
# the state when it was queued.
pids=()
for i in 1 2 3; do
	verify 00000000 >"$WORLD/at-once.$i" &
	pids+=($!)
done
wait "${pids[@]}"
check_eq "three wrong PINs at once: two spent, one refused at the last try" "2 1" \
	"$(cat "$WORLD"/at-once.* | grep -c 'Wrong PIN') $(cat "$WORLD"/at-once.* | grep -c 'pass force=true')"
check_eq "... the token is at its last try, not locked" "last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
check_eq "forced, the right PIN resets the count" "" "$(verify_force 24681357)"
verify 00000000 >/dev/null
out=$(verify 00000000)
check_eq "two wrong PINs: CKF_USER_PIN_FINAL_TRY is last-try, 1 left" "last-try 1" \
	"$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify 24681357)
check "at the last try the right PIN is not even sent without force" grep -q 'pass force=true' <<<"$out"
check_eq "... the token is still at its last try (a sent right PIN would have reset it)" last-try "$(prop PinState)"
out=$(verify_force 00000000)
check "a forced wrong PIN locks it: PinLocked" grep -q 'PIN is locked' <<<"$out"
check_eq "CKF_USER_PIN_LOCKED: locked, 0 left" "locked 0" "$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify_force 24681357)
check "a locked token gets no PIN at all, forced or not" grep -q 'PIN is locked' <<<"$out"
tap_done
