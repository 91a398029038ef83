#!/bin/bash
# kartd's own bus fuzzer (issue 17, item 3): tests/integration/bus-fuzz.py
# reads kartd's introspection and calls every method and reads (and tries
# to set) every property of every object, the Manager, the reader, the
# card and live sessions, with random and boundary arguments of the right
# and of wrong signatures, first as root, then as a plain user (not at a
# seat: polkit refuses them the card). It fails on a crash or a restart
# of kartd, a call not answered within 25 s, an error name outside
# kartd's table and the standard ones a caller may get, an APDU reaching
# the card on the plain user's pass, the PIN counter at 0 without force
# (never passed), any use of the PUK, and a sanitizer's report. kartd's
# RSS is reported before and after.
#   KART_FUZZ_SEED   the PRNG's seed (default: random, printed)
#   KART_FUZZ_CALLS  calls per pass (default 2000)
#   WORLD_KEEP=1     keeps $WORLD, with each pass's report (root.json,
#                    plain.json) and trace (every call and its answer)
# Real polkitd, a real plain user, the reference backend for sessions.
# shellcheck disable=SC2154 # card (card.sh) and plain (tap.sh's kartd_polkit_install)
set -u
. "$(dirname "$0")/tap.sh"
take_system_polkit_lock   # (it installs kartd's polkit policy system-wide)
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

PY=/usr/bin/python3
FUZZ=$KART_TOP_SRCDIR/tests/integration/bus-fuzz.py
SEED=${KART_FUZZ_SEED:-$SRANDOM}
CALLS=${KART_FUZZ_CALLS:-2000}
BOUND=25          # s: busctl's and GDBus's default call timeout

# the plain user's files ($WORLD is root's alone)
FUZZDIR=$(mktemp -d) && chmod 1777 "$FUZZDIR" || exit 1
kartd_polkit_install
cleanup_system() { kartd_polkit_remove; rm -rf "$FUZZDIR"; }
trap 'world_stop; cleanup_system' EXIT

card_start_with_backend --polkit
trap 'world_stop; cleanup_system' EXIT
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"
tap_plan 15
echo "# seed $SEED (KART_FUZZ_SEED=$SEED reproduces it), $CALLS calls per pass"

