#!/bin/bash
# The web password in the user's keyring (libsecret): kartctl stores it only
# with --remember and only after the CA accepted it, uses it next time
# (--use-stored with --stdin) without it being typed, keeps it when the CA
# refuses it, and deletes it with kartctl forget; the keyring never holds a
# PIN. A headless gnome-keyring on a private session bus (test-world.md
# section 6); kartd's system bus is a separate address and stays in reach.
set -u
if [ -z "${KART_KEYRING_T:-}" ]; then
	T=$(mktemp -d)
	mkdir -p "$T/home" && mkdir -m 0700 "$T/rt"
	KART_KEYRING_T=$T env HOME="$T/home" XDG_RUNTIME_DIR="$T/rt" dbus-run-session -- "$0" "$@"
	rc=$?
	rm -rf "$T"
	exit $rc
fi
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

grep -q 'HAVE_LIBSECRET 1' "$KART_TOP_BUILDDIR/config.h" 2>/dev/null ||
	skip_or_fail "kartctl built without libsecret"
for t in gnome-keyring-daemon secret-tool; do
	command -v "$t" >/dev/null || skip_or_fail "no $t"
done
eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL

tap_plan 35
card_start_with_backend
SERIAL=$(prop Serial)
code() { world_backend_code "${1:-unblock}"; }
stored() { secret-tool lookup xdg:schema org.kartd.WebPassword serial "$SERIAL"; }
nothing_stored() { test -z "$(secret-tool search --all xdg:schema org.kartd.WebPassword 2>&1)"; }
# On a terminal: tty-answer PROMPT ANSWER... -- kartctl ARGS
tty_answer() { /usr/bin/python3 -I "$KART_TOP_SRCDIR/tests/integration/tty-answer.py" "$@"; }
card_pin() { world_cardsim get-pin | awk '{print $2}'; }
dump_keyring() { /usr/bin/python3 -I "$KART_TOP_SRCDIR/tests/integration/keyring-dump.py"; }

check_eq "the headless keyring answers, and is empty" END "$(dump_keyring)"

# --- without --remember: nothing is stored
out=$(printf '%s\npassword\nkart-test-pw\n%s\n%s\n' "$(code)" 24681357 24681357 | "$CTL" unlock --stdin 2>&1)
check "kartctl unlock --stdin without --remember succeeds" grep -q "The new PIN is set" <<<"$out"
check "... and stores nothing (secret-tool search)" nothing_stored
check_eq "... nothing at all in the keyring" END "$(dump_keyring)"

# --- --use-stored with nothing stored: refused before the code is asked for
out=$(printf '%s\n%s\n%s\n' "$(code)" 11112222 11112222 | "$CTL" unlock --stdin --use-stored 2>&1)
check "--use-stored with nothing stored fails" grep -q "No web password is stored in your keyring for card $SERIAL" <<<"$out"
check_eq "... and the card keeps its PIN" 24681357 "$(card_pin)"
"$CTL" unlock --stdin --use-stored --method sms </dev/null >/dev/null 2>&1
check_eq "--use-stored with --method sms: a usage error" 2 "$?"

# --- --remember: stored after the CA accepted it
out=$(printf '%s\npassword\nkart-test-pw\n%s\n%s\n' "$(code)" 13572468 13572468 | "$CTL" unlock --stdin --remember 2>&1)
check "kartctl unlock --stdin --remember succeeds" grep -q "The new PIN is set" <<<"$out"
grep -q "The new PIN is set" <<<"$out" || sed 's/^/# kartctl: /' <<<"$out"
check "... says the web password is stored" grep -q "stored in your keyring" <<<"$out"
check_eq "secret-tool finds the web password for the card" kart-test-pw "$(stored)"
items=$(secret-tool search --all xdg:schema org.kartd.WebPassword 2>&1)
check "... with the attribute serial" grep -q "attribute.serial = $SERIAL" <<<"$items"
check "... and account" grep -q "attribute.account = $SERIAL" <<<"$items"
check "... and a label naming the card" grep -q "^label = .*$SERIAL" <<<"$items"
check_eq "the keyring holds one item, that password" "kart-test-pw END" "$(dump_keyring | cut -f2 | paste -sd ' ')"
dump=$(dump_keyring)
check "... no PIN anywhere in the keyring" sh -c "! printf '%s' \"\$1\" | grep -q -e 13572468 -e 24681357" _ "$dump"

