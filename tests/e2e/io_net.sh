# End-to-end tests for block IO and TCP (sourced by run.sh; see lib.sh).

# ================================================================ block IO

# loop_make VAR MIB: a loop device over a fresh file in $T, detached at cleanup
loop_make() {
	local -n _dev=$1
	truncate -s "${2}M" "$T/disk.img" || { fail "cannot create $T/disk.img"; return 1; }
	_dev=$(losetup -f --show "$T/disk.img" 2>"$T/losetup.err") ||
		skip "no loop device: $(head -c 200 "$T/losetup.err")"
	at_cleanup losetup -d "$_dev"
}

# io_churn_short NAME: "pid: bytes" of the dd pids of $T/churn.pids.json
# whose lines' io.write_bytes in NAME's output do not sum to 1 MiB
io_churn_short() {
	jq -r -s --slurpfile p "$T/churn.pids.json" '
		[.[] | select(.type == "process" and (.pid as $x | $p[0] | index($x)))] as $l
		| $p[0][] as $pid
		| "\($pid) \([$l[] | select(.pid == $pid) | .io.write_bytes] | add // 0)"' \
		"$T/$1.jsonl" | awk '$2 != 1048576 { printf "%s%s: %s", s, $1, $2; s = ", " }'
}

# Process churn: 80 dd, 50 ms apart, each writes 1 MiB in 16 KiB O_DIRECT
# writes to a file in $T (a real disk: tmpfs has no block IO). Per process,
# the sum of its interval lines' io.write_bytes is exactly 1 MiB, with raw_tp
# and with tp_btf (two perfpilots side by side, attached before the first dd).
# Now and then the kernel runs a request's completion without the BPF
# programs on its tracepoints (block_rq_complete and block_io_done both
# missed while the tracefs events see them); its bytes reach the submitter
# when another request takes its address (bpf/io.bpf.c: rq_lost), so a
# trailing writer keeps the disk busy until perfpilot's last read. What is
# left of those skips (about 1 run in 50 here, one write of one process
# short in both perfpilots alike) is not perfpilot's: a run with a process
# short is tried once more, and two in a row fail.
test_io_churn() {
	local short
	need_direct_io "$T"
	_io_churn_once 1 || return
	[[ -z $CHURN_SHORT ]] && return
	short=$CHURN_SHORT
	_io_churn_once 2 || return
	[[ -z $CHURN_SHORT ]] && { note "first run short ($short), the second exact"; return; }
	fail "short in two runs in a row: $short; then $CHURN_SHORT"
}

# _io_churn_once K: one run; the processes short in either perfpilot's
# output in CHURN_SHORT (empty: all exact); 1 when the run itself failed
_io_churn_once() {
	local n=80 i pid pids=() raw btf rawname=churn_raw$1 btfname=churn_btf$1 tr a b
	CHURN_SHORT=
	pp_bg "$rawname" -a -i 1 -d 30 --json --attach raw_tp
	raw=$PP_PID
	pp_bg "$btfname" -a -i 1 -d 30 --json
	btf=$PP_PID
	attach_wait "$raw" "$btf"
	for ((i = 0; i < n; i++)); do
		dd if=/dev/zero of="$T/churn.$i" bs=16k count=64 oflag=direct status=none &
		pids+=("$!")
		_track "$!"
		sleep 0.05
	done
	dd if=/dev/zero of="$T/churn.trailer" bs=16k count=512 oflag=direct status=none &
	tr=$!
	_track "$tr"
	for pid in "${pids[@]}" "$tr"; do
		wait_exit "$pid" 20 || { fail "dd (pid $pid) still running after 20 s"; return; }
		[[ $WAIT_RC == 0 ]] || { fail "dd (pid $pid) exited with $WAIT_RC"; return; }
	done
	printf '%s\n' "${pids[@]}" | jq -s -c . >"$T/churn.pids.json"
	kill -INT "$raw" "$btf" 2>/dev/null
	pp_wait || return
	PP_PID=$raw PP_NAME=$rawname
	pp_wait || return
	a=$(io_churn_short "$rawname")
	b=$(io_churn_short "$btfname")
	[[ -n $a || -n $b ]] && CHURN_SHORT="raw_tp: ${a:-none}; tp_btf: ${b:-none}"
	rm -f "$T"/churn.[0-9]* "$T"/churn.trailer
	return 0
}

