#!/bin/bash
# The life of a Session: its interface equals the contract, SMS resends
# are limited by the CA, a session expires with the CA's lifetime (State
# "expired", Finished, the object gone), a new session of the same user
# replaces an idle one, and a step on its way to the CA when the session
# is cancelled or expires is answered at once (Cancelled).
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 14
card_start
world_start_backend --session-lifetime 4 >/dev/null || { echo "Bail out! the reference backend did not start"; exit 1; }
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
unlock_session() {
	busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' "$(world_backend_code unblock)" 0 |
		awk '{print $2}' | tr -d '"'
}
session_call() { busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$@" 2>&1; }
state() { busctl --system get-property org.kartd.Kartd1 "$1" org.kartd.Kartd1.Session State 2>&1; }

busctl --system monitor --json=short \
	--match "type='signal',interface='org.kartd.Kartd1.Session',member='Finished'" >"$WORLD/finished.json" 2>/dev/null &
monitor=$!
session=$(unlock_session)
busctl --system introspect --xml-interface org.kartd.Kartd1 "$session" >"$WORLD/served.xml"
check "the Session interface equals its contract" /usr/bin/python3 \
	"$KART_TOP_SRCDIR/tests/integration/compare-introspection.py" \
	"$KART_TOP_SRCDIR/dbus/org.kartd.Kartd1.Session.xml" "$WORLD/served.xml"
check_eq "its properties: the CA's second factors" 'as 2 "sms" "password"' \
	"$(busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session SecondFactorMethods)"
check_eq "... the masked phone number" 's "+90 5** *** ** 12"' \
	"$(busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session SmsDestination)"
check "SendSms" test -z "$(session_call SendSms)"
check "a second SMS at once is refused, saying when to ask again" grep -q "try again in [0-9]* s" <<<"$(session_call SendSms)"

check "the session expires with the CA's lifetime (4 s here)" \
	world_wait_for 10 sh -c "! busctl --system get-property org.kartd.Kartd1 '$session' org.kartd.Kartd1.Session State"
sleep 0.5
kill "$monitor" 2>/dev/null; wait "$monitor" 2>/dev/null
check "Finished told of it: SessionExpired" grep -q "SessionExpired" "$WORLD/finished.json"

first=$(unlock_session)
second=$(unlock_session)
check "a new session of the same user replaces an idle one" test -n "$second" -a "$first" != "$second"
check "... the first is gone" sh -c "! busctl --system get-property org.kartd.Kartd1 '$first' org.kartd.Kartd1.Session State"
check_eq "... the second awaits the second factor" 's "awaiting-second-factor"' "$(state "$second")"

# A Confirm (with the web password) whose answer the CA holds back for 8 s,
# while the session is cancelled, or expires (4 s): the caller is answered
# then, not left without a reply. gdbus prints the D-Bus error name.
slow_confirm() { # SESSION OUTPUT
	world_backend_fault verify delay=8000 >/dev/null
	gdbus call --system --timeout 20 --dest org.kartd.Kartd1 --object-path "$1" \
		--method org.kartd.Kartd1.Session.Confirm password kart-test-pw >"$2" 2>&1 &
}
answered() { world_wait_for "$1" grep -q . "$2"; }
slow_confirm "$second" "$WORLD/confirm-cancel.out"
confirm=$!
sleep 1
session=$second
check "Cancel while a Confirm waits for the CA" test -z "$(session_call Cancel)"
answered 3 "$WORLD/confirm-cancel.out"
check "... the Confirm is answered: Cancelled (before the CA's answer)" \
	grep -q "Error.Cancelled: The session was cancelled" "$WORLD/confirm-cancel.out"
grep -q "Error.Cancelled" "$WORLD/confirm-cancel.out" || echo "# got: $(cat "$WORLD/confirm-cancel.out")"
wait "$confirm" 2>/dev/null

session=$(unlock_session)
slow_confirm "$session" "$WORLD/confirm-expiry.out"
confirm=$!
answered 8 "$WORLD/confirm-expiry.out"
check "a Confirm in flight when the session expires (4 s) is answered: Cancelled, saying so" \
	grep -q "Error.Cancelled: The session expired before the CA answered" "$WORLD/confirm-expiry.out"
grep -q "Error.Cancelled" "$WORLD/confirm-expiry.out" || echo "# got: $(cat "$WORLD/confirm-expiry.out")"
wait "$confirm" 2>/dev/null
check "kartd is still up and answering" busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 \
	org.kartd.Kartd1.Manager Version
tap_done
