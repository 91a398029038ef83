#!/bin/bash
# Two test worlds at once: each has its own bus, pcscd, card and kartd,
# and neither sees the other's events.
set -u
. "$(dirname "$0")/tap.sh"
WORLD=$(mktemp -d)      # for tap.sh's scratch files only
trap 'rm -rf "$WORLD"' EXIT
sync_dir=$WORLD

one_world() { # name
	(
		. "$KART_TOP_SRCDIR/tests/world/world.sh"
		world_start || exit 1
		CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
		world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial" || exit 1
		echo "$DBUS_SYSTEM_BUS_ADDRESS $WORLD_VPCD_PORT" >"$sync_dir/$1.up"
		# Both are up at the same time before either goes on.
		world_wait_for 20 test -e "$sync_dir/a.up" -a -e "$sync_dir/b.up" || exit 1
		"$CTL" --json monitor >"$sync_dir/$1.events" 2>"$sync_dir/$1.err" &
		monitor=$!
		world_wait_for 5 grep -q "press Ctrl+C" "$sync_dir/$1.err"
		touch "$sync_dir/$1.listening"
		world_wait_for 20 test -e "$sync_dir/a.listening" -a -e "$sync_dir/b.listening"
		# Only world a pulls its card.
		[ "$1" = a ] && world_card_remove >/dev/null
		sleep 2
		kill "$monitor" 2>/dev/null
		"$CTL" --json status >"$sync_dir/$1.status"
	)
}

tap_plan 5
export KART_TOP_SRCDIR=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
one_world a & pa=$!
one_world b & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check_eq "world a ran" 0 "$ra"
check_eq "world b ran" 0 "$rb"
check "the worlds had different buses and ports" \
	sh -c "! cmp -s '$sync_dir/a.up' '$sync_dir/b.up'"
check "world a saw its card removed" grep -q '"event":"CardRemoved"' "$sync_dir/a.events"
check "world b saw nothing of it and still has its card" \
	sh -c "! grep -q CardRemoved '$sync_dir/b.events' && grep -q serial '$sync_dir/b.status'"
tap_done
