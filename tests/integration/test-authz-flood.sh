#!/bin/bash
# Parked authorization checks are bounded (daemon/auth; issue 14, item 2).
# A user whose polkit agent never answers floods kartd with guarded
# calls: kartd parks a few per connection and per user and answers the
# rest Busy at once, so its pending calls to polkitd stay far below
# dbus-daemon's limit (128 per connection) and another user's call is
# still answered; a check nobody answers ends after a minute (so this
# test takes that long). Arguments are bounded before anything is parked: a
# 1 MiB PIN is InvalidPin at once, polkit never asked, the card untouched;
# file descriptors never reach kartd.
# Real polkitd, real users; the agent is tests/integration/polkit-flood.py.
set -u
. "$(dirname "$0")/tap.sh"
take_system_polkit_lock   # (it installs kartd's polkit policy system-wide)
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

PY=/usr/bin/python3
FLOOD=$KART_TOP_SRCDIR/tests/integration/polkit-flood.py
policy=$KART_TOP_BUILDDIR/dbus/org.kartd.policy
rules=$KART_TOP_SRCDIR/dbus/org.kartd.rules
test_rules=/etc/polkit-1/rules.d/40-kartd-test-authz-flood-$$.rules
# flooders and waiter: polkit asks their agent for their own password
# (the rule below); admin: a kartd-admin member, allowed without an
# agent; plain: the defaults (no agent: denied).
flooders=(kartfa$$ kartfb$$ kartfc$$ kartfd$$)
flooder=${flooders[0]} waiter=kartfw$$ admin=kartfadm$$ plain=kartfpl$$
flood_pids=()
# the flooders write their status here ($WORLD is root's alone)
FLOODDIR=$(mktemp -d) && chmod 1777 "$FLOODDIR" || exit 1
cleanup_system() {
	local p
	for p in "${flood_pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$FLOODDIR"
	rm -f /usr/share/polkit-1/actions/org.kartd.policy /etc/polkit-1/rules.d/50-org.kartd.rules "$test_rules"
	for p in "${flooders[@]}" "$waiter" "$admin" "$plain"; do userdel "$p" 2>/dev/null; done
}
trap 'cleanup_system; world_stop' EXIT
getent group kartd-admin >/dev/null || groupadd --system kartd-admin
for u in "${flooders[@]}" "$waiter" "$plain"; do useradd -M -N "$u"; done
useradd -M -N -G kartd-admin "$admin"
install -D -m 0644 "$policy" /usr/share/polkit-1/actions/org.kartd.policy
install -D -m 0644 "$rules" /etc/polkit-1/rules.d/50-org.kartd.rules
cat >"$test_rules" <<EOF
polkit.addRule(function(action, subject) {
	if (action.id.indexOf("org.kartd.") == 0 && subject.user.indexOf("kartf") == 0 &&
	    subject.user != "$admin" && subject.user != "$plain")
		return polkit.Result.AUTH_SELF;
});
EOF

card_start --polkit
trap 'cleanup_system; world_stop' EXIT
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"
tap_plan 26

BUSY=org.kartd.Kartd1.Error.Busy
checks_sent() { grep -c "Asking polkit whether" "$WORLD/kartd.log"; }
# status FILE KEY: a count from polkit-flood.py's status file (0 if absent).
status() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0; }
# flood_settled STATUS CALLS: all CALLS answered or waiting at the agent.
flood_settled() {
	awk -v total="$2" '$1 == "pending" { p = $2 } $1 == "asked" { a = $2 } $1 ~ /^reply\./ { r += $2 }
		END { exit !(p == a && p + r == total) }' "$1" 2>/dev/null
}
# flood USER CONNECTIONS CALLS: VerifyPin floods as USER, in the background;
# returns once every call is parked or answered.
flood() {
	local st=$FLOODDIR/$1
	install -m 0644 -o "$1" /dev/null "$st"
	install -m 0644 -o "$1" /dev/null "$st.log"
	runuser -u "$1" -- "$PY" "$FLOOD" "$st" "$2" "$3" "$card" org.kartd.Kartd1.Card VerifyPin \
		'sa{sv}' 123456 0 >"$st.log" 2>&1 &
	flood_pids+=($!)
	# settled: every call sent is answered or parked, and polkit asked
	# the agent about each parked one (under ASan this takes a while)
	world_wait_for 60 flood_settled "$st" $(($2 * $3)) ||
		{ echo "# flood as $1 did not settle:"; sed 's/^/#   /' "$st" "$st.log"; }
	# polkit has asked the agent about every parked call by now; a little
	# more for late answers
	sleep 0.5
}
as_user() { local u=$1; shift; runuser -u "$u" -- "$@"; }
verify_as() { as_user "$1" busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1; }

