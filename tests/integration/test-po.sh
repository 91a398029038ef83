#!/bin/bash
# The Turkish catalogue is complete: msgfmt finds no untranslated and no
# fuzzy message, and po/POTFILES.in names every source file with a
# translatable string (so that a new file cannot be forgotten).
set -u
. "$(dirname "$0")/tap.sh"
top=${KART_TOP_SRCDIR:-$(dirname "$0")/../..}

tap_plan 6
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$top/po/tr.po" 2>&1)
check "po/tr.po passes msgfmt --check" env LC_ALL=C msgfmt --check -o /dev/null "$top/po/tr.po"
check "... has translated messages" grep -q "^[0-9][0-9]* translated messages" <<<"$stats"
check_eq "... and no untranslated or fuzzy one" "" "$(grep -o '[0-9]* \(untranslated\|fuzzy\)[a-z ]*' <<<"$stats")"
missing=
for f in $(cd "$top" && grep -rl --include='*.c' '_("\|N_("' client common daemon 2>/dev/null | sort); do
	grep -qx "$f" "$top/po/POTFILES.in" || missing="$missing $f"
done
check_eq "po/POTFILES.in names every C file with translatable strings" "" "$missing"
missing=
for f in $(cd "$top" && find client dbus -name '*.desktop.in' -o -name '*.policy.in' | sort); do
	grep -qx "$f" "$top/po/POTFILES.in" || missing="$missing $f"
done
check_eq "... and every desktop file and polkit policy" "" "$missing"
# What msgfmt made of them in the build tree: the Turkish name is there.
build=${KART_TOP_BUILDDIR:-$top}
untranslated= built=0
for f in "$build"/client/*/*.desktop; do
	[ -f "$f" ] || continue
	built=$((built + 1))
	grep -q '^Name\[tr\]=.' "$f" || untranslated="$untranslated ${f#"$build"/}"
done
# (kart-notify's entry is always built: none found is a failure, not a pass)
check_eq "the built desktop files carry the Turkish name" "" "$untranslated$([ "$built" -gt 0 ] || echo " none built")"
WORLD=${TMPDIR:-/tmp} tap_done
