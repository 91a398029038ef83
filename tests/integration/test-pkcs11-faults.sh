#!/bin/bash
# PKCS#11 modules that are missing, not PKCS#11, crash while loading,
# hand out garbage or hang while loading: each gets a clear log line, its
# host is gone, kartd stays up, its loop keeps answering, and the
# simulated card (kartd's own driver) works all along. (Faults after a
# module loaded, and its host's restarts: test-pkcs11-host.sh.)
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

tap_plan 33
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
fake=$(p11_test_module fake)
libc=$(ldd /bin/true | awk '/libc\.so/ { print $3; exit }')
serial=4b41525400000001

# restart MODE CONFIG-LINES...: kartd anew, the fake module in MODE.
restart() {
	export KART_P11_FAKE=$1
	shift
	p11_configure "$@" "CallTimeoutSec=2"
	world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
	p11_wait_card $serial
}
logged() {
	world_wait_for 15 grep -q -- "$1" "$WORLD/kartd.log" && return 0
	grep "PKCS#11 module" "$WORLD/kartd.log" | tail -3 | sed 's/^/# logged instead: /'
	return 1
}
native_ok() { # the simulated card: kartd's own driver, and a PIN verifies
	local c=$card
	card=$(p11_card_path $serial) && [ "$(prop Driver)" = pkcs15 ] &&
		[ -z "$(call VerifyPin 'sa{sv}' 123456 0)" ]
	local rc=$?
	card=$c
	return $rc
}

restart ok "Modules=relative/libfoo.so" $'Modules=/usr/lib/a\001b.so' \
	"Modules=/nonexistent/libmissing-pkcs11.so $libc $fake" "Prefer=kart-p11-fake.so nosuch.so"
check "a relative module path: reported, the line ignored" \
	grep -q "\[PKCS11\] Modules: 'relative/libfoo.so' is not absolute paths separated by spaces" "$WORLD/kartd.log"
# (found by fuzz-conf: a control character went into kartd's paths and log lines)
check "a module path with a control character: reported printable, the line ignored" \
	grep -q "\[PKCS11\] Modules: '/usr/lib/a?b.so' is not absolute paths separated by spaces" "$WORLD/kartd.log"
check "a Prefer= name that is no module: a warning with the file" \
	grep -q "kartd.conf: \[PKCS11\] Prefer names 'nosuch.so', which is no module kartd uses (Modules= or p11-kit's registry), ignoring it." "$WORLD/kartd.log"
logged "PKCS#11 module /nonexistent/libmissing-pkcs11.so: cannot read it: No such file or directory; not using it."
check "a missing module: a clear log line" test $? = 0
logged "PKCS#11 module $libc: it is not a PKCS#11 module (no C_GetFunctionList); not using it."
check "libc: not a PKCS#11 module" test $? = 0
check "the working module next to them is loaded, in a host" \
	logged "PKCS#11 module $fake loaded in its host (PID [0-9]*): fake module"
check "... and serves its token" p11_wait_card FAKE0001
check "the simulated card works with kartd's own driver" native_ok

export KART_P11_FAKE=bad-strings  # (restart waits for FAKE0001)
p11_configure "Modules=$fake" "CallTimeoutSec=2"
world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
check "a token serial that is not UTF-8 reaches the bus cleaned" p11_wait_card "FA&KE? 01/?#"
check_eq "... so do its label and model" "Bad???label?|?[2JModel" "$(prop Label)|$(prop Model)"
check "... and kartctl status still works" sh -c "'$CTL' status | grep -qF 'FA&KE? 01/?#'"

# A module sees PINs, and its host runs as kartd's user: a file, or a
# directory on its way, that someone other than root can change is not
# loaded (the file checked is the one the host loads: opened once).
install -m 0777 "$fake" "$WORLD/kart-p11-anyone.so"
mkdir -p "$WORLD/userdir" && install -m 0755 "$fake" "$WORLD/userdir/kart-p11-fake.so" && chown nobody "$WORLD/userdir"
restart ok "Modules=$WORLD/kart-p11-anyone.so $WORLD/userdir/kart-p11-fake.so"
check "a module file anyone may write: not loaded, said why" \
	logged "PKCS#11 module $WORLD/kart-p11-anyone.so: the file is not root's alone (owner uid 0, mode 0777); not using it."