# the writer's bytes go to its own pid, exactly, and the latency histogram is sane
test_io_write_direct() {
	local dev wl line
	loop_make dev 96 || return
	wl_bg wl "$T/dio.json" "$W/dio" -w -f "$dev" -W 64
	wl_ready "$wl" dio || return
	pp_bg pp -p "$wl" -d 5 --json
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/dio.json" 20 || return
	pp_wait || return
	one pp "$wl" || return
	line=$LINE
	within "io.write_bytes vs bytes written" "$(jf "$line" .io.write_bytes)" \
		"$(truth "$T/dio.json" write_bytes)" 1
	cmp "io.write_ops" "$(jf "$line" .io.write_ops)" -ge 64
	cmp "io.lat_us.count" "$(jf "$line" .io.lat_us.count)" -ge 64
	cmp "io.lat_us.p50 <= p99" "$(jf "$line" .io.lat_us.p50)" -le "$(jf "$line" .io.lat_us.p99)"
	cmp "io.lat_us.p99 <= max" "$(jf "$line" .io.lat_us.p99)" -le "$(jf "$line" .io.lat_us.max)"
	cmp "io.lat_us.max" "$(jf "$line" .io.lat_us.max)" -gt 0
	cmp "io.queue_us.count" "$(jf "$line" .io.queue_us.count)" -ge 64
	note "wrote $(truth "$T/dio.json" write_bytes) B, perfpilot $(jf "$line" .io.write_bytes) B, p50 $(jf "$line" .io.lat_us.p50) us"
}

test_io_read_direct() {
	local dev wl line
	loop_make dev 96 || return
	dd if=/dev/urandom of="$dev" bs=1M count=40 oflag=direct status=none 2>/dev/null
	wl_bg wl "$T/dio.json" "$W/dio" -w -f "$dev" -W 0 -R 32
	wl_ready "$wl" dio || return
	pp_bg pp -p "$wl" -d 4 --json
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/dio.json" 20 || return
	pp_wait || return
	one pp "$wl" || return
	line=$LINE
	within "io.read_bytes vs bytes read" "$(jf "$line" .io.read_bytes)" \
		"$(truth "$T/dio.json" read_bytes)" 1
	is "io.write_bytes" "$(jf "$line" .io.write_bytes)" 0
	cmp "io.lat_us.p50 <= p99" "$(jf "$line" .io.lat_us.p50)" -le "$(jf "$line" .io.lat_us.p99)"
	cmp "io.lat_us.p99 <= max" "$(jf "$line" .io.lat_us.p99)" -le "$(jf "$line" .io.lat_us.max)"
}

