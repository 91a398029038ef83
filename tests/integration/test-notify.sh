#!/bin/bash
# kart-notify against python3-dbusmock's notification daemon on a private
# session bus, with the real kartd world on the system bus: one
# notification per event (insertion with the holder's name, the PIN's last
# try, the locked PIN with its unlock action, a revoked certificate, a
# certificate expiring in 10 days once a day), kartd restarts, the
# notification server coming and going, Turkish.
set -u
. "$(dirname "$0")/tap.sh"
. "${KART_TOP_SRCDIR:-$(dirname "$0")/../..}/tests/world/world.sh"
. "$(dirname "$0")/card.sh"

NOTIFY="$KART_TOP_BUILDDIR/client/notify/kart-notify"
PY=/usr/bin/python3
$PY -c 'import dbusmock' 2>/dev/null || skip_or_fail "python3-dbusmock is not installed"

tap_plan 31
world_start --no-card || { echo "Bail out! the test world did not start"; exit 1; }

# The private session bus, with no service activation.
cat >"$WORLD/session.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$WORLD/session.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
_world_spawn SESSION_PID "$WORLD/session.log" dbus-daemon --nofork --nopidfile --config-file="$WORLD/session.conf"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$WORLD/session.sock
world_wait_for 5 busctl --user status >/dev/null ||
	{ echo "Bail out! the session bus did not start"; diag "$WORLD/session.log"; exit 1; }

# dbusmock truncates its log: one per server started.
servers=0
start_server() {
	servers=$((servers + 1))
	LOG=$WORLD/notify$servers.log
	_world_spawn MOCK_PID "$WORLD/mock.out" $PY -m dbusmock --template notification_daemon -l "$LOG"
	world_wait_for 10 busctl --user status org.freedesktop.Notifications
}
stop_server() { _world_kill "$MOCK_PID"; _world_forget "$MOCK_PID"; }

# A kart-gui of our own: the unlock action's witness.
mkdir -p "$WORLD/bin"
printf '#!/bin/sh\necho "$@" >>"%s/gui.args"\n' "$WORLD" >"$WORLD/bin/kart-gui"
chmod 0755 "$WORLD/bin/kart-gui"
# Each agent logs to a file of its own (AGENT_LOG), kept to the end.
AGENT_LOG=$WORLD/agent.log
start_agent() { # [ENV=VALUE...]
	_world_spawn AGENT_PID "$AGENT_LOG" env PATH="$WORLD/bin:$PATH" "$@" "$NOTIFY" --no-daemon
	world_wait_for 5 grep -q 'kartd is running' "$AGENT_LOG"
}

# How many notifications have a summary matching the regex (the log's
# Notify lines: app name, replaces id, icon, summary, body, actions, ...).
all() { cat "$WORLD"/notify*.log 2>/dev/null; }
count() { all | grep -c "Notify \"kart-notify\" 0 \"kart-notify\" \"$1"; }
# wait_count N REGEX: waits until count REGEX reaches N, then prints it.
# That there are not more is known only once a later notification came:
# kart-notify posts in the order of kartd's events and the server logs in
# the order of its calls, so the checks that nothing more came follow a
# later event's notification (or, for kartd's restart, name the one after).
wait_count() { # N REGEX
	world_wait_for 10 sh -c "[ \$(cat '$WORLD'/notify*.log | grep -c 'Notify \"kart-notify\" 0 \"kart-notify\" \"$2') -ge $1 ]"
	count "$2"
}
# The summaries the current server logged, in order; next_after REGEX: the
# one after the first that matches.
summaries() { grep -o 'Notify "kart-notify" 0 "kart-notify" "[^"]*"' "$LOG" | sed 's/.*"kart-notify" "//; s/"$//'; }
next_after() { summaries | awk -v re="$1" 'found { print; exit } $0 ~ re { found = 1 }'; }
reinsert() {
	world_card_remove >/dev/null
	world_wait_for 5 sh -c "! '$CTL' --json status | grep -q serial"
	world_card_insert >/dev/null
}

