# End-to-end tests of record under process churn (sourced by run.sh; see
# lib.sh): process identity when pids wrap, short-lived processes grouped,
# the churn finding, bounded memory. Long soaks and timings belong to
# tools/bench/scale, not here.
# shellcheck shell=bash

# _peak_kib FILE: the peak RSS /usr/bin/time -f %M wrote (KiB)
_peak_kib() { tail -n 1 "$1" 2>/dev/null; }

_scale_prereq() {
	_rec_prereq
	[[ -x /usr/bin/time ]] || skip "/usr/bin/time not installed (GNU time)"
}

# _asan BIN: is BIN built with AddressSanitizer (whose shadow memory makes
# its RSS no measure of perfpilot's own)?
_asan() { grep -q __asan_init "$1" 2>/dev/null; }

# _children_cpu LABEL GOT_NS TRUTH_NS: the children's CPU time as recorded
# against their rusage, within 10 %. A thread's run time after its exit
# tracepoint is added when its task is freed, by an RCU callback; where
# those are lazy on offloaded CPUs (CONFIG_RCU_LAZY with rcu_nocbs= or
# nohz_full=) they can come seconds late, after the process's last report,
# so a shortfall there is noted, not failed
_children_cpu() {
	if [[ $(cat /sys/module/rcutree/parameters/enable_rcu_lazy 2>/dev/null) == Y ]] &&
		grep -Eq '(^| )(rcu_nocbs|nohz_full)=' /proc/cmdline &&
		! awk -v g="$2" -v t="$3" 'BEGIN { exit !(g >= t * 0.9 && g <= t * 1.1) }'; then
		note "$1: $2 of $3 ns not checked: lazy RCU callbacks on offloaded CPUs"
		return 0
	fi
	within "$1" "$2" "$3" 10
}

# _measured: the perfpilot whose memory a test measures: the optimised build
# when run.sh has one (PERFPILOT_PLAIN), else $PERFPILOT
_measured() { echo "${PERFPILOT_PLAIN:-$PERFPILOT}"; }

# _rss_below LABEL FILE KIB: the peak RSS in FILE is below KIB (noted only
# when the measured build has AddressSanitizer)
_rss_below() {
	if _asan "$(_measured)"; then
		note "$1 $(_peak_kib "$2") KiB not checked: an AddressSanitizer build"
	else
		cmp "$1 (KiB)" "$(_peak_kib "$2")" -lt "$3"
	fi
}

# _scale_record NAME SPAWN_ARGS RECORD_ARGS [BIN]: a spawner
# (tests/workloads/spawn) started once BIN record -a (default $PERFPILOT) has
# attached, record's peak RSS in $T/NAME.rss, the spawner's ground truth in
# $T/spawn.json; SPAWN_PID set. The spawner runs as a copy named SPAWN_COMM
# (spawn-PID of this shell), so that its group is told apart from any other
# spawner on the host (groups are per command, parent command and cgroup)
_scale_record() {
	local name=$1 spawn_args=$2 rec_args=$3 bin=${4:-$PERFPILOT} db=$T/$1.db
	SPAWN_COMM=spawn-$$
	cp "$W/spawn" "$T/$SPAWN_COMM" || { fail "cannot copy $W/spawn to $T"; return 1; }
	wl_bg SPAWN_PID "$T/spawn.json" "$T/$SPAWN_COMM" -w $spawn_args
	wl_ready "$SPAWN_PID" "$SPAWN_COMM" || return 1
	# shellcheck disable=SC2086 # word splitting of the argument lists
	/usr/bin/time -f %M -o "$T/$name.rss" "$bin" record -a -q $rec_args -o "$db" \
		>"$T/$name.out" 2>"$T/$name.err" &
	PP_PID=$!
	_track "$PP_PID"
	sleep 0.2
	# the links are perfpilot's, the child of time
	attach_wait "$(pgrep -P "$PP_PID" | head -n 1)"
	go "$SPAWN_PID"
	wl_done "$SPAWN_PID" "$T/spawn.json" 120 || return 1
	if ! wait_exit "$PP_PID" 60 || [[ $WAIT_RC != 0 ]]; then
		fail "record exited with ${WAIT_RC-?}: $(head -c 300 "$T/$name.err" | tr '\n' ' ')"
		return 1
	fi
	rec_closed "$db"
}

