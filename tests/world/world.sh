# The test world: real components on one machine, in a temporary directory
# (see ../shared/design/test-world.md). Sourced by the integration tests,
# the demo and the benchmarks:
#
#   . tests/world/world.sh
#   world_start [--no-kartd] [--no-card] [--no-pcscd]
#
# It starts a private "system" dbus-daemon with the project's bus policy,
# pcscd with a vpcd reader on its own socket and free ports, the test CA,
# the simulated card (inserted) and kartd from the build tree; everything
# is stopped by PID on exit. Two worlds can run side by side.
#
# Exports: WORLD DBUS_SYSTEM_BUS_ADDRESS PCSCLITE_CSOCK_NAME OPENSC_CONF
#          WORLD_VPCD_PORT OCSP_PORT WORLD_KARTD_PID NO_PROXY

_world_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${KART_TOP_SRCDIR:=$(cd "$_world_dir/../.." && pwd)}"
: "${KART_TOP_BUILDDIR:=$KART_TOP_SRCDIR}"
: "${KARTD:=$KART_TOP_BUILDDIR/daemon/kartd}"
: "${KART_CARDSIM:=$KART_TOP_BUILDDIR/sim/cardsim/kart-cardsim}"
: "${KART_PCSCD_LAUNCH:=$KART_TOP_BUILDDIR/tests/world/pcscd-launch}"
: "${KART_MAKE_TEST_CA:=$KART_TOP_SRCDIR/sim/ca/make-test-ca}"
: "${KART_BUS_POLICY:=$KART_TOP_SRCDIR/dbus/org.kartd.Kartd1.conf}"
export KART_TOP_SRCDIR KART_TOP_BUILDDIR

WORLD=
WORLD_PIDS=()