check "a module in a directory a user owns: not loaded, said why" \
	logged "PKCS#11 module $WORLD/userdir/kart-p11-fake.so: directory $WORLD/userdir can be changed by users other than root; not using it."
no_fake_token() { ! p11_card_path FAKE0001 >/dev/null; }
check "... and neither serves a token" no_fake_token

# One library twice, by the same path and through a link: loaded once
# (two hosts would show each of its tokens twice).
ln -sf "$fake" "$WORLD/kart-p11-fake-link.so"
restart ok "Modules=$fake $fake $WORLD/kart-p11-fake-link.so"
check "a module listed twice: said so, loaded once" \
	logged "PKCS#11 module $fake is listed twice in Modules= (or a link to it is); loading it once."
check "the same library through a link: the same, before any thread calls it" \
	logged "PKCS#11 module $WORLD/kart-p11-fake-link.so is listed twice in Modules= (or a link to it is); loading it once."
check "... and its token is a card all the same" p11_wait_card FAKE0001

# A module whose CKA_VALUE grows between the two calls that read it: what
# it claims past the buffer kartd gave it is never read (heap memory would
# reach any caller of GetCertificate).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=fake -days 1 -outform der \
	-keyout /dev/null -out "$WORLD/fake-cert.der" 2>/dev/null && chmod 644 "$WORLD/fake-cert.der"
export KART_P11_FAKE_CERT=$WORLD/fake-cert.der
restart growing-value "Modules=$fake"
p11_wait_card FAKE0001
# (The module also overruns a buffer of its host's: a host built with
# AddressSanitizer dies of it, and is restarted. That report is expected.)
SANITIZER_EXPECTED='in p11_kit_remote_serve_module'
export SANITIZER_EXPECTED
check "a certificate whose length grows between two reads: unreadable, or its host dies of it" \
	logged "Certificate 01 ('') on the card is unreadable.\|kart-p11-fake.so: its host exited with status 1"
got=$(busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card GetCertificate s 01 2>&1)
size=$(stat -c %s "$WORLD/fake-cert.der")
check "... and GetCertificate hands out no byte beyond what the module wrote" \
	sh -c "! printf '%s' '$got' | grep -q '^ay ' || printf '%s' '$got' | grep -q '^ay $size '"
unset KART_P11_FAKE_CERT

# A module that reports slot events: its token comes and goes.
export KART_P11_FAKE_PRESENT=$WORLD/fake-present
restart ok "Modules=$fake"
check "no token, no card" sh -c "! '$CTL' status | grep -q FAKE0001"
touch "$KART_P11_FAKE_PRESENT"
check "the token comes: C_WaitForSlotEvent makes it a card" p11_wait_card FAKE0001 5
rm "$KART_P11_FAKE_PRESENT"
check "the token goes: so does the card" world_wait_for 5 sh -c "! '$CTL' status | grep -q FAKE0001"
unset KART_P11_FAKE_PRESENT

host_pids() { p11_hosts kart-p11-fake.so; }
no_host() { [ -z "$(host_pids)" ]; }

restart crash "Modules=$fake"
check "a module that crashes while loading: said so" \
	logged "PKCS#11 module $fake: its host was ended by SIGSEGV; not using it."
check "... kartd is still running" kill -0 "$WORLD_KARTD_PID"
check "... no host is left" no_host
check "... the simulated card works" native_ok

restart garbage "Modules=$fake"
check "a module that hands out an empty function list: said so" \
	logged "PKCS#11 module $fake: its C_GetFunctionList fails or returns an unusable list; not using it."
check "... the simulated card works" native_ok

restart block-init "Modules=$fake"
check "a module that hangs in C_Initialize: given up after 2 s" \
	logged "PKCS#11 module $fake: loading it did not finish within 2 s; not using it."
check "... its host is ended" world_wait_for 3 no_host
check "... the simulated card works" native_ok

# A module that hangs while its host loads it, and kartd stopped
# meanwhile: the host goes too.
export KART_P11_FAKE=block-list
p11_configure "Modules=$fake" "CallTimeoutSec=60"
world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
check "a module that hangs in C_GetFunctionList: its host waits in it" world_wait_for 5 host_pids
world_stop_kartd
check "kartd stopped while it loads: no host is left behind" world_wait_for 3 no_host
for pid in $(host_pids); do kill -9 "$pid"; done
tap_done
