# End-to-end tests for `perfpilot record` and its store (sourced by run.sh;
# see lib.sh). The stores are read with the sqlite3 shell.
# shellcheck shell=bash
# shellcheck disable=SC2034 # PP_DURATION is read by pp_wait (lib.sh)

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

# rec_closed DB: record ended cleanly, so no -wal or -shm file is left
rec_closed() {
	local f
	for f in "$1-wal" "$1-shm"; do
		[[ -e $f ]] && fail "$f is still there: the store was not closed cleanly"
	done
	return 0
}

# rec_oncpu PID: the process's on-CPU time in ns by its schedstat
rec_oncpu() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null; }

# rec_last_oncpu PID: follow PID's schedstat until it exits; the last value
# read (at most 50 ms before the end)
rec_last_oncpu() {
	local v last=''
	while v=$(rec_oncpu "$1") && [[ -n $v ]]; do
		last=$v
		sleep 0.05
	done
	echo "$last"
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
	rec_closed "$db"
	is "integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
	is "schema version" "$(rec_sql "$db" 'PRAGMA user_version')" 5
	# -p stops once the process has gone: the analysis is stored
	is "findings analysed" "$(rec_sql "$db" "SELECT count(*) FROM meta WHERE key = 'findings_analysed'")" 1
	is "meta target" "$(rec_sql "$db" "SELECT value FROM meta WHERE key = 'target'")" "-p $a"
	is "comm" "$(rec_sql "$db" "SELECT comm FROM entity WHERE kind = 'p' AND name = '$a'")" burn
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	tr=$(truth "$T/burn.json" oncpu_ns)
	within "cpu.oncpu_ns summed over the intervals vs schedstat" "$got" "$tr" 10
	# -p stops when the process has exited: about 2 s of burning, 1 s intervals
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals" "$n" -ge 2
	cmp "intervals" "$n" -le 5
	# (the first interval runs from the baseline taken while the collectors
	# attach, so a slow start stretches it: 1024-1039 ms on a quiet host)
	cmp "interval lengths (ms, all about 1 s but the first and the last)" \
		"$(rec_sql "$db" 'SELECT count(*) FROM interval WHERE (length_ms < 900 OR length_ms > 1100)
			AND id > (SELECT min(id) FROM interval)')" -le 1
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
	local a db=$T/rec.db n ok got tr
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 8
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -d 20 -i 0.5 -o "$db"
	attach_wait
	go "$a"
	sleep 3
	kill -KILL "$PP_PID"
	tr=$(rec_oncpu "$a")
	wait_exit "$PP_PID" 3 2>/dev/null # (no "Killed" line from bash)
	is "perfpilot killed" "$WAIT_RC" 137
	ok=$(rec_sql "$db" 'PRAGMA integrity_check')
	is "integrity_check after kill -9" "$ok" ok
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals kept (3 s at 0.5 s)" "$n" -ge 4
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	cmp "cpu.oncpu_ns kept (ns)" "$got" -ge 1000000000
	# what was committed: the burner's schedstat at the kill but the interval
	# in progress (at most 0.5 s of one CPU; as much again for a slow commit)
	cmp "cpu.oncpu_ns kept <= schedstat at the kill + 5 %" "$got" -le "$((tr + tr / 20))"
	cmp "cpu.oncpu_ns kept >= schedstat at the kill - 1 s" "$got" -ge "$((tr - 1000000000))"
	# every interval is complete: none after the last one with the process
	is "intervals without samples" "$(rec_sql "$db" 'SELECT count(*) FROM interval
		WHERE id NOT IN (SELECT interval_id FROM sample)')" 0
	note "$n intervals, oncpu $(ms "$got") ms kept (schedstat at the kill $(ms "$tr") ms)"
}

