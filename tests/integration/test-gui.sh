#!/bin/bash
# kart-gui against the real daemon: under a virtual X server (Xvfb) and
# a private session bus with the accessibility bus, the cards page and the
# unlock wizard are read back through AT-SPI (what a screen reader sees:
# not a string the GUI printed) and photographed at every step. The
# screenshots stay in the build tree (tests/integration/gui-*.png); the
# screens the README shows, in English and Turkish, are gathered in
# tests/integration/screens/LANG/ (build-aux/update-screenshots copies
# them to doc/screenshots/).
set -u
. "$(dirname "$0")/tap.sh"

SRC=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${KART_TOP_BUILDDIR:-$SRC}
GUI=$BUILD/client/gui/kart-gui
ATSPI=$SRC/tests/integration/gui-atspi.py
OUT=$BUILD/tests/integration

# (skip_or_fail, tap.sh: under build-aux/check-all, which configures with
# --enable-gui on a machine with all of these, a failure)
[ -x "$GUI" ] || skip_or_fail "kart-gui is not built (no GTK 4, or --disable-gui)"
for tool in Xvfb dbus-run-session import; do
	command -v "$tool" >/dev/null || skip_or_fail "$tool is missing"
done
# Debian's python3 (with python3-gi), not whatever python3 comes first in PATH.
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c "import gi; gi.require_version('Atspi', '2.0')" 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip_or_fail "no python3 with AT-SPI (gir1.2-atspi-2.0, python3-gi)"
[ -x /usr/libexec/at-spi-bus-launcher ] || skip_or_fail "at-spi2-core is missing"

. "$SRC/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/xvfb.sh"

tap_plan 68
# The first certificate's label has markup characters: libadwaita reads row
# titles as Pango markup unless told not to, and text from a card must
# show as it is.
MARKUP_LABEL='sign <qualified> & seal'
gui_profile=$(mktemp)
{ cat "$KART_CARD_PROFILE"; printf '%s\n' 'sign = sign.der' "sign.label = $MARKUP_LABEL" 'auth = auth.der' \
	'expiring = expiring.der'; } >"$gui_profile"
KART_CARD_PROFILE=$gui_profile card_start_with_backend
serial=$(prop Serial)
check "the card has a serial to look for" test -n "$serial"
mkdir -p "$OUT"

