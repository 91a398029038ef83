#!/bin/bash
# Revocation status by OCSP, against the test CA's real responder
# (`openssl ocsp -index`): good, revoked and on hold after `openssl ca
# -revoke`, and every way a responder can fail: down, hanging, untrusted
# or unauthorized signer, garbage, oversized, HTTP error, a replayed
# answer. A failure is a status "unknown" with its reason and never holds
# up the daemon.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

FAKE="$KART_TOP_SRCDIR/tests/integration/fake-ocsp.py"

tap_plan 42
card_start
info() { # ID KEY
	busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificateInfo s "$1" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]]["data"])' "$2"
}
statuses() { # the status column of ListCertificates, in order
	busctl --system --json=short call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ListCertificates |
		/usr/bin/python3 -c 'import json,sys; print(" ".join(c[7] for c in json.load(sys.stdin)["data"][0]))'
}
# RefreshStatus until certificate ID shows STATUS (the responder re-reads
# index.txt within about 2 s).
refresh_until() { # ID STATUS
	world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card RefreshStatus &&
		busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card GetCertificateInfo s '$1' |
		grep -q '\"status\" s \"$2\"'"
}
# A responder that misbehaves in MODE on the certificates' AIA port.
fake_responder() { # MODE
	world_stop_ocsp
	_world_spawn WORLD_OCSP_PID "$WORLD/fake-ocsp.log" /usr/bin/python3 "$FAKE" "$OCSP_PORT" "$1"
	world_wait_for 5 sh -c "ss -Htln 'sport = :$OCSP_PORT' | grep -q ."
}
# kartd with $WORLD/kartd.conf plus the given lines.
restart_kartd_with() {
	{ cat "$WORLD/kartd.conf.orig"; printf '%s\n' "$@"; } >"$WORLD/kartd.conf"
	world_restart_kartd >/dev/null
	world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
}
cp "$WORLD/kartd.conf" "$WORLD/kartd.conf.orig"
declare -A detail
ca() { openssl ca -batch -config "$WORLD/ca/openssl.cnf" "$@" >>"$WORLD/ca.log" 2>&1; }

# --- all good
call RefreshStatus >/dev/null
check_eq "a fresh card: the three certificates are good" "good good good" "$(statuses)"
check "the answers are kept until the responder's nextUpdate" \
	test "$(info 01 status_checked_until)" -gt "$(date +%s)"
check_eq "ListCertificates names the status too (kartctl)" 3 \
	"$("$CTL" certs | grep -c ' good$')"

# --- RefreshStatus is public: a flood of it does not flood the responder
# (the world's kartd.conf sets RefreshIntervalSec=0; the default here)
restart_kartd_with "RefreshIntervalSec=5"
lines=$(wc -l <"$WORLD/kartd.log")
for i in $(seq 10); do call RefreshStatus >/dev/null; done
asked=$(tail -n +"$((lines + 1))" "$WORLD/kartd.log" | grep -c '^OCSP http')
echo "# 10 RefreshStatus in a row: $asked OCSP requests"
check "10 RefreshStatus in a row: one round of 3 requests ($asked), the rest joined" test "$asked" -le 3
check_eq "... and every call was answered with the statuses" "good good good" "$(statuses)"
restart_kartd_with

# --- revoked, on hold
busctl --system monitor --json=short \
	--match "type='signal',interface='org.kartd.Kartd1.Card',member='CertificateStatusChanged'" \
	>"$WORLD/signals.json" 2>/dev/null &