# Ctrl-C: the interval in progress is written and the file closed cleanly
test_record_sigint() {
	local a db=$T/rec.db n got tr
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 8
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -i 1 -o "$db"
	attach_wait
	go "$a"
	sleep 2.5
	kill -INT "$PP_PID"
	tr=$(rec_oncpu "$a")
	# it ends in about 0.15 s (the interval in progress, the analysis); a
	# stall of the host (seen once: more than 3 s) is not what this tests
	local PP_EXIT_GRACE=12
	PP_DURATION=0
	pp_wait || return
	rec_closed "$db"
	is "integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	cmp "intervals (2 whole and the one in progress)" "$n" -ge 3
	cmp "last interval shorter than 1 s (ms)" \
		"$(rec_sql "$db" 'SELECT length_ms FROM interval ORDER BY id DESC LIMIT 1')" -lt 1000
	is "findings analysed after Ctrl-C" \
		"$(rec_sql "$db" "SELECT count(*) FROM meta WHERE key = 'findings_analysed'")" 1
	# the interval in progress is written: all the burning up to the Ctrl-C
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	within "cpu.oncpu_ns summed vs schedstat at the Ctrl-C" "$got" "$tr" 10
	note "$n intervals, oncpu $(ms "$got") ms (schedstat $(ms "$tr") ms)"
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

test_error_record_directory() {
	_error_case "$PERFPILOT" record -a -d 1 -o "$T"
}

# a directory nothing can be created in, even by root
test_error_record_unwritable() {
	_error_case "$PERFPILOT" record -a -d 1 -o /proc/perfpilot-rec.db
	[[ -e /proc/perfpilot-rec.db ]] && fail "created /proc/perfpilot-rec.db"
	return 0
}

test_error_record_bad_retention() {
	_error_case "$PERFPILOT" record -a -d 1 --max-size 0 -o "$T/rec.db"
	_error_case "$PERFPILOT" record -a -d 1 --max-age 3x -o "$T/rec.db"
	[[ -e $T/rec.db ]] && fail "left $T/rec.db behind"
	return 0
}

test_error_record_bad_rollup() {
	_error_case "$PERFPILOT" record -a -d 1 --rollup 6h -o "$T/rec.db"
	_error_case "$PERFPILOT" record -a -d 1 --rollup 1d,6h -o "$T/rec.db"
	_error_case "$PERFPILOT" record -a -d 1 --rollup 6x,1d -o "$T/rec.db"
	[[ -e $T/rec.db ]] && fail "left $T/rec.db behind"
	return 0
}

# --rollup 3s,1h: when record ends, the intervals older than 3 s are merged
# into 10 s steps; the burner's on-CPU time summed over the store still
# matches its schedstat, its busiest second is at most a second of one CPU,
# the rows cover the recording, and report reads them in 10 s steps
test_record_rollup() {
	local a db=$T/rec.db got tr rows steps span len busiest
	_rec_prereq
	wl_bg a "$T/burn.json" "$W/burn" -w 16
	wl_ready "$a" burn || return
	rec_bg pp -p "$a" -d 40 -i 1 --rollup 3s,1h -o "$db"
	attach_wait
	measure_one "$a" "$T/burn.json" 25 || return
	[[ -s $T/pp.err ]] && fail "stderr not empty: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	rec_closed "$db"
	is "integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
	rows=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	steps=$(rec_sql "$db" 'SELECT count(*) FROM interval WHERE step_ms = 10000')
	cmp "10 s steps" "$steps" -ge 1
	is "rows that are not steps are as recorded" "$(rec_sql "$db" 'SELECT count(*) FROM interval
		WHERE step_ms = 0 AND merged != 1')" 0
	# the rows cover the recording: lengths add up to its span
	span=$(rec_sql "$db" 'SELECT max(ts_ms) - (SELECT ts_ms - length_ms FROM interval ORDER BY id
		LIMIT 1) FROM interval')
	len=$(rec_sql "$db" 'SELECT sum(length_ms) FROM interval')
	within "the rows' lengths vs the span of the recording (ms)" "$len" "$span" 2
	got=$(rec_sum "$db" p "$a" cpu.oncpu_ns)
	tr=$(truth "$T/burn.json" oncpu_ns)
	within "cpu.oncpu_ns summed over the rolled-up store vs schedstat" "$got" "$tr" 10
	# the burner's stats: its busiest second in a step at most a second of
	# one CPU, at least the step's mean, the mean the step's sum over its
	# intervals
	busiest=$(rec_sql "$db" "SELECT max(t.max) FROM sample_stat t JOIN metric m ON
		m.id = t.metric_id JOIN entity e ON e.id = t.entity_id
		WHERE e.kind = 'p' AND e.name = '$a' AND m.name = 'cpu.oncpu_ns'" |
		awk '{ printf "%.0f\n", $1 }')
	cmp "the burner's busiest second in a step (ns)" "$busiest" -le 1100000000
	is "stats against their steps" "$(rec_sql "$db" "SELECT count(*) FROM sample_stat t
		JOIN sample s USING(interval_id, entity_id, metric_id)
		JOIN interval i ON i.id = t.interval_id JOIN metric m ON m.id = t.metric_id
		WHERE m.name = 'cpu.oncpu_ns' AND (t.max < t.mean OR t.min > t.mean
		OR abs(t.mean * i.merged - s.value) > 1e-6 * s.value)")" 0
	is "entities' first and last intervals are rows" "$(rec_sql "$db" 'SELECT count(*) FROM
		entity WHERE first_interval NOT IN (SELECT id FROM interval) OR last_interval NOT IN
		(SELECT id FROM interval)')" 0
	an_report "$db" "$T/rep.json" || return
	is "report: interval_s (the step)" "$(jq -r .meta.interval_s "$T/rep.json")" 10
	is "report: merged_intervals" "$(jq -r .meta.merged_intervals "$T/rep.json")" 10
	note "$rows rows, $steps of them 10 s steps; oncpu $(ms "$got") ms (schedstat $(ms "$tr") ms)"
}

# --profile: the hot workload's stacks end up in the profile table, as many
# samples as its on-CPU time (schedstat) gives at 49 Hz, 60 % of them in hot_a
test_record_profile() {
	local wl db=$T/rec.db a b c sum oncpu want
	_rec_prereq
	wl_bg wl "$T/hot.json" "$W/hot" -w 3
	wl_ready "$wl" hot || return
	rec_bg pp -p "$wl" --profile -d 6 -i 1 -o "$db"
	attach_wait
	go "$wl"
	oncpu=$(rec_last_oncpu "$wl")
	wl_done "$wl" "$T/hot.json" 6
	PP_DURATION=2 # it stops once the workload has exited
	pp_wait || return
	rec_closed "$db"
	is "profiles" "$(rec_sql "$db" 'SELECT count(*) FROM profile')" 1
	rec_sql "$db" 'SELECT folded FROM profile' >"$T/folded"
	a=$(folded_samples "$T/folded" hot_a)
	b=$(folded_samples "$T/folded" hot_b)
	c=$(folded_samples "$T/folded" hot_c)
	sum=$((a + b + c))
	want=$(awk -v n="$oncpu" 'BEGIN { printf "%.0f", n / 1e9 * 49 }')
	within "samples in hot_a/b/c vs 49 Hz x the workload's schedstat on-CPU time" "$sum" "$want" 25
	if ((sum > 0)); then
		cmp "hot_a share %" "$((a * 100 / sum))" -ge 45
		cmp "hot_a share %" "$((a * 100 / sum))" -le 75
	fi
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$T/folded" ||
		fail "no stack hot;...;main;hot_a in: $(head -c 300 "$T/folded" | tr '\n' '|')"
	note "hot_a $a, hot_b $b, hot_c $c samples; on-CPU $(ms "$oncpu") ms"
}

# --profile: a BPF program loaded long after the kernel's symbols were read
# (at the first interval) is named as /proc/kallsyms names it, from the
# kernel's program information; bpfhog spends about half its CPU time in
# its socket filter, so the profile holds that name in many samples
test_record_profile_bpf_late() {
	local wl db=$T/rec.db name got all i
	_rec_prereq
	# a JIT-compiled program has a kernel address; the interpreter's has none
	[[ $(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null) != 0 ]] || skip "the BPF JIT is off"
	wl_bg wl "$T/hog.json" "$W/bpfhog" -w 3
	wl_ready "$wl" bpfhog || return
	rec_bg pp -p "$wl" --profile -d 9 -i 1 -o "$db"
	attach_wait
	# the first interval is in: its stacks named, the kernel's symbols read
	for ((i = 0; i < 50; i++)); do
		[[ -s $db && $(rec_sql "$db" 'SELECT count(*) FROM interval') =~ ^[1-9][0-9]*$ ]] && break
		sleep 0.1
	done
	go "$wl"
	wl_done "$wl" "$T/hog.json" 6 || return
	PP_DURATION=2
	pp_wait || return
	rec_closed "$db"
	name=$(jq -r .prog "$T/hog.json")
	[[ $name == bpf_prog_*_pp_hog ]] || { fail "bpfhog printed no program name: $(cat "$T/hog.json")"; return; }
	rec_sql "$db" 'SELECT folded FROM profile' >"$T/folded"
	got=$(awk -v f="$name" '{ n = $NF; $NF = ""; k = split($0, fr, ";")
		for (i = 2; i <= k; i++) { sub(/ +$/, "", fr[i]); sub(/_\[k\]$/, "", fr[i]); if (fr[i] == f) { s += n; break } } }
		END { print s + 0 }' "$T/folded")
	all=$(awk '$1 ~ /^bpfhog;/ { s += $NF } END { print s + 0 }' "$T/folded")
	# 49 Hz over bpfhog's CPU time (3 s alone on a CPU: ~147 samples),
	# 30-60 % of them in the filter here
	cmp "bpfhog's samples" "$all" -ge 20
	cmp "samples in $name" "$got" -ge $((all / 5))
	note "$got of bpfhog's $all samples in $name"
}

# --profile-every 2: the profile is stored in parts (one every 2 s and the
# last at the end), back to back in time, whose samples add up to what the
# workload's on-CPU time gives at 49 Hz, with the workload's split between
# hot_a/b/c; report reads them
test_record_profile_parts() {
	local wl db=$T/rec.db a b c sum oncpu want parts gaps
	_rec_prereq
	wl_bg wl "$T/hot.json" "$W/hot" -w 7
	wl_ready "$wl" hot || return
	rec_bg pp -p "$wl" --profile-every 2 -d 10 -i 1 -o "$db"
	attach_wait
	go "$wl"
	oncpu=$(rec_last_oncpu "$wl")
	wl_done "$wl" "$T/hot.json" 10
	PP_DURATION=8 # it stops once the workload has exited (then folds the last part)
	pp_wait || return
	rec_closed "$db"
	parts=$(rec_sql "$db" 'SELECT count(*) FROM profile')
	cmp "profile parts of 2 s in a 7 s recording" "$parts" -ge 3
	# each part starts where the one before ended (to the millisecond)
	gaps=$(rec_sql "$db" "SELECT count(*) FROM profile p JOIN profile q ON q.id = p.id + 1
		WHERE q.start_ms != p.end_ms")
	is "parts not back to back" "$gaps" 0
	rec_sql "$db" 'SELECT folded FROM profile ORDER BY id' >"$T/folded"
	is "report sees the profile" "$("$PERFPILOT" report --json "$db" 2>/dev/null |
		jq -r .meta.has_profile)" true
	a=$(folded_samples "$T/folded" hot_a)
	b=$(folded_samples "$T/folded" hot_b)
	c=$(folded_samples "$T/folded" hot_c)
	sum=$((a + b + c))
	want=$(awk -v n="$oncpu" 'BEGIN { printf "%.0f", n / 1e9 * 49 }')
	within "samples in hot_a/b/c over all parts vs 49 Hz x its schedstat on-CPU time" "$sum" "$want" 25
	WL_JSON=$T/hot.json hot_shares "$a" "$b" "$c"
	note "$parts parts; hot_a $a, hot_b $b, hot_c $c samples; on-CPU $(ms "$oncpu") ms"
}

# record ends by analysing the whole store: the grow workload's RSS growth
# is a memory_growth row of the finding table naming its pid, report
# --stored shows it, and a second session appended replaces the analysis
test_record_findings() {
	local g db=$T/g.db row since until start end a1 a2 s
	_rec_prereq
	record_grow g "$db" || return
	rec_closed "$db"
	[[ -s $T/rec.err ]] && fail "stderr not empty: $(head -c 300 "$T/rec.err" | tr '\n' '|')"
	is "schema version" "$(rec_sql "$db" 'PRAGMA user_version')" 5
	row=$(rec_sql "$db" "SELECT json FROM finding WHERE kind = 'memory_growth'")
	jq -e --argjson p "$g" 'any(.victims[]; .pid == $p) and .resource == "memory"' \
		<<<"$row" >/dev/null 2>&1 ||
		{ fail "no memory_growth row naming pid $g: $(rec_sql "$db" 'SELECT kind, summary FROM finding' | head -c 300 | tr '\n' '|')"; return; }
	within "memory_growth rate vs the workload's own measurement" \
		"$(jq -r '.forecast.rate_per_s // empty' <<<"$row")" \
		"$(truth "$T/grow.json" measured_bytes_per_s)" 20
	is "its resource column" "$(rec_sql "$db" "SELECT resource FROM finding WHERE kind = 'memory_growth'")" memory
	is "its severity column = the JSON's" \
		"$(rec_sql "$db" "SELECT severity FROM finding WHERE kind = 'memory_growth'")" \
		"$(jq -r .severity <<<"$row")"
	# the window analysed is the whole store
	since=$(rec_sql "$db" 'SELECT DISTINCT since_ms FROM finding')
	until=$(rec_sql "$db" 'SELECT DISTINCT until_ms FROM finding')
	start=$(rec_sql "$db" "SELECT CAST(round(value * 1000) AS INTEGER) FROM meta WHERE key = 'start'")
	end=$(rec_sql "$db" "SELECT CAST(round(value * 1000) AS INTEGER) FROM meta WHERE key = 'end'")
	is "since_ms = meta start (ms)" "$since" "$start"
	is "until_ms = meta end (ms)" "$until" "$end"
	a1=$(rec_sql "$db" 'SELECT DISTINCT analysed_ms FROM finding')
	cmp "analysed_ms after until_ms" "$a1" -ge "$until"
	# report --stored prints them without analysing again
	timeout -k 2 20 "$PERFPILOT" report "$db" --stored --json >"$T/st.json" 2>"$T/st.err" ||
		{ fail "report --stored --json: $(head -c 300 "$T/st.err")"; return; }
	jq -e --argjson p "$g" '.findings | any(.kind == "memory_growth" and
		any(.victims[]; .pid == $p))' "$T/st.json" >/dev/null ||
		fail "report --stored --json: no memory_growth naming $g: $(head -c 300 "$T/st.json")"
	is "--stored --json: findings" "$(jq '.findings | length' "$T/st.json")" \
		"$(rec_sql "$db" 'SELECT count(*) FROM finding')"
	timeout -k 2 20 "$PERFPILOT" report "$db" --stored >"$T/st.txt" 2>"$T/st.err" ||
		{ fail "report --stored: $(head -c 300 "$T/st.err")"; return; }
	grep -Eq '^(info|warning|critical) +memory_growth +memory ' "$T/st.txt" ||
		fail "report --stored: no memory_growth line: $(head -c 300 "$T/st.txt" | tr '\n' '|')"
	# appending a session: one analysis, of the whole file, replaces the first
	wl_bg s "$T/sleep.out" sleep 30
	timeout -k 2 20 "$PERFPILOT" record -p "$s" -d 2 -o "$db" >/dev/null 2>"$T/rec2.err" ||
		{ fail "record (append): $(head -c 200 "$T/rec2.err")"; return; }
	is "analyses after appending" "$(rec_sql "$db" 'SELECT count(DISTINCT analysed_ms) FROM finding')" 1
	a2=$(rec_sql "$db" 'SELECT DISTINCT analysed_ms FROM finding')
	cmp "the new analysis is later" "$a2" -gt "$a1"
	is "since_ms after appending (the first session's start)" \
		"$(rec_sql "$db" 'SELECT DISTINCT since_ms FROM finding')" "$since"
	cmp "until_ms after appending" "$(rec_sql "$db" 'SELECT DISTINCT until_ms FROM finding')" \
		-gt "$until"
	rec_sql "$db" "SELECT json FROM finding WHERE kind = 'memory_growth'" |
		jq -e --argjson p "$g" 'any(.victims[]; .pid == $p)' >/dev/null 2>&1 ||
		fail "after appending: no memory_growth row naming pid $g"
	note "$(rec_sql "$db" 'SELECT count(*) FROM finding') findings: $(rec_sql "$db" 'SELECT kind FROM finding' | tr '\n' ' ')"
}

