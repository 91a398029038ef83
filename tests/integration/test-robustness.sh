#!/bin/bash
# Garbage, silence and sudden removal from the card: kartd logs clearly,
# keeps a sane object (or none) and goes on serving.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 18
world_start || { echo "Bail out! the test world did not start"; exit 1; }
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"

card_field() { "$CTL" --json status | /usr/bin/python3 -c '
import json,sys
r = json.load(sys.stdin)["readers"]
c = r[0]["card"] if r else None
print("none" if c is None else c.get(sys.argv[1]) or "")' "$1"; }
card_seen() { [ "$(card_field path)" != none ]; }
card_gone() { [ "$(card_field path)" = none ]; }
reinsert() { world_card_remove >/dev/null; world_wait_for 3 card_gone; world_card_insert >/dev/null; }

world_wait_for 5 card_seen
serial=$(card_field serial)

# A flood of PIN calls at a slow card: the card takes in a bounded number
# (Busy for the rest), the right PIN costs nothing, and kartd answers.
world_cardsim fault delay 150 >/dev/null
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
pids=()
for i in $(seq 20); do
	busctl --system --timeout=60 call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 \
		>"$WORLD/flood.$i" 2>&1 & pids+=($!)
done
wait "${pids[@]}"
world_cardsim fault none >/dev/null
busy=$(grep -l 'busy' "$WORLD"/flood.* | wc -l)
done_ok=$(find "$WORLD" -name 'flood.*' -empty | wc -l)
echo "# $done_ok answered, $busy refused as busy"
check "20 PIN calls at once: some refused as Busy (the queue is bounded)" test "$busy" -ge 1
check "... the others went through ($done_ok + $busy = 20)" test $((done_ok + busy)) -eq 20
check_eq "... the card's counter is full" 3 "$(world_cardsim pin-tries | awk '{print $2}')"
check "... and kartd still answers" "$CTL" status

# What a caller sent comes back in an error message cut short and printable.
long=$(head -c 100000 /dev/zero | tr '\0' A)
out=$(busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s "$long" 2>&1)
check "NoCard with a 100 KB serial: the message repeats 32 characters of it" \
	grep -qx "Call failed: No card with serial '$(printf 'A%.0s' $(seq 32))...' is present." <<<"$out"
out=$(busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s \
	"$(printf 'x\033[2Jy')" 2>&1)
check "... control characters come back as '?'" grep -q "serial 'x?\[2Jy'" <<<"$out"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
out=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 1 \
	"${long:0:60}" b true 2>&1)
check "InvalidArgs for an unknown option: its name cut short" \
	grep -qx "Call failed: Unknown option '$(printf 'A%.0s' $(seq 32))...'." <<<"$out"
out=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 1 \
	"$long" b true 2>&1)
check "InvalidArgs for a 100 KB option name, before anything else, none of it repeated" \
	grep -qx "Call failed: VerifyPin takes at most 8 options, each named in at most 64 bytes, .*" <<<"$out"

# Garbage instead of PKCS#15 data: a card object without serial, a log line.
world_cardsim fault garbage >/dev/null
reinsert
world_wait_for 5 card_seen
check "garbage replies: the card object exists" card_seen
check_eq "garbage replies: no serial is made up" "" "$(card_field serial)"
check "garbage replies: the ATR is still known" test -n "$(card_field atr)"
check "garbage replies: a clear log line" grep -Eq "malformed|Could not read" "$WORLD/kartd.log"

# One-byte replies.
world_cardsim fault short >/dev/null
reinsert
world_wait_for 5 card_seen
check "1-byte replies: the card object exists without serial" test -z "$(card_field serial)"

# Removed in the middle of reading: no card object, nothing stale.
world_cardsim fault none >/dev/null
world_cardsim fault remove-after 2 >/dev/null
reinsert
sleep 1
check "removed while being read: no card object remains" card_gone
check "kartd survived all of it" kill -0 "$WORLD_KARTD_PID"

# And a good card afterwards is read normally.
world_cardsim fault none >/dev/null
world_card_insert >/dev/null
world_wait_for 5 card_seen
check_eq "a good insertion afterwards shows the serial" "$serial" "$(card_field serial)"
check "status still answers" "$CTL" status

# A card that keeps answering slowly does not block other clients.
world_cardsim fault delay 1500 >/dev/null
reinsert
t0=$(now_ms)
busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Version >/dev/null
t1=$(now_ms)
echo "# property read while the card is slow: $((t1 - t0)) ms"
check "the bus answers while a slow card is read" test $((t1 - t0)) -lt 1000
world_cardsim fault none >/dev/null
tap_done
