#!/bin/bash
# Online unlock against a failing or untrustworthy CA backend: down, HTTP
# 500 (once: retried; always: an error), slower than [Backend] TimeoutSec,
# not JSON, JSON of the wrong types, a cryptogram that is not lowercase
# hex of 16 bytes, an answer over the size cap, a redirect, a server
# certificate from another CA, one for another host name, a public key
# other than the pinned one; an authorization slower than the protocol's
# 15 s. Each gives a clear error from Unlock or SetPin, and nothing of it
# reaches the card: no EXTERNAL AUTHENTICATE, no RESET RETRY COUNTER, the
# card's PIN and counters as they were. The new PIN never leaves the
# machine. (Card faults: test-unlock-faults.sh.)
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
FAKE="$KART_TOP_SRCDIR/tests/integration/fake-backend.py"

tap_plan 59
card_start
world_start_backend >/dev/null || { echo "Bail out! the reference backend did not start"; exit 1; }

TIMEOUT=2                               # [Backend] TimeoutSec for this test
PINS=()
ins() { world_cardsim ins-count "$1" | awk '{print $2}'; }
# The card's own state: PIN, PIN and PUK tries left, admin tries left.
card_state() {
	echo "$(world_cardsim get-pin | awk '{print $2}') $(world_cardsim pin-tries | awk '{print $2, $3}')" \
		"$(world_cardsim admin-tries | awk '{print $2}')"
}
# gdbus prints the D-Bus error name with the message; nothing on success.
gd() { gdbus call --system --dest org.kartd.Kartd1 "$@" 2>&1 | grep -v '^()$'; }
unlock() { gd --object-path "$card" --method org.kartd.Kartd1.Card.Unlock "$(world_backend_code unblock)" '{}'; }
set_pin() { PINS+=("$1"); gd --object-path "$session" --method org.kartd.Kartd1.Session.SetPin "$1"; }
authorized_session() {
	session=$(unlock | sed -n "s/^(objectpath '\(.*\)',)$/\1/p")
	gd --object-path "$session" --method org.kartd.Kartd1.Session.Confirm password kart-test-pw
}
# kartd.conf's [Backend] (the last section) made anew from URL and the
# lines given; kartd restarted to read it.
configure() {
	local url=$1
	shift
	sed -i '/^\[Backend\]/,$d' "$WORLD/kartd.conf"
	printf '[Backend]\nURL=%s\nTimeoutSec=%s\nConnectTimeoutSec=%s\n' "$url" "$TIMEOUT" "$TIMEOUT" >>"$WORLD/kartd.conf"
	[ $# -eq 0 ] || printf '%s\n' "$@" >>"$WORLD/kartd.conf"
	grep -q '^CAFile=' <<<"$*" || echo "CAFile=$WORLD/trust.pem" >>"$WORLD/kartd.conf"
	world_restart_kartd >/dev/null
	world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
}
REAL=https://127.0.0.1:$BACKEND_PORT
fresh_backend() {   # its per-card daily budget lives in memory
	world_stop_backend
	world_start_backend >/dev/null || echo "Bail out! the reference backend did not restart"
}
# refused NAME ERROR SAYS OUTPUT: the call failed with ERROR saying SAYS
# (an extended regular expression), and nothing of it reached the card.
refused() {
	check "$1: $2" grep -q "Error.$2:" <<<"$4"
	grep -q "Error.$2:" <<<"$4" || echo "# got: $4"
	check "$1: ... saying $3" grep -Eqi "$3" <<<"$4"
	check_eq "$1: ... no EXTERNAL AUTHENTICATE, no RESET RETRY COUNTER, the card as it was" \
		"0 0 $state" "$(ins 82) $(ins 2C) $(card_state)"
}
# setpin_fault NAME ERROR SAYS ENDPOINT MODE [COUNT]: SetPin of an
# authorized session with the backend's fault armed on ENDPOINT.
setpin_fault() {
	local name=$1 error=$2 says=$3 out
	shift 3
	fresh_backend
	authorized_session >/dev/null
	world_cardsim reset-count >/dev/null
	world_backend_fault "$@" >/dev/null
	out=$(set_pin 1357246$((${#PINS[@]} % 10)))
	refused "$name" "$error" "$says" "$out"
}

configure "$REAL"
world_cardsim set-pin-tries 2 >/dev/null
state=$(card_state)

# --- the reference backend, failing
fresh_backend
authorized_session >/dev/null
world_cardsim reset-count >/dev/null
world_stop_backend
refused "backend down during the session" BackendUnavailable "cannot be used" "$(set_pin 13572460)"
world_start_backend >/dev/null
world_cardsim reset-count >/dev/null
refused "HTTP 500 at the session's start" BackendUnavailable "injected fault" \
	"$(world_backend_fault sessions error 3 >/dev/null; unlock)"
setpin_fault "HTTP 500 for the authorization, every try" BackendUnavailable "injected fault" authorizations error 3
start=$(now_ms)
setpin_fault "slower than TimeoutSec=$TIMEOUT" Timeout "Asking the CA for the authorization: the CA did not answer in $TIMEOUT s" \
	authorizations delay=$((TIMEOUT * 1000 + 2500)) 1  # (no time for a second attempt)
took=$(( $(now_ms) - start ))
check "... within TimeoutSec, retries included (${took} ms)" test "$took" -lt $(( (TIMEOUT + 2) * 1000 ))
setpin_fault "not JSON for the authorization" BackendUnavailable "without a JSON object" authorizations garbage
world_cardsim reset-count >/dev/null
refused "not JSON at the session's start" BackendUnavailable "not valid|without a JSON object" \
	"$(world_backend_fault sessions garbage >/dev/null; unlock)"
# a lost answer (the work done) and a single 500 are retried: the unlock goes through
fresh_backend
authorized_session >/dev/null
world_cardsim reset-count >/dev/null
world_backend_fault authorizations drop >/dev/null
check "the authorization's answer lost once: retried, SetPin succeeds" test -z "$(set_pin 24681350)"
check_eq "... one EXTERNAL AUTHENTICATE, one RESET RETRY COUNTER" "1 1" "$(ins 82) $(ins 2C)"
fresh_backend
authorized_session >/dev/null
world_backend_fault authorizations error 1 >/dev/null
check "one HTTP 500 for the authorization: retried, SetPin succeeds" test -z "$(set_pin 24681351)"
world_cardsim set-pin-tries 2 >/dev/null
state=$(card_state)
# the authorization has 15 s, whatever TimeoutSec allows (the card's
# transaction waits for it)
TIMEOUT=20 configure "$REAL"
start=$(now_ms)
setpin_fault "an authorization slower than 15 s, with TimeoutSec=20" Timeout "in time" authorizations delay=19000
took=$(( $(now_ms) - start ))
check "... given up after 15 s (${took} ms)" test "$took" -ge 15000 -a "$took" -lt 18500

# --- a backend that answers nonsense (fake-backend.py)
FAKE_PORT=$(_world_free_port "$BACKEND_PORT" "$OCSP_PORT" "$WORLD_VPCD_PORT" "$((WORLD_VPCD_PORT + 1))")
echo types >"$WORLD/fake.mode"
_world_spawn FAKE_PID "$WORLD/fake.log" /usr/bin/python3 "$FAKE" "$FAKE_PORT" "$WORLD/ca/server.crt" \
	"$WORLD/ca/server.key" "$WORLD/fake.mode"
world_wait_for 5 grep -q listening "$WORLD/fake.log" || echo "Bail out! fake-backend.py did not start"
configure "https://127.0.0.1:$FAKE_PORT"
fake_setpin() {
	echo "$2" >"$WORLD/fake.mode"
	authorized_session >/dev/null
	world_cardsim reset-count >/dev/null
	refused "$1" BackendUnavailable "$3" "$(set_pin 1357246$((${#PINS[@]} % 10)))"
}
fake_setpin "an authorization of the wrong JSON types" types "invalid authorization"
fake_setpin "a cryptogram in uppercase and too short" badhex "invalid authorization"
fake_setpin "an answer over 64 KiB" huge "larger than 65536"
fake_authz() { grep -c '"path": "/v1/unblock/sessions/fs-1/authorizations"' "$WORLD/fake.log"; }
before=$(fake_authz)
fake_setpin "a redirect" redirect "HTTP 307"
check_eq "... not followed: one request" $((before + 1)) "$(fake_authz)"
_world_kill "$FAKE_PID"
_world_forget "$FAKE_PID"

# --- TLS: another CA, another host name, another public key
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORLD/other-ca.key" \
	-out "$WORLD/other-ca.pem" -subj "/CN=another CA" -days 2 2>/dev/null
chmod 0644 "$WORLD/other-ca.pem"
configure "$REAL" "CAFile=$WORLD/other-ca.pem"
world_cardsim reset-count >/dev/null
lines=$(wc -l <"$WORLD/kartd.log")
refused "a server certificate from another CA" BackendUnavailable "certificate" "$(unlock)"
# (kartd --debug logs every attempt: "Backend POST URL, attempt N: ...")
check_eq "... asked once: a server kartd does not trust is not asked again" 0 \
	"$(tail -n +"$((lines + 1))" "$WORLD/kartd.log" | grep -c 'Backend .*, attempt [23]:')"

# CAFile= is the whole trust: a server whose CA the system trusts (placed
# where this libcurl looks by default, /etc/ssl/certs, for this check
# only) but CAFile= does not name is refused as well.
sys_ca=/etc/ssl/certs/kartd-test-$$.pem
sys_hash=$(openssl x509 -hash -noout -in "$WORLD/trust.pem")
for n in 0 1 2 3 4 5 6 7 8 9; do    # OpenSSL looks up HASH.0, HASH.1, ...
	sys_link=/etc/ssl/certs/$sys_hash.$n
	[ -e "$sys_link" ] || break
done
cp "$WORLD/trust.pem" "$sys_ca" && ln -s "$(basename "$sys_ca")" "$sys_link"
check "(the system's CA path now holds the backend's CA: $sys_link)" test -L "$sys_link"
out=$(unlock)
rm -f "$sys_link" "$sys_ca"
refused "a server certificate from a CA only the system trusts" BackendUnavailable "certificate" "$out"

# the test CA's certificate for another host, served by a second backend
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORLD/other-host.key" \
	-out "$WORLD/other-host.csr" -subj "/CN=other.example" 2>/dev/null
printf 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n' >"$WORLD/other-host.ext"
openssl x509 -req -in "$WORLD/other-host.csr" -CA "$WORLD/ca/ca.crt" -CAkey "$WORLD/ca/ca.key" \
	-CAcreateserial -days 2 -extfile "$WORLD/other-host.ext" -out "$WORLD/other-host.crt" 2>/dev/null
check "(a certificate of the test CA for other.example only)" \
	openssl verify -CAfile "$WORLD/ca/ca.crt" "$WORLD/other-host.crt"
OTHER_PORT=$(_world_free_port "$BACKEND_PORT" "$OCSP_PORT" "$WORLD_VPCD_PORT" "$FAKE_PORT")
_world_spawn OTHER_PID "$WORLD/other-backend.log" "$KART_BACKEND_SIM" serve --data "$WORLD/backend/data.json" \
	--state "$WORLD/backend/state" --port "$OTHER_PORT" --cert "$WORLD/other-host.crt" \
	--key "$WORLD/other-host.key" --ca-dir "$WORLD/ca" --master-key "$KART_BACKEND_MASTER_KEY"
world_wait_for 5 sh -c "ss -Htln 'sport = :$OTHER_PORT' | grep -q ."
configure "https://127.0.0.1:$OTHER_PORT"
world_cardsim reset-count >/dev/null
refused "a server certificate for another host name" BackendUnavailable "host ?name|subject name" "$(unlock)"
_world_kill "$OTHER_PID"
_world_forget "$OTHER_PID"

spki() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -binary | base64; }
configure "$REAL" "PinnedPublicKey=sha256//$(spki "$WORLD/other-ca.key")"
world_cardsim reset-count >/dev/null
refused "a server key other than the pinned one" BackendUnavailable "pinned" "$(unlock)"
configure "$REAL" "PinnedPublicKey=sha256//$(spki "$WORLD/ca/server.key")"
fresh_backend
authorized_session >/dev/null
check "with the server's own key pinned, the unlock goes through" test -z "$(set_pin 86420137)"

# --- the new PINs stay on this machine
for f in "$WORLD/backend/state/requests.log" "$WORLD/backend/state/audit.log" "$WORLD/fake.log" \
	"$WORLD/kartd.log"; do
	leaked=
	for p in "${PINS[@]}"; do
		grep -q "$p" "$f" && leaked="$leaked $p"
	done
	check_eq "no new PIN in $(basename "$f")" "" "$leaked"
done
tap_done