# _v2_store DB: a version 2 store made by hand: one process, three intervals
_v2_store() {
	sqlite3 -batch "$1" "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE entity(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
 pid INTEGER, comm TEXT, cgroup TEXT, first_interval INTEGER, last_interval INTEGER,
 UNIQUE(kind, name));
CREATE TABLE metric(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
 gauge INTEGER NOT NULL DEFAULT 0);
CREATE TABLE interval(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, length_ms INTEGER NOT NULL);
CREATE TABLE sample(interval_id INTEGER NOT NULL, entity_id INTEGER NOT NULL,
 metric_id INTEGER NOT NULL, value REAL NOT NULL,
 PRIMARY KEY(interval_id, entity_id, metric_id)) WITHOUT ROWID;
CREATE TABLE profile(id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL,
 end_ms INTEGER NOT NULL, folded TEXT NOT NULL);
INSERT INTO meta VALUES('schema_version', '2'), ('hostname', 'old'), ('interval', '1'),
 ('target', '-p 42'), ('ncpus', '2'), ('start', '1700000000.000'), ('end', '1700000003.000');
INSERT INTO entity VALUES(1, 'p', '42', 42, 'old', '/', 1, 3);
INSERT INTO metric VALUES(1, 'cpu.oncpu_ns', 0);
INSERT INTO interval VALUES(1, 1700000001000, 1000), (2, 1700000002000, 1000),
 (3, 1700000003000, 1000);
