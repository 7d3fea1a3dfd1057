# End-to-end tests for `perfpilot profile` (sourced by run.sh; see lib.sh).
# shellcheck shell=bash

# prof_bg NAME ARGS...: start "perfpilot profile ARGS" in the background,
# folded stacks in $T/NAME.out, stderr in $T/NAME.err; pp_wait waits for it
prof_bg() { pp_cmd_bg "$1" profile "${@:2}"; }

# folded_samples FILE FRAME: samples of the stacks that contain FRAME
folded_samples() {
	awk -v f="$2" '{ n = $NF; $NF = ""; k = split($0, fr, ";");
		for (i = 2; i <= k; i++) { sub(/ +$/, "", fr[i]); if (fr[i] == f) { s += n; break } } }
		END { print s + 0 }' "$1"
}

# the hot workload spends 60/30/10 % of its CPU in hot_a/hot_b/hot_c
test_profile_hot() {
	local wl out a b c sum total
	wl_bg wl "$T/hot.json" "$W/hot" -w 8
	wl_ready "$wl" hot || return
	# -d counts from when perfpilot has attached, and attach_wait waits
	# about 1.5 s more: the workload runs during the last ~3 s of the 4.5
	prof_bg pp -p "$wl" -F 199 -d 4.5
	attach_wait
	go "$wl"
	pp_wait || return
	out=$T/pp.out
	a=$(folded_samples "$out" hot_a)
	b=$(folded_samples "$out" hot_b)
	c=$(folded_samples "$out" hot_c)
	sum=$((a + b + c))
	total=$(awk '{ s += $NF } END { print s + 0 }' "$out")
	# 199 Hz for 3 s of a busy thread is about 600 samples
	cmp "samples in hot_a/b/c" "$sum" -ge 300
	if ((sum > 0)); then
		cmp "hot_a share %" "$((a * 100 / sum))" -ge 55
		cmp "hot_a share %" "$((a * 100 / sum))" -le 65
		cmp "hot_b share %" "$((b * 100 / sum))" -ge 25
		cmp "hot_b share %" "$((b * 100 / sum))" -le 35
		cmp "hot_c share %" "$((c * 100 / sum))" -ge 5
		cmp "hot_c share %" "$((c * 100 / sum))" -le 15
	fi
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$out" ||
		fail "no stack hot;...;main;hot_a in: $(head -c 300 "$out" | tr '\n' '|')"
	grep -q '^perfpilot: [0-9]* samples' "$T/pp.err" ||
		fail "no sample summary on stderr: $(head -c 200 "$T/pp.err")"
	wl_done "$wl" "$T/hot.json" 12
	note "hot_a $a, hot_b $b, hot_c $c of $total samples"
}

test_error_profile_dead_pid() {
	local pid=999999
	[[ -e /proc/$pid ]] && skip "pid $pid exists"
	_error_case "$PERFPILOT" profile -p "$pid" -d 1
}

# a named process that exits during the run ends it, and keeps its symbols
# (read when the run started)
test_profile_exited_pid() {
	local wl t0
	wl_bg wl "$T/hot.json" "$W/hot" -w 1
	wl_ready "$wl" hot || return
	prof_bg pp -p "$wl" -F 199 -d 20
	attach_wait
	t0=$(_now_ms)
	go "$wl"
	wl_done "$wl" "$T/hot.json" 5
	PP_DURATION=3 # it should stop soon after the workload
	PP_START_MS=$t0
	pp_wait || return
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$T/pp.out" ||
		fail "no stack hot;...;main;hot_a after the process exited: $(head -c 300 "$T/pp.out" | tr '\n' '|')"
	grep -q 'exited before' "$T/pp.err" &&
		fail "the named process lost its symbols: $(head -c 300 "$T/pp.err")"
	note "$(grep -c '' "$T/pp.out") stacks"
}