# the per-device view sees the loop device's traffic. A request whose
# completion the kernel ran without the BPF programs (see io_churn) leaves
# the device one write short when no later request takes its address: a
# run short by whole writes is tried once more, and two in a row fail.
_io_devices_once() {
	local dev wl name d
	IO_DEV_SHORT=
	loop_make dev 96 || return
	name=${dev##*/}
	wl_bg wl "$T/dio.json" "$W/dio" -w -f "$dev" -W 48
	wl_ready "$wl" dio || return
	pp_bg pp --devices -d 4 --json
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/dio.json" 20 || return
	pp_wait || return
	d=$(jq -c -s --arg n "$name" '[.[] | select(.type == "device" and .device == $n)] | .[0] // empty' \
		"$T/pp.jsonl")
	[[ -n $d ]] || { fail "no device line for $name"; return; }
	local got want
	got=$(jf "$d" .write_bytes) want=$(truth "$T/dio.json" write_bytes)
	if (($1 == 1)) && _isnum "$got" && _isnum "$want" && ((got < want && (want - got) % 1048576 == 0)); then
		IO_DEV_SHORT="$got of $want B"
		return 0
	fi
	within "device write_bytes" "$got" "$want" 1
	cmp "device lat_us.count" "$(jf "$d" .lat_us.count)" -ge 48
	cmp "device inflight_peak" "$(jf "$d" .inflight_peak)" -ge 1
}

test_io_devices() {
	_io_devices_once 1 || return
	[[ -z $IO_DEV_SHORT ]] && return
	note "first run short by whole writes ($IO_DEV_SHORT); run again"
	_io_devices_once 2
}

# ================================================================ TCP

# two namespaces joined by a veth pair: A (10.231.0.1) and B (10.231.0.2)
net_pair() {
	NSA=pp-e2e-a-$$ NSB=pp-e2e-b-$$
	ip netns add "$NSA" 2>"$T/netns.err" || skip "cannot create a network namespace: $(head -c 200 "$T/netns.err")"
	at_cleanup ip netns del "$NSA"
	ip netns add "$NSB" || { fail "ip netns add $NSB"; return 1; }
	at_cleanup ip netns del "$NSB"
	ip link add "ppa$$" netns "$NSA" type veth peer name "ppb$$" netns "$NSB" ||
		{ fail "cannot create a veth pair"; return 1; }
	ip -n "$NSA" addr add 10.231.0.1/24 dev "ppa$$" &&
		ip -n "$NSB" addr add 10.231.0.2/24 dev "ppb$$" &&
		ip -n "$NSA" link set "ppa$$" up && ip -n "$NSB" link set "ppb$$" up &&
		ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up ||
		{ fail "cannot configure the veth pair"; return 1; }
}

# wait until a server printed that it listens
srv_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q listening "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "server did not start listening: $(head -c 200 "$1.err")"
	return 1
}

# tcp_server VAR ARGS...: "tcpxfer serve ARGS" in namespace B, once it listens
tcp_server() {
	local -n _srv=$1
	shift
	wl_bg _srv "$T/srv.json" ip netns exec "$NSB" "$W/tcpxfer" serve "$@"
	srv_ready "$T/srv.json"
}

# tcp_client VAR MODE ARGS...: "tcpxfer MODE -w ARGS" in namespace A, waiting
# for its start signal
tcp_client() {
	local -n _cli=$1
	local mode=$2
	shift 2
	wl_bg _cli "$T/cli.json" ip netns exec "$NSA" "$W/tcpxfer" "$mode" -w "$@"
	wl_ready "$_cli" tcpxfer
}