start_server || { echo "Bail out! the notification daemon did not start"; diag "$WORLD/mock.out"; exit 1; }
check "kart-notify --version" sh -c "'$NOTIFY' --version | grep -q '^kart-notify '"
check "kart-notify --help names --no-daemon" sh -c "'$NOTIFY' --help | grep -q -- --no-daemon"
check "kart-notify starts and finds kartd" start_agent

# --- insertion: the holder's name from the signing certificate
world_card_insert >/dev/null
check_eq "insertion: an 'inserted' notification" 1 "$(wait_count 1 'Smart card inserted')"
check_eq "... whose summary names the holder (signing certificate's CN)" 1 \
	"$(count 'Smart card inserted: Ayşe Yılmaz"')"
check_eq "the certificate expiring in 10 days: a warning" 1 "$(wait_count 1 'Certificate expires soon')"
check "... which says how many days are left" grep -q 'expires in 9 days\|expires in 10 days' "$LOG"
card=$(busctl --system get-property org.kartd.Kartd1 /org/kartd/Kartd1 org.kartd.Kartd1.Manager Cards |
	awk '{print $3}' | tr -d '"')
serial=$(prop Serial)
reinsert
check_eq "reinserted: a second 'inserted' notification" 2 "$(wait_count 2 'Smart card inserted')"

# --- wrong PINs down to the last try, then locked
call VerifyPin 'sa{sv}' 000000 0 >/dev/null
call VerifyPin 'sa{sv}' 000000 0 >/dev/null
check_eq "the PIN at its last try: a warning" 1 "$(wait_count 1 'PIN: one try left')"
# The last-try warning came after all that went before: now it is known
# what the first wrong PIN and the insertions brought.
check_eq "one wrong PIN (tries left) is not news: the last-try warning is the only PIN notification" 1 \
	"$(count 'PIN')"
check_eq "... one 'inserted' notification per insertion" 2 "$(count 'Smart card inserted')"
check_eq "... and the expiry warning only once a day" 1 "$(count 'Certificate expires soon')"
call VerifyPin 'sa{sv}' 000000 1 force b true >/dev/null
check_eq "the PIN locked: a notification" 1 "$(wait_count 1 'PIN locked')"
check "... with the unlock action" grep -q 'PIN locked.*\["unlock", "Unlock' "$LOG"
check_eq "... and the last-try warning was not repeated" 1 "$(count 'PIN: one try left')"

# The notification server says the user clicked "Unlock" (every id it gave
# out is tried: only the locked-PIN notification's starts anything).
n=$(grep -c 'Notify ' "$LOG")
for id in $(seq 1 "$n"); do
	busctl --user call org.freedesktop.Notifications /org/freedesktop/Notifications \
		org.freedesktop.DBus.Mock EmitSignal sssav org.freedesktop.Notifications ActionInvoked us 2 \
		u "$id" s unlock >/dev/null
done
check "the unlock action starts kart-gui" world_wait_for 5 test -s "$WORLD/gui.args"

# --- revoked at the CA
openssl ca -batch -config "$WORLD/ca/openssl.cnf" -revoke "$WORLD/ca/auth.crt" -crl_reason keyCompromise \
	>>"$WORLD/ca.log" 2>&1
world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card RefreshStatus &&
	busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card ListCertificates | grep -q revoked"
check_eq "a revoked certificate: a notification" 1 "$(wait_count 1 'Certificate revoked')"
call RefreshStatus >/dev/null

openssl ca -batch -config "$WORLD/ca/openssl.cnf" -revoke "$WORLD/ca/sign.crt" -crl_reason certificateHold \
	>>"$WORLD/ca.log" 2>&1
world_wait_for 10 sh -c "busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card RefreshStatus &&
	busctl --system call org.kartd.Kartd1 '$card' org.kartd.Kartd1.Card ListCertificates | grep -q on-hold"
check_eq "a certificate put on hold: a notification" 1 "$(wait_count 1 'Certificate suspended')"
# (counted once the suspension's notification came)
check_eq "... the revocation was not repeated by the status checks between" 1 "$(count 'Certificate revoked')"
check_eq "... the PIN locked: one notification" 1 "$(count 'PIN locked')"
check_eq "... and the unlock action started kart-gui --unlock SERIAL, once" "--unlock $serial" \
	"$(cat "$WORLD/gui.args" 2>/dev/null)"

