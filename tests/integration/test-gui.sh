#!/bin/bash
# kart-gui against the real daemon: under a virtual X server (Xvfb) and
# a private session bus with the accessibility bus, the cards page and the
# unlock wizard are read back through AT-SPI (what a screen reader sees:
# not a string the GUI printed) and photographed. The screenshots stay in
# the build tree: tests/integration/gui-cards.png, gui-unlock.png.
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

tap_plan 34
card_start_with_backend
serial=$(prop Serial)
check "the card has a serial to look for" test -n "$serial"
mkdir -p "$OUT"

# Runs kart-gui ARGS... in its own X server (with_xvfb) and session bus (which starts
# the accessibility bus); waits until AT-SPI shows WANT, photographs the
# window titled TITLE (the screen if "") into $OUT/gui-NAME.png, then for each line
# "COMMAND<TAB>WANT" of $STEPS runs COMMAND and waits for that WANT.
# What AT-SPI saw goes to $WORLD/NAME.a11y (one block per wait).
gui_run() { # NAME TITLE WANT ARGS...
	local name=$1 title=$2 want=$3
	shift 3
	rm -f "$OUT/gui-$name.png"
	# shellcheck disable=SC2016 # expanded by the inner shell
	mkdir -p "$WORLD/gui-home" && rm -rf "$WORLD/gui-rt" && mkdir -m 0700 "$WORLD/gui-rt"
	with_xvfb env NAME="$name" TITLE="$title" WANT="$want" GUI="$GUI" PY="$PY" ATSPI="$ATSPI" OUT="$OUT" \
		STEPS="${STEPS:-}" GUI_LC="${GUI_LC:-C.UTF-8}" LC_ALL=C.UTF-8 LANGUAGE= \
		HOME="$WORLD/gui-home" XDG_RUNTIME_DIR="$WORLD/gui-rt" \
		timeout 180 dbus-run-session -- bash -c '
		# a headless keyring, kept in $HOME from one run to the next
		if command -v gnome-keyring-daemon >/dev/null; then
			eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
			export GNOME_KEYRING_CONTROL
		fi
		LC_ALL=$GUI_LC "$GUI" "$@" & gui=$!  # (ImageMagick breaks in tr_TR)
		"$PY" "$ATSPI" kart-gui 20 "$WANT" >"$WORLD/$NAME.a11y"; rc=$?
		sleep 0.5  # the last frame drawn
		# (import finds a window by an ASCII title only: "" takes the screen)
		import -window "${TITLE:-root}" -trim +repage "$OUT/gui-$NAME.png" || rc=1
		while IFS="	" read -r cmd want; do
			[ -n "$cmd" ] || continue
			echo "--- $cmd" >>"$WORLD/$NAME.a11y"
			bash -c "$cmd" >>"$WORLD/$NAME.a11y" 2>&1
			"$PY" "$ATSPI" kart-gui 20 "$want" >>"$WORLD/$NAME.a11y" || rc=1  # (ASan on a busy machine is slow)
		done <<<"$STEPS"
		kill $gui; wait $gui 2>/dev/null
		exit $rc' gui-run "$@" >"$WORLD/$name.log" 2>&1 || { gui_diag "$name"; return 1; }
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
big_enough() { local s; s=$(png_size "$1"); [ -n "$s" ] && [ "${s% *}" -ge 300 ] && [ "${s#* }" -ge 200 ]; }

# --- the cards page, then live updates: a wrong PIN, the card pulled and back
model=$(prop Model)
model_re=$(printf '%s' "$model" | sed 's/[][\.*^$()+?{}|]/\\&/g')
check_eq "the simulated card has 3 tries left" 3 "$(card_tries)"
STEPS="busctl --system call org.kartd.Kartd1 $card org.kartd.Kartd1.Card VerifyPin sa{sv} 000000 0	2 of 3 tries left
$KART_CARDSIM ctl $WORLD/cardsim.ctl remove	No card
$KART_CARDSIM ctl $WORLD/cardsim.ctl insert	$serial"
gui_run cards "Smart Cards" "$serial"
check "the cards page shows the card's serial (AT-SPI)" seen cards 0 "Smart Cards" "Serial number: $serial\$"
check "... its model" seen cards 0 "Smart Cards" "^$model_re"
check "... and the PIN state with the tries left, as the card has them" \
	seen cards 0 "Smart Cards" "PIN usable — 3 of 3 tries left"
check "a wrong PIN elsewhere: the page shows 2 tries left (PropertiesChanged)" \
	seen cards 1 "Smart Cards" "PIN usable — 2 of 3 tries left"
check "the card pulled: the page says there is no card (CardRemoved)" seen cards 2 "Smart Cards" "^No card"
check "the card back: it is shown again (CardInserted)" seen cards 3 "Smart Cards" "Serial number: $serial\$"
check "a screenshot of the cards page" big_enough "$OUT/gui-cards.png"

# --- kart-gui --unlock SERIAL: the wizard for that card, at its first step
STEPS=
title="Unlock the PIN of card $serial"
gui_run unlock "$title" "Step 1 of 4" --unlock "$serial"
wizard_shown() { seen unlock 0 "$title" "^$title\$" && seen unlock 0 "$title" "^Step 1 of 4: Verification code"; }
check "--unlock SERIAL opens the wizard for that card at the verification code (AT-SPI)" wizard_shown
check "... with a button that opens the CA's portal (Manager.UnlockPortal)" \
	seen unlock 0 "$title" "^Open the portal$"
check "a screenshot of the unlock wizard" big_enough "$OUT/gui-unlock.png"

# --- driven as a user would (through AT-SPI): change the PIN, then the
# last-try warning, then an online unlock with the web password
drive() { printf '$PY "$ATSPI" --drive kart-gui'; printf ' %q' "$@"; }
NEWPIN=24681357
STEPS="$(drive 'press:Change PIN…' type:'Current PIN=123456' type:"New PIN=$NEWPIN" type:"New PIN again=$NEWPIN" 'press:=Change PIN')	The PIN is changed."
gui_run pin "Smart Cards" "$serial"
check "the change-PIN dialog changes the PIN: it says so" seen pin 1 "Change PIN" "^The PIN is changed\.\$"
check_eq "... and the card holds the new PIN" "$NEWPIN" "$(world_cardsim get-pin | awk '{print $2}')"

call VerifyPin 'sa{sv}' 000000 0 >/dev/null
call VerifyPin 'sa{sv}' 000000 0 >/dev/null
tries=$(card_tries)
STEPS="$(drive 'press:Change PIN…' 'wait:Warning: the PIN has one try left')	one try left
$(drive type:'Current PIN=000000' type:"New PIN=$NEWPIN" type:"New PIN again=$NEWPIN" 'press:=Change PIN')	Confirm that you want to use the last try"
gui_run lasttry "Smart Cards" "$serial"
check "one try left: the dialog warns" seen lasttry 1 "Change PIN" "^Warning: the PIN has one try left"
check "... and does not use the last try unless the box is ticked" \
	seen lasttry 2 "Change PIN" "^Confirm that you want to use the last try"
check_eq "... the card still has its one try" "1 1" "$tries $(card_tries)"

call VerifyPin 'sa{sv}' 000000 1 force b true >/dev/null
world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q locked"
STEPS="$(drive type:"Verification code=$(world_backend_code unblock)" 'press:Next@Verification code' 'wait:Step 2 of 4' \
	'type:Web password=kart-test-pw' 'press:Confirm with the web@Web password' 'wait:Step 3 of 4' type:'New PIN=13572468' type:'New PIN again=13572468' \
	'press:Set the PIN')	The new PIN is set"
gui_run unlockdone "$title" "Step 1 of 4" --unlock "$serial"
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
STEPS="$(drive 'press:=Certificates' "wait:$shown")	Certificates on card $serial
$(drive 'press:Details')	$sha"
gui_run certs "Smart Cards" "$serial"
# The status cell comes right after the label, subject and date cells.
listed() { awk '/^--- /{n++; next} n == 1' "$WORLD/certs.a11y" | awk -F'\t' '$1 == "Smart Cards" {print $3}' |
	grep -A3 -Fx -- "$label" | grep -qFx -- "$shown"; }
check "the certificates page lists the first certificate ($label) with its status ($shown)" listed
check "its details show its SHA-256 fingerprint" seen certs 2 "Certificate details" "^$sha\$"

# Export… then Save in the file chooser (it offers ID.der in the current directory)
id=$(first 0)
mkdir -p "$WORLD/export"
STEPS="$(drive 'press:=Certificates' 'press:Export…' 'press:=Save')	Certificates on card $serial
sleep 1	Certificates on card $serial"
(cd "$WORLD/export" && gui_run export "Smart Cards" "$serial")
"$CTL" cert export "$id" -o "$WORLD/export/by-kartctl.der" >/dev/null 2>&1
check "Export…: the saved file is the certificate, as kartctl cert export writes it" \
	cmp -s "$WORLD/export/$id.der" "$WORLD/export/by-kartctl.der"

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
gui_run certops "Smart Cards" "$serial"
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
gui_run stored "Smart Cards" "$serial"
check "the stored web password, used with one button, confirms the session" \
	seen stored 1 "$ctitle" "^Step 3 of 4: Certificates at the CA"
check "revoke with the reason chosen: the wizard says the CA did it" seen stored 2 "$ctitle" "^The CA has done it"
check "... the CA has it revoked, for that reason" \
	grep -Eq "^$second_good +[^ ]+ +revoked .*superseded" <<<"$(account)"

STEPS="$(drive 'press:Suspend, resume or' type:"Verification code=$(world_backend_code cert)" 'press:Next@Verification code' \
	'wait:Your keyring holds it.' 'press:Forget it')	no longer in your keyring
$(keyring_dump keyring-forgotten)	no longer in your keyring"
gui_run forget "Smart Cards" "$serial"
check_eq "Forget it: the keyring is empty" END "$(cat "$WORLD/keyring-forgotten")"

# --- in Turkish
# (the catalogue is built with kartd: without it, a failure)
if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf8$'; then
	skip_check_or_fail "no tr_TR.UTF-8 locale (locale-gen)"
elif ! world_install_locale; then
	not_ok "LANG=tr_TR.UTF-8: the cards page speaks Turkish (no po/tr.gmo built)"
else
	STEPS=
	GUI_LC=tr_TR.UTF-8 gui_run tr "" "Seri numarası: $serial"
	check "LANG=tr_TR.UTF-8: the cards page speaks Turkish" seen tr 0 "Akıllı Kartlar" "^Seri numarası: $serial\$"
fi
tap_done