# _offcpu_check NAME: the folded off-CPU profile $T/NAME.out of the offcpu
# workload (weights in microseconds) against the time the workload measured
# around its own blocking calls ($T/off.json)
_offcpu_check() {
	local out=$T/$1.out j=$T/off.json f got tr sl pw np tk
	for f in sleepy pipe_wait nap tick; do
		got=$(folded_samples "$out" "$f")
		tr=$(awk -v n="$(truth "$j" "${f}_ns")" 'BEGIN { printf "%.0f", n / 1000 }')
		# blocks of 25 ms and more are recorded exactly; tick's 1 ms blocks
		# are sampled (about 600 of 3000 at 199 Hz: a few % of noise)
		if [[ $f == tick ]]; then
			within "$f blocked us vs the workload's own clock" "$got" "$tr" 20
		else
			within "$f blocked us vs the workload's own clock" "$got" "$tr" 15
		fi
		case $f in sleepy) sl=$got ;; pipe_wait) pw=$got ;; nap) np=$got ;; tick) tk=$got ;; esac
	done
	# piper blocks about twice as long in pipe_wait as in nap
	if ((np > 0)); then
		within "pipe_wait/nap blocked time ratio x1000" "$((pw * 1000 / np))" \
			"$(awk -v a="$(truth "$j" pipe_wait_ns)" -v b="$(truth "$j" nap_ns)" \
				'BEGIN { printf "%.0f", (b > 0 ? a * 1000 / b : 0) }')" 15
	fi
	grep -Eq '^sleepy;(.*;)?sleepy;(.*;)?[^;]*nanosleep[^;]*_\[k\];(.*;)?[^;]*schedule_\[k\] [0-9]+$' "$out" ||
		fail "no stack sleepy;...;sleepy;...nanosleep..._[k];...schedule_[k] in: $(head -c 400 "$out" | tr '\n' '|')"
	grep -Eq '^piper;(.*;)?pipe_wait;(.*;)?[^;]*read[^;]*_\[k\];' "$out" ||
		fail "no stack piper;...;pipe_wait;...read..._[k] in: $(head -c 400 "$out" | tr '\n' '|')"
	note "blocked ms: sleepy $((sl / 1000)) ($(($(truth "$j" sleepy_ns) / 1000000))), pipe_wait $((pw / 1000)) ($(($(truth "$j" pipe_wait_ns) / 1000000))), nap $((np / 1000)) ($(($(truth "$j" nap_ns) / 1000000))), tick $((tk / 1000)) ($(($(truth "$j" tick_ns) / 1000000)))"
}

# off-CPU: three threads blocked in known functions for 3 s; blocked time
# per function against the workload's own clock.  -F 199: a 5 ms sampling
# period, so tick's 1 ms blocks are sampled and the others recorded exactly
test_profile_offcpu() {
	local wl
	wl_bg wl "$T/off.json" "$W/offcpu" -w 3
	wl_ready "$wl" offcpu || return
	prof_bg pp --off-cpu -p "$wl" -F 199 -d 5
	attach_wait
	quiet_begin
	go "$wl"
	wl_done "$wl" "$T/off.json" 5
	quiet_end
	pp_wait || return
	grep -q 'sampled off-CPU profiling unavailable' "$T/pp.err" &&
		skip "this kernel has no sched_exit_tp (6.16+): $(head -n 1 "$T/pp.err")"
	_offcpu_check pp
	grep -Eq '^perfpilot: off-CPU: [0-9]+ blocks .*\(sampled at 199 Hz of blocked time\)' "$T/pp.err" ||
		fail "no sampled off-CPU summary on stderr: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	_offcpu_walks sampled
}

# _offcpu_walks sampled|eager: how many blocks had their stacks taken, from
# the summary line. About 3000 blocks, most of them tick's 1 ms sleeps:
# sampled at 199 Hz about 1 in 5 of those, and every longer one (about 1 in
# 4 in all); eager: every block
_offcpu_walks() {
	local blocks walks
	read -r blocks walks < <(sed -nE 's/^perfpilot: off-CPU: ([0-9]+) blocks .*, ([0-9]+) with stacks .*/\1 \2/p' "$T/pp.err")
	cmp "blocks seen" "${blocks:-}" -ge 2000 || return
	if [[ $1 == eager ]]; then
		cmp "blocks with stacks (eager)" "${walks:-}" -eq "$blocks"
	else
		cmp "blocks with stacks (of $blocks)" "${walks:-}" -le $((blocks / 2))
		cmp "blocks with stacks (of $blocks)" "${walks:-}" -ge $((blocks / 10))
	fi
	note "stacks for $walks of $blocks blocks$(sed -nE 's/.*, ([0-9]+) blocks not measured \(the kernel did not trace.*/, \1 blocks whose end the kernel did not trace/p' "$T/pp.err")"
}

# the same with the stacks walked at every switch (the fallback design)
test_profile_offcpu_eager() {
	local wl
	wl_bg wl "$T/off.json" "$W/offcpu" -w 3
	wl_ready "$wl" offcpu || return
	prof_bg pp --off-cpu-eager -p "$wl" -d 5
	attach_wait
	quiet_begin
	go "$wl"
	wl_done "$wl" "$T/off.json" 5
	quiet_end
	pp_wait || return
	_offcpu_check pp
	grep -Eq '^perfpilot: off-CPU: [0-9]+ blocks .*\(eager: every block\)' "$T/pp.err" ||
		fail "no eager off-CPU summary on stderr: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	_offcpu_walks eager
}

test_error_profile_min_block() {
	_error_case "$PERFPILOT" profile --off-cpu --min-block-us garbage -d 1
}

test_error_profile_min_block_on_cpu() {
	_error_case "$PERFPILOT" profile --min-block-us 10 -d 1
}
