# Shared helpers for the perfpilot end-to-end tests (sourced by run.sh).
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by run.sh
#
# Every test runs in its own subshell with its own scratch directory $T.
# Processes started with pp_bg / wl_bg and cgroups made with cg_make are
# removed by _cleanup when the subshell exits, whatever the outcome.
# Checks never abort a test: they record a reason with fail() and the runner
# reports all reasons of a test on its "not ok" line.

PERFPILOT=${PERFPILOT:-./perfpilot}
WORKLOADS=${WORKLOADS:-build/workloads}
# seconds perfpilot gets to load and attach before a workload starts (at
# least: attach_wait then waits for its BPF links to settle)
PP_ATTACH_WAIT=${PP_ATTACH_WAIT:-0.5}
# seconds perfpilot may take to exit after its -d duration has passed (a
# guard against a hang, not a measure: the sanitizer build naming a whole
# host's stacks at load 13 took more than 3 s; a quick exit costs nothing)
PP_EXIT_GRACE=${PP_EXIT_GRACE:-12}

_FAILS=()
_NOTES=()
_PIDS=()
_CGROUPS=()
_ATEXIT=()

# ---------------------------------------------------------------- results

fail() { _FAILS+=("$*"); }
note() { _NOTES+=("$*"); }

# skip REASON: stop the test and report it as skipped
skip() {
	printf '%s\n' "$*" >"$T/.skip"
	exit 77
}

# ---------------------------------------------------------------- numbers

_isnum() { [[ ${1-} =~ ^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$ ]]; }

# within LABEL GOT REF PCT: |GOT - REF| <= PCT % of REF
within() {
	local label=$1 got=${2-} ref=${3-} pct=$4 lo hi
	if ! _isnum "$got" || ! _isnum "$ref"; then
		fail "$label: got '${got}', expected ${ref} ±${pct}%"
		return 1
	fi
	read -r lo hi < <(awk -v r="$ref" -v p="$pct" \
		'BEGIN { d = r * p / 100; if (d < 0) d = -d;
			 printf "%.0f %.0f\n", r - d, r + d }')
	if awk -v g="$got" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(g >= lo && g <= hi) }'; then
		return 0
	fi
	fail "$label: got $got, expected $ref ±$pct% ($lo..$hi)"
	return 1
}

# nominal LABEL GOT NOMINAL TRUTH PCT: GOT within PCT % of NOMINAL, checked
# only when the workload's own ground truth TRUTH is too (otherwise the host
# did not give the workload what the test planned, which is no fault of the
# tool; that is noted instead)
nominal() {
	if _isnum "${4-}" && awk -v t="$4" -v n="$3" -v p="$5" \
		'BEGIN { d = t - n; if (d < 0) d = -d; exit !(d <= n * p / 100) }'; then
		within "$1" "$2" "$3" "$5"
	else
		note "$1 not checked (host busy: ground truth ${4-})"
	fi
}

# cmp LABEL GOT OP VALUE   (OP: -ge -gt -le -lt -eq -ne, numeric, may be float)
cmp() {
	local label=$1 got=${2-} op=$3 want=$4 expr
	if ! _isnum "$got"; then
		fail "$label: got '${got}', expected ${op#-} $want"
		return 1
	fi
	case $op in
	-ge) expr='g >= w' ;; -gt) expr='g > w' ;;
	-le) expr='g <= w' ;; -lt) expr='g < w' ;;
	-eq) expr='g == w' ;; -ne) expr='g != w' ;;
	*) fail "cmp: bad operator $op"; return 1 ;;
	esac
	if awk -v g="$got" -v w="$want" "BEGIN { exit !($expr) }"; then
		return 0
	fi
	fail "$label: got $got, expected ${op#-} $want"
	return 1
}

# is LABEL GOT WANT: string equality
is() {
	[[ ${2-} == "$3" ]] && return 0
	fail "$1: got '${2-}', expected '$3'"
	return 1
}

