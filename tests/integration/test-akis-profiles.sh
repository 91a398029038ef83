#!/bin/bash
# Every AKİS profile of the simulator (written from the public record,
# doc/akis.md, apart from kartd's driver) walked through kartd:
# identification and the model's name, the certificates, the PIN's state,
# VERIFY, the version's own change, wrong PINs down to the last try (the
# interlock), a forced right PIN; the card left logged out after each PIN
# operation; a PIN change in at most three APDUs (plus v1.0's logout); and,
# from the simulator's own record, that no command the record reserves
# for the issuer (or does not establish on that version) ever reached the
# card. A version whose commands are not in the record (v3) is read, never
# written.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

SIM="$KART_TOP_SRCDIR/sim/cardsim"
TCKK_ATR=3B9F978131FE458065544312210831C073F6218081059B
NXP252_ATR=3B9F978131FE458065544353228231C073F62180810553

tap_plan 101
. "$(dirname "$0")/card.sh"
KART_CARD_PROFILE="$SIM/akis-1.0.profile"
card_start

# use_card PROFILE [ATR [STATE]]: the simulator presents another card
# (with the state file STATE, else a fresh one); waits until kartd lists it.
use_card() {
	world_stop_cardsim
	world_wait_for 10 sh -c "! '$CTL' --json status | grep -q '\"serial\"'"
	KART_CARD_PROFILE="$SIM/$1.profile"
	_world_write_profile
	[ -n "${2:-}" ] && sed -i "s/^\[card\]$/[card]\natr = $2/" "$WORLD/card.profile"
	rm -f "$WORLD/card.state"
	[ -n "${3:-}" ] && cp "$3" "$WORLD/card.state"
	world_start_cardsim >/dev/null || { echo "Bail out! the simulator did not start with $1"; exit 1; }
	world_wait_for 10 sh -c "'$CTL' --json status | grep -q '\"serial\"'"
	card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards \
		| awk '{print $3}' | tr -d '"')
}

model() { "$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["readers"][0]["card"]["model"])'; }
n_certs() { "$CTL" --json certs | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["certificates"]))'; }
forbidden() { world_cardsim forbidden; }
verify() { call VerifyPin 'sa{sv}' "$1" 0; }
verify_force() { call VerifyPin 'sa{sv}' "$1" 1 force b true; }
change() { call ChangePin 'ssa{sv}' "$1" "$2" 0; }

# walk NAME PROFILE MODEL STATE-AT-INSERTION [ATR]: 17 checks.
walk() {
	local name=$1 profile=$2 want_model=$3 want_state=$4 atr=${5:-} out before

	use_card "$profile" "$atr"
	check_eq "$name: the model" "$want_model" "$(model)"
	check_eq "$name: kartd's AKİS driver" akis "$(prop Driver)"
	check_eq "$name: the three certificates are listed" 3 "$(n_certs)"
	rm -f "$WORLD/exported.der"
	"$CTL" cert export 01 -o "$WORLD/exported.der" >/dev/null 2>&1
	check "$name: certificate 01 is the signing certificate, byte for byte" cmp "$WORLD/exported.der" "$WORLD/ca/sign.der"
	check_eq "$name: the PIN's state at insertion" "$want_state" "$(prop PinState) $(prop PinRetriesLeft)"
	check_eq "$name: insertion cost no try" 3 "$(card_tries)"

	out=$(verify 123456)
	check_eq "$name: VerifyPin with the right PIN" "" "$out"
	check_eq "$name: ... and the card is left logged out" "ok no" "$(world_cardsim verified)"

	world_cardsim reset-count >/dev/null
	out=$(change 123456 24681357)
	check_eq "$name: ChangePin with the version's own command" "" "$out"
	check_eq "$name: the card holds the new PIN" "ok 24681357" "$(world_cardsim get-pin)"
	# at most three APDUs (select, tries, change), v1.0 a fourth: its logout
	before=$(apdus)
	check "$name: the change took at most 3 APDUs plus the logout ($before)" \
		test "$before" -gt 0 -a "$before" -le "$([ "$profile" = akis-1.0 ] && echo 4 || echo 3)"

	verify 00000000 >/dev/null
	out=$(verify 00000000)
	check "$name: two wrong PINs: one try left, and kartd says so" grep -q 'Wrong PIN; 1 try left' <<<"$out"
	out=$(verify 00000000)
	check "$name: a third wrong PIN without force is refused (LastTry)" grep -q 'pass force=true' <<<"$out"
	check_eq "$name: ... and the card keeps its last try" 1 "$(card_tries)"
	out=$(verify_force 24681357)
	check_eq "$name: the right PIN with force restores the tries" "ok 3 3" \
		"$(prop PinState) $(prop PinRetriesLeft) $(card_tries)"
	check_eq "$name: the simulator's record: no forbidden or unestablished command" "ok 0" "$(forbidden)"
	check_eq "$name: the PUK was never used" "3" "$(world_cardsim pin-tries | awk '{print $3}')"
}

