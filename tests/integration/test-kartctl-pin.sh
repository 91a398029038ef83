#!/bin/bash
# kartctl pin-status, change-pin and verify-pin against the simulated card
# (PIN 123456, lengths 6..8): the interlock, the prompts without echo, and
# that nothing reaches the card when kartctl refuses (cardsim's counters).
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 36
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"
PY=/usr/bin/python3

world_start || { echo "Bail out! the test world did not start"; exit 1; }
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
serial=$(busctl --system get-property org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Serial | cut -d' ' -f2 | tr -d '"')

apdus() { world_cardsim count | awk '{print $2}'; }
state() { busctl --system get-property org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card PinState | cut -d' ' -f2 | tr -d '"'; }
# pins LINE...: the lines kartctl reads with --stdin
pins() { printf '%s\n' "$@"; }
# reinsert: the daemon reads the PIN state on insertion
reinsert() {
	world_card_remove >/dev/null
	world_wait_for 5 sh -c "! busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -q card/"
	world_card_insert >/dev/null
	world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q '\"$1\"'"
}

# A pseudo-terminal driver: runs a command on a new pty (its controlling
# terminal), answers prompts, and reports the exit status and whether echo
# is on again afterwards. Steps: expect:TEXT, send:TEXT (a newline is
# added), intr (Ctrl+C).
cat >"$WORLD/pty.py" <<'EOF'
import fcntl, os, select, subprocess, sys, termios, time
out, steps, cmd = sys.argv[1], [], []
args = sys.argv[2:]
i = args.index("--")
steps, cmd = args[:i], args[i + 1:]
master, slave = os.openpty()
def ctty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=ctty)
buf = b""
def pump(t):
    global buf
    r, _, _ = select.select([master], [], [], t)
    if r:
        data = os.read(master, 4096)
        buf += data
        return bool(data)
    return False
def expect(text, timeout=15):
    deadline = time.time() + timeout
    while text.encode() not in buf:
        if time.time() > deadline:
            raise SystemExit("timeout waiting for %r; got %r" % (text, buf))
        pump(0.1)
for s in steps:
    if s.startswith("expect:"):
        expect(s[7:])
    elif s.startswith("send:"):
        time.sleep(0.1)
        os.write(master, s[5:].encode() + b"\n")
    elif s == "intr":
        time.sleep(0.1)
        os.write(master, b"\x03")
rc = p.wait(timeout=60)
while pump(0.2):    # all the command wrote, not only the first chunk
    pass
echo = "on" if termios.tcgetattr(slave)[3] & termios.ECHO else "off"
open(out, "wb").write(buf)
print("rc=%d echo=%s" % (rc, echo))
EOF

# pin-status
"$CTL" pin-status >"$WORLD/status" 2>&1
check_eq "pin-status: exit code 0" 0 "$?"
check "pin-status: serial, state, tries and lengths" sh -c \
	"grep -q '$serial' '$WORLD/status' && grep -Eq 'PIN: +ok' '$WORLD/status' && grep -q '3 of 3 left' '$WORLD/status' && grep -q '6 to 8 characters' '$WORLD/status'"
"$CTL" --json pin-status >"$WORLD/status.json"
check "pin-status --json: the fields of the contract" $PY -c "
import json, sys
c = json.load(open('$WORLD/status.json'))['cards'][0]
assert c['path'] == '$card' and c['serial'] == '$serial', c
assert (c['pin_state'], c['pin_retries_left'], c['pin_retries_max']) == ('ok', 3, 3), c
assert (c['pin_min_length'], c['pin_max_length']) == (6, 8), c"
check "pin-status SERIAL" sh -c "'$CTL' pin-status '$serial' | grep -q '$card'"
"$CTL" pin-status 0000 >"$WORLD/out" 2>&1
check_eq "pin-status of an unknown serial: exit code 1" 1 "$?"

# Usage errors.
setsid -w "$CTL" change-pin </dev/null >"$WORLD/out" 2>&1
check_eq "no terminal and no --stdin: exit code 2" 2 "$?"
check "no terminal and no --stdin: says so" grep -q -- "--stdin" "$WORLD/out"
"$CTL" change-pin a b --stdin </dev/null >/dev/null 2>&1
check_eq "two serials: exit code 2" 2 "$?"

# Change, then verify the new PIN; the card itself agrees.
out=$(pins 123456 24681357 24681357 | "$CTL" change-pin --stdin 2>&1)
check_eq "change-pin --stdin succeeds" "PIN changed." "$out"
check_eq "the card has the new PIN" "ok 24681357" "$(world_cardsim get-pin)"
out=$(pins 24681357 | "$CTL" verify-pin --stdin "$serial" 2>&1)
check_eq "verify-pin --stdin SERIAL with the new PIN" "PIN is correct." "$out"

