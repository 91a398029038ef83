#!/bin/bash
# kartctl's own behaviour: help, version, exit codes, Turkish.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 11
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
# What an inventory script reads (over ssh too): the host, kartd's
# version, each card's PIN state and certificates with their ends.
inventory=$("$CTL" --json status | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
c = [r["card"] for r in s["readers"] if r["card"]][0]
print(s["hostname"] != "", s["kartd_version"], c["serial"], c["pin_state"], c["pin_retries_left"],
      c["pin_retries_max"], c["unlock_supported"],
      " ".join("%s:%s:%s" % (k["id"], k["status"] != "", k["expires_in_days"]) for k in c["certificates"]))')
check_eq "--json status: host, version, PIN state and tries, certificates and days left" \
	"True $(sed -n 's/^AC_INIT(\[kartd\], \[\([^]]*\)\].*/\1/p' "$KART_TOP_SRCDIR/configure.ac") 4b41525400000001 ok 3 3 False 01:True:730 02:True:730 03:True:10" \
	"$inventory"
tap_done
