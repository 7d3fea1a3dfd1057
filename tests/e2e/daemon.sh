# shellcheck shell=bash
# End-to-end tests of `perfpilot daemon` (sourced by run.sh; see lib.sh):
# its HTTP paths (/metrics through promtool and a real Prometheus, the pprof
# profile through go tool pprof, the findings, the health), a burner's CPU
# time against its own schedstat, SIGHUP with a broken and a good config,
# the store after SIGTERM and after kill -9, alerts on a finding and on a
# metric received by a webhook sink, and bad input (exit 2). Each daemon
# runs in the test's scratch directory on a free port, with 1 s intervals
# and an analysis every 3 s (every 2 s over 20 s for the alerts).

# _dm_conf FILE [LINES...]: the tests' config, with extra lines at the end
_dm_conf() {
	local f=$1
	shift
	printf '%s\n' '[daemon]' 'interval = 1' '[analysis]' 'every = 3' 'window = 10m' \
		'[http]' "$@" >"$f"
}

# _dm_start NAME [ARGS...]: perfpilot daemon with $T/NAME.conf (made by
# _dm_conf unless it exists) on a free port (DM_PORT, DM_URL) with its
# state in $T/NAME.state; stderr in $T/NAME.err; its pid in DM_PID. Waits
# until /healthz says ok (the first interval is written).
_dm_start() {
	local name=$1 i
	shift
	DM_PORT=$(free_port) || { fail "no free port found"; return 1; }
	DM_URL=http://127.0.0.1:$DM_PORT
	DM_STATE=$T/$name.state
	DM_ERR=$T/$name.err
	[[ -f $T/$name.conf ]] || _dm_conf "$T/$name.conf"
	"$PERFPILOT" daemon --config "$T/$name.conf" --state-dir "$DM_STATE" \
		--listen "127.0.0.1:$DM_PORT" "$@" >"$T/$name.out" 2>"$DM_ERR" &
	DM_PID=$!
	_track "$DM_PID"
	for ((i = 0; i < 300; i++)); do
		[[ $(_dm_get /healthz 2>/dev/null) == ok ]] && return 0
		_alive "$DM_PID" || break
		sleep 0.1
	done
	fail "the daemon did not get ready in 30 s: $(head -c 400 "$DM_ERR" | tr '\n' '|')"
	return 1
}

# _dm_get PATH [CURL ARGS...]: the body of a path of the daemon (with the
# token of DM_TOKEN when set)
_dm_get() {
	local path=$1
	shift
	curl -sf -m 20 ${DM_TOKEN:+-H "Authorization: Bearer $DM_TOKEN"} "$@" "$DM_URL$path"
}

# _dm_stop SIGNAL SECONDS: signal the daemon and wait for its exit (WAIT_RC)
_dm_stop() {
	kill "-$1" "$DM_PID" 2>/dev/null
	wait_exit "$DM_PID" "$2" 2>/dev/null ||
		{ fail "the daemon still runs $2 s after SIG$1"; return 1; }
}

# _dm_value NAME LABELS: the value of one series in /metrics (empty if none)
_dm_value() {
	_dm_get /metrics | awk -v s="$1{$2}" '$1 == s { print $2; exit }'
}

_dm_prereq() {
	command -v curl >/dev/null || skip "curl not installed (tools/setup-deps.sh)"
}