# Runs kart-gui ARGS... in its own X server (with_xvfb) and session bus (which starts
# the accessibility bus); waits until AT-SPI shows WANT, then for each line
# "COMMAND<TAB>WANT" of $STEPS runs COMMAND and waits for that WANT. After
# each wait the window on top of the screen (a dialog when one is open) is
# photographed into $OUT/gui-NAME-N.png (N: 0 for the first wait).
# What AT-SPI saw goes to $WORLD/NAME.a11y (one block per wait).
gui_run() { # NAME WANT ARGS...
	local name=$1 try rc
	for try in 1 2; do
		gui_run_once "$@"; rc=$?
		[ "$rc" = 75 ] && [ "$try" = 1 ] || break
		echo "# $name: kart-gui exited before its first screen (below); once more with a new X server"
		grep -vE '^(dbus-daemon\[|SpiRegistry)' "$WORLD/$name.log" | tail -5 | sed 's/^/#   /'
	done
	[ "$rc" = 0 ] || { gui_diag "$name"; return 1; }
}
gui_run_once() { # NAME WANT ARGS...
	local name=$1 want=$2
	shift 2
	rm -f "$OUT/gui-$name"-*.png
	# shellcheck disable=SC2016 # expanded by the inner shell
	mkdir -p "$WORLD/gui-home" && rm -rf "$WORLD/gui-rt" && mkdir -m 0700 "$WORLD/gui-rt"
	with_xvfb env NAME="$name" WANT="$want" GUI="$GUI" PY="$PY" ATSPI="$ATSPI" OUT="$OUT" \
		STEPS="${STEPS:-}" GUI_LC="${GUI_LC:-C.UTF-8}" LC_ALL=C.UTF-8 LANGUAGE= \
		HOME="$WORLD/gui-home" XDG_RUNTIME_DIR="$WORLD/gui-rt" \
		timeout 240 dbus-run-session -- bash -c '
		# a headless keyring, kept in $HOME from one run to the next
		if command -v gnome-keyring-daemon >/dev/null; then
			eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
			export GNOME_KEYRING_CONTROL
		fi
		# The window on top, as it is on screen: the first viewable child
		# of the root window (xwininfo lists them top first).
		shot() { # N
			local id
			sleep 0.6  # the last frame drawn
			id=$(xwininfo -root -children | awk "/^ +0x[0-9a-f]+ /{print \$1}" | while read -r w; do
				xwininfo -id "$w" | grep -q "Map State: IsViewable" && echo "$w"; done | head -n1)
			[ -n "$id" ] && import -window "$id" "$OUT/gui-$NAME-$1.png"
		}
		LC_ALL=$GUI_LC "$GUI" "$@" & gui=$!  # (ImageMagick breaks in tr_TR)
		"$PY" "$ATSPI" kart-gui 30 "$WANT" >"$WORLD/$NAME.a11y"; rc=$?
		# kart-gui gone before its first screen (it could not open the
		# display): no step has run yet, the caller may try again
		[ $rc = 0 ] || kill -0 $gui 2>/dev/null || exit 75
		shot 0 || rc=1
		n=0
		while IFS="	" read -r cmd want; do
			[ -n "$cmd" ] || continue
			n=$((n + 1))
			echo "--- $cmd" >>"$WORLD/$NAME.a11y"; date +"at %T.%N" >>"$WORLD/$NAME.a11y"
			bash -c "$cmd" >>"$WORLD/$NAME.a11y" 2>&1
			"$PY" "$ATSPI" kart-gui 30 "$want" >>"$WORLD/$NAME.a11y" || rc=1  # (ASan on a busy machine is slow)
			date +"shot at %T.%N" >>"$WORLD/$NAME.a11y"; shot $n || rc=1
		done <<<"$STEPS"
		kill $gui; wait $gui 2>/dev/null
		exit $rc' gui-run "$@" >"$WORLD/$name.log" 2>&1
}
# What a failed run saw: kart-gui's own output, the steps run, and the
# last objects AT-SPI showed (without GTK's scroll bars).
gui_diag() { # NAME
	grep -vE '^(dbus-daemon\[|SpiRegistry)' "$WORLD/$1.log" >"$WORLD/$1.out" 2>/dev/null
	diag "$WORLD/$1.out" 10
	grep -vE $'\t(filler|scroll bar)\t' "$WORLD/$1.a11y" >"$WORLD/$1.diag" 2>/dev/null
	grep -E '^(--- |step (done|failed): )' "$WORLD/$1.diag" | sed "s|^|# $1: |"
	diag "$WORLD/$1.diag" 40
}
# Whether AT-SPI showed, in window WINDOW, an object whose text matches
# the extended regular expression RE (in the block after step STEP, 0 for
# the first wait).
seen() { # NAME STEP WINDOW RE
	awk -v step="$2" '/^--- /{n++; next} n == step' "$WORLD/$1.a11y" |
		awk -F'\t' -v w="$3" '$1 == w {print $3}' | grep -Eq -- "$4"
}
png_size() { identify -format '%w %h' "$1" 2>/dev/null; }
# The pixels of two screenshots differ (not only their files).
shots_differ_from() {
	[ -f "$1" ] && [ -f "$2" ] || return 1
	[ "$(identify -format '%#' "$1")" != "$(identify -format '%#' "$2")" ]
}
# Run NAME's COUNT screenshots: each unlike the one before it.
shots_differ() { # NAME COUNT
	local i
	for ((i = 1; i < $2; i++)); do
		shots_differ_from "$OUT/gui-$1-$((i - 1)).png" "$OUT/gui-$1-$i.png" || { echo "# gui-$1-$i.png: as before"; return 1; }
	done
}
big_enough() { local s; s=$(png_size "$1"); [ -n "$s" ] && [ "${s% *}" -ge 300 ] && [ "${s#* }" -ge 200 ]; }

