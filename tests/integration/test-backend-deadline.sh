#!/bin/bash
# A CA that hangs, fails or answers garbage: every step with it ends within
# [Backend] TimeoutSec, retries included (default 20 s: under the 25 s a
# D-Bus client such as busctl waits), with kartd's error naming the step
# ("Starting the unlock session: the CA did not answer in 20 s."), in the
# user's language through kartctl, while kartd's log names the real reason
# (HTTP 500, not JSON, connection refused: not "No route to host").
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 12
card_start_with_backend
lines=0
new_log() { tail -n +"$((lines + 1))" "$WORLD/kartd.log"; }
mark_log() { lines=$(wc -l <"$WORLD/kartd.log"); }
unlock_busctl() { # busctl with its default timeout (25 s)
	busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card Unlock 'sa{sv}' \
		"$(world_backend_code unblock)" 0 2>&1
}

# --- a CA that takes the session's request and never answers (default TimeoutSec=20)
world_backend_fault sessions delay=40000 1 >/dev/null   # (faults queue up: exact counts)
mark_log
start=$(now_ms)
out=$(unlock_busctl)
took=$(( $(now_ms) - start ))
check "a hanging CA: busctl gets kartd's answer, not its own timeout" \
	grep -q "Starting the unlock session: the CA did not answer in 20 s\." <<<"$out"
grep -q "did not answer" <<<"$out" || echo "# got: $out"
check "... within the 20 s, retries included (${took} ms)" test "$took" -lt 22000
check "... the log says so, with libcurl's words for the administrator" \
	grep -Eq "CA POST https://.*/v1/unblock/sessions failed after 1 attempt: no answer in 20 s \(.*[Tt]imed? ?out" \
	<<<"$(new_log)"

# --- shorter TimeoutSec; kartctl in Turkish
sed -i '/^\[Backend\]/a TimeoutSec=3' "$WORLD/kartd.conf"
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
world_backend_fault sessions delay=40000 2 >/dev/null
world_install_locale >/dev/null
out=$(printf '%s\n' "$(world_backend_code unblock)" | LC_ALL=tr_TR.UTF-8 "$CTL" unlock --stdin 2>&1)
check "kartctl in Turkish: the CA did not answer in 3 s, in Turkish" \
	grep -q "Sertifika makamının hizmeti 3 saniye içinde yanıt vermedi" <<<"$out"
grep -q "yanıt vermedi" <<<"$out" || echo "# got: $out"
out=$(printf '%s\n' "$(world_backend_code unblock)" | LC_ALL=C.UTF-8 "$CTL" unlock --stdin 2>&1)
check "... and in English" grep -q "The certification authority's service did not answer in 3 s" <<<"$out"

# --- the real reason in the log: HTTP 500, garbage, the CA down
reason() { # NAME FAULT LOG-RE
	[ "$2" = down ] && world_stop_backend
	[ "$2" = down ] || world_backend_fault sessions $2 >/dev/null
	mark_log
	out=$(unlock_busctl)
	check "$1: the caller is told the step" grep -q "Starting the unlock session: the CA service cannot be used" <<<"$out"
	grep -q "Starting the unlock session" <<<"$out" || echo "# got: $out"
	check "... the log names the real reason" grep -Eq "CA POST https://.*/v1/unblock/sessions failed after $3" \
		<<<"$(new_log)"
}
reason "HTTP 500 three times" "error 3" "3 attempts: HTTP 500"
reason "an answer that is not JSON" "garbage 1" "1 attempt: the backend answered HTTP 200 without a JSON object"
reason "the CA down" down "3 attempts: .*(Connection refused|Couldn't connect)"
check "kartd never logs a backend failure as 'No route to host'" lacks "$WORLD/kartd.log" -e 'No route to host'
tap_done