# /metrics passes promtool, in both formats; the token is asked for;
# /api/findings is report --json; /healthz ok
test_daemon_metrics() {
	local tok=$T/token body ct i
	_dm_prereq
	command -v promtool >/dev/null || skip "promtool not installed (prometheus)"
	echo "s3cret-$RANDOM" >"$tok"
	chmod 600 "$tok"
	DM_TOKEN=$(cat "$tok")
	_dm_conf "$T/dm.conf" "token_file = $tok"
	_dm_start dm || return
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$DM_URL/metrics") == 401 ]] ||
		fail "/metrics without the token did not answer 401"
	[[ $(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' \
		"$DM_URL/metrics") == 401 ]] || fail "/metrics with a wrong token did not answer 401"
	_dm_get /metrics >"$T/metrics.txt" || { fail "/metrics with the token failed"; return; }
	promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(head -c 600 "$T/promtool.out" | tr '\n' '|')"
	grep -q '^perfpilot_build_info{version="[^"]*"} 1$' "$T/metrics.txt" ||
		fail "no perfpilot_build_info"
	grep -q '^perfpilot_host_cpu_busy_seconds_total [0-9.e+]*$' "$T/metrics.txt" ||
		fail "no perfpilot_host_cpu_busy_seconds_total"
	grep -q '^perfpilot_process_cpu_seconds_total{pid="[0-9]*",comm=' "$T/metrics.txt" ||
		fail "no perfpilot_process_cpu_seconds_total"
	grep -q '^perfpilot_cgroup_runqueue_latency_seconds_bucket{cgroup="[^"]*",le="+Inf"}' \
		"$T/metrics.txt" || fail "no run-queue latency histogram"
	# OpenMetrics when asked for
	ct=$(curl -s -o "$T/om.txt" -w '%{content_type}' -H "Authorization: Bearer $DM_TOKEN" \
		-H 'Accept: application/openmetrics-text;version=1.0.0' "$DM_URL/metrics")
	[[ $ct == application/openmetrics-text* ]] || fail "OpenMetrics content type: '$ct'"
	[[ $(tail -n 1 "$T/om.txt") == '# EOF' ]] || fail "OpenMetrics does not end with # EOF"
	grep -q '^# UNIT perfpilot_process_cpu_seconds seconds$' "$T/om.txt" ||
		fail "OpenMetrics without # UNIT"
	# the findings: report --json's shape, once the first analysis ran
	for ((i = 0; i < 100; i++)); do
		body=$(_dm_get /api/findings) && break
		sleep 0.1
	done
	jq -e '(.findings | type == "array") and .meta.target == "-a"' <<<"$body" >/dev/null ||
		fail "/api/findings: $(head -c 300 <<<"$body")"
	is "/healthz" "$(_dm_get /healthz)" ok
	# the analysis, its biggest periodic step, in a thread of its own at nice 19
	is "the analysis thread's nice" "$(for t in /proc/$DM_PID/task/*; do
		[[ $(cat "$t/comm" 2>/dev/null) == pp-analysis ]] &&
			awk '{ sub(/^.*\) /, ""); print $17 }' "$t/stat"; done)" 19
	[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $DM_TOKEN" \
		"$DM_URL/nothing") == 404 ]] || fail "an unknown path did not answer 404"
	note "$(grep -c '^perfpilot_' "$T/metrics.txt") series, $(jq '.findings | length' \
		<<<"$body") findings"
}

# _dm_settle NAME LABELS: wait until a series is there and stopped moving
# (two reads 1.5 s apart, at most 12 s); its value in DM_VALUE
_dm_settle() {
	local prev='' v i
	DM_VALUE=
	for ((i = 0; i < 8; i++)); do
		v=$(_dm_value "$1" "$2")
		if [[ -n $v && $v == "$prev" ]]; then
			DM_VALUE=$v
			return 0
		fi
		prev=$v
		sleep 1.5
	done
	DM_VALUE=$prev
	[[ -n $prev ]]
}

# _dm_burn VAR: burn 2 s of CPU under the daemon; its pid in VAR, its CPU
# time in DM_TRUTH_NS as its own schedstat says (/proc/thread-self/schedstat
# of its one thread, read by itself when it ends: burn's JSON)
_dm_burn() {
	local -n _bpid=$1
	wl_bg _bpid "$T/burn.json" "$W/burn" -w 2
	wl_ready "$_bpid" burn || return
	go "$_bpid"
	wl_done "$_bpid" "$T/burn.json" 5 || return
	DM_TRUTH_NS=$(truth "$T/burn.json" oncpu_ns)
	[[ -n $DM_TRUTH_NS ]] || { fail "no schedstat of the burner"; return 1; }
}

# a process burning 2 s of CPU: perfpilot_process_cpu_seconds_total says 2 s
# (±10 %, against its own schedstat), and its cgroup has at least as much
# (the daemon's default scheduler source: the task iterator)
test_daemon_burn() {
	local a cg got
	_dm_prereq
	_dm_start dm || return
	_dm_burn a || return
	_dm_settle perfpilot_process_cpu_seconds_total "pid=\"$a\",comm=\"burn\"" ||
		{ fail "no series of the burner (pid $a) in /metrics"; return; }
	got=$(awk -v v="$DM_VALUE" 'BEGIN { printf "%.0f", v * 1e9 }')
	within "perfpilot_process_cpu_seconds_total vs the burner's schedstat" "$got" \
		"$DM_TRUTH_NS" 10
	nominal "perfpilot_process_cpu_seconds_total vs 2 s burnt" "$got" 2000000000 \
		"$DM_TRUTH_NS" 10
	cg=$(sed -n 's/^0::\(.*\)/\1/p' /proc/self/cgroup)
	cmp "perfpilot_cgroup_cpu_seconds_total{cgroup=\"$cg\"}" \
		"$(_dm_value perfpilot_cgroup_cpu_seconds_total "cgroup=\"$cg\"")" -ge "$DM_VALUE"
	note "burner $DM_VALUE s (schedstat $(ms "$DM_TRUTH_NS") ms)"
}

# a real Prometheus scrapes the daemon: up == 1, and the burner's series
# has the right value
test_daemon_prometheus() {
	local a pport pid i up got
	_dm_prereq
	command -v prometheus >/dev/null || skip "prometheus not installed"
	_dm_start dm || return
	pport=$(free_port) || { fail "no free port for Prometheus"; return; }
	cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: perfpilot
    static_configs:
      - targets: ['127.0.0.1:$DM_PORT']
EOF
	wl_bg pid "$T/prometheus.out" prometheus --config.file="$T/prometheus.yml" \
		--storage.tsdb.path="$T/tsdb" --web.listen-address="127.0.0.1:$pport"
	_dm_burn a || return
	_dm_settle perfpilot_process_cpu_seconds_total "pid=\"$a\",comm=\"burn\"" ||
		{ fail "no series of the burner (pid $a) in /metrics"; return; }
	# a few scrapes after the value settled
	for ((i = 0; i < 60; i++)); do
		got=$(curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode \
			"query=perfpilot_process_cpu_seconds_total{pid=\"$a\"}" |
			jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
		awk -v a="$got" -v b="$DM_VALUE" 'BEGIN { d = a - b; exit !(a != "" && d * d < 1e-18) }' &&
			break
		sleep 0.5
	done
	up=$(curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode \
		'query=up{job="perfpilot"}' | jq -r '.data.result[0].value[1] // empty')
	is 'up{job="perfpilot"}' "$up" 1
	awk -v a="$got" -v b="$DM_VALUE" 'BEGIN { d = a - b; exit !(a != "" && d * d < 1e-18) }' ||
		fail "the burner's series in Prometheus: '$got', in /metrics: $DM_VALUE"
	within "the burner's series in Prometheus (ns) vs its schedstat" \
		"$(awk -v v="$got" 'BEGIN { printf "%.0f", v * 1e9 }')" "$DM_TRUTH_NS" 10
	note "Prometheus has $got s for the burner (schedstat $(ms "$DM_TRUTH_NS") ms)"
}

# gopprof_daemon ARGS...: go tool pprof with its caches in the scratch
# directory (as gopprof of formats.sh)
_dm_gopprof() {
	HOME=$T/gohome GOCACHE=$T/gocache GOPATH=$T/gopath GOTOOLCHAIN=local GOFLAGS='' \
		command go tool pprof -symbolize=none "$@"
}

# _dm_pprof_wait PID NAME: wait for a profile request run in the background
# (at most 40 s); fails naming NAME when it failed
_dm_pprof_wait() {
	wait_exit "$1" 40 || { fail "$2: still running after 40 s"; return 1; }
	[[ $WAIT_RC == 0 ]] || { fail "$2: exit $WAIT_RC: $(head -c 300 "$T/$2.err")"; return 1; }
}

# the pprof endpoint profiles the NEXT N seconds, as Go's does: go tool
# pprof asks for 10 s and waits about that long; hot, started a second after
# the request came, is in it (hot_a named, its pid among the samples); a
# burner that ran until just before the request is not (nor in a request
# for its pid alone); a request for hot's cgroup (cgroup=) holds hot alone;
# more than pprof_max_seconds, or not a number: 400 with one line
test_daemon_pprof() {
	local a b top tags t0 dt cg rel host burnp cgp saved n
	_dm_prereq
	type -P go >/dev/null || skip "go not installed (golang-go)"
	_dm_conf "$T/dm.conf" 'pprof_max_seconds = 10'
	_dm_start dm || return
	# before the request: a burner that burns 2 s and ends
	wl_bg b "$T/burn.json" "$W/burn" 2
	wl_done "$b" "$T/burn.json" 10 || return
	rel=
	if [[ -n $CG2_ROOT ]]; then
		cg=$CG2_ROOT/pp-pprof-$$
		rel=${cg#"$CG2_ROOT"}
		cg_make "$cg" || return
	fi
	# the requests, all at once
	t0=$(_now_ms)
	_dm_gopprof -top -nodecount=30 "$DM_URL/debug/pprof/profile?seconds=10" \
		>"$T/host.top" 2>"$T/host.err" &
	host=$!
	curl -sf -m 40 -o "$T/burnpid.pb.gz" "$DM_URL/debug/pprof/profile?seconds=10&pid=$b" \
		2>"$T/burnpid.err" &
	burnp=$!
	if [[ -n $rel ]]; then
		curl -sf -m 40 -o "$T/cg.pb.gz" "$DM_URL/debug/pprof/profile?seconds=10&cgroup=$rel" \
			2>"$T/cg.err" &
		cgp=$!
	fi
	sleep 1
	# after they came: hot, 3 s, in the cgroup
	wl_bg a "$T/hot.json" "$W/hot" -w 3
	wl_ready "$a" hot || return
	[[ -z $rel ]] || cg_add "$cg" "$a" || return
	go "$a"
	_dm_pprof_wait "$host" host || return
	dt=$(($(_now_ms) - t0))
	wl_done "$a" "$T/hot.json" 10 || return
	cmp "the request for 10 s waited (ms)" "$dt" -ge 9500
	cmp "the request for 10 s waited (ms): at most 1.5 x 10 s (go tool pprof's timeout)" "$dt" \
		-le 15000
	awk '$NF == "hot_a"' "$T/host.top" | grep -q . ||
		fail "hot_a not named: $(head -c 600 "$T/host.top" | tr '\n' '|')"
	# go tool pprof kept what it fetched: the samples' pids
	saved=$(sed -n 's/^Saved profile in //p' "$T/host.err" | head -n 1)
	[[ -f $saved ]] || { fail "go tool pprof saved no profile: $(head -c 300 "$T/host.err")"; return; }
	tags=$(_dm_gopprof -tags "$saved" 2>"$T/tags.err")
	grep -Eq "^ +[0-9.]+m?s \( *[0-9.]+%\): $a$" <<<"$tags" ||
		fail "hot's pid $a not among the samples: $(head -c 400 <<<"$tags" | tr '\n' '|')"
	grep -Eq "^ +[0-9.]+m?s \( *[0-9.]+%\): $b$" <<<"$tags" &&
		fail "the burner (pid $b), done before the request, is in the profile"
	# the burner's pid alone: nothing (the last 10 s would have had it)
	_dm_pprof_wait "$burnp" burnpid || return
	n=$(_dm_gopprof -top "$T/burnpid.pb.gz" 2>&1 | sed -n 's/.* of \([0-9.]*\)m\{0,1\}s\{0,1\} total.*/\1/p')
	is "samples of the burner's pid, from the request on" "${n:-none}" 0
	# the cgroup: hot, and only it
	if [[ -n $rel ]]; then
		_dm_pprof_wait "$cgp" cg || return
		top=$(_dm_gopprof -top "$T/cg.pb.gz" 2>&1)
		awk '$NF == "hot_a"' <<<"$top" | grep -q . ||
			fail "cgroup=$rel: hot_a not named: $(head -c 400 <<<"$top" | tr '\n' '|')"
		is "cgroup=$rel: the pids of its samples" "$(_dm_gopprof -tags "$T/cg.pb.gz" 2>/dev/null |
			sed -n '/^ *pid:/,/^ *[a-z]*:/p' | sed -n 's/.*): \([0-9]*\)$/\1/p' | sort -u |
			tr '\n' ' ')" "$a "
	fi
	# the bounds: one line, 400
	is "seconds=11 (over pprof_max_seconds = 10)" "$(curl -s -o "$T/400.txt" -w '%{http_code}' \
		"$DM_URL/debug/pprof/profile?seconds=11")" 400
	is "the 400's lines" "$(grep -c '' "$T/400.txt")" 1
	grep -q 'pprof_max_seconds' "$T/400.txt" || fail "the 400 does not say the limit: $(cat "$T/400.txt")"
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$DM_URL/debug/pprof/profile?seconds=x") == 400 ]] ||
		fail "seconds=x did not answer 400"
	note "waited $dt ms for 10 s; hot_a: $(awk '$NF == "hot_a" { print $1, $2; exit }' "$T/host.top")"
}

# SIGHUP: a broken config is refused with one line and the old one stays
# (still serving); a good one is taken
test_daemon_sighup() {
	local n
	_dm_prereq
	_dm_start dm || return
	_dm_conf "$T/dm.conf" 'top_processes = lots'
	kill -HUP "$DM_PID"
	_wait_for "$DM_ERR" '^error: reload refused' 10 ||
		{ fail "no refusal logged: $(tail -c 300 "$DM_ERR" | tr '\n' '|')"; return; }
	grep -q "^error: reload refused: $T/dm.conf:7: top_processes = 'lots': use " "$DM_ERR" ||
		fail "the refusal does not say FILE:LINE: $(grep refused "$DM_ERR")"
	is "/healthz after the refused reload" "$(_dm_get /healthz)" ok
	_alive "$DM_PID" || { fail "the daemon died"; return; }
	n=$(_dm_get /metrics | grep -c '^perfpilot_process_cpu_seconds_total{')
	cmp "process series with the old config (top 20)" "$n" -gt 1
	_dm_conf "$T/dm.conf" 'top_processes = 1'
	kill -HUP "$DM_PID"
	_wait_for "$DM_ERR" '^info: config reloaded from ' 10 ||
		{ fail "the good config was not taken: $(tail -c 300 "$DM_ERR" | tr '\n' '|')"; return; }
	is "process series after reloading top_processes = 1" \
		"$(_dm_get /metrics | grep -c '^perfpilot_process_cpu_seconds_total{')" 1
	note "$(grep -c '' "$DM_ERR") log lines"
}

# SIGTERM: exit 0, the store closed (no -wal) with the last interval, and
# perfpilot report reads it; the log lines all have a level (the tuner on,
# advice only, says so)
test_daemon_sigterm() {
	local db n bad i
	_dm_prereq
	: >"$T/tune.conf" # the tuner's defaults, advice only
	_dm_conf "$T/dm.conf" '[tune]' 'enabled = true' "config = $T/tune.conf"
	_dm_start dm || return
	db=$DM_STATE/perfpilot.db
	# the first analysis (3 s after the first interval), kept in the store
	# at the next interval
	for ((i = 0; i < 150; i++)); do
		_dm_get /api/findings >/dev/null && break
		sleep 0.1
	done
	sleep 1.5
	_dm_stop TERM 15 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	[[ -e $db-wal ]] && fail "$db-wal is still there: the store was not closed"
	"$PERFPILOT" report "$db" --json >"$T/report.json" 2>"$T/report.err" ||
		fail "perfpilot report failed: $(head -c 300 "$T/report.err")"
	is "report's target" "$(jq -r .meta.target "$T/report.json")" -a
	n=$(sqlite3 -batch "$db" 'SELECT count(*) FROM interval')
	cmp "intervals" "$n" -ge 3
	"$PERFPILOT" report "$db" --stored >"$T/stored.txt" 2>&1 ||
		fail "report --stored: $(head -c 300 "$T/stored.txt")"
	is "profile rows (flushed at the end)" \
		"$(sqlite3 -batch "$db" 'SELECT count(*) > 0 FROM profile')" 1
	bad=$(grep -cvE '^(debug|info|warning|error): ' "$DM_ERR")
	is "log lines without a level" "$bad" 0
	grep -q '^info: stopped: [0-9]* intervals written to ' "$DM_ERR" || fail "no stop line"
	grep -q "^info: tune: [0-9]* tuners\{0,1\} on (.* on the host), advice only, journal $DM_STATE/tune-journal.json$" \
		"$DM_ERR" || fail "no tuner line: $(grep tune "$DM_ERR" | head -c 300)"
	note "$n intervals; $(head -n 1 "$T/stored.txt")"
}

# [retention] rollup = 2s,1h: the daemon merges the intervals older than
# 2 s into 10 s steps while it records (every 60 intervals: 0.25 s ones
# here, so within about 15 s; record --rollup's own test checks the merged
# values); the rows still cover the recording and report reads them
test_daemon_rollup() {
	local db i steps=0 span len logged
	_dm_prereq
	printf '%s\n' '[daemon]' 'interval = 0.25' 'log_level = debug' '[retention]' 'rollup = 2s,1h' \
		'[analysis]' 'every = 60' >"$T/dm.conf"
	_dm_start dm || return
	db=$DM_STATE/perfpilot.db
	grep -q ', rolled up after 2s and 1h)' "$DM_ERR" ||
		fail "the start-up line does not say the rollups: $(grep recording "$DM_ERR" | head -c 300)"
	for ((i = 0; i < 80 && steps < 1; i++)); do
		sleep 0.5
		steps=$(sqlite3 -batch "$db" 'SELECT count(*) FROM interval WHERE step_ms = 10000' \
			2>/dev/null || echo 0)
	done
	cmp "10 s steps made while the daemon records" "$steps" -ge 1
	_dm_stop TERM 15 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	span=$(sqlite3 -batch "$db" 'SELECT max(ts_ms) - (SELECT ts_ms - length_ms FROM interval
		ORDER BY id LIMIT 1) FROM interval')
	len=$(sqlite3 -batch "$db" 'SELECT sum(length_ms) FROM interval')
	within "the rows' lengths vs the span of the recording (ms)" "$len" "$span" 2
	# each pass says what it merged (debug): the steps it logged are in the
	# store (the last pass, at the exit, logs nothing)
	logged=$(awk '/^debug: rollup: [0-9]+ rows merged into [0-9]+ step/ { n += $7 }
		END { print n + 0 }' "$DM_ERR")
	steps=$(sqlite3 -batch "$db" 'SELECT count(*) FROM interval WHERE step_ms = 10000')
	cmp "steps the rollup passes logged" "$logged" -ge 1
	cmp "steps logged vs steps in the store" "$logged" -le "$steps"
	"$PERFPILOT" report "$db" --json >"$T/report.json" 2>"$T/report.err" ||
		fail "perfpilot report failed: $(head -c 300 "$T/report.err")"
	note "$steps steps of 10 s after $((i / 2)) s, $(sqlite3 -batch "$db" \
		'SELECT count(*) FROM interval') rows at the end"
}

# A fast-forwarded soak (tools/bench/soak runs the long ones): 0.2 s
# intervals, an analysis every 2 s over the last 30 s, the store rolled up
# after 5 and 10 s and trimmed to 20 s, beside a burst of short-lived
# processes every 5 s, for 45 s: about 225 intervals, the analyses, rollups
# and trims all the time, some 8,000 processes. After the first 12 s the
# daemon's resident memory (the optimised build's, as scale.sh measures)
# must stay flat: the median of the last 15 s at most 3 MiB above that of
# seconds 12-20; the store keeps only what the retention says, and is whole
test_daemon_soak() {
	local PERFPILOT=${PERFPILOT_PLAIN:-$PERFPILOT} sp i t0 early late hwm rows
	_dm_prereq
	# a sanitized build's quarantine grows its memory by design
	grep -qa __asan_init "$PERFPILOT" &&
		skip "memory is measured on the optimised build: set PERFPILOT_PLAIN (make test does)"
	printf '%s\n' '[daemon]' 'interval = 0.2' 'profile_hz = 19' '[retention]' 'max_age = 20s' \
		'rollup = 5s,10s' '[analysis]' 'every = 2' 'window = 30s' >"$T/dm.conf"
	_dm_start dm || return
	(for ((i = 0; i < 9; i++)); do "$W/spawn" 1 >/dev/null 2>&1; sleep 4; done) &
	sp=$!
	_track "$sp"
	t0=$SECONDS
	: >"$T/rss"
	while ((SECONDS - t0 < 45)); do
		_alive "$DM_PID" || { fail "the daemon died: $(tail -c 300 "$DM_ERR" | tr '\n' '|')"; return; }
		echo "$((SECONDS - t0)) $(awk '/^VmRSS:/ { print $2 }' "/proc/$DM_PID/status")" >>"$T/rss"
		sleep 1
	done
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DM_PID/status")
	wait "$sp" 2>/dev/null
	_dm_stop TERM 15 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	early=$(awk '$1 >= 12 && $1 <= 20 { print $2 }' "$T/rss" | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }')
	late=$(awk '$1 >= 30 { print $2 }' "$T/rss" | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }')
	cmp "resident KiB, median of the last 15 s (seconds 12-20: $early KiB)" "$late" -le $((early + 3072))
	is "integrity_check" "$(sqlite3 -batch "$DM_STATE/perfpilot.db" 'PRAGMA integrity_check')" ok
	# 20 s kept: about 100 intervals of 0.2 s, fewer once rolled up
	rows=$(sqlite3 -batch "$DM_STATE/perfpilot.db" 'SELECT count(*) FROM interval')
	cmp "intervals kept (max_age 20 s)" "$rows" -le 130
	cmp "10 s or 1 min steps made" "$(sqlite3 -batch "$DM_STATE/perfpilot.db" \
		'SELECT count(*) FROM interval WHERE step_ms > 0')" -ge 1
	note "resident $early -> $late KiB, peak $hwm KiB; $rows rows kept"
}

# kill -9: what was committed stays readable
test_daemon_kill9() {
	local db n
	_dm_prereq
	_dm_start dm || return
	db=$DM_STATE/perfpilot.db
	sleep 3
	_dm_stop KILL 5
	is "perfpilot killed" "$WAIT_RC" 137
	"$PERFPILOT" report "$db" --json >"$T/report.json" 2>"$T/report.err" ||
		fail "perfpilot report after kill -9 failed: $(head -c 300 "$T/report.err")"
	is "integrity_check" "$(sqlite3 -batch "$db" 'PRAGMA integrity_check')" ok
	n=$(sqlite3 -batch "$db" 'SELECT count(*) FROM interval')
	cmp "intervals kept" "$n" -ge 2
	note "$n intervals"
}

# several cgroups (-c A -c B, filtered in the kernel by the set of their
# ids): a burner in each is in /metrics with its own schedstat's CPU time
# (±10 %), and so is each cgroup; a burner in a third cgroup beside them is
# not, nor its cgroup; the store says the target
test_daemon_cgroups() {
	local base rel a b c x pid got truth
	_dm_prereq
	[[ -n $CG2_ROOT ]] || skip "no cgroup2 mount"
	base=$CG2_ROOT/pp-cgs-$$
	rel=${base#"$CG2_ROOT"}
	cg_make "$base" && cg_make "$base/a" && cg_make "$base/b" && cg_make "$base/c" || return
	_dm_start dm -c "$base/a" -c "$rel/b" || return
	wl_bg a "$T/a.json" "$W/burn" -w 2
	wl_bg b "$T/b.json" "$W/burn" -w 2
	wl_bg c "$T/c.json" "$W/burn" -w 2
	wl_ready "$a" burn && wl_ready "$b" burn && wl_ready "$c" burn || return
	cg_add "$base/a" "$a" && cg_add "$base/b" "$b" && cg_add "$base/c" "$c" || return
	go "$a" "$b" "$c"
	wl_done "$a" "$T/a.json" 10 && wl_done "$b" "$T/b.json" 10 && wl_done "$c" "$T/c.json" 10 ||
		return
	for x in a b; do
		pid=${!x}
		truth=$(truth "$T/$x.json" oncpu_ns)
		_dm_settle perfpilot_process_cpu_seconds_total "pid=\"$pid\",comm=\"burn\"" ||
			{ fail "no series of the burner in $rel/$x (pid $pid) in /metrics"; continue; }
		got=$(awk -v v="$DM_VALUE" 'BEGIN { printf "%.0f", v * 1e9 }')
		within "burner in $rel/$x: perfpilot_process_cpu_seconds_total vs its schedstat" \
			"$got" "$truth" 10
		got=$(_dm_value perfpilot_cgroup_cpu_seconds_total "cgroup=\"$rel/$x\"")
		within "perfpilot_cgroup_cpu_seconds_total{cgroup=\"$rel/$x\"} vs its burner's schedstat" \
			"$(awk -v v="$got" 'BEGIN { printf "%.0f", v * 1e9 }')" "$truth" 10
		note "$x: $DM_VALUE s (schedstat $(ms "$truth") ms)"
	done
	_dm_get /metrics >"$T/metrics.txt"
	grep -q "pid=\"$c\"" "$T/metrics.txt" &&
		fail "the burner outside the target (pid $c) is in /metrics: $(grep "pid=\"$c\"" "$T/metrics.txt" | head -n 1)"
	grep -q "cgroup=\"$rel/c\"" "$T/metrics.txt" &&
		fail "the cgroup outside the target ($rel/c) is in /metrics"
	_dm_stop TERM 15 || return
	is "the store's target" "$("$PERFPILOT" report "$DM_STATE/perfpilot.db" --json 2>/dev/null |
		jq -r .meta.target)" "-c $base/a -c $rel/b"
}

# [tune] enabled = true (advice only) with -c a throttled burner's cgroup
# (made as tune_cgroup.sh makes it): the cgroup's cycle runs the cpu_quota
# tuner, whose advice for that cgroup is in the log and counted in /metrics;
# the host's cycle keeps the sysctl tuners; nothing is written, on the
# cgroup or the host, and nothing is journaled
test_daemon_tune_cgroup() {
	local idle sysctls before i n
	_dm_prereq
	_qcg_make || return
	idle=$(_host_idle 1)
	awk -v i="$idle" 'BEGIN { exit !(i < 0.8) }' && skip "host busy: $idle CPUs idle"
	printf '%s\n' 'cooldown = 0' '[tuner accept_queue]' 'enabled = false' \
		'[tuner tcp_buffers]' 'enabled = false' '[tuner cpu_weight]' 'enabled = false' \
		>"$T/tune.conf"
	_dm_conf "$T/dm.conf" '[tune]' 'enabled = true' "config = $T/tune.conf"
	sysctls=(/proc/sys/vm/min_free_kbytes /proc/sys/vm/watermark_scale_factor
		/proc/sys/vm/dirty_background_ratio /proc/sys/vm/dirty_ratio)
	before=$(cat "${sysctls[@]}")
	_dm_start dm -c "$QCG" || return
	grep -q "^info: tune: [0-9]* tuners on (.* on the host; cpu_quota on $QCG), advice only" \
		"$DM_ERR" || fail "no tuner line naming $QCG: $(grep tune "$DM_ERR" | head -c 300)"
	# two analyses 3 s apart: the first observes, the second proposes
	for ((i = 0; i < 100; i++)); do
		grep -q "^info: tune: advice: $QFILE in cgroup $QCG: 20000" "$DM_ERR" && break
		_alive "$DM_PID" || break
		sleep 0.2
	done
	grep -q "^info: tune: advice: $QFILE in cgroup $QCG: 20000.* -> 30000.* (cpu_throttled: " \
		"$DM_ERR" || fail "no advice for $QCG in 20 s: $(grep 'tune' "$DM_ERR" | head -c 400)"
	n=$(_dm_value perfpilot_tuner_changes_total "tunable=\"$QFILE\",outcome=\"proposed\"")
	cmp "perfpilot_tuner_changes_total{tunable=\"$QFILE\",outcome=\"proposed\"}" "${n:-0}" -ge 1
	is "quota after the daemon's advice" "$(_qcg_quota)" 20000
	_dm_stop TERM 15 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	is "the host's sysctls after the daemon's advice" "$(cat "${sysctls[@]}")" "$before"
	is "journal after advice" \
		"$("$PERFPILOT" tune --status --json --state-dir "$DM_STATE" 2>/dev/null)" ""
	note "$(grep -m1 "tune: advice: $QFILE" "$DM_ERR" | cut -c1-160)"
}

# cgroups of two hierarchies in one target: refused with one line
test_error_cgroups_two_hierarchies() {
	[[ -n $CG2_ROOT && -n $CG1_CPU_ROOT ]] || skip "not a host with cgroup v1 and v2"
	_error_case "$PERFPILOT" stat -c "$CG2_ROOT" -c "$CG1_CPU_ROOT" -d 1
	grep -q 'give cgroups of one hierarchy' "$T/err" || fail "not said: $(head -c 200 "$T/err")"
	_dm_conf "$T/dm.conf"
	_error_case "$PERFPILOT" daemon --config "$T/dm.conf" -c "$CG2_ROOT" -c "$CG1_CPU_ROOT" \
		--state-dir "$T/st" --listen "127.0.0.1:$(free_port)"
}

# ---------------------------------------------------------------- alerts

# _dm_hook FILTER: whether jq's FILTER holds over the notifications the
# sink received so far ($T/hook.jsonl, read as one array)
_dm_hook() { jq -e -s "$1" "$T/hook.jsonl" >/dev/null 2>&1; }

# _dm_hook_wait WHAT FILTER SECONDS: poll the sink's file until FILTER
# holds; a failure naming WHAT after SECONDS
_dm_hook_wait() {
	local deadline=$(($(_now_ms) + $3 * 1000))
	until _dm_hook "$2"; do
		if (($(_now_ms) > deadline)); then
			fail "$1: not received within $3 s (the sink has: $(jq -c -s \
				'map({rule, status, pid: .labels.pid})' "$T/hook.jsonl" 2>/dev/null))"
			return 1
		fi
		_alive "$DM_PID" || { fail "$1: the daemon died: $(tail -c 300 "$DM_ERR")"; return 1; }
		sleep 0.2
	done
}

# _dm_analyses: how many analyses the daemon has logged (log_level = debug
# logs each one)
_dm_analyses() { grep -c '^[a-z]*: analysis: ' "$DM_ERR"; }

# _dm_alert_pair RULE STATUS...: the notifications of RULE, in the order
# received, must have these statuses; the first two go to DM_FIRING and
# DM_RESOLVED. Then what every notification has (docs/daemon-alerts.md):
# version 1, the rule as alertname, the host as instance and hostname, one
# fingerprint and startsAt for both, RFC 3339 times with milliseconds,
# endsAt null while firing and not before startsAt once resolved, the
# labels fixed when it fired, a summary and a description.
_dm_alert_pair() {
	local rule=$1 got host
	shift
	got=$(jq -r -s --arg r "$rule" '[.[] | select(.rule == $r) | .status] | join(" ")' \
		"$T/hook.jsonl")
	is "alert $rule: the statuses of its notifications" "$got" "$*" || return 1
	DM_FIRING=$(jq -c -s --arg r "$rule" 'map(select(.rule == $r))[0]' "$T/hook.jsonl")
	DM_RESOLVED=$(jq -c -s --arg r "$rule" 'map(select(.rule == $r))[1]' "$T/hook.jsonl")
	host=$(hostname)
	got=$(jq -r -s --arg host "$host" '
		def rfc: type == "string" and
			test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
		def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[20:23] | tonumber) / 1000;
		.[0] as $f | .[1] as $r |
		[ (.[] | (if .version != 1 then "version \(.version)" else empty end),
			(if .labels.alertname != .rule then "alertname \(.labels.alertname)" else empty end),
			(if .labels.instance != $host then "instance \(.labels.instance)" else empty end),
			(if .hostname != $host then "hostname \(.hostname)" else empty end),
			(if (.fingerprint | type == "string" and test("^[0-9a-f]{16}$")) | not
			 then "fingerprint \(.fingerprint)" else empty end),
			(if (.labels | type == "object" and all(.[]; type == "string")) | not
			 then "labels not all strings" else empty end),
			(if (.annotations.summary | type == "string" and length > 0) | not
			 then "no summary" else empty end),
			(if (.annotations.description | type == "string" and length > 0) | not
			 then "no description" else empty end),
			(if (.startsAt | rfc) | not then "startsAt \(.startsAt)" else empty end)),
		  (if $f.endsAt != null then "endsAt \($f.endsAt) while firing" else empty end),
		  (if ($r.endsAt | rfc) | not then "resolved endsAt \($r.endsAt)"
		   elif ($r.endsAt | secs) < ($r.startsAt | secs) then "endsAt before startsAt"
		   else empty end),
		  (if $f.fingerprint != $r.fingerprint then "fingerprints differ" else empty end),
		  (if $f.startsAt != $r.startsAt then "startsAt differ" else empty end),
		  (if $f.labels != $r.labels then "labels differ" else empty end)
		] | join("; ")' <<<"$DM_FIRING $DM_RESOLVED")
	[[ -z $got ]] || { fail "alert $rule: $got"; return 1; }
}

# _dm_secs RFC3339: seconds since the epoch
_dm_secs() { jq -rn --arg t "$1" '($t[0:19] + "Z" | fromdateiso8601) + ($t[20:23] | tonumber) / 1000'; }

# alerts to a webhook started by the test: the grow workload (6 MiB/s for
# 16 s) makes a memory_growth finding that names it (8 samples of growth at
# least: about 10 s in), and the rule on it fires once while it grows; once
# grow has exited and its samples left the 12 s window, it resolves once. Beside it, a burner in a child cgroup fires a rule on
# perfpilot_cgroup_cpu_seconds_total (above 0.1 for 2 s) while it burns,
# resolved (clear 0.02) once it stopped. The daemon watches a cgroup of the
# test (-c), so what other processes on the host do makes no alert.
test_daemon_alert_webhook() {
	local cg rel sink port g b n i t0 gs ge bs be f r
	_dm_prereq
	[[ -n $CG2_ROOT ]] || skip "no cgroup2 mount"
	cg=$CG2_ROOT/pp-alert-$$
	rel=${cg#"$CG2_ROOT"}
	cg_make "$cg" && cg_make "$cg/burn" || return
	: >"$T/hook.jsonl"
	wl_bg sink "$T/sink.out" "$W/webhook_sink" "$T/hook.jsonl"
	_wait_for "$T/sink.out" '^[0-9]+$' 10 ||
		{ fail "the webhook sink did not listen: $(head -c 300 "$T/sink.out.err")"; return; }
	port=$(head -n 1 "$T/sink.out")
	cat >"$T/dm.conf" <<EOF
[daemon]
interval = 1
log_level = debug
[analysis]
every = 2
window = 12s
[http]
[notify]
webhook = http://127.0.0.1:$port/hook
backoff = 200ms
[alert leak]
finding = memory_growth
severity = info
scope = comm=grow
[alert busy]
metric = perfpilot_cgroup_cpu_seconds_total
match = cgroup=$rel/burn
above = 0.1
clear = 0.02
for = 2s
severity = critical
EOF
	_dm_start dm -c "$cg" || return
	wl_bg g "$T/grow.json" "$W/grow" -w -r 6 16
	wl_bg b "$T/burn.json" "$W/burn" -w -t 2 6
	wl_ready "$g" grow && wl_ready "$b" burn || return
	cg_add "$cg" "$g" && cg_add "$cg/burn" "$b" || return
	t0=$(_now_ms)
	go "$g" "$b"
	wl_done "$b" "$T/burn.json" 30 || return
	wl_done "$g" "$T/grow.json" 30 || return
	gs=$(truth "$T/grow.json" t_start) ge=$(truth "$T/grow.json" t_end)
	bs=$(truth "$T/burn.json" t_start) be=$(truth "$T/burn.json" t_end)
	_dm_hook_wait "alert leak firing" 'any(.rule == "leak" and .status == "firing")' 30 &&
		_dm_hook_wait "alert leak resolved" 'any(.rule == "leak" and .status == "resolved")' 60 &&
		_dm_hook_wait "alert busy resolved" 'any(.rule == "busy" and .status == "resolved")' 30 ||
		return
	# two more analyses and intervals: time for a notification too many
	n=$(_dm_analyses)
	for ((i = 0; i < 200; i++)); do
		(($(_dm_analyses) >= n + 2)) && break
		sleep 0.1
	done
	((i < 200)) || fail "no two more analyses within 20 s"
	# perfpilot_notifications_total: one series per outcome of the one sink
	# configured, labelled with its kind (no URL), and none of the other
	_dm_get /metrics >"$T/metrics.txt" || { fail "/metrics failed"; return; }
	is "notifications sent to the webhook, in /metrics" "$(awk \
		'$1 == "perfpilot_notifications_total{sink=\"webhook\",outcome=\"sent\"}" { print $2 }' \
		"$T/metrics.txt")" 4
	is "notification series: sink and outcome labels" "$(grep '^perfpilot_notifications_total' \
		"$T/metrics.txt" | sed 's/}.*/}/' | sort | tr '\n' ' ')" \
		'perfpilot_notifications_total{sink="webhook",outcome="dropped"} perfpilot_notifications_total{sink="webhook",outcome="failed"} perfpilot_notifications_total{sink="webhook",outcome="sent"} '
	is "failed + dropped notifications" "$(awk '$1 ~ /^perfpilot_notifications_total\{.*outcome="(failed|dropped)"/ { n += $2 } END { print n + 0 }' \
		"$T/metrics.txt")" 0
	if command -v promtool >/dev/null; then
		promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
			fail "promtool check metrics: $(head -c 600 "$T/promtool.out" | tr '\n' '|')"
	fi
	is "alerts firing, in /metrics" \
		"$(_dm_get /metrics | awk '$1 == "perfpilot_alerts_firing" { print $2 }')" 0
	_dm_stop TERM 15 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	is "notifications received" "$(grep -c '' "$T/hook.jsonl")" 4

	# the memory growth: one firing, one resolved, naming grow
	if _dm_alert_pair leak firing resolved; then
		f=$DM_FIRING r=$DM_RESOLVED
		is "leak: on" "$(jf "$f" .on)" finding
		is "leak: labels.kind" "$(jf "$f" .labels.kind)" memory_growth
		is "leak: labels.resource" "$(jf "$f" .labels.resource)" memory
		is "leak: labels.pid" "$(jf "$f" .labels.pid)" "$g"
		is "leak: labels.comm" "$(jf "$f" .labels.comm)" grow
		is "leak: labels.cgroup" "$(jf "$f" .labels.cgroup)" "$rel"
		is "leak: labels.severity is the finding's" "$(jf "$f" .labels.severity)" \
			"$(jf "$f" .finding.severity)"
		is "leak: finding.kind" "$(jf "$f" .finding.kind)" memory_growth
		is "leak: finding.victims[0]" "$(jf "$f" '.finding.victims[0] | "\(.pid) \(.comm)"')" \
			"$g grow"
		is "leak: resolved, the finding as last seen names" \
			"$(jf "$r" '.finding.victims[0] | "\(.pid) \(.comm)"')" "$g grow"
		is "leak: evidence without its samples" \
			"$(jf "$f" '.finding.evidence | has("t") or has("values")')" false
		is "leak: recommendations" "$(jf "$f" '.finding.recommendations | length > 0')" true
		is "leak: no metric" "$(jf "$f" 'has("metric")')" false
		[[ $(jf "$f" .annotations.summary) == *"grow (pid $g)"* ]] ||
			fail "leak: the summary does not name grow (pid $g): $(jf "$f" .annotations.summary)"
		# fired while grow grew, resolved after it exited
		cmp "leak: startsAt after grow started ($gs)" \
			"$(_dm_secs "$(jf "$f" .startsAt)")" -gt "$gs"
		cmp "leak: startsAt before grow ended ($ge)" \
			"$(_dm_secs "$(jf "$f" .startsAt)")" -lt "$ge"
		cmp "leak: endsAt after grow ended ($ge)" \
			"$(_dm_secs "$(jf "$r" .endsAt)")" -gt "$ge"
		note "leak ($(jf "$f" .labels.severity)) fired $(awk -v a="$(_dm_secs "$(jf "$f" .startsAt)")" \
			-v s="$gs" 'BEGIN { printf "%.1f", a - s }') s after grow started, resolved \
$(awk -v a="$(_dm_secs "$(jf "$r" .endsAt)")" -v e="$ge" 'BEGIN { printf "%.1f", a - e }') s \
after it ended"
	fi

	# the burner: one firing, one resolved, on its cgroup's CPU rate
	if _dm_alert_pair busy firing resolved; then
		f=$DM_FIRING r=$DM_RESOLVED
		is "busy: on" "$(jf "$f" .on)" metric
		is "busy: labels.cgroup" "$(jf "$f" .labels.cgroup)" "$rel/burn"
		is "busy: labels.severity" "$(jf "$f" .labels.severity)" critical
		is "busy: metric" "$(jf "$f" '.metric | "\(.name) \(.labels.cgroup) \(.op) \(.threshold) \(.clear) \(.for_s)"')" \
			"perfpilot_cgroup_cpu_seconds_total $rel/burn above 0.1 0.02 2"
		is "busy: no finding" "$(jf "$f" 'has("finding")')" false
		cmp "busy: the firing value" "$(jf "$f" .metric.value)" -gt 0.1
		is "busy: the resolved value is 0.02 or below (or the series ended)" \
			"$(jf "$r" '.metric.value == null or .metric.value <= 0.02')" true
		cmp "busy: startsAt after the burner started ($bs)" \
			"$(_dm_secs "$(jf "$f" .startsAt)")" -gt "$bs"
		cmp "busy: endsAt after the burner ended ($be)" \
			"$(_dm_secs "$(jf "$r" .endsAt)")" -gt "$be"
		note "busy fired at $(jf "$f" '.metric.value * 1000 | round / 1000') CPU/s, resolved at \
$(jf "$r" '.metric.value // "the end of the series"') $(awk -v a="$(_dm_secs "$(jf "$r" .endsAt)")" \
			-v e="$be" 'BEGIN { printf "%.1f", a - e }') s after the burner ended"
	fi
	grep -q "^info: alert leak firing: .*grow (pid $g)" "$DM_ERR" ||
		fail "no log line for the firing: $(grep alert "$DM_ERR" | head -c 300)"
	note "$(awk -v t="$t0" -v n="$(_now_ms)" 'BEGIN { printf "%.0f", (n - t) / 1000 }') s from the start of the workloads"
}

# bad input: one line, exit 2

test_error_daemon_port_in_use() {
	local port l
	port=$(free_port) || { fail "no free port"; return; }
	wl_bg l "$T/listener.out" "$W/listener" serve "$port"
	_wait_for "$T/listener.out" '"event":"listen"' 5 || { fail "listener did not start"; return; }
	_dm_conf "$T/dm.conf"
	_error_case "$PERFPILOT" daemon --config "$T/dm.conf" --state-dir "$T/st" \
		--listen "127.0.0.1:$port"
	grep -q 'address already in use' "$T/err" || fail "not said: $(head -c 200 "$T/err")"
}

test_error_daemon_token_file() {
	echo secret >"$T/token"
	chmod 644 "$T/token"
	_dm_conf "$T/dm.conf" "token_file = $T/token"
	_error_case "$PERFPILOT" daemon --config "$T/dm.conf" --state-dir "$T/st" \
		--listen "127.0.0.1:$(free_port)"
	grep -q 'lets group or others read or change it: chmod 600' "$T/err" || fail "not said: $(head -c 200 "$T/err")"
	_dm_conf "$T/dm.conf" "token_file = $T/missing"
	_error_case "$PERFPILOT" daemon --config "$T/dm.conf" --state-dir "$T/st" \
		--listen "127.0.0.1:$(free_port)"
}

test_error_daemon_readonly_state() {
	mkdir -p "$T/ro"
	mount -t tmpfs -o ro,size=1m tmpfs "$T/ro" || skip "cannot mount a tmpfs"
	at_cleanup umount "$T/ro"
	_dm_conf "$T/dm.conf"
	_error_case "$PERFPILOT" daemon --config "$T/dm.conf" --state-dir "$T/ro" \
		--listen "127.0.0.1:$(free_port)"
	grep -q 'read-only file system' "$T/err" || fail "not said: $(head -c 200 "$T/err")"
}

test_error_daemon_config() {
	printf '[daemon]\ninterval = soon\n' >"$T/bad.conf"
	_error_case "$PERFPILOT" daemon --config "$T/bad.conf"
	grep -q "^perfpilot: $T/bad.conf:2: interval = 'soon'" "$T/err" ||
		fail "no FILE:LINE: $(head -c 200 "$T/err")"
	_error_case "$PERFPILOT" daemon --config "$T/missing.conf"
	_error_case "$PERFPILOT" daemon --listen nowhere
	_dm_conf "$T/dm.conf"
	_error_case "$PERFPILOT" daemon -c /a -c /b --config "$T/dm.conf"
	grep -q 'cgroup' "$T/err" || fail "no cgroup named: $(head -c 200 "$T/err")"
}
