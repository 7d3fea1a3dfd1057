# shellcheck shell=bash
# End-to-end tests of the benchmarks' own harnesses (sourced by run.sh; see
# lib.sh). tools/bench/interleave times perfpilot's collectors detached and
# attached again in turn (collector_pause, collector_resume): what it
# compares is only worth something if a paused collector really holds no
# program but the task iterator, and a resumed one holds them all again and
# counts again.

INTERLEAVE=${INTERLEAVE:-build/interleave}

# _interleave WORKLOAD: three short pairs with --check; its exit status, the
# check line and the result line
_interleave() {
	local wl=$1 rc line
	[[ -x $INTERLEAVE ]] || skip "no $INTERLEAVE: make build/interleave"
	timeout -k 5 120 "$INTERLEAVE" --check --pairs 3 --window-ms 200 --settle-ms 50 --dir "$T" "$wl" \
		>"$T/il.out" 2>"$T/il.err"
	rc=$?
	is "interleave --check $wl: exit status ($(grep -m1 'interleave: ' "$T/il.err"))" "$rc" 0
	line=$(grep '^check: ' "$T/il.out")
	[[ $line == *": ok" ]] || fail "no passing check line: '$line'"
	note "$line"
	# every link but the iterator's goes and comes back: more than one when attached
	[[ $line =~ ^check:\ ([0-9]+)\ BPF\ links\ attached\ \(([0-9]+)\ of ]] || { fail "check line: '$line'"; return 1; }
	local all=${BASH_REMATCH[1]} iter=${BASH_REMATCH[2]}
	cmp "links attached" "$all" -gt "$iter"
	cmp "the task iterator's links (none where it fell back to the per-switch programs)" "$iter" -le 1
	line=$(grep '^result ' "$T/il.out")
	[[ $line =~ \ time=([0-9.]+)\  ]] || { fail "no result line: '$line'"; return 1; }
	cmp "the time ratio of the pairs" "${BASH_REMATCH[1]}" -gt 0
	[[ -z $(ls "$T"/interleave-io.* 2>/dev/null) ]] || fail "the io workload's file was left behind"
	return 0
}

# _il_bytes: the bytes the programs counted in the attached windows against
# the workload's own count of the same spans (within 10 %: a chunk in flight
# at either end of a window), and none in the detached ones
_il_bytes() {
	local line re='bytes counted attached ([0-9]+) \(its own count ([0-9]+)\), detached ([0-9]+)'
	line=$(grep '^check: ' "$T/il.out")
	[[ $line =~ $re ]] || { fail "no byte counts: '$line'"; return 1; }
	local got=${BASH_REMATCH[1]} own=${BASH_REMATCH[2]} off=${BASH_REMATCH[3]}
	cmp "the workload's own bytes in the attached windows" "$own" -gt 0 || return 1
	within "bytes counted in the attached windows vs the workload's own count" "$got" "$own" 10
	is "bytes counted in the detached windows" "$off" 0
}

# the TCP programs (sends, receives) and the rest: a paused collector counts
# none of the stream's bytes, a resumed one counts them again
test_bench_interleave_net() {
	_interleave net || return
	_il_bytes
	# the page-fault programs' software events close with their links
	# (none where the memory collector did not load)
	if grep -q 'perf events 0 attached' "$T/il.out"; then
		note "no perf events attached: the memory collector did not load"
	else
		grep -q 'perf events [1-9][0-9]* attached, 0 detached' "$T/il.out" ||
			fail "perf events: $(grep '^check: ' "$T/il.out")"
	fi
}

# the block IO programs: the same with 16 KiB O_DIRECT writes in $T (on a
# block device, as io_churn asks)
test_bench_interleave_io() {
	need_direct_io "$T"
	_interleave io || return
	_il_bytes
}
