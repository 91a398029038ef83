#!/bin/bash
# A session belongs to the user who made it: another local user can
# neither read its details (State, Error, SmsDestination: refused with
# Get and GetAll, empty in GetManagedObjects) nor hear of it (its
# PropertiesChanged and Finished go to the owner's connections only),
# while the owner's connection that made it (session-owner.py, as
# kart-gui does) hears both, PropertiesChanged without values.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

other=kartother$$
trap 'userdel "$other" 2>/dev/null; world_stop' EXIT
useradd -M -N "$other" || { echo "Bail out! cannot add a test user"; exit 1; }
tap_plan 12
card_start_with_backend
trap 'userdel "$other" 2>/dev/null; world_stop' EXIT
as_other() { runuser -u "$other" -- "$@" 2>&1; }
get() { busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$1" 2>&1; }

# the other user listens to everything kartd sends that it may receive
as_other stdbuf -oL gdbus monitor --system --dest org.kartd.Kartd1 >"$WORLD/other.monitor" &
monitor=$!
/usr/bin/python3 "$KART_TOP_SRCDIR/tests/integration/session-owner.py" "$card" \
	"$(world_backend_code unblock)" >"$WORLD/owner.out" 2>&1 &
owner=$!
world_wait_for 10 grep -q '^session ' "$WORLD/owner.out"
session=$(awk '/^session / {print $2}' "$WORLD/owner.out")
check "root's connection made a session" test -n "$session"

for p in State SmsDestination Error; do
	check "another user cannot read its $p" grep -q "belongs to another user" \
		<<<"$(as_other busctl --system get-property org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session "$p")"
done
check "... nor GetAll" grep -q "belongs to another user" <<<"$(as_other gdbus call --system \
	--dest org.kartd.Kartd1 --object-path "$session" --method org.freedesktop.DBus.Properties.GetAll \
	org.kartd.Kartd1.Session)"
managed=$(as_other gdbus call --system --dest org.kartd.Kartd1 --object-path /org/kartd/Kartd1 \
	--method org.freedesktop.DBus.ObjectManager.GetManagedObjects)
check "... and GetManagedObjects shows the session without its details" \
	grep -q "'State': <''>, .*'SmsDestination': <''>\|'SmsDestination': <''>.*'State': <''>" <<<"$managed"
check_eq "the owner reads its State" 's "awaiting-second-factor"' "$(get State)"

check "the owner confirms the second factor" test -z "$(busctl --system call org.kartd.Kartd1 "$session" \
	org.kartd.Kartd1.Session Confirm ss password kart-test-pw 2>&1)"
busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Cancel >/dev/null 2>&1
world_wait_for 10 grep -q '^Finished' "$WORLD/owner.out"
check "the owner's connection hears the change, without values" \
	grep -q "^PropertiesChanged \[\] \['Error', 'State'\]" "$WORLD/owner.out"
check "... and Finished: Cancelled" grep -q "^Finished False org.kartd.Kartd1.Error.Cancelled" "$WORLD/owner.out"
# a wrong PIN: the card's PropertiesChanged, a broadcast the other user may hear
call VerifyPin 'sa{sv}' 000000 0 >/dev/null
world_wait_for 5 grep -q "$card" "$WORLD/other.monitor"
kill "$monitor" 2>/dev/null
wait "$owner" "$monitor" 2>/dev/null
check "the other user heard nothing of the session" lacks "$WORLD/other.monitor" -e "$session"
check "(though it heard the card's broadcast: its monitor worked)" grep -q "$card" "$WORLD/other.monitor"
tap_done