INSERT INTO sample VALUES(1, 1, 1, 5e8), (2, 1, 1, 6e8), (3, 1, 1, 7e8);
PRAGMA user_version = 2;"
}

# a version 2 store: report --stored migrates it and says it has none;
# report reads it; record appends to it and stores its findings
test_record_findings_v2() {
	local s n
	_rec_prereq
	_v2_store "$T/old.db" || { fail "cannot make a version 2 store"; return; }
	cp "$T/old.db" "$T/old2.db"
	timeout -k 2 20 "$PERFPILOT" report "$T/old.db" --stored >"$T/st.out" 2>"$T/st.err"
	is "report --stored of a v2 store: exit status" "$?" 1
	n=$(grep -c '' "$T/st.err")
	is "report --stored of a v2 store: stderr lines" "$n" 1
	grep -q '^perfpilot: .*has no stored findings' "$T/st.err" ||
		fail "report --stored: $(head -c 300 "$T/st.err")"
	[[ -s $T/st.out ]] && fail "report --stored wrote to stdout: $(head -c 100 "$T/st.out")"
	is "migrated by report --stored" "$(rec_sql "$T/old.db" 'PRAGMA user_version')" 5
	is "meta schema_version" "$(rec_sql "$T/old.db" "SELECT value FROM meta WHERE key = 'schema_version'")" 5
	is "samples kept" "$(rec_sql "$T/old.db" 'SELECT sum(value) FROM sample')" 1800000000.0
	is "finding table, empty" "$(rec_sql "$T/old.db" 'SELECT count(*) FROM finding')" 0
	an_report "$T/old.db" "$T/old.json" || return
	is "report of the migrated store: hostname" "$(jq -r .meta.hostname "$T/old.json")" old
	# record appends to the other copy: migrated, and analysed at the end
	wl_bg s "$T/sleep.out" sleep 30
	timeout -k 2 20 "$PERFPILOT" record -p "$s" -d 2 -o "$T/old2.db" >/dev/null 2>"$T/rec.err" ||
		{ fail "record to a v2 store: $(head -c 200 "$T/rec.err")"; return; }
	is "migrated by record" "$(rec_sql "$T/old2.db" 'PRAGMA user_version')" 5
	# older than a day: record's rollup made one minute of them
	is "the v2 intervals kept" "$(rec_sql "$T/old2.db" 'SELECT sum(merged) FROM interval WHERE ts_ms <= 1700000003000')" 3
	is "the v2 samples summed" "$(rec_sql "$T/old2.db" 'SELECT sum(s.value) FROM sample s JOIN interval i
		ON i.id = s.interval_id WHERE i.ts_ms <= 1700000003000')" 1800000000.0
	is "analysed by record" "$(rec_sql "$T/old2.db" "SELECT count(*) FROM meta WHERE key = 'findings_analysed'")" 1
	is "the analysis starts at the v2 data" "$(rec_sql "$T/old2.db" "SELECT value FROM meta WHERE key = 'findings_since'")" 1700000000.000
	timeout -k 2 20 "$PERFPILOT" report "$T/old2.db" --stored --json >"$T/st2.json" 2>"$T/st2.err" ||
		fail "report --stored after record: $(head -c 300 "$T/st2.err")"
	jq -e '.findings | type == "array"' "$T/st2.json" >/dev/null ||
		fail "report --stored --json: $(head -c 200 "$T/st2.json")"
}