# _net_tx [PERFPILOT OPTIONS...]: a 150 MB transfer between two namespaces,
# watched with -p; the bytes exact, the connect and accept counted, the
# smoothed RTT sampled on both ends
_net_tx() {
	local srv cli line c
	net_pair || return
	tcp_server srv -n 1 7100 || return
	tcp_client cli send -r 10.231.0.2 7100 150000000 || return
	pp_bg pp -p "$cli,$srv" -d 5 --json "$@"
	attach_wait
	go "$cli"
	wl_done "$cli" "$T/cli.json" 30 || return
	wl_done "$srv" "$T/srv.json" 10 || return
	pp_wait || return
	one pp "$cli" || return
	line=$LINE
	within "net.tx_bytes vs bytes the client sent" "$(jf "$line" .net.tx_bytes)" \
		"$(truth "$T/cli.json" tx_bytes)" 1
	is "client net.connects" "$(jf "$line" .net.connects)" 1
	one pp "$srv" || return
	within "server net.rx_bytes vs bytes it read" "$(jf "$LINE" .net.rx_bytes)" \
		"$(truth "$T/srv.json" rx_bytes)" 1
	is "server net.accepts" "$(jf "$LINE" .net.accepts)" 1
	# the smoothed RTT, read when the connection is established and at the
	# first send of each clock tick: the sender's moves with the ACKs of its
	# data, the receiver's is the handshake's
	cmp "server rtt_us.count" "$(jf "$LINE" .net.rtt_us.count)" -gt 0
	cmp "client rtt_us.count" "$(jf "$line" .net.rtt_us.count)" -gt 0
	# against the sender's own readings of the same kernel field (TCP_INFO
	# tcpi_rtt after each of its 2,289 sends; perfpilot reads it at the
	# first send of a clock tick): the largest smoothed RTT perfpilot saw
	# is at least three quarters of the sender's 90th percentile (its
	# samples, one per tick, include some of the highest tenth: 113-543 us
	# in five runs, the largest 310-791) and at most 40 % above the
	# sender's largest (an ACK handled between the end of a send and the
	# sender's TCP_INFO moves it after perfpilot's reading). A peak shorter
	# than a tick can be missed: 175 against 414 us and 264 against 515 on
	# 2026-12-07, which a bound of 40 % around the sender's largest took
	# for a failure.
	local p90
	c=$(truth "$T/cli.json" rtt_max_us)
	p90=$(truth "$T/cli.json" rtt_p90_us)
	cmp "client rtt_us.max (>= 0.75 x the sender's 90th percentile $p90)" \
		"$(jf "$line" .net.rtt_us.max)" -ge "$(awk -v p="$p90" 'BEGIN { printf "%d", p * 0.75 }')"
	cmp "client rtt_us.max (<= 1.4 x the sender's largest reading $c)" \
		"$(jf "$line" .net.rtt_us.max)" -le "$(awk -v c="$c" 'BEGIN { printf "%d", c * 1.4 }')"
	note "sent $(truth "$T/cli.json" tx_bytes) B, perfpilot $(jf "$line" .net.tx_bytes) B, retrans $(jf "$line" .net.retrans), RTT samples $(jf "$line" .net.rtt_us.count), RTT max $(jf "$line" .net.rtt_us.max) us (the sender read $c us at most, $p90 at its 90th percentile, $(truth "$T/cli.json" rtt_last_us) us last)"
}

test_net_tx_bytes() { _net_tx; }

# the same through the raw_tp programs (the fallback of kernels without
# tp_btf): the same exact bytes and RTT samples
test_net_raw_tp() { _net_tx --attach raw_tp; }

test_net_connects() {
	local srv cli line
	net_pair || return
	tcp_server srv -n 25 7101 || return
	tcp_client cli connect 10.231.0.2 7101 25 || return
	pp_bg pp -p "$cli,$srv" -d 4 --json
	attach_wait
	go "$cli"
	wl_done "$cli" "$T/cli.json" 20 || return
	wl_done "$srv" "$T/srv.json" 10 || return
	pp_wait || return
	one pp "$cli" || return
	is "client net.connects" "$(jf "$LINE" .net.connects)" "$(truth "$T/cli.json" connects)"
	one pp "$srv" || return
	is "server net.accepts" "$(jf "$LINE" .net.accepts)" "$(truth "$T/srv.json" accepts)"
}

