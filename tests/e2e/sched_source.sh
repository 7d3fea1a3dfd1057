# shellcheck shell=bash
# shellcheck disable=SC2153 # LINE is set by one() in lib.sh
# End-to-end tests of the scheduler collector's two sources (sourced by
# run.sh; see lib.sh): --sched-source iterator (a BPF task iterator run once
# per interval, nothing per context switch) against the workloads' own
# schedstat, getrusage and /proc/self/status; the default of the daemon and
# of stat and record (the iterator: no sched_switch program of its own is
# loaded) and their switch source; bad values (exit 2, one line).

# _ss_progs PID: the names of the BPF programs a process holds (programs and
# links), sorted, on one line with a space before and after each
_ss_progs() {
	local id names=' '
	for id in $(_own_prog_ids "$1"); do
		names+="$(bpftool prog show id "$id" -j 2>/dev/null | jq -r '.name // empty') "
	done
	tr ' ' '\n' <<<"$names" | sort -u | tr '\n' ' '
}

# _ss_progs_check PID SOURCE: the scheduler programs PID holds are those of
# SOURCE (iterator: sched_iter and no sched_switch, tick or wakeup program;
# switch: a sched_switch program and no sched_iter), and no fork program
_ss_progs_check() {
	local pid=$1 want=$2 names
	command -v bpftool >/dev/null || { note "bpftool not installed: programs not checked"; return 0; }
	names=$(_ss_progs "$pid")
	[[ $names == *" sched_exit_"* ]] || { fail "pid $pid holds no sched_process_exit program: $names"; return 1; }
	# a fork matters only to --children, which no caller passes
	[[ $names == *" sched_fork_"* ]] && fail "pid $pid holds a sched_process_fork program without --children: $names"
	if [[ $want == iterator ]]; then
		[[ $names == *" sched_iter "* ]] || fail "pid $pid holds no sched_iter program: $names"
		[[ $names == *" sched_switch"* ]] && fail "pid $pid holds a sched_switch program with the iterator: $names"
		[[ $names == *" oncpu_tick "* ]] && fail "pid $pid holds the oncpu_tick program with the iterator: $names"
		[[ $names == *" sched_wakeup"* ]] && fail "pid $pid holds a wakeup program with the iterator: $names"
	else
		[[ $names == *" sched_switch"* ]] || fail "pid $pid holds no sched_switch program: $names"
		[[ $names == *" sched_iter "* ]] && fail "pid $pid holds sched_iter with sched_source switch: $names"
	fi
	return 0
}

# (1) one process burning 2 s, watched with -p and the iterator: its on-CPU
# time against its own schedstat; perfpilot holds the iterator and no
# per-switch program
test_sched_source_iter_cpu() {
	local a
	wl_bg a "$T/burn.json" "$W/burn" -w 2
	wl_ready "$a" burn || return
	pp_bg pp -p "$a" -d 4.5 --json --sched-source iterator
	attach_wait
	_ss_progs_check "$PP_PID" iterator
	measure_one "$a" "$T/burn.json" 4 || return
	one pp "$a" || return
	_cpu "" "$LINE" "$T/burn.json" 10 2000000000
	is exited "$(jf "$LINE" .exited)" true
}

