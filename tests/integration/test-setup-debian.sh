#!/bin/bash
# build-aux/setup-debian (the README's and CI's set-up) leaves the
# machine's own services alone: on a machine with systemd it never calls
# systemctl (it once disabled the desktop's pcscd), and with every package
# present it installs nothing.
set -u
. "$(dirname "$0")/tap.sh"
top=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

tap_plan 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
for tool in systemctl apt-get service invoke-rc.d; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$tool" "$tmp" >"$tmp/bin/$tool"
	chmod +x "$tmp/bin/$tool"
done

# As on a machine booted with systemd (/run/systemd/system), in a mount
# namespace of its own: the other tests, which may run meanwhile, see the
# machine's /run.
PATH=$tmp/bin:$PATH unshare --mount --propagation private sh -c \
	'mount -t tmpfs kart-test /run && mkdir -p /run/systemd/system && exec "$1"' sh \
	"$top/build-aux/setup-debian" >"$tmp/out" 2>&1
check "setup-debian succeeds" test $? = 0
[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out"
check_eq "it never touches a service (systemctl, service, invoke-rc.d)" "" \
	"$(grep -E '^(systemctl|service|invoke-rc.d) ' "$tmp/calls" 2>/dev/null)"
check_eq "with every package present it installs nothing" "" "$(grep '^apt-get ' "$tmp/calls" 2>/dev/null)"
