#!/bin/bash
# The PKCS#11 modules p11-kit's registry enables for kartd are used beside
# those of Modules=: a .module file in /etc/pkcs11/modules (placed by the
# test, removed afterwards) brings its module's token in, enable-in: and
# disable-in: are honoured with the program name "kartd", the same library
# reached both ways is loaded once, Registry=no leaves the registry out,
# and doc/examples/libakisp11.module works for a module that, like AKİS's,
# refuses CKF_OS_LOCKING_OK.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"
. "$(dirname "$0")/p11.sh"

tap_plan 11
world_start --no-kartd || { echo "Bail out! the test world did not start"; exit 1; }
fake=$(p11_test_module fake)
registry=/etc/pkcs11/modules
made_dir=
[ -d "$registry" ] || { mkdir -p "$registry" && made_dir=1; }
entry=$registry/kart-test-fake.module
cleanup() { rm -f "$entry"; [ -z "$made_dir" ] || rmdir "$registry" 2>/dev/null; world_stop; }
trap cleanup EXIT

# register LINES...: the fake module in the registry with these lines.
register() {
	printf 'module: %s\n' "$fake" >"$entry"
	printf '%s\n' "$@" >>"$entry"
	chmod 0644 "$entry"
}
# start CONFIG-LINES...: kartd anew with this [PKCS11] section.
start() {
	p11_configure "$@"
	world_restart_kartd >/dev/null || { echo "Bail out! kartd did not start"; exit 1; }
	world_wait_for 10 p11_card_path 4b41525400000001 >/dev/null
}
hosts() { p11_hosts kart-p11-fake.so | wc -l; }
no_fake() { sleep 2; ! p11_card_path FAKE0001 >/dev/null; }
export KART_P11_FAKE=ok

register
start "Registry=yes"
check "a module registered in /etc/pkcs11/modules: its token is a card" p11_wait_card FAKE0001
check_eq "... Driver names the module" "pkcs11:kart-p11-fake.so" "$(prop Driver)"
check "... kartctl status names it" sh -c "'$CTL' status | grep -A6 FAKE0001 | grep -q 'Driver: pkcs11:kart-p11-fake.so'"
check "... it runs in a host of its own" test "$(hosts)" = 1

start "Registry=no"
check "Registry=no: the registry is left out" no_fake

register "disable-in: kartd"
start "Registry=yes"
check "disable-in: kartd: not used" no_fake

register "enable-in: firefox"
start "Registry=yes"
check "enable-in: another program only: not used" no_fake

register "enable-in: firefox kartd"
start "Registry=yes" "Modules=$WORLD/kart-p11-fake.so"
check "enable-in naming kartd, and the same file in Modules=: its token is a card" p11_wait_card FAKE0001
check_eq "... loaded once: one host" 1 "$(hosts)"

# The shipped example, pointed at a module that refuses CKF_OS_LOCKING_OK.
sed "s|^module: .*|module: $fake|" "$KART_TOP_SRCDIR/doc/examples/libakisp11.module" >"$entry"
export KART_P11_FAKE=no-locking
start "Registry=yes"
check "doc/examples/libakisp11.module: a module that refuses CKF_OS_LOCKING_OK serves its token" \
	p11_wait_card FAKE0001
check "... and its PIN verifies through the host" sh -c "[ -z \"\$(busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card VerifyPin 'sa{sv}' 123456 0 2>&1)\" ]"
tap_done
