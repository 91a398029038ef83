#!/bin/bash
# The shipped polkit files: the action file as built (well-formed, valid
# against polkit's DTD, exactly the actions of the design with their
# defaults, Turkish merged in), the strings extractable by xgettext, and
# both files as a real polkitd sees them: pkaction shows the defaults, and
# pkcheck gives a kartd-admin member every action without an agent while a
# plain user keeps the defaults.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

SRC=$KART_TOP_SRCDIR
policy=$KART_TOP_BUILDDIR/dbus/org.kartd.policy
rules=$SRC/dbus/org.kartd.rules
dtd=/usr/share/polkit-1/policyconfig-1.dtd
# Installed under names of our own: a kartd installed on this machine (or
# another test installing the shipped names) is neither clobbered nor removed.
inst_policy=/usr/share/polkit-1/actions/org.kartd.test-polkit-files-$$.policy
inst_rules=/etc/polkit-1/rules.d/99-kartd-test-polkit-files-$$.rules
admin=kartpa$$ plain=kartpu$$
made_group=0 sleepers=()

# The expected actions: id -> "allow_any allow_inactive allow_active".
declare -A defaults=(
	[org.kartd.card.read]="yes yes yes"
	[org.kartd.pin.change]="auth_admin_keep auth_admin_keep yes"
	[org.kartd.pin.unlock]="auth_admin_keep auth_admin_keep yes"
	[org.kartd.certificate.manage]="auth_admin_keep auth_admin_keep yes"
	[org.kartd.certificate.revoke]="auth_admin auth_admin auth_self"
	[org.kartd.admin]="auth_admin_keep auth_admin_keep auth_admin_keep"
)

# skip REASON...: a TAP skip, for what even CI does not install (node);
# skip_check_or_fail (tap.sh) for what it does.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

STATIC=$(mktemp -d) || exit 1
WORLD=$STATIC
cleanup() {
	local p
	for p in "${sleepers[@]}"; do kill "$p" 2>/dev/null; done
	rm -f "$inst_policy" "$inst_rules"
	userdel "$admin" 2>/dev/null
	userdel "$plain" 2>/dev/null
	[ "$made_group" = 0 ] || groupdel kartd-admin 2>/dev/null
	rm -rf "$STATIC"
}
trap cleanup EXIT

tap_total=15
tap_plan $tap_total

# ------------------------------------------------------------ static checks

if [ ! -f "$policy" ]; then
	echo "Bail out! $policy is not built (make dbus/org.kartd.policy)"
	exit 1
fi
check "xmllint: the built policy is well-formed" xmllint --noout "$policy"
if [ -f "$dtd" ]; then
	check "xmllint: the built policy is valid against polkit's DTD" \
		xmllint --noout --dtdvalid "$dtd" "$policy"
else
	skip_check_or_fail "$dtd is absent (polkitd ships it)"
fi

# Prints one line per problem; silent when the file is as designed.
/usr/bin/python3 - "$policy" "$(for id in "${!defaults[@]}"; do echo "$id ${defaults[$id]}"; done)" \
	>"$STATIC/defaults.out" 2>&1 <<'EOF'
import sys, xml.etree.ElementTree as ET
XL = "{http://www.w3.org/XML/1998/namespace}lang"
root = ET.parse(sys.argv[1]).getroot()
want = {}
for line in sys.argv[2].splitlines():
    f = line.split()
    want[f[0]] = f[1:]
got = {a.get("id"): a for a in root.iter("action")}
if root.findtext("vendor") != "kartd":
    print("vendor is %r, want 'kartd'" % root.findtext("vendor"))
for i in sorted(set(got) - set(want)):
    print("unexpected action", i)
for i in sorted(set(want) - set(got)):
    print("missing action", i)