walk "AKİS 1.0" akis-1.0 "AKİS 1.0" "ok -1"  # the FCI: no wrong try; the count is not said
walk "AKİS 1.2" akis-1.2 "AKİS 1.2.2 (NXP)" "unknown -1"
walk "AKİS 2.2.8" akis-2 "AKİS 2.2.8 (Infineon)" "ok 3"
walk "TCKK" akis-2 "Turkish national ID card (TCKK), AKİS 2.2.8" "ok 3" "$TCKK_ATR"
walk "AKİS 2.5.2" akis-2 "AKİS 2.5.2 (NXP)" "ok 3" "$NXP252_ATR"

# v3 "SAHA": its commands are not in the record. Read, never written.
use_card akis-3
check_eq "AKİS 3: the model" "AKİS 3 (SAHA)" "$(model)"
check_eq "AKİS 3: the three certificates are listed" 3 "$(n_certs)"
check_eq "AKİS 3: the PIN's state is unknown" "unknown -1" "$(prop PinState) $(prop PinRetriesLeft)"
before=$(apdus)
out=$(verify 123456)
check "AKİS 3: VerifyPin is NotSupported, saying why and what would" \
	grep -q 'not publicly documented.*libakisp11.so' <<<"$out"
check_eq "AKİS 3: ... and nothing reached the card" "$before" "$(apdus)"
check_eq "AKİS 3: the simulator's record: nothing forbidden" "ok 0" "$(forbidden)"

# A card that cannot be asked (1.2) keeps its last try in kartd's memory
# while another card is in the reader, and when it comes back.
use_card akis-1.2
verify 00000000 >/dev/null
verify 00000000 >/dev/null
cp "$WORLD/card.state" "$WORLD/akis12.state"
use_card akis-2
check_eq "another card in the same reader meanwhile" "AKİS 2.2.8 (Infineon)" "$(model)"
use_card akis-1.2 "" "$WORLD/akis12.state"
check_eq "the 1.2 card back: kartd still knows its last try" "last-try 1" "$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify 00000000)
check "... a wrong PIN without force is refused (LastTry)" grep -q 'pass force=true' <<<"$out"
check_eq "... and the card keeps its last try" 1 "$(card_tries)"
# ... and across a restart of kartd (the state directory's pin-states)
world_restart_kartd >/dev/null
world_wait_for 10 sh -c "'$CTL' --json status | grep -q '\"serial\"'"
check_eq "kartd restarted: it still knows the 1.2 card's last try" "last-try 1" \
	"$(prop PinState) $(prop PinRetriesLeft)"
out=$(verify 00000000)
check "... a wrong PIN without force is refused (LastTry)" grep -q 'pass force=true' <<<"$out"
check_eq "... and the card keeps its last try" 1 "$(card_tries)"
check "... the file holds serials and states, no PIN" sh -c "grep -q '^4b41525400000012 last-try 1 3$' '$WORLD/state/pin-states' && ! grep -q 123456 '$WORLD/state/pin-states'"

# KamuSM unlocks its cards its own way: kartd's open protocol is not
# offered for an AKİS card, even with a CA service configured.
world_start_backend >/dev/null && world_restart_kartd >/dev/null
use_card akis-2
check_eq "an AKİS card is not UnlockSupported" false "$(prop UnlockSupported)"
check "... and Unlock is refused before the CA is asked" \
	grep -q "cannot unlock this card online" <<<"$(call Unlock 'sa{sv}' ABCD-EFGH-JKLM 0)"
tap_done
