#!/bin/bash
# Insertion and removal reach kartctl monitor and the bus (busctl monitor)
# as CardInserted/CardRemoved, within 2 s; status shows the card's
# TokenInfo serial, which OpenSC (an independent client) reads too.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 14
world_start || { echo "Bail out! the test world did not start"; exit 1; }

CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
world_wait_for 5 sh -c "'$CTL' --json status | grep -q '\"serial\"'"

# The serial as OpenSC reads it from the card, not from kartd.
status_json=$("$CTL" --json status)
serial=$(printf '%s' "$status_json" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["readers"][0]["card"]["serial"])')
opensc_serial=$(pkcs15-tool --dump 2>/dev/null | sed -n 's/^[[:space:]]*Serial number *: *//p' | head -1)
check "OpenSC reads a serial from the simulated card" test -n "$opensc_serial"
check "kartd found a serial" test -n "$serial"

check_eq "kartctl status shows the TokenInfo serial" "$opensc_serial" "$serial"
label=$(printf '%s' "$status_json" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["readers"][0]["card"]["label"])')
opensc_label=$(pkcs15-tool --dump 2>/dev/null | sed -n 's/^PKCS#15 Card \[\(.*\)\]:$/\1/p' | head -1)
check_eq "kartctl status shows the token label, as OpenSC reads it" "$opensc_label" "${label:-(empty)}"
"$CTL" status >"$WORLD/status.txt"
check "text status names the reader and the serial" grep -q "$serial" "$WORLD/status.txt"

# Watchers first; each says when it listens.
"$CTL" --json monitor >"$WORLD/monitor.json" 2>"$WORLD/monitor.err" &
monitor_pid=$!
busctl --system monitor org.kartd.Kartd1 >"$WORLD/busctl.log" 2>&1 &
busctl_pid=$!
world_wait_for 5 grep -q "press Ctrl+C" "$WORLD/monitor.err"
world_wait_for 5 grep -q "Monitoring bus" "$WORLD/busctl.log"

t0=$(now_ms)
world_card_remove >/dev/null
world_wait_for 2 grep -q '"event":"CardRemoved"' "$WORLD/monitor.json"
check "kartctl monitor sees CardRemoved within 2 s" grep -q "\"serial\":\"$serial\"" "$WORLD/monitor.json"
world_wait_for 2 grep -q 'Member=CardRemoved' "$WORLD/busctl.log"
check "busctl monitor sees CardRemoved" grep -q 'Member=CardRemoved' "$WORLD/busctl.log"
check "busctl monitor sees PropertiesChanged of the Manager's Cards" \
	sh -c "grep -A12 'Member=PropertiesChanged' '$WORLD/busctl.log' | grep -q '\"Cards\"'"
check_eq "status shows the reader empty" "False" "$("$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["readers"][0]["card"] is not None)')"

t1=$(now_ms)
world_card_insert >/dev/null
world_wait_for 2 grep -q '"event":"CardInserted"' "$WORLD/monitor.json"
t2=$(now_ms)
check "kartctl monitor sees CardInserted within 2 s" grep -q '"event":"CardInserted"' "$WORLD/monitor.json"
echo "# insertion to CardInserted seen by kartctl monitor: $((t2 - t1)) ms"
check "CardInserted carries the serial" grep -q "\"event\":\"CardInserted\".*\"serial\":\"$serial\"" "$WORLD/monitor.json"
world_wait_for 2 grep -q 'Member=CardInserted' "$WORLD/busctl.log"
check "busctl monitor sees CardInserted" grep -q 'Member=CardInserted' "$WORLD/busctl.log"

path=$(busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s "$serial" | awk '{print $2}' | tr -d '"')
check "GetCardBySerial answers with the card object" busctl --system get-property org.kartd.Kartd1 "$path" org.kartd.Kartd1.Card Serial
check "GetCardBySerial of an unknown serial fails with NoCard" \
	sh -c "busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s 00 2>&1 | grep -q 'No card with serial'"

kill "$monitor_pid" "$busctl_pid" 2>/dev/null
wait "$monitor_pid" 2>/dev/null
tap_done