for i in sorted(set(want) & set(got)):
    d = got[i].find("defaults")
    have = [d.findtext(k) if d is not None else None
            for k in ("allow_any", "allow_inactive", "allow_active")]
    if have != want[i]:
        print("%s: defaults %s, want %s" % (i, have, want[i]))
    for tag in ("description", "message"):
        src = [e for e in got[i].findall(tag) if e.get(XL) is None]
        if len(src) != 1 or not (src[0].text or "").strip():
            print("%s: no English %s" % (i, tag))
EOF
check "every action of the design is present with its defaults, and no other" \
	sh -c "cat '$STATIC/defaults.out'; test ! -s '$STATIC/defaults.out'"

check "every description and message has a Turkish translation merged in" \
	/usr/bin/python3 - "$policy" <<'EOF'
import sys, xml.etree.ElementTree as ET
XL = "{http://www.w3.org/XML/1998/namespace}lang"
bad = 0
for a in ET.parse(sys.argv[1]).getroot().iter("action"):
    for tag in ("description", "message"):
        en = [e.text for e in a.findall(tag) if e.get(XL) is None]
        tr = [e.text for e in a.findall(tag) if e.get(XL) == "tr"]
        if len(tr) != 1 or not (tr[0] or "").strip() or tr == en:
            print("%s: %s has no Turkish translation" % (a.get("id"), tag))
            bad += 1
sys.exit(1 if bad else 0)
EOF

# xgettext must see the strings of the source file (polkit's ITS rules, or
# ours in po/its when polkit does not ship them).
check "xgettext extracts every description and message of the source file" sh -c "
	GETTEXTDATADIRS='$SRC/po' xgettext -o '$STATIC/policy.pot' '$SRC/dbus/org.kartd.policy.in' &&
	n=\$(grep -c '^msgid \"' '$STATIC/policy.pot') &&
	echo \"\$n msgids\" && test \"\$n\" -eq 13"
check "po/POTFILES.in lists the source policy" grep -qx 'dbus/org.kartd.policy.in' "$SRC/po/POTFILES.in"

# The rule, evaluated against a stand-in for polkit's JS API.
if command -v node >/dev/null; then
	check "the rules file grants kartd-admin every org.kartd action, nothing else" \
		node -e '
const fs = require("fs");
const rules = [];
const polkit = { Result: { YES: "yes", NO: "no", AUTH_SELF: "auth_self",
	AUTH_ADMIN: "auth_admin", NOT_HANDLED: null },
	addRule: (f) => rules.push(f), log: () => {} };
new Function("polkit", fs.readFileSync(process.argv[1], "utf8"))(polkit);
const ask = (id, groups) => {
	for (const r of rules) {
		const v = r({ id: id }, { isInGroup: (g) => groups.includes(g), user: "u" });
		if (v !== undefined && v !== null) return v;
	}
	return "none";
};
const cases = [
	["org.kartd.admin", ["kartd-admin"], "yes"],
	["org.kartd.certificate.revoke", ["kartd-admin", "users"], "yes"],
	["org.kartd.admin", ["users"], "none"],
	["org.freedesktop.login1.reboot", ["kartd-admin"], "none"],
	["org.kartdx.admin", ["kartd-admin"], "none"],
];
let bad = 0;
for (const [id, groups, want] of cases) {
	const got = ask(id, groups);
	if (got !== want) { console.log(`${groups} ${id}: ${got}, want ${want}`); bad++; }
}
process.exit(bad ? 1 : 0);
' "$rules"
else
	skip "node is not installed: the rules file is only checked by polkitd below"
fi

# ------------------------------------------------------------ real polkitd

if [ "$(id -u)" != 0 ] || [ ! -x /usr/lib/polkit-1/polkitd ]; then
	for _ in $(seq $((tap_total - tap_n))); do skip_check_or_fail "needs root and polkitd"; done
	tap_done
	exit
fi

if ! getent group kartd-admin >/dev/null; then
	groupadd --system kartd-admin && made_group=1
fi
useradd -M -N -G kartd-admin "$admin"
useradd -M -N "$plain"
install -D -m 0644 "$policy" "$inst_policy"
install -D -m 0644 "$rules" "$inst_rules"

