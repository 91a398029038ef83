#!/bin/bash
# Online unlock when things break on the card's side or in kartd itself:
# the card pulled before EXTERNAL AUTHENTICATE, between it and RESET RETRY
# COUNTER, during RESET RETRY COUNTER and after it; kartd killed after the
# card was written while it reports the outcome. Each time the caller gets
# a clear error, the PUK, admin and PIN counters are never spent, a retry
# after reinsertion succeeds, and the backend hears of every authorization
# (by kartd's journal after a restart). The new PINs never reach a log.
# (Backend and TLS faults: test-unlock-backend-faults.sh.)
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 58
card_start_with_backend

AUDIT=$WORLD/backend/state/audit.log
REQUESTS=$WORLD/backend/state/requests.log
JOURNAL=$WORLD/state/unlock-journal
PINS=()                                 # every new PIN sent, for the log checks
admin_tries() { world_cardsim admin-tries | awk '{print $2}'; }
# "PIN PUK" tries left, from the card itself
counters() { world_cardsim pin-tries | awk '{print $2, $3}'; }
card_pin() { world_cardsim get-pin | awk '{print $2}'; }
journal_files() { ls -A "$JOURNAL" 2>/dev/null | wc -l; }
session_state() {
	busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session State 2>&1 |
		cut -d' ' -f2- | tr -d '"'
}
# SetPin through gdbus, which prints the D-Bus error name; nothing on success.
set_pin() {
	PINS+=("$1")
	gdbus call --system --dest org.kartd.Kartd1 --object-path "$session" \
		--method org.kartd.Kartd1.Session.SetPin "$1" 2>&1 | grep -v '^()$'
}
# A new unlock session, past the second factor (web password).
authorized_session() {
	session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' \
		"$(world_backend_code unblock)" 0 | awk '{print $2}' | tr -d '"')
	busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Confirm ss password kart-test-pw
}
# The backend keeps its per-card daily budget (5 authorizations) in memory:
# a fresh one for every case.
fresh_backend() {
	world_stop_backend
	world_start_backend >/dev/null || echo "Bail out! the reference backend did not restart"
}
# The authorization the backend issued last, and the outcomes reported for it.
last_authz() { grep '"event":"authorization"' "$AUDIT" | tail -n 1 | sed 's/.*"authorization_id":"\([^"]*\)".*/\1/'; }
outcomes_of() {
	grep '"event":"result"' "$AUDIT" | grep "\"authorization_id\":\"$1\"" |
		sed 's/.*"outcome":"\([^"]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//'
}
reinsert() {
	world_card_insert >/dev/null
	world_wait_for 5 world_card_present
	world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q '\"'"
}

# --- the card pulled at each step. The PIN has 2 tries left (one wrong
# VERIFY): a step that spent a PIN try would show.
# removal NAME FAULT PIN_AFTER EXPECT SAYS: the cardsim fault FAULT during
# SetPin; PIN_AFTER is "old" when RESET RETRY COUNTER cannot have reached
# the card, "new" when it did (a torn write); EXPECT is the D-Bus error
# SetPin gives, SAYS what its message tells (kartd cannot know whether a
# RESET RETRY COUNTER without an answer reached the card).
n=0
removal() {
	local name=$1 fault=$2 after=$3 expect=$4 says=$5 before admin old authz pin1 pin2 out
	n=$((n + 1))
	pin1=1357246$n pin2=2468135$n
	fresh_backend
	world_cardsim set-pin-tries 2 >/dev/null
	before=$(counters) admin=$(admin_tries) old=$(card_pin)
	authorized_session >/dev/null
	world_cardsim reset-count >/dev/null
	# shellcheck disable=SC2086
	world_cardsim fault $fault >/dev/null
	out=$(set_pin "$pin1")
	authz=$(last_authz)
	check "$name: SetPin fails with $expect" grep -q "Error.$expect" <<<"$out"
	[[ $out == *"Error.$expect"* ]] || echo "# SetPin: $out"
	check "$name: ... saying the PIN $says" grep -q "$says" <<<"$out"
	if [ "$after" = old ]; then
		check_eq "$name: the card's PIN and its PIN and PUK counters are unchanged" \
			"$old $before" "$(card_pin) $(counters)"
	else
		check_eq "$name: torn, the card took the new PIN (counter reset), PUK untouched" \
			"$pin1 3 ${before#* }" "$(card_pin) $(counters)"
	fi
	check_eq "$name: the admin counter did not move" "$admin" "$(admin_tries)"
	world_wait_for 5 sh -c "grep -q '\"authorization_id\":\"$authz\"' '$AUDIT' && grep '\"event\":\"result\"' '$AUDIT' | grep -q '$authz'"
	check_eq "$name: the backend heard card_removed" card_removed "$(outcomes_of "$authz")"
	world_wait_for 5 sh -c "[ \"\$(ls -A '$JOURNAL' | wc -l)\" = 0 ]"
	check_eq "$name: ... and the journal is empty again" 0 "$(journal_files)"
	check_eq "$name: the session waits for a retry" authorized "$(session_state)"
	reinsert
	out=$(set_pin "$pin2")
	check "$name: after reinsertion, SetPin again in the same session succeeds" test -z "$out"
	[ -z "$out" ] || echo "# SetPin: $out"
	check_eq "$name: the card has that PIN, full PIN counter, PUK and admin counters unchanged" \
		"$pin2 3 ${before#* } $admin" "$(card_pin) $(counters) $(admin_tries)"
}
removal "pulled before EXTERNAL AUTHENTICATE" "remove-on-ins 82" old CardRemoved "is unchanged"
removal "pulled as EXTERNAL AUTHENTICATE was answered" "remove-after-ins 82" old CardRemoved "is unchanged"
removal "pulled between EXTERNAL AUTHENTICATE and RESET RETRY COUNTER" "remove-on-ins 2C" old CardRemoved "may or may not be set"
removal "torn during RESET RETRY COUNTER" tear-rrc new CardRemoved "may or may not be set"