# --- the cards page, then live updates: a wrong PIN, the card pulled and back
model=$(prop Model)
model_re=$(printf '%s' "$model" | sed 's/[][\.*^$()+?{}|]/\\&/g')
check_eq "the simulated card has 3 tries left" 3 "$(card_tries)"
STEPS="busctl --system call org.kartd.Kartd1 $card org.kartd.Kartd1.Card VerifyPin sa{sv} 000000 0	2 of 3 tries left
$KART_CARDSIM ctl $WORLD/cardsim.ctl remove	Insert your card
$KART_CARDSIM ctl $WORLD/cardsim.ctl insert	$serial"
gui_run cards "$serial"
check "the cards page shows the card's serial (AT-SPI)" seen cards 0 "Smart Cards" "Serial number: $serial\$"
check "... its model" seen cards 0 "Smart Cards" "^$model_re"
check "... and the PIN state with the tries left, as the card has them" \
	eval 'seen cards 0 "Smart Cards" "^PIN usable\$" && seen cards 0 "Smart Cards" "^3 of 3 tries left\$"'
check "a wrong PIN elsewhere: the page shows 2 tries left (PropertiesChanged)" \
	seen cards 1 "Smart Cards" "^2 of 3 tries left\$"
check "the card pulled: the page asks for the card (CardRemoved)" seen cards 2 "Smart Cards" "^Insert your card\$"
check "the card back: it is shown again (CardInserted)" seen cards 3 "Smart Cards" "Serial number: $serial\$"
check "a screenshot of the cards page" big_enough "$OUT/gui-cards-0.png"
check "... and of each step, each unlike the one before" shots_differ cards 4

# --- kart-gui --unlock SERIAL: the wizard for that card, at its first step
STEPS=
title="Unlock the PIN of card $serial"
gui_run unlock "Step 1 of 4" --unlock "$serial"
wizard_shown() { seen unlock 0 "$title" "^$title\$" && seen unlock 0 "$title" "^Step 1 of 4: Verification code"; }
check "--unlock SERIAL opens the wizard for that card at the verification code (AT-SPI)" wizard_shown
check "... with a button that opens the CA's portal (Manager.UnlockPortal)" \
	seen unlock 0 "$title" "^Open the portal$"
check "a screenshot of the unlock wizard (the window on top)" big_enough "$OUT/gui-unlock-0.png"
check "... which is not the cards page under it" shots_differ_from "$OUT/gui-unlock-0.png" "$OUT/gui-cards-0.png"

# --- driven as a user would (through AT-SPI): change the PIN, then the
# last-try warning, then an online unlock with the web password
drive() { printf '$PY "$ATSPI" --drive kart-gui'; printf ' %q' "$@"; }
NEWPIN=24681357
STEPS="$(drive 'press:Change PIN…' type:'Current PIN=123456' type:"New PIN=$NEWPIN" type:"New PIN again=$NEWPIN" 'press:=Change PIN')	The PIN is changed."
gui_run pin "$serial"
check "the change-PIN dialog changes the PIN: a toast says so" seen pin 1 "Smart Cards" "^The PIN is changed\.\$"
check_eq "... and the card holds the new PIN" "$NEWPIN" "$(world_cardsim get-pin | awk '{print $2}')"

call VerifyPin 'sa{sv}' 000000 0 >/dev/null
call VerifyPin 'sa{sv}' 000000 0 >/dev/null
tries=$(card_tries)
STEPS="$(drive 'press:Change PIN…' 'wait:Warning: the PIN has one try left')	one try left
$(drive type:'Current PIN=000000' type:"New PIN=$NEWPIN" type:"New PIN again=$NEWPIN" 'press:=Change PIN')	Confirm that you want to use the last try"
gui_run lasttry "$serial"
check "one try left: the dialog warns" seen lasttry 1 "Change PIN" "^Warning: the PIN has one try left"
check "... and does not use the last try unless the box is ticked" \
	seen lasttry 2 "Change PIN" "^Confirm that you want to use the last try"
check_eq "... the card still has its one try" "1 1" "$tries $(card_tries)"