# ---------------------------------------------------------------- processes

_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# _alive PID: running and not a zombie
_alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[[ ${s:0:1} != Z ]]
}

_track() { _PIDS+=("$1"); }

_untrack() {
	local i
	for i in "${!_PIDS[@]}"; do
		[[ ${_PIDS[$i]} == "$1" ]] && unset "_PIDS[$i]"
	done
}

# wait_exit PID SECONDS: wait for a child of this shell to exit; its exit
# status goes to WAIT_RC.  Returns 1 (and leaves it running) on timeout.
wait_exit() {
	local pid=$1 deadline
	deadline=$(($(_now_ms) + $(awk -v s="$2" 'BEGIN { printf "%d", s * 1000 }')))
	WAIT_RC=
	while _alive "$pid"; do
		(($(_now_ms) > deadline)) && return 1
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	WAIT_RC=$?
	_untrack "$pid"
	return 0
}

# wl_bg VAR OUT CMD...: start a workload (CMD may start with taskset) in the
# background with stdout to OUT and stderr to OUT.err; its pid goes to VAR
wl_bg() {
	local -n _pidvar=$1
	local out=$2
	shift 2
	"$@" >"$out" 2>"$out.err" &
	_pidvar=$!
	_track "$_pidvar"
}

# wl_ready PID COMM: wait until PID runs COMM (after exec) and sleeps, i.e.
# it waits for its start signal
wl_ready() {
	local pid=$1 comm=$2 i s
	for ((i = 0; i < 100; i++)); do
		if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]; then
			s=$(cat "/proc/$pid/stat" 2>/dev/null)
			s=${s##*) }
			[[ ${s:0:1} == S ]] && return 0
		fi
		sleep 0.02
	done
	fail "workload $comm (pid $pid) never became ready to start"
	return 1
}

# go PID...: release workloads waiting for their start signal (-w)
go() { kill -USR1 "$@"; }

# wl_done PID OUT SECONDS: wait for a workload to exit and write its JSON
wl_done() {
	local pid=$1 out=$2
	if ! wait_exit "$pid" "$3"; then
		fail "workload pid $pid still running after $3 s"
		return 1
	fi
	if [[ $WAIT_RC != 0 ]]; then
		fail "workload pid $pid exited with $WAIT_RC: $(head -c 200 "$out.err")"
		return 1
	fi
	if ! _has_json "$out"; then
		fail "workload pid $pid printed no JSON ground truth"
		return 1
	fi
}

# _has_json OUT: OUT holds the workload's JSON line (jq -e on an empty file
# exits 0: an empty OUT did not count as "no JSON yet")
_has_json() { [[ -s $1 ]] && jq -e .pid "$1" >/dev/null 2>&1; }

# wl_json OUT SECONDS: wait until a still running workload has printed its
# JSON line
wl_json() {
	local i
	for ((i = 0; i < $(awk -v s="$2" 'BEGIN { printf "%d", s * 20 }'); i++)); do
		_has_json "$1" && return 0
		sleep 0.05
	done
	fail "workload printed no JSON ground truth within $2 s: $(head -c 200 "$1.err")"
	return 1
}

# truth OUT FIELD: a field of a workload's ground truth
truth() { jq -r ".$2 // empty" "$1" 2>/dev/null; }

# share_within WHAT PART WHOLE PCT N: PART/WHOLE is PCT % within 2 points
# plus three standard deviations of the share of N samples (binomial: 6.2
# points for 60 % of 560 samples, 3.4 for 2,000)
share_within() {
	local got lo hi
	read -r got lo hi < <(awk -v a="$2" -v s="$3" -v p="$4" -v n="$5" 'BEGIN {
		q = p / 100; t = 2 + 300 * sqrt(q * (1 - q) / (n > 0 ? n : 1))
		printf "%.1f %.1f %.1f\n", 100 * a / s, p - t, p + t }')
	cmp "$1 (the workload measured $4)" "$got" -ge "$lo"
	cmp "$1 (the workload measured $4)" "$got" -le "$hi"
}