# the same, three times, the client started the moment the last program is
# attached (twice with the per-switch programs, once with the iterator):
# listeners opened before perfpilot are known to it by then (not only once
# it has read them after attaching), and a process that runs from a wakeup
# to its exit without leaving a CPU (over the host's loopback a connect need
# not block) is reported with its connections, not dropped as a late event
# of a process gone
test_net_connects_early() {
	local srv cli port r src
	local -A n=()
	port=$(free_port) || { fail "no free TCP port on the loopback"; return; }
	for r in 1 2 3; do
		src=switch
		((r == 2)) && src=iterator
		: >"$T/srv.json" # not the last round's "listening"
		wl_bg srv "$T/srv.json" "$W/tcpxfer" serve -n 25 "$port"
		srv_ready "$T/srv.json" || return
		wl_bg cli "$T/cli.json" "$W/tcpxfer" connect -w 127.0.0.1 "$port" 25
		wl_ready "$cli" tcpxfer || return
		[[ -n ${n[$src]-} ]] || attach_count "n[$src]" -p "$cli,$srv" --sched-source "$src"
		((n[$src] > 0)) || { fail "perfpilot attached no BPF links ($src)"; return; }
		pp_bg pp -p "$cli,$srv" -d 4 --json --sched-source "$src"
		attach_exact "${n[$src]}"
		go "$cli"
		wl_done "$cli" "$T/cli.json" 20 || return
		wl_done "$srv" "$T/srv.json" 10 || return
		pp_wait || return
		one pp "$cli" || return
		is "round $r ($src): client net.connects" "$(jf "$LINE" .net.connects)" \
			"$(truth "$T/cli.json" connects)"
		one pp "$srv" || return
		is "round $r ($src): server net.accepts" "$(jf "$LINE" .net.accepts)" \
			"$(truth "$T/srv.json" accepts)"
	done
}