# 0. One call whose agent never answers, left to wait through the rest of
# the test: kartd gives up on it after a minute (section 5).
flood "$waiter" 1 1
waiting_since=$(now_ms)

# 1. One user, three connections of 100 calls each, an agent that never
# answers: 8 checks parked per connection, 16 for the user; the rest Busy.
n0=$(checks_sent)
flood "$flooder" 3 100
st=$FLOODDIR/$flooder
echo "# flood: $(tr '\n' ' ' <"$st")"
check_eq "the flooder's agent was registered" 1 "$(status "$st" registered)"
check_eq "16 of 300 calls parked with polkit (8 per connection, 16 per user), the agent asked each" \
	16 "$(status "$st" asked)"
check_eq "... they wait" 16 "$(status "$st" pending)"
check_eq "... the other 284 answered Busy at once" 284 "$(status "$st" reply.$BUSY)"
check_eq "... and nothing else" "" "$(grep '^reply\.' "$st" | grep -v "^reply\.$BUSY ")"
check_eq "kartd asked polkit 16 times, no more" 16 "$(( $(checks_sent) - n0 ))"

# The flood does not stop anyone else.
out=$(verify_as "$admin")
check_eq "meanwhile another user's VerifyPin is authorized and runs" "" "$out"
out=$(verify_as "$plain")
check "... and a third user's is answered (denied by polkit, not Busy)" grep -q "Not authorized for org.kartd.pin.change" <<<"$out"
out=$(verify_as "$flooder")
check "the flooder's own new connection: Busy, naming the per-user bound" \
	grep -q "Too many of this user's calls wait for authorization" <<<"$out"
check "kartd's log names the bound" grep -q "wait for authorization" "$WORLD/kartd.log"

# 2. Three more flooding users: kartd holds 64 checks in all (the
# waiter's among them), and then even another user's call is Busy: the
# total bound.
for u in "${flooders[@]:1}"; do flood "$u" 2 20; done
total=0 busy=0
for u in "${flooders[@]}" "$waiter"; do
	total=$((total + $(status "$FLOODDIR/$u" pending)))
	busy=$((busy + $(status "$FLOODDIR/$u" reply.$BUSY)))
done
check_eq "four flooders and the waiter: 64 checks parked in all, the rest Busy" \
	"64 $((1 + 300 + 3 * 40 - 64))" "$total $busy"
out=$(verify_as "$admin")
check "... now another user's call is Busy too, naming the total bound" \
	grep -q "Too many calls wait for authorization" <<<"$out"

# 3. The flooders leave: kartd cancels their checks and counts them no
# more (nothing leaks: the same user is served again at once).
for p in "${flood_pids[@]:1}"; do kill "$p"; wait "$p" 2>/dev/null; done
world_wait_for 10 sh -c "[ \$(grep -c 'left while its call waits for authorization' '$WORLD/kartd.log') -ge 63 ]"
check_eq "the flooders gone: kartd let go of their 63 parked calls" 63 \
	"$(grep -c 'left while its call waits for authorization' "$WORLD/kartd.log")"
out=$(verify_as "$flooder")
check "the first flooder's next call is checked again (no agent now: NotAuthorized, not Busy)" \
	grep -q "Not authorized for org.kartd.pin.change" <<<"$out"
out=$(verify_as "$admin")
check_eq "another user's call runs again" "" "$out"
check_eq "the card's counter is full: no parked PIN reached it" 3 "$(card_tries)"

