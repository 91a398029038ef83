#!/bin/bash
# After every PIN operation kartd leaves the card logged out: another
# PC/SC client connecting right after `kartctl verify-pin` or a PIN change
# finds the PIN not verified. On the reference card (no logout command)
# kartd ends the transaction with a card reset; the witness is a second
# PC/SC client (scriptor): an empty VERIFY, which this card answers 9000
# only while the PIN is verified, answers 63C3.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 8
command -v scriptor >/dev/null || { echo "Bail out! scriptor (pcsc-tools) is not installed"; exit 1; }
. "$(dirname "$0")/card.sh"
card_start

READER="Virtual PCD 00 00"
# The status word another program sees for an empty VERIFY of the PIN.
other_client_sw() {
	printf '00 20 00 81\nexit\n' | scriptor -r "$READER" 2>/dev/null |
		sed -n 's/^< *\(.*\) : .*/\1/p' | tr -d ' ' | tail -c 5
}

check_eq "before: the PIN is not verified" 63C3 "$(other_client_sw)"
# The witness itself can fail: a PIN verified on the card shows as 9000.
printf '00 20 00 81 08 31 32 33 34 35 36 FF FF\n00 20 00 81\nexit\n' | scriptor -r "$READER" >"$WORLD/witness.out" 2>&1
check "the witness sees a verified PIN in its own session" grep -q '< 90 00 : Normal processing' <<<"$(sed -n '4,$p' "$WORLD/witness.out")"

out=$(printf '123456\n' | "$CTL" verify-pin --stdin 2>&1)
check "kartctl verify-pin succeeds" grep -qi 'correct\|doğru' <<<"$out"
check_eq "right after verify-pin another client finds the PIN not verified" 63C3 "$(other_client_sw)"

out=$(printf '123456\n24681357\n24681357\n' | "$CTL" change-pin --stdin 2>&1)
check "kartctl change-pin succeeds" grep -q 'changed\|değiştirildi' <<<"$out"
check_eq "right after change-pin another client finds the PIN not verified" 63C3 "$(other_client_sw)"

out=$(call VerifyPin 'sa{sv}' 00000000 0)
check "a wrong PIN: WrongPin" grep -q 'Wrong PIN' <<<"$out"
check_eq "... and nothing verified either" 63C2 "$(other_client_sw)"
tap_done