rss() { awk '/^VmRSS:/ { print $2 " kB" }' "/proc/$WORLD_KARTD_PID/status" 2>/dev/null; }
owner_pid() {
	busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
		GetConnectionUnixProcessID s org.kartd.Kartd1 2>/dev/null | awk '{ print $2 }'
}
# report FILE EXPR: a Python expression over the fuzzer's report r
report() { "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
# show FILE KEY: a list of the report as TAP comments
show() { "$PY" -c 'import json, sys
for x in json.load(open(sys.argv[1])).get(sys.argv[2]) or []: print("#   " + str(x)[:300])' "$1" "$2" 2>/dev/null; }
# settle: until the card has seen no APDU for a second (calls the root pass
# left behind on closed connections may still be queued)
settle() {
	local a b
	a=$(apdus)
	for _ in $(seq 30); do
		sleep 1
		b=$(apdus)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}
sanitizer_report() { grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$WORLD/kartd.log"; }

# pass_checks LABEL REPORT: the four checks of one pass, from its report
pass_checks() {
	local label=$1 rep=$2
	if [ "$(report "$rep" 'r["calls"] >= r["wanted"] and not r["kartd_gone"] and not r["internal_errors"]')" = True ]; then
		ok "$label pass: $(report "$rep" 'r["calls"]') calls, kartd answered throughout"
	else
		not_ok "$label pass: $CALLS calls, kartd answered throughout"
		echo "# made: $(report "$rep" 'r["calls"]'); kartd gone: $(report "$rep" 'r["kartd_gone"]')"
		show "$rep" internal_errors
	fi
	echo "# $label: slowest calls:"
	show "$rep" slowest
	if [ "$(report "$rep" 'len(r["timeouts"])')" = 0 ]; then
		ok "$label pass: every call answered within $BOUND s"
	else
		not_ok "$label pass: every call answered within $BOUND s"
		show "$rep" timeouts
	fi
	if [ "$(report "$rep" 'r["unexpected_count"]')" = 0 ]; then
		ok "$label pass: every error is kartd's own or a standard one a caller may get"
	else
		not_ok "$label pass: every error is kartd's own or a standard one a caller may get ($(report "$rep" 'r["unexpected_count"]') not)"
		show "$rep" unexpected
	fi
	local extra=''
	[ "$label" = root ] || extra=' and no guarded call succeeded'
	if [ "$(report "$rep" 'len(r["set_accepted"]) + len(r["bad_reply"]) + len(r["guarded_ok"])')" = 0 ]; then
		ok "$label pass: no property Set accepted, every answer of the introspected type$extra"
	else
		not_ok "$label pass: no property Set accepted, every answer of the introspected type$extra"
		show "$rep" set_accepted
		show "$rep" bad_reply
		show "$rep" guarded_ok
	fi
}

pid_before=$(owner_pid)
rss_before=$(rss)
puk_before=$(world_cardsim pin-tries | awk '{ print $3 }')

# --- as root, with verification codes, so that sessions live
for _ in 1 2 3 4 5 6; do
	echo "unblock $(world_backend_code unblock)"
	echo "cert $(world_backend_code cert)"
done >"$WORLD/codes"
"$PY" "$FUZZ" --label root --calls "$CALLS" --seed "$SEED" --report "$WORLD/root.json" \
	--codes "$WORLD/codes" --password "${KART_BACKEND_PASSWORD:-kart-test-pw}" \
	--sms-outbox "$WORLD/backend/state/sms.outbox" --cardsim-ctl "$WORLD/cardsim.ctl" \
	--timeout "$BOUND" --trace "$WORLD/root.trace" 2>"$WORLD/fuzz-root.err"
sed 's/^/# /' "$WORLD/fuzz-root.err" | tail -20
rss_root=$(rss)
pass_checks root "$WORLD/root.json"
not_reached=$(report "$WORLD/root.json" '" ".join(r["methods_not_reached"] + r["props_not_read"])')
what="root pass: every method and property of kartd's interfaces reached ($(report "$WORLD/root.json" 'r["sessions_made"]') sessions)"
if [ "$CALLS" -lt 1000 ]; then
	ok "$what # SKIP $CALLS calls are too few to reach them all"
else
	check_eq "$what" "" "$not_reached"
fi

# --- as a plain user: a session of root's to poke at, and codes it may not use
settle
session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' \
	"$(world_backend_code unblock)" 0 2>&1)
echo "# root's session for the plain user's pass: $session"
for _ in 1 2; do
	echo "unblock $(world_backend_code unblock)"
	echo "cert $(world_backend_code cert)"
done >"$FUZZDIR/codes"
chmod 0644 "$FUZZDIR/codes"
install -m 0644 -o "$plain" /dev/null "$FUZZDIR/plain.json"
install -m 0644 -o "$plain" /dev/null "$FUZZDIR/plain.trace"
# (kartd read the certificates when the card came; a plain user's
# ListCertificates must not be the first read)
call ListCertificates >/dev/null
settle
apdus_before=$(apdus)
runuser -u "$plain" -- "$PY" "$FUZZ" --label plain --calls "$CALLS" --seed "$((SEED + 1))" \
	--report "$FUZZDIR/plain.json" --codes "$FUZZDIR/codes" --password "${KART_BACKEND_PASSWORD:-kart-test-pw}" \
	--timeout "$BOUND" --trace "$FUZZDIR/plain.trace" 2>"$WORLD/fuzz-plain.err"
sed 's/^/# /' "$WORLD/fuzz-plain.err" | tail -20
cp "$FUZZDIR/plain.json" "$FUZZDIR/plain.trace" "$WORLD/"
settle
apdus_after=$(apdus)
rss_plain=$(rss)
pass_checks plain "$FUZZDIR/plain.json"
check_eq "plain pass: no APDU reached the card" "$apdus_before" "$apdus_after"

# --- the card, as the simulator (not kartd) says
read -r _ pin_end puk_end <<<"$(world_cardsim pin-tries)"
pin_min=$(report "$WORLD/root.json" 'r["pin_tries_min"]')
echo "# PIN tries: lowest seen $pin_min, at the end $pin_end; kartd says $(prop PinState) $(prop PinRetriesLeft)"
if [ "$pin_min" -ge 1 ] 2>/dev/null && [ "$pin_end" -ge 1 ] && [ "$(prop PinState)" != locked ]; then
	ok "the PIN counter never reached 0 without force, and the PIN is not locked"
else
	not_ok "the PIN counter never reached 0 without force, and the PIN is not locked"
	show "$WORLD/root.json" pin_zero_after
fi
puk_uses=$(world_cardsim puk-uses | awk '{ print $2 }')
puk_min=$(report "$WORLD/root.json" 'r["puk_tries_min"]')
check_eq "the PUK was never used (commands with it; its tries before, lowest, after)" \
	"0 $puk_before $puk_before $puk_before" "$puk_uses $puk_before $puk_min $puk_end"

# --- kartd itself
pid_after=$(owner_pid)
echo "# kartd VmRSS: $rss_before before, $rss_root after the root pass, $rss_plain after the plain pass"
if [ -n "$pid_before" ] && [ "$pid_before" = "$pid_after" ] && [ "$pid_before" = "$WORLD_KARTD_PID" ] &&
	kill -0 "$WORLD_KARTD_PID" 2>/dev/null &&
	busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager GetCardBySerial s \
		4b41525400000001 >/dev/null 2>&1; then
	ok "kartd is the process it was (pid $pid_before) and still answers"
else
	not_ok "kartd is the process it was and still answers (pid $pid_before, now ${pid_after:-none})"
fi
world_stop_kartd TERM
rc=$?
if [ -s "$WORLD/kartd.log" ] && ! sanitizer_report >/dev/null; then
	ok "no sanitizer report in kartd's log"
else
	not_ok "no sanitizer report in kartd's log"
	# the report: its first lines and where kartd's own frames are
	grep -E -A60 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WORLD/kartd.log" |
		grep -E 'Sanitizer|runtime error|^Direct|^Indirect|#[0-9]+ .* in [a-z_]+ .*/(daemon|common)/' |
		head -40 | sed 's/^/# /'
fi
check_eq "kartd exits cleanly on SIGTERM after the fuzzing" 0 "$rc"
tap_done