call VerifyPin 'sa{sv}' 000000 1 force b true >/dev/null
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q locked"
STEPS="$(drive type:"Verification code=$(world_backend_code unblock)" 'press:Next@Verification code' 'wait:Step 2 of 4' \
	'type:Web password=kart-test-pw' 'press:Confirm with the web@Web password' 'wait:Step 3 of 4' type:'New PIN=13572468' type:'New PIN again=13572468' \
	'press:Set the PIN')	The new PIN is set"
gui_run unlockdone "Step 1 of 4" --unlock "$serial"
check "the unlock wizard, driven to its end, says the new PIN is set" \
	seen unlockdone 1 "$title" "^The new PIN is set"
check_eq "... the card holds it and is usable again" "13572468 ok" \
	"$(world_cardsim get-pin | awk '{print $2}') $(prop PinState)"

# --- the certificates page: what ListCertificates says, and the details
certs_json=$(busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ListCertificates)
first() { "$PY" -c 'import json, sys; print(json.load(sys.stdin)["data"][0][0][int(sys.argv[1])])' "$1" <<<"$certs_json"; }
label=$(first 1) status=$(first 7) sha=$(first 8)
case $status in
good) shown=Valid ;; on-hold) shown=Suspended ;; revoked) shown=Revoked ;; expired) shown=Expired ;;
*) shown="Status unknown" ;;
esac
# (the rows come after the page's title: under a sanitizer, a while after)
STEPS="$(drive 'press:=Show certificates' "wait:$shown")	Certificates on card $serial
$(drive 'press:Details')	$sha"
gui_run certs "$serial"
# The status badge comes right after the row's label and subject.
listed() { awk '/^--- /{n++; next} n == 1' "$WORLD/certs.a11y" | awk -F'\t' '$1 == "Smart Cards" {print $3}' |
	grep -A4 -Fx -- "$label" | grep -qFx -- "$shown"; }
check "the certificates page lists the first certificate ($label) with its status ($shown)" listed
check "its details show its SHA-256 fingerprint" seen certs 2 "Certificate details" "^$sha\$"
check "a label with markup characters ($MARKUP_LABEL) shows as it is" seen certs 1 "Smart Cards" "^$MARKUP_LABEL\$"

# Export… then Save in the file chooser (it offers ID.der in the current directory)
id=$(first 0)
mkdir -p "$WORLD/export"
STEPS="$(drive 'press:=Show certificates' 'press:Export…' 'press:=Save')	The certificate is saved as"
(cd "$WORLD/export" && gui_run export "$serial")
world_wait_for 5 test -s "$WORLD/export/$id.der"
"$CTL" cert export "$id" -o "$WORLD/export/by-kartctl.der" >/dev/null 2>&1
check "Export…: the saved file is the certificate, as kartctl cert export writes it" \
	cmp -s "$WORLD/export/$id.der" "$WORLD/export/by-kartctl.der"
check "... and a toast names the file" seen export 1 "Smart Cards" "^The certificate is saved as $id\.der\.\$"

# --- suspend at the CA with the certificate wizard; revoking needs the serial
# typed; the web password kept in the keyring when the box is ticked
answers() { printf '%s\npassword\nkart-test-pw\n' "$(world_backend_code cert)"; }
account() { answers | "$CTL" account certs --stdin 2>&1; }
good=$(account | awk '$3 == "good" {print $1}')
first_good=$(head -n1 <<<"$good") second_good=$(sed -n 2p <<<"$good")
check "the CA has two valid certificates to work on" test -n "$second_good"
keyring_dump() { printf '/usr/bin/python3 -I %q >%q 2>&1' "$SRC/tests/integration/keyring-dump.py" "$WORLD/$1"; }
ctitle="Certificates of card $serial at the CA"
STEPS="$(keyring_dump keyring-none)	$serial
$(drive 'press:Suspend, resume or' type:"Verification code=$(world_backend_code cert)" 'press:Next@Verification code' \
	'wait:Step 2 of 4' 'type:Web password=kart-test-pw' 'check:Remember the web password in my keyring' \
	'press:Confirm with the web@Web password' 'wait:Step 3 of 4: Certificates at the CA' 'press:Revoke the certificate')	Revoking is final
