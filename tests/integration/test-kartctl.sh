#!/bin/bash
# kartctl's own behaviour: help, version, exit codes, Turkish.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 10
CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"

world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
"$CTL" status >"$WORLD/out" 2>&1
check_eq "no daemon: exit code 3" 3 "$?"
check "no daemon: says kartd is not running" grep -q "kartd is not running" "$WORLD/out"
"$CTL" frobnicate >/dev/null 2>&1
check_eq "unknown command: exit code 2" 2 "$?"
check "--help lists the commands" sh -c "'$CTL' --help | grep -q monitor"
check "--version prints the version" sh -c "'$CTL' --version | grep -Eq '^kartctl [0-9]'"

# Turkish, from the catalogue built in po/.
check "the Turkish catalogue is built" world_install_locale
LANG=tr_TR.UTF-8 LC_ALL=tr_TR.UTF-8 KART_LOCALEDIR="$WORLD/locale" "$CTL" status >"$WORLD/out.tr" 2>&1
check "Turkish: daemon not running" grep -q "kartd çalışmıyor" "$WORLD/out.tr"
check "Turkish: help" sh -c "LC_ALL=tr_TR.UTF-8 KART_LOCALEDIR='$WORLD/locale' '$CTL' --help | grep -q 'Kullanım'"

world_start_kartd
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
LC_ALL=tr_TR.UTF-8 KART_LOCALEDIR="$WORLD/locale" "$CTL" status >"$WORLD/status.tr"
check "Turkish: status" grep -q "Okuyucu:" "$WORLD/status.tr"
check "--json status is valid JSON" sh -c "'$CTL' --json status | /usr/bin/python3 -m json.tool >/dev/null"
tap_done
