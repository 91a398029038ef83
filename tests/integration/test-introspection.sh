#!/bin/bash
# What the daemon serves equals the contract in dbus/*.xml.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 4
world_start || { echo "Bail out! the test world did not start"; exit 1; }
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
world_wait_for 5 sh -c "'$CTL' --json status | grep -q '\"serial\"'"

compare() { # interface path
	busctl --system introspect --xml-interface org.kartd.Kartd1 "$2" >"$WORLD/served.xml" &&
	/usr/bin/python3 "$KART_TOP_SRCDIR/tests/integration/compare-introspection.py" \
		"$KART_TOP_SRCDIR/dbus/$1.xml" "$WORLD/served.xml"
}

reader=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Readers | awk '{print $3}' | tr -d '"')
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
check "Manager interface equals its contract" compare org.kartd.Kartd1.Manager /org/kartd/Kartd1
check "Reader interface equals its contract" compare org.kartd.Kartd1.Reader "$reader"
check "Card interface equals its contract" compare org.kartd.Kartd1.Card "$card"
check "the manager is an ObjectManager" sh -c "busctl --system introspect org.kartd.Kartd1 /org/kartd/Kartd1 | grep -q org.freedesktop.DBus.ObjectManager"
tap_done
