#!/bin/bash
# Certificate operations through a certificate session: the holder's list
# at the CA, suspend (certificateHold) -> OCSP on-hold -> resume -> good,
# revoke -> revoked and resume refused afterwards; with kartctl (answers on
# stdin) and with busctl.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 21
card_start_with_backend
serial_of() { openssl x509 -in "$WORLD/ca/$1.crt" -noout -serial | cut -d= -f2; }
SIGN=$(serial_of sign) AUTH=$(serial_of auth)
answers() { printf '%s\npassword\nkart-test-pw\n' "$(world_backend_code cert)"; }
ocsp_status() { # ID: RefreshStatus until it says $2
	world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card RefreshStatus &&
		busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card GetCertificateInfo s '$1' |
		grep -q '\"status\" s \"$2\"'"
}

out=$(answers | "$CTL" account certs --stdin 2>&1)
check "kartctl account certs lists the holder's certificates at the CA" grep -q "$SIGN .* good" <<<"$out"
check_eq "... all three" 3 "$(grep -c ' good ' <<<"$out")"

out=$(answers | "$CTL" cert suspend 02 --stdin 2>&1)
rc=$?
check "kartctl cert suspend 02 (the authentication certificate)" grep -q "is on hold at the CA" <<<"$out"
check_eq "... exits with 0" 0 "$rc"
check "OCSP says on-hold" ocsp_status 02 on-hold
check "the CA's list says on-hold too" grep -q "$AUTH .* on-hold" <<<"$(answers | "$CTL" account certs --stdin 2>&1)"
out=$(answers | "$CTL" cert resume 02 --stdin 2>&1)
check "kartctl cert resume 02" grep -q "is valid again" <<<"$out"
check "OCSP says good again" ocsp_status 02 good
check "suspend and resume are audited, naming the certificate" sh -c "
	grep -q 'Audit: suspend on card .* by uid 0: ok ($AUTH). MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e24 KART_OPERATION=certificate KART_ACTION=suspend' '$WORLD/kartd.log' &&
	grep -q 'Audit: resume on card .* by uid 0: ok ($AUTH)' '$WORLD/kartd.log'"

out=$( { answers; echo 0000; } | "$CTL" cert revoke 01 --reason keyCompromise --stdin 2>&1)
rc=$?
check "revoke with a mistyped serial revokes nothing" grep -q "nothing was revoked" <<<"$out"
check_eq "... and exits with 1" 1 "$rc"
check "... OCSP still says good" ocsp_status 01 good
out=$( { answers; echo "$SIGN"; } | "$CTL" cert revoke 01 --reason keyCompromise --stdin 2>&1)
check "kartctl cert revoke 01 with the serial typed again" grep -q "is revoked at the CA" <<<"$out"
check "OCSP says revoked" ocsp_status 01 revoked
check "the revocation is audited" grep -q "Audit: revoke on card .* by uid 0: ok ($SIGN)" "$WORLD/kartd.log"
check_eq "... for keyCompromise" keyCompromise "$(busctl --system --json=short call org.kartd.Kartd1 "$card" \
	org.kartd.Kartd1.Card GetCertificateInfo s 01 |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["status_detail"]["data"])')"

# busctl: a revoked certificate cannot be resumed
session=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card CertificateSession 'sa{sv}' \
	"$(world_backend_code cert)" 0 | awk '{print $2}' | tr -d '"')
check "busctl: CertificateSession + Confirm" busctl --system call org.kartd.Kartd1 "$session" \
	org.kartd.Kartd1.Session Confirm ss password kart-test-pw
check "Revoke with an unknown reason is refused by kartd, naming the rule" grep -q "revocation reason" <<<"$(busctl \
	--system call org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Revoke sss "$AUTH" bogus "$AUTH" 2>&1)"
check "... and OCSP still says good for it" ocsp_status 02 good
check "Resume of a revoked certificate is refused" grep -qi "state\|refused\|revoked" <<<"$(busctl --system call \
	org.kartd.Kartd1 "$session" org.kartd.Kartd1.Session Resume s "$SIGN" 2>&1)"
check "the session lists the revocation" grep -q "$SIGN" <<<"$(busctl --system call org.kartd.Kartd1 "$session" \
	org.kartd.Kartd1.Session ListAccountCertificates | grep -o "\"$SIGN\"[^\"]*\"[^\"]*\" [0-9]* \"revoked\"")"
tap_done
