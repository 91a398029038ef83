#!/bin/bash
# The reference backend (sim/backend, doc/backend-protocol.md) driven with
# curl over TLS: both flows, the cryptogram checked against an independent
# computation (`openssl mac`), every error code that can be provoked,
# strict JSON checks, size caps, idempotent replay, rate limits, the SMS
# outbox, logs without secrets, fault hooks, and suspend / resume / revoke
# as the world's OCSP responder reports them.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

CARD=4b41525400000001
MASTER=000102030405060708090A0B0C0D0E0F

if ! world_start --no-kartd --no-pcscd --no-card || ! world_start_backend; then
	echo "Bail out! the world or the backend did not start"
	exit 1
fi
BASE=https://127.0.0.1:$BACKEND_PORT
TOKEN=
SECRETS=()  # every secret seen: none may show up in a log

newkey() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# req METHOD PATH [BODY [CURL ARGS...]]: sets ST (status) and BODY; the
# headers are in $WORLD/h. Environment: TOKEN, IKEY (Idempotency-Key; a new
# one if empty), CT (Content-Type), NOPROTO=1 (no Kartd-Protocol header).
req() {
	local m=$1 p=$2 b=${3-}
	shift $(( $# < 3 ? $# : 3 ))
	local args=(-sS --noproxy '*' --cacert "$WORLD/trust.pem" -X "$m" -H 'Accept: application/json'
		-D "$WORLD/h" -o "$WORLD/b" -w '%{http_code}')
	[ "${NOPROTO:-0}" = 1 ] || args+=(-H 'Kartd-Protocol: 1')
	[ -z "$TOKEN" ] || args+=(-H "Authorization: Bearer $TOKEN")
	if [ "$m" = POST ]; then
		args+=(-H "Content-Type: ${CT:-application/json}" --data-binary "$b")
		[ "${IKEY-x}" = none ] || args+=(-H "Idempotency-Key: ${IKEY:-$(newkey)}")
	fi
	: >"$WORLD/b"
	ST=$(curl "${args[@]}" "$@" "$BASE$p" 2>"$WORLD/curl.err")
	BODY=$(cat "$WORLD/b")
}

# j PATH: a value of $BODY (dotted path; lists by index); JSON for non-strings.
j() {
	/usr/bin/python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in filter(None, sys.argv[2].split(".")):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else json.dumps(v))' "$BODY" "$1" 2>/dev/null
}

# expect_error WHAT STATUS CODE: the last answer was that error, well formed.
expect_error() {
	local got
	got="$ST $(j error.code)"
	if [ "$got" = "$2 $3" ] && [[ $(j error.request_id) == r-* ]] && [ -n "$(j error.message)" ]; then
		ok "$1: $2 $3"
	else
		not_ok "$1: $2 $3"
		echo "# got: $ST $BODY"
	fi
}

# The cryptogram, computed here with openssl's CMAC (not the sim's code).
cmac() { # KEYHEX DATAHEX
	/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$2" >"$WORLD/mac.in"
	openssl mac -cipher AES-128-CBC -macopt "hexkey:$1" -in "$WORLD/mac.in" CMAC | tr 'A-F' 'a-f'
}
cryptogram() { # SERIAL KV CHALLENGE
	local k
	# 00 x 11 || 4B || 00 || 0080 || 01 || serial || kv
	k=$(cmac "$MASTER" "00000000000000000000004b00008001$1$(printf %02x "$2")")
	cmac "$k" "4b444541$3"
}

card_json() { # CODE [SERIAL]
	printf '{"verification_code":"%s","card":{"serial":"%s","atr":"3b8f800180","pin_ref":129,"key_version":1,"pin_tries":0},"client":{"name":"test","version":"1"}}' \
		"$1" "${2:-$CARD}"
}

# new_unblock_session: SID and TOKEN of a fresh unblock session.
new_unblock_session() {
	local code
	code=$(world_backend_code unblock)
	SECRETS+=("$code")
	TOKEN=
	req POST /v1/unblock/sessions "$(card_json "$code")"
	SID=$(j session_id)
	TOKEN=$(j session_token)
	SECRETS+=("$TOKEN")
}

send_sms() { req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms"}'; }
verify_sms() { req POST "/v1/$1/sessions/$SID/second-factor/verify" "{\"type\":\"sms\",\"code\":\"$2\"}"; }
verify_password() { req POST "/v1/$1/sessions/$SID/second-factor/verify" "{\"type\":\"password\",\"password\":\"$2\"}"; }
authorize() { # CHALLENGE [SERIAL]
	req POST "/v1/unblock/sessions/$SID/authorizations" \
		"{\"serial\":\"${2:-$CARD}\",\"key_version\":1,\"pin_ref\":129,\"alg\":\"AES128-CMAC-KDEA\",\"card_challenge\":\"$1\"}"
}
result() { # AUTH_ID OUTCOME SW_EA
	req POST "/v1/unblock/sessions/$SID/result" \
		"{\"authorization_id\":\"$1\",\"outcome\":\"$2\",\"sw_ea\":\"${3:-9000}\",\"sw_rrc\":\"9000\",\"pin_tries_after\":3}"
}

# ------------------------------------------------------------------ meta, headers, TLS

req GET /v1/meta
check_eq "meta, with data.json's portal" '200 {"protocol":1,"algorithms":["AES128-CMAC-KDEA"],"second_factors":["sms","password"],"portal":"https://portal.example.test/nes/pin"}' "$ST $BODY"
check "answers carry Cache-Control: no-store and JSON" \
	sh -c "grep -qi '^cache-control: no-store' '$WORLD/h' && grep -qi '^content-type: application/json' '$WORLD/h'"
NOPROTO=1 req GET /v1/meta
expect_error "no Kartd-Protocol header" 400 bad_request
req GET /v1/nothing
expect_error "unknown path" 404 not_found
check "listens on 127.0.0.1 only" sh -c "ss -Htln 'sport = :$BACKEND_PORT' | awk '{print \$4}' | grep -qx '127.0.0.1:$BACKEND_PORT'"
tls() { openssl s_client -connect "127.0.0.1:$BACKEND_PORT" -verify_return_error -CAfile "$WORLD/trust.pem" \
	-cipher 'DEFAULT:@SECLEVEL=0' "$@" </dev/null; }
check "TLS 1.2 verifies with the test CA" tls -tls1_2
no_tls1_1() { ! tls -tls1_1; }
check "TLS 1.1 refused" no_tls1_1
check "the certificate is verified (no trust, no answer)" sh -c "! curl -s --noproxy '*' $BASE/v1/meta"

# ------------------------------------------------------------------ unblock: happy path with a retry

new_unblock_session
check_eq "session created" "201 awaiting_second_factor 600 3" "$ST $(j state) $(j expires_in) $(j max_authorizations)"
check_eq "second factor methods, phone masked" '[{"type": "sms", "destination": "+90 5** *** ** 12"}, {"type": "password"}]' \
	"$(j second_factor.methods)"
check_eq "PIN policy" '{"min": 6, "max": 8, "charset": "digits"}' "$(j pin_policy)"
authorize 00112233445566778899aabbccddeeff
expect_error "no cryptogram before the second factor" 409 wrong_state
send_sms
check_eq "SMS sent" "202 180 60 2" "$ST $(j expires_in) $(j resend_in) $(j sends_left)"
check "SMS outbox line: epoch, number, 6 digits, purpose" \
	grep -Eq "^[0-9]{10} \\+905321234512 [0-9]{6} unblock\$" "$WORLD/backend/state/sms.outbox"
SMS=$(world_backend_sms)
SECRETS+=("$SMS")
send_sms
if [ "$ST $(j error.code)" = "429 rate_limited" ] && [ "$(j error.retry_after)" -gt 0 ] && [ "$(j error.retry_after)" -le 60 ]; then
	ok "a second SMS within 60 s: 429 rate_limited with retry_after"
else
	not_ok "a second SMS within 60 s: 429 rate_limited with retry_after"; echo "# $ST $BODY"
fi
wrong=$(printf '%06d' $(( (10#$SMS + 1) % 1000000 )))
verify_sms unblock "$wrong"
check_eq "wrong SMS code: 401 second_factor_invalid, 2 left" "401 second_factor_invalid 2" "$ST $(j error.code) $(j error.attempts_left)"
req POST "/v1/unblock/sessions/$SID/second-factor/verify" '{"type":"sms","code":"12345a"}'
expect_error "SMS code not 6 digits" 400 bad_request
verify_sms unblock "$SMS"
check_eq "right SMS code" '200 {"state":"authorized_to_unblock"}' "$ST $BODY"

CH=$(newkey)
authorize "$CH"
check_eq "authorization: cryptogram = AES-CMAC(K_card, KDEA || challenge)" "201 $(cryptogram $CARD 1 "$CH") 30 2" \
	"$ST $(j cryptogram) $(j expires_in) $(j authorizations_left)"
AID1=$(j authorization_id)
SECRETS+=("$(j cryptogram)")
authorize 00112233445566778899aabbccddeeff
check_eq "the design's test vector" "201 cc0f4034292397e896a5fd3f98c21acd 1" "$ST $(j cryptogram) $(j authorizations_left)"
AID=$(j authorization_id)
result "$AID1" success
expect_error "a superseded authorization takes no result" 409 wrong_state
req POST "/v1/unblock/sessions/$SID/result" '{"authorization_id":"az-000","outcome":"failed","sw_ea":"","sw_rrc":"","pin_tries_after":-1}'
expect_error "result for an unknown authorization" 404 not_found
req POST "/v1/unblock/sessions/$SID/result" "{\"authorization_id\":\"$AID\",\"outcome\":\"gone\",\"sw_ea\":\"\",\"sw_rrc\":\"\",\"pin_tries_after\":-1}"
expect_error "unknown outcome" 400 bad_request
req POST "/v1/unblock/sessions/$SID/result" "{\"authorization_id\":\"$AID\",\"outcome\":\"failed\",\"sw_ea\":\"63C2\",\"sw_rrc\":\"\",\"pin_tries_after\":-1}"
expect_error "uppercase status word" 400 bad_request
result "$AID" card_removed ""
check_eq "card removed: awaiting_retry" "200 awaiting_retry" "$ST $(j state)"
check "result has an audit id" test -n "$(j audit_id)"
result "$AID" success
expect_error "a second result for one authorization" 409 wrong_state
authorize "$CH"
check_eq "retry from awaiting_retry: the last authorization of the session" "201 0" "$ST $(j authorizations_left)"
result "$(j authorization_id)" success
check_eq "success: completed" "200 completed" "$ST $(j state)"
req GET "/v1/unblock/sessions/$SID"
check_eq "GET after completion" '200 {"state":"completed","expires_in":0}' "$ST $BODY"
authorize "$CH"
expect_error "no cryptogram once completed" 409 wrong_state

# ------------------------------------------------------------------ verification codes

TOKEN=
code=$(world_backend_code unblock)
SECRETS+=("$code")
req POST /v1/unblock/sessions "$(card_json "$code" 4b41525400000099)"
expect_error "a card of no account" 403 card_not_owned
req POST /v1/unblock/sessions "$(card_json abcd-efgh-jkmn)"
expect_error "malformed verification code" 400 bad_request
for left in 4 3 2 1 0; do
	req POST /v1/unblock/sessions "$(card_json ZZZZ-ZZZZ-ZZZZ)"
	check_eq "wrong verification code: $left left" "401 verification_code_invalid $left" "$ST $(j error.code) $(j error.attempts_left)"
done
req POST /v1/unblock/sessions "$(card_json "$code")"
check_eq "locked: even the right code is refused" "401 verification_code_invalid 0" "$ST $(j error.code) $(j error.attempts_left)"
code=$(world_backend_code unblock)
SECRETS+=("$code")
req POST /v1/unblock/sessions "$(card_json "$code")"
check_eq "a new code lifts the lock" 201 "$ST"
req POST /v1/unblock/sessions "$(card_json "$code")"
expect_error "a code works once" 410 verification_code_used
code=$(world_backend_code cert)
SECRETS+=("$code")
req POST /v1/unblock/sessions "$(card_json "$code")"
expect_error "a certificate code does not open an unblock session" 401 verification_code_invalid
code=$(world_backend_code unblock)
SECRETS+=("$code")
/usr/bin/python3 - "$WORLD/backend/state/codes.json" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	d["codes"][-1]["issued"] -= 16 * 60
	json.dump(d, open(sys.argv[1], "w"))
	EOF
req POST /v1/unblock/sessions "$(card_json "$code")"
expect_error "a code older than 15 min" 410 verification_code_expired
check "codes.json holds hashes, not codes" lacks "$WORLD/backend/state/codes.json" -e "$code"

# ------------------------------------------------------------------ tokens and sessions

new_unblock_session
SID_A=$SID TOKEN_A=$TOKEN
new_unblock_session
TOKEN=$TOKEN_A req GET "/v1/unblock/sessions/$SID"
expect_error "another session's id" 404 session_not_found
TOKEN='' req GET "/v1/unblock/sessions/$SID"
expect_error "no token" 401 unauthorized
TOKEN=st-0000 req GET "/v1/unblock/sessions/$SID"
expect_error "unknown token" 401 unauthorized
req GET "/v1/cert/sessions/$SID"
expect_error "an unblock token on a certificate session" 401 unauthorized
req GET "/v1/certificates?card_serial=$CARD"
expect_error "an unblock token on the certificate list" 401 unauthorized
req DELETE "/v1/unblock/sessions/$SID"
check_eq "DELETE" "204" "$ST"
req GET "/v1/unblock/sessions/$SID"
check_eq "cancelled" '200 {"state":"cancelled","expires_in":0}' "$ST $BODY"
send_sms
expect_error "no SMS for a cancelled session" 409 wrong_state

# ------------------------------------------------------------------ strict input

SID=$SID_A TOKEN=$TOKEN_A
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms"'
expect_error "malformed JSON" 400 bad_request
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '["sms"]'
expect_error "not an object" 400 bad_request
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms","extra":1}'
check_eq "unknown field named" "400 bad_request extra: unknown field" "$ST $(j error.code) $(j error.message)"
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":1}'
check_eq "wrong type named" "400 type: expected a string" "$ST $(j error.message)"
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms","type":"sms"}'
expect_error "duplicate key" 400 bad_request
TOKEN='' req POST /v1/unblock/sessions '{"verification_code":"AAAA-AAAA-AAAA","card":{"serial":"4b41525400000001","atr":"3b8f","pin_ref":"129","key_version":1,"pin_tries":0},"client":{"name":"t","version":"1"}}'
check_eq "nested wrong type named" "400 card.pin_ref: expected an integer" "$ST $(j error.message)"
TOKEN='' req POST /v1/unblock/sessions '{"verification_code":"AAAA-AAAA-AAAA","card":{"serial":"4B41525400000001","atr":"3b8f","pin_ref":129,"key_version":1,"pin_tries":0},"client":{"name":"t","version":"1"}}'
check_eq "uppercase card serial refused" "400 card.serial: expected lowercase hex bytes" "$ST $(j error.message)"
TOKEN='' req POST /v1/unblock/sessions '{"verification_code":"AAAA-AAAA-AAAA","card":{"serial":"4b41525400000001","atr":"3b8f","pin_ref":129,"key_version":1},"client":{"name":"t","version":"1"}}'
check_eq "missing field named" "400 card.pin_tries: missing" "$ST $(j error.message)"
TOKEN='' req POST /v1/unblock/sessions '{"verification_code":"AAAA-AAAA-AAAA","card":{"serial":"4b41525400000001","atr":"3b8f","pin_ref":300,"key_version":1,"pin_tries":0},"client":{"name":"t","version":"1"}}'
check_eq "out of range" "400 card.pin_ref: must be 0..255" "$ST $(j error.message)"
authorize 0011
expect_error "short challenge" 400 bad_request
CT=text/plain req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms"}'
expect_error "not application/json" 415 unsupported_media_type
IKEY=none req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms"}'
expect_error "no Idempotency-Key" 400 bad_request
IKEY=ABC req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms"}'
expect_error "malformed Idempotency-Key" 400 bad_request
big="{\"type\":\"sms\",\"pad\":\"$(head -c 17000 /dev/zero | tr '\0' a)\"}"
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" "$big"
expect_error "body over 16 KiB" 413 body_too_large
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" "$big" -H 'Transfer-Encoding: chunked'
expect_error "chunked body over 16 KiB" 413 body_too_large
deep=$(printf '%.0s[' $(seq 1 5000))
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" "$deep"
expect_error "5000 nested arrays" 400 bad_request
req POST "/v1/unblock/sessions/$SID/result" '{"authorization_id":"x","outcome":"failed","sw_ea":"","sw_rrc":"","pin_tries_after":99999999999999999999999}'
expect_error "an integer too big for any type" 400 bad_request
req POST "/v1/unblock/sessions/$SID/result" '{"authorization_id":"x","outcome":"failed","sw_ea":"","sw_rrc":"","pin_tries_after":1.0}'
expect_error "a real where an integer belongs" 400 bad_request
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" '{"type":"sms\u0000x"}'
expect_error "a NUL in a string" 400 bad_request
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" "$(printf '{"type":"\xff\xfe"}')"
expect_error "invalid UTF-8" 400 bad_request
req POST "/v1/unblock/sessions/$SID/second-factor/challenge" ''
expect_error "an empty body" 400 bad_request
req GET /v1/meta
check_eq "still serving after all that" 200 "$ST"
req POST "/v1/unblock/sessions/$SID/second-factor/verify" '{"type":"password","password":"kart-leak-pw" '
check "a body that is not JSON is not logged" lacks "$WORLD/backend/state/requests.log" -e kart-leak-pw

# ------------------------------------------------------------------ idempotency

# a fresh backend: the card's daily authorizations start at 0 again
world_stop_backend
world_start_backend || echo "Bail out! the backend did not restart"
TOKEN=
code=$(world_backend_code unblock)
SECRETS+=("$code")
K=$(newkey)
IKEY=$K req POST /v1/unblock/sessions "$(card_json "$code")"
first="$ST $BODY"
SID=$(j session_id) TOKEN=$(j session_token)
SECRETS+=("$TOKEN")
TOKEN='' IKEY=$K req POST /v1/unblock/sessions "$(card_json "$code")"
check_eq "a repeated key gets the stored answer (the code is not burnt twice)" "$first" "$ST $BODY"
check "replays are marked" grep -qi '^idempotency-replayed: true' "$WORLD/h"
TOKEN='' IKEY=$K req POST /v1/unblock/sessions "$(card_json "$code" 4b41525400000002)"
expect_error "the same key for another request" 400 bad_request
TOKEN='' IKEY=$K req POST /v1/unblock/sessions "$(card_json "$code")"
check_eq "and the key still answers its first request" "$first" "$ST $BODY"
verify_password unblock kart-test-pw
check_eq "web password" '200 {"state":"authorized_to_unblock"}' "$ST $BODY"
K=$(newkey) CH=$(newkey)
IKEY=$K authorize "$CH"
first="$ST $BODY"
IKEY=$K authorize "$CH"
check_eq "a repeated authorization gets the same cryptogram" "$first" "$ST $BODY"
check_eq "and does not count" 2 "$(j authorizations_left)"

# ------------------------------------------------------------------ faults

world_backend_fault authorizations drop
K=$(newkey)
IKEY=$K authorize "$CH"
check_eq "drop: no answer" "000" "$ST"
IKEY=$K authorize "$CH"
check_eq "drop: the retry gets the stored answer" "201 1" "$ST $(j authorizations_left)"
world_backend_fault meta error
req GET /v1/meta
expect_error "error fault" 500 internal
world_backend_fault meta garbage
req GET /v1/meta
check "garbage fault: 200 and not JSON" sh -c "[ '$ST' = 200 ] && ! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$WORLD/b'"
req GET /v1/meta
check_eq "faults are used up" 200 "$ST"

# ------------------------------------------------------------------ limits: authorizations, second factor

authorize "$(newkey)"
check_eq "third authorization of the session" "201 0" "$ST $(j authorizations_left)"
authorize "$(newkey)"
expect_error "fourth authorization of a session" 429 authorization_limit
new_unblock_session
verify_password unblock kart-test-pw
authorize "$(newkey)"
check_eq "fourth authorization of the card today" "201 1" "$ST $(j authorizations_left)"
authorize "$(newkey)"
check_eq "fifth authorization of the card today" "201 0" "$ST $(j authorizations_left)"
authorize "$(newkey)"
expect_error "sixth authorization of the card today" 429 authorization_limit

world_stop_backend
world_start_backend || echo "Bail out! the backend did not restart"
new_unblock_session
for left in 2 1 0; do
	verify_password unblock wrong-pw
	check_eq "wrong password: $left left" "401 second_factor_invalid $left" "$ST $(j error.code) $(j error.attempts_left)"
done
verify_password unblock kart-test-pw
expect_error "password locked for the session" 423 second_factor_locked
send_sms
SMS=$(world_backend_sms)
SECRETS+=("$SMS")
wrong=$(printf '%06d' $(( (10#$SMS + 1) % 1000000 )))
for i in 1 2 3; do verify_sms unblock "$wrong"; done
verify_sms unblock "$SMS"
expect_error "SMS code locked after 3 wrong" 423 second_factor_locked
new_unblock_session
verify_password unblock kart-test-pw
authorize "$(newkey)"
result "$(j authorization_id)" failed 63c2
check_eq "admin key low reported" "200 awaiting_retry" "$ST $(j state)"
authorize "$(newkey)"
expect_error "no cryptogram once the admin key runs low" 429 authorization_limit

# ------------------------------------------------------------------ certificate operations

serial_of() { openssl x509 -in "$WORLD/ca/$1.crt" -noout -serial | sed 's/^serial=//'; }
ocsp_status() { # NAME: good / revoked / revoked certificateHold ...
	openssl ocsp -issuer "$WORLD/ca/ca.crt" -cert "$WORLD/ca/$1.crt" -url "http://127.0.0.1:$OCSP_PORT/" \
		-CAfile "$WORLD/ca/ca.crt" -no_nonce 2>/dev/null |
		awk -v f="$WORLD/ca/$1.crt:" '$1 == f { s = $2 } /Reason:/ { s = s " " $2 } END { print s }'
}
ocsp_is() { [ "$(ocsp_status "$1")" = "$2" ]; }
ocsp_until() { world_wait_for 6 ocsp_is "$@"; }
SIGN=$(serial_of sign) AUTH=$(serial_of auth)

TOKEN=
code=$(world_backend_code cert)
SECRETS+=("$code")
req POST /v1/cert/sessions "{\"verification_code\":\"$code\",\"card\":{\"serial\":\"$CARD\"},\"client\":{\"name\":\"t\",\"version\":\"1\"}}"
check_eq "certificate session" "201 awaiting_second_factor null" "$ST $(j state) $(j pin_policy)"
SID=$(j session_id) TOKEN=$(j session_token)
SECRETS+=("$TOKEN")
req GET "/v1/certificates?card_serial=$CARD"
expect_error "list before the second factor" 409 wrong_state
verify_password cert kart-test-pw
check_eq "certificate session authorized" '200 {"state":"authorized"}' "$ST $BODY"
req GET "/v1/certificates?card_serial=$CARD"
check_eq "three certificates, all good" "200 3 good good good" \
	"$ST $(/usr/bin/python3 -c 'import json,sys; c=json.loads(sys.argv[1])["certificates"]; print(len(c), *[x["status"] for x in c])' "$BODY")"
check "subject in UTF-8, not_after an epoch" sh -c "[ '$(j certificates.0.subject)' = '/C=TR/serialNumber=12345678950/CN=Ayşe Yılmaz' ] && [ $(j certificates.0.not_after) -gt $(date +%s) ]"
req GET "/v1/certificates?card_serial=4b41525400000002"
expect_error "another card's list" 403 card_not_owned
req GET "/v1/certificates"
expect_error "no card_serial" 400 bad_request
check_eq "OCSP: sign is good" good "$(ocsp_status sign)"
req POST "/v1/certificates/$SIGN/suspend" '{}'
check_eq "suspend" "200 {\"serial\":\"$SIGN\",\"status\":\"on-hold\"}" "$ST $BODY"
check "OCSP: sign revoked, certificateHold" ocsp_until sign "revoked certificateHold"
req POST "/v1/certificates/$SIGN/suspend" '{}'
expect_error "suspend twice" 409 wrong_state
req POST "/v1/certificates/$SIGN/resume" '{"x":1}'
expect_error "resume takes an empty object" 400 bad_request
req POST "/v1/certificates/$SIGN/resume" '{}'
check_eq "resume" "200 {\"serial\":\"$SIGN\",\"status\":\"good\"}" "$ST $BODY"
check "OCSP: sign good again" ocsp_until sign good
req POST "/v1/certificates/$SIGN/resume" '{}'
expect_error "resume a good certificate" 409 wrong_state
req POST "/v1/certificates/$AUTH/revoke" "{\"reason\":\"keyCompromise\",\"confirm_serial\":\"$SIGN\"}"
expect_error "revoke with another serial confirmed" 422 confirm_mismatch
req POST "/v1/certificates/$AUTH/revoke" "{\"reason\":\"stolen\",\"confirm_serial\":\"$AUTH\"}"
expect_error "unknown reason" 400 bad_request
req POST "/v1/certificates/$AUTH/revoke" "{\"reason\":\"keyCompromise\",\"confirm_serial\":\"$AUTH\"}"
check_eq "revoke" "200 {\"serial\":\"$AUTH\",\"status\":\"revoked\"}" "$ST $BODY"
check "OCSP: auth revoked, keyCompromise" ocsp_until auth "revoked keyCompromise"
req POST "/v1/certificates/$AUTH/resume" '{}'
expect_error "resume a revoked certificate" 409 wrong_state
req GET "/v1/certificates?card_serial=$CARD"
check_eq "the list shows the revocation" "revoked keyCompromise" \
	"$(/usr/bin/python3 -c 'import json,sys; c=[x for x in json.loads(sys.argv[1])["certificates"] if x["serial"]==sys.argv[2]][0]; print(c["status"], c["revocation_reason"])' "$BODY" "$AUTH")"
req POST "/v1/certificates/$(serial_of ocsp)/revoke" "{\"reason\":\"unspecified\",\"confirm_serial\":\"$(serial_of ocsp)\"}"
expect_error "a certificate of the CA but not of the account" 404 not_found
req POST "/v1/certificates/${SIGN,,}/suspend" '{}'
expect_error "a lowercase serial in the path" 404 not_found
ca_status() { openssl ca -config "$WORLD/ca/openssl.cnf" -status "$1" 2>&1 | grep -o '(.)$'; }
check_eq "index.txt stays an openssl ca database" "(V) (R)" "$(ca_status "$SIGN") $(ca_status "$AUTH")"

# ------------------------------------------------------------------ expiry

world_stop_backend
world_start_backend --session-lifetime 1 || echo "Bail out! the backend did not restart"
new_unblock_session
sleep 1.2
req GET "/v1/unblock/sessions/$SID"
check_eq "GET on an expired session" '200 {"state":"expired","expires_in":0}' "$ST $BODY"
send_sms
expect_error "an expired session" 410 session_expired

# ------------------------------------------------------------------ delays

world_stop_backend
world_start_backend --delay-ms 400 || echo "Bail out! the backend did not restart"
t0=$(now_ms)
req GET /v1/meta
check "--delay-ms delays every answer" test $(( $(now_ms) - t0 )) -ge 400
world_backend_fault meta delay=1500
req GET /v1/meta >/dev/null &
slow=$!
sleep 0.2
t0=$(now_ms)
req GET /v1/meta
t1=$(now_ms)
wait "$slow"
check "a delayed answer does not hold up other clients" test $(( t1 - t0 )) -lt 1200

# ------------------------------------------------------------------ logs

A=$WORLD/backend/state/audit.log R=$WORLD/backend/state/requests.log
check "the audit and request logs are there" test -s "$A" -a -s "$R"
leaks=
for s in "${SECRETS[@]}" kart-test-pw; do
	[ -n "$s" ] || continue
	grep -qF -- "$s" "$A" "$R" && leaks="$leaks $s"
done
check_eq "no code, SMS code, password, token or cryptogram in the logs" "" "$leaks"
check "audit log: JSON lines with events" /usr/bin/python3 -c '
import json, sys
events = {json.loads(l)["event"] for l in open(sys.argv[1])}
need = {"session_created", "sms_sent", "second_factor", "authorization", "result", "certificate", "verification_code"}
sys.exit(0 if need <= events else "missing: %s" % (need - events))' "$A"
check "request log: secret values replaced by ***" sh -c \
	"grep -q '\"verification_code\":\"\\*\\*\\*\"' '$R' && grep -q '\"password\":\"\\*\\*\\*\"' '$R' && grep -q '\"code\":\"\\*\\*\\*\"' '$R'"

tap_plan "$tap_n"
tap_done