# hot_shares A B C [N]: hot_a/b/c's shares of A+B+C against the hot
# workload's own measure of them (a_pct, b_pct, c_pct of its JSON in
# $WL_JSON: its thread's CPU clock around each call; 60/30/10 without
# them), each within share_within's tolerance for N samples (default A+B+C)
hot_shares() {
	local a=$1 b=$2 c=$3 n=${4-} sum x want i=0 def=(60 30 10)
	sum=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { print a + b + c }')
	cmp "hot_a+b+c" "$sum" -gt 0 || return 1
	[[ -n $n ]] || n=$sum
	for x in a b c; do
		want=$(truth "${WL_JSON:-/dev/null}" "${x}_pct")
		_isnum "$want" || want=${def[$i]}
		share_within "hot_$x share %" "${!x}" "$sum" "$want" "$n"
		i=$((i + 1))
	done
}

# ---------------------------------------------------------------- perfpilot

# pp_bg NAME ARGS...: start "perfpilot stat ARGS" in the background, output
# in $T/NAME.out and $T/NAME.err; remembers pid and -d for pp_wait
pp_bg() { pp_cmd_bg "$1" stat "${@:2}"; }

# pp_cmd_bg NAME COMMAND ARGS...: the same for any perfpilot command
pp_cmd_bg() {
	local name=$1 cmd=$2 prev='' a
	shift 2
	PP_DURATION=10
	for a in "$@"; do
		[[ $prev == -d ]] && PP_DURATION=$a
		prev=$a
	done
	PP_NAME=$name
	PP_START_MS=$(_now_ms)
	"$PERFPILOT" "$cmd" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PP_PID=$!
	_track "$PP_PID"
}

# _links PID: how many BPF links a process holds
_links() { find "/proc/$1/fd" -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l; }

# attach_wait [PID...]: give perfpilot (default: the last pp_bg) time to
# attach before starting workloads: PP_ATTACH_WAIT seconds, and on a slow
# host longer, until its set of BPF links has stopped growing for 0.4 s (at
# most 8 s more).  The -d deadline of pp_wait counts from here.
attach_wait() {
	local pid prev n i same
	sleep "$PP_ATTACH_WAIT"
	for pid in "${@:-$PP_PID}"; do
		prev=-1
		same=0
		for ((i = 0; i < 80; i++)); do
			_alive "$pid" || break
			n=$(_links "$pid")
			# stable for 0.4 s: the profiler's links follow the
			# collectors' after a pause (0.1 s on a quiet host, the
			# sanitizer build), longer than one check on a loaded host
			((n > 0 && n == prev)) && same=$((same + 1)) || same=0
			((same >= 4)) && break
			prev=$n
			sleep 0.1
		done
		((i == 80)) && note "perfpilot (pid $pid) held no stable set of BPF links after $(awk -v w="$PP_ATTACH_WAIT" 'BEGIN { print w + 8 }') s"
	done
	PP_START_MS=$(_now_ms)
}

