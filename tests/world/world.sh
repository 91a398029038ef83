# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The test world: real components in a temporary directory, started and
# stopped by PID (see test-world.md in the design notes). Sourced by the
# integration tests, the demo and the benchmarks:
#
#   . tests/world/world.sh
#   world_start [--no-kartd] [--no-card] [--no-pcscd] [--polkit] [--no-ocsp]
#
# world_start makes WORLD=$(mktemp -d) and starts, each waited for:
#   - a private "system" dbus-daemon with the project's bus policy
#     (exports DBUS_SYSTEM_BUS_ADDRESS; no bus activation),
#   - polkitd (only with --polkit; as root, it drops to user polkitd),
#   - pcscd with a vpcd reader on free ports PORT and PORT+1 and its own
#     socket (exports PCSCLITE_CSOCK_NAME, WORLD_VPCD_PORT),
#   - the test CA in $WORLD/ca (exports OCSP_PORT, a free port written into
#     the certificates' AIA) and its OCSP responder, `openssl ocsp`, on
#     that port (unless --no-ocsp); $WORLD/kartd.conf trusts the CA,
#   - the card simulator with $WORLD/card.profile, inserted unless --no-card
#     (then it runs with --no-insert: world_card_insert inserts the card);
#     with a card and pcscd, world_start returns once pcscd sees the card,
#   - kartd --debug --config $WORLD/kartd.conf (stderr to $WORLD/kartd.log)
#     unless --no-kartd; it is up when it owns org.kartd.Kartd1.
# It also exports OPENSC_CONF (OpenSC as an independent client), NO_PROXY,
# WORLD and the PIDs WORLD_DBUS_PID WORLD_POLKIT_PID WORLD_PCSCD_PID
# WORLD_CARDSIM_PID WORLD_KARTD_PID WORLD_OCSP_PID, and installs an EXIT/INT/TERM/HUP trap
# that calls world_stop. A component that does not come up within 10 s (or
# dies while starting) is named on stderr with the tail of its log, and
# world_start returns 1. Two worlds can run side by side.
#
# Inputs (environment; defaults relative to this file):
#   KART_TOP_SRCDIR KART_TOP_BUILDDIR  both default to ../.. of this file
#   KARTD              $KART_TOP_BUILDDIR/daemon/kartd
#   KART_KARTD_ARGS    extra arguments for kartd (word-split)
#   KART_KARTD_USER    run kartd as this user (default kartd, made with useradd
#                      if missing; empty: as the caller)
#   KART_CARDSIM       $KART_TOP_BUILDDIR/sim/cardsim/kart-cardsim
#   KART_BACKEND_SIM   $KART_TOP_BUILDDIR/sim/backend/kart-backend-sim
#   KART_BACKEND_MASTER_KEY  the backend's K_master (the cardsim default's)
#   KART_CARD_PROFILE  card profile to copy ($KART_TOP_SRCDIR/sim/cardsim/default.profile)
#   KART_BACKEND_PASSWORD  the test account's web password (kart-test-pw)
#   KART_READER_FRIENDLYNAME  the vpcd reader's name before " 00 00" (Virtual PCD)
#   KART_PCSCD_LAUNCH  $KART_TOP_BUILDDIR/tests/world/pcscd-launch
#   KART_BUS_POLICY    $KART_TOP_BUILDDIR/dbus/org.kartd.Kartd1.conf, else the srcdir one
#   KART_MAKE_TEST_CA  $KART_TOP_SRCDIR/sim/ca/make-test-ca
#   WORLD_KEEP=1       world_stop keeps $WORLD (and says where)
#
# Functions:
#   world_start [--no-kartd] [--no-card] [--no-pcscd] [--polkit] [--no-ocsp]
#   world_stop                        idempotent; TERM, KILL after 2 s; removes $WORLD
#   world_start_kartd [ARGS...]       (re)start kartd alone
#   world_stop_kartd [SIGNAL]         waits for the exit, returns kartd's exit status
#   world_restart_kartd [ARGS...]
#   world_start_pcscd / world_stop_pcscd / world_restart_pcscd
#   world_start_polkit
#   world_start_ocsp [ARGS...] / world_stop_ocsp   the responder; ARGS replace
#                                     the signer (default -rsigner ocsp.crt -rkey ocsp.key)
#   world_start_cardsim [ARGS...] / world_stop_cardsim   e.g. ARGS = --no-insert
#   world_start_backend [ARGS...] / world_stop_backend   the reference backend
#                                     (sim/backend; never started by world_start):
#                                     $WORLD/backend/{data.json,state/}, exports
#                                     BACKEND_PORT WORLD_BACKEND_PID, adds [Backend]
#                                     URL= and CAFile= to $WORLD/kartd.conf
#   world_backend_code [unblock|cert] / world_backend_sms / world_backend_fault ...
#   world_card_insert / world_card_remove    via the simulator's control socket
#   world_card_present                true when pcscd sees a card in the reader
#   world_cardsim CMD [ARGS...]       any control command; prints the reply
#   world_wait_for SECONDS CMD...     polls CMD (quietly) every 0.05 s; 1 on timeout
#   world_install_locale              po/tr.gmo -> $WORLD/locale, exports KART_LOCALEDIR
#
# Logs, all in $WORLD: dbus.log polkitd.log pcscd.log ca.log ocsp.log cardsim.log kartd.log backend.log.