# 4. Arguments are bounded before anything is parked: a 1 MiB PIN is
# InvalidPin at once, polkit not asked, the card not touched; file
# descriptors never reach kartd.
# big_call USER SIGNATURE ARGS_PY: one call as USER with arguments built
# by the Python expression ARGS_PY; prints the error name and message.
big_call() {
	as_user "$1" "$PY" - "$card" "$2" "$3" <<-'PY'
	import sys
	from gi.repository import Gio, GLib
	card, sig, args = sys.argv[1], sys.argv[2], eval(sys.argv[3])
	member = {"sa{sv}": "VerifyPin", "ssa{sv}": "ChangePin"}[sig]
	bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
	try:
	    bus.call_sync("org.kartd.Kartd1", card, "org.kartd.Kartd1.Card", member,
	                  GLib.Variant("(" + sig + ")", args), None,
	                  Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION, 30000, None)
	    print("ok")
	except GLib.Error as e:
	    name = Gio.DBusError.get_remote_error(e)
	    print(name, e.message.split(name + ": ", 1)[-1])
	PY
}
n0=$(checks_sent) tries0=$(card_tries) apdus0=$(apdus)
t0=$(now_ms)
out=$(big_call "$plain" 'sa{sv}' '("7" * 1048576, {})')
t1=$(now_ms)
echo "# $((t1 - t0)) ms: ${out:0:200}"
check "a 1 MiB PIN from a user polkit would deny: InvalidPin" grep -q "^org.kartd.Kartd1.Error.InvalidPin " <<<"$out"
out=$(big_call "$admin" 'ssa{sv}' '("123456", "7" * 1048576, {})')
check "a 1 MiB new PIN in ChangePin from an admin: InvalidPin" grep -q "^org.kartd.Kartd1.Error.InvalidPin " <<<"$out"
out=$(big_call "$admin" 'sa{sv}' '("123456", {"force": GLib.Variant("s", "x" * 1048576)})')
check "a 1 MiB option value from an admin: InvalidArgs" grep -q "^org.freedesktop.DBus.Error.InvalidArgs " <<<"$out"
fds0=$(ls "/proc/$WORLD_KARTD_PID/fd" | wc -l)
out=$(as_user "$admin" "$PY" - "$card" <<-'PY'
	import os, sys
	from gi.repository import Gio, GLib
	bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
	fds = Gio.UnixFDList()
	for _ in range(16):
	    fds.append(os.open("/dev/null", os.O_RDONLY))
	try:
	    bus.call_with_unix_fd_list_sync("org.kartd.Kartd1", sys.argv[1], "org.kartd.Kartd1.Card", "VerifyPin",
	                                    GLib.Variant("(sa{sv})", ("123456", {})), None, 0, 30000, fds, None)
	    print("ok")
	except GLib.Error as e:
	    print(Gio.DBusError.get_remote_error(e))
	PY
)
check_eq "a call carrying 16 file descriptors is refused by the bus, kartd holds none of them" \
	"org.freedesktop.DBus.Error.NotSupported $fds0" "$out $(ls "/proc/$WORLD_KARTD_PID/fd" | wc -l)"
check_eq "... polkit was never asked about them" "$n0" "$(checks_sent)"
check_eq "... the card's counter and APDU count are unchanged" "$tries0 $apdus0" "$(card_tries) $(apdus)"

# 5. The waiter's call: nobody answered the agent's dialog for a minute,
# so kartd answered, and had polkit close the dialog.
st=$FLOODDIR/$waiter
world_wait_for 70 sh -c "grep -q '^reply\.' '$st'"
echo "# the waiter's call answered after $(( ($(now_ms) - waiting_since) / 1000 )) s: $(tr '\n' ' ' <"$st")"
check_eq "an interactive check nobody answers: NotAuthorized after a minute" 1 \
	"$(status "$st" reply.org.kartd.Kartd1.Error.NotAuthorized)"
check "... saying why" grep -q "Nobody answered the authentication dialog for org.kartd.pin.change within 60 seconds" \
	"$WORLD/kartd.log"
check "... and polkit was told to stop: the agent's dialog was cancelled" \
	world_wait_for 5 sh -c "grep -qx 'cancelled 1' '$st'"
kill "${flood_pids[0]}"; wait "${flood_pids[0]}" 2>/dev/null
flood_pids=()

check "kartd exits cleanly (no leak under ASan)" world_stop_kartd
tap_done
