# Helpers for tests about the card in the first reader (sourced after
# tap.sh and world.sh). card_start brings up the world and waits until
# kartd has identified the card.

CTL="$KART_TOP_BUILDDIR/client/kartctl/kartctl"

card_start() {
	world_start "$@" || { echo "Bail out! the test world did not start"; exit 1; }
	world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
	card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards \
		| awk '{print $3}' | tr -d '"')
}

# card_start, then the reference CA backend, and kartd restarted to use it.
card_start_with_backend() {
	card_start "$@"
	world_start_backend >/dev/null || { echo "Bail out! the reference backend did not start"; exit 1; }
	world_restart_kartd >/dev/null
	world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
}

# A Card property as busctl shows it, without quotes.
prop() { busctl --system get-property org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card "$1" | cut -d' ' -f2- | tr -d '"'; }
# A Card method call; prints the error, nothing on success.
call() { busctl --system call org.kartd.Kartd1 "$card" org.kartd.Kartd1.Card "$@" 2>&1; }
# The card's own PIN counter and APDU count, from the simulator: witnesses
# that do not depend on kartd.
card_tries() { world_cardsim pin-tries | awk '{print $2}'; }
apdus() { world_cardsim count | awk '{print $2}'; }

# Pulls the card and puts it back; waits until kartd shows PinState STATE.
reinsert_until_pin_state() {
	world_card_remove >/dev/null
	sleep 0.8
	world_card_insert >/dev/null
	world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q '$1'"
}

# Three wrong PINs (the last one forced): the card's PIN is locked.
lock_pin() {
	call VerifyPin sa{sv} 000000 0 >/dev/null
	call VerifyPin sa{sv} 000000 0 >/dev/null
	call VerifyPin sa{sv} 000000 1 force b true >/dev/null
	world_wait_for 5 sh -c "busctl --system get-property org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card PinState | grep -q locked"
}

# kartd_memory_has REGEX: true when kartd's writable memory holds a match
# of the Python regular expression REGEX (on bytes), read through
# /proc/PID/mem as root: what an attacker reading a core file or a leaked
# buffer would see, freed blocks included.
kartd_memory_has() {
	/usr/bin/python3 - "$WORLD_KARTD_PID" "$1" <<-'PY'
	import re, sys
	pid, needle = sys.argv[1], re.compile(sys.argv[2].encode())
	with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
	    for line in maps:
	        addr, perms = line.split()[:2]
	        lo, hi = (int(x, 16) for x in addr.split("-"))
	        # rw- mappings; the sanitizers' shadow (terabytes) is skipped
	        if perms[:2] != "rw" or hi - lo > 1 << 30:
	            continue
	        try:
	            mem.seek(lo)
	            if needle.search(mem.read(hi - lo)):
	                sys.exit(0)
	        except OSError:
	            pass
	sys.exit(1)
	PY
}