# Pulled after RESET RETRY COUNTER answered (while kartd reads the PIN
# state): the PIN is set, SetPin says so.
fresh_backend
world_cardsim set-pin-tries 2 >/dev/null
before=$(counters) admin=$(admin_tries)
authorized_session >/dev/null
world_cardsim reset-count >/dev/null
world_cardsim fault remove-on-ins 20 >/dev/null
out=$(set_pin 97531864)
check "pulled after RESET RETRY COUNTER: SetPin succeeds" test -z "$out"
[ -z "$out" ] || echo "# SetPin: $out"
check_eq "... the card was pulled after it (the PIN state read)" "1 1 1" \
	"$(world_cardsim ins-count 2C | awk '{print $2}') $(world_cardsim ins-count 20 | awk '{print $2}') \
$(world_cardsim status | grep -c removed)"
check_eq "... the card has the new PIN, full PIN counter, PUK and admin counters unchanged" \
	"97531864 3 ${before#* } $admin" "$(card_pin) $(counters) $(admin_tries)"
world_wait_for 5 sh -c "grep '\"event\":\"result\"' '$AUDIT' | grep -q '$(last_authz)'"
check_eq "... the backend heard success" success "$(outcomes_of "$(last_authz)")"
reinsert

# --- kartd killed after the card was written, while it reports.
# (a) The backend never heard: its first answers to the report are 500s,
# kartd dies while it waits to try again.
fresh_backend
authorized_session >/dev/null
world_backend_fault result error 3 >/dev/null
out=$(set_pin 86420135)
check "kill while reporting: SetPin succeeded first" test -z "$out"
authz=$(last_authz)
world_wait_for 10 grep -q '"path":"/v1/unblock/sessions/[^"]*/result","status":500' "$REQUESTS"
world_stop_kartd KILL 2>/dev/null
check_eq "... kartd is gone with one journal entry" 1 "$(journal_files)"
check_eq "... the backend has no outcome for the authorization" "" "$(outcomes_of "$authz")"
check "... the journal holds no PIN" lacks "$JOURNAL" -r -e 86420135
check "... but what the card did (recorded after the card step)" \
	sh -c "grep -q '\"outcome\":\"success\"' '$JOURNAL'/* && grep -q '\"sw_rrc\":\"9000\"' '$JOURNAL'/*"
world_start_kartd >/dev/null
world_wait_for 10 sh -c "grep '\"event\":\"result\"' '$AUDIT' | grep -q '$authz'"
check_eq "after the restart the backend has what the card did: success" success "$(outcomes_of "$authz")"
world_wait_for 5 sh -c "[ \"\$(ls -A '$JOURNAL' | wc -l)\" = 0 ]"
check_eq "... and the journal is empty" 0 "$(journal_files)"
check "... kartd said so" grep -q "Reported an unlock outcome left by an earlier kartd" "$WORLD/kartd.log"
check_eq "... the card has the PIN" 86420135 "$(card_pin)"

# (b) The backend took the report, its answer is slow, kartd dies waiting:
# after the restart the backend's record stands (409 for the replay) and
# the journal entry is done with all the same.
fresh_backend
authorized_session >/dev/null
world_backend_fault result delay=8000 >/dev/null
out=$(set_pin 75319864)
check "kill while the report's answer is on its way: SetPin succeeded first" test -z "$out"
authz=$(last_authz)
world_wait_for 5 sh -c "grep '\"event\":\"result\"' '$AUDIT' | grep -q '$authz'"
world_stop_kartd KILL 2>/dev/null
check_eq "... one journal entry left" 1 "$(journal_files)"
world_start_kartd >/dev/null
world_wait_for 10 sh -c "[ \"\$(ls -A '$JOURNAL' | wc -l)\" = 0 ]"
check_eq "after the restart the journal is empty" 0 "$(journal_files)"
check_eq "... the backend's record stands: success, once" success "$(outcomes_of "$authz")"
world_stop_kartd
check_eq "... and stays empty across another restart" 0 "$(journal_files)"
world_start_kartd >/dev/null

# --- no new PIN in any log
for f in "$REQUESTS" "$AUDIT" "$WORLD/kartd.log" "$WORLD/backend.log"; do
	leaked=
	for p in "${PINS[@]}"; do
		grep -q "$p" "$f" && leaked="$leaked $p"
	done
	check_eq "no new PIN in $(basename "$f")" "" "$leaked"
done
tap_done