# Refusals before anything is sent.
before=$(apdus)
out=$(pins 24681357 11112222 11113333 | "$CTL" change-pin --stdin 2>&1)
check_eq "mismatching new PINs: exit code 1" 1 "$?"
check "mismatching new PINs: says so" grep -q "do not match" <<<"$out"
out=$(pins 24681357 12 12 | "$CTL" change-pin --stdin 2>&1)
check "a too short new PIN: the lengths are named" grep -q "6 to 8 characters" <<<"$out"
out=$(pins 24681357 11112222 | "$CTL" change-pin --stdin 2>&1)
check "stdin ends early: says so" grep -q "Standard input ended" <<<"$out"
check_eq "... none of these sent an APDU" "$before" "$(apdus)"

# A wrong PIN costs a try and says how many are left.
out=$(pins 000000 11112222 11112222 | "$CTL" change-pin --stdin 2>&1)
check_eq "wrong current PIN: exit code 1" 1 "$?"
check "wrong current PIN: tries left" grep -q "2 tries left" <<<"$out"
out=$(pins 000000 | "$CTL" verify-pin --stdin 2>&1)
check "second wrong PIN: warns that one try is left" grep -q "Only one PIN try is left now" <<<"$out"
check_eq "... the daemon says last-try" last-try "$(state)"
"$CTL" pin-status >"$WORLD/status" 2>&1
check "pin-status: one try left" grep -q "one try left" "$WORLD/status"

# The last try: never from stdin without --force.
before=$(apdus)
pins 24681357 11112222 11112222 | "$CTL" change-pin --stdin >"$WORLD/out" 2>&1
check_eq "last try, --stdin without --force: exit code 1" 1 "$?"
check "last try: the loud warning" sh -c "grep -q 'LAST try' '$WORLD/out' && grep -q 'Never use the PUK' '$WORLD/out'"
out=$(pins 24681357 | "$CTL" verify-pin --stdin 2>&1)
check_eq "last try: verify-pin --stdin refused too" 1 "$?"
check_eq "last try: nothing was sent" "$before" "$(apdus)"

# On a terminal: asks for YES; anything else cancels.
r=$($PY "$WORLD/pty.py" "$WORLD/tty" expect:"to go on:" send:no -- "$CTL" verify-pin)
check_eq "last try on a terminal: 'no' cancels" "rc=1 echo=on" "$r"
check_eq "... nothing was sent" "$before" "$(apdus)"
out=$(pins 24681357 11112222 11112222 | "$CTL" change-pin --stdin --force 2>&1)
check_eq "last try with --force goes on" "PIN changed." "$out"
check_eq "... and the tries are back" "ok 11112222" "$(state) $(world_cardsim get-pin | cut -d' ' -f2)"

# Terminal prompts: no echo, echo back after Ctrl+C.
r=$($PY "$WORLD/pty.py" "$WORLD/tty" expect:"Current PIN:" send:11112222 expect:"New PIN:" send:55556666 \
	expect:"New PIN again:" send:55556667 expect:"New PIN:" send:55556666 expect:"New PIN again:" send:55556666 \
	-- "$CTL" change-pin)
check_eq "change-pin on a terminal, a mismatch asked again" "rc=0 echo=on" "$r"
check "... no PIN was echoed" sh -c "grep -q 'PIN changed' '$WORLD/tty' && ! grep -Eq '11112222|5555666' '$WORLD/tty'"
r=$($PY "$WORLD/pty.py" "$WORLD/tty" expect:"PIN:" intr -- "$CTL" verify-pin)
check_eq "Ctrl+C at the prompt: killed by SIGINT, echo restored" "rc=-2 echo=on" "$r"

# Locked: refused without a call.
world_cardsim set-pin-tries 0 >/dev/null
reinsert locked
before=$(apdus)
out=$(pins 55556666 11112222 11112222 | "$CTL" change-pin --stdin --force 2>&1)
check_eq "locked: change-pin exit code 1" 1 "$?"
check "locked: says it must be unlocked online" grep -q "unlocked online" <<<"$out"
check_eq "locked: nothing was sent" "$before" "$(apdus)"

# Turkish.
world_install_locale >/dev/null
LC_ALL=tr_TR.UTF-8 "$CTL" pin-status >"$WORLD/status.tr" 2>&1
check "Turkish: pin-status" grep -q "kilitli" "$WORLD/status.tr"
tap_done