# free_port: a TCP port nothing listens on in this namespace (from a range
# the kernel does not hand out to clients)
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 12000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# attach_count VAR ARGS...: into VAR, how many BPF links 'perfpilot stat
# ARGS' holds once attached on this host (a run of its own, stopped when
# they are stable): what attach_exact waits for
attach_count() {
	local -n _count=$1
	local pid
	shift
	"$PERFPILOT" stat "$@" -d 30 >/dev/null 2>&1 &
	pid=$!
	_track "$pid"
	attach_wait "$pid"
	_count=$(_links "$pid")
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# attach_exact N: return as soon as the last pp_bg holds N BPF links, with
# no settling time: a workload started then runs while perfpilot is still
# on its way from attaching to its first read (at most 1,000 looks, some
# 10-20 s)
attach_exact() {
	local i
	for ((i = 0; i < 1000; i++)); do
		_alive "$PP_PID" || break
		(($(_links "$PP_PID") >= $1)) && break
		sleep 0.005
	done
	PP_START_MS=$(_now_ms)
}

# pp_wait: wait for the perfpilot started by pp_bg to finish (its -d plus a
# grace period); records a failure unless it exits 0.  Also writes the valid
# JSON objects of its stdout to $T/NAME.jsonl.
pp_wait() {
	local left
	left=$(awk -v d="$PP_DURATION" -v g="$PP_EXIT_GRACE" -v s="$PP_START_MS" \
		-v n="$(_now_ms)" 'BEGIN { l = d + g - (n - s) / 1000; if (l < 0.1) l = 0.1; print l }')
	if ! wait_exit "$PP_PID" "$left"; then
		fail "perfpilot still running $PP_EXIT_GRACE s after its -d $PP_DURATION"
		kill -KILL "$PP_PID" 2>/dev/null
		wait_exit "$PP_PID" 2
		return 1
	fi
	jq -R -c 'fromjson? | objects' "$T/$PP_NAME.out" >"$T/$PP_NAME.jsonl" 2>/dev/null
	if [[ $WAIT_RC != 0 ]]; then
		fail "perfpilot exited with $WAIT_RC: $(head -c 300 "$T/$PP_NAME.err" | tr '\n' ' ')"
		return 1
	fi
}

# procs NAME PID: that pid's process lines (JSON array) from a pp_bg run
procs() {
	jq -c -s --argjson p "$2" '[.[] | select(.type == "process" and .pid == $p)]' \
		"$T/$1.jsonl"
}

# one NAME PID: exactly one process line for PID (summary mode); the line
# goes to LINE.  Returns 1 when there is none.
one() {
	local lines n
	LINE=
	lines=$(procs "$1" "$2")
	n=$(jq length <<<"$lines")
	if [[ $n != 1 ]]; then
		fail "expected exactly 1 process line for pid $2, got $n"
		[[ $n == 0 || -z $n ]] && return 1
	fi
	LINE=$(jq -c '.[0]' <<<"$lines")
}

# others NAME PID...: "pid(comm)" of process lines whose pid is not listed
others() {
	local name=$1
	shift
	jq -r -s --argjson ok "[$(IFS=,; echo "$*")]" \
		'[.[] | select(.type == "process") | select(.pid as $p | $ok | index($p) | not)
		  | "\(.pid)(\(.comm))"] | unique | join(" ")' "$T/$name.jsonl"
}

# jf JSON EXPR: a field of a JSON value ("null" when missing)
jf() { jq -r "$2" <<<"$1" 2>/dev/null; }

# ---------------------------------------------------------------- BPF neighbours

# _prog_ids: ids of the BPF programs loaded on the host, sorted as text
_prog_ids() { bpftool prog show -j 2>/dev/null | jq -r '.[].id' 2>/dev/null | sort; }