# bytes of connections that closed, and of one shared by a parent and its
# child at different times, summed over 1-s intervals: exact per process
# (a connection's bytes reach its owner's entry when it closes or changes
# owner; the reads in between add what is not flushed yet, once)
test_net_handoff() {
	local srv cli child sum
	net_pair || return
	tcp_server srv -n 3 7105 || return
	tcp_client cli handoff 10.231.0.2 7105 4000000 3 || return
	pp_bg pp -p "$cli,$srv" --children -i 1 -d 5 --json
	attach_wait
	go "$cli"
	wl_done "$cli" "$T/cli.json" 20 || return
	wl_done "$srv" "$T/srv.json" 10 || return
	pp_wait || return
	child=$(truth "$T/cli.json" child)
	sum='[.[] | select(.type == "process" and .pid == $p) | .net.tx_bytes] | add // 0'
	is "parent tx_bytes over the intervals" \
		"$(jq -s --argjson p "$cli" "$sum" "$T/pp.jsonl")" "$(truth "$T/cli.json" tx_bytes)"
	is "child tx_bytes over the intervals" \
		"$(jq -s --argjson p "$child" "$sum" "$T/pp.jsonl")" "$(truth "$T/cli.json" child_tx_bytes)"
	is "server rx_bytes over the intervals" \
		"$(jq -s --argjson p "$srv" "${sum//tx_bytes/rx_bytes}" "$T/pp.jsonl")" \
		"$(truth "$T/srv.json" rx_bytes)"
	note "intervals with parent bytes: $(jq -s --argjson p "$cli" '[.[] | select(.type == "process" and .pid == $p and .net.tx_bytes > 0)] | length' "$T/pp.jsonl")"
}

# 1,500 connections live at once on each end: more than the 1,024 slots of
# the connection table, so that most of them are in its overflow hash; the
# bytes, connects and accepts exact
test_net_many() {
	local srv cli line
	net_pair || return
	# the accept queue holds them all, whatever the host's default
	ip netns exec "$NSB" sysctl -qw net.core.somaxconn=4096 ||
		{ fail "cannot set somaxconn in the test's namespace"; return; }
	tcp_server srv -b 2048 -n 1500 7106 || return
	tcp_client cli many 10.231.0.2 7106 1500 10000 || return
	pp_bg pp -p "$cli,$srv" -d 6 --json
	attach_wait
	go "$cli"
	wl_done "$cli" "$T/cli.json" 30 || return
	wl_done "$srv" "$T/srv.json" 20 || return
	pp_wait || return
	one pp "$cli" || return
	line=$LINE
	is "client net.tx_bytes" "$(jf "$line" .net.tx_bytes)" "$(truth "$T/cli.json" tx_bytes)"
	is "client net.connects" "$(jf "$line" .net.connects)" "$(truth "$T/cli.json" connections)"
	one pp "$srv" || return
	is "server net.rx_bytes" "$(jf "$LINE" .net.rx_bytes)" "$(truth "$T/srv.json" rx_bytes)"
	is "server net.accepts" "$(jf "$LINE" .net.accepts)" "$(truth "$T/srv.json" accepts)"
	note "closes: client $(jf "$line" .net.closes), server $(jf "$LINE" .net.closes)"
}

# a listener with a backlog of 1 that never accepts, flooded with connects
test_net_listen_overflow() {
	local srv fl ns line l
	net_pair || return
	tcp_server srv -b 1 -q 8 7102 || return
	ns=$(stat -L -c %i "/proc/$srv/ns/net")
	pp_bg pp --connections -d 4 --json
	attach_wait
	wl_bg fl "$T/flood.json" ip netns exec "$NSA" "$W/tcpxfer" flood 10.231.0.2 7102 30
	wl_done "$fl" "$T/flood.json" 10 || return
	pp_wait || return
	line=$(jq -c -s --argjson ns "$ns" '[.[] | select(.type == "netns" and .netns == $ns)] | .[0] // empty' \
		"$T/pp.jsonl")
	[[ -n $line ]] || { fail "no netns line for the server's namespace $ns"; return; }
	cmp "listen_overflows in the server's netns" "$(jf "$line" .listen_overflows)" -gt 0
	l=$(jq -c '[.listeners[] | select(.port == 7102)] | .[0] // empty' <<<"$line")
	[[ -n $l ]] || { fail "listener :7102 not listed"; return; }
	is "listener owner" "$(jf "$l" .pid)" "$srv"
	is "listener backlog" "$(jf "$l" .backlog)" 1
	note "overflows $(jf "$line" .listen_overflows), accept queue $(jf "$l" .accept_queue)/$(jf "$l" .backlog)"
}

# retransmits: cut the link for a moment during a transfer (no netem here);
# the kernel's own RetransSegs in the client's namespace is the reference
# _net_retransmits_once: the scenario; returns 3 (and fails nothing) when the
# kernel itself retransmitted nothing (the link went down and up before the
# client sent: the precondition, not perfpilot, failed)
_net_retransmits_once() {
	local srv cli before after mac
	net_pair || return
	tcp_server srv -n 1 7103 || return
	tcp_client cli send 10.231.0.2 7103 60000000 || return
	before=$(ip netns exec "$NSA" awk '/^Tcp:/ { if (h) print $13; h = 1 }' /proc/net/snmp)
	pp_bg pp -p "$cli" -d 6 --json
	attach_wait
	# B stops answering for 0.6 s: its address goes, so what reaches it is
	# dropped there and its ACKs have no route, while both links stay up.
	# A knows B's MAC for good: else the client's first segments wait in
	# A's neighbour queue for an ARP answer, and TCP does not count what
	# it resends while the first copy still waits in the host (that race,
	# and the carrier going off with a link taken down, left some runs
	# without a single retransmission)
	mac=$(ip -n "$NSB" -o link show "ppb$$" | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }')
	ip -n "$NSA" neigh replace 10.231.0.2 lladdr "$mac" dev "ppa$$" nud permanent ||
		{ fail "cannot set B's address in A's neighbour table"; return 1; }
	ip -n "$NSB" addr del 10.231.0.2/24 dev "ppb$$"
	go "$cli"
	sleep 0.6
	ip -n "$NSB" addr add 10.231.0.2/24 dev "ppb$$"
	wl_done "$cli" "$T/cli.json" 30 || return
	after=$(ip netns exec "$NSA" awk '/^Tcp:/ { if (h) print $13; h = 1 }' /proc/net/snmp)
	pp_wait || return
	one pp "$cli" || return
	if ((after == before)) && [[ $(jf "$LINE" .net.retrans) == 0 ]]; then
		note "no retransmission at all (kernel RetransSegs 0): once more"
		return 3
	fi
	cmp "net.retrans" "$(jf "$LINE" .net.retrans)" -ge 1
	cmp "net.retrans <= kernel RetransSegs" "$(jf "$LINE" .net.retrans)" -le $((after - before))
	note "retransmits: perfpilot $(jf "$LINE" .net.retrans), kernel RetransSegs $((after - before))"
}

test_net_retransmits() {
	_net_retransmits_once
	(($? == 3)) || return 0
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	_net_retransmits_once
	(($? == 3)) && fail "no retransmission in two tries (kernel RetransSegs 0 both times)"
	return 0
}

# The table of closed connections (4,096 between two reads) overflows in
# one interval: its closes are counted as dropped, and once perfpilot has
# read and emptied the table, the closes of the next interval are all
# reported again (the kernel side stops trying a full table until then)
test_net_closed_full() {
	local srv1 srv2 c1 c2 n1 n2
	net_pair || return
	wl_bg srv1 "$T/srv1.json" ip netns exec "$NSB" "$W/tcpxfer" serve -b 4096 -n 6000 7105
	srv_ready "$T/srv1.json" || return
	wl_bg srv2 "$T/srv2.json" ip netns exec "$NSB" "$W/tcpxfer" serve -b 4096 -n 300 7106
	srv_ready "$T/srv2.json" || return
	wl_bg c1 "$T/c1.json" ip netns exec "$NSA" "$W/tcpxfer" connect -w 10.231.0.2 7105 6000
	wl_ready "$c1" tcpxfer || return
	wl_bg c2 "$T/c2.json" ip netns exec "$NSA" "$W/tcpxfer" connect -w 10.231.0.2 7106 300
	wl_ready "$c2" tcpxfer || return
	# (it ends when the four have: -d is a bound for a slow host)
	pp_bg pp -p "$c1,$c2,$srv1,$srv2" --connections -n 0 -i 1 -d 20 --json
	attach_wait
	go "$c1"
	wl_done "$c1" "$T/c1.json" 30 || return
	# the server's ends closed too (a slow host's would spill into c2's interval)
	wl_done "$srv1" "$T/srv1.json" 30 || return
	sleep 1.5 # an interval's read in between
	go "$c2"
	wl_done "$c2" "$T/c2.json" 30 || return
	pp_wait || return
	n1=$(jq -s '[.[] | select(.type == "connection" and .closed == true and .dport == 7105)] | length' \
		"$T/pp.jsonl")
	n2=$(jq -s '[.[] | select(.type == "connection" and .closed == true and .dport == 7106)] | length' \
		"$T/pp.jsonl")
	((n1 < 6000)) || skip "the first 6,000 connections fit the table (n1 $n1): nothing overflowed"
	is "connections to 7106 reported closed after the table overflowed" "$n2" 300
	note "of 6,000 connections in one interval, $n1 reported closed (the rest dropped: the table holds 4,096 closes, both ends); then $n2 of 300"
}

# --connections lists the busy connection with its 4-tuple, owner and netns
test_net_connections() {
	local srv cli c ns
	net_pair || return
	tcp_server srv -n 1 7104 || return
	tcp_client cli send 10.231.0.2 7104 50000000 || return
	ns=$(stat -L -c %i "/proc/$cli/ns/net")
	pp_bg pp --connections -d 4 --json
	attach_wait
	go "$cli"
	wl_done "$cli" "$T/cli.json" 30 || return
	pp_wait || return
	c=$(jq -c -s --argjson p "$cli" '[.[] | select(.type == "connection" and .pid == $p)] | .[0] // empty' \
		"$T/pp.jsonl")
	[[ -n $c ]] || { fail "no connection line for the client"; return; }
	is "daddr" "$(jf "$c" .daddr)" 10.231.0.2
	is "dport" "$(jf "$c" .dport)" 7104
	is "saddr" "$(jf "$c" .saddr)" 10.231.0.1
	is "netns" "$(jf "$c" .netns)" "$ns"
	within "connection tx_bytes" "$(jf "$c" .tx_bytes)" "$(truth "$T/cli.json" tx_bytes)" 1
	is "closed" "$(jf "$c" .closed)" true
}