monitor=$!
sleep 0.3
ca -revoke "$WORLD/ca/sign.crt" -crl_reason keyCompromise
check "openssl ca -revoke: RefreshStatus shows the signing certificate revoked" refresh_until 01 revoked
check_eq "... with the reason" keyCompromise "$(info 01 status_detail)"
check "... and the time of revocation" test "$(info 01 revoked_at)" -gt 0
ca -revoke "$WORLD/ca/auth.crt" -crl_reason certificateHold
check "certificateHold: the authentication certificate is on hold" refresh_until 02 on-hold
check_eq "the third one is still good" good "$(info 03 status)"
sleep 0.3
kill "$monitor" 2>/dev/null; wait "$monitor" 2>/dev/null
check "CertificateStatusChanged told of the revocation" grep -q '"revoked"' "$WORLD/signals.json"
check "... and of the hold" grep -q '"on-hold"' "$WORLD/signals.json"
"$CTL" cert show 01 >"$WORLD/show.txt"
check "kartctl cert show gives the revocation date" grep -q "Revoked on: *[0-9]" "$WORLD/show.txt"
check_eq "kartctl certs --refresh" "revoked on-hold good" \
	"$("$CTL" certs --refresh --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(c["status"] for c in json.load(sys.stdin)["certificates"]))')"

# --- the responder is down: unknown at once (kartd's TimeoutSec is 5 s here,
# busctl gives up after 3 s)
world_stop_ocsp
check "responder down: RefreshStatus answers without waiting for the timeout" \
	busctl --system --timeout=3 call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card RefreshStatus
check_eq "... all three unknown" "unknown unknown unknown" "$(statuses)"
check "... saying why" grep -q "could not be reached" <<<"$(info 03 status_detail)"

# --- a responder that never answers does not hold up the daemon
fake_responder hang
busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card RefreshStatus >"$WORLD/hang.out" 2>&1 &
refresh=$!
sleep 0.5
check "while a responder hangs, other calls are answered" \
	busctl --system --timeout=2 call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card ListCertificates
check "... and the RefreshStatus is still waiting for it" kill -0 "$refresh"
wait "$refresh"
check_eq "... which ends when kartd's timeout is up" 0 "$?"
check "... with status unknown, timed out" grep -qi "timeout\|timed out" <<<"$(info 03 status_detail)"

# --- answers that must not be believed
for mode in garbage huge error; do
	fake_responder "$mode"
	call RefreshStatus >/dev/null
	check_eq "responder answers $mode: unknown" "unknown unknown unknown" "$(statuses)"
	detail[$mode]=$(info 03 status_detail)
done
check "... the oversized answer is cut off" grep -q "larger than 65536 bytes" <<<"${detail[huge]}"
check "... the HTTP error is named" grep -q "HTTP 500" <<<"${detail[error]}"

world_stop_ocsp
world_start_ocsp
openssl ocsp -issuer "$WORLD/ca/ca.crt" -cert "$WORLD/ca/expiring.crt" -url "http://127.0.0.1:$OCSP_PORT/" \
	-CAfile "$WORLD/ca/ca.crt" -respout "$WORLD/replay.der" >>"$WORLD/ca.log" 2>&1
FAKE_OCSP_REPLAY=$WORLD/replay.der fake_responder replay
call RefreshStatus >/dev/null
check_eq "a genuine answer to another request (another nonce): unknown" unknown "$(info 03 status)"
check "... named a replay" grep -q "nonce" <<<"$(info 03 status_detail)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Rogue OCSP" -days 2 \
	-keyout "$WORLD/rogue.key" -out "$WORLD/rogue.crt" 2>>"$WORLD/ca.log"
world_stop_ocsp
world_start_ocsp -rsigner "$WORLD/rogue.crt" -rkey "$WORLD/rogue.key"
call RefreshStatus >/dev/null
check_eq "answers signed by an untrusted key: unknown" unknown "$(info 03 status)"
check "... not trusted" grep -q "not trusted" <<<"$(info 03 status_detail)"
world_stop_ocsp
world_start_ocsp -rsigner "$WORLD/ca/server.crt" -rkey "$WORLD/ca/server.key"
call RefreshStatus >/dev/null
check_eq "signed by a CA certificate without OCSPSigning: unknown" unknown "$(info 03 status)"

# --- an answer without nextUpdate is kept CacheSec; a listing after that
# asks again by itself (no RefreshStatus)
world_stop_ocsp
_world_spawn WORLD_OCSP_PID "$WORLD/ocsp.log" openssl ocsp -index "$WORLD/ca/index.txt" -port "$OCSP_PORT" \
	-rsigner "$WORLD/ca/ocsp.crt" -rkey "$WORLD/ca/ocsp.key" -CA "$WORLD/ca/ca.crt" -ignore_err
