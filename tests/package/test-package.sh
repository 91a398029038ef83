#!/bin/bash
# The Debian packages, as a user gets them: built from the tree's tracked
# files with dpkg-buildpackage -us -uc -b, lintian without an error or a
# warning, installed with apt-get install ./*.deb, checked (kartctl
# --version, the user and groups, every file the packages list), then
# purged: what remains of kartd on the machine is listed. Changes the
# machine (as root): run by build-aux/check-all, not by make check.
# usage: tests/package/test-package.sh [WORKDIR]   (TAP on stdout)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/integration/tap.sh"
work=${1:-$(mktemp -d)}
WORLD=$work     # (tap.sh's diagnostics)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$work/kartd-$version
debs=("$work/kartd_${version}_$arch.deb" "$work/kartd-desktop_${version}_$arch.deb")

tap_plan 9
rm -rf "$src" && mkdir -p "$src"
git -C "$top" ls-files -z | tar -C "$top" --null -T - -c | tar -x -C "$src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
check "dpkg-buildpackage -us -uc -b builds kartd and kartd-desktop" test -f "${debs[0]}" -a -f "${debs[1]}"
[ -f "${debs[0]}" ] || tail -40 "$work/build.log" | sed 's/^/# /'

lintian --fail-on error,warning --display-info "$work/kartd_${version}_$arch.changes" >"$work/lintian.log" 2>&1
check "lintian: no error and no warning" test $? = 0
sed 's/^/# lintian: /' "$work/lintian.log"

# What the machine holds before, to compare after the purge (the package
# manager's own records aside).
snapshot() {
	find /etc /usr /lib /var/lib /var/cache /var/log -xdev 2>/dev/null |
		grep -Ev '^/var/(lib|cache|log)/(apt|dpkg)(/|$)|^/var/log/(alternatives|apt|dpkg)|^/var/cache/debconf|^/etc/ld.so.cache$|^/var/lib/systemd/deb-systemd' |
		LC_ALL=C sort
}
# The package is to create its user and groups: none of them before
# (the test world makes user kartd when it runs; none runs now).
if ! pgrep -u kartd >/dev/null 2>&1; then
	userdel kartd 2>/dev/null
	groupdel kartd 2>/dev/null
	groupdel kartd-admin 2>/dev/null
fi
snapshot >"$work/before"
users_before=$(getent passwd | cut -d: -f1 | LC_ALL=C sort)
groups_before=$(getent group | cut -d: -f1 | LC_ALL=C sort)

DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}" >"$work/install.log" 2>&1
rc=$?
check "apt-get install ./kartd_*.deb ./kartd-desktop_*.deb" test $rc = 0
[ $rc = 0 ] || tail -20 "$work/install.log" | sed 's/^/# /'
check_eq "kartctl --version" "kartctl $version" "$(kartctl --version 2>&1 | head -1)"
check "the service user kartd and the group kartd-admin exist" \
	sh -c "getent passwd kartd >/dev/null && getent group kartd >/dev/null && getent group kartd-admin >/dev/null"
missing=$(dpkg -L kartd kartd-desktop | while read -r f; do [ -e "$f" ] || echo "$f"; done)
check_eq "every file the packages list is there" "" "$missing"
check "kart-p11-host and kartd are where the unit and kartd look for them" \
	sh -c "[ -x /usr/libexec/kartd ] && [ -x /usr/libexec/kart-p11-host ] &&
		grep -q '^ExecStart=/usr/libexec/kartd$' /lib/systemd/system/kartd.service"
dpkg -L kartd kartd-desktop | LC_ALL=C sort | while read -r f; do [ -d "$f" ] || echo "# installed: $f"; done

DEBIAN_FRONTEND=noninteractive apt-get purge -y -q kartd kartd-desktop >"$work/purge.log" 2>&1
check "apt-get purge kartd kartd-desktop" test $? = 0
snapshot >"$work/after"
left=$(LC_ALL=C comm -13 "$work/before" "$work/after")
printf '%s\n' "$left" | sed '/^$/d; s/^/# left after the purge: /'
check_eq "the purge leaves no file of kartd's behind" "" "$(grep -i kart <<<"$left")"
new_users=$(LC_ALL=C comm -13 <(echo "$users_before") <(getent passwd | cut -d: -f1 | LC_ALL=C sort))
new_groups=$(LC_ALL=C comm -13 <(echo "$groups_before") <(getent group | cut -d: -f1 | LC_ALL=C sort))
echo "# users left after the purge: $(echo ${new_users:-none}); groups: $(echo ${new_groups:-none}) (Debian keeps system users)"
tap_done