# need_direct_io DIR: skip the test unless DIR is on a block device that
# takes O_DIRECT writes (tmpfs, overlay or a network file system has no
# block IO to count)
need_direct_io() {
	local src
	src=$(findmnt -n -o SOURCE --target "$1" 2>/dev/null)
	src=${src%%[*}
	[[ -b $src ]] || skip "$1 is not on a block device (${src:-unknown}): no block IO to count"
	dd if=/dev/zero of="$1/.direct-probe" bs=16k count=1 oflag=direct status=none 2>/dev/null ||
		skip "no O_DIRECT writes in $1"
	rm -f "$1/.direct-probe"
}

# _own_prog_ids PID: ids of the BPF programs a process holds, sorted as text
_own_prog_ids() {
	cat "/proc/$1/fdinfo/"* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u
}

# _steal_ticks: vCPU time stolen by the hypervisor, all CPUs, in USER_HZ ticks
_steal_ticks() { awk '$1 == "cpu" { print $9 + 0; exit }' /proc/stat; }

# quiet_begin / quiet_end: around a measurement, notice what can make
# perfpilot disagree with schedstat through no fault of the test: vCPU time
# stolen by the hypervisor (by the clock the task was on the CPU; schedstat
# leaves it out), and other BPF programs loaded or unloaded on the host
# meanwhile (programs attaching to or detaching from the scheduler
# tracepoints go with lost sched_switch events for the ones attached, which
# shows as lost on-CPU time).  quiet_end notes either on the result line.
quiet_begin() {
	_STEAL_BEFORE=$(_steal_ticks)
	command -v bpftool >/dev/null || return 0
	_PROGS_BEFORE=$(_prog_ids)
	_PROGS_OURS=$(_own_prog_ids "$PP_PID")
}

quiet_end() {
	local after max new gone steal
	steal=$(($(_steal_ticks) - _STEAL_BEFORE))
	((steal >= 5)) &&
		note "the hypervisor stole $((steal * 1000 / $(getconf CLK_TCK))) ms of vCPU time during the measurement"
	command -v bpftool >/dev/null || return 0
	after=$(_prog_ids)
	max=$(sort -n <<<"$_PROGS_BEFORE" | tail -n 1)
	new=$(awk -v m="${max:-0}" 'NF && $1 > m' <<<"$after" | wc -l)
	gone=$(comm -23 <(echo "$_PROGS_BEFORE") <(echo "$after") |
		comm -23 - <(echo "$_PROGS_OURS") | grep -c .)
	((new + gone == 0)) ||
		note "other BPF programs were loaded ($new) or unloaded ($gone) on the host during the measurement"
}

# measure_one PID OUT SECONDS: one quiet measurement of one workload waiting
# for SIGUSR1 (-w): release it, wait up to SECONDS for it to finish and
# write OUT, then for perfpilot (pp_wait's status)
measure_one() {
	quiet_begin
	go "$1"
	wl_done "$1" "$2" "$3"
	quiet_end
	pp_wait
}

# rec_bg NAME ARGS...: start "perfpilot record ARGS" in the background;
# pp_wait waits for it
rec_bg() { pp_cmd_bg "$1" record "${@:2}"; }

# record_grow VAR DB: the grow workload (8 MiB/s for 8 s; its JSON in
# $T/grow.json) recorded by 'perfpilot record -p PID -d 10 -o DB' (output in
# $T/rec.out and $T/rec.err) until both have ended; the workload's pid in VAR
record_grow() {
	local -n _rg_pid=$1
	[[ -x $W/grow ]] || { fail "$W/grow not built (make $W/grow)"; return 1; }
	wl_bg _rg_pid "$T/grow.json" "$W/grow" -w -r 8 8
	wl_ready "$_rg_pid" grow || return
	pp_cmd_bg rec record -p "$_rg_pid" -d 10 -o "$2"
	attach_wait
	go "$_rg_pid"
	wl_done "$_rg_pid" "$T/grow.json" 12 || return
	pp_wait
}

# ---------------------------------------------------------------- cgroups

CG2_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CG1_CPU_ROOT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpu(,|$)/ { print $2; exit }' /proc/mounts)

# cg_make DIR: create a cgroup directory, removed at cleanup
cg_make() {
	mkdir "$1" || { fail "cannot create cgroup $1"; return 1; }
	_CGROUPS+=("$1")
}

# cg_add DIR PID: move a process into a cgroup
cg_add() {
	echo "$2" >"$1/cgroup.procs" 2>/dev/null ||
		{ fail "cannot move pid $2 into $1"; return 1; }
}

# ---------------------------------------------------------------- cleanup

# at_cleanup CMD...: run CMD when the test ends (last registered, first run),
# after its processes are gone: detach loop devices, delete namespaces
at_cleanup() { _ATEXIT+=("$(printf '%q ' "$@")"); }

_cleanup() {
	local pid i cg
	for pid in "${_PIDS[@]}"; do
		_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${_PIDS[@]}"; do
		for ((i = 0; i < 20; i++)); do
			_alive "$pid" || break
			sleep 0.05
		done
		_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# innermost cgroups first; a cgroup is removable once its tasks are gone
	for ((i = ${#_CGROUPS[@]} - 1; i >= 0; i--)); do
		cg=${_CGROUPS[$i]}
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[[ -d $cg ]] || break
			rmdir "$cg" 2>/dev/null && break
			sleep 0.1
		done
		[[ -d $cg ]] && echo "# warning: could not remove cgroup $cg" >&2
	done
	for ((i = ${#_ATEXIT[@]} - 1; i >= 0; i--)); do
		eval "${_ATEXIT[$i]}" >/dev/null 2>&1 ||
			echo "# warning: cleanup failed: ${_ATEXIT[$i]}" >&2
	done
	return 0
}

# _join FILE: the lines of FILE joined with "; "
_join() {
	local lines
	mapfile -t lines <"$1"
	local IFS=$'\x1f'
	local s="${lines[*]}"
	echo "${s//$'\x1f'/; }"
}

# run_test NAME: run test_NAME in a subshell and print its result line;
# returns 0 (passed), 1 (failed) or 77 (skipped)
run_test() {
	local name=$1 rc reasons t0=$EPOCHREALTIME status
	T="$E2E_TMP/$name"
	mkdir -p "$T"
	(
		trap _cleanup EXIT
		trap 'exit 130' INT TERM
		_FAILS=() _NOTES=() _PIDS=() _CGROUPS=() _ATEXIT=()
		"test_$name"
		((${#_NOTES[@]})) && printf '%s\n' "${_NOTES[@]}" >"$T/.note"
		if ((${#_FAILS[@]})); then
			printf '%s\n' "${_FAILS[@]}" >"$T/.fail"
			exit 1
		fi
		exit 0
	)
	rc=$?
	if [[ $rc == 77 && -f $T/.skip ]]; then
		echo "ok - $name # SKIP $(cat "$T/.skip")"
		status=77
	elif [[ $rc == 0 ]]; then
		if [[ -f $T/.note ]]; then
			echo "ok - $name ($(_join "$T/.note"))"
		else
			echo "ok - $name"
		fi
		status=0
	else
		if [[ -f $T/.fail ]]; then
			reasons=$(_join "$T/.fail")
		else
			reasons="test aborted (exit status $rc)"
		fi
		[[ -f $T/.note ]] && reasons+=" [$(_join "$T/.note")]"
		echo "not ok - $name: $reasons"
		status=1
	fi
	[[ ${E2E_TIMING:-0} == 1 ]] &&
		awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "# %.1f s\n", b - a }'
	return $status
}

PASSED=0 FAILED=0 SKIPPED=0
_GROUP_PIDS=()

_tally() {
	case $1 in
	0) PASSED=$((PASSED + 1)) ;;
	77) SKIPPED=$((SKIPPED + 1)) ;;
	*) FAILED=$((FAILED + 1)) ;;
	esac
}

# run_group NAME...: run tests side by side (one after the other with
# E2E_JOBS=1), print their results in order and count them
run_group() {
	local t i rc
	if (($# == 1)) || [[ ${E2E_JOBS:-} == 1 ]]; then
		for t; do
			run_test "$t"
			_tally $?
		done
		return
	fi
	_GROUP_PIDS=()
	for t; do
		run_test "$t" >"$E2E_TMP/$t.result" 2>&1 &
		_GROUP_PIDS+=($!)
	done
	i=0
	for t; do
		wait "${_GROUP_PIDS[$i]}"
		rc=$?
		cat "$E2E_TMP/$t.result"
		_tally $rc
		i=$((i + 1))
	done
	_GROUP_PIDS=()
}

# _interrupted: stop running groups (their tests clean up after themselves)
_interrupted() {
	local pid
	for pid in "${_GROUP_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	wait
	echo "# interrupted"
	exit 130
}
