#!/bin/bash
# Bash completion for kartctl (completion/kartctl), driven the way bash
# drives it (COMP_WORDS, COMP_CWORD), with kartd running: commands,
# options, the card serial and the certificate IDs kartd reports.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 9
card_start
. "$KART_TOP_SRCDIR/completion/kartctl"
complete_line() { # WORDS...: the candidates for the last word
	COMP_WORDS=("$CTL" "$@")
	COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
	COMPREPLY=()
	_kartctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}
check_eq "commands" "cert certs change-pin" "$(complete_line c)"
check_eq "global options" "--help --host" "$(complete_line --h)"
check_eq "pin-status offers the serial kartd reports" 4b41525400000001 "$(complete_line pin-status '')"
check_eq "... and unlock too" 4b41525400000001 "$(complete_line unlock 4b)"
check_eq "unlock's options" "--remember" "$(complete_line unlock --re)"
check_eq "cert subcommands" "show suspend" "$(complete_line cert s)"
check_eq "cert show offers the card's certificate IDs" "01 02 03" "$(complete_line cert show '')"
check_eq "--method values" "password sms" "$(complete_line unlock --method '')"
check_eq "... nothing offered for an unknown command" "" "$(complete_line frobnicate '')"
tap_done