# the iterator reads a running thread's time at every interval (there is no
# tick program): no 0.5 s interval holds more than 0.5 s of one thread, and
# the intervals add up to the workload's schedstat
test_sched_source_iter_intervals() {
	local a lines bad sum tr n
	wl_bg a "$T/burn.json" "$W/burn" -w 2
	wl_ready "$a" burn || return
	pp_bg pp -p "$a" -i 0.5 -d 4.5 --json --sched-source iterator
	attach_wait
	measure_one "$a" "$T/burn.json" 4 || return
	lines=$(procs pp "$a")
	bad=$(jq -r '[.[] | select(.cpu.oncpu_ns > (.interval_s * 1.05 + 0.01) * 1e9)
		| "\(.cpu.oncpu_ns / 1e6 | floor) ms in \(.interval_s) s"] | join(", ")' <<<"$lines")
	[[ -z $bad ]] || fail "one thread on CPU longer than the interval: $bad"
	n=$(jq '[.[] | select(.cpu.oncpu_ns > 0)] | length' <<<"$lines")
	cmp "intervals with on-CPU time (2 s burnt in 0.5 s intervals)" "$n" -ge 3
	sum=$(jq '[.[].cpu.oncpu_ns] | add // 0' <<<"$lines")
	tr=$(truth "$T/burn.json" oncpu_ns)
	within "sum of cpu.oncpu_ns over intervals vs schedstat" "$sum" "$tr" 10
	note "per interval (ms): $(jq -r '[.[].cpu.oncpu_ns / 1e6 | floor] | map(tostring) | join(" ")' <<<"$lines")"
}

# (2) a process sleeping 200 times 5 ms on CPU 1 next to a burner there,
# started after perfpilot (-a: its whole life is counted), read by the
# iterator every 0.5 s while it runs: voluntary switches against its
# /proc/self/status at its end, run-queue wait against its schedstat
# run_delay (its whole life; it may wait once more while exiting, after it
# read it: 5 ms allowed above), one wait per switch-in, all summed over its
# intervals
test_sched_source_iter_sleeper() {
	local a b lines n nvcsw runq count max t_nv t_runq t_slices
	[[ $(nproc) -ge 2 ]] || skip "needs 2 CPUs"
	pp_bg pp -a -i 0.5 -d 7 --json --sched-source iterator
	attach_wait
	quiet_begin
	wl_bg b "$T/burn.json" taskset -c 1 "$W/burn" 2
	wl_bg a "$T/sl.json" taskset -c 1 "$W/sleeper" 200 5
	wl_done "$a" "$T/sl.json" 6
	wl_done "$b" "$T/burn.json" 6
	quiet_end
	pp_wait || return
	lines=$(procs pp "$a")
	n=$(jq length <<<"$lines")
	cmp "interval lines of the sleeper (read while it ran)" "$n" -ge 2
	nvcsw=$(jq '[.[].cpu.nvcsw] | add // 0' <<<"$lines")
	runq=$(jq '[.[].cpu.runq_wait_ns] | add // 0' <<<"$lines")
	count=$(jq '[.[].cpu.runq_lat_us.count] | add // 0' <<<"$lines")
	max=$(jq '[.[].cpu.runq_lat_us.max] | max // 0' <<<"$lines")
	t_nv=$(truth "$T/sl.json" voluntary_ctxt_switches)
	t_runq=$(truth "$T/sl.json" runq_life_ns)
	t_slices=$(truth "$T/sl.json" timeslices_life)
	is "lines with exited:true" "$(jq '[.[] | select(.exited == true)] | length' <<<"$lines")" 1
	within "cpu.nvcsw vs /proc/PID/status voluntary_ctxt_switches" "$nvcsw" "$t_nv" 10
	cmp "cpu.nvcsw (200 sleeps)" "$nvcsw" -ge 200
	cmp "cpu.runq_wait_ns (>= 90 % of schedstat run_delay $t_runq)" "$runq" -ge \
		"$(awk -v t="$t_runq" 'BEGIN { printf "%.0f", t * 0.9 }')"
	cmp "cpu.runq_wait_ns (<= 110 % of schedstat run_delay $t_runq + 5 ms)" "$runq" -le \
		"$(awk -v t="$t_runq" 'BEGIN { printf "%.0f", t * 1.1 + 5e6 }')"
	within "cpu.runq_lat_us.count vs schedstat timeslices" "$count" "$t_slices" 10
	cmp "cpu.runq_lat_us.max (<= the whole wait)" "$max" -le \
		"$(awk -v r="$runq" 'BEGIN { printf "%.1f", r / 1000 + 1 }')"
	note "$n lines; nvcsw $nvcsw (status $t_nv), runq $(ms "$runq") ms (schedstat $(ms "$t_runq")), waits $count (timeslices $t_slices), max $max us"
}

