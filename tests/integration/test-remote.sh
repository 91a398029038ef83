#!/bin/bash
# An administrator on another host: kartctl -H and busctl -H reach kartd
# over ssh (sd-bus runs "ssh -xT -- [USER@]HOST systemd-stdio-bridge"),
# here through a private sshd on 127.0.0.1 whose sessions see the world's
# bus as their system bus (tests/world/sshd.sh). The client commands run
# without DBUS_SYSTEM_BUS_ADDRESS, so they can only pass through ssh.
# With a real polkitd: a plain remote user reads the status but may not
# verify the PIN; a member of kartd-admin may.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$KART_TOP_SRCDIR/tests/world/sshd.sh"

tap_plan 23
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
PY=/usr/bin/python3
serial=4b41525400000001
host=127.0.0.1

# Test-only file names, so that other tests installing or removing the
# project's own names do not interfere (and two runs do not either).
policy=$KART_TOP_BUILDDIR/dbus/org.kartd.policy
rules=$KART_TOP_SRCDIR/dbus/org.kartd.rules
policy_dst=/usr/share/polkit-1/actions/org.kartd.test-remote-$$.policy
rules_dst=/etc/polkit-1/rules.d/50-org.kartd.test-remote-$$.rules
admin=kartradm$$ plain=kartrusr$$ nokey=kartrnok$$
cleanup_system() {
	local u
	rm -f "$policy_dst" "$rules_dst"
	for u in "$admin" "$plain" "$nokey"; do
		id "$u" >/dev/null 2>&1 || continue
		userdel "$u" 2>/dev/null || userdel -f "$u" 2>/dev/null
	done
}
trap 'world_stop_sshd; world_stop; cleanup_system' EXIT

# useradd and groupadd lock /etc/passwd: another run may hold it a moment.
retry() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}
# A password field of "*" (no password, not locked): with UsePAM no, sshd
# refuses every login, even by key, to an account whose password is
# locked ("!", useradd's default). Home /: sshd would complain on stderr,
# which ssh passes on, about a missing home directory.
getent group kartd-admin >/dev/null || retry groupadd -f --system kartd-admin ||
	{ echo "Bail out! cannot create the group kartd-admin"; exit 1; }
for u in "$admin" "$plain" "$nokey"; do
	args=(-M -N -p '*' -s /bin/sh -d /)
	[ "$u" = "$admin" ] && args+=(-G kartd-admin)
	retry useradd "${args[@]}" "$u" || { echo "Bail out! cannot add the user $u"; exit 1; }
done
install -D -m 0644 "$policy" "$policy_dst"
install -D -m 0644 "$rules" "$rules_dst"

world_start --polkit || { echo "Bail out! the test world did not start"; exit 1; }
trap 'world_stop_sshd; world_stop; cleanup_system' EXIT
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')

if ! world_start_sshd; then
	echo "Bail out! the test sshd did not start"
	exit 1
fi
echo "# sshd on $host:$WORLD_SSHD_PORT (pid $WORLD_SSHD_PID), remote system bus via $WORLD_SSHD_BUS"
world_sshd_authorize root "$plain" "$admin"

apdus() { world_cardsim count | awk '{print $2}'; }
state() { echo "$(world_cardsim get-pin) $(world_cardsim pin-tries) $(apdus)"; }
# rcall USER ARGS...: busctl -H USER@host ARGS, output and errors together
rbusctl() { local u=$1; shift; world_remote busctl -H "$u@$host" "$@" 2>&1; }

# ---------------------------------------------------------------- the setting

# The client has no way to the world's bus but ssh.
check "without ssh, the client commands find no kartd" \
	sh -c "! env -u DBUS_SYSTEM_BUS_ADDRESS busctl --system status org.kartd.Kartd1"
check "the ssh client (host key pinned, client key) logs in as root" \
	world_remote ssh "root@$host" true
check "a user without an authorized key is refused" \
	sh -c "! env -u DBUS_SYSTEM_BUS_ADDRESS PATH='$WORLD/bin:$PATH' ssh '$nokey@$host' true"

# ---------------------------------------------------------------- root

: >"$WORLD/ssh-calls.log"
world_remote "$CTL" -H "root@$host" status >"$WORLD/r-status.txt" 2>&1
check "kartctl -H root@$host status shows the card's serial" grep -q "Serial: *$serial" "$WORLD/r-status.txt"
check "sd-bus ran 'ssh -xT -- root@$host systemd-stdio-bridge' (the world's ssh)" \
	grep -qx -- "-xT -- root@$host systemd-stdio-bridge" "$WORLD/ssh-calls.log"