world_wait_for 5 sh -c "ss -Htln 'sport = :$OCSP_PORT' | grep -q ."
restart_kartd_with "CacheSec=1"
world_wait_for 5 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card GetCertificateInfo s 03 | grep -q '\"status\" s \"good\"'"
check_eq "after insertion, without being asked: good" good "$(info 03 status)"
ca -revoke "$WORLD/ca/expiring.crt" -crl_reason certificateHold
check "once CacheSec is over, listings bring the change in" \
	world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card GetCertificateInfo s 03 | grep -q '\"status\" s \"on-hold\"'"

# --- configuration: the responder override, the trust directory, bad lines
world_stop_ocsp
port2=$(_world_free_port "$OCSP_PORT" "$WORLD_VPCD_PORT")
OCSP_PORT=$port2 world_start_ocsp
mkdir -p "$WORLD/trust.d"
openssl x509 -in "$WORLD/ca/ca.crt" -outform der -out "$WORLD/trust.d/ca.der"
chmod -R a+rX "$WORLD/trust.d"
restart_kartd_with "Responder=http://127.0.0.1:$port2/" "TrustFile=" "TrustDirectory=$WORLD/trust.d" \
	"TimeoutSec=soon" "Proxy=ftp://proxy" "Colour=blue" "this line has no equals sign" \
	"# $(printf 'x%.0s' $(seq 200))Proxy=http://127.0.0.1:1/" "  Responder=http://127.0.0.1:1/"
call RefreshStatus >/dev/null
check_eq "Responder= overrides the AIA; a DER file in TrustDirectory is trusted" "revoked on-hold on-hold" "$(statuses)"
n=$(wc -l <"$WORLD/kartd.conf.orig")	# the lines above start at n + 1
check "bad values are reported with file:line and ignored" \
	grep -q "kartd.conf:$((n + 4)): \[OCSP\] TimeoutSec: 'soon' is not 1 to 120, ignoring" "$WORLD/kartd.log"
check "... so is a proxy that is not http(s)" grep -q "kartd.conf:$((n + 5)): \[OCSP\] Proxy" "$WORLD/kartd.log"
check "... an unknown key" grep -q "kartd.conf:$((n + 6)): unknown setting \[OCSP\] Colour" "$WORLD/kartd.log"
check "... a line too long for inih, whole" grep -q "kartd.conf:$((n + 8)): line longer than" "$WORLD/kartd.log"
check "... an indented line (no value continues on it)" grep -q "kartd.conf:$((n + 9)): indented line" "$WORLD/kartd.log"
restart_kartd_with "Responder=http://127.0.0.1:$port2/" "TrustFile=" "TrustDirectory="
call RefreshStatus >/dev/null
check "no trust anchors: unknown, and said so" \
	grep -q "the issuer's certificate is neither on the card nor" <<<"$(info 03 status_detail)"
world_stop_ocsp

# --- an expired certificate is "expired" by the clock, whatever OCSP says
openssl req -new -key "$WORLD/ca/auth.key" -subj "/CN=Old Card" -out "$WORLD/old.csr" 2>>"$WORLD/ca.log"
ca -extensions v3_auth -startdate 20200101000000Z -enddate 20210101000000Z -notext \
	-in "$WORLD/old.csr" -out "$WORLD/old.crt"
openssl x509 -in "$WORLD/old.crt" -outform der -out "$WORLD/old.der"
chmod a+r "$WORLD/old.der"
world_stop_cardsim
# kartd must see the card go, or it keeps the old one's certificates.
world_wait_for 10 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards | grep -qx 'ao 0'"
printf 'old = %s\n' "$WORLD/old.der" >>"$WORLD/card.profile"
world_start_cardsim >/dev/null
world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card ListCertificates | grep -q '\"04\" \"old\"'"
check_eq "a certificate past its notAfter is expired" expired "$(info 04 status)"
check "kartctl certs warns that it has expired" grep -q "Warning: certificate 'old' (ID 04) expired on 2021-01-01" \
	<<<"$("$CTL" certs)"
tap_done
