#!/bin/bash
# Who may do what, with a real polkitd and real users: every method kartd
# serves (from its own introspection) x {root, a kartd-admin member, a
# plain user}, the card checked unchanged after each denial. A method
# missing from the table below fails the test, so every new method must
# get an authorization decision here and in daemon/auth/auth.c.
set -u
. "$(dirname "$0")/tap.sh"
take_system_polkit_lock   # (it installs kartd's polkit policy system-wide)
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

# method -> action (public: anyone)
declare -A expected_action=(
	[org.kartd.Kartd1.Manager.GetCardBySerial]=public
	[org.kartd.Kartd1.Card.VerifyPin]=org.kartd.pin.change
	[org.kartd.Kartd1.Card.ChangePin]=org.kartd.pin.change
	[org.kartd.Kartd1.Card.ListCertificates]=public
	[org.kartd.Kartd1.Card.GetCertificate]=public
	[org.kartd.Kartd1.Card.GetCertificateInfo]=public
	[org.kartd.Kartd1.Card.RefreshStatus]=public
	[org.kartd.Kartd1.Card.Unlock]=org.kartd.pin.unlock
	[org.kartd.Kartd1.Card.CertificateSession]=org.kartd.certificate.manage
)
# arguments that change nothing when allowed (the right PIN, changed to
# itself), in gdbus call's GVariant text, '|' between them
declare -A sample_args=(
	[org.kartd.Kartd1.Manager.GetCardBySerial]="'4b41525400000001'"
	[org.kartd.Kartd1.Card.VerifyPin]="'123456'|@a{sv} {}"
	[org.kartd.Kartd1.Card.ChangePin]="'123456'|'123456'|@a{sv} {}"
	[org.kartd.Kartd1.Card.ListCertificates]=""
	[org.kartd.Kartd1.Card.GetCertificate]="'01'"
	[org.kartd.Kartd1.Card.GetCertificateInfo]="'01'"
	[org.kartd.Kartd1.Card.RefreshStatus]=""
	[org.kartd.Kartd1.Card.Unlock]="'ABCD-EFGH-JKLM'|@a{sv} {}"
	[org.kartd.Kartd1.Card.CertificateSession]="'ABCD-EFGH-JKLM'|@a{sv} {}"
)
# What an allowed call gets: ok (it succeeded), or one of the errors
# (org.kartd.Kartd1.Error.NAME) that can only come once the caller was
# authorized. No backend is configured yet: the online methods go as far
# as finding that out (NotSupported, after auth_check_caller in
# daemon/bus/bus-card-session.c). Anything else (a parse error, a missing object, a
# timeout, a crash, NotAuthorized) is a failure.
declare -A allowed_result=(
	[org.kartd.Kartd1.Manager.GetCardBySerial]=ok
	[org.kartd.Kartd1.Card.VerifyPin]=ok
	[org.kartd.Kartd1.Card.ChangePin]=ok
	[org.kartd.Kartd1.Card.ListCertificates]=ok
	[org.kartd.Kartd1.Card.GetCertificate]=ok
	[org.kartd.Kartd1.Card.GetCertificateInfo]=ok
	[org.kartd.Kartd1.Card.RefreshStatus]=ok
	[org.kartd.Kartd1.Card.Unlock]=NotSupported
	[org.kartd.Kartd1.Card.CertificateSession]=NotSupported
)

kartd_polkit_install
cleanup_system() { kartd_polkit_remove; }
trap 'world_stop; cleanup_system' EXIT

world_start --polkit || { echo "Bail out! the test world did not start"; exit 1; }
trap 'world_stop; cleanup_system' EXIT
. "$(dirname "$0")/card.sh"
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
# polkitd picks up new actions and rules within about a second
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"

