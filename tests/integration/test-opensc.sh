#!/bin/bash
# OpenSC, a client no one here wrote, reads the simulated card.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 5
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
pkcs15-tool --dump >"$WORLD/dump.txt" 2>&1
check "pkcs15-tool --dump reads the card" grep -q "PKCS#15 Card" "$WORLD/dump.txt"
check "the dump shows the serial" grep -Eq "Serial number *: *4b41525400000001" "$WORLD/dump.txt"
check "the dump shows the user PIN object" grep -q "PIN" "$WORLD/dump.txt"
check "pkcs15-tool lists a certificate" sh -c "pkcs15-tool --list-certificates 2>&1 | grep -q 'X.509 Certificate'"
pkcs15-tool --read-certificate 01 2>/dev/null | openssl x509 -outform der >"$WORLD/cert.der" 2>/dev/null
check "the certificate read by OpenSC is the test CA's signing certificate" cmp "$WORLD/cert.der" "$WORLD/ca/sign.der"
tap_done
