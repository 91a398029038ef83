#!/bin/bash
# The vendor's module beside kartd's own driver. A module that has the
# token of a card kartd reads carries only that card's PIN operations:
# by default (PinOperations=auto) where kartd's driver has no established
# PIN commands for the card (AKİS 3 "SAHA"), with PinOperations=module
# for every card it has. The identity, the certificates and the tries
# stay kartd's own (the test module has no certificate at all), Driver
# names both, and the card's simulator sees no PIN command at all.
# The module is tests/p11's fake one, its slot named after the reader.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

tap_plan 25
export KART_CARD_PROFILE="$KART_TOP_SRCDIR/sim/cardsim/akis-3.profile"
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
fake=$(p11_test_module fake)
export KART_P11_FAKE=ok KART_P11_FAKE_SLOT="Virtual PCD 00 00" KART_P11_FAKE_LOG=$WORLD/module-calls.log
install -m 0666 /dev/null "$KART_P11_FAKE_LOG"
module_calls() { grep -c "$1" "$KART_P11_FAKE_LOG"; }
model() { "$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["readers"][0]["card"]["model"])'; }
n_certs() { "$CTL" --json certs | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["certificates"]))'; }

# start SERIAL CONFIG-LINES...: kartd anew with this [PKCS11] section.
start() {
	local serial=$1
	shift
	p11_configure "$@"
	world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
	p11_wait_card "$serial" || { echo "Bail out! kartd did not show the card $serial"; exit 1; }
}

# AKİS 3: kartd reads it, the module writes its PIN.
start 4b41525400000030 "Modules=$fake"
check_eq "AKİS 3 with a module: Driver names kartd's driver and the module" \
	"akis+pkcs11:kart-p11-fake.so" "$(prop Driver)"
check_eq "... the model is kartd's reading of the ATR" "AKİS 3 (SAHA)" "$(model)"
check_eq "... the serial is the card's own (TokenInfo), not the module's" 4b41525400000030 "$(prop Serial)"
check_eq "... the certificates are read by kartd (the module has none)" 3 "$(n_certs)"
before=$(apdus)
out=$(call VerifyPin 'sa{sv}' 123456 0)
check_eq "VerifyPin goes through the module and succeeds" "" "$out"
check_eq "... the module was asked (C_Login)" 1 "$(module_calls login)"
check_eq "... and the card saw no APDU of it" "$before" "$(apdus)"
out=$(call VerifyPin 'sa{sv}' 000000 0)
check "a wrong PIN: WrongPin from the module" grep -q 'Wrong PIN' <<<"$out"
check_eq "ChangePin goes to the module too (C_SetPIN)" 1 \
	"$(call ChangePin 'ssa{sv}' 123456 654321 0 >/dev/null; module_calls set-pin)"
check_eq "the simulator's record: no PIN command, nothing forbidden" "ok 0" "$(world_cardsim forbidden)"
check_eq "... and the card's PIN and counter are untouched" "ok 123456 3" \
	"$(world_cardsim get-pin) $(card_tries)"

# AKİS 1.2: kartd has the version's PIN commands; by default they are its own.
world_stop_cardsim
KART_CARD_PROFILE="$KART_TOP_SRCDIR/sim/cardsim/akis-1.2.profile"
_world_write_profile
rm -f "$WORLD/card.state"
world_start_cardsim >/dev/null || { echo "Bail out! the simulator did not start"; exit 1; }
: >"$KART_P11_FAKE_LOG"
start 4b41525400000012 "Modules=$fake"
check_eq "AKİS 1.2 with a module, PinOperations=auto: kartd's driver does it all" akis "$(prop Driver)"
out=$(call VerifyPin 'sa{sv}' 123456 0)
check_eq "... VerifyPin succeeds" "" "$out"
check_eq "... without the module" 0 "$(module_calls login)"

start 4b41525400000012 "Modules=$fake" "PinOperations=module"
check_eq "PinOperations=module: the PIN operations go to the module" \
	"akis+pkcs11:kart-p11-fake.so" "$(prop Driver)"
before=$(apdus)
out=$(call VerifyPin 'sa{sv}' 123456 0)
check_eq "... VerifyPin succeeds" "" "$out"
check_eq "... through the module" 1 "$(module_calls login)"
check_eq "... and not one APDU of it reached the card" "$before" "$(apdus)"
check_eq "... reads stay kartd's: the certificates" 3 "$(n_certs)"

# AKİS 2.x at its last try, its PIN operations through the module: the
# interlock goes by kartd's own reading of the card (the module's flags
# may only make it stricter), and kartd reads the card again after the
# module's command.
world_stop_cardsim
KART_CARD_PROFILE="$KART_TOP_SRCDIR/sim/cardsim/akis-2.profile"
_world_write_profile
rm -f "$WORLD/card.state"
world_start_cardsim >/dev/null || { echo "Bail out! the simulator did not start"; exit 1; }
world_cardsim set-pin-tries 1 >/dev/null
: >"$KART_P11_FAKE_LOG"
start 4b41525400000020 "Modules=$fake" "PinOperations=module"
check_eq "AKİS 2.x, PinOperations=module: kartd read the last try itself" "last-try 1" \
	"$(prop PinState) $(prop PinRetriesLeft)"
out=$(call VerifyPin 'sa{sv}' 000000 0)
check "... a PIN without force is refused (LastTry), though the module's flags say nothing" \
	grep -q 'pass force=true' <<<"$out"
check_eq "... and the module was not asked" 0 "$(module_calls login)"
out=$(call VerifyPin 'sa{sv}' 123456 1 force b true)
check_eq "with force the module is asked" "" "$out"
check_eq "... once" 1 "$(module_calls login)"
check_eq "... and kartd read the card again after it (its counter, untouched by this module)" \
	"last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
tap_done