# world_start keeps the EXIT trap above and runs it after world_stop.
world_start --polkit --no-kartd --no-pcscd --no-card ||
	{ echo "Bail out! the test world did not start"; exit 1; }
world_wait_for 5 pkaction --action-id org.kartd.pin.change

check "the polkitd answering on the world's bus is the world's" sh -c "
	pid=\$(busctl --system status org.freedesktop.PolicyKit1 | sed -n 's/^PID=//p')
	echo \"owner \$pid, world \$WORLD_POLKIT_PID\"; test \"\$pid\" = '$WORLD_POLKIT_PID'"

pkaction --action-id org.kartd.pin.change --verbose >"$WORLD/pkaction.out" 2>&1
check "pkaction --verbose shows org.kartd.pin.change with its defaults" sh -c "
	cat '$WORLD/pkaction.out'
	grep -q '^org.kartd.pin.change:' '$WORLD/pkaction.out' &&
	grep -Eq 'implicit any: +auth_admin_keep\$' '$WORLD/pkaction.out' &&
	grep -Eq 'implicit inactive: +auth_admin_keep\$' '$WORLD/pkaction.out' &&
	grep -Eq 'implicit active: +yes\$' '$WORLD/pkaction.out' &&
	grep -Eq 'vendor: +kartd\$' '$WORLD/pkaction.out'"
# (pkaction asks for no locale: call EnumerateActions with one ourselves.)
busctl --system --json=short call org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
	org.freedesktop.PolicyKit1.Authority EnumerateActions s tr_TR.UTF-8 >"$WORLD/actions-tr.json" 2>&1
check "polkitd serves every kartd action in Turkish" /usr/bin/python3 - "$WORLD/actions-tr.json" "$policy" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
XL = "{http://www.w3.org/XML/1998/namespace}lang"
want = {}
for a in ET.parse(sys.argv[2]).getroot().iter("action"):
    tr = lambda tag: [e.text for e in a.findall(tag) if e.get(XL) == "tr"]
    want[a.get("id")] = (tr("description"), tr("message"))
served = {r[0]: r for r in json.load(open(sys.argv[1]))["data"][0]}
bad = 0
for i, (d, m) in sorted(want.items()):
    r = served.get(i)
    if r is None or [r[1]] != d or [r[2]] != m:
        print("%s: served %r" % (i, r and r[1:3]))
        bad += 1
sys.exit(1 if bad else 0)
EOF

# pkcheck on a process of each user: 0 = authorized, 1 = not authorized,
# 2 = only with authentication (there is no agent: not authorized either).
sleeper() { # user -> pid of "sleep" running as that user
	setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups sleep 60 &
	sleepers+=($!)
}
sleeper "$admin"; admin_pid=$!
sleeper "$plain"; plain_pid=$!
world_wait_for 2 sh -c "test \"\$(stat -c %U /proc/$admin_pid)\" = '$admin' && test \"\$(stat -c %U /proc/$plain_pid)\" = '$plain'"

# pkcheck_is WANT ACTION PID: pkcheck's exit status is WANT.
pkcheck_is() {
	local rc
	pkcheck --action-id "$2" --process "$3"
	rc=$?
	echo "pkcheck exit $rc, want $1"
	[ "$rc" = "$1" ]
}
check "a kartd-admin member may org.kartd.admin without an agent" pkcheck_is 0 org.kartd.admin "$admin_pid"
check "a kartd-admin member may org.kartd.certificate.revoke without an agent" pkcheck_is 0 org.kartd.certificate.revoke "$admin_pid"
check "a plain user may not org.kartd.admin (authentication needed, no agent)" pkcheck_is 2 org.kartd.admin "$plain_pid"
check "a plain user may not org.kartd.pin.change (a remote or inactive user needs an administrator)" pkcheck_is 2 org.kartd.pin.change "$plain_pid"
check "a plain user may org.kartd.card.read" pkcheck_is 0 org.kartd.card.read "$plain_pid"

tap_done