_world_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${KART_TOP_SRCDIR:=$_world_top}"
: "${KART_TOP_BUILDDIR:=$_world_top}"
: "${KARTD:=$KART_TOP_BUILDDIR/daemon/kartd}"
: "${KART_P11_HOST_BIN:=$KART_TOP_BUILDDIR/daemon/p11host/kart-p11-host}"
: "${KART_CARDSIM:=$KART_TOP_BUILDDIR/sim/cardsim/kart-cardsim}"
: "${KART_BACKEND_SIM:=$KART_TOP_BUILDDIR/sim/backend/kart-backend-sim}"
: "${KART_BACKEND_MASTER_KEY:=000102030405060708090A0B0C0D0E0F}"
: "${KART_KARTD_USER=kartd}"     # empty: kartd runs as the caller (root)
: "${KART_CARD_PROFILE:=$KART_TOP_SRCDIR/sim/cardsim/default.profile}"
: "${KART_PCSCD_LAUNCH:=$KART_TOP_BUILDDIR/tests/world/pcscd-launch}"
: "${KART_MAKE_TEST_CA:=$KART_TOP_SRCDIR/sim/ca/make-test-ca}"
if [ -z "${KART_BUS_POLICY:-}" ]; then
	KART_BUS_POLICY=$KART_TOP_BUILDDIR/dbus/org.kartd.Kartd1.conf
	[ -f "$KART_BUS_POLICY" ] || KART_BUS_POLICY=$KART_TOP_SRCDIR/dbus/org.kartd.Kartd1.conf
fi
export KART_TOP_SRCDIR KART_TOP_BUILDDIR

# A world belongs to the shell that started it. WORLD and the PIDs are
# exported so that child scripts can talk to it (world_cardsim ...), but
# only the owner stops it: a child that sources this file and calls
# world_start gets a world of its own.
if [ "${_WORLD_OWNED:-0}" != 1 ]; then
	_WORLD_OWNED=0
	WORLD_PIDS=()
	WORLD=${WORLD:-}
fi
_WORLD_POLKITD=/usr/lib/polkit-1/polkitd
_WORLD_TIMEOUT=${KART_VALGRIND_DIR:+60}	# (kartd starts slowly under valgrind)
_WORLD_TIMEOUT=${_WORLD_TIMEOUT:-10}

# ------------------------------------------------------------------ helpers

_world_now_us() { echo "${EPOCHREALTIME//[.,]/}"; }

