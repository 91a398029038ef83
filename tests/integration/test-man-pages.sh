#!/bin/bash
# The manual pages: they render without groff warnings, and kartd.conf(5)
# names every setting that daemon/conf.c accepts (and no other).
set -u
. "$(dirname "$0")/tap.sh"
top=${KART_TOP_SRCDIR:-$(dirname "$0")/../..}
pages=("$top"/man/*.[1-8])

tap_plan $(( ${#pages[@]} + 2 ))
for p in "${pages[@]}"; do
	check_eq "$(basename "$p") renders without warnings" "" \
		"$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$p" 2>&1)"
done
code=$(sed -n 's/^ *{ "\([a-z]*\)", "\([A-Za-z]*\)", parse_.*/[\1] \2/p' "$top/daemon/conf.c" | sort -f)
# "[Daemon] SECTION" headings, then ".BR Key=" or ".BI Key=" items
doc=$(awk '/^\.SH \[/ { s = tolower($2) } /^\.B[IR]? [A-Za-z]+=/ { k = $2; sub(/=.*/, "", k); print s " " k }' \
	"$top/man/kartd.conf.5" | sort -f)
check "conf.c has settings (the pattern still matches)" test -n "$code"
check_eq "kartd.conf(5) documents exactly the settings conf.c knows" "$code" "$doc"
tap_done