# --- kartd restarts: nothing new to say, and the agent follows it
world_restart_kartd >/dev/null
world_wait_for 5 sh -c "'$CTL' --json status | grep -q serial"
check "the agent sees kartd come back" world_wait_for 5 sh -c "[ \$(grep -c 'kartd is running' '$AGENT_LOG') -ge 2 ]"
reinsert
check_eq "after the restart, an insertion is notified again" 3 "$(wait_count 3 'Smart card inserted')"
check_eq "kartd restarted with the card in: no notification (after the suspension's comes the reinsertion's)" \
	"Smart card inserted: Ayşe Yılmaz" "$(next_after '^Certificate suspended')"

# --- the notification server goes away and comes back; the agent's
# complaints meanwhile are in its log from line away_from to away_to
away_from=$(wc -l <"$AGENT_LOG")
stop_server
reinsert
check "without a notification server the agent says it cannot post" \
	world_wait_for 5 grep -q 'The notification server failed: \|Failed to post a notification: ' "$AGENT_LOG"
check "... and carries on" kill -0 "$AGENT_PID"
start_server
reinsert
check_eq "... and notifies again when one is back" 4 "$(wait_count 4 'Smart card inserted')"
away_to=$(wc -l <"$AGENT_LOG")

# --- Turkish, by an agent started with the card in
_world_kill "$AGENT_PID"; _world_forget "$AGENT_PID"
AGENT_LOG=$WORLD/agent-tr.log
agent_logs=("$WORLD/agent.checked")
if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf8$'; then
	for _ in 1 2 3; do skip_check_or_fail "no tr_TR.UTF-8 locale (locale-gen)"; done
elif ! world_install_locale; then
	for _ in 1 2 3; do not_ok "LANG=tr_TR.UTF-8 (no po/tr.gmo built)"; done
else
	start_agent LANG=tr_TR.UTF-8 LC_ALL=tr_TR.UTF-8 KART_LOCALEDIR="$KART_LOCALEDIR"
	agent_logs+=("$AGENT_LOG")
	# A new agent warns of the expiry once; the warning is the last
	# notification of its reading the card, after an announcement would be.
	check_eq "an agent started with the card in warns of the expiry (LANG=tr_TR.UTF-8: in Turkish)" 1 \
		"$(wait_count 1 'Sertifikanın süresi yakında doluyor')"
	check_eq "... but does not announce the card" 0 "$(count 'Akıllı kart takıldı')"
	reinsert
	check_eq "LANG=tr_TR.UTF-8: the summary is Turkish" 1 "$(wait_count 1 'Akıllı kart takıldı: Ayşe Yılmaz')"
fi
_world_kill "$AGENT_PID"; _world_forget "$AGENT_PID"

# What kart-notify logs besides its news ("Notification: ...", "Started
# kart-gui ...", "kartd is running/stopped/not running"): its warnings and
# errors ("Unexpected ...", "... failed: ...", "Failed to ...", "Out of
# memory.", "The card has no usable serial ...") and a sanitizer's report
# at exit. Only while the notification server was away may it say that
# posting failed. The agents' whole logs, each of which must exist.
agent_errors='unexpected|failed|error|out of memory|no usable serial|sanitizer|runtime error|assert|warning|critical'
awk -v from="$away_from" -v to="$away_to" 'NR > from && NR <= to &&
	/^(The notification server failed: |Failed to post a notification: )/ { next } { print }' \
	"$WORLD/agent.log" >"$WORLD/agent.checked" 2>&1
agents_quiet() {
	local log
	for log in "${agent_logs[@]}"; do
		lacks "$log" -Ei "$agent_errors" || return 1
	done
}
check "kart-notify logged no error" agents_quiet
[ "$tap_failed" = 0 ] || { diag "$LOG" 40; diag "$WORLD/agent.log" 40; diag "$WORLD/agent-tr.log" 20; }
tap_done
