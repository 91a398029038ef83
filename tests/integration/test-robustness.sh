#!/bin/bash
# Garbage, silence and sudden removal from the card: kartd logs clearly,
# keeps a sane object (or none) and goes on serving.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 21
world_start || { echo "Bail out! the test world did not start"; exit 1; }
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"

# card_field FIELD: the first reader's card's FIELD in kartctl --json status
# ("" when the card has none), "none" when kartd shows no card there. It
# fails, printing nothing, when kartctl fails or prints anything but that
# JSON: a dead kartd (or kartctl) is neither a card seen nor a card gone.
card_field() {
	local out
	out=$("$CTL" --json status) || return 1
	/usr/bin/python3 -c '
import json,sys
r = json.loads(sys.argv[2])["readers"]
c = r[0]["card"] if r else None
print("none" if c is None else c.get(sys.argv[1]) or "")' "$1" "$out"
}
# card_is FIELD VALUE: kartctl answered, and the card (there is one) has VALUE.
card_is() {
	local v
	v=$(card_field "$1") || { echo "kartctl --json status failed"; return 1; }
	[ "$v" = "$2" ] || { echo "the card's $1: '$v', expected '$2'"; return 1; }
}
# card_has FIELD: kartctl answered, and the card (there is one) has FIELD.
card_has() { local v; v=$(card_field "$1") && [ -n "$v" ] && [ "$v" != none ]; }
card_seen() { card_has path; }
card_gone() { card_is path none >/dev/null; }
apdus() { world_cardsim count | awk '{print $2}'; }
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
check "garbage replies: no serial is made up" card_is serial ""
check "garbage replies: the ATR is still known" card_has atr
check "garbage replies: a clear log line" grep -Eq "malformed|Could not read" "$WORLD/kartd.log"

# One-byte replies.
world_cardsim fault short >/dev/null
reinsert
world_wait_for 5 card_seen
check "1-byte replies: the card object exists without serial" card_is serial ""

# Removed in the middle of reading: no card object, nothing stale.
world_cardsim fault none >/dev/null
world_cardsim fault remove-after 2 >/dev/null
world_card_remove >/dev/null
world_wait_for 3 card_gone
log_mark=$(wc -l <"$WORLD/kartd.log")
world_cardsim reset-count >/dev/null
world_card_insert >/dev/null
cut_short() { [ "$(apdus)" -ge 2 ] && ! world_card_present; }
check "removed while being read: the card answered kartd 2 APDUs, then left" world_wait_for 5 cut_short
check "kartd survived all of it" kill -0 "$WORLD_KARTD_PID"

# And a good card afterwards is read normally.
world_cardsim fault none >/dev/null
world_card_insert >/dev/null
world_wait_for 5 card_has serial
check_eq "a good insertion afterwards shows the serial" "$serial" "$(card_field serial)"
check "status still answers" "$CTL" status
# kartd reads a reader's cards one after the other: once the good card is
# in, the cut-short read is over; it left no card object behind, now
# or meanwhile (kartd logs each card object it makes).
check_eq "removed while being read: no card object remains (one card, the good one)" \
	"1 $serial" "$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 \
	org.kartd.Kartd1.Manager Cards | awk '{print $2}') $(card_field serial)"
check_eq "... and none was made meanwhile: since, kartd logged one card inserted, the good one" \
	"1 1" "$(tail -n +$((log_mark + 1)) "$WORLD/kartd.log" | grep -c '^Card inserted') $(tail -n +$((log_mark + 1)) \
	"$WORLD/kartd.log" | grep -c "^Card inserted .*, serial $serial,")"

# A card that keeps answering slowly does not block other clients.
world_cardsim fault delay 1500 >/dev/null
world_card_remove >/dev/null
world_wait_for 3 card_gone
world_cardsim reset-count >/dev/null
world_card_insert >/dev/null
read_started() { [ "$(apdus)" -ge 1 ]; }
check "a slow card is being read (it got its first APDU)" world_wait_for 5 read_started
t0=$(now_ms)
busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Version >/dev/null
rc=$?
t1=$(now_ms)
# The read went on after the answer: the card gets more APDUs (one every
# 1.5 s; reading it takes over a dozen).
answered_at=$(apdus)
read_goes_on() { [ "$(apdus)" -gt "$answered_at" ]; }
went_on=no
world_wait_for 5 read_goes_on && went_on=yes
echo "# property read while the card is slow: status $rc, $((t1 - t0)) ms; the read went on after it: $went_on"
check "the bus answers while a slow card is read (in time, successfully, the read going on)" \
	test "$rc" = 0 -a "$went_on" = yes -a $((t1 - t0)) -lt 1000
world_cardsim fault none >/dev/null
tap_done
