#!/bin/bash
# The simulated AKİS cards (sim/cardsim/akis-*.profile) driven through
# pcscd without kartd: scriptor sends the APDUs on one PC/SC connection.
# Each profile plays one version as the public record (the design note
# akis.md) gives it: its ATR, the SELECT forms it takes and refuses,
# reading the PKCS#15 files its way, VERIFY down to the locked PIN, its
# change, its tries read, and every forbidden command's real effect with
# its line in the control command "forbidden". Last, the pkcs15 reference
# card, whose behaviour must not have changed.
set -u
. "$(dirname "$0")/tap.sh"
TOP=${KART_TOP_SRCDIR:-$(dirname "$0")/../..}
. "$TOP/tests/world/world.sh"

READER="Virtual PCD 00 00"
command -v scriptor >/dev/null || { echo "Bail out! scriptor (pcsc-tools) is not installed"; exit 1; }

. "$(dirname "$0")/scriptor.sh"

# ---- values ----

hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
lenhex() { printf %02X $(( ${#1} / 2 )); }
# lv TEXT: length || TEXT, in hex (AKİS v1.0 and 1.2 PIN formats)
lv() { local h; h=$(hex "$1"); echo "$(lenhex "$h")$h"; }
# with HEADER DATAHEX: the APDU HEADER || Lc || DATA
with() { apdu "$1$(lenhex "$2")$2"; }

pin_tries() { world_cardsim pin-tries | awk '{print $2}'; }
puk_tries() { world_cardsim pin-tries | awk '{print $3}'; }
system_tries() { world_cardsim system-pin-tries | awk '{print $2}'; }
card_pin() { world_cardsim get-pin | awk '{print $2}'; }
card_puk() { world_cardsim get-puk | awk '{print $2}'; }
verified() { world_cardsim verified | awk '{print $2}'; }
forbidden_n() { world_cardsim forbidden | awk '{sub(":", "", $2); print $2}'; }
# recorded "00 24 01 81 set-pin-without-system-pin": the line is in the record
recorded() { grep -qF "$1" <<<"$(world_cardsim forbidden)"; }

# fci_tag TAG: the value (hex) of a tag directly inside the FCI in DATA
fci_tag() {
	local d=${DATA:4} t l
	while [ ${#d} -ge 4 ]; do
		t=${d:0:2}
		l=$((16#${d:2:2}))
		if [ "$t" = "$1" ]; then
			echo "${d:4:l*2}"
			return 0
		fi
		d=${d:4+l*2}
	done
	return 1
}
# read_ef: the EF just selected (its size from the FCI in DATA), read in
# pieces of at most 244 bytes; sets CONTENT (hex) and RSW (the last SW).
read_ef() {
	local size off=0 n
	CONTENT= RSW=
	size=$((16#$(fci_tag 80)))
	while [ $off -lt "$size" ]; do
		n=$(( size - off < 244 ? size - off : 244 ))
		apdu "00B0$(printf %04X $off)$(printf %02X $n)"
		RSW=$SW
		[ "$SW" = 9000 ] || return 0
		CONTENT+=$DATA
		off=$((off + n))
	done
}
der_hex() { od -An -tx1 -v "$1" | tr -d ' \n' | tr a-f A-F; }

# ---- a world per profile ----

# The first APDU right after an insertion can fail in vpcd even though
# pcscd lists the card: wait until a SELECT of the MF (a form every
# profile takes) goes through.
card_answers() { echo 00A40000023F00 | scriptor -r "$READER" 2>/dev/null | grep -q "90 00 : "; }
start_card() { # PROFILE
	sc_close
	export KART_CARD_PROFILE="$TOP/sim/cardsim/$1.profile"
	world_start --no-kartd --no-ocsp || { echo "Bail out! the test world did not start ($1)"; exit 1; }
	world_wait_for 5 card_answers
	world_cardsim forbidden-reset >/dev/null
	world_cardsim reset-count >/dev/null
	sc_open
	sc_reset
}
# restart_with KEY VALUE: the simulator again with [card] KEY = VALUE (any
# earlier KEY line replaced) and a fresh state file
restart_with() {
	sc_close
	world_stop_cardsim
	sed -i -e "/^$1 = /d" -e "s/^\[card\]$/[card]\n$1 = $2/" "$WORLD/card.profile"
	rm -f "$WORLD/card.state"
	world_start_cardsim >/dev/null
	world_wait_for 5 world_card_present
	world_wait_for 5 card_answers
	world_cardsim forbidden-reset >/dev/null
	sc_open
	sc_reset
}

PIN=123456 PUK=12345678 SPIN=87654321

# Checks common to every AKİS profile: the size limits and CLA.
common_limits() { # NAME
	apdu 00B00000000100
	check_eq "$1: an extended APDU: 6700" 6700 "$SW"
	check "$1: ... recorded" recorded "00 B0 00 00 extended-apdu"
	apdu 0CA40000023F00
	check_eq "$1: secure messaging (CLA 0C): 6E00" 6E00 "$SW"
	check "$1: ... recorded" recorded "0C A4 00 00 not-established-on-this-version"
	apdu 00C00000
	check_eq "$1: GET RESPONSE (no T=0): 6D00, recorded" "6D00 0" "$SW $(recorded '00 C0 00 00' ; echo $?)"
}

# The PKCS#15 files, read after selecting each with SELECT_EF FID.
# Checks TokenInfo's label, the ODF's, AODF's and CDF's paths into DF
# 3D00, the references in the AODF, and a certificate.
read_pkcs15() { # NAME SELECT_EF LABEL PINREF PUKREF
	local name=$1 sel=$2
	$sel 5032
	read_ef
	check "$name: TokenInfo read: its label" grep -q "$(hex "$3")" <<<"$CONTENT"
	$sel 5031
	read_ef
	check "$name: ODF read: AODF, PrKDF, CDF at 3F00 3D00 440x" \
		test "${CONTENT/04063F003D004401/}" != "$CONTENT" -a "${CONTENT/04063F003D004402/}" != "$CONTENT" \
		-a "${CONTENT/04063F003D004403/}" != "$CONTENT"
	$sel 4401
	read_ef
	check "$name: AODF read: PIN reference $4, PUK reference $5, path 3F00 3D00" \
		test "${CONTENT/$4/}" != "$CONTENT" -a "${CONTENT/$5/}" != "$CONTENT" -a "${CONTENT/04043F003D00/}" != "$CONTENT"
	$sel 4403
	read_ef
	check "$name: CDF read: the certificate at 3F00 3D00 4411" grep -q 04063F003D004411 <<<"$CONTENT"
	$sel 4411
	read_ef
	check_eq "$name: certificate 4411 read in 244-byte pieces: the signing certificate" \
		"$(der_hex "$WORLD/ca/sign.der") 9000" "$CONTENT $RSW"
	apdu 00B0000000
	check_eq "$name: READ BINARY Le=00: at most 244 bytes" "488 9000" "${#DATA} $SW"
}

# =================================================================== v1.0

start_card akis-1.0
check_eq "akis-1.0: the ATR is v1.0's (UEKAE V1.0)" 3BBA11008131FE4D55454B41452056312E30AE "$ATR"
check_eq "akis-1.0: profile" "ok akis-1.0" "$(world_cardsim profile)"

# SELECT as OpenSC's akis driver sent it
apdu 00A40800043F003D00
check_eq "akis-1.0: SELECT by path 08 with 3F00: 9000" 9000 "$SW"
check_eq "akis-1.0: ... FCI 6F with tag 90 (valid, read, every try left)" "6F 12" "${DATA:0:2} $(fci_tag 90)"
check_eq "akis-1.0: ... DF name PKCS-15" "$(hex PKCS-15)" "$(fci_tag 84)"
apdu 00A40800043D005032
check_eq "akis-1.0: SELECT by path 08 without 3F00: 9000" 9000 "$SW"
apdu 00A40800033F002F
check_eq "akis-1.0: a path of odd length: 6700" 6700 "$SW"
apdu 00A40800023F00
check_eq "akis-1.0: SELECT by path 3F00 alone: the MF" "9000 3F00" "$SW $(fci_tag 83)"
apdu 00A40000023D00
check_eq "akis-1.0: SELECT a DF by FID, P1=00: 9000" 9000 "$SW"
apdu 00A40000025032
check_eq "akis-1.0: an EF by FID with P1=00: 6A82 (AKİS tells EF from DF)" 6A82 "$SW"
apdu 00A40200025032
check_eq "akis-1.0: an EF by FID with P1=02: 9000" 9000 "$SW"
apdu 00A40200023D00
check_eq "akis-1.0: a DF by FID with P1=02: 6A82" 6A82 "$SW"
check_eq "akis-1.0: none of these recorded" 0 "$(forbidden_n)"
apdu 00A4000C023F00
check_eq "akis-1.0: P2=0C (no FCI): 6A86" 6A86 "$SW"
check "akis-1.0: ... recorded" recorded "00 A4 00 0C not-established-on-this-version"
apdu 00A4040007504B43532D3135
check_eq "akis-1.0: SELECT by name (P1=04): 6A86, recorded" "6A86 0" "$SW $(recorded '00 A4 04 00 not-established' ; echo $?)"
apdu 00A40900023D00
check_eq "akis-1.0: SELECT by relative path (P1=09): 6A86" 6A86 "$SW"
apdu 00A40100023D00
check_eq "akis-1.0: SELECT child DF (P1=01): 6A86" 6A86 "$SW"
apdu 00A40804043F003D00
check_eq "akis-1.0: SELECT with P2=04 (FCP): 6A86" 6A86 "$SW"

# EF.DIR points at the application
apdu 00A40800043F002F00
read_ef
check "akis-1.0: EF.DIR: the PKCS#15 AID and path 3F00 3D00" \
	test "${CONTENT/4F0CA000000063504B43532D3135/}" != "$CONTENT" -a "${CONTENT/51043F003D00/}" != "$CONTENT"
v10_sel() { apdu "00A40800063F003D00$1"; }
read_pkcs15 akis-1.0 v10_sel "AKIS v1.0 Test Card" 800200800401FF 8001000401FF
common_limits akis-1.0

# GET DATA: the serial
apdu 00CA01064D
check_eq "akis-1.0: GET DATA 01 06 Le 4D: 77 bytes" "154 9000" "${#DATA} $SW"
check_eq "akis-1.0: ... the serial at bytes 55..66" "$(hex 0000AK100001)" "${DATA:110:24}"
apdu 00CA010410
check_eq "akis-1.0: GET DATA 01 04 (not in the record): 6A86, recorded" "6A86 0" "$SW $(recorded '00 CA 01 04 not-established' ; echo $?)"

# VERIFY 00 20 00 80
world_cardsim forbidden-reset >/dev/null
apdu 00A40000023F00
with 00200080 "$(hex $PIN)"
check_eq "akis-1.0: VERIFY with the MF current: 6A88 (the PIN is DF 3D00's)" 6A88 "$SW"
check_eq "akis-1.0: ... no try spent" 3 "$(pin_tries)"
apdu 00A40800043F003D00
with 00200080 "$(hex 111111)"
check_eq "akis-1.0: a wrong PIN: 63C2" 63C2 "$SW"
apdu 00A40800043F003D00
check_eq "akis-1.0: DF 3D00's tag 90 shows 40 (a wrong PIN entered)" 52 "$(fci_tag 90)"
with 00200080 "$(hex $PIN)FFFF"
check_eq "akis-1.0: the PIN padded with FF is a wrong PIN: 63C1" 63C1 "$SW"
apdu 00A40800043F003D00
check_eq "akis-1.0: tag 90 shows 80 (the last try)" 92 "$(fci_tag 90)"
with 00200080 "$(hex $PIN)"
check_eq "akis-1.0: the right PIN: 9000" 9000 "$SW"
check_eq "akis-1.0: ... counter back to 3, verified" "3 yes" "$(pin_tries) $(verified)"
apdu 00A40800043F003D00
check_eq "akis-1.0: tag 90 healthy again" 12 "$(fci_tag 90)"
apdu 801A0000
check_eq "akis-1.0: logout 80 1A 00 00: 9000" 9000 "$SW"
check_eq "akis-1.0: ... the PIN is no longer verified" no "$(verified)"
apdu 801A0100
check_eq "akis-1.0: logout with P1=01: 6A86" 6A86 "$SW"
check_eq "akis-1.0: no PIN command so far recorded (logout P1=01 is)" 1 "$(forbidden_n)"
with 00200081 "$(hex $PIN)"
check_eq "akis-1.0: VERIFY reference 81 (not this version's): 6A88, recorded" "6A88 0 3" \
	"$SW $(recorded '00 20 00 81 not-established' ; echo $?) $(pin_tries)"
apdu 00200080
check_eq "akis-1.0: an empty VERIFY costs a try: 63C2" 63C2 "$SW"
check "akis-1.0: ... recorded as empty-verify" recorded "00 20 00 80 empty-verify"
with 00200080 "$(hex 111111)"
with 00200080 "$(hex 222222)"
check_eq "akis-1.0: down to the last wrong PIN: 63C0" 63C0 "$SW"
with 00200080 "$(hex $PIN)"
check_eq "akis-1.0: locked: the right PIN gets 6984" 6984 "$SW"
check_eq "akis-1.0: ... no counter moved" "0 3" "$(pin_tries) $(puk_tries)"
apdu 00A40800043F003D00
check_eq "akis-1.0: a locked PIN's tag 90 shows 40|80, not a healthy PIN" D2 "$(fci_tag 90)"
with 00240200 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: change on a locked PIN: 6984" 6984 "$SW"
check_eq "akis-1.0: ... PIN unchanged" "$PIN" "$(card_pin)"
world_cardsim set-pin-tries 3 >/dev/null

# the change 00 24 02 <80 & 7F>
with 00240200 "$(lv 000000)$(lv 654321)"
check_eq "akis-1.0: change with a wrong old PIN: 63C2" 63C2 "$SW"
with 00240200 "$(lv $PIN)$(lv 12ab56)"
check_eq "akis-1.0: change to a new PIN that is not digits: 6A80, nothing spent" "6A80 2" "$SW $(pin_tries)"
with 00240200 "$(hex 123456654321)"
check_eq "akis-1.0: change without the length bytes: 6700" 6700 "$SW"
with 00240200 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: change 00 24 02 00 len||old||len||new: 9000" 9000 "$SW"
check_eq "akis-1.0: ... the new PIN, counter at 3" "654321 3" "$(card_pin) $(pin_tries)"
check_eq "akis-1.0: the PIN commands of the record recorded nothing" 3 "$(forbidden_n)"
world_cardsim set-pin $PIN >/dev/null
with 00240080 "$(hex $PIN)FFFF$(hex 654321)FFFF"
check_eq "akis-1.0: the ISO change 00 24 00 80: 6A86, recorded" "6A86 0 $PIN" \
	"$SW $(recorded '00 24 00 80 not-established' ; echo $?) $(card_pin)"
with 00240081 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: 00 24 00 81: 6A86, recorded" "6A86 0" "$SW $(recorded '00 24 00 81 not-established' ; echo $?)"
with 00240281 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: 00 24 02 81 (ref not masked): 6A88, recorded" "6A88 0" "$SW $(recorded '00 24 02 81 not-established' ; echo $?)"

# forbidden: the PUK/SO reference 00 and its change 00 24 01
world_cardsim forbidden-reset >/dev/null
with 00240181 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: 00 24 01 81 is the PUK/SO change: the old PIN taken for a wrong PUK (63C2)" 63C2 "$SW"
check_eq "akis-1.0: ... a PUK try spent, the PIN untouched" "2 3 $PIN" "$(puk_tries) $(pin_tries) $(card_pin)"
check "akis-1.0: ... recorded as puk-change" recorded "00 24 01 81 puk-change"
with 00200000 "$(hex 11111111)"
check_eq "akis-1.0: VERIFY of the PUK/SO reference 00 with a wrong value: 63C1" "63C1 1" "$SW $(puk_tries)"
check "akis-1.0: ... recorded as puk-verify" recorded "00 20 00 00 puk-verify"
with 00200000 "$(hex $PUK)"
check_eq "akis-1.0: the right PUK: 9000, PUK counter back to 3" "9000 3" "$SW $(puk_tries)"
with 00240100 "$(lv $PUK)$(lv 87654321)"
check_eq "akis-1.0: 00 24 01 00 with the right PUK changes the PUK" "9000 87654321" "$SW $(card_puk)"
for p in 11111111 22222222 33333333; do with 00240100 "$(lv $p)$(lv 12345678)"; done
check_eq "akis-1.0: three wrong PUKs: 63C0, the card is dead" "63C0 0" "$SW $(puk_tries)"
apdu 00A40800043F003D00
with 00200080 "$(hex $PIN)"
check_eq "akis-1.0: dead card: the right PIN gets 6984" 6984 "$SW"
with 00240200 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.0: dead card: the change gets 6984" 6984 "$SW"
with 00200000 "$(hex 87654321)"
check_eq "akis-1.0: dead card: even the right PUK gets 6984" 6984 "$SW"
check_eq "akis-1.0: ... the user PIN's counter never moved" 3 "$(pin_tries)"
world_cardsim set-puk-tries 3 >/dev/null

# not established on v1.0
world_cardsim forbidden-reset >/dev/null
with 002C0081 "$(hex 87654321123456)"
check_eq "akis-1.0: RESET RETRY COUNTER: 6D00" 6D00 "$SW"
apdu 00CB3FFF084D06BF810102A08000
check_eq "akis-1.0: the SDO header read: 6D00" 6D00 "$SW"
apdu 80090002
check_eq "akis-1.0: 80 09 (a lifecycle change): 6D00" 6D00 "$SW"
apdu 0084000008
check_eq "akis-1.0: GET CHALLENGE: 6D00" 6D00 "$SW"
check_eq "akis-1.0: forbidden lists them" \
	"ok 4: 00 2C 00 81 not-established-on-this-version; 00 CB 3F FF not-established-on-this-version; 80 09 00 02 not-established-on-this-version; 00 84 00 00 not-established-on-this-version" \
	"$(world_cardsim forbidden)"
world_cardsim forbidden-reset >/dev/null
check_eq "akis-1.0: forbidden-reset empties the record" "ok 0" "$(world_cardsim forbidden)"

# =================================================================== 1.2

start_card akis-1.2
check_eq "akis-1.2: the ATR is a v1.2 one (UEKAE 12 93)" 3B9F968131FE45806755454B41451293318073B3A1806B "$ATR"

apdu 00A40000023F00
check_eq "akis-1.2: SELECT the MF by 00 A4 00 00 3F00: 9000 with an FCI" "9000 6F" "$SW ${DATA:0:2}"
apdu 00A4000000
check_eq "akis-1.2: SELECT 00 A4 00 00 without data: the MF" "9000 3F00" "$SW $(fci_tag 83)"
apdu 00A40000023D00
check_eq "akis-1.2: 00 A4 00 00 3D00 (directly under the MF): 9000" 9000 "$SW"
apdu 00A40000025032
check_eq "akis-1.2: 00 A4 00 00 5032 (not directly under the MF): 6A82" 6A82 "$SW"
apdu 00A40000023F00
apdu 00A40100023D00
check_eq "akis-1.2: 00 A4 01 00 3D00 (child DF): 9000, name PKCS-15" "9000 $(hex PKCS-15)" "$SW $(fci_tag 84)"
apdu 00A40100025032
check_eq "akis-1.2: 00 A4 01 00 with an EF's FID: 6A82" 6A82 "$SW"
apdu 00A40200025032
check_eq "akis-1.2: 00 A4 02 00 5032 (EF of the current DF): 9000" 9000 "$SW"
apdu 00A40200023D00
check_eq "akis-1.2: 00 A4 02 00 with a DF's FID: 6A82" 6A82 "$SW"
apdu 00A40000023F00
apdu "00A40400$(lenhex "$(hex PKCS-15)")$(hex PKCS-15)"
check_eq "akis-1.2: 00 A4 04 00 \"PKCS-15\" (DF by name): 9000, FID 3D00" "9000 3D00" "$SW $(fci_tag 83)"
apdu 00A404000CA000000063504B43532D3135
check_eq "akis-1.2: by name with the PKCS#15 AID: 6A82 (the DF is named PKCS-15)" 6A82 "$SW"
apdu 00A40000022F00
check_eq "akis-1.2: no EF.DIR: 6A82" 6A82 "$SW"
check_eq "akis-1.2: none of these recorded" 0 "$(forbidden_n)"
apdu 00A40800043F003D00
check_eq "akis-1.2: SELECT by path (08): 6A86" 6A86 "$SW"
check "akis-1.2: ... recorded" recorded "00 A4 08 00 not-established-on-this-version"
apdu 00A40900023D00
check_eq "akis-1.2: SELECT by relative path (09): 6A86" 6A86 "$SW"
apdu 00A4000C023F00
check_eq "akis-1.2: P2=0C: 6A86" 6A86 "$SW"
apdu 00A40004023F00
check_eq "akis-1.2: P2=04: 6A86" 6A86 "$SW"
check_eq "akis-1.2: the four refused forms recorded" 4 "$(forbidden_n)"
v12_sel() { apdu 00A40000023F00; apdu 00A40100023D00; apdu "00A40200$(lenhex "$1")$1"; }
read_pkcs15 akis-1.2 v12_sel "AKIS 1.2 Test Card" 800200810401FF 800200820401FF
common_limits akis-1.2

# VERIFY 00 20 00 81
world_cardsim forbidden-reset >/dev/null
apdu 00A40000023F00
with 00200081 "$(hex $PIN)"
check_eq "akis-1.2: VERIFY with the MF current: 6A88, no try" "6A88 3" "$SW $(pin_tries)"
apdu 00A40100023D00
with 00200081 "$(hex 111111)"
check_eq "akis-1.2: a wrong PIN: 63C2" 63C2 "$SW"
with 00200081 "$(hex $PIN)"
check_eq "akis-1.2: the right PIN (ASCII, unpadded): 9000, counter reset" "9000 3 yes" "$SW $(pin_tries) $(verified)"
with 00200081 "$(hex $PIN)FFFF"
check_eq "akis-1.2: the PIN padded with FF: a wrong PIN (63C2)" 63C2 "$SW"
with 00200081 "$(hex $PIN)"
apdu 00200081
check_eq "akis-1.2: an empty VERIFY costs a try, even verified: 63C2" "63C2 2 no" "$SW $(pin_tries) $(verified)"
check "akis-1.2: ... recorded as empty-verify" recorded "00 20 00 81 empty-verify"
with 00200081 "$(hex 111111)"
check_eq "akis-1.2: 63C1 is the last try" 63C1 "$SW"
with 00200081 "$(hex 222222)"
check_eq "akis-1.2: the last wrong PIN: 63C0" 63C0 "$SW"
with 00200081 "$(hex $PIN)"
check_eq "akis-1.2: locked: the right PIN gets 6984" "6984 0" "$SW $(pin_tries)"
with 00240081 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.2: change on a locked PIN: 6984, nothing moved" "6984 0 $PIN" "$SW $(pin_tries) $(card_pin)"
world_cardsim set-pin-tries 3 >/dev/null

# the change 00 24 00 81 len||old||len||new
with 00240081 "$(lv 000000)$(lv 654321)"
check_eq "akis-1.2: change with a wrong old PIN: 63C2" 63C2 "$SW"
with 00240081 "$(hex $PIN)$(hex 654321)"
check_eq "akis-1.2: change in ISO form (old||new): 6700, nothing spent" "6700 2" "$SW $(pin_tries)"
with 00240081 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.2: change 00 24 00 81 len||old||len||new: 9000" "9000 654321 3" "$SW $(card_pin) $(pin_tries)"
check_eq "akis-1.2: the holder's commands recorded only the empty VERIFY" 1 "$(forbidden_n)"

# not established on 1.2
world_cardsim forbidden-reset >/dev/null
apdu 00CB3FFF084D06BF810102A08000
check_eq "akis-1.2: the SDO header read (no tries read): 6D00" 6D00 "$SW"
apdu 00CA01064D
check_eq "akis-1.2: GET DATA: 6D00" 6D00 "$SW"
apdu 801A0000
check_eq "akis-1.2: logout 80 1A: 6D00" 6D00 "$SW"
with 00240281 "$(lv 654321)$(lv $PIN)"
check_eq "akis-1.2: v1.0's change 00 24 02 81: 6A86" 6A86 "$SW"
with 002C0181 "$(hex $PUK)"
check_eq "akis-1.2: RESET RETRY COUNTER P1=01: 6A86" 6A86 "$SW"
check_eq "akis-1.2: all five recorded" \
	"ok 5: 00 CB 3F FF not-established-on-this-version; 00 CA 01 06 not-established-on-this-version; 80 1A 00 00 not-established-on-this-version; 00 24 02 81 not-established-on-this-version; 00 2C 01 81 not-established-on-this-version" \
	"$(world_cardsim forbidden)"
check_eq "akis-1.2: ... and no counter moved" "3 3 3" "$(pin_tries) $(puk_tries) $(system_tries)"

# forbidden: the issuer's commands, with their effect
world_cardsim forbidden-reset >/dev/null
world_cardsim set-pin $PIN >/dev/null
with 00240181 "$(hex 654321)"
check_eq "akis-1.2: 00 24 01 81 (set the PIN) without the system PIN: 6982" "6982 $PIN" "$SW $(card_pin)"
check "akis-1.2: ... recorded" recorded "00 24 01 81 set-pin-without-system-pin"
with 00200001 "$(hex 11111111)"
check_eq "akis-1.2: the system PIN 00 20 00 01 wrong: a system try spent (63C2)" "63C2 2" "$SW $(system_tries)"
check "akis-1.2: ... recorded" recorded "00 20 00 01 system-pin-verify"
apdu 80090002
check_eq "akis-1.2: 80 09 00 02 without the system PIN: 6982, recorded" "6982 0" "$SW $(recorded '80 09 00 02 phase-change-without-system-pin' ; echo $?)"
with 00200001 "$(hex $SPIN)"
check_eq "akis-1.2: the right system PIN: 9000, its counter reset" "9000 3" "$SW $(system_tries)"
apdu 80090002
check_eq "akis-1.2: 80 09 00 02 after it: 9000" 9000 "$SW"
with 00240181 "$(hex 654321)"
check_eq "akis-1.2: 00 24 01 81 after the system PIN sets the PIN" "9000 654321" "$SW $(card_pin)"
check "akis-1.2: ... recorded as set-pin" recorded "00 24 01 81 set-pin"
world_cardsim set-pin-tries 0 >/dev/null
with 00240181 "$(hex 135790)"
check_eq "akis-1.2: on a locked PIN 00 24 01 81 answers 6984" 6984 "$SW"
with 002C0281 "$(hex 135790)"
check_eq "akis-1.2: ... then 00 2C 02 81 sets the PIN and its counter" "9000 135790 3" "$SW $(card_pin) $(pin_tries)"
check "akis-1.2: ... recorded" recorded "00 2C 02 81 reset-retry-counter"
sc_reset
apdu 00A40000023F00
apdu 00A40100023D00
with 002C0281 "$(hex 246810)"
check_eq "akis-1.2: 00 2C 02 81 without the system PIN: 6982" "6982 135790" "$SW $(card_pin)"
check "akis-1.2: ... recorded" recorded "00 2C 02 81 reset-retry-counter-without-system-pin"
with 00240182 "$(hex 11223344)"
check_eq "akis-1.2: 00 24 01 82 (set the PUK) without the system PIN: 6982" "6982 $PUK" "$SW $(card_puk)"
check "akis-1.2: ... recorded" recorded "00 24 01 82 set-puk-without-system-pin"
with 002C0081 "$(lv 11111111)$(lv $PIN)"
check_eq "akis-1.2: 00 2C 00 81 with a wrong PUK: a PUK try spent (63C2)" "63C2 2 135790" "$SW $(puk_tries) $(card_pin)"
check "akis-1.2: ... recorded" recorded "00 2C 00 81 reset-retry-counter-with-puk"
world_cardsim set-pin-tries 0 >/dev/null
with 002C0081 "$(lv $PUK)$(lv $PIN)"
check_eq "akis-1.2: 00 2C 00 81 len||PUK||len||new with the right PUK unblocks with the new PIN" \
	"9000 $PIN 3 3" "$SW $(card_pin) $(pin_tries) $(puk_tries)"
with 00200082 "$(hex 11111111)"
check_eq "akis-1.2: VERIFY of the PUK 82 with a wrong value: 63C2" "63C2 2" "$SW $(puk_tries)"
check "akis-1.2: ... recorded" recorded "00 20 00 82 puk-verify"
with 00240082 "$(lv 11111111)$(lv 11223344)"
check_eq "akis-1.2: 00 24 00 82 with a wrong old PUK: 63C1" "63C1 1" "$SW $(puk_tries)"
check "akis-1.2: ... recorded" recorded "00 24 00 82 puk-change"
with 00200082 "$(hex 22222222)"
check_eq "akis-1.2: the last PUK try: 63C0, the card is dead" "63C0 0" "$SW $(puk_tries)"
with 00200081 "$(hex $PIN)"
check_eq "akis-1.2: dead card: the right PIN gets 6984" "6984 3" "$SW $(pin_tries)"
with 00240081 "$(lv $PIN)$(lv 654321)"
check_eq "akis-1.2: dead card: the change gets 6984" 6984 "$SW"
with 002C0081 "$(lv $PUK)$(lv 654321)"
check_eq "akis-1.2: dead card: the unblock gets 6984" "6984 $PIN" "$SW $(card_pin)"

# =================================================================== 2.x

start_card akis-2
check_eq "akis-2: the ATR is a 2.x one (2.2.8 Infineon)" 3B9F978131FE4580655443D2210831C073F6218081055B "$ATR"
apdu 00A40000023F00
apdu 00A40000025031
check_eq "akis-2: 00 A4 00 00 5031 (not under the MF): 6A82" 6A82 "$SW"
apdu "00A40400$(lenhex "$(hex PKCS-15)")$(hex PKCS-15)"
check_eq "akis-2: DF by name PKCS-15: 9000" 9000 "$SW"
apdu 00A40200025031
check_eq "akis-2: EF 5031 in it: 9000" 9000 "$SW"
apdu 00A40800063F003D005031
check_eq "akis-2: SELECT by path: 6A86, recorded" "6A86 0" "$SW $(recorded '00 A4 08 00 not-established' ; echo $?)"
v2_sel() { apdu "00A40400$(lenhex "$(hex PKCS-15)")$(hex PKCS-15)"; apdu "00A40200$(lenhex "$1")$1"; }
read_pkcs15 akis-2 v2_sel "AKIS 2 Test Card" 800200810401FF 800200820401FF
common_limits akis-2

# the tries read and VERIFY
world_cardsim forbidden-reset >/dev/null
TRIES=00CB3FFF084D06BF810102A08000
apdu 00A40000023F00
apdu $TRIES
check_eq "akis-2: the SDO header read with the MF current: 6A88" 6A88 "$SW"
apdu 00A40100023D00
apdu $TRIES
check_eq "akis-2: the SDO header read of PIN 1: BF8101 { A0 { 9A max 3, 9B left 3 } }" \
	"BF810108A0069A01039B0103 9000" "$DATA $SW"
apdu 00CB3FFF084D06BF810202A08000
check_eq "akis-2: the header of another object (BF 81 02): 6A88" 6A88 "$SW"
apdu 00CB3F00084D06BF810102A08000
check_eq "akis-2: the header read with P1P2 3F00: 6A86, recorded" "6A86 0" "$SW $(recorded '00 CB 3F 00 not-established' ; echo $?)"
with 00200081 "$(hex 111111)"
check_eq "akis-2: a wrong PIN: 63C2" 63C2 "$SW"
apdu $TRIES
check_eq "akis-2: ... the header says 2 left" "BF810108A0069A01039B0102" "$DATA"
with 00200081 "$(hex $PIN)"
check_eq "akis-2: the right PIN: 9000" 9000 "$SW"
apdu $TRIES
check_eq "akis-2: ... 3 left again" "BF810108A0069A01039B0103" "$DATA"
apdu 00200081
check_eq "akis-2: an empty VERIFY costs a try (never sent empty)" "63C2 2" "$SW $(pin_tries)"
check "akis-2: ... recorded" recorded "00 20 00 81 empty-verify"
with 00200081 "$(hex 111111)"
with 00200081 "$(hex 222222)"
check_eq "akis-2: down to 63C0" 63C0 "$SW"
with 00200081 "$(hex $PIN)"
check_eq "akis-2: locked: the right PIN gets 6983" "6983 0" "$SW $(pin_tries)"
apdu $TRIES
check_eq "akis-2: ... the header says 0 left" "BF810108A0069A01039B0100" "$DATA"
with 00240081 "$(hex $PIN)$(hex 654321)"
check_eq "akis-2: change on a locked PIN: 6983, nothing moved" "6983 0 $PIN" "$SW $(pin_tries) $(card_pin)"
world_cardsim set-pin-tries 3 >/dev/null

# the change 00 24 00 81 old||new
with 00240081 "$(hex 000000)$(hex 654321)"
check_eq "akis-2: change with a wrong old PIN: 63C2" 63C2 "$SW"
with 00240081 "$(hex $PIN)"
check_eq "akis-2: change with the old PIN alone: 6700, nothing spent" "6700 2" "$SW $(pin_tries)"
with 00240081 "$(lv $PIN)$(lv 654321)"
check_eq "akis-2: change in v1.2's len-prefixed form: the card reads a new PIN that is no digits (6A80)" \
	"6A80 $PIN 2" "$SW $(card_pin) $(pin_tries)"
with 00240081 "$(hex $PIN)$(hex 65432198)"
check_eq "akis-2: change 00 24 00 81 old||new (ISO): 9000" "9000 65432198 3" "$SW $(card_pin) $(pin_tries)"
with 00240081 "$(hex 65432198)$(hex $PIN)"
check_eq "akis-2: ... and back (old 8 digits, new 6)" "9000 $PIN" "$SW $(card_pin)"

# not established on 2.x
world_cardsim forbidden-reset >/dev/null
apdu 00CA01064D
check_eq "akis-2: GET DATA: 6D00" 6D00 "$SW"
apdu 801A0000
check_eq "akis-2: logout 80 1A: 6D00" 6D00 "$SW"
apdu 80090002
check_eq "akis-2: 80 09 00 02: 6D00" 6D00 "$SW"
with 00200083 "$(hex $PIN)"
check_eq "akis-2: VERIFY 00 20 00 83: 6A88" 6A88 "$SW"
check_eq "akis-2: the four recorded" 4 "$(forbidden_n)"

# forbidden, with their effect
world_cardsim forbidden-reset >/dev/null
with 00240181 "$(hex 654321)"
check_eq "akis-2: 00 24 01 81 without the system PIN: 6982, PIN unchanged" "6982 $PIN" "$SW $(card_pin)"
check "akis-2: ... recorded" recorded "00 24 01 81 set-pin-without-system-pin"
with 002C0281 "$(hex 654321)"
check_eq "akis-2: 00 2C 02 81 without the PUK: 6982" "6982 $PIN" "$SW $(card_pin)"
check "akis-2: ... recorded" recorded "00 2C 02 81 reset-retry-counter-without-puk"
with 00200082 "$(hex 11111111)"
check_eq "akis-2: 00 20 00 82 with a wrong PUK: a PUK try spent (63C2)" "63C2 2" "$SW $(puk_tries)"
check "akis-2: ... recorded" recorded "00 20 00 82 puk-verify"
world_cardsim set-pin-tries 0 >/dev/null
with 00200082 "$(hex $PUK)"
check_eq "akis-2: 00 20 00 82 with the PUK: 9000" "9000 3" "$SW $(puk_tries)"
with 002C0281 "$(hex 654321)"
check_eq "akis-2: ... then 00 2C 02 81 <new>: the PIN set, counter at 3" "9000 654321 3" "$SW $(card_pin) $(pin_tries)"
check "akis-2: ... recorded" recorded "00 2C 02 81 reset-retry-counter"
with 002C0081 "$(hex 11111111)$(hex $PIN)"
check_eq "akis-2: 00 2C 00 81 PUK||new with a wrong PUK: 63C2" "63C2 654321" "$SW $(card_pin)"
check "akis-2: ... recorded" recorded "00 2C 00 81 reset-retry-counter-with-puk"
with 00200001 "$(hex 11111111)"
check_eq "akis-2: the system PIN 00 20 00 01 wrong: a system try spent" "63C2 2" "$SW $(system_tries)"
check "akis-2: ... recorded" recorded "00 20 00 01 system-pin-verify"
with 00240082 "$(hex 11111111)$(hex 22222222)"
check_eq "akis-2: 00 24 00 82 with a wrong old PUK: 63C1" "63C1 1" "$SW $(puk_tries)"
with 00200082 "$(hex 33333333)"
check_eq "akis-2: the last PUK try: the card is dead" "63C0 0" "$SW $(puk_tries)"
with 00200081 "$(hex 654321)"
check_eq "akis-2: dead card: the right PIN gets 6983" 6983 "$SW"
with 00240081 "$(hex 654321)$(hex $PIN)"
check_eq "akis-2: dead card: the change gets 6983" "6983 654321" "$SW $(card_pin)"
with 00200001 "$(hex $SPIN)"
check_eq "akis-2: dead card: even the system PIN gets 6983" 6983 "$SW"

# atr = overrides the profile's
restart_with atr 3B9F978131FE458065544312210831C073F6218081059B
check_eq "akis-2: atr = presents the TCKK field-test ATR" 3B9F978131FE458065544312210831C073F6218081059B "$ATR"
restart_with atr 3B9F978131FE458065544353228231C073F62180810553
check_eq "akis-2: ... or 2.5.2 NXP's" 3B9F978131FE458065544353228231C073F62180810553 "$ATR"
apdu 00A40000023F00
apdu 00A40100023D00
apdu $TRIES
check_eq "akis-2: ... the card behaves the same" "9000 BF810108A0069A01039B0103" "$SW $DATA"

# =================================================================== v3

start_card akis-3
check "akis-3: the ATR's historical bytes match MA3's v3 pattern 8066683209......31958105" \
	grep -Eq '^3B9C978131FE458066683209[0-9A-F]{6}31958105[0-9A-F]{2}$' <<<"$ATR"
apdu 00A40000023F00
apdu 00A40100023D00
check_eq "akis-3: SELECT as 2.x: 9000" 9000 "$SW"
v3_sel() { apdu 00A40000023F00; apdu 00A40100023D00; apdu "00A40200$(lenhex "$1")$1"; }
read_pkcs15 akis-3 v3_sel "AKIS 3 Test Card" 800200810401FF 800200820401FF
common_limits akis-3
world_cardsim forbidden-reset >/dev/null
apdu 00A40000023F00
apdu 00A40100023D00
with 00200081 "$(hex $PIN)"
check_eq "akis-3: VERIFY (not established on v3): 6D00, nothing verified" "6D00 3 no" "$SW $(pin_tries) $(verified)"
apdu 00200081
check_eq "akis-3: an empty VERIFY: 6D00, no try spent" "6D00 3" "$SW $(pin_tries)"
with 00240081 "$(hex $PIN)$(hex 654321)"
check_eq "akis-3: CHANGE REFERENCE DATA: 6D00, the PIN kept" "6D00 $PIN" "$SW $(card_pin)"
with 002C0281 "$(hex 654321)"
check_eq "akis-3: RESET RETRY COUNTER: 6D00" 6D00 "$SW"
apdu 00CB3FFF084D06BF810102A08000
check_eq "akis-3: the SDO header read: 6D00" 6D00 "$SW"
check_eq "akis-3: all five recorded" \
	"ok 5: 00 20 00 81 not-established-on-this-version; 00 20 00 81 not-established-on-this-version; 00 24 00 81 not-established-on-this-version; 00 2C 02 81 not-established-on-this-version; 00 CB 3F FF not-established-on-this-version" \
	"$(world_cardsim forbidden)"

# =================================================================== pkcs15

start_card default
check_eq "pkcs15: the reference card's ATR (KARTSIM)" 3B8B800180574B41525453494D31C077 "$ATR"
check_eq "pkcs15: profile" "ok pkcs15" "$(world_cardsim profile)"
apdu 00A4040C0CA000000063504B43532D3135
check_eq "pkcs15: SELECT by AID, P2=0C: 9000, no data" "9000 " "$SW $DATA"
apdu 00A40800043F005015
check_eq "pkcs15: SELECT by path: an FCI without tag 90" "9000 1" "$SW $(fci_tag 90 >/dev/null; echo $?)"
apdu 00A40000025032
check_eq "pkcs15: an EF by FID with P1=00: 9000" 9000 "$SW"
apdu 00200081
check_eq "pkcs15: an empty VERIFY asks the state for free: 63C3" "63C3 3" "$SW $(pin_tries)"
with 00200081 "$(hex $PIN)FFFF"
check_eq "pkcs15: VERIFY with the padded PIN: 9000" 9000 "$SW"
with 00240181 "$(lv $PIN)$(lv 654321)"
check_eq "pkcs15: 00 24 01 81: 6A86, the PIN kept" "6A86 $PIN" "$SW $(card_pin)"
apdu 00CA01064D
check_eq "pkcs15: GET DATA: 6A88" 6A88 "$SW"
apdu 00B00000000100
check_eq "pkcs15: an extended READ BINARY is taken (TokenInfo, short read)" 6282 "$SW"
apdu 0084000008
check_eq "pkcs15: GET CHALLENGE: 9000" 9000 "$SW"
check_eq "pkcs15: nothing is ever recorded" "ok 0" "$(world_cardsim forbidden)"
check "pkcs15: no system_tries in its state file" lacks "$WORLD/card.state" -e system_tries

sc_close
check "kart-cardsim is still running" kill -0 "$WORLD_CARDSIM_PID"
tap_plan "$tap_n"
tap_done
