# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A loopback sshd for the test world, so that "kartctl -H" and "busctl -H"
# can be tested as an administrator on another host uses them. Sourced
# after world.sh, called after world_start (as root):
#
#   . tests/world/sshd.sh
#   world_start_sshd                  sshd on 127.0.0.1:$WORLD_SSHD_PORT
#   world_sshd_authorize USER...      the client key may log in as USER
#   world_remote COMMAND...           COMMAND with the world's ssh client and
#                                     no local bus (see below)
#   world_stop_sshd                   waits for closing sessions, stops sshd
#
# world_start_sshd generates a host key and a client key in $WORLD, writes
# $WORLD/sshd_config and starts "sshd -D -e" (log: $WORLD/sshd.log) on a
# free port; the PID (WORLD_SSHD_PID) is one of the world's, so world_stop
# ends it. Authorized keys are in $WORLD/authorized_keys/USER (StrictModes
# no: $WORLD is under the world-writable /tmp).
#
# The "remote" host's system bus must be the world's bus. sshd sets
# DBUS_SYSTEM_BUS_ADDRESS for every session (sshd_config SetEnv), but
# systemd 252's systemd-stdio-bridge ignores it and always connects to
# unix:path=/run/dbus/system_bus_socket (unless given --bus-path). So sshd
# runs in a private mount namespace whose /run/dbus is a tmpfs holding
# system_bus_socket -> $WORLD/system_bus_socket: the bridge runs unchanged,
# as on a real host (WORLD_SSHD_BUS=namespace). Where mount namespaces are
# not allowed (no CAP_SYS_ADMIN), a ForceCommand runs the bridge with
# --bus-path instead (WORLD_SSHD_BUS=forcecommand).
#
# The client side is $WORLD/bin/ssh, which runs "ssh -F $WORLD/ssh_config"
# (port, client key, $WORLD/known_hosts pre-seeded with the host key,
# BatchMode) and logs its arguments to $WORLD/ssh-calls.log. sd-bus
# (sd_bus_open_system_remote, as used by kartctl -H and busctl -H) runs
# "ssh -xT -- [USER@]HOST systemd-stdio-bridge": systemd 252 looks "ssh"
# up in PATH and knows no override, later versions honour $SYSTEMD_SSH.
# world_remote sets both, and unsets DBUS_SYSTEM_BUS_ADDRESS, so that a
# command can only reach kartd through ssh.

_WORLD_SSHD=/usr/sbin/sshd
_WORLD_SSH=/usr/bin/ssh

_world_sshd_up() {
	grep -q "pid=$WORLD_SSHD_PID," <<<"$(ss -Hltnp "sport = :$WORLD_SSHD_PORT" 2>/dev/null)"
}