# pids wrap under churn (the spawner takes thread ids too): every short
# process, recorded one by one (--short-lived 0), is its own entity, none
# spans more intervals than it lived, they are all there, with their CPU time
test_scale_identity() {
	local db=$T/id.db spawned wraps n long span reused
	_scale_prereq
	# (the task iterator here, the per-switch programs in scale_churn)
	_scale_record id "-b 40 14" "-d 18 -i 1 --short-lived 0 --sched-source iterator" || return
	spawned=$(truth "$T/spawn.json" spawned)
	wraps=$(truth "$T/spawn.json" wraps)
	((wraps > 0)) || skip "the pids did not wrap in 14 s ($spawned children)"
	n=$(rec_sql "$db" "SELECT count(*) FROM entity WHERE kind = 'p' AND comm = 'true'
		AND ppid = $SPAWN_PID")
	within "process entities of true (one per child)" "$n" "$spawned" 5
	# a child lives milliseconds: present in one interval, two when it
	# straddles a tick; merged processes of one pid would span many
	long=$(rec_sql "$db" "SELECT count(*) FROM entity WHERE kind = 'p' AND comm = 'true'
		AND last_interval - first_interval > 1")
	span=$(rec_sql "$db" "SELECT max(last_interval - first_interval + 1) FROM entity
		WHERE kind = 'p' AND comm = 'true'")
	is "true entities spanning more than 2 intervals (longest $span)" "$long" 0
	is "entities without a start" "$(rec_sql "$db" "SELECT count(*) FROM entity
		WHERE kind = 'p' AND comm = 'true' AND start_ms = 0")" 0
	reused=$(rec_sql "$db" "SELECT count(*) FROM (SELECT name FROM entity WHERE kind = 'p'
		GROUP BY name HAVING count(*) > 1)")
	# their CPU time against the spawner's getrusage(RUSAGE_CHILDREN)
	_children_cpu "the children's CPU time (ns) vs their rusage" "$(rec_sql "$db" "SELECT
		coalesce(sum(s.value), 0) FROM sample s JOIN entity e ON e.id = s.entity_id
		JOIN metric m ON m.id = s.metric_id WHERE m.name = 'cpu.oncpu_ns' AND e.kind = 'p'
		AND e.comm = 'true' AND e.ppid = $SPAWN_PID" | awk '{ printf "%.0f\n", $1 }')" \
		"$(truth "$T/spawn.json" children_cpu_ns)"
	note "$spawned children, pids wrapped $wraps times, $n entities, $reused pids used by more than one process, record peak RSS $(_peak_kib "$T/id.rss") KiB"
}

# non-stop fork/exec of /bin/true for 24 s: the children are counted into
# one group (true, from spawn) whose counts match the spawner's own, the
# stored churn finding names the spawner, and record and report stay small
# (record under 64 MiB; report under 128 MiB and 5 s of CPU: the optimised
# build when there is one, since the sanitizers' shadow memory and checks
# are no measure of perfpilot's)
test_scale_churn() {
	local db=$T/churn.db spawned started n culprit rss cpu rcpu
	_scale_prereq
	_scale_record churn "-j 2 -b 10 24" "-d 28 -i 1" "$(_measured)" || return
	spawned=$(truth "$T/spawn.json" spawned)
	started=$(rec_sql "$db" "SELECT coalesce(sum(s.value), 0) FROM sample s
		JOIN entity e ON e.id = s.entity_id JOIN metric m ON m.id = s.metric_id
		WHERE e.kind = 'g' AND e.comm = 'true' AND e.pcomm = '$SPAWN_COMM'
		AND m.name = 'group.started'" | awk '{ printf "%.0f\n", $1 }')
	within "group.started of true from spawn vs the spawner's count" "$started" "$spawned" 5
	is "group.exited = group.started" "$(rec_sql "$db" "SELECT coalesce(sum(s.value), 0)
		FROM sample s JOIN entity e ON e.id = s.entity_id JOIN metric m ON m.id = s.metric_id
		WHERE e.kind = 'g' AND e.comm = 'true' AND e.pcomm = '$SPAWN_COMM'
		AND m.name = 'group.exited'" |
		awk '{ printf "%.0f\n", $1 }')" "$started"
	n=$(rec_sql "$db" "SELECT count(*) FROM entity WHERE kind = 'p' AND comm = 'true'
		AND ppid = $SPAWN_PID")
	cmp "true processes kept one by one (the top few of an interval)" "$n" -le \
		"$(awk -v s="$spawned" 'BEGIN { printf "%d", s * 0.05 }')"
	is "the group's parent pid" "$(rec_sql "$db" "SELECT pid FROM entity WHERE kind = 'g'
		AND comm = 'true' AND pcomm = '$SPAWN_COMM'")" "$SPAWN_PID"
	# their CPU time, the group's and the few kept one by one, against what
	# the spawner's getrusage(RUSAGE_CHILDREN) says (a child's exit is most
	# of a millisecond's life: its run time after the exit tracepoint counts)
	cpu=$(rec_sql "$db" "SELECT coalesce(sum(s.value), 0) FROM sample s
		JOIN entity e ON e.id = s.entity_id JOIN metric m ON m.id = s.metric_id
		WHERE m.name = 'cpu.oncpu_ns' AND e.comm = 'true' AND ((e.kind = 'g'
		AND e.pcomm = '$SPAWN_COMM') OR (e.kind = 'p' AND e.ppid = $SPAWN_PID))" |
		awk '{ printf "%.0f\n", $1 }')
	_children_cpu "the children's CPU time (ns) vs their rusage" "$cpu" \
		"$(truth "$T/spawn.json" children_cpu_ns)"
	culprit=$(rec_sql "$db" "SELECT count(*) FROM finding WHERE kind = 'process_churn'
		AND summary LIKE '%of true%' AND json_extract(json, '$.culprits[0].pid') = $SPAWN_PID")
	is "stored process_churn findings of true naming the spawner as culprit" "$culprit" 1
	rss=$(_peak_kib "$T/churn.rss")
	_rss_below "record peak RSS" "$T/churn.rss" 65536
	/usr/bin/time -f '%U %S\n%M' -o "$T/report.rss" "$(_measured)" report --json "$db" \
		>"$T/report.json" 2>"$T/report.err" ||
		fail "report: $(head -c 300 "$T/report.err")"
	_rss_below "report peak RSS" "$T/report.rss" 131072
	# CPU time, not wall time: a loaded host stretches the latter
	rcpu=$(head -n 1 "$T/report.rss" | awk '{ print $1 + $2 }')
	_asan "$(_measured)" || cmp "report CPU time (s)" "$rcpu" -lt 5
	jq -e --argjson p "$SPAWN_PID" '[.findings[] | select(.kind == "process_churn")
		| .culprits[] | select(.pid == $p)] | length == 1' "$T/report.json" >/dev/null ||
		fail "report: no process_churn finding with spawn (pid $SPAWN_PID) as its culprit"
	cpu=$(truth "$T/spawn.json" children_cpu_ns)
	note "$spawned children ($(truth "$T/spawn.json" wraps) pid wraps), group.started $started, $n kept one by one, children CPU $(ms "$cpu") ms, record peak $rss KiB, report peak $(_peak_kib "$T/report.rss") KiB and $rcpu s CPU, store $(stat -c %s "$db") bytes"
	note "$(jq -r '.findings[] | select(.kind == "process_churn") | .summary' "$T/report.json" | head -n 1)"
}

# profile -a beside non-stop fork/exec: it ends cleanly, says what it lost
# (the counts and stack maps' drops, processes gone before their frames
# were named) instead of losing it silently, names the spawner's frames,
# and its peak RSS (the optimised build when there is one) stays bounded
test_scale_churn_profile() {
	local out=$T/churn.folded spawned summary rss
	_scale_prereq
	SPAWN_COMM=spawn-$$
	cp "$W/spawn" "$T/$SPAWN_COMM" || { fail "cannot copy $W/spawn to $T"; return; }
	wl_bg SPAWN_PID "$T/spawn.json" "$T/$SPAWN_COMM" -w -j 2 -b 10 12
	wl_ready "$SPAWN_PID" "$SPAWN_COMM" || return
	/usr/bin/time -f %M -o "$T/prof.rss" "$(_measured)" profile -a -F 99 -d 14 -o "$out" \
		>"$T/prof.out" 2>"$T/prof.err" &
	PP_PID=$!
	_track "$PP_PID"
	sleep 0.2
	attach_wait "$(pgrep -P "$PP_PID" | head -n 1)"
	go "$SPAWN_PID"
	wl_done "$SPAWN_PID" "$T/spawn.json" 120 || return
	if ! wait_exit "$PP_PID" 60 || [[ $WAIT_RC != 0 ]]; then
		fail "profile exited with ${WAIT_RC-?}: $(head -c 300 "$T/prof.err" | tr '\n' ' ')"
		return
	fi
	spawned=$(truth "$T/spawn.json" spawned)
	summary=$(grep -m 1 ' samples, .* stacks; lost: [0-9]* (counts map full), [0-9]* stacks not stored' \
		"$T/prof.err")
	[[ -n $summary ]] ||
		fail "no summary line with the lost counts: $(head -c 300 "$T/prof.err" | tr '\n' '|')"
	grep -q "^$SPAWN_COMM;" "$out" ||
		fail "no stack of the spawner ($SPAWN_COMM) in the folded output"
	rss=$(_peak_kib "$T/prof.rss")
	_rss_below "profile peak RSS" "$T/prof.rss" 196608
	note "$spawned children in 12 s; profile peak RSS $rss KiB; $summary"
}