# (4) processes born and gone between two reads of the iterator (stat
# without -i reads once, at the end): their whole life is counted at their
# exit, CPU time and switches included
test_sched_source_short_lived() {
	local a b line got tr
	pp_bg pp -a -d 5 --json --sched-source iterator
	attach_wait
	quiet_begin
	wl_bg a "$T/burn.json" "$W/burn" 0.3
	wl_bg b "$T/sl.json" "$W/sleeper" 30 2
	wl_done "$a" "$T/burn.json" 4
	wl_done "$b" "$T/sl.json" 4
	quiet_end
	pp_wait || return
	if one pp "$a"; then
		line=$LINE
		is "burner exited" "$(jf "$line" .exited)" true
		got=$(jf "$line" .cpu.oncpu_ns)
		tr=$(truth "$T/burn.json" oncpu_life_ns)
		within "burner cpu.oncpu_ns vs its schedstat (whole life)" "$got" "$tr" 10
		note "burner $(ms "$got") ms (schedstat $(ms "$tr")), nivcsw $(jf "$line" .cpu.nivcsw)"
	fi
	if one pp "$b"; then
		line=$LINE
		is "sleeper exited" "$(jf "$line" .exited)" true
		got=$(jf "$line" .cpu.nvcsw)
		tr=$(truth "$T/sl.json" voluntary_ctxt_switches)
		within "sleeper cpu.nvcsw vs /proc/PID/status voluntary_ctxt_switches" "$got" "$tr" 10
		cmp "sleeper cpu.runq_lat_us.count (one per switch-in)" \
			"$(jf "$line" .cpu.runq_lat_us.count)" -ge 30
		note "sleeper nvcsw $got (status $tr)"
	fi
}

# (3) the daemon's default is the iterator: it says so, and holds sched_iter
# and no sched_switch program (daemon_burn checks a burner's CPU time on
# that default)
test_sched_source_daemon_default() {
	_dm_prereq
	_dm_start dm || return
	grep -q 'scheduler statistics: sched_source = iterator' "$DM_ERR" ||
		fail "the daemon does not say sched_source = iterator: $(head -c 400 "$DM_ERR" | tr '\n' '|')"
	_ss_progs_check "$DM_PID" iterator
}

# (4) stat and record default to the iterator too, and --sched-source
# switch gives the per-switch programs (tune --protect's source)
test_sched_source_cmd_default() {
	local a
	wl_bg a "$T/sleep.json" sleep 300 # outlives three starts on a slow host
	pp_bg st -p "$a" -d 20 --json
	attach_wait
	_ss_progs_check "$PP_PID" iterator
	kill -INT "$PP_PID"
	pp_wait || return
	pp_bg sw -p "$a" -d 20 --json --sched-source switch
	attach_wait
	_ss_progs_check "$PP_PID" switch
	kill -INT "$PP_PID"
	pp_wait || return
	pp_cmd_bg rec record -p "$a" -d 20 -o "$T/rec.db"
	attach_wait
	_ss_progs_check "$PP_PID" iterator
	kill -INT "$PP_PID"
	pp_wait || return
	kill "$a" 2>/dev/null
}

