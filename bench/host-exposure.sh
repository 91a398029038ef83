#!/bin/bash
# systemd-analyze security of kartd.service, and of the same unit as
# kart-p11-host sees it: kartd starts the host inside the unit, and the
# host's own seccomp filter refuses every socket family but AF_UNIX, as
# RestrictAddressFamilies=AF_UNIX would (and, for sockets, what
# PrivateNetwork=yes gives: no interface to reach). Prints figures; never
# passes or fails. usage: bench/host-exposure.sh [BUILDDIR]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
unit=$build/systemd/kartd.service
[ -f "$unit" ] || { echo "no $unit: build first"; exit 0; }
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed: skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exposure() { systemd-analyze security --offline=yes "$1" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: //p'; }

echo "kartd.service: $(exposure "$unit")"
sed 's/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX/' "$unit" >"$tmp/kart-p11-host.service"
echo "kart-p11-host (the unit, and AF_UNIX only): $(exposure "$tmp/kart-p11-host.service")"
sed 's/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX\nPrivateNetwork=yes/' "$unit" \
	>"$tmp/kart-p11-host-nonet.service"
echo "kart-p11-host, counting its refused sockets as PrivateNetwork=yes: $(exposure "$tmp/kart-p11-host-nonet.service")"
