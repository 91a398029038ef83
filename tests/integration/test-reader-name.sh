#!/bin/bash
# A reader whose name is not valid UTF-8 (pcscd takes it from a USB
# descriptor or a config file): kartd uses it as it is with PC/SC and
# shows it cleaned on the bus, so one bad byte does not break
# GetManagedObjects for every client.
set -u
. "$(dirname "$0")/tap.sh"
export KART_READER_FRIENDLYNAME=$'Kart \xff\xfe\x01Reader'
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"

tap_plan 5
. "$(dirname "$0")/card.sh"
card_start

check "GetManagedObjects answers" busctl --system call org.kartd.Kartd1 /org/kartd/Kartd1 \
	org.freedesktop.DBus.ObjectManager GetManagedObjects
reader=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Readers |
	awk '{print $3}' | tr -d '"')
name=$("$CTL" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["readers"][0]["name"])')
check_eq "the reader's name on the bus: valid UTF-8, the bad bytes as '?'" "Kart ???Reader 00 00" "$name"
check "kartctl status shows it" sh -c "'$CTL' status | grep -q 'Kart ???Reader 00 00'"
check_eq "the card in it is served (PC/SC gets the name as it is)" "" "$(call VerifyPin 'sa{sv}' 123456 0)"
check_eq "... the card agrees" 3 "$(card_tries)"
tap_done
