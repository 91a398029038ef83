#!/bin/bash
# The life of a call parked while polkit decides (daemon/auth): whatever
# happens meanwhile, kartd lets go of the call, whose arguments hold a
# PIN, and sd-bus wipes them. polkitd is held with SIGSTOP to keep a
# check in flight; kartd's memory is searched for the PIN through
# /proc/PID/mem (as root), which is what an attacker reading a core or
# a leaked buffer would see.
set -u
. "$(dirname "$0")/tap.sh"
take_system_polkit_lock   # (it installs kartd's polkit policy system-wide)
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

policy=$KART_TOP_BUILDDIR/dbus/org.kartd.policy
rules=$KART_TOP_SRCDIR/dbus/org.kartd.rules
admin=kartlca$$
cleanup_system() {
	[ -n "${WORLD_POLKIT_PID:-}" ] && kill -CONT "$WORLD_POLKIT_PID" 2>/dev/null
	rm -f /usr/share/polkit-1/actions/org.kartd.policy /etc/polkit-1/rules.d/50-org.kartd.rules
	userdel "$admin" 2>/dev/null
}
trap 'cleanup_system; world_stop' EXIT
getent group kartd-admin >/dev/null || groupadd --system kartd-admin
useradd -M -N -G kartd-admin "$admin"
install -D -m 0644 "$policy" /usr/share/polkit-1/actions/org.kartd.policy
install -D -m 0644 "$rules" /etc/polkit-1/rules.d/50-org.kartd.rules

card_start --polkit
trap 'cleanup_system; world_stop' EXIT
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"
tap_plan 14

# Every call to polkit's Authority, as the bus carries it (root may monitor).
stdbuf -oL dbus-monitor --system "type='method_call',interface='org.freedesktop.PolicyKit1.Authority'" \
	>"$WORLD/monitor.out" 2>&1 &
monitor=$!
world_wait_for 5 grep -q "member=NameAcquired\|NameLost" "$WORLD/monitor.out" || sleep 1

gone_from_kartd_memory() { ! kartd_memory_has "$1"; }
checks_sent() { grep -c "Asking polkit whether" "$WORLD/kartd.log"; }
# parked_call PIN: VerifyPin(PIN) as the admin in the background, once
# polkitd is stopped; returns when kartd has asked polkitd.
parked_call() {
	local n
	n=$(checks_sent)
	kill -STOP "$WORLD_POLKIT_PID"
	runuser -u "$admin" -- busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card \
		VerifyPin 'sa{sv}' "$1" 0 >"$WORLD/call.out" 2>&1 &
	call_pid=$!
	world_wait_for 5 sh -c "[ \$(grep -c 'Asking polkit whether' '$WORLD/kartd.log') -gt $n ]"
}

# 1. The card is removed while polkit decides: kartd answers for the
# vanished object without running the handler, and must still free the
# parked call once polkit has answered.
probe=kartprobe${RANDOM}gone
parked_call "$probe"
check "a parked call's PIN is in kartd's memory (the search works)" kartd_memory_has "$probe"
world_card_remove >/dev/null
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -qx 'ao 0'"
kill -CONT "$WORLD_POLKIT_PID"
wait "$call_pid"
check "the caller learns that the card object is gone" grep -qi "unknown object\|card was removed" "$WORLD/call.out"
check "card removed during the check: the PIN is gone from kartd's memory" \
	world_wait_for 5 gone_from_kartd_memory "$probe"

world_card_insert >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')

# 2. The caller disconnects while polkit decides: kartd cancels the check
# (an agent may be asking for a password on its behalf) and lets go of
# the call at once, polkitd still stopped.
probe=kartprobe${RANDOM}left
parked_call "$probe"
check "a parked call's PIN is in kartd's memory" kartd_memory_has "$probe"
caller=$(pgrep -u "$admin" -x busctl)
kill -KILL "$caller"
wait "$call_pid" 2>/dev/null
check "caller gone during the check: the PIN is gone from kartd's memory" \
	world_wait_for 5 gone_from_kartd_memory "$probe"
kill -CONT "$WORLD_POLKIT_PID"
world_wait_for 5 grep -q "member=CancelCheckAuthorization" "$WORLD/monitor.out"
id=$(grep -A1 "member=CancelCheckAuthorization" "$WORLD/monitor.out" | sed -n 's/^ *string "\(.*\)"$/\1/p' | head -1)
check "kartd cancelled the check with the id it gave it" \
	sh -c "[ -n '$id' ] && grep -A30 'member=CheckAuthorization' '$WORLD/monitor.out' | grep -q 'string \"$id\"'"
check "polkitd still answers kartd afterwards" \
	busctl --system call org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
	org.freedesktop.PolicyKit1.Authority EnumerateActions s ""

# 3. The ordinary path still works: allowed, the card checks the PIN.
out=$(runuser -u "$admin" -- busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card \
	VerifyPin 'sa{sv}' 123456 0 2>&1)
check_eq "an admin's VerifyPin is authorized and runs" "" "$out"
check_eq "one polkit check per call (no re-asking)" 3 "$(checks_sent)"
check "the audit entry names the caller's uid and pid, from the bus" \
	grep -q "KART_CALLER_UID=$(id -u "$admin") KART_CALLER_PID=[1-9]" "$WORLD/kartd.log"

# 4. Root needs no polkit: its call goes through with polkitd stopped.
kill -STOP "$WORLD_POLKIT_PID"
check "root's VerifyPin runs while polkitd is stopped" \
	timeout 10 busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0
check_eq "root's call did not ask polkit" 3 "$(checks_sent)"
kill -CONT "$WORLD_POLKIT_PID"

kill "$monitor"; wait "$monitor" 2>/dev/null
check "kartd exits cleanly (no leak under ASan)" world_stop_kartd
check "kartd logged no error" lacks "$WORLD/kartd.log" -i 'error\|sanitizer'
tap_done
