# shellcheck shell=bash
# One PC/SC connection held by scriptor (pcsc-tools) as a coprocess, for
# the tests that drive the simulated card without kartd (sourced after
# tap.sh and world.sh; READER names the reader).
#   sc_open / sc_close   connect (SCARD_SHARE_SHARED, no APDU) / disconnect
#   apdu HEX             sends one APDU; sets DATA (hex, uppercase) and SW,
#                        or SW=GONE when no answer came (card removed)
#   sc_reset             a warm reset (SCardReconnect with SCARD_RESET_CARD);
#                        sets ATR (hex) from scriptor's answer

SCRIPTOR=
sc_open() {
	sc_close
	coproc SC { exec scriptor -u -r "$READER" 2>>"$WORLD/scriptor.log"; }
	SCRIPTOR=$!
	SC_IN=${SC[1]} SC_OUT=${SC[0]}
}
sc_close() {
	[ -n "$SCRIPTOR" ] || return 0
	{ echo exit >&"$SC_IN"; } 2>/dev/null
	wait "$SCRIPTOR" 2>/dev/null
	SCRIPTOR=
}
apdu() {
	local line acc="" started=0
	DATA= SW=GONE
	[ -n "$SCRIPTOR" ] || return 0
	{ echo "$1" >&"$SC_IN"; } 2>/dev/null || { sc_close; return 0; }
	while IFS= read -r -t 10 line <&"$SC_OUT"; do
		case $line in
		"< "*) started=1; acc="${line#< }" ;;
		*) [ $started = 1 ] && acc="$acc $line" ;;
		esac
		if [ $started = 1 ] && [[ $acc == *" : "* ]]; then
			acc=${acc%% : *}
			acc=${acc// /}
			[ ${#acc} -ge 4 ] || break
			DATA=${acc:0:${#acc}-4}
			SW=${acc: -4}
			return 0
		fi
	done
	sc_close
	return 0
}
sc_reset() {
	local line
	ATR=
	echo reset >&"$SC_IN"
	while IFS= read -r -t 10 line <&"$SC_OUT"; do
		case $line in
		"< OK: "*) ATR=${line#< OK: }; ATR=${ATR// /}; break ;;
		"< KO"*) break ;;
		esac
	done
}
