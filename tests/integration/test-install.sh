#!/bin/bash
# `make install` into a DESTDIR: every file we ship lands where it belongs,
# nothing else is installed, modes are sane, and `make uninstall` removes it
# all again. Needs no test world. Works in the build tree and under
# `make distcheck` (other prefix, read-only srcdir): the directories are
# asked from the build tree's Makefile, never assumed.
set -u
. "$(dirname "$0")/tap.sh"

SRC=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${KART_TOP_BUILDDIR:-$SRC}
WORLD=$(mktemp -d)
trap 'chmod -R u+w "$WORLD" 2>/dev/null; rm -rf "$WORLD"' EXIT
DEST=$WORLD/dest

tap_plan 6

# A sub-make of its own: not the jobserver, variables or TESTS= of the
# `make check` that runs this test.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make --no-print-directory -C "$BUILD" "$@"; }

# The installation directories, fully expanded, from the configured Makefile
# (systemdsystemunitdir may lie outside the prefix: pkg-config's systemd.pc).
cat >"$WORLD/print.mk" <<'MK'
kart-print-dirs:
	@echo 'prefix=$(prefix)'
	@echo 'sysconfdir=$(sysconfdir)'
	@echo 'bindir=$(bindir)'
	@echo 'libexecdir=$(libexecdir)'
	@echo 'datadir=$(datadir)'
	@echo 'localedir=$(localedir)'
	@echo 'systemdsystemunitdir=$(systemdsystemunitdir)'
	@echo 'dbuspolicydir=$(dbuspolicydir)'
	@echo 'man1dir=$(man1dir)'
	@echo 'man5dir=$(man5dir)'
	@echo 'man8dir=$(man8dir)'
MK
dirs=$(submake -s -f Makefile -f "$WORLD/print.mk" kart-print-dirs 2>"$WORLD/print.err") ||
	{ echo "Bail out! cannot read the installation directories"; diag "$WORLD/print.err"; exit 1; }
prefix= sysconfdir= bindir= libexecdir= datadir= localedir= systemdsystemunitdir= dbuspolicydir= man1dir= man5dir= man8dir=
eval "$dirs"
for d in prefix sysconfdir bindir libexecdir datadir localedir systemdsystemunitdir dbuspolicydir man1dir man5dir man8dir; do
	case ${!d} in
	/*) echo "# $d = ${!d}" ;;
	*) echo "Bail out! $d is not an absolute path: '${!d}'"; exit 1 ;;
	esac
done

programs="
$bindir/kartctl
$bindir/kart-notify
$libexecdir/kartd
$libexecdir/kart-p11-host"
data="
$dbuspolicydir/org.kartd.Kartd1.conf
$datadir/dbus-1/system-services/org.kartd.Kartd1.service
$datadir/dbus-1/interfaces/org.kartd.Kartd1.Manager.xml
$datadir/dbus-1/interfaces/org.kartd.Kartd1.Reader.xml
$datadir/dbus-1/interfaces/org.kartd.Kartd1.Card.xml
$datadir/dbus-1/interfaces/org.kartd.Kartd1.Session.xml
$systemdsystemunitdir/kartd.service
$prefix/lib/sysusers.d/kartd.conf
$prefix/lib/systemd/catalog/kartd.catalog
$datadir/polkit-1/rules.d/kartd-pcscd.rules
$localedir/tr/LC_MESSAGES/kartd.mo
$datadir/polkit-1/actions/org.kartd.policy
$datadir/polkit-1/rules.d/org.kartd.rules
$man5dir/kartd.conf.5
$man1dir/kartctl.1
$man1dir/kart-notify.1
$man1dir/kart-gui.1
$man8dir/kartd.8
$man8dir/kart-p11-host.8
$datadir/bash-completion/completions/kartctl
$sysconfdir/xdg/autostart/kart-notify.desktop
$datadir/doc/kartd/examples/libakisp11.module"
optional=""
# kart-gui is built only when GTK 4 was found (or not --disable-gui).
if [ -x "$BUILD/client/gui/kart-gui" ]; then
	echo "# kart-gui is built: expecting it and its menu entry"
	programs="$programs
$bindir/kart-gui"
	data="$data
$datadir/applications/org.kartd.KartGui.desktop"
fi

check "make install DESTDIR=... succeeds" submake install DESTDIR="$DEST"

# What was installed, as absolute paths on the target system.
(cd "$DEST" 2>/dev/null && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort) >"$WORLD/installed"
printf '%s\n' $programs $data | LC_ALL=C sort >"$WORLD/expected"
printf '%s\n' $optional | LC_ALL=C sort >"$WORLD/optional"

missing=$(LC_ALL=C comm -23 "$WORLD/expected" "$WORLD/installed")
check_eq "every expected file is installed" "" "$missing"
[ -z "$missing" ] || echo "$missing" | sed 's/^/# missing: /'

unexpected=$(LC_ALL=C sort -u "$WORLD/expected" "$WORLD/optional" |
	LC_ALL=C comm -13 - "$WORLD/installed")
check_eq "no unexpected file is installed" "" "$unexpected"
[ -z "$unexpected" ] || echo "$unexpected" | sed 's/^/# unexpected: /'

for f in $optional; do
	[ -e "$DEST$f" ] || echo "# not installed yet (optional for now): $f"
done

# Programs 0755, data 0644 (install's defaults; anything else is a mistake
# in a rule, e.g. a data file shipped executable or world-writable).
bad=
for f in $programs; do
	[ -e "$DEST$f" ] || continue
	m=$(stat -c %a "$DEST$f"); [ "$m" = 755 ] || bad="$bad $f:$m"
done
for f in $data $optional; do
	[ -e "$DEST$f" ] || continue
	m=$(stat -c %a "$DEST$f"); [ "$m" = 644 ] || bad="$bad $f:$m"
done
check_eq "programs are 0755 and data files 0644" "" "$bad"

# The installed unit runs the installed daemon.
check_eq "the installed unit's ExecStart is the installed kartd" "$libexecdir/kartd" \
	"$(sed -n 's/^ExecStart=//p' "$DEST$systemdsystemunitdir/kartd.service" 2>/dev/null)"

submake uninstall DESTDIR="$DEST" >"$WORLD/uninstall.out" 2>&1 ||
	sed 's/^/# uninstall: /' "$WORLD/uninstall.out"
left=$(cd "$DEST" 2>/dev/null && find . ! -type d | sed 's|^\.||')
check_eq "make uninstall removes every installed file" "" "$left"

tap_done
