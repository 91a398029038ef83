#!/bin/bash
# Each PKCS#11 module runs in a host process of its own (kart-p11-host),
# shut in: no network, no system bus address, no new privileges, a system
# call filter. A module that crashes or hangs in a call after it loaded
# (C_Login, C_SetPIN, C_FindObjects, C_GetTokenInfo) costs its host only:
# the call is answered, its card shows `unknown` and its PIN calls fail at
# once, kartd and the other cards (kartd's own driver, SoftHSM2's module)
# go on, the host is restarted with backoff and the card comes back
# without a reinsertion; no PIN try is sent twice. A host killed with
# SIGKILL in the middle of C_Login is the same. A module that hangs for
# good is given up, and no thread of kartd's stays behind.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

tap_plan 54
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
p11_softhsm_token "Soft token" 1234 || { echo "Bail out! SoftHSM2 token"; exit 1; }
fake=$(p11_test_module fake)
serial=4b41525400000001
export KART_P11_FAKE_TRIGGER=$WORLD/fault KART_P11_FAKE_LOG=$WORLD/fake.log
rm -f "$KART_P11_FAKE_TRIGGER"

# start MODE [TIMEOUT]: kartd anew, the fake module in MODE beside SoftHSM2's.
start() {
	export KART_P11_FAKE=$1
	rm -f "$KART_P11_FAKE_TRIGGER"
	: >"$KART_P11_FAKE_LOG"	# the module writes it as kartd's user
	[ -z "${KART_KARTD_USER:-}" ] || chown "$KART_KARTD_USER:" "$KART_P11_FAKE_LOG"
	p11_configure "Modules=$fake $SOFTHSM_MODULE" "CallTimeoutSec=${2:-2}"
	world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
	p11_wait_card $serial
	p11_wait_card FAKE0001 || { echo "Bail out! no fake token"; exit 1; }
	fake_card=$card
}
# armed MODE [TIMEOUT]: start, then the fault armed, card the fake token.
armed() {
	start "$@"
	touch "$KART_P11_FAKE_TRIGGER"
	card=$fake_card
}
logged() { world_wait_for "${2:-10}" grep -q -- "$1" "$WORLD/kartd.log"; }
host_pid() { p11_hosts kart-p11-fake.so; }
fake_host_runs() { [ -n "$(host_pid)" ]; }
no_fake_host() { [ -z "$(host_pid)" ]; }
logins() { grep -c "^${1:-login}$" "$KART_P11_FAKE_LOG" 2>/dev/null || true; }
fake_back() { card=$fake_card; [ "$(prop Driver 2>/dev/null)" = "pkcs11:kart-p11-fake.so" ] && [ "$(prop PinState)" = ok ]; }
others_ok() { # the simulated card (kartd's driver) and SoftHSM2's token (its own host)
	local c=$card ok=0
	card=$(p11_card_path $serial) && [ -z "$(call VerifyPin 'sa{sv}' 123456 0)" ] || ok=1
	card=$(p11_card_path "$(softhsm_serial)") && [ -z "$(call VerifyPin 'sa{sv}' 1234 0)" ] || ok=1
	card=$c
	return $ok
}
softhsm_serial() { softhsm2-util --show-slots 2>/dev/null | awk '/Serial number:/ && $3 != "" { print $3; exit }'; }
card_unknown() { card=$fake_card; [ "$(prop PinState)" = unknown ]; }

# ---- the sandbox
start sandbox-probe
check_eq "the module cannot open a network socket, only AF_UNIX ones" "inet:E97 unix:ok" "$(prop Label)"
check "... nor sees the system bus's address in its environment" sh -c "'$CTL' status | grep -q 'bus:none'"
pid=$(host_pid)
check "its host is a process of its own, kartd's child" test "$(ps -o ppid= -p "$pid" | tr -d ' ')" = "$WORLD_KARTD_PID"
check "... with no new privileges and a system call filter" \
	sh -c "grep -q '^NoNewPrivs:.1' /proc/$pid/status && grep -q '^Seccomp:.2' /proc/$pid/status"
check "... not dumpable: it runs as kartd's user, its /proc files are root's" \
	sh -c "[ \"\$(ps -o user= -p $pid)\" = '${KART_KARTD_USER:-root}' ] && [ \"\$(stat -c %U /proc/$pid/environ)\" = root ]"
check "... and SoftHSM2's module has a host of its own" test -n "$(p11_hosts libsofthsm2.so)"

# The AKİS module's quirk: CKF_OS_LOCKING_OK refused. The host initializes
# it with NULL, and p11-kit's server never passes it the flag.
start no-locking
check "a module that refuses CKF_OS_LOCKING_OK loads and serves its token" \
	sh -c "[ -z \"\$(busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1)\" ]"
p11_configure "Modules=$fake" "OSLocking=kart-p11-fake.so" "CallTimeoutSec=2"
world_restart_kartd >/dev/null
check "... and given the flag (OSLocking=yes) it refuses, said so" \
	logged "PKCS#11 module $fake: its C_Initialize failed (try the module in or out of \[PKCS11\] OSLocking=); not using it."

# ---- a crash in C_Login
armed crash-login
out=$(call VerifyPin 'sa{sv}' 123456 0)
check "a crash in C_Login: VerifyPin is answered CardUnavailable" grep -q 'module stopped' <<<"$out"
check "... the log names the crash" logged "PKCS#11 module $fake: its host was ended by SIGSEGV; its cards are unavailable until its host is restarted, in 1 s."
check_eq "... its PinState is unknown" unknown "$(prop PinState)"
check "... a PIN call now fails at once, without the module" \
	sh -c "timeout 1 busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1 | grep -q 'module stopped'"
