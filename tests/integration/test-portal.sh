#!/bin/bash
# Where a holder gets the verification code: the CA advertises its portal
# in GET /v1/meta ("portal"), kartd shows it as Manager.UnlockPortal, and
# kartctl prints it before asking for the code; [Backend] PortalURL= wins
# over the CA; a portal that is no https:// address (from the CA or the
# configuration) is never shown. A card kartd cannot unlock (an AKİS
# card: KamuSM unlocks its own) gets the portal named instead.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

tap_plan 9
card_start_with_backend
portal() { busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager UnlockPortal |
	cut -d' ' -f2- | tr -d '"'; }
check "the CA's portal from /v1/meta is Manager.UnlockPortal" \
	world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager UnlockPortal | grep -q 'https://portal.example.test/nes/pin'"
out=$(printf 'AAAA-AAAA-AAAA\n' | "$CTL" unlock --stdin 2>&1)
check "kartctl unlock says where to get the code, before asking for it" \
	grep -q "^Get the verification code from your certificate authority at https://portal.example.test/nes/pin$" <<<"$out"
world_install_locale >/dev/null
out=$(printf 'AAAA-AAAA-AAAA\n' | LC_ALL=tr_TR.UTF-8 KART_LOCALEDIR="$WORLD/locale" "$CTL" unlock --stdin 2>&1)
check "... in Turkish too" \
	grep -q "^Doğrulama kodunu sertifika sağlayıcınızdan şu adreste alın: https://portal.example.test/nes/pin$" <<<"$out"

printf 'PortalURL=https://www.turkiye.gov.tr/nes\n' >>"$WORLD/kartd.conf"	# ([Backend] is the file's last section)
world_restart_kartd >/dev/null
check_eq "[Backend] PortalURL= wins over the CA's" "https://www.turkiye.gov.tr/nes" "$(portal)"
# a KamuSM card (AKİS 2.x) is unlocked on the CA's own portal, not through kartd
world_stop_cardsim >/dev/null
KART_CARD_PROFILE=$KART_TOP_SRCDIR/sim/cardsim/akis-2.profile _world_write_profile
rm -f "$WORLD/card.state"
world_start_cardsim >/dev/null
world_wait_for 10 sh -c "'$CTL' status | grep -q 'AKİS 2'"
out=$("$CTL" unlock </dev/null 2>&1); rc=$?
check_eq "an AKİS card: kartctl unlock refuses (exit 1) ..." 1 "$rc"
check "... and names the CA's portal, where the card is unlocked" \
	grep -q "^Your certificate authority's portal: https://www.turkiye.gov.tr/nes$" <<<"$out"
sed -i '$d' "$WORLD/kartd.conf"
printf 'PortalURL=javascript:alert(1)\n' >>"$WORLD/kartd.conf"
world_restart_kartd >/dev/null
check "a PortalURL= that is no https:// address: reported with file:line, ignored" \
	grep -q "kartd.conf:$(wc -l <"$WORLD/kartd.conf"): \[Backend\] PortalURL: 'javascript:alert(1)' is not an https:// address, ignoring" "$WORLD/kartd.log"
sed -i '$d' "$WORLD/kartd.conf"

world_stop_backend >/dev/null
rm -f "$WORLD/backend/data.json"
KART_BACKEND_PORTAL='"javascript:alert(1)"' world_start_backend >/dev/null
world_restart_kartd >/dev/null
check "a CA that names a portal that is no https:// address: said so" \
	world_wait_for 5 grep -q "names a portal that is no https:// address" "$WORLD/kartd.log"
check_eq "... and it is not shown" "" "$(portal)"
tap_done
