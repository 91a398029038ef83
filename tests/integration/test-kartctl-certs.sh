#!/bin/bash
# kartctl certs, cert show and cert export against the simulated card, which
# holds sign, auth and expiring (ends in ~10 days) from the test CA. The
# exported bytes are checked against the CA's files and against what OpenSC
# reads from the card on its own.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 26
PY=/usr/bin/python3

card_start
serial=$(prop Serial | cut -d' ' -f1)

# certs
"$CTL" certs >"$WORLD/certs" 2>&1
check_eq "certs: exit code 0" 0 "$?"
check "certs: a line each for sign, auth and expiring" sh -c "
	grep -Eq '^01 +sign +Ayşe Yılmaz ' '$WORLD/certs' &&
	grep -Eq ' auth +Ayşe Yılmaz ' '$WORLD/certs' &&
	grep -Eq ' expiring +Ayşe Yılmaz ' '$WORLD/certs'"
check "certs: the valid-until dates are local dates" grep -Eq ' expiring .* [0-9]{4}-[0-9]{2}-[0-9]{2} ' "$WORLD/certs"
check "certs: warns that 'expiring' expires within days" grep -Eq "^Warning: certificate 'expiring' .* expires in (9|10|11) days" "$WORLD/certs"
check_eq "certs: no warning about sign or auth" 1 "$(grep -c '^Warning' "$WORLD/certs")"
check "certs SERIAL" sh -c "'$CTL' certs '$serial' | grep -q ' sign '"
"$CTL" certs 0000 >"$WORLD/out" 2>&1
check_eq "certs of an unknown serial: exit code 1" 1 "$?"

"$CTL" --json certs >"$WORLD/certs.json"
check "--json certs: 3 entries with the fields of the contract" $PY -c "
import json
l = json.load(open('$WORLD/certs.json'))['certificates']
assert [c['label'] for c in l] == ['sign', 'auth', 'expiring'], l
for c in l:
    assert set(c) >= {'id', 'label', 'subject', 'issuer', 'serial', 'not_before', 'not_after',
                      'status', 'sha256', 'expires_in_days'}, c
e = l[2]
assert 8 <= e['expires_in_days'] <= 11, e
assert l[0]['expires_in_days'] > 300, l[0]"
check "certs --json (after the verb) is JSON too" sh -c "'$CTL' certs --json | $PY -m json.tool >/dev/null"
check "--json certs: the fingerprint is the SHA-256 of the CA's sign.der" $PY -c "
import hashlib, json
c = json.load(open('$WORLD/certs.json'))['certificates'][0]
assert c['sha256'].lower().replace(':', '') == hashlib.sha256(open('$WORLD/ca/sign.der', 'rb').read()).hexdigest(), c"

# cert show
"$CTL" cert show 01 >"$WORLD/show" 2>&1
check_eq "cert show 01: exit code 0" 0 "$?"
check "cert show 01: the subject CN" grep -Eq '^ +Common name: +Ayşe Yılmaz$' "$WORLD/show"
check "cert show 01: qualified" grep -Eq '^ +Qualified: +yes$' "$WORLD/show"
check "cert show 01: the qualified-certificate policy" grep -q '2.16.792.1.2.1.1.5.7.1.1' "$WORLD/show"
check "cert show --json: an object with the contract's keys" sh -c "'$CTL' cert show 01 --json | $PY -c '
import json, sys
i = json.load(sys.stdin)
assert i[\"id\"] == \"01\" and i[\"label\"] == \"sign\", i
assert i[\"subject_cn\"] == \"Ayşe Yılmaz\" and i[\"qualified\"] is True, i
assert isinstance(i[\"not_after\"], int) and isinstance(i[\"key_usage\"], list), i'"

# Unknown ID
"$CTL" cert show 7f >"$WORLD/out" 2>&1
check_eq "cert show of an unknown ID: exit code 1" 1 "$?"
check "... says so and names the IDs there are" sh -c "grep -q \"no certificate with ID '7f'\" '$WORLD/out' && grep -q '01: sign' '$WORLD/out'"
"$CTL" cert export 7f -o "$WORLD/none.der" >"$WORLD/out" 2>&1
check_eq "cert export of an unknown ID: exit code 1, no file" "1 no" "$? $([ -e "$WORLD/none.der" ] && echo yes || echo no)"

# cert export
"$CTL" cert export 01 -o "$WORLD/sign.der"
check "cert export 01 -o FILE: the CA's sign.der, byte for byte" cmp "$WORLD/sign.der" "$WORLD/ca/sign.der"
check_eq "... the file is mode 644" 644 "$(stat -c %a "$WORLD/sign.der")"
pkcs15-tool --read-certificate 01 2>/dev/null | openssl x509 -outform der >"$WORLD/opensc.der" 2>/dev/null
check "... and what OpenSC reads from the card" sh -c "[ -s '$WORLD/opensc.der' ] && cmp '$WORLD/sign.der' '$WORLD/opensc.der'"
check "cert export 02 to a pipe: the CA's auth.der" sh -c "'$CTL' cert export 02 | cmp - '$WORLD/ca/auth.der'"
"$CTL" cert export 01 --pem >"$WORLD/sign.pem"
check "cert export --pem: OpenSSL reads it, and it is the same certificate" sh -c "
	openssl x509 -noout -in '$WORLD/sign.pem' &&
	openssl x509 -in '$WORLD/sign.pem' -outform der | cmp - '$WORLD/ca/sign.der'"

# Binary to a terminal: refused.
script -qec "'$CTL' cert export 01" /dev/null >"$WORLD/tty" 2>&1
check_eq "cert export to a terminal: exit code 2" 2 "$?"
check "... refused, naming --pem and -o" sh -c "grep -q 'Refusing' '$WORLD/tty' && grep -q -- '--pem' '$WORLD/tty'"

# Turkish.
world_install_locale >/dev/null
LC_ALL=tr_TR.UTF-8 "$CTL" certs >"$WORLD/certs.tr" 2>&1
check "Turkish: certs" sh -c "grep -q 'ETİKET' '$WORLD/certs.tr' && grep -q 'Uyarı: .expiring. sertifikasının' '$WORLD/certs.tr' && grep -q 'gün sonra' '$WORLD/certs.tr'"
tap_done
