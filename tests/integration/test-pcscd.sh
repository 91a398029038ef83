#!/bin/bash
# kartd and the outside world: pcscd restarted under it, and pcscd
# started only after kartd.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 8
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"

readers() { "$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["readers"]))'; }
card_serial() { "$CTL" --json status | /usr/bin/python3 -c '
import json,sys
r = json.load(sys.stdin)["readers"]
print(r[0]["card"]["serial"] if r and r[0]["card"] else "")'; }
has_card() { [ -n "$(card_serial)" ]; }
no_readers() { [ "$(readers)" = 0 ]; }

# 1. pcscd restarted while kartd runs.
world_start || { echo "Bail out! the test world did not start"; exit 1; }
world_wait_for 5 has_card
serial=$(card_serial)
check "the card is seen at start" test -n "$serial"

"$CTL" --json monitor >"$WORLD/monitor.json" 2>"$WORLD/monitor.err" &
monitor_pid=$!
world_wait_for 5 grep -q "press Ctrl+C" "$WORLD/monitor.err"

world_stop_pcscd
world_wait_for 5 no_readers
check "pcscd stopped: the reader is gone" no_readers
check "ReaderRemoved was signalled" grep -q '"event":"ReaderRemoved"' "$WORLD/monitor.json"

world_start_pcscd
world_wait_for 10 has_card
check_eq "pcscd restarted: the same card is seen again" "$serial" "$(card_serial)"
check "CardInserted was signalled again" sh -c "grep -c '\"event\":\"CardInserted\"' '$WORLD/monitor.json' | grep -q '^1$'"
kill "$monitor_pid" 2>/dev/null
check "kartd is still running" kill -0 "$WORLD_KARTD_PID"
world_stop

# 2. kartd first, pcscd later: kartd waits and picks it up.
world_start --no-pcscd || { echo "Bail out! the test world did not start"; exit 1; }
check "without pcscd, kartd runs and shows no reader" no_readers
world_start_pcscd
world_wait_for 10 has_card
check_eq "pcscd started later: the card appears" "$serial" "$(card_serial)"
tap_done
