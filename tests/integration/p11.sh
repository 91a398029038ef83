# shellcheck shell=bash
# Helpers for the PKCS#11 tests (sourced after tap.sh and world.sh).

SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so

# The installed OpenSC PKCS#11 module, wherever the architecture puts it.
p11_opensc_module() {
	dpkg -L opensc-pkcs11 2>/dev/null | grep -m1 '/opensc-pkcs11\.so$'
}

# p11_test_module NAME: the test module tests/p11/kart-p11-NAME.so, copied
# into $WORLD (the build tree may be unreadable to the kartd user); prints
# the copy's path.
p11_test_module() {
	install -m 0755 "$KART_TOP_BUILDDIR/tests/p11/kart-p11-$1.so" "$WORLD/kart-p11-$1.so"
	echo "$WORLD/kart-p11-$1.so"
}

# p11_softhsm_token LABEL PIN: a private SoftHSM2 (SOFTHSM2_CONF in
# $WORLD, exported for kartd too) with one token and the test CA's signing
# certificate on it, ID 01, label "sign".
p11_softhsm_token() {
	mkdir -p "$WORLD/softhsm/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$WORLD/softhsm/tokens" >"$WORLD/softhsm/softhsm2.conf"
	export SOFTHSM2_CONF=$WORLD/softhsm/softhsm2.conf
	softhsm2-util --init-token --free --label "$1" --so-pin 87654321 --pin "$2" >/dev/null &&
	pkcs11-tool --module "$SOFTHSM_MODULE" --login --pin "$2" --write-object "$WORLD/ca/sign.der" \
		--type cert --id 01 --label sign >/dev/null 2>&1 || return 1
	[ -z "${KART_KARTD_USER:-}" ] || [ "$(id -u)" != 0 ] || chown -R "$KART_KARTD_USER:" "$WORLD/softhsm"
}

# p11_configure LINES...: replaces the [PKCS11] section of $WORLD/kartd.conf
# (the machine's p11-kit registry left out unless a line says Registry=yes).
p11_configure() {
	sed -i '/^\[PKCS11\]/,/^\[/{/^\[PKCS11\]/d;/^\[/!d}' "$WORLD/kartd.conf"
	printf '[PKCS11]\nRegistry=no\n' >>"$WORLD/kartd.conf"
	printf '%s\n' "$@" >>"$WORLD/kartd.conf"
}

# The object path of the card with serial $1 (empty when there is none).
p11_card_path() {
	local p
	for p in $(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
		grep -o '"/[^"]*"' | tr -d '"'); do
		busctl --system get-property org.kartd.Kartd1 "$p" org.kartd.Kartd1.Card Serial 2>/dev/null |
			grep -q "\"$1\"" && { echo "$p"; return 0; }
	done
	return 1
}

# Waits until kartd shows a card with serial $1; sets card to its path.
# shellcheck disable=SC2034 # card is the caller's (card.sh's prop and call)
p11_wait_card() {
	local t=${2:-10}
	[ -z "${KART_VALGRIND_DIR:-}" ] || t=$((t * 6))	# (kartd under valgrind)
	world_wait_for "$t" p11_card_path "$1" && card=$(p11_card_path "$1")
}

# p11_hosts MODULE-FILE-NAME: the PIDs of this world's kart-p11-host
# processes for that module (tests run in parallel: another world's hosts
# have their own RUNTIME_DIRECTORY), one per line.
p11_hosts() {
	local p
	for p in $(pgrep -fx "kart-p11-host $1"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "RUNTIME_DIRECTORY=$WORLD/run" && echo "$p"
	done
	return 0
}
