# End-to-end tests for `perfpilot record` and its store (sourced by run.sh;
# see lib.sh). The stores are read with the sqlite3 shell.
# shellcheck shell=bash
# shellcheck disable=SC2034 # PP_DURATION is read by pp_wait (lib.sh)

# rec_bg NAME ARGS...: start "perfpilot record ARGS" in the background;
# pp_wait waits for it
rec_bg() { pp_cmd_bg "$1" record "${@:2}"; }

# rec_sql DB SQL: one query's output
rec_sql() { sqlite3 -batch "$1" "$2" 2>&1; }

# rec_sum DB KIND ENTITY METRIC: the metric summed over the entity's series
rec_sum() {
	rec_sql "$1" "SELECT coalesce(sum(s.value), 0) FROM sample s
		JOIN metric m ON m.id = s.metric_id JOIN entity e ON e.id = s.entity_id
		WHERE e.kind = '$2' AND e.name = '$3' AND m.name = '$4'" |
		awk '{ printf "%.0f\n", $1 }'
}

_rec_prereq() {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed (tools/setup-deps.sh)"
}

# a 2 s CPU burner recorded every second: its on-CPU time summed over the
# intervals matches its own schedstat, one interval a second, all of it in
# the process's cgroup sum too
test_record_burn() {
	local a db=$T/rec.db got tr n cg cgsum
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 2
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -d 4.5 -i 1 -o "$db"
	attach_wait
	measure_one "$a" "$T/burn.json" 4 || return
	[[ -s $T/pp.err ]] && fail "stderr not empty: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	is "integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
	is "schema version" "$(rec_sql "$db" 'PRAGMA user_version')" 2
	is "meta target" "$(rec_sql "$db" "SELECT value FROM meta WHERE key = 'target'")" "-p $a"
	is "comm" "$(rec_sql "$db" "SELECT comm FROM entity WHERE kind = 'p' AND name = '$a'")" burn
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	tr=$(truth "$T/burn.json" oncpu_ns)
	within "cpu.oncpu_ns summed over the intervals vs schedstat" "$got" "$tr" 10
	# -p stops when the process has exited: about 2 s of burning, 1 s intervals
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals" "$n" -ge 2
	cmp "intervals" "$n" -le 5
	cmp "interval lengths (ms, all about 1 s but the last)" \
		"$(rec_sql "$db" 'SELECT count(*) FROM interval WHERE length_ms < 900 OR length_ms > 1100')" -le 1
	cg=$(rec_sql "$db" "SELECT cgroup FROM entity WHERE kind = 'p' AND name = '$a'")
	cgsum=$(rec_sum "$db" c "$cg" cpu.oncpu_ns)
	cmp "cgroup $cg cpu.oncpu_ns (>= the process's $got)" "$cgsum" -ge "$got"
	cmp "host samples" "$(rec_sql "$db" "SELECT count(*) FROM sample s JOIN entity e ON
		e.id = s.entity_id WHERE e.kind = 'h'")" -ge 1
	note "oncpu $(ms "$got") ms (schedstat $(ms "$tr")), $n intervals, $(stat -c %s "$db") bytes"
}

# SIGKILL in the middle: the file is consistent and holds the intervals
# committed before
test_record_kill9() {
	local a db=$T/rec.db n ok got
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 8
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -d 20 -i 0.5 -o "$db"
	attach_wait
	go "$a"
	sleep 3
	kill -KILL "$PP_PID"
	wait_exit "$PP_PID" 3 2>/dev/null # (no "Killed" line from bash)
	is "perfpilot killed" "$WAIT_RC" 137
	ok=$(rec_sql "$db" 'PRAGMA integrity_check')
	is "integrity_check after kill -9" "$ok" ok
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals kept (3 s at 0.5 s)" "$n" -ge 4
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	cmp "cpu.oncpu_ns kept (ns)" "$got" -ge 1000000000
	# every interval is complete: none after the last one with the process
	is "intervals without samples" "$(rec_sql "$db" 'SELECT count(*) FROM interval
		WHERE id NOT IN (SELECT interval_id FROM sample)')" 0
	note "$n intervals, oncpu $(ms "$got") ms kept"
}

# Ctrl-C: the interval in progress is written and the file closed cleanly
test_record_sigint() {
	local a db=$T/rec.db n
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 8
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -i 1 -o "$db"
	attach_wait
	go "$a"
	sleep 2.5
	kill -INT "$PP_PID"
	PP_DURATION=0
	pp_wait || return
	[[ -e $db-wal ]] && fail "the WAL file is still there: not closed cleanly"
	is "integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals (2 whole and the one in progress)" "$n" -ge 3
	cmp "last interval shorter than 1 s (ms)" \
		"$(rec_sql "$db" 'SELECT length_ms FROM interval ORDER BY id DESC LIMIT 1')" -lt 1000
	note "$n intervals"
}

test_error_record_no_output() {
	_error_case "$PERFPILOT" record -a -d 1
}

test_error_record_missing_dir() {
	_error_case "$PERFPILOT" record -a -d 1 -o "$T/nonexistent/rec.db"
	[[ -e $T/nonexistent ]] && fail "created $T/nonexistent"
}

test_error_record_dead_pid() {
	local pid=999999
	[[ -e /proc/$pid ]] && skip "pid $pid exists"
	_error_case "$PERFPILOT" record -p "$pid" -d 1 -o "$T/rec.db"
	[[ -e $T/rec.db ]] && fail "left $T/rec.db behind"
}

test_error_record_not_a_store() {
	echo "not a database" >"$T/notes.txt"
	_error_case "$PERFPILOT" record -a -d 1 -o "$T/notes.txt"
	is "file untouched" "$(cat "$T/notes.txt")" "not a database"
}

# --profile: the hot workload's stacks end up in the profile table, as many
# samples as its recorded on-CPU time gives at 49 Hz, 60 % of them in hot_a
test_record_profile() {
	local wl db=$T/rec.db a b c sum oncpu want
	_rec_prereq
	wl_bg wl "$T/hot.json" "$W/hot" -w 3
	wl_ready "$wl" hot || return
	rec_bg pp -p "$wl" --profile -d 6 -i 1 -o "$db"
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/hot.json" 6
	PP_DURATION=2 # it stops once the workload has exited
	pp_wait || return
	is "profiles" "$(rec_sql "$db" 'SELECT count(*) FROM profile')" 1
	rec_sql "$db" 'SELECT folded FROM profile' >"$T/folded"
	a=$(folded_samples "$T/folded" hot_a)
	b=$(folded_samples "$T/folded" hot_b)
	c=$(folded_samples "$T/folded" hot_c)
	sum=$((a + b + c))
	oncpu=$(rec_sum "$db" p "$wl" cpu.oncpu_ns)
	want=$(awk -v n="$oncpu" 'BEGIN { printf "%.0f", n / 1e9 * 49 }')
	within "samples in hot_a/b/c vs 49 Hz x recorded on-CPU time" "$sum" "$want" 25
	if ((sum > 0)); then
		cmp "hot_a share %" "$((a * 100 / sum))" -ge 45
		cmp "hot_a share %" "$((a * 100 / sum))" -le 75
	fi
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$T/folded" ||
		fail "no stack hot;...;main;hot_a in: $(head -c 300 "$T/folded" | tr '\n' '|')"
	note "hot_a $a, hot_b $b, hot_c $c samples; on-CPU $(ms "$oncpu") ms"
}