$(drive "press:Suspend the certificate $first_good")	The CA has done it
$(keyring_dump keyring-stored)	The CA has done it"
gui_run certops "$serial"
listing=$(account)
check "Revoke… without the serial typed again is refused" seen certops 2 "$ctitle" "^Revoking is final"
nothing_revoked() { ! grep -q ' revoked' <<<"$listing"; }
check "... and revokes nothing at the CA" nothing_revoked
check "Suspend: the wizard says the CA did it" seen certops 3 "$ctitle" "^The CA has done it"
check_eq "... and the CA has that certificate on hold" "$first_good" "$(awk '$3 == "on-hold" {print $1}' <<<"$listing")"
check_eq "the web password typed earlier without the box ticked was not stored" END "$(cat "$WORLD/keyring-none")"
check_eq "with the box ticked, the keyring holds the web password, and nothing else" \
	"Web password of the CA account for smart card $serial	kart-test-pw END" \
	"$(paste -sd ' ' "$WORLD/keyring-stored")"

# --- next time: the stored password, when the holder presses the button;
# revoke with a reason; then forget it
STEPS="$(drive 'press:Suspend, resume or' type:"Verification code=$(world_backend_code cert)" 'press:Next@Verification code' \
	'wait:Your keyring holds it.' 'press:Use the stored web password')	Step 3 of 4: Certificates at the CA
$(drive 'check:A new certificate replaces it' \
	"type:To revoke: the certificate's serial number, typed again=$second_good" \
	"press:Revoke the certificate $second_good")	The CA has done it"
gui_run stored "$serial"
check "the stored web password, used with one button, confirms the session" \
	seen stored 1 "$ctitle" "^Step 3 of 4: Certificates at the CA"
check "revoke with the reason chosen: the wizard says the CA did it" seen stored 2 "$ctitle" "^The CA has done it"
check "... the CA has it revoked, for that reason" \
	grep -Eq "^$second_good +[^ ]+ +revoked .*superseded" <<<"$(account)"

STEPS="$(drive 'press:Suspend, resume or' type:"Verification code=$(world_backend_code cert)" 'press:Next@Verification code' \
	'wait:Your keyring holds it.' 'press:Forget it')	no longer in your keyring
$(keyring_dump keyring-forgotten)	no longer in your keyring"
gui_run forget "$serial"
check_eq "Forget it: the keyring is empty" END "$(cat "$WORLD/keyring-forgotten")"

check "in every run, each step's screenshot differs from the one before (the change-PIN toast, the dialog, the wizard's end, the details)" \
	eval 'shots_differ pin 2 && shots_differ lasttry 3 && shots_differ unlockdone 2 && shots_differ certs 3'