world_remote "$CTL" -H "root@$host" --json status >"$WORLD/r-status.json" 2>"$WORLD/r-status.err"
check "kartctl -H --json status is valid JSON" $PY -m json.tool "$WORLD/r-status.json"
check_eq "kartctl -H --json status: the serial" "$serial" \
	"$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["readers"][0]["card"]["serial"])' "$WORLD/r-status.json" 2>&1)"
check_eq "busctl -H get-property Manager Version: as on the local bus" \
	"$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Version 2>&1)" \
	"$(rbusctl root get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Version)"
check_eq "busctl -H call GetCardBySerial answers with the card object" \
	"o \"$card\"" \
	"$(rbusctl root call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s "$serial")"
check "busctl -H call GetCardBySerial of an unknown serial fails with NoCard" \
	grep -q 'No card with serial' <<<"$(rbusctl root call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s 00)"
before=$(state)
out=$(rbusctl root call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0)
check_eq "root: busctl -H VerifyPin with the right PIN succeeds" "" "$out"
check_eq "root: the PIN tries are untouched" "$(awk '{print $1, $2, $3}' <<<"$before")" \
	"$(state | awk '{print $1, $2, $3}')"

# ---------------------------------------------------------------- a plain user

out=$(world_remote "$CTL" -H "$plain@$host" status 2>&1)
check "plain user: kartctl -H status shows the serial" grep -q "Serial: *$serial" <<<"$out"
check "plain user: busctl -H get-property Card Serial" \
	grep -q "\"$serial\"" <<<"$(rbusctl "$plain" get-property org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Serial)"
before=$(state)
out=$(rbusctl "$plain" call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0)
after=$(state)
if grep -q "Not authorized for org.kartd.pin.change" <<<"$out" && [ "$before" = "$after" ]; then
	ok "plain user: busctl -H VerifyPin is NotAuthorized (org.kartd.pin.change), card unchanged"
else
	not_ok "plain user: busctl -H VerifyPin is NotAuthorized (org.kartd.pin.change), card unchanged"
	echo "# got: $out; card: $before -> $after"
fi
before=$(state)
out=$(printf '123456\n' | world_remote "$CTL" -H "$plain@$host" verify-pin --stdin "$serial" 2>&1)
rc=$?
after=$(state)
if [ "$rc" != 0 ] && grep -qi "authoriz" <<<"$out" && [ "$before" = "$after" ]; then
	ok "plain user: kartctl -H verify-pin is refused, saying so, card unchanged"
else
	not_ok "plain user: kartctl -H verify-pin is refused, saying so, card unchanged"
	echo "# exit $rc, got: $out; card: $before -> $after"
fi

# ---------------------------------------------------------------- a kartd-admin member

out=$(world_remote "$CTL" -H "$admin@$host" status 2>&1)
check "kartd-admin member: kartctl -H status shows the serial" grep -q "Serial: *$serial" <<<"$out"
tries=$(world_cardsim pin-tries)
out=$(rbusctl "$admin" call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0)
check_eq "kartd-admin member: busctl -H VerifyPin with the right PIN succeeds" "" "$out"
check_eq "kartd-admin member: the PIN tries are untouched" "$tries" "$(world_cardsim pin-tries)"
check "kartd's audit names the kartd-admin member's uid: the caller is the ssh user" \
	grep -q "Audit: verify-pin on card $serial by uid $(id -u "$admin"): ok" "$WORLD/kartd.log"
out=$(printf '123456\n' | world_remote "$CTL" -H "$admin@$host" verify-pin --stdin "$serial" 2>&1)
rc=$?
check_eq "kartd-admin member: kartctl -H verify-pin succeeds (exit status)" 0 "$rc"
[ "$rc" = 0 ] || echo "# got: $out"
check_eq "kartd-admin member: the PIN tries are untouched after kartctl" "$tries" "$(world_cardsim pin-tries)"

# ---------------------------------------------------------------- the path

check "sshd logged the sessions of root, $plain and $admin" \
	sh -c "grep -q 'Accepted publickey for root ' '$WORLD/sshd.log' &&
	       grep -q 'Accepted publickey for $plain ' '$WORLD/sshd.log' &&
	       grep -q 'Accepted publickey for $admin ' '$WORLD/sshd.log'"

# shellcheck disable=SC2154 # tap_failed: from tap.sh
if [ "$tap_failed" -gt 0 ]; then
	diag "$WORLD/sshd.log" 20
	diag "$WORLD/polkitd.log" 10
fi
tap_done