# --- the next unlock uses it: no method and no password line
out=$(printf '%s\n%s\n%s\n' "$(code)" 86427531 86427531 | "$CTL" unlock --stdin --use-stored 2>&1)
check "kartctl unlock --stdin --use-stored succeeds without the password typed" grep -q "The new PIN is set" <<<"$out"
grep -q "The new PIN is set" <<<"$out" || sed 's/^/# kartctl: /' <<<"$out"
check "... confirmed with the stored one" grep -q "Confirmed with the web password from your keyring" <<<"$out"
check_eq "... the card holds the new PIN" 86427531 "$(card_pin)"
out=$(printf '%s\n' "$(code cert)" | "$CTL" account certs --stdin --use-stored 2>&1)
check "kartctl account certs uses it too" grep -q "good" <<<"$out"

# --- on a terminal kartctl asks first
out=$(tty_answer "CA's portal:" "$(code)" "Method" password "[Y/n]" "" "New PIN:" 12348765 "again:" 12348765 -- "$CTL" unlock 2>&1)
check "on a terminal: asked whether to use it, and Enter uses it" \
	grep -q "Use the web password stored in your keyring? \[Y/n\]" <<<"$out"
check "... confirmed with it" grep -q "Confirmed with the web password from your keyring" <<<"$out"
check "... without a password prompt" sh -c "! grep -q 'Web password:'" <<<"$out"
check_eq "... the card holds the new PIN" 12348765 "$(card_pin)"
# (the CA authorizes at most five new PINs a card a day: the rest of the
# test confirms in certificate sessions)
out=$(tty_answer "CA's portal:" "$(code cert)" "Method" password "[Y/n]" n "Web password:" kart-test-pw \
	-- "$CTL" account certs 2>&1)
check "answering n: the password is asked for, and taken" grep -q "good" <<<"$out"
grep -q "good" <<<"$out" || sed 's/^/# kartctl: /' <<<"$out"

# --- the CA refuses the stored one: it is kept, the user is told
printf wrong-pw | secret-tool store --label=old xdg:schema org.kartd.WebPassword serial "$SERIAL" account "$SERIAL"
check_eq "(a stale password in the keyring)" wrong-pw "$(stored)"
pin_before=$(card_pin)
out=$(printf '%s\n%s\n%s\n' "$(code)" 55556666 55556666 | "$CTL" unlock --stdin --use-stored 2>&1)
check "a refused stored password: the user is told" grep -q "did not accept the web password stored in your keyring" <<<"$out"
check_eq "... the card is not written" "$pin_before" "$(card_pin)"
check_eq "... and the item is kept" wrong-pw "$(stored)"
out=$(tty_answer "CA's portal:" "$(code cert)" "Method" password "[Y/n]" "" "Web password:" kart-test-pw \
	-- "$CTL" account certs --remember 2>&1)
check "on a terminal: a refused stored password, the user is told and asked" \
	grep -q "did not accept the web password stored in your keyring" <<<"$out"
check "... the typed one is taken" grep -q "good" <<<"$out"
grep -q "good" <<<"$out" || sed 's/^/# kartctl: /' <<<"$out"
check_eq "... and, with --remember, replaces the stored one" kart-test-pw "$(stored)"

# --- kartctl forget
out=$("$CTL" forget 2>&1)
check "kartctl forget deletes it" grep -q "deleted from your keyring" <<<"$out"
check "... secret-tool finds nothing" nothing_stored
check_eq "... the keyring is empty" END "$(dump_keyring)"
check "forget again: nothing was stored" grep -q "No web password was stored for card $SERIAL" <<<"$("$CTL" forget "$SERIAL" 2>&1)"
tap_done
