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

# _asan: is $PERFPILOT built with AddressSanitizer (whose shadow memory makes
# its RSS no measure of perfpilot's own)?
_asan() { grep -q __asan_init "$PERFPILOT" 2>/dev/null; }

# _rss_below LABEL FILE KIB: the peak RSS in FILE is below KIB (noted only
# under AddressSanitizer)
_rss_below() {
	if _asan; then
		note "$1 $(_peak_kib "$2") KiB not checked: an AddressSanitizer build"
	else
		cmp "$1 (KiB)" "$(_peak_kib "$2")" -lt "$3"
	fi
}

# _scale_record NAME SPAWN_ARGS RECORD_ARGS: a spawner (tests/workloads/spawn)
# started once perfpilot record -a has attached, record's peak RSS in
# $T/NAME.rss, the spawner's ground truth in $T/spawn.json; SPAWN_PID set
_scale_record() {
	local name=$1 spawn_args=$2 rec_args=$3 db=$T/$1.db
	wl_bg SPAWN_PID "$T/spawn.json" "$W/spawn" -w $spawn_args
	wl_ready "$SPAWN_PID" spawn || return 1
	# shellcheck disable=SC2086 # word splitting of the argument lists
	/usr/bin/time -f %M -o "$T/$name.rss" "$PERFPILOT" record -a -q $rec_args -o "$db" \
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
# spans more intervals than it lived, and they are all there
test_scale_identity() {
	local db=$T/id.db spawned wraps n long span reused
	_scale_prereq
	_scale_record id "-b 40 20" "-d 24 -i 1 --short-lived 0" || return
	spawned=$(truth "$T/spawn.json" spawned)
	wraps=$(truth "$T/spawn.json" wraps)
	((wraps > 0)) || skip "the pids did not wrap in 20 s ($spawned children)"
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
	note "$spawned children, pids wrapped $wraps times, $n entities, $reused pids used by more than one process, record peak RSS $(_peak_kib "$T/id.rss") KiB"
}

# non-stop fork/exec of /bin/true for 40 s: the children are counted into
# one group (true, from spawn) whose counts match the spawner's own, the
# stored churn finding names the spawner, record stays small, and report
# stays under 5 s and 128 MiB
test_scale_churn() {
	local db=$T/churn.db spawned started n culprit rss cpu
	_scale_prereq
	_scale_record churn "-j 2 -b 10 40" "-d 44 -i 1" || return
	spawned=$(truth "$T/spawn.json" spawned)
	started=$(rec_sql "$db" "SELECT coalesce(sum(s.value), 0) FROM sample s
		JOIN entity e ON e.id = s.entity_id JOIN metric m ON m.id = s.metric_id
		WHERE e.kind = 'g' AND e.comm = 'true' AND e.pcomm = 'spawn'
		AND m.name = 'group.started'" | awk '{ printf "%.0f\n", $1 }')
	within "group.started of true from spawn vs the spawner's count" "$started" "$spawned" 5
	is "group.exited = group.started" "$(rec_sql "$db" "SELECT coalesce(sum(s.value), 0)
		FROM sample s JOIN entity e ON e.id = s.entity_id JOIN metric m ON m.id = s.metric_id
		WHERE e.kind = 'g' AND e.comm = 'true' AND m.name = 'group.exited'" |
		awk '{ printf "%.0f\n", $1 }')" "$started"
	n=$(rec_sql "$db" "SELECT count(*) FROM entity WHERE kind = 'p' AND comm = 'true'")
	cmp "true processes kept one by one (the top few of an interval)" "$n" -le \
		"$(awk -v s="$spawned" 'BEGIN { printf "%d", s * 0.05 }')"
	is "the group's parent pid" "$(rec_sql "$db" "SELECT pid FROM entity WHERE kind = 'g'
		AND comm = 'true' AND pcomm = 'spawn'")" "$SPAWN_PID"
	culprit=$(rec_sql "$db" "SELECT json_extract(json, '$.culprits[0].pid') FROM finding
		WHERE kind = 'process_churn' AND summary LIKE '%of true%'")
	is "stored process_churn finding names the spawner" "$culprit" "$SPAWN_PID"
	rss=$(_peak_kib "$T/churn.rss")
	_rss_below "record peak RSS" "$T/churn.rss" 65536
	/usr/bin/time -f '%e\n%M' -o "$T/report.rss" "$PERFPILOT" report --json "$db" \
		>"$T/report.json" 2>"$T/report.err" ||
		fail "report: $(head -c 300 "$T/report.err")"
	_rss_below "report peak RSS" "$T/report.rss" 131072
	cmp "report time (s)" "$(tail -n 2 "$T/report.rss" | head -n 1)" -lt 5
	jq -e --argjson p "$SPAWN_PID" '[.findings[] | select(.kind == "process_churn")
		| .culprits[] | select(.pid == $p)] | length == 1' "$T/report.json" >/dev/null ||
		fail "report: no process_churn finding with spawn (pid $SPAWN_PID) as its culprit"
	cpu=$(truth "$T/spawn.json" children_cpu_ns)
	note "$spawned children ($(truth "$T/spawn.json" wraps) pid wraps), group.started $started, $n kept one by one, children CPU $(ms "$cpu") ms, record peak $rss KiB, report peak $(_peak_kib "$T/report.rss") KiB in $(tail -n 2 "$T/report.rss" | head -n 1) s, store $(stat -c %s "$db") bytes"
	note "$(jq -r '.findings[] | select(.kind == "process_churn") | .summary' "$T/report.json" | head -n 1)"
}