# --- the screens the README shows, in English and Turkish: the cards page
# in each PIN state, the change-PIN dialog on the last try, no card, the
# certificates page, each step of an online unlock and its end. Each state
# is the card's own (the simulator's counters), read by kartd at insertion.
t() { # MSGID: as kart-gui shows it in $lang (a mnemonic's underscore dropped)
	if [ "$lang" = en ]; then printf '%s' "$1"; else
		LANGUAGE= LC_ALL=tr_TR.UTF-8 TEXTDOMAINDIR=$KART_LOCALEDIR gettext kartd "$1"; fi | tr -d _
}
sim() { printf '%q ctl %q %s' "$KART_CARDSIM" "$WORLD/cardsim.ctl" "$*"; }
reinsert() { printf '%s && %s && sleep 0.8 && %s' "$(sim "$@")" "$(sim remove)" "$(sim insert)"; }
step_title() { printf "$(t 'Step %d of %d: %s')" "$1" 4 "$(t "$2")"; }
# (whole messages, as the catalogue has them)
ADVICE_LAST_TRY="One try left. If the next PIN typed is wrong, the card locks and only an online unlock with \
your certificate authority opens it again. kart-gui asks you to confirm before it uses this try."
WARN_LAST_TRY="Warning: the PIN has one try left. If the current PIN you type is wrong, the card is locked and \
can only be unlocked online."
ADVICE_BLOCKED="The PIN and its unblocking code are both used up: the card cannot be unlocked any more. Contact \
your certificate authority for a new card."
NO_PIN_OPS="kartd cannot work with this card's PIN: its commands are not published. Install the card maker's \
PKCS#11 module (\"kartctl doctor\" says which)."
UNLOCKED="The card is unlocked and ready to use with the PIN you chose. The PUK was not used. Keep the PIN to \
yourself."
screen_names="cards-ok cards-last-try change-pin-last-try cards-locked cards-blocked no-card certificates
unlock-1-code unlock-2-factor unlock-3-pin unlock-4-writing unlock-5-done cards-unknown"
re_escape() { sed 's/[][\.*^$()+?{}|]/\\&/g'; }
# use_sim_card PROFILE: the simulator presents another card (fresh state)
use_sim_card() {
	world_stop_cardsim
	world_wait_for 10 sh -c "! '$CTL' --json status | grep -q '\"serial\"'"
	KART_CARD_PROFILE=$1 _world_write_profile
	rm -f "$WORLD/card.state"
	world_start_cardsim >/dev/null || { echo "Bail out! the simulator did not start with $1"; exit 1; }
	world_wait_for 10 sh -c "'$CTL' --json status | grep -q '\"serial\"'"
}
screens() { # LANG LC_ALL
	local lang=$1 dir=$OUT/screens/$1 all n=0 f
	local GUI_LC=$2
	mkdir -p "$dir" && rm -f "$dir"/*.png
	STEPS="$(reinsert set-pin-tries 1)	$(t 'PIN on its last try')
$(drive "press:$(t 'C_hange PIN…')")	$(t 'I understand: use the last try')
$(drive "press:=$(t '_Cancel')") && $(reinsert set-pin-tries 0)	$(t 'PIN locked')
$(reinsert set-puk-tries 0)	$(t 'Card blocked')
$(sim set-pin-tries 3) && $(sim set-puk-tries 3) && $(sim remove)	$(t 'Insert your card')
$(sim insert) && $(drive "press:=$(t 'Show _certificates')")	$(t 'Certificates on card %s' | sed "s/%s/$serial/")"
	gui_run "$lang-states" "$(t 'PIN usable')"
	world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q ok"
	check "$lang: the cards page, a usable PIN: its state in words" seen "$lang-states" 0 "$(t 'Smart Cards')" "^$(t 'PIN usable')\$"
	check "$lang: the last try: a warning banner says what a wrong PIN does" \
		seen "$lang-states" 1 "$(t 'Smart Cards')" "^$(t "$ADVICE_LAST_TRY")\$"
	check "$lang: ... the change-PIN dialog warns and asks for the confirmation" \
		seen "$lang-states" 2 "$(t 'Change PIN')" "^$(t "$WARN_LAST_TRY")\$"
	check "$lang: locked: the primary action is the online unlock" \
		seen "$lang-states" 3 "$(t 'Smart Cards')" "$(t '_Unlock online…')\$"
	check "$lang: ... and changing the PIN is not offered" \
		eval '! seen "$lang-states" 3 "$(t "Smart Cards")" "$(t "C_hange PIN…")\$"'
	check "$lang: blocked: the page says to contact the CA, and offers no PIN action" \
		eval 'seen "$lang-states" 4 "$(t "Smart Cards")" "^$(t "$ADVICE_BLOCKED")\$" &&
			! seen "$lang-states" 4 "$(t "Smart Cards")" "($(t "_Unlock online…")|$(t "C_hange PIN…"))\$"'
	check "$lang: no card: a status page asks for it" seen "$lang-states" 5 "$(t 'Smart Cards')" "^$(t 'Insert your card')\$"
	check "$lang: the certificates page shows a status badge" \
		seen "$lang-states" 6 "$(t 'Smart Cards')" "^($(t 'Valid')|$(t 'Expired')|$(t 'Revoked')|$(t 'Suspended'))\$"

	world_cardsim set-pin-tries 0 >/dev/null
	reinsert_until_pin_state locked
	STEPS="$(drive "type:$(t 'Verification code')=$(world_backend_code unblock)" "press:$(t '_Next')@$(t 'Verification code')")	$(step_title 2 'Second factor')
$(drive "type:$(t 'Web password')=kart-test-pw" "press:$(t 'Confirm with the web _password')@$(t 'Web password')")	$(step_title 3 'New PIN')
$(drive "type:$(t 'New PIN')=24682468" "type:$(t 'New PIN again')=24682468")	$(step_title 3 'New PIN')
$(sim fault delay 6000) && $(drive "press:$(t '_Set the PIN')")	$(t 'Do not remove the card until this is done.')
$(sim fault none)	$(t 'The new PIN is set')"
	gui_run "$lang-unlock" "$(step_title 1 'Verification code')" --unlock "$serial"
	check "$lang: while kartd writes the card (slowed down), the wizard shows a spinner page: do not remove the card" \
		seen "$lang-unlock" 4 "$(t 'Unlock the PIN of card %s' | sed "s/%s/$serial/")" "^$(t 'Do not remove the card until this is done.')\$"
	check "$lang: the unlock wizard ends on a page that says what changed" \
		seen "$lang-unlock" 5 "$(t 'Unlock the PIN of card %s' | sed "s/%s/$serial/")" "^$(t "$UNLOCKED")\$"
	check_eq "$lang: ... and the card holds the new PIN" 24682468 "$(world_cardsim get-pin | awk '{print $2}')"
	world_cardsim set-pin 123456 >/dev/null

	# an AKİS 3 card: its PIN commands are not in the public record, so
	# kartd can neither read nor change its PIN; the page says why
	use_sim_card "$SRC/sim/cardsim/akis-3.profile"
	STEPS=
	gui_run "$lang-akis" "$(t 'PIN state unknown')"
	check "$lang: an AKİS 3 card: PIN state unknown, a banner says why and what to install, no PIN action offered" \
		eval 'seen "$lang-akis" 0 "$(t "Smart Cards")" "^$(t "$NO_PIN_OPS" | re_escape)\$" &&
			! seen "$lang-akis" 0 "$(t "Smart Cards")" "($(t "_Unlock online…")|$(t "C_hange PIN…"))\$"'
	use_sim_card "$gui_profile"

	# the README's pictures: which screenshot shows which screen
	for f in states-0:cards-ok states-1:cards-last-try states-2:change-pin-last-try states-3:cards-locked \
		states-4:cards-blocked states-5:no-card states-6:certificates unlock-0:unlock-1-code \
		unlock-1:unlock-2-factor unlock-3:unlock-3-pin unlock-4:unlock-4-writing unlock-5:unlock-5-done \
		akis-0:cards-unknown; do
		cp "$OUT/gui-$lang-${f%%:*}.png" "$dir/${f#*:}.png" 2>/dev/null
	done
	for f in $screen_names; do big_enough "$dir/$f.png" && n=$((n + 1)); done
	check_eq "$lang: a screenshot of each screen" "$(wc -w <<<"$screen_names")" "$n"
	all=$(for f in "$dir"/*.png; do identify -format '%#\n' "$f"; done | sort | uniq -d)
	check_eq "$lang: ... no two of them alike" "" "$all"
}
screens en C.UTF-8
# (the catalogue is built with kartd: without it, a failure)
if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf8$'; then
	for _ in $(seq 15); do skip_check_or_fail "no tr_TR.UTF-8 locale (locale-gen)"; done
elif ! world_install_locale; then
	for _ in $(seq 15); do not_ok "LANG=tr_TR.UTF-8: kart-gui speaks Turkish (no po/tr.gmo built)"; done
else
	screens tr tr_TR.UTF-8
	check "tr: the cards page speaks Turkish" seen tr-states 0 "Akıllı Kartlar" "^Seri numarası: $serial\$"
fi

# --- kartd stopped: a status page, not an empty window
world_stop_kartd >/dev/null
STEPS=
gui_run stopped "kartd is not running"
check "kartd stopped: a status page says so, and how to start it" \
	eval 'seen stopped 0 "Smart Cards" "^kartd is not running\$" && seen stopped 0 "Smart Cards" "systemctl start kartd"'
rm -f "$gui_profile"
tap_done