# The methods kartd serves, from its own introspection.
methods=()
for obj in "/org/kartd/Kartd1 org.kartd.Kartd1.Manager" "$card org.kartd.Kartd1.Card"; do
	set -- $obj
	busctl --system introspect --xml-interface org.kartd.Kartd1 "$1" >"$WORLD/intro.xml"
	for m in $(/usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
for i in ET.parse(sys.argv[1]).getroot().iter("interface"):
    if i.get("name") == sys.argv[2]:
        for m in i.findall("method"): print(m.get("name"))' "$WORLD/intro.xml" "$2"); do
		methods+=("$2.$m|$1")
	done
done

tap_plan $(( ${#methods[@]} * 4 + 8 ))
state() { echo "$(world_cardsim get-pin) $(world_cardsim pin-tries) $(apdus)"; }
# dcall WHO PATH METHOD ARGS: the call through gdbus (which, unlike busctl,
# names the D-Bus error), as WHO; prints its output, then "=> RESULT":
# ok, the NAME of an org.kartd.Kartd1.Error.NAME, or "other".
dcall() {
	local who=$1 path=$2 method=$3 args=() cmd out rc
	[ -z "$4" ] || IFS='|' read -ra args <<<"$4"
	cmd=(gdbus call --system --timeout 20 --dest org.kartd.Kartd1 --object-path "$path" --method "$method" "${args[@]}")
	[ "$who" = root ] || cmd=(runuser -u "$who" -- "${cmd[@]}")
	out=$("${cmd[@]}" 2>&1)
	rc=$?
	echo "$out"
	if [ "$rc" = 0 ]; then
		echo "=> ok"
	elif [[ $out =~ GDBus\.Error:org\.kartd\.Kartd1\.Error\.([A-Za-z]+): ]]; then
		echo "=> ${BASH_REMATCH[1]}"
	else
		echo "=> other"
	fi
}

for entry in "${methods[@]}"; do
	method=${entry%%|*} path=${entry#*|}
	action=${expected_action[$method]:-}
	if [ -z "$action" ]; then
		not_ok "$method has an authorization decision in this test (and in daemon/auth/auth.c)"
		continue
	fi
	ok "$method: expected action $action"
	for who in root "$admin" "$plain"; do
		before=$(state)
		out=$(dcall "$who" "$path" "$method" "${sample_args[$method]}")
		result=${out##*=> }
		if [ "$action" = public ] || [ "$who" != "$plain" ]; then
			if [[ " ${allowed_result[$method]} " == *" $result "* ]]; then
				ok "$method as $who: allowed ($result)"
			else
				not_ok "$method as $who: allowed: ${allowed_result[$method]// / or } (got: $result)"
				echo "# ${out//$'\n'/$'\n'# }"
			fi
		else
			after=$(state)
			if [ "$result" = NotAuthorized ] && grep -q "Not authorized for $action" <<<"$out" &&
				[ "$before" = "$after" ]; then
				ok "$method as $who: NotAuthorized naming $action, card unchanged"
			else
				not_ok "$method as $who: expected NotAuthorized and no change (got: $result; $before -> $after)"
				echo "# ${out//$'\n'/$'\n'# }"
			fi
		fi
	done
done

check "a plain user reads the status" runuser -u "$plain" -- "$CTL" status
runuser -u "$plain" -- "$WORLD/kartd" >"$WORLD/rogue.log" 2>&1 &
rogue=$!
world_wait_for 5 sh -c "! kill -0 $rogue"
check "a plain user cannot own org.kartd.Kartd1" grep -q "Failed to acquire the bus name" "$WORLD/rogue.log"

# A session belongs to its user: root's unlock session, driven by another.
world_start_backend >/dev/null && world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
code=$(world_backend_code unblock)
session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' "$code" 0 |
	awk '{print $2}' | tr -d '"')
check "another user cannot drive root's session" grep -q "belongs to another user" \
	<<<"$(runuser -u "$plain" -- busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session SendSms 2>&1)"
check "... nor can an admin (only root and the owner)" grep -q "belongs to another user" \
	<<<"$(runuser -u "$admin" -- busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Cancel 2>&1)"
check "the owner can" busctl --system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Cancel

kill "$WORLD_POLKIT_PID"; wait "$WORLD_POLKIT_PID" 2>/dev/null
world_wait_for 5 sh -c "! busctl --system status org.freedesktop.PolicyKit1"
out=$(runuser -u "$admin" -- busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1)
check "polkitd gone: a privileged call is denied, saying why" grep -q "polkit could not authorize org.kartd.pin.change" <<<"$out"
check "polkitd gone: reads are still served" runuser -u "$plain" -- "$CTL" status
check "polkitd gone: public methods still work" \
	runuser -u "$plain" -- busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s 4b41525400000001
tap_done
