#!/bin/bash
# The manual pages: they render without groff warnings, kartd.conf(5)
# names every setting that daemon/conf.c accepts (and no other), kartctl(1)
# every command and long option the built kartctl's help shows, kartd(8)
# every option of kartd --help.
set -u
. "$(dirname "$0")/tap.sh"
top=${KART_TOP_SRCDIR:-$(dirname "$0")/../..}
pages=("$top"/man/*.[1-8])

tap_plan $(( ${#pages[@]} + 6 ))
for p in "${pages[@]}"; do
	check_eq "$(basename "$p") renders without warnings" "" \
		"$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$p" 2>&1)"
done
code=$(sed -n 's/^ *{ "\([a-z0-9]*\)", "\([A-Za-z]*\)", parse_.*/[\1] \2/p' "$top/daemon/conf.c" | sort -f)
# "[Daemon] SECTION" headings, then ".BR Key=" or ".BI Key=" items
doc=$(awk '/^\.SH \[/ { s = tolower($2) } /^\.B[IR]? [A-Za-z]+=/ { k = $2; sub(/=.*/, "", k); print s " " k }' \
	"$top/man/kartd.conf.5" | sort -f)
check "conf.c has settings (the pattern still matches)" test -n "$code"
check_eq "kartd.conf(5) documents exactly the settings conf.c knows" "$code" "$doc"

CTL=${KART_TOP_BUILDDIR:-$top}/client/kartctl/kartctl
KARTD=${KART_TOP_BUILDDIR:-$top}/daemon/kartd
page=$(LC_ALL=C.UTF-8 MANWIDTH=200 groff -man -Tutf8 -P-cbou "$top/man/kartctl.1" 2>/dev/null)
verbs=$(LC_ALL=C "$CTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
missing=
for v in $verbs; do grep -q "^       $v\b" <<<"$page" || missing="$missing $v"; done
check "kartctl --help lists commands (the pattern still matches)" test -n "$verbs"
check_eq "kartctl(1) describes every command kartctl --help lists" "" "$missing"
options=$( { LC_ALL=C "$CTL" --help; for v in $verbs; do LC_ALL=C "$CTL" $v --help 2>&1; done;
	LC_ALL=C "$CTL" cert --help; } | grep -o -- '--[a-z][a-z-]*' | sort -u)
missing=
for o in $options; do grep -q -- "$o" <<<"$page" || missing="$missing $o"; done
check_eq "kartctl(1) names every long option of kartctl's help texts" "" "$missing"
kpage=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -P-cbou "$top/man/kartd.8" 2>/dev/null)
missing=
for o in $(LC_ALL=C "$KARTD" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q -- "$o" <<<"$kpage" || missing="$missing $o"
done
check_eq "kartd(8) names every option of kartd --help" "" "$missing"
tap_done