# WORLD_TRACE=1: world_start says on stderr how long each step took.
_world_trace() {
	[ "${WORLD_TRACE:-0}" = 1 ] || return 0
	local now=${EPOCHREALTIME//[.,]/}
	echo "world: +$(( (now - _world_t0) / 1000 )) ms: $*" >&2
}

# world_wait_for SECONDS COMMAND...: runs COMMAND (output discarded) every
# 50 ms until it succeeds; returns 1 after SECONDS (fractions allowed).
world_wait_for() {
	local t=$1 int frac deadline
	shift
	int=${t%%.*}
	frac=000000
	[[ $t == *.* ]] && frac=${t#*.}000000
	deadline=$(( $(_world_now_us) + 10#${int:-0} * 1000000 + 10#${frac:0:6} ))
	until "$@" >/dev/null 2>&1; do
		[ "$(_world_now_us)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
	return 0
}

# _world_wait_up NAME PID LOG COMMAND...: like world_wait_for with the
# standard timeout, but gives up as soon as PID dies; on failure names the
# component and shows the tail of its log.
_world_wait_up() {
	local name=$1 pid=$2 log=$3 deadline
	shift 3
	deadline=$(( $(_world_now_us) + _WORLD_TIMEOUT * 1000000 ))
	until "$@" >/dev/null 2>&1; do
		if ! kill -0 "$pid" 2>/dev/null; then
			_world_fail "$name" "$log" "exited while starting"
			return 1
		fi
		if [ "$(_world_now_us)" -ge "$deadline" ]; then
			_world_fail "$name" "$log" "did not come up within ${_WORLD_TIMEOUT} s"
			return 1
		fi
		sleep 0.05
	done
	return 0
}

# _world_fail NAME LOG WHAT
_world_fail() {
	echo "world: $1 ${3:-did not come up} (log: $2)" >&2
	if [ -s "$2" ]; then
		tail -n 20 "$2" | sed "s|^|world: $1: |" >&2
	fi
	return 1
}

_world_need() { # FILE WHAT
	[ -x "$1" ] && return 0
	echo "world: $2 not found or not executable: $1 (build it first?)" >&2
	return 1
}

# _world_spawn VAR LOG COMMAND...: starts COMMAND in the background, stdin
# from /dev/null, stdout and stderr appended to LOG; stores its PID in VAR
# and remembers it for world_stop. The process gets SIGTERM should this
# shell die without running its traps (setpriv --pdeathsig); the PID stays
# the command's own, since setpriv execs it.
_world_spawn() {
	local var=$1 log=$2
	shift 2
	if [ -n "${_WORLD_SETPRIV:-}" ]; then
		"$_WORLD_SETPRIV" --pdeathsig TERM "$@" </dev/null >>"$log" 2>&1 &
	else
		"$@" </dev/null >>"$log" 2>&1 &
	fi
	printf -v "$var" %s "$!"
	export "${var?}"
	WORLD_PIDS+=("$!")
}
_WORLD_SETPRIV=$(command -v setpriv 2>/dev/null || true)

_world_forget() { # PID: drop it from WORLD_PIDS
	local p keep=()
	for p in "${WORLD_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	WORLD_PIDS=("${keep[@]}")
}

# _world_kill PID...: TERM, then KILL whatever still runs after 2 s; reaps.
_world_kill() {
	local p alive deadline
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null || true
	deadline=$(( $(_world_now_us) + 2000000 ))
	while :; do
		alive=()
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive+=("$p")
		done
		[ ${#alive[@]} -gt 0 ] || break
		if [ "$(_world_now_us)" -ge "$deadline" ]; then
			kill -KILL "${alive[@]}" 2>/dev/null || true
			break
		fi
		sleep 0.02
	done
	for p in "$@"; do
		wait "$p" 2>/dev/null || true
	done
	return 0
}

# A random port P such that neither P nor P+1 is in use (vpcd listens on
# both) nor among the arguments.
_world_free_port() {
	local used p i
	used=" $(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') $* "
	for (( i = 0; i < 500; i++ )); do
		p=$(( 20000 + SRANDOM % 40000 ))
		case $used in
		*" $p "* | *" $((p + 1)) "*) continue ;;
		esac
		echo "$p"
		return 0
	done
	echo "world: no free port pair found" >&2
	return 1
}

# ------------------------------------------------------------------ dbus

_world_start_bus() {
	if [ ! -f "$KART_BUS_POLICY" ]; then
		echo "world: bus policy not found: $KART_BUS_POLICY" >&2
		return 1
	fi
	mkdir -p "$WORLD/system.d"
	cp "$KART_BUS_POLICY" "$WORLD/system.d/"
	# No <standard_system_servicedirs/>: without it dbus-daemon would itself
	# exec activatable services (polkitd, hostnamed, ...) outside the world.
	sed -e '/<user>.*<\/user>/d' -e '/<fork\/>/d' -e '/<pidfile>.*<\/pidfile>/d' \
	    -e '/<syslog\/>/d' -e '/<servicehelper>.*<\/servicehelper>/d' \
	    -e '/<standard_system_servicedirs\/>/d' \
	    -e "s|<listen>.*</listen>|<listen>unix:path=$WORLD/system_bus_socket</listen>|" \
	    -e "s|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>\n  <includedir>$WORLD/system.d</includedir>|" \
	    /usr/share/dbus-1/system.conf >"$WORLD/bus.conf"
	if ! grep -q "<includedir>$WORLD/system.d</includedir>" "$WORLD/bus.conf"; then
		echo "world: could not adapt /usr/share/dbus-1/system.conf" >&2
		return 1
	fi
	: >"$WORLD/addr"
	_world_spawn WORLD_DBUS_PID "$WORLD/dbus.log" \
		dbus-daemon --config-file="$WORLD/bus.conf" --nofork --print-address=3 3>"$WORLD/addr"
	_world_wait_up dbus-daemon "$WORLD_DBUS_PID" "$WORLD/dbus.log" test -s "$WORLD/addr" || return 1
	DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$WORLD/addr")
	export DBUS_SYSTEM_BUS_ADDRESS
	# dbus-daemon only logs errors in <includedir> files and goes on without
	# them; a world with a broken project policy must not start.
	if grep -q "while parsing '$WORLD/system.d/" "$WORLD/dbus.log"; then
		_world_fail dbus-daemon "$WORLD/dbus.log" "rejected the bus policy $KART_BUS_POLICY"
		return 1
	fi
}

# ------------------------------------------------------------------ polkitd

world_start_polkit() {
	local -
	set +e
	_world_need "$_WORLD_POLKITD" polkitd || return 1
	if [ -n "${WORLD_POLKIT_PID:-}" ] && kill -0 "$WORLD_POLKIT_PID" 2>/dev/null; then
		echo "world: polkitd is already running (pid $WORLD_POLKIT_PID)" >&2
		return 1
	fi
	_world_spawn WORLD_POLKIT_PID "$WORLD/polkitd.log" "$_WORLD_POLKITD" --no-debug
	_world_wait_up polkitd "$WORLD_POLKIT_PID" "$WORLD/polkitd.log" \
		busctl --system status org.freedesktop.PolicyKit1
}

# ------------------------------------------------------------------ pcscd

_world_pcscd_up() {
	# (grep on a here-string: no SIGPIPE to trip a caller's pipefail)
	[ -S "$PCSCLITE_CSOCK_NAME" ] &&
		grep -q "pid=$WORLD_PCSCD_PID," <<<"$(ss -Hltnp "sport = :$WORLD_VPCD_PORT" 2>/dev/null)"
}

world_start_pcscd() {
	local -
	set +e
	_world_need "$KART_PCSCD_LAUNCH" pcscd-launch || return 1
	if [ -n "${WORLD_PCSCD_PID:-}" ] && kill -0 "$WORLD_PCSCD_PID" 2>/dev/null; then
		echo "world: pcscd is already running (pid $WORLD_PCSCD_PID)" >&2
		return 1
	fi
	mkdir -p "$WORLD/reader.conf.d"
	cat >"$WORLD/reader.conf.d/vpcd" <<-EOF
	FRIENDLYNAME "${KART_READER_FRIENDLYNAME:-Virtual PCD}"
	DEVICENAME   /dev/null:$WORLD_VPCD_PORT
	LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
	CHANNELID    $WORLD_VPCD_PORT
	EOF
	# pcscd -f logs to stdout.
	_world_spawn WORLD_PCSCD_PID "$WORLD/pcscd.log" \
		"$KART_PCSCD_LAUNCH" "$PCSCLITE_CSOCK_NAME" -- pcscd -f -c "$WORLD/reader.conf.d"
	_world_wait_up pcscd "$WORLD_PCSCD_PID" "$WORLD/pcscd.log" _world_pcscd_up
}

world_stop_pcscd() {
	local -
	set +e
	[ -n "${WORLD_PCSCD_PID:-}" ] || return 0
	_world_kill "$WORLD_PCSCD_PID"
	_world_forget "$WORLD_PCSCD_PID"
	WORLD_PCSCD_PID=
	return 0
}

world_restart_pcscd() {
	world_stop_pcscd
	world_start_pcscd
}

# True when pcscd sees a card in the vpcd reader (slot 0).
world_card_present() {
	LC_ALL=C grep -aEq '^[0-9]+ +Yes .* 00 00' <<<"$(opensc-tool -l 2>/dev/null)"  # (the one vpcd reader, any name)
}

# ------------------------------------------------------------------ test CA, card profile

_world_start_ca() {
	_world_need "$KART_MAKE_TEST_CA" make-test-ca || return 1
	OCSP_PORT=$(_world_free_port "$WORLD_VPCD_PORT" "$((WORLD_VPCD_PORT + 1))") || return 1
	export OCSP_PORT
	"$KART_MAKE_TEST_CA" "$WORLD/ca" </dev/null >"$WORLD/ca.log" 2>&1 &
	_WORLD_CA_PID=$!
	WORLD_PIDS+=("$_WORLD_CA_PID")
}

_world_finish_ca() {
	local rc=0
	wait "$_WORLD_CA_PID" 2>/dev/null || rc=$?
	_world_forget "$_WORLD_CA_PID"
	_WORLD_CA_PID=
	if [ "$rc" != 0 ]; then
		_world_fail "test CA (make-test-ca)" "$WORLD/ca.log" "failed with status $rc"
		return 1
	fi
	_world_write_profile
	# kartd may run as another user: the CA's files are private.
	install -m 0644 "$WORLD/ca/ca.crt" "$WORLD/trust.pem"
	# The machine's p11-kit registry stays out (test-pkcs11-registry.sh
	# sets Registry=yes); [OCSP] stays last, for the tests that add to it.
	cat >"$WORLD/kartd.conf" <<-EOF
	[PKCS11]
	Registry=no
	[OCSP]
	TrustFile=$WORLD/trust.pem
	TrustDirectory=
	TimeoutSec=5
	# the tests ask anew on every RefreshStatus (test-ocsp sets its own)
	RefreshIntervalSec=0
	EOF
	chmod 0644 "$WORLD/kartd.conf"
}

# world_start_ocsp [ARGS...]: the test CA's OCSP responder on $OCSP_PORT
# (answers valid for a minute); ARGS replace the default signer options.
world_start_ocsp() {
	local -
	set +e
	local signer=(-rsigner "$WORLD/ca/ocsp.crt" -rkey "$WORLD/ca/ocsp.key")
	[ $# -eq 0 ] || signer=("$@")
	if [ -n "${WORLD_OCSP_PID:-}" ] && kill -0 "$WORLD_OCSP_PID" 2>/dev/null; then
		echo "world: the OCSP responder is already running (pid $WORLD_OCSP_PID)" >&2
		return 1
	fi
	_world_spawn WORLD_OCSP_PID "$WORLD/ocsp.log" openssl ocsp -index "$WORLD/ca/index.txt" \
		-port "$OCSP_PORT" "${signer[@]}" -CA "$WORLD/ca/ca.crt" -nmin 1 -ignore_err
	_world_wait_up "OCSP responder" "$WORLD_OCSP_PID" "$WORLD/ocsp.log" \
		sh -c "ss -Htln 'sport = :$OCSP_PORT' | grep -q ."
}

world_stop_ocsp() {
	local -
	set +e
	[ -n "${WORLD_OCSP_PID:-}" ] || return 0
	_world_kill "$WORLD_OCSP_PID"
	_world_forget "$WORLD_OCSP_PID"
	WORLD_OCSP_PID=
	return 0
}

# $WORLD/card.profile: a copy of $KART_CARD_PROFILE whose [certificates]
# entries point at $WORLD/ca (same file names); when that section names no
# certificate, it gets sign, auth and expiring from the test CA.
_world_write_profile() {
	local defaults="" c
	for c in sign auth expiring; do
		[ -f "$WORLD/ca/$c.der" ] && defaults="$defaults $c"
	done
	awk -v ca="$WORLD/ca" -v defaults="$defaults" '
	function add_defaults(   n, i, d) {
		n = split(defaults, d, " ")
		for (i = 1; i <= n; i++)
			print d[i] " = " ca "/" d[i] ".der"
	}
	/^[ \t]*\[/ {
		if (incert && !seen) add_defaults()
		incert = ($0 ~ /^[ \t]*\[certificates\]/)
		if (incert) had = 1
		seen = 0
		print
		next
	}
	incert && /^[ \t]*[^;# \t][^=]*=/ {
		key = $0; sub(/[ \t]*=.*/, "", key); sub(/^[ \t]*/, "", key)
		if (key !~ /\.(id|label)$/) {
			val = $0; sub(/^[^=]*=[ \t]*/, "", val); sub(/[ \t]+;.*$/, "", val)
			sub(/[ \t]*$/, "", val); sub(/.*\//, "", val)
			print key " = " ca "/" val
			seen = 1
			next
		}
	}
	{ print }
	END {
		if (incert && !seen) add_defaults()
		if (!had) { print ""; print "[certificates]"; add_defaults() }
	}' "$KART_CARD_PROFILE" >"$WORLD/card.profile"
}

# ------------------------------------------------------------------ card simulator

# world_start_cardsim [ARGS...]: e.g. --no-insert, --verbose.
world_start_cardsim() {
	local -
	set +e
	_world_need "$KART_CARDSIM" kart-cardsim || return 1
	if [ -n "${WORLD_CARDSIM_PID:-}" ] && kill -0 "$WORLD_CARDSIM_PID" 2>/dev/null; then
		echo "world: the card simulator is already running (pid $WORLD_CARDSIM_PID)" >&2
		return 1
	fi
	rm -f "$WORLD/cardsim.ctl"
	_world_spawn WORLD_CARDSIM_PID "$WORLD/cardsim.log" \
		"$KART_CARDSIM" --port "$WORLD_VPCD_PORT" --host 127.0.0.1 \
		--profile "$WORLD/card.profile" --state "$WORLD/card.state" \
		--control "$WORLD/cardsim.ctl" "$@"
	_world_wait_up "card simulator" "$WORLD_CARDSIM_PID" "$WORLD/cardsim.log" \
		"$KART_CARDSIM" ctl "$WORLD/cardsim.ctl" count
}

world_stop_cardsim() {
	local -
	set +e
	[ -n "${WORLD_CARDSIM_PID:-}" ] || return 0
	_world_kill "$WORLD_CARDSIM_PID"
	_world_forget "$WORLD_CARDSIM_PID"
	WORLD_CARDSIM_PID=
	# pcscd polls vpcd every 0.4 s: until it has seen the card go, a
	# simulator started now would be taken for the same card (its old ATR).
	[ -z "${WORLD_PCSCD_PID:-}" ] || world_wait_for 5 _world_card_absent
	return 0
}
_world_card_absent() { ! world_card_present; }

world_cardsim() { "$KART_CARDSIM" ctl "$WORLD/cardsim.ctl" "$@"; }
world_card_insert() { world_cardsim insert; }
world_card_remove() { world_cardsim remove; }

# ------------------------------------------------------------------ reference backend

# The reference backend (sim/backend) for the test card; not started by
# world_start. data.json is written unless the test wrote its own first.
_world_backend_data() {
	local pw certs c serial
	[ -f "$WORLD/backend/data.json" ] && return 0
	pw=$("$KART_BACKEND_SIM" hash-password --iterations 1000 "${KART_BACKEND_PASSWORD:-kart-test-pw}") || return 1
	certs=
	for c in sign auth expiring; do
		serial=$(openssl x509 -in "$WORLD/ca/$c.crt" -noout -serial) || return 1
		certs="$certs${certs:+,}\"${serial#serial=}\""
	done
	# the CA's portal (GET /v1/meta), a JSON value: KART_BACKEND_PORTAL
	local portal=${KART_BACKEND_PORTAL:-'"https://portal.example.test/nes/pin"'}
	cat >"$WORLD/backend/data.json" <<-EOF
	{"portal":$portal,
	 "accounts":[{"holder":"Ayşe Yılmaz","phone":"+905321234512","password":$pw,
	  "cards":["4b41525400000001"],"certificates":[$certs]}]}
	EOF
}

_world_backend_up() {
	curl -sf --noproxy '*' --cacert "$WORLD/trust.pem" -H 'Kartd-Protocol: 1' \
		"https://127.0.0.1:$BACKEND_PORT/v1/meta" >/dev/null
}

# world_start_backend [ARGS...]: kart-backend-sim serve on a free port
# (kept across restarts within the world), state in $WORLD/backend/state,
# ARGS appended (e.g. --delay-ms 500); exports BACKEND_PORT and
# WORLD_BACKEND_PID; points kartd.conf's [Backend] at it (read by kartd
# when it next starts).
world_start_backend() {
	local -
	set +e
	_world_need "$KART_BACKEND_SIM" kart-backend-sim || return 1
	if [ -n "${WORLD_BACKEND_PID:-}" ] && kill -0 "$WORLD_BACKEND_PID" 2>/dev/null; then
		echo "world: the backend is already running (pid $WORLD_BACKEND_PID)" >&2
		return 1
	fi
	mkdir -p "$WORLD/backend/state"
	_world_backend_data || { echo "world: could not write $WORLD/backend/data.json" >&2; return 1; }
	if [ -z "${_WORLD_BACKEND_PORT:-}" ]; then
		_WORLD_BACKEND_PORT=$(_world_free_port "${WORLD_VPCD_PORT:-0}" "$(( ${WORLD_VPCD_PORT:-0} + 1 ))" \
			"${OCSP_PORT:-0}") || return 1
	fi
	BACKEND_PORT=$_WORLD_BACKEND_PORT
	export BACKEND_PORT
	_world_spawn WORLD_BACKEND_PID "$WORLD/backend.log" "$KART_BACKEND_SIM" serve \
		--data "$WORLD/backend/data.json" --state "$WORLD/backend/state" --port "$BACKEND_PORT" \
		--cert "$WORLD/ca/server.crt" --key "$WORLD/ca/server.key" --ca-dir "$WORLD/ca" \
		--master-key "$KART_BACKEND_MASTER_KEY" "$@"
	_world_wait_up "reference backend" "$WORLD_BACKEND_PID" "$WORLD/backend.log" _world_backend_up || return 1
	if [ -f "$WORLD/kartd.conf" ]; then
		# one [Backend] section, the last one of the file
		sed -i '/^\[Backend\]/,/^\[/{/^\[Backend\]/d;/^\[/!d}' "$WORLD/kartd.conf"
		cat >>"$WORLD/kartd.conf" <<-EOF
		[Backend]
		URL=https://127.0.0.1:$BACKEND_PORT
		CAFile=$WORLD/trust.pem
		EOF
	fi
}

world_stop_backend() {
	local -
	set +e
	[ -n "${WORLD_BACKEND_PID:-}" ] || return 0
	_world_kill "$WORLD_BACKEND_PID"
	_world_forget "$WORLD_BACKEND_PID"
	WORLD_BACKEND_PID=
	return 0
}

# world_backend_code [unblock|cert]: a new verification code for the test
# card (the portal's part), on stdout.
world_backend_code() {
	"$KART_BACKEND_SIM" issue-code --state "$WORLD/backend/state" --card 4b41525400000001 \
		--purpose "${1:-unblock}"
}

# world_backend_sms: the code of the last SMS the backend sent.
world_backend_sms() {
	tail -n 1 "$WORLD/backend/state/sms.outbox" 2>/dev/null | cut -d ' ' -f 3
}

# world_backend_fault ENDPOINT MODE [COUNT]: see doc/backend-protocol.md.
world_backend_fault() {
	"$KART_BACKEND_SIM" fault --state "$WORLD/backend/state" "$@"
}

# ------------------------------------------------------------------ kartd

# world_start_kartd [ARGS...]: kartd --debug $KART_KARTD_ARGS ARGS, output
# appended to $WORLD/kartd.log; up when it owns org.kartd.Kartd1.
# The service user must exist before dbus-daemon reads the bus policy
# that names it.
_world_ensure_kartd_user() {
	[ -n "${KART_KARTD_USER:-}" ] && [ "$(id -u)" = 0 ] || return 0
	id "$KART_KARTD_USER" >/dev/null 2>&1 && return 0
	# Another world may be adding it at this very moment.
	useradd --system --no-create-home --shell /usr/sbin/nologin "$KART_KARTD_USER" 2>/dev/null ||
		id "$KART_KARTD_USER" >/dev/null 2>&1
}

world_start_kartd() {
	local -
	set +e
	_world_need "$KARTD" kartd || return 1
	if [ -n "${WORLD_KARTD_PID:-}" ] && kill -0 "$WORLD_KARTD_PID" 2>/dev/null; then
		echo "world: kartd is already running (pid $WORLD_KARTD_PID)" >&2
		return 1
	fi
	local run=("$KARTD") vg=()
	export KART_P11_HOST=${KART_P11_HOST:-$KART_P11_HOST_BIN}
	# make check-valgrind: kartd under memcheck, one log per process in
	# $KART_VALGRIND_DIR (tests/valgrind/check-logs reads them); any
	# error or definite leak is an error.
	if [ -n "${KART_VALGRIND_DIR:-}" ]; then
		mkdir -p "$KART_VALGRIND_DIR" && chmod 0777 "$KART_VALGRIND_DIR"
		vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
			--errors-for-leak-kinds=definite --num-callers=30 --child-silent-after-fork=yes
			--suppressions="$KART_TOP_SRCDIR/tests/valgrind/kartd.supp"
			--log-file="$KART_VALGRIND_DIR/$(basename "${0%.sh}").%p.log")
		run=("${vg[@]}" "$KARTD")
	fi
	if [ -n "${KART_KARTD_USER:-}" ] && [ "$(id -u)" = 0 ]; then
		# As the service runs: an unprivileged user. A copy of the binary
		# in $WORLD, since the build tree may be unreadable to that user.
		_world_ensure_kartd_user || return 1
		install -m 0755 "$KARTD" "$WORLD/kartd"
		if [ -x "$KART_P11_HOST_BIN" ]; then	# (a build before kart-p11-host: bench/pkcs11.sh)
			install -m 0755 "$KART_P11_HOST_BIN" "$WORLD/kart-p11-host"
			export KART_P11_HOST=$WORLD/kart-p11-host
		fi
		run=(setpriv --reuid="$KART_KARTD_USER" --regid="$KART_KARTD_USER" --init-groups "${vg[@]}" "$WORLD/kartd")
	fi
	# shellcheck disable=SC2086
	local conf=()
	[ -f "$WORLD/kartd.conf" ] && conf=(--config "$WORLD/kartd.conf")
	# Its state directory (the unlock journal), as systemd's StateDirectory= gives it.
	mkdir -p "$WORLD/state"
	[ -z "${KART_KARTD_USER:-}" ] || [ "$(id -u)" != 0 ] || chown "$KART_KARTD_USER:" "$WORLD/state"
	chmod 0700 "$WORLD/state"
	export STATE_DIRECTORY=$WORLD/state
	# and its runtime directory (the PKCS#11 hosts' sockets), as RuntimeDirectory=
	rm -rf "$WORLD/run"
	mkdir -p "$WORLD/run"
	[ -z "${KART_KARTD_USER:-}" ] || [ "$(id -u)" != 0 ] || chown "$KART_KARTD_USER:" "$WORLD/run"
	chmod 0700 "$WORLD/run"
	export RUNTIME_DIRECTORY=$WORLD/run
	_world_spawn WORLD_KARTD_PID "$WORLD/kartd.log" "${run[@]}" --debug "${conf[@]}" ${KART_KARTD_ARGS:-} "$@"
	_world_wait_up kartd "$WORLD_KARTD_PID" "$WORLD/kartd.log" \
		busctl --system status org.kartd.Kartd1
}

# world_stop_kartd [SIGNAL]: sends SIGNAL (TERM), waits for the exit (KILL
# after 10 s) and returns kartd's exit status (128+N when killed by signal
# N); 0 when kartd was not started.
world_stop_kartd() {
	local -
	set +e
	local pid=${WORLD_KARTD_PID:-} rc=0 deadline
	[ -n "$pid" ] || return 0
	kill -"${1:-TERM}" "$pid" 2>/dev/null
	# (under valgrind the leak check at exit takes its time)
	deadline=$(( $(_world_now_us) + ${KART_VALGRIND_DIR:+50000000 +} 10000000 ))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(_world_now_us)" -ge "$deadline" ]; then
			echo "world: kartd did not exit on SIG${1:-TERM} within 10 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.02
	done
	wait "$pid" 2>/dev/null || rc=$?
	_world_forget "$pid"
	WORLD_KARTD_PID=
	return "$rc"
}

world_restart_kartd() {
	world_stop_kartd
	world_start_kartd "$@"
}

# world_install_locale: puts the Turkish catalogue built in po/ where
# KART_LOCALEDIR finds it (gettext writes it to the source tree in VPATH
# builds) and exports KART_LOCALEDIR=$WORLD/locale.
world_install_locale() {
	local mo
	for mo in "$KART_TOP_BUILDDIR/po/tr.gmo" "$KART_TOP_SRCDIR/po/tr.gmo"; do
		[ -f "$mo" ] || continue
		mkdir -p "$WORLD/locale/tr/LC_MESSAGES"
		cp "$mo" "$WORLD/locale/tr/LC_MESSAGES/kartd.mo"
		export KART_LOCALEDIR=$WORLD/locale
		return 0
	done
	echo "world: no po/tr.gmo built" >&2
	return 1
}

# ------------------------------------------------------------------ the world

world_stop() {
	local -
	set +e
	local i pids=()
	[ "$_WORLD_OWNED" = 1 ] || return 0
	world_stop_kartd >/dev/null 2>&1
	for (( i = ${#WORLD_PIDS[@]} - 1; i >= 0; i-- )); do
		pids+=("${WORLD_PIDS[$i]}")
	done
	_world_kill "${pids[@]}"
	WORLD_PIDS=()
	WORLD_DBUS_PID='' WORLD_POLKIT_PID='' WORLD_PCSCD_PID='' WORLD_CARDSIM_PID='' WORLD_KARTD_PID='' WORLD_OCSP_PID=''
	WORLD_BACKEND_PID='' _WORLD_BACKEND_PORT=''
	_WORLD_OWNED=0
	if [ "${WORLD_KEEP:-0}" = 1 ]; then
		echo "world: kept in $WORLD" >&2
	elif [ -n "$WORLD" ]; then
		rm -rf "$WORLD"
	fi
	WORLD=
	return 0
}

# The EXIT trap runs world_stop, then whatever EXIT trap the caller had set
# before world_start. (A caller setting its own EXIT trap afterwards must
# call world_stop in it.)
_world_trap_exit() {
	local prev words
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		# trap -p prints: trap -- 'COMMAND' EXIT
		eval "words=($prev)"
		prev=${words[2]}
	fi
	case $prev in
	world_stop*) ;;
	'') trap 'world_stop' EXIT ;;
	*)
		# shellcheck disable=SC2064 # expanded now on purpose
		trap "world_stop; $prev" EXIT
		;;
	esac
}

world_start() {
	local -
	set +e
	local kartd=1 card=1 pcscd=1 polkit=0 ocsp=1 a
	for a in "$@"; do
		case $a in
		--no-ocsp) ocsp=0 ;;
		--no-kartd) kartd=0 ;;
		--no-card) card=0 ;;
		--no-pcscd) pcscd=0 ;;
		--polkit) polkit=1 ;;
		*) echo "world_start: unknown option $a" >&2; return 2 ;;
		esac
	done
	world_stop
	_world_need "$KART_CARDSIM" kart-cardsim || return 1
	[ $pcscd = 0 ] || _world_need "$KART_PCSCD_LAUNCH" pcscd-launch || return 1
	[ $kartd = 0 ] || _world_need "$KARTD" kartd || return 1

	# Under /tmp (short socket paths), 0755 so that polkitd and test users
	# reach the bus socket and pcscd.comm.
	_world_t0=${EPOCHREALTIME//[.,]/}
	WORLD=$(mktemp -d /tmp/kart-world.XXXXXX) || return 1
	chmod 0755 "$WORLD"
	export WORLD
	_WORLD_OWNED=1
	WORLD_PIDS=()
	# Not those of a world this shell merely inherited.
	WORLD_DBUS_PID='' WORLD_POLKIT_PID='' WORLD_PCSCD_PID='' WORLD_CARDSIM_PID='' WORLD_KARTD_PID=''
	WORLD_OCSP_PID='' WORLD_BACKEND_PID='' _WORLD_BACKEND_PORT=''
	_world_trap_exit
	trap 'world_stop; exit 129' HUP
	trap 'world_stop; exit 130' INT
	trap 'world_stop; exit 143' TERM

	export PCSCLITE_CSOCK_NAME=$WORLD/pcscd.comm
	export OPENSC_CONF=$WORLD/opensc.conf
	export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
	cat >"$OPENSC_CONF" <<-'EOF'
	app default {
		enable_default_driver = true;
		card_drivers = default;
		framework pkcs15 { use_file_caching = no; }
	}
	EOF
	WORLD_VPCD_PORT=$(_world_free_port) || return 1
	export WORLD_VPCD_PORT

	# The CA takes the longest (~0.5 s): made while the rest starts.
	_world_start_ca || return 1
	_world_ensure_kartd_user || return 1
	_world_start_bus || return 1
	_world_trace "dbus-daemon up"
	if [ $polkit = 1 ]; then world_start_polkit || return 1; _world_trace "polkitd up"; fi
	if [ $pcscd = 1 ]; then world_start_pcscd || return 1; _world_trace "pcscd up"; fi
	_world_finish_ca || return 1
	_world_trace "test CA made"
	if [ $ocsp = 1 ]; then world_start_ocsp || return 1; _world_trace "OCSP responder up"; fi
	if [ $card = 1 ]; then
		world_start_cardsim || return 1
		_world_trace "card simulator up"
		# pcscd polls vpcd every 0.4 s: wait until it sees the card, so
		# that clients started now find it.
		if [ $pcscd = 1 ] && ! world_wait_for 5 world_card_present; then
			_world_fail "card insertion (pcscd does not see the card)" "$WORLD/pcscd.log"
			return 1
		fi
		_world_trace "pcscd sees the card"
	else
		world_start_cardsim --no-insert || return 1
		_world_trace "card simulator up (card not inserted)"
	fi
	if [ $kartd = 1 ]; then world_start_kartd || return 1; _world_trace "kartd up"; fi
	return 0
}
