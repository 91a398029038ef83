#!/bin/bash
# Certificates from the card: read once per insertion, in the insertion's
# own transaction (so every listing costs 0 APDUs), the
# bytes identical to the test CA's files and to what OpenSC reads, the
# details as OpenSSL computes them.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 14
card_start
list() { call ListCertificates; }
der_of() { # ID FILE: GetCertificate into FILE
	busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificate s "$1" |
		/usr/bin/python3 -c 'import json,sys; open(sys.argv[1],"wb").write(bytes(json.load(sys.stdin)["data"][0]))' "$2"
}
info() { # ID KEY
	busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificateInfo s "$1" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]]["data"])' "$2"
}

world_cardsim reset-count >/dev/null
out=$(list)
check "ListCertificates lists the three certificates" grep -q '^a(sssssttss) 3 "01" "sign"' <<<"$out"
check_eq "... without an APDU: they were read when the card came in" 0 "$(apdus)"
read_line=$(grep -o 'Read 3 certificates.*' "$WORLD/kartd.log" | tail -1)
check "kartd logged that read" test -n "$read_line"
echo "# at insertion: $read_line"
list >/dev/null
check_eq "a second ListCertificates sends no APDU either" 0 "$(apdus)"

der_of 01 "$WORLD/01.der"
check "GetCertificate 01 is the test CA's signing certificate" cmp "$WORLD/01.der" "$WORLD/ca/sign.der"
pkcs15-tool --read-certificate 01 2>/dev/null | openssl x509 -outform der >"$WORLD/opensc.der"
check "... byte for byte what OpenSC reads" cmp "$WORLD/01.der" "$WORLD/opensc.der"
check_eq "SHA-256 fingerprint as openssl computes it" \
	"$(openssl dgst -sha256 -r "$WORLD/ca/sign.der" | cut -d' ' -f1)" "$(info 01 sha256)"
check_eq "serial as openssl reads it" \
	"$(openssl x509 -inform der -in "$WORLD/ca/sign.der" -noout -serial | cut -d= -f2)" "$(info 01 serial)"
check_eq "the signing certificate is qualified (KamuSM NES policy)" True "$(info 01 qualified)"
check_eq "its OCSP responder from the AIA" "['http://127.0.0.1:$OCSP_PORT/']" "$(info 01 ocsp_urls)"
check "an unknown id is a clear error" grep -q "No certificate with id 'ff'" <<<"$(call GetCertificate s ff)"

# Removal drops the cache: the next insertion reads the card again.
world_card_remove >/dev/null
world_wait_for 3 sh -c "! '$CTL' --json status | grep -q serial"
world_cardsim reset-count >/dev/null
world_card_insert >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | awk '{print $3}' | tr -d '"')
check_eq "after reinsertion the certificates are read again" 2 "$(grep -c 'Read 3 certificates' "$WORLD/kartd.log")"
inserted=$(apdus)
list >/dev/null
check_eq "... with the insertion, not with the listing" "$inserted" "$(apdus)"
check "kartd is still running" kill -0 "$WORLD_KARTD_PID"
tap_done