# stat without -i runs the task iterator each second (collector_sync), so
# that a thread's waits enter the histogram at their mean over a second, not
# over the whole run: over 4 s the iterator makes four passes over the
# host's threads (three syncs and the last read), with -i 4 one; the kernel's
# statistics count its runs (a run per thread a pass). One after the other:
# the statistics are on for every program while any process asks for them,
# so a second perfpilot's first pass, at its start, would count too.
test_sched_source_stat_sync() {
	local a n1 n4 k
	wl_bg a "$T/sleep.json" sleep 300
	for k in 1 4; do
		local iv=()
		((k == 4)) && iv=(-i 4)
		timeout -k 5 $((PP_EXIT_GRACE + 10)) "$PERFPILOT" stat -p "$a" -d 4 ${iv[@]+"${iv[@]}"} --json \
			--bpf-stats >"$T/o$k" 2>"$T/e$k" </dev/null || fail "stat -d 4 ${iv[*]}: exit $?: $(head -c 300 "$T/e$k")"
	done
	n1=$(awk '$1 == "bpf-prog" && $2 == "sched_iter" { print $4 }' "$T/e1")
	n4=$(awk '$1 == "bpf-prog" && $2 == "sched_iter" { print $4 }' "$T/e4")
	[[ -n $n1 && -n $n4 ]] || skip "no sched_iter statistics (the iterator is not available here)"
	cmp "sched_iter runs with -i 4" "$n4" -gt 0 || return
	cmp "passes over 4 s without -i (runs / the runs of one pass)" \
		"$(awk -v a="$n1" -v b="$n4" 'BEGIN { printf "%.2f", a / b }')" -ge 3
	cmp "passes over 4 s without -i (runs / the runs of one pass)" \
		"$(awk -v a="$n1" -v b="$n4" 'BEGIN { printf "%.2f", a / b }')" -le 5
	note "sched_iter runs: $n1 without -i, $n4 with -i 4"
	kill "$a" 2>/dev/null
}

# the daemon with sched_source = switch in its config: the per-switch programs
test_sched_source_daemon_switch() {
	_dm_prereq
	printf '%s\n' '[daemon]' 'interval = 1' 'sched_source = switch' '[analysis]' 'every = 3' \
		'window = 10m' >"$T/dm.conf"
	_dm_start dm || return
	grep -q 'scheduler statistics: sched_source = switch' "$DM_ERR" ||
		fail "the daemon does not say sched_source = switch: $(head -c 400 "$DM_ERR" | tr '\n' '|')"
	_ss_progs_check "$DM_PID" switch
}

# bad values: one line, exit 2
test_error_sched_source() {
	_error_case "$PERFPILOT" stat --sched-source sometimes -d 1
	grep -q "bad --sched-source 'sometimes': use switch or iterator" "$T/err" ||
		fail "not said: $(head -c 200 "$T/err")"
	_error_case "$PERFPILOT" record --sched-source '' -d 1 -o "$T/r.db"
	printf '[daemon]\nsched_source = tick\n' >"$T/bad.conf"
	_error_case "$PERFPILOT" daemon --config "$T/bad.conf"
	grep -q "^perfpilot: $T/bad.conf:2: sched_source = 'tick': use iterator" "$T/err" ||
		fail "no FILE:LINE: $(head -c 200 "$T/err")"
}

# A thread other than the leader calls exec: the kernel ends the other
# threads, gives it the leader's pid and start time, and releases the old
# leader. The process's CPU time over its whole life, with each source,
# within 5 % of its own CPU clock (CLOCK_PROCESS_CPUTIME_ID, which keeps
# the ended threads' time). Before sched_process_exec moved the thread's
# entry to its new pid, the iterator lost what it ran since its last look
# (0.54 of the truth here) and the switch source its last slice (0.97).
test_sched_thread_exec() {
	local src w got tr
	for src in switch iterator; do
		wl_bg w "$T/te-$src.json" "$W/threadexec" -w 0.2 1.0 0.3
		wl_ready "$w" threadexec || return
		# (it ends when the process has: -d is a bound for a slow host)
		pp_bg "pp-$src" -p "$w" -i 1 -d 20 --json --sched-source "$src"
		attach_wait
		go "$w"
		wl_done "$w" "$T/te-$src.json" 20 || return
		pp_wait || return
		got=$(jq -s --argjson p "$w" '[.[] | select(.type == "process" and .pid == $p)
			| .cpu.oncpu_ns] | add // 0' "$T/pp-$src.jsonl")
		tr=$(truth "$T/te-$src.json" cpu_ns)
		within "$src: the process's cpu.oncpu_ns vs its own CPU clock" "$got" "$tr" 5
		note "$src: $(ms "$got") ms (its clock $(ms "$tr"))"
	done
}
