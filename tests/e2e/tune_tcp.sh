# End-to-end test of the tcp_buffers tuner (sourced by run.sh): a bulk
# transfer between two throwaway network namespaces over a veth pair, the
# receiver's tcp_rmem max tiny; perfpilot tune raises it there, stepwise.
# shellcheck shell=bash

# tcp_pair VAR_S VAR_R: two new namespaces joined by a veth pair,
# 10.201.0.1 (sender) and 10.201.0.2 (receiver), deleted at cleanup (their
# veth ends go with them); names unique per run
tcp_pair() {
	local -n _s=$1 _r=$2
	local tag=$$$RANDOM
	_s=pp-tcps-$tag
	_r=pp-tcpr-$tag
	ip netns add "$_s" || { fail "ip netns add $_s"; return 1; }
	at_cleanup ip netns del "$_s"
	ip netns add "$_r" || { fail "ip netns add $_r"; return 1; }
	at_cleanup ip netns del "$_r"
	if ! { ip link add "pps${tag: -8}" netns "$_s" type veth peer name "ppr${tag: -8}" netns "$_r" &&
		ip -n "$_s" addr add 10.201.0.1/24 dev "pps${tag: -8}" &&
		ip -n "$_r" addr add 10.201.0.2/24 dev "ppr${tag: -8}" &&
		ip -n "$_s" link set "pps${tag: -8}" up && ip -n "$_r" link set "ppr${tag: -8}" up &&
		ip -n "$_s" link set lo up && ip -n "$_r" link set lo up; }; then
		fail "cannot set up the veth pair"
		return 1
	fi
}

# _bps FILE FROM TO [FIELD]: the receiver's mean throughput (Gbit/s) over
# seconds FROM..TO of tcpbulk's lines; with FIELD cpu its CPU share there
_bps() {
	jq -s --argjson a "$2" --argjson b "$3" --arg f "${4:-bytes_per_s}" \
		'[.[] | select(.t != null and .t >= $a and .t <= $b) | .[$f]]
		 | if length == 0 then "none"
		   elif $f == "cpu" then (add / length * 100 | round / 100)
		   else (add / length * 8 / 1e9 * 100 | round / 100) end' \
		"$1" 2>/dev/null
}

# _runq_bg SECONDS: the number of runnable tasks every 0.5 s into $T/runq
_runq_bg() {
	local pid
	bash -c 'for ((i = 0; i < $1 * 2; i++)); do
			cut -d" " -f4 /proc/loadavg | cut -d/ -f1; sleep 0.5
		done' _ "$1" >"$T/runq" &
	pid=$!
	_track "$pid"
}

test_tune_tcp_buffers() {
	local S R pid_r pid_s host_before snd_before st entries writes kept last before after \
		cpu_before cpu_after others
	command -v ip >/dev/null || skip "ip (iproute2) not installed"
	tcp_pair S R || return
	host_before=$(cat /proc/sys/net/ipv4/tcp_rmem)
	snd_before=$(ip netns exec "$S" cat /proc/sys/net/ipv4/tcp_rmem)
	ip netns exec "$R" sysctl -qw net.ipv4.tcp_rmem="4096 16384 65536" ||
		{ fail "cannot set tcp_rmem in $R"; return; }
	# the issue's scenario is below the default min (128 KiB); a short
	# verify window and no cooldown so that a 18 s run can take steps
	cat >"$T/tune.conf" <<-'EOF'
		allow = net.ipv4.tcp_rmem net.ipv4.tcp_wmem
		verify_window = 3
		cooldown = 0
		[tunable net.ipv4.tcp_rmem]
		min = 4096
		[tunable net.ipv4.tcp_wmem]
		min = 4096
	EOF
	wl_bg pid_r "$T/recv.json" ip netns exec "$R" "$W/tcpbulk" serve 5001 24
	sleep 0.3
	wl_bg pid_s "$T/send.json" ip netns exec "$S" "$W/tcpbulk" send 10.201.0.2 5001 25
	sleep 0.7
	_runq_bg 23
	pp_cmd_bg tune tune --netns "$R" --apply -d 18 --config "$T/tune.conf" \
		--state-dir "$T/state"
	pp_wait
	wl_done "$pid_r" "$T/recv.json" 10 || return
	wait_exit "$pid_s" 5

	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status.jsonl" 2>"$T/status.err" ||
		fail "tune --status failed: $(head -c 200 "$T/status.err")"
	entries=$(jq -s --arg r "$R" '[.[] | select(.tunable == "net.ipv4.tcp_rmem" and .netns == $r)] | length' "$T/status.jsonl")
	kept=$(jq -s '[.[] | select(.state == "kept")] | length' "$T/status.jsonl")
	# a change is one write, its rollback another
	writes=$(jq -s '[.[] | if .state == "rolled_back" then 2 else 1 end] | add // 0' "$T/status.jsonl")
	st=$(jq -s -c '[.[] | "\(.new | split(" ") | .[2])=\(.state)"] | reverse' "$T/status.jsonl")
	cmp "changes of tcp_rmem in $R" "$entries" -ge 1
	cmp "writes" "$writes" -le 5
	jq -e -s 'all(.[]; .reason != null and .reason != "" and .finding == "tcp_rcvbuf_limited" and .tuner == "tcp_buffers")' \
		"$T/status.jsonl" >/dev/null || fail "a change without its reason or finding: $(head -c 300 "$T/status.jsonl")"
	last=$(ip netns exec "$R" cat /proc/sys/net/ipv4/tcp_rmem | awk '{ print $3 }')
	is "host's tcp_rmem" "$(cat /proc/sys/net/ipv4/tcp_rmem)" "$host_before"
	is "sender's tcp_rmem" "$(ip netns exec "$S" cat /proc/sys/net/ipv4/tcp_rmem)" "$snd_before"

	before=$(_bps "$T/recv.json" 1 3)
	after=$(_bps "$T/recv.json" 20 23)
	cpu_before=$(_bps "$T/recv.json" 1 3 cpu)
	cpu_after=$(_bps "$T/recv.json" 20 23 cpu)
	# the transfer is CPU-bound (veth, no delay): compare only when nothing
	# else ran beside it (runnable tasks beyond the sender, the receiver
	# and perfpilot, sampled by _runq_bg)
	others=$(awk '{ n++; s += $1 } END { if (n) printf "%.1f", s / n - 3; else print 99 }' "$T/runq")
	if awk -v o="$others" 'BEGIN { exit !(o <= 0.5) }'; then
		cmp "kept changes" "$kept" -ge 1
		cmp "tcp_rmem max in $R after the run" "$last" -gt 65536
		cmp "throughput in the last seconds (Gbit/s) vs 1.3 x the first $before" \
			"$after" -ge "$(awk -v b="$before" 'BEGIN { print 1.3 * b }')"
	else
		note "gain not checked (kept, max, throughput): $others other runnable tasks on average, the host is busy"
	fi
	note "before $before Gbit/s, after $after Gbit/s (receiver CPU $cpu_before -> $cpu_after s/s); max 65536 -> $last in $writes writes: $st"

	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "tune --revert failed: $(head -c 200 "$T/revert.out")"
	is "tcp_rmem in $R after --revert" "$(ip netns exec "$R" cat /proc/sys/net/ipv4/tcp_rmem)" \
		$'4096\t16384\t65536'
	is "host's tcp_rmem after --revert" "$(cat /proc/sys/net/ipv4/tcp_rmem)" "$host_before"
}
