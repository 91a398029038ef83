#!/bin/bash
# The Turkish catalogue is complete: msgfmt finds no untranslated and no
# fuzzy message, and po/POTFILES.in names every source file with a
# translatable string (so that a new file cannot be forgotten). Every
# count the clients print goes through ngettext, and each plural message
# gives a right form for 0, 1, 2 and 3 in Turkish and English.
set -u
. "$(dirname "$0")/tap.sh"
top=${KART_TOP_SRCDIR:-$(dirname "$0")/../..}

tap_plan 9
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

# Plurals: the catalogue as the clients read it (the .gmo that msgfmt made).
plurals=$top/tests/integration/plurals.py
gmo=$build/po/tr.gmo
[ -f "$gmo" ] || gmo=$top/po/tr.gmo
pot=$(mktemp)
# (the template made from the sources now, not a stale po/kartd.pot)
(cd "$top" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --add-location=file \
	-f po/POTFILES.in -o "$pot" 2>/dev/null)
check_eq "every number a client prints that counts something goes through ngettext" "" \
	"$(/usr/bin/python3 "$plurals" counts "$pot")"
check_eq "each plural message in Turkish, for 0, 1, 2 and 3: a form with the msgid's conversions" "" \
	"$(/usr/bin/python3 "$plurals" forms "$gmo" tr "$pot" 2>&1)"
check_eq "... and in English (the source texts)" "" "$(/usr/bin/python3 "$plurals" forms - en "$pot" 2>&1)"
rm -f "$pot"
WORLD=${TMPDIR:-/tmp} tap_done
