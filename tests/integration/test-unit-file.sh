#!/bin/bash
# Static checks of the shipped service files (test-world.md §7): the systemd
# unit (verify, exposure), the sysusers file, the activation file and its
# agreement with the unit and the bus policy, the pcscd polkit rule and the
# XML in dbus/. Needs no test world and no systemd as PID 1: every
# systemd-analyze call here works offline on unit files.
set -u
. "$(dirname "$0")/tap.sh"

SRC=${KART_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${KART_TOP_BUILDDIR:-$SRC}
WORLD=$(mktemp -d)
trap 'rm -rf "$WORLD"' EXIT

tap_plan 16
UNIT=$BUILD/systemd/kartd.service
ACTIVATION=$BUILD/dbus/org.kartd.Kartd1.service
KARTD=$BUILD/daemon/kartd
[ -f "$UNIT" ] && [ -f "$ACTIVATION" ] && [ -x "$KARTD" ] ||
	{ echo "Bail out! run make first ($UNIT, $ACTIVATION, $KARTD)"; exit 1; }

# skip REASON: a TAP skip, for what even CI does not have (node, a pcscd
# built with polkit); skip_check_or_fail (tap.sh) is for what it has.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

# key FILE KEY: the last value of KEY= in FILE.
key() { sed -n "s/^$2=//p" "$1" | tail -1; }

libexecdir=$(key "$UNIT" ExecStart)
check "the unit's ExecStart is a substituted absolute path" \
	sh -c "case '$libexecdir' in /*/kartd) ! grep -n '@[a-z_]*@' '$UNIT' ;; *) false ;; esac"

# verify needs ExecStart= to exist, so a copy runs the built daemon. The
# copy keeps the name kartd.service (verify and security key on it).
# --man=no: Documentation=man:kartd(8) is not installed on the build host.
# verify exits 0 on unknown keys and bad values, so any output fails.
mkdir "$WORLD/unit"
sed "s|^ExecStart=.*|ExecStart=$KARTD|" "$UNIT" >"$WORLD/unit/kartd.service"
systemd-analyze verify --man=no "$WORLD/unit/kartd.service" >"$WORLD/verify.out" 2>&1
rc=$?
if [ $rc = 0 ] && [ ! -s "$WORLD/verify.out" ]; then
	ok "systemd-analyze verify: no complaint"
else
	not_ok "systemd-analyze verify: no complaint (exit $rc)"
	sed 's/^/# /' "$WORLD/verify.out"
fi

# Exposure at most 2.0 (threshold is exposure x 10). Offline: no PID 1 needed.
systemd-analyze security --offline=true --threshold=20 --no-pager \
	"$WORLD/unit/kartd.service" >"$WORLD/security.out" 2>&1
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for kartd.service: \([0-9.]*\).*/\1/p' "$WORLD/security.out")
echo "# exposure ${exposure:-unknown}"
if [ $rc = 0 ] && [ -n "$exposure" ]; then
	ok "systemd-analyze security: exposure $exposure <= 2.0"
else
	not_ok "systemd-analyze security: exposure ${exposure:-unknown} <= 2.0 (exit $rc)"
	grep '✗' "$WORLD/security.out" | sed 's/^/# /'
	tail -3 "$WORLD/security.out" | sed 's/^/# /'
fi

# The settings security.md ("The service") names, each as written there.
missing=
for setting in User=kartd StateDirectory=kartd UMask=0077 NoNewPrivileges=yes \
	CapabilityBoundingSet= ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	PrivateDevices=yes MemoryDenyWriteExecute=yes SystemCallFilter=@system-service \
	"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
	grep -qxF "$setting" "$UNIT" || missing="$missing '$setting'"
done
check_eq "the unit has every setting security.md asks for" "" "$missing"
# What callers can make kartd use is bounded (security.md, "Bounded").
check "the unit bounds kartd's memory and tasks: MemoryMax=$(key "$UNIT" MemoryMax) TasksMax=$(key "$UNIT" TasksMax)" \
	sh -c "case '$(key "$UNIT" MemoryMax)/$(key "$UNIT" TasksMax)' in /*|*/|*infinity*) false ;; esac"

# The unit, the activation file and the bus policy must name the same
# service, bus name and user, or activation and name ownership fail at run
# time with nothing to show for it at build time.
bus_name=$(key "$UNIT" BusName)
unit_user=$(key "$UNIT" User)
check_eq "the unit is Type=dbus" dbus "$(key "$UNIT" Type)"
check_eq "the unit's BusName is the bus name" org.kartd.Kartd1 "$bus_name"
check_eq "the activation file names the unit's bus name" "$bus_name" "$(key "$ACTIVATION" Name)"
check_eq "the activation file hands over to kartd.service" kartd.service "$(key "$ACTIVATION" SystemdService)"
check "the activation file never starts kartd itself" \
	sh -c "[ '$(key "$ACTIVATION" Exec)' = /bin/false ] && [ '$(key "$ACTIVATION" User)' = root ]"
check "the bus policy lets the unit's User= own the name" \
	grep -Eq "<policy user=\"$unit_user\">" "$SRC/dbus/org.kartd.Kartd1.conf"

# sysusers: applied to an empty root; only "Creating ..." lines are expected.
mkdir -p "$WORLD/root/etc"
systemd-sysusers --root="$WORLD/root" "$SRC/systemd/kartd.sysusers" >"$WORLD/sysusers.out" 2>&1
rc=$?
if [ $rc = 0 ] && ! grep -qv '^Creating ' "$WORLD/sysusers.out"; then
	ok "systemd-sysusers accepts kartd.sysusers"
else
	not_ok "systemd-sysusers accepts kartd.sysusers (exit $rc)"
	sed 's/^/# /' "$WORLD/sysusers.out"
fi
kartd_gid=$(awk -F: '$1 == "kartd" { print $4 }' "$WORLD/root/etc/passwd")
check "sysusers: user $unit_user with its own group, and group kartd-admin" sh -c "
	grep -q '^$unit_user:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin\$' '$WORLD/root/etc/passwd' &&
	grep -q '^kartd:x:${kartd_gid:-none}:' '$WORLD/root/etc/group' &&
	grep -q '^kartd-admin:x:[0-9]*:' '$WORLD/root/etc/group'"

# The pcscd rule, run against a stand-in for polkitd's JavaScript API.
if command -v node >/dev/null 2>&1; then
	check "polkit rule: kartd may use pcscd and its cards, nothing else" node -e '
const src = require("fs").readFileSync(process.argv[1], "utf8");
const rules = [];
const polkit = {
	Result: { YES: "yes", NO: "no", AUTH_ADMIN: "auth_admin" },
	addRule: (f) => rules.push(f), addAdminRule: () => {}, log: () => {},
	spawn: () => { throw new Error("spawn"); },
};
new Function("polkit", src)(polkit);
function ask(id, user) {
	const subject = { user, groups: [user], isInGroup: (g) => g === user, local: true, active: true };
	for (const r of rules) {
		const res = r({ id, lookup: () => undefined }, subject);
		if (res !== undefined && res !== null) return res;
	}
	return "none";
}
const cases = [
	["org.debian.pcsc-lite.access_pcsc", "kartd", "yes"],
	["org.debian.pcsc-lite.access_card", "kartd", "yes"],
	["org.debian.pcsc-lite.access_pcsc", "nobody", "none"],
	["org.debian.pcsc-lite.access_card", "root", "none"],
	["org.kartd.admin", "kartd", "none"],
];
let bad = 0;
for (const [id, user, want] of cases) {
	const got = ask(id, user);
	if (got !== want) { console.log(`${user} ${id}: ${got}, want ${want}`); bad++; }
}
process.exit(bad ? 1 : 0);
' "$SRC/systemd/kartd-pcscd.rules"
else
	skip "node is not installed: the polkit rule is not evaluated"
fi
# The action ids are pcsc-lite's; its policy file only exists where pcscd
# was built with polkit (not Debian 12's), so check them only there.
pcsc_policy=/usr/share/polkit-1/actions/org.debian.pcsc-lite.policy
if [ -f "$pcsc_policy" ]; then
	check "the rule's action ids exist in pcscd's policy" sh -c "
		grep -q 'id=\"org.debian.pcsc-lite.access_pcsc\"' '$pcsc_policy' &&
		grep -q 'id=\"org.debian.pcsc-lite.access_card\"' '$pcsc_policy'"
else
	skip "$pcsc_policy is absent: this pcscd does not check polkit"
fi

# The XML shipped from dbus/ must at least be well-formed.
check "xmllint: dbus/*.xml and dbus/*.conf are well-formed" \
	xmllint --noout "$SRC"/dbus/*.xml "$SRC"/dbus/*.conf

tap_done