check "... kartd, the simulated card and SoftHSM2's token go on" others_ok
check "the host is restarted, and the card comes back without a reinsertion" world_wait_for 10 fake_back
rm -f "$KART_P11_FAKE_TRIGGER"
check "... its PIN verifies" sh -c "[ -z \"\$(busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1)\" ]"
check_eq "... and the module saw two C_Login: the one it crashed in was never sent again" 2 "$(logins)"

# ---- SIGKILL of the host in the middle of C_Login
armed hang-login 20
t0=$EPOCHREALTIME
call VerifyPin 'sa{sv}' 123456 0 >"$WORLD/killed.out" &
caller=$!
check "VerifyPin waits in C_Login" world_wait_for 5 sh -c "[ \"\$(grep -c '^login$' '$KART_P11_FAKE_LOG')\" = 1 ]"
check "... meanwhile the bus answers and the other cards work" others_ok
kill -KILL "$(host_pid)"
wait $caller
t1=$EPOCHREALTIME
check "the host killed mid-C_Login: the call is answered CardUnavailable" grep -q "module stopped" "$WORLD/killed.out"
check "... at once, not after CallTimeoutSec (20 s)" test $(( (${t1/./} - ${t0/./}) / 1000000 )) -lt 10
check "... the log says how the host ended" logged "PKCS#11 module $fake: its host was ended by SIGKILL"
rm -f "$KART_P11_FAKE_TRIGGER"
check "... the card comes back" world_wait_for 10 fake_back
check_eq "... and C_Login was sent once" 1 "$(logins)"

# ---- a hang in C_Login: CallTimeoutSec, then the host is killed
armed hang-login
out=$(call VerifyPin 'sa{sv}' 123456 0)
check "a hang in C_Login: VerifyPin is answered Timeout" grep -q 'does not answer' <<<"$out"
check "... the log says which call hung" logged "PKCS#11 module $fake: it did not answer within 2 s (verifying the PIN)"
check "... its host was killed, and a new one runs" world_wait_for 10 fake_host_runs
rm -f "$KART_P11_FAKE_TRIGGER"
check "... the card comes back" world_wait_for 10 fake_back
check_eq "... C_Login was sent once" 1 "$(logins)"

# ---- C_SetPIN
for fault in crash hang; do
	armed $fault-setpin
	out=$(call ChangePin 'ssa{sv}' 123456 654321 0)
	check "a $fault in C_SetPIN: ChangePin is answered, an error" grep -q 'module stopped\|does not answer' <<<"$out"
	check "... kartd and the other cards go on" others_ok
	rm -f "$KART_P11_FAKE_TRIGGER"
	check "... the card comes back" world_wait_for 12 fake_back
	check_eq "... C_SetPIN was sent once" 1 "$(logins set-pin)"
done

# ---- C_GetTokenInfo, which a PIN call reads the token's flags with first
for fault in crash hang; do
	armed $fault-tokeninfo
	out=$(call VerifyPin 'sa{sv}' 123456 0)
	check "a $fault in C_GetTokenInfo: VerifyPin is answered, an error" grep -q 'module stopped\|does not answer' <<<"$out"
	check_eq "... no C_Login was sent" 0 "$(logins)"
	rm -f "$KART_P11_FAKE_TRIGGER"
	check "... the card comes back" world_wait_for 12 fake_back
done

# ---- C_FindObjects, when the token is read again after a restart
for fault in crash hang; do
	start $fault-find
	touch "$KART_P11_FAKE_TRIGGER"
	kill -KILL "$(host_pid)"
	case $fault in
	crash) said="its host was ended by SIGSEGV" ;;
	hang) said="it did not answer within 2 s (reading the token)" ;;
	esac
	check "a $fault in C_FindObjects while the token is read again: its host restarts anew" \
		logged "PKCS#11 module $fake: $said; its cards are unavailable until its host is restarted, in 2 s." 10
	check "... kartd and the other cards go on" others_ok
	rm -f "$KART_P11_FAKE_TRIGGER"
	check "... disarmed, the card comes back" world_wait_for 15 fake_back
done

# ---- a module that hangs for good: given up, no thread left behind
start ok
threads_ok=$(ls "/proc/$WORLD_KARTD_PID/task" | wc -l)
export KART_P11_FAKE=hang-tokeninfo
world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
p11_wait_card FAKE0001
threads=$(ls "/proc/$WORLD_KARTD_PID/task" | wc -l)
touch "$KART_P11_FAKE_TRIGGER"
card=$(p11_card_path FAKE0001)
call VerifyPin 'sa{sv}' 123456 0 >/dev/null
check "a module whose host hangs at every start: given up after 5 restarts" \
	logged "PKCS#11 module $fake: it did not answer within 2 s (.*); its host ended 6 times in a row, no longer using the module." 80
check "... no host of it is left" world_wait_for 5 no_fake_host
check_eq "... kartd has as many threads as before (no thread left in the module)" "$threads" \
	"$(ls "/proc/$WORLD_KARTD_PID/task" | wc -l)"
check "... the other cards work" others_ok
world_stop_kartd
check "kartd exits cleanly on SIGTERM" test $? = 0
check_eq "(with the fake module alone kartd had the same threads)" "$threads_ok" "$threads"
tap_done
