# Sourced. with_xvfb COMMAND ARGS...: runs COMMAND with DISPLAY set to a
# virtual X server of its own (1024x768x24) and stops that server after.
# Xvfb picks a free display itself (-displayfd), which xvfb-run -a does not
# do safely: two servers started close together may try the same number,
# and the loser's client then "cannot open display".
with_xvfb() {
	local fifo dir disp xpid rc
	dir=$(mktemp -d) || return 1
	fifo=$dir/display
	mkfifo "$fifo" || { rm -rf "$dir"; return 1; }
	Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$fifo" 2>"$dir/xvfb.log" &
	xpid=$!
	# the display number arrives once the server accepts connections
	disp=$(timeout 30 head -n1 "$fifo")
	if [ -z "$disp" ]; then
		echo "with_xvfb: Xvfb did not start:" >&2; cat "$dir/xvfb.log" >&2
		kill "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null; rm -rf "$dir"
		return 1
	fi
	DISPLAY=:$disp "$@"; rc=$?
	kill "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null
	rm -rf "$dir"
	return $rc
}
