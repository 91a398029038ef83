#!/bin/bash
# The journal catalog (systemd/kartd.catalog) explains, in English and
# Turkish, exactly the MESSAGE_IDs kartd's code uses, and journalctl
# --update-catalog takes it (in a private root). The card events carry
# the fields an inventory or a SIEM reads: inserted (serial, model,
# reader, driver, PIN state), a certificate expiring (its serial and days
# left), revoked and on hold (OCSP), the PIN locked, removed. kartd logs to
# stderr here: the fields follow the message as NAME=value.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
top=$KART_TOP_SRCDIR
catalog=$top/systemd/kartd.catalog

tap_plan 17
code_ids=$(grep -ho '"[0-9a-f]\{32\}"' "$top"/daemon/*.h | tr -d '"' | sort -u)
en_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$catalog" | sort)
tr_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\) tr$/\1/p' "$catalog" | sort)
check "the code has MESSAGE_IDs (the pattern still matches)" test "$(wc -w <<<"$code_ids")" -ge 10
check_eq "the catalog explains exactly the code's MESSAGE_IDs, in English" "$code_ids" "$en_ids"
check_eq "... and in Turkish" "$code_ids" "$tr_ids"

root=$(mktemp -d)
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
check "journalctl --update-catalog takes it" journalctl --root="$root" --update-catalog
listed=$(journalctl --root="$root" --list-catalog 2>/dev/null | awk '{print $1}' | sort -u)
check_eq "... and lists every ID" "$code_ids" "$listed"
check "... with the Turkish subjects under a Turkish locale" \
	sh -c "LANG=tr_TR.UTF-8 journalctl --root='$root' --list-catalog | grep -q 'kartının PIN'"
rm -rf "$root"

card_start
ids_logged() { grep -o 'MESSAGE_ID=[0-9a-f]*' "$WORLD/kartd.log" | cut -d= -f2 | sort -u; }
event() { grep "MESSAGE_ID=$1" "$WORLD/kartd.log"; }
serial=4b41525400000001
check "card inserted: serial, model, reader, driver and PIN state" \
	sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e25' '$WORLD/kartd.log' | grep 'KART_CARD_SERIAL=$serial' |
		grep 'KART_CARD_MODEL=kartd reference card' | grep 'KART_READER=Virtual PCD 00 00' |
		grep 'KART_DRIVER=pkcs15' | grep -q 'KART_PIN_STATE=ok'"
check "a certificate ending in 10 days: an expiring event with its serial and days left" \
	world_wait_for 5 sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e28' '$WORLD/kartd.log' |
		grep 'KART_CERT_SERIAL=$(openssl x509 -in "$WORLD/ca/expiring.crt" -noout -serial | cut -d= -f2)' |
		grep -q 'KART_CERT_DAYS_LEFT=\(9\|10\)$'"
check_eq "... and only for it (the others end in two years)" 1 \
	"$(event 6f0d3c51a4b84a0c9d2e7b1f3a5c8e28 | wc -l)"

ca() { openssl ca -batch -config "$WORLD/ca/openssl.cnf" "$@" >>"$WORLD/ca.log" 2>&1; }
ca -revoke "$WORLD/ca/sign.crt" -crl_reason keyCompromise
ca -revoke "$WORLD/ca/auth.crt" -crl_reason certificateHold
# (the responder may answer from its index as it was a moment ago: ask until it tells)
revoked_event() {
	call RefreshStatus >/dev/null
	grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e29' "$WORLD/kartd.log" | grep 'KART_CERT_ID=01' |
		grep -q 'KART_CERT_STATUS=revoked'
}
check "OCSP says revoked: an event with the certificate" world_wait_for 10 revoked_event
check "OCSP says on hold: an event" \
	world_wait_for 5 sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e2a' '$WORLD/kartd.log' |
		grep 'KART_CERT_ID=02' | grep -q 'KART_CERT_STATUS=on-hold'"
call RefreshStatus >/dev/null
sleep 0.5
check_eq "... once: asking again with no change logs no second one" 1 \
	"$(event 6f0d3c51a4b84a0c9d2e7b1f3a5c8e29 | wc -l)"

lock_pin
check "the PIN locked: an event with the state" \
	sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e27' '$WORLD/kartd.log' | grep 'KART_CARD_SERIAL=$serial' |
		grep -q 'KART_PIN_STATE=locked'"
check "... beside the audit entries of the PIN calls" \
	sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e22' '$WORLD/kartd.log' | grep -q 'KART_OUTCOME=WrongPin'"

world_card_remove >/dev/null
check "card removed: an event with its serial and reader" \
	world_wait_for 5 sh -c "grep 'MESSAGE_ID=6f0d3c51a4b84a0c9d2e7b1f3a5c8e26' '$WORLD/kartd.log' |
		grep 'KART_CARD_SERIAL=$serial' | grep -q 'KART_READER=Virtual PCD 00 00'"
check "certificate events give the end as UTC ISO 8601" \
	sh -c "event() { grep \"MESSAGE_ID=\$1\" '$WORLD/kartd.log'; }; event 6f0d3c51a4b84a0c9d2e7b1f3a5c8e28 |
		grep -q 'KART_CERT_NOT_AFTER=20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z '"
check_eq "every MESSAGE_ID kartd logged is in the catalog" "" \
	"$(comm -23 <(ids_logged) <(printf '%s\n' "$en_ids"))"
tap_done