# world_wait_for SECONDS COMMAND...: polls every 50 ms until COMMAND succeeds.
world_wait_for() {
	local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

_world_fail() { # component logfile
	echo "world: $1 did not come up" >&2
	[ -f "$2" ] && tail -n 20 "$2" | sed "s|^|world: $1: |" >&2
	return 1
}

# A free TCP port P such that P and P+1 are free (vpcd uses both).
_world_free_port() {
	local p used
	used=$(ss -Htan | awk '{print $4}' | sed 's/.*://')
	for _ in $(seq 200); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		if ! grep -qx -e "$p" -e "$((p + 1))" <<<"$used"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

_world_kill() { # pid
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 40); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

_world_start_bus() {
	mkdir -p "$WORLD/system.d"
	cp "$KART_BUS_POLICY" "$WORLD/system.d/"
	sed -e '/<user>/d' -e '/<fork\/>/d' -e '/<pidfile>/d' -e '/<syslog\/>/d' \
	    -e '/<servicehelper>/d' \
	    -e "s|<listen>.*</listen>|<listen>unix:path=$WORLD/system_bus_socket</listen>|" \
	    -e "s|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir><includedir>$WORLD/system.d</includedir>|" \
	    /usr/share/dbus-1/system.conf >"$WORLD/bus.conf"
	dbus-daemon --config-file="$WORLD/bus.conf" --nofork --print-address=3 \
		3>"$WORLD/bus.addr" 2>"$WORLD/dbus.log" &
	WORLD_DBUS_PID=$!
	WORLD_PIDS+=("$WORLD_DBUS_PID")
	world_wait_for 10 test -s "$WORLD/bus.addr" || _world_fail dbus-daemon "$WORLD/dbus.log" || return 1
	DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$WORLD/bus.addr")
	export DBUS_SYSTEM_BUS_ADDRESS
}

world_start_polkit() {
	/usr/lib/polkit-1/polkitd --no-debug >"$WORLD/polkitd.log" 2>&1 &
	WORLD_POLKIT_PID=$!
	WORLD_PIDS+=("$WORLD_POLKIT_PID")
	world_wait_for 10 busctl --system status org.freedesktop.PolicyKit1 \
		|| _world_fail polkitd "$WORLD/polkitd.log"
}

world_start_pcscd() {
	mkdir -p "$WORLD/reader.conf.d"
	cat >"$WORLD/reader.conf.d/vpcd" <<-EOF
	FRIENDLYNAME "Virtual PCD"
	DEVICENAME   /dev/null:$WORLD_VPCD_PORT
	LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
	CHANNELID    $WORLD_VPCD_PORT
	EOF
	"$KART_PCSCD_LAUNCH" "$PCSCLITE_CSOCK_NAME" -- pcscd -f -c "$WORLD/reader.conf.d" \
		>>"$WORLD/pcscd.log" 2>&1 &
	WORLD_PCSCD_PID=$!
	WORLD_PIDS+=("$WORLD_PCSCD_PID")
	world_wait_for 10 sh -c "ss -Hltn | grep -q ':$WORLD_VPCD_PORT '" \
		|| _world_fail pcscd "$WORLD/pcscd.log"
}

world_stop_pcscd() {
	[ -n "${WORLD_PCSCD_PID:-}" ] && _world_kill "$WORLD_PCSCD_PID"
	WORLD_PCSCD_PID=
}

world_restart_pcscd() { world_stop_pcscd; world_start_pcscd; }

_world_make_ca() {
	OCSP_PORT=$(_world_free_port) || return 1
	export OCSP_PORT
	"$KART_MAKE_TEST_CA" "$WORLD/ca" >"$WORLD/ca.log" 2>&1 || _world_fail "test CA" "$WORLD/ca.log" || return 1
	{
		cat "$KART_TOP_SRCDIR/sim/cardsim/default.profile"
		for c in sign auth expiring; do
			[ -f "$WORLD/ca/$c.der" ] && echo "$c = $WORLD/ca/$c.der"
		done
	} >"$WORLD/card.profile"
}

# world_start_cardsim [--no-insert]
world_start_cardsim() {
	"$KART_CARDSIM" --port "$WORLD_VPCD_PORT" --host 127.0.0.1 --profile "$WORLD/card.profile" \
		--state "$WORLD/card.state" --control "$WORLD/cardsim.ctl" "$@" >>"$WORLD/cardsim.log" 2>&1 &
	WORLD_CARDSIM_PID=$!
	WORLD_PIDS+=("$WORLD_CARDSIM_PID")
	world_wait_for 10 "$KART_CARDSIM" ctl "$WORLD/cardsim.ctl" count \
		|| _world_fail "card simulator" "$WORLD/cardsim.log"
}

# Puts the Turkish catalogue built in po/ where KART_LOCALEDIR finds it
# (gettext writes it to the source tree in VPATH builds).
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

# True when pcscd reports a card in the first reader.
world_card_present() { opensc-tool -l 2>/dev/null | grep -q '^0 *Yes'; }

world_cardsim() { "$KART_CARDSIM" ctl "$WORLD/cardsim.ctl" "$@"; }
world_card_insert() { world_cardsim insert; }
world_card_remove() { world_cardsim remove; }

# Starts kartd with --debug (plus $KART_KARTD_ARGS), logging to $WORLD/kartd.log.
world_start_kartd() {
	# shellcheck disable=SC2086
	"$KARTD" --debug ${KART_KARTD_ARGS:-} >>"$WORLD/kartd.log" 2>&1 &
	WORLD_KARTD_PID=$!
	WORLD_PIDS+=("$WORLD_KARTD_PID")
	export WORLD_KARTD_PID
	world_wait_for 10 busctl --system status org.kartd.Kartd1 \
		|| _world_fail kartd "$WORLD/kartd.log"
}

# world_stop_kartd [SIGNAL]: returns kartd's exit status.
world_stop_kartd() {
	local pid=${WORLD_KARTD_PID:-} rc
	[ -n "$pid" ] || return 0
	kill -"${1:-TERM}" "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	WORLD_KARTD_PID=
	return $rc
}

world_stop() {
	local i
	[ -n "$WORLD" ] || return 0
	for (( i = ${#WORLD_PIDS[@]} - 1; i >= 0; i-- )); do
		_world_kill "${WORLD_PIDS[$i]}"
	done
	WORLD_PIDS=()
	if [ "${WORLD_KEEP:-0}" = 1 ]; then
		echo "world: kept in $WORLD" >&2
	else
		rm -rf "$WORLD"
	fi
	WORLD=
}

world_start() {
	local kartd=1 card=1 pcscd=1 polkit=0
	for a in "$@"; do
		case $a in
		--no-kartd) kartd=0 ;;
		--no-card) card=0 ;;
		--no-pcscd) pcscd=0 ;;
		--polkit) polkit=1 ;;
		*) echo "world_start: unknown option $a" >&2; return 2 ;;
		esac
	done
	[ -z "$WORLD" ] || world_stop
	WORLD=$(mktemp -d /tmp/kart-world.XXXXXX)
	trap 'world_stop' EXIT
	trap 'world_stop; exit 130' INT TERM

	export PCSCLITE_CSOCK_NAME=$WORLD/pcscd.comm
	export OPENSC_CONF=$WORLD/opensc.conf
	export NO_PROXY=127.0.0.1,localhost
	cat >"$OPENSC_CONF" <<-'EOF'
	app default {
		enable_default_driver = true;
		card_drivers = default;
		framework pkcs15 { use_file_caching = no; }
	}
	EOF
	WORLD_VPCD_PORT=$(_world_free_port) || return 1
	export WORLD_VPCD_PORT

	_world_start_bus || return 1
	if [ $polkit = 1 ]; then world_start_polkit || return 1; fi
	_world_make_ca || return 1
	if [ $pcscd = 1 ]; then world_start_pcscd || return 1; fi
	if [ $card = 1 ]; then world_start_cardsim || return 1; else world_start_cardsim --no-insert || return 1; fi
	# pcscd polls vpcd; let it see the card before anyone looks.
	if [ $card = 1 ] && [ $pcscd = 1 ]; then
		world_wait_for 5 world_card_present || _world_fail "card insertion" "$WORLD/cardsim.log" || return 1
	fi
	if [ $kartd = 1 ]; then world_start_kartd || return 1; fi
	return 0
}