world_start_sshd() {
	local -
	set +e
	local port
	_world_need "$_WORLD_SSHD" sshd || return 1
	_world_need "$_WORLD_SSH" ssh || return 1
	command -v systemd-stdio-bridge >/dev/null 2>&1 || {
		echo "world: systemd-stdio-bridge not found" >&2
		return 1
	}
	if [ -n "${WORLD_SSHD_PID:-}" ] && kill -0 "$WORLD_SSHD_PID" 2>/dev/null; then
		echo "world: sshd is already running (pid $WORLD_SSHD_PID)" >&2
		return 1
	fi
	# sshd's privilege separation directory (tmpfiles makes it at boot).
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd

	rm -f "$WORLD/ssh_host_ed25519_key" "$WORLD/ssh_host_ed25519_key.pub" \
		"$WORLD/client_key" "$WORLD/client_key.pub"
	ssh-keygen -q -t ed25519 -N '' -C "kart-world-host" -f "$WORLD/ssh_host_ed25519_key" </dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -C "kart-world-client" -f "$WORLD/client_key" </dev/null || return 1
	# (read as the user logging in: 0755 whatever the umask)
	mkdir -p "$WORLD/authorized_keys" "$WORLD/bin" && chmod 0755 "$WORLD/authorized_keys" "$WORLD/bin" || return 1

	[ -d /run/dbus ] || mkdir -m 0755 /run/dbus
	if [ -n "${KART_SSHD_BUS:-}" ]; then
		WORLD_SSHD_BUS=$KART_SSHD_BUS    # namespace or forcecommand, to test both
	elif unshare --mount --propagation private -- \
		mount -t tmpfs -o size=4k kart-world-probe /run/dbus >/dev/null 2>&1; then
		WORLD_SSHD_BUS=namespace
	else
		WORLD_SSHD_BUS=forcecommand
	fi
	export WORLD_SSHD_BUS
	cat >"$WORLD/remote-command" <<-EOF
	#!/bin/sh
	# sshd ForceCommand: this "remote" host's system bus is the world's.
	case \$SSH_ORIGINAL_COMMAND in
	systemd-stdio-bridge) exec systemd-stdio-bridge --bus-path="unix:path=$WORLD/system_bus_socket" ;;
	esac
	exec /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
	EOF
	chmod 0755 "$WORLD/remote-command"

	cat >"$WORLD/bin/ssh" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$WORLD/ssh-calls.log"
	exec "$_WORLD_SSH" -F "$WORLD/ssh_config" "\$@"
	EOF
	chmod 0755 "$WORLD/bin/ssh"

	# A port that another world may take between our choice and sshd's
	# bind: then sshd exits at once, and we try another.
	for _ in 1 2 3 4 5; do
		port=$(_world_free_port "${WORLD_VPCD_PORT:-0}" "$(( ${WORLD_VPCD_PORT:-0} + 1 ))" "${OCSP_PORT:-0}") || return 1
		cat >"$WORLD/sshd_config" <<-EOF
		Port $port
		ListenAddress 127.0.0.1
		HostKey $WORLD/ssh_host_ed25519_key
		PidFile $WORLD/sshd.pid
		UsePAM no
		StrictModes no
		AuthorizedKeysFile $WORLD/authorized_keys/%u
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		X11Forwarding no
		AllowTcpForwarding no
		AllowAgentForwarding no
		PermitTTY no
		PrintMotd no
		PrintLastLog no
		LogLevel VERBOSE
		SetEnv DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WORLD/system_bus_socket
		EOF
		[ "$WORLD_SSHD_BUS" = namespace ] || echo "ForceCommand $WORLD/remote-command" >>"$WORLD/sshd_config"
		cat >"$WORLD/ssh_config" <<-EOF
		Host *
		  Port $port
		  IdentityFile $WORLD/client_key
		  IdentitiesOnly yes
		  IdentityAgent none
		  UserKnownHostsFile $WORLD/known_hosts
		  GlobalKnownHostsFile /dev/null
		  StrictHostKeyChecking yes
		  BatchMode yes
		  ConnectTimeout 5
		  LogLevel ERROR
		EOF
		echo "[127.0.0.1]:$port $(cat "$WORLD/ssh_host_ed25519_key.pub")" >"$WORLD/known_hosts"
		"$_WORLD_SSHD" -t -f "$WORLD/sshd_config" >>"$WORLD/sshd.log" 2>&1 ||
			{ _world_fail sshd "$WORLD/sshd.log" "rejected $WORLD/sshd_config"; return 1; }
		WORLD_SSHD_PORT=$port
		export WORLD_SSHD_PORT
		if [ "$WORLD_SSHD_BUS" = namespace ]; then
			# (sh execs sshd: the PID stays sshd's own)
			# shellcheck disable=SC2016 # expanded by that sh
			_world_spawn WORLD_SSHD_PID "$WORLD/sshd.log" \
				unshare --mount --propagation private -- sh -c '
				mount -t tmpfs -o mode=0755,size=64k kart-world-dbus /run/dbus &&
				ln -s "$1/system_bus_socket" /run/dbus/system_bus_socket &&
				exec "$2" -D -e -f "$1/sshd_config"' sh "$WORLD" "$_WORLD_SSHD"
		else
			_world_spawn WORLD_SSHD_PID "$WORLD/sshd.log" "$_WORLD_SSHD" -D -e -f "$WORLD/sshd_config"
		fi
		if _world_wait_up sshd "$WORLD_SSHD_PID" "$WORLD/sshd.log" _world_sshd_up; then
			return 0
		fi
		_world_kill "$WORLD_SSHD_PID"
		_world_forget "$WORLD_SSHD_PID"
		WORLD_SSHD_PID=
		grep -q 'Address already in use' "$WORLD/sshd.log" || return 1
	done
	return 1
}

# world_sshd_authorize USER...: the world's client key logs in as USER.
world_sshd_authorize() {
	local u
	for u in "$@"; do
		install -m 0644 "$WORLD/client_key.pub" "$WORLD/authorized_keys/$u" || return 1
	done
}

# world_remote COMMAND...: COMMAND with the world's ssh wrapper first in
# PATH (and as SYSTEMD_SSH) and without DBUS_SYSTEM_BUS_ADDRESS.
world_remote() {
	env -u DBUS_SYSTEM_BUS_ADDRESS -u SSH_AUTH_SOCK \
		PATH="$WORLD/bin:$PATH" SYSTEMD_SSH="$WORLD/bin/ssh" "$@"
}

# world_stop_sshd: lets the sessions still closing end (up to 2 s), so
# that none outlives its parent, then stops sshd. world_stop would stop it
# too, but without waiting for the sessions.
world_stop_sshd() {
	local -
	set +e
	[ -n "${WORLD_SSHD_PID:-}" ] || return 0
	world_wait_for 2 sh -c "! pgrep -P '$WORLD_SSHD_PID' >/dev/null"
	_world_kill "$WORLD_SSHD_PID"
	_world_forget "$WORLD_SSHD_PID"
	WORLD_SSHD_PID=
	return 0
}
