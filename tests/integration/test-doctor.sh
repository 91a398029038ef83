#!/bin/bash
# kartctl doctor: each check made to pass, then to fail, in the world:
# kartd, pcscd, readers, the card and its driver, the PIN commands (an
# AKİS 3 card without the vendor module), the trust store, the clock (a
# certificate not valid yet), OCSP, the CA service, polkit (a plain user
# and a kartd-admin member, with real polkitd) and kart-notify's
# autostart. Exit status 1 exactly when a check fails.
set -u
. "$(dirname "$0")/tap.sh"
take_system_polkit_lock   # (it installs kartd's polkit policy system-wide)
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 27
kartd_polkit_install
cleanup_system() { kartd_polkit_remove; }
trap 'world_stop; cleanup_system' EXIT

. "$(dirname "$0")/card.sh"
card_start_with_backend --polkit
trap 'world_stop; cleanup_system' EXIT
world_wait_for 5 sh -c "pkaction --action-id org.kartd.pin.change >/dev/null"

# doctor [AS-USER] [ENV...]: kartctl --json doctor, its output in $WORLD/doctor.json, its exit status in rc.
doctor() {
	local user=${1:-}
	shift
	if [ -n "$user" ]; then
		runuser -u "$user" -- env "$@" "$CTL" --json doctor >"$WORLD/doctor.json" 2>/dev/null
	else
		env "$@" "$CTL" --json doctor >"$WORLD/doctor.json" 2>/dev/null
	fi
	rc=$?
}
# result CHECK: the result of the first line of that check.
result() {
	/usr/bin/python3 -c '
import json, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    if c["check"] == sys.argv[2]:
        print(c["result"]); break
else:
    print("absent")' "$WORLD/doctor.json" "$1"
}
# The simulator anew with $WORLD/card.profile and a fresh state; kartd lists it.
fresh_card() {
	rm -f "$WORLD/card.state"
	world_start_cardsim >/dev/null
	world_wait_for 10 sh -c "'$CTL' --json status | grep -q serial"
}
advice() { /usr/bin/python3 -c '
import json, sys
print(" ".join(c["advice"] or "" for c in json.load(open(sys.argv[1]))["checks"] if c["check"] == sys.argv[2]))' \
	"$WORLD/doctor.json" "$1"; }

world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager BackendState | grep -q ok"
doctor "" DISPLAY=
check_eq "all is well: kartd, pcscd, readers, card, PIN, trust, clock, OCSP, CA service ok" \
	"ok ok ok ok ok ok ok ok ok" \
	"$(for c in kartd pcscd readers card pin trust clock ocsp backend; do result $c; done | xargs)"
check_eq "... and exit status 0" 0 "$rc"
check_eq "no desktop: the autostart check is skipped" skip "$(result autostart)"

# --- polkit, asked without interaction for the caller itself
doctor "$admin" DISPLAY=
check_eq "polkit: a kartd-admin member may change a PIN" ok "$(result polkit)"
doctor "$plain" DISPLAY=
check_eq "polkit: a plain user away from the screen would be asked for a password" warn "$(result polkit)"
check "... and is told what to do" grep -q "kartd-admin" <<<"$(advice polkit)"

# --- kart-notify's autostart, for a desktop session
mkdir -p "$WORLD/xdg/autostart" "$WORLD/home/autostart"
doctor "" DISPLAY=:99 XDG_CONFIG_DIRS="$WORLD/xdg" XDG_CONFIG_HOME="$WORLD/home"
check_eq "autostart: no kart-notify.desktop anywhere: warned" warn "$(result autostart)"
printf '[Desktop Entry]\nType=Application\nExec=kart-notify\n' >"$WORLD/xdg/autostart/kart-notify.desktop"
doctor "" DISPLAY=:99 XDG_CONFIG_DIRS="$WORLD/xdg" XDG_CONFIG_HOME="$WORLD/home"
check_eq "autostart: the system's entry: ok" ok "$(result autostart)"
printf '[Desktop Entry]\nType=Application\nHidden=true\n' >"$WORLD/home/autostart/kart-notify.desktop"
doctor "" DISPLAY=:99 XDG_CONFIG_DIRS="$WORLD/xdg" XDG_CONFIG_HOME="$WORLD/home"
check_eq "autostart: turned off by the user: warned" warn "$(result autostart)"

# --- the card
world_card_remove >/dev/null
world_wait_for 5 sh -c "! '$CTL' --json status | grep -q serial"
doctor "" DISPLAY=
check_eq "no card in any reader: warned" warn "$(result card)"
world_card_insert >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
doctor "" DISPLAY=
check_eq "the card back: ok" ok "$(result card)"

# --- OCSP
world_stop_ocsp >/dev/null
doctor "" DISPLAY=
check_eq "the OCSP responder down: warned" warn "$(result ocsp)"
check_eq "... not a failure: exit status 0" 0 "$rc"
world_start_ocsp >/dev/null
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
doctor "" DISPLAY=
check_eq "... up again: ok" ok "$(result ocsp)"

# --- the trust store
cp "$WORLD/kartd.conf" "$WORLD/kartd.conf.good"
sed -i 's|^TrustFile=.*|TrustFile=|' "$WORLD/kartd.conf"
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
doctor "" DISPLAY=
check_eq "the CA's root not trusted: a failure" fail "$(result trust)"
check_eq "... exit status 1" 1 "$rc"
check "... saying where to put it" grep -q "/etc/kartd/trust.d" <<<"$(advice trust)"
cp "$WORLD/kartd.conf.good" "$WORLD/kartd.conf"

# --- the CA service
world_stop_backend >/dev/null
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager BackendState | grep -q unreachable"
doctor "" DISPLAY=
check_eq "the CA service down: a failure" fail "$(result backend)" || sed 's/^/# /' "$WORLD/doctor.json"
sed -i '/^\[Backend\]/,$d' "$WORLD/kartd.conf"
world_restart_kartd >/dev/null
doctor "" DISPLAY=
check_eq "no CA service configured: warned" warn "$(result backend)"

# --- the clock: a certificate whose validity starts in 2030
ca() { openssl ca -batch -config "$WORLD/ca/openssl.cnf" "$@" >>"$WORLD/ca.log" 2>&1; }
openssl req -new -key "$WORLD/ca/auth.key" -subj "/CN=Future Card" -out "$WORLD/future.csr" 2>>"$WORLD/ca.log"
ca -extensions v3_auth -startdate 20300101000000Z -enddate 20310101000000Z -notext \
	-in "$WORLD/future.csr" -out "$WORLD/future.crt"
openssl x509 -in "$WORLD/future.crt" -outform der -out "$WORLD/ca/future.der"
world_stop_cardsim
sed -i "s|^\[certificates\]$|[certificates]\nfuture = $WORLD/ca/future.der|" "$WORLD/card.profile"
fresh_card
doctor "" DISPLAY=
check_eq "a certificate not valid yet: the clock is suspected" fail "$(result clock)"
check "... saying how to check it" grep -q "timedatectl" <<<"$(advice clock)"

# --- PIN commands: AKİS 3, which kartd reads but has no PIN commands for
world_stop_cardsim
KART_CARD_PROFILE=$KART_TOP_SRCDIR/sim/cardsim/akis-3.profile _world_write_profile
fresh_card
doctor "" DISPLAY=
check_eq "an AKİS 3 card without TÜBİTAK's module: a failure" fail "$(result pin)"
check "... naming the example registration of libakisp11.so" grep -q 'examples/libakisp11.module' <<<"$(advice pin)"

# --- pcscd, and with it the readers
world_stop_pcscd >/dev/null
world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager PcscdReachable | grep -q false"
doctor "" DISPLAY=
check_eq "pcscd gone: a failure, and no reader" "fail warn" "$(result pcscd) $(result readers)"
world_start_pcscd >/dev/null
world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager PcscdReachable | grep -q true"
doctor "" DISPLAY=
check_eq "... back: ok" "ok ok" "$(result pcscd) $(result readers)"

# --- kartd itself
world_stop_kartd >/dev/null
doctor "" DISPLAY=
check_eq "kartd stopped: a failure" fail "$(result kartd)"
check_eq "... exit status 1" 1 "$rc"
tap_done
