#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the libFuzzer harnesses of build/fuzz/bin (make fuzz-build).
#
#   tests/fuzz/run.sh fuzz SECONDS NAME...     fuzz each for SECONDS from its
#       corpus (tests/fuzz/corpus/NAME and the seeds made from this host's
#       files, build/fuzz/seeds/NAME); what it finds new is kept in
#       build/fuzz/corpus/NAME (never in tests/), a crash in
#       build/fuzz/crashes/NAME/
#   tests/fuzz/run.sh regress SECONDS NAME...  run each over its corpus, then
#       fuzz it SECONDS more from there (what it finds is thrown away): the
#       regression check of make test
#
# One line per harness: its executions and the result. Exit 1 when one
# crashed, leaked, timed out or went over its memory limit. FUZZ_JOBS
# harnesses run at once (default: one per CPU).
set -u
mode=${1:?mode: fuzz or regress}
secs=${2:?seconds}
shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/build/fuzz/bin
OUT=$ROOT/build/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

"$ROOT/tests/fuzz/seeds.sh" "$OUT/seeds" || exit 1

# run_one NAME: fuzz it, print its line; 1 when it failed
run_one() {
	local name=$1 corpus=$ROOT/tests/fuzz/corpus/$1 seeds=$OUT/seeds/$1 crashes=$OUT/crashes/$1
	local work log opts=() dirs status execs took what art start=$SECONDS

	mkdir -p "$crashes" "$seeds"
	if [[ $mode == fuzz ]]; then
		work=$OUT/corpus/$name
		mkdir -p "$work"
	else
		work=$(mktemp -d) || return 1
	fi
	log=$OUT/$name.$mode.log
	[[ -f $ROOT/tests/fuzz/$name.dict ]] && opts+=(-dict="$ROOT/tests/fuzz/$name.dict")
	dirs=("$work" "$seeds")
	[[ -d $corpus ]] && dirs+=("$corpus")
	"$BIN/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-detect_leaks=1 -print_final_stats=1 -artifact_prefix="$crashes/" \
		-close_fd_mask=1 "${opts[@]}" "${dirs[@]}" >"$log" 2>&1
	status=$?
	[[ $mode == fuzz ]] || rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	took=$((SECONDS - start))
	if [[ $status == 0 ]]; then
		printf 'fuzz %-20s %10s execs %4ss  ok\n' "$name" "${execs:-?}" "$took"
		return 0
	fi
	what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*|SUMMARY: .*' "$log")
	art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
	printf 'fuzz %-20s %10s execs %4ss  FAILED: %s %s (log %s)\n' "$name" "${execs:-?}" "$took" \
		"${what:-exit $status}" "$art" "${log#"$ROOT"/}"
	return 1
}

# FUZZ_JOBS at a time, each line printed as its harness ends
jobs_max=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
rc=0
running=0
for name in "$@"; do
	if ((running >= jobs_max)); then
		wait -n || rc=1
		running=$((running - 1))
	fi
	run_one "$name" &
	running=$((running + 1))
done
while ((running > 0)); do
	wait -n || rc=1
	running=$((running - 1))
done
exit $rc
