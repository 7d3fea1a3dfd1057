# End-to-end tests for `perfpilot record` + `report` and `diff`: real
# workloads with a known truth, recorded to a store, then analysed
# (sourced by run.sh; see lib.sh).
# shellcheck shell=bash

# an_report DB OUT ARGS...: "perfpilot report DB --json ARGS" into OUT; it
# must exit 0 with a JSON object holding meta and findings
an_report() {
	local db=$1 out=$2 rc
	shift 2
	timeout -k 2 60 "$PERFPILOT" report "$db" --json "$@" >"$out" 2>"$out.err"
	rc=$?
	if [[ $rc != 0 ]]; then
		fail "report $db exited with $rc: $(head -c 300 "$out.err" | tr '\n' ' ')"
		return 1
	fi
	if ! jq -e '(.meta | type == "object") and (.findings | type == "array")' "$out" \
		>/dev/null 2>&1; then
		fail "report $db --json: not {meta, findings}: $(head -c 200 "$out")"
		return 1
	fi
}

# an_finding OUT FILTER: the first finding matching a jq filter (empty if none)
an_finding() {
	jq -c "[.findings[] | select($2)][0] // empty" "$1" 2>/dev/null
}

# an_must_find VAR OUT FILTER WHAT: the first finding matching a jq filter
# into VAR; without one, fails "no WHAT" with the findings there are
an_must_find() {
	local _f
	_f=$(an_finding "$2" "$3")
	if [[ -z $_f ]]; then
		fail "no $4: $(an_list "$2")"
		return 1
	fi
	printf -v "$1" '%s' "$_f"
}

# an_list OUT: "severity kind" of every finding, for failure messages
an_list() {
	jq -r '[.findings[] | "\(.severity) \(.kind): \(.summary)"] | join(" | ")' "$1" 2>/dev/null |
		head -c 600
}

an_need() {
	local w
	for w in "$@"; do
		[[ -x $W/$w ]] || { fail "$W/$w not built (make $W/$w)"; return 1; }
	done
}

# an_keys OUT: every finding has exactly the documented keys
an_keys() {
	local bad
	bad=$(jq -r '[.findings[] | select((keys | sort) != (["culprits", "evidence",
		"forecast", "kind", "recommendations", "resource", "severity", "summary",
		"victims"])) | .kind] | join(",")' "$1")
	[[ -z $bad ]] || fail "findings with other keys than the documented ones: $bad"
}

# a process growing its resident set by 8 MiB/s: memory_growth naming it,
# with the rate within 20 % of what the process measured itself, and a
# forecast; the HTML page is self-contained
test_report_memory_growth() {
	local g f rate tr eta
	record_grow g "$T/g.db" || return
	an_report "$T/g.db" "$T/rep.json" --html "$T/rep.html" || return
	an_keys "$T/rep.json"
	an_must_find f "$T/rep.json" ".kind == \"memory_growth\" and any(.victims[]; .pid == $g)" \
		"memory_growth finding naming pid $g" || return
	tr=$(truth "$T/grow.json" measured_bytes_per_s)
	rate=$(jf "$f" .forecast.rate_per_s)
	eta=$(jf "$f" .forecast.eta_s)
	within "memory_growth rate vs the workload's statm" "$rate" "$tr" 20
	cmp "forecast eta_s" "$eta" -gt 0
	is resource "$(jf "$f" .resource)" memory
	is "evidence metric" "$(jf "$f" .evidence.metric)" mem.rss_bytes
	an_html "$T/rep.html"
	# a window from 3 to 6 s after the start: only those samples
	an_report "$T/g.db" "$T/win.json" --since +3s --until +6s || return
	jq -e --argjson s "$(jq .meta.start "$T/rep.json")" '[.findings[].evidence.t[]
		| select(. < $s + 3 - 0.001 or . > $s + 6 + 0.001)] | length == 0' "$T/win.json" \
		>/dev/null || fail "--since +3s --until +6s: evidence outside the window"
	cmp "--since +3s --until +6s: duration_s" "$(jq .meta.duration_s "$T/win.json")" -le 4.01
	note "rate $(awk -v r="$rate" 'BEGIN { printf "%.2f", r / 1048576 }') MiB/s (workload $(awk -v r="$tr" 'BEGIN { printf "%.2f", r / 1048576 }')), eta $(awk -v e="$eta" 'BEGIN { printf "%.0f", e }') s, $(jf "$f" .severity)"
}

# an_html FILE: one page, nothing fetched from elsewhere, charts drawn
an_html() {
	[[ -s $1 ]] || { fail "no HTML page written"; return; }
	grep -q '</html>' "$1" || fail "HTML page not complete"
	grep -Eq '<(script|img|link|iframe)[^>]* (src|href)=' "$1" &&
		fail "HTML page loads something from elsewhere"
	grep -q '<polyline' "$1" || fail "HTML page has no chart"
}

# a worker needing half a CPU (5 ms every 10 ms) pinned to CPU 1 with two
# busy loops: cpu_saturation with the worker among the victims and both
# busy loops among the culprits
test_report_cpu_saturation() {
	local p a b f share
	[[ $(nproc) -ge 2 ]] || skip "needs 2 CPUs"
	an_need periodic burn || return
	wl_bg p "$T/p.json" taskset -c 1 "$W/periodic" -w 8
	wl_bg a "$T/a.json" taskset -c 1 "$W/burn" -w 8
	wl_bg b "$T/b.json" taskset -c 1 "$W/burn" -w 8
	wl_ready "$p" periodic && wl_ready "$a" burn && wl_ready "$b" burn || return
	rec_bg rec -p "$p,$a,$b" -d 10 -o "$T/c.db"
	attach_wait
	go "$p" "$a" "$b"
	wl_done "$p" "$T/p.json" 12
	wl_done "$a" "$T/a.json" 12
	wl_done "$b" "$T/b.json" 12
	pp_wait || return
	an_report "$T/c.db" "$T/rep.json" || return
	an_keys "$T/rep.json"
	an_must_find f "$T/rep.json" '.kind == "cpu_saturation"' "cpu_saturation finding" || return
	is resource "$(jf "$f" .resource)" cpu
	is "worker $p among the victims" \
		"$(jf "$f" "any(.victims[]; .pid == $p)")" true
	is "busy loop $a among the culprits" "$(jf "$f" "any(.culprits[]; .pid == $a)")" true
	is "busy loop $b among the culprits" "$(jf "$f" "any(.culprits[]; .pid == $b)")" true
	share=$(jf "$f" "[.victims[] | select(.pid == $p) | .share][0]")
	cmp "worker's share of runnable time waiting" "$share" -ge 0.2
	# the recording spans the worker's whole run: its wait is what the
	# worker's own schedstat counted
	within "worker's run-queue wait vs its schedstat" \
		"$(jf "$f" "[.victims[] | select(.pid == $p) | .value][0]")" \
		"$(truth "$T/p.json" runq_wait_ns)" 20
	[[ $(jf "$f" .severity) != info ]] || fail "cpu_saturation only info: $(jf "$f" .summary)"
	note "worker waited $(awk -v s="$share" 'BEGIN { printf "%.0f", s * 100 }')% (its schedstat: runq $(ms "$(truth "$T/p.json" runq_wait_ns)") ms, oncpu $(ms "$(truth "$T/p.json" oncpu_ns)") ms), $(jf "$f" .severity)"
}

# 256 MiB of O_DIRECT writes to a loop device: an IO finding naming the
# writer among the culprits
test_report_io_writer() {
	local dev wl f
	an_need dio || return
	loop_make dev 320 || return
	wl_bg wl "$T/dio.json" "$W/dio" -w -f "$dev" -W 256
	wl_ready "$wl" dio || return
	rec_bg rec -p "$wl" -d 6 -o "$T/io.db"
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/dio.json" 30 || return
	pp_wait || return
	an_report "$T/io.db" "$T/rep.json" || return
	an_keys "$T/rep.json"
	an_must_find f "$T/rep.json" ".resource == \"io\" and any(.culprits[]; .pid == $wl)" \
		"IO finding naming the writer $wl" || return
	within "culprit's bytes vs bytes written" \
		"$(jf "$f" "[.culprits[] | select(.pid == $wl) | .value][0]")" \
		"$(truth "$T/dio.json" write_bytes)" 5
	note "$(jf "$f" .severity) $(jf "$f" .kind): $(jf "$f" .summary)"
}

# nothing happening: no warning or critical finding. The host is shared
# with other tests, so a -a recording would see their load; the target is
# a cgroup of our own holding one sleeping process (host-level pressure is
# then informational by design: docs/findings.md)
test_report_idle() {
	local cg s bad
	[[ -n $CG2_ROOT ]] || skip "no cgroup2 mount"
	cg=$CG2_ROOT/pp-e2e-idle-$$
	cg_make "$cg" || return
	wl_bg s "$T/sleep.out" sleep 30
	cg_add "$cg" "$s" || return
	rec_bg rec -c "$cg" -d 5 -o "$T/idle.db"
	# what is checked is the findings, not how fast record ends (it
	# analyses the store first: seconds under the sanitizers on a busy host)
	PP_EXIT_GRACE=20 pp_wait || return
	an_report "$T/idle.db" "$T/rep.json" || return
	an_keys "$T/rep.json"
	bad=$(jq -r '[.findings[] | select(.severity != "info")
		| "\(.severity) \(.kind): \(.summary)"] | join(" | ")' "$T/rep.json")
	[[ -z $bad ]] || fail "an idle cgroup gave: $bad"
	cmp "recorded intervals (duration_s)" "$(jq -r .meta.duration_s "$T/rep.json")" -ge 3
	note "$(jq '.findings | length' "$T/rep.json") info findings"
}

# _bad_store LABEL CMD...: exit 1, one stderr line "perfpilot: ...", no
# output, no crash
_bad_store() {
	local label=$1 rc n
	shift
	timeout -k 2 20 "$@" >"$T/bad.out" 2>"$T/bad.err" </dev/null
	rc=$?
	n=$(grep -c '' "$T/bad.err")
	is "$label: exit status" "$rc" 1
	[[ $n == 1 ]] || fail "$label: stderr has $n lines: $(head -c 300 "$T/bad.err" | tr '\n' '|')"
	grep -q '^perfpilot: ' "$T/bad.err" || fail "$label: stderr is not 'perfpilot: ...'"
	[[ -s $T/bad.out ]] && fail "$label: wrote to stdout: $(head -c 100 "$T/bad.out")"
	note "$label: $(head -n 1 "$T/bad.err" | sed "s|$T/||")"
}

# missing, empty, garbage, text, truncated and newer-schema stores
test_report_bad_store() {
	local s size
	wl_bg s "$T/sleep.out" sleep 30
	timeout -k 2 20 "$PERFPILOT" record -p "$s" -d 2 -o "$T/good.db" >/dev/null 2>"$T/rec.err" ||
		{ fail "record: $(head -c 200 "$T/rec.err")"; return; }
	size=$(stat -c %s "$T/good.db")
	head -c $((size / 2)) "$T/good.db" >"$T/trunc.db"
	head -c 100 "$T/good.db" >"$T/header.db"
	head -c 65536 /dev/urandom >"$T/garbage.db"
	echo "not a database" >"$T/text.db"
	: >"$T/empty.db"
	_bad_store missing "$PERFPILOT" report "$T/missing.db"
	_bad_store empty "$PERFPILOT" report "$T/empty.db"
	_bad_store garbage "$PERFPILOT" report "$T/garbage.db" --json
	_bad_store text "$PERFPILOT" report "$T/text.db"
	_bad_store truncated "$PERFPILOT" report "$T/trunc.db"
	_bad_store header-only "$PERFPILOT" report "$T/header.db"
	_bad_store "diff garbage" "$PERFPILOT" diff "$T/good.db" "$T/garbage.db"
	_bad_store "diff truncated" "$PERFPILOT" diff "$T/trunc.db" "$T/good.db"
	_bad_store "--stored garbage" "$PERFPILOT" report "$T/garbage.db" --stored
	_bad_store "--stored empty" "$PERFPILOT" report "$T/empty.db" --stored
	if command -v sqlite3 >/dev/null; then
		cp "$T/good.db" "$T/newer.db"
		sqlite3 "$T/newer.db" "update meta set value = '999' where key = 'schema_version';
			pragma user_version = 999"
		_bad_store "newer schema" "$PERFPILOT" report "$T/newer.db"
	fi
	# the good one still reads
	an_report "$T/good.db" "$T/rep.json"
}

# _burn_rec NAME THREADS TAG: burn with THREADS threads for 10 s (its own
# measurement in $T/TAG.json), recorded with a profile to $T/NAME.db
_burn_rec() {
	local p
	wl_bg p "$T/$3.json" "$W/burn" -w -t "$2" 10
	wl_ready "$p" burn || return
	rec_bg "$1" -p "$p" -d 11 -i 0.5 --profile -o "$T/$1.db"
	attach_wait
	go "$p"
	wl_done "$p" "$T/$3.json" 13 || return
	pp_wait
}

# burn with one thread, then two: diff flags the CPU regression of burn
# (about +100 %), and draws the differential flame graph
test_diff_cpu_regression() {
	local m pct tr trs
	an_need burn || return
	_burn_rec base 1 a || return
	_burn_rec cur 2 b || return
	timeout -k 2 60 "$PERFPILOT" diff "$T/base.db" "$T/cur.db" --json >"$T/diff.json" \
		2>"$T/diff.err" || { fail "diff: $(head -c 300 "$T/diff.err")"; return; }
	m=$(jq -c '[.metrics[] | select(.entity_kind == "process" and .entity == "burn"
		and .metric == "cpu.oncpu_ns")][0] // empty' "$T/diff.json")
	[[ -n $m ]] || { fail "no cpu.oncpu_ns change for burn: $(head -c 300 "$T/diff.json")"; return; }
	pct=$(jf "$m" .change_pct)
	# what the two burns got, by their own schedstat: on a host busy with
	# other work two threads may get no more CPU than one did
	tr=$(awk -v a="$(truth "$T/a.json" oncpu_ns)" -v b="$(truth "$T/b.json" oncpu_ns)" \
		'BEGIN { if (a > 0) printf "%.1f", (b / a - 1) * 100 }')
	trs="${tr#-}% $([[ $tr == -* ]] && echo less || echo more)"
	"$PERFPILOT" diff "$T/base.db" "$T/cur.db" >"$T/diff.txt" 2>&1 ||
		fail "diff (text) failed: $(head -c 200 "$T/diff.txt")"
	# the same number of intervals on both sides: the ratio of the means
	# is the ratio of the totals
	if _isnum "$tr"; then
		cmp "change_pct (workloads: $trs)" "$pct" -ge "$(awk -v t="$tr" 'BEGIN { print t - 25 }')"
		cmp "change_pct (workloads: $trs)" "$pct" -le "$(awk -v t="$tr" 'BEGIN { print t + 25 }')"
	else
		fail "no ground truth from the burn workloads"
	fi
	if _isnum "$tr" && awk -v t="$tr" 'BEGIN { exit !(t >= 50) }'; then
		is "burn cpu.oncpu_ns regression" "$(jf "$m" .regression)" true
		cmp "regressions" "$(jq .regressions "$T/diff.json")" -ge 1
		grep -Eq 'process burn +cpu.oncpu_ns' "$T/diff.txt" ||
			fail "text diff does not list burn's CPU: $(head -c 300 "$T/diff.txt")"
	else
		note "regression not checked (host busy: two threads got $trs CPU than one)"
	fi
	if [[ $(jq -r .baseline.has_profile "$T/diff.json") == true &&
		$(jq -r .current.has_profile "$T/diff.json") == true ]]; then
		"$PERFPILOT" diff "$T/base.db" "$T/cur.db" --svg "$T/diff.svg" \
			--folded "$T/diff.folded" >/dev/null 2>"$T/svg.err" ||
			fail "diff --svg: $(head -c 200 "$T/svg.err")"
		grep -q '<svg' "$T/diff.svg" || fail "no SVG written"
		if type -P xmllint >/dev/null; then
			xmllint --noout "$T/diff.svg" 2>"$T/xmllint.err" ||
				fail "diff --svg: not XML: $(head -c 200 "$T/xmllint.err")"
		fi
		grep -q 'Differential flame graph' "$T/diff.svg" &&
			grep -q 'function zoom(' "$T/diff.svg" ||
			fail "diff --svg: not the interactive differential flame graph"
		# the report page embeds the same interactive graph
		an_report "$T/cur.db" "$T/cur.json" --html "$T/cur.html" && an_html "$T/cur.html"
		grep -q 'class="flamegraph"' "$T/cur.html" && grep -q 'function zoom(' "$T/cur.html" ||
			fail "report --html: no interactive flame graph of the profile"
		awk 'NF < 3 || $(NF - 1) !~ /^[0-9]+$/ || $NF !~ /^[0-9]+$/ { bad = 1 }
			END { exit bad || NR == 0 }' "$T/diff.folded" ||
			fail "folded diff lines are not 'stack base current'"
		grep -q '^burn;' "$T/diff.folded" || fail "no burn stacks in the folded diff"
	else
		note "no profile recorded: differential flame graph not checked"
	fi
	note "burn $(jf "$m" .baseline | awk '{ printf "%.2f", $1 / 1e9 }') -> $(jf "$m" .current | awk '{ printf "%.2f", $1 / 1e9 }') CPUs ($(printf '%.0f' "$pct")%, p $(jf "$m" .p))"
}

# report --live: records, reports, leaves no temporary store behind
test_report_live() {
	local a left
	an_need burn || return
	wl_bg a "$T/a.json" "$W/burn" 6
	TMPDIR=$T timeout -k 2 30 "$PERFPILOT" report --live -p "$a" -d 3 --json \
		>"$T/live.json" 2>"$T/live.err" ||
		{ fail "report --live: $(head -c 300 "$T/live.err")"; return; }
	jq -e '(.meta | type == "object") and (.findings | type == "array")' "$T/live.json" \
		>/dev/null || fail "report --live --json: not {meta, findings}"
	is "meta.target" "$(jq -r .meta.target "$T/live.json")" "-p $a"
	left=$(find "$T" -maxdepth 1 -name 'perfpilot-live*' | head -n 3)
	[[ -z $left ]] || fail "temporary store left behind: $left"
}

# perfpilot records the whole host while two busy loops share its CPU: the
# report says what perfpilot itself cost (at least the CPU time its own
# series holds: getrusage also counts the start) and names it neither
# victim nor culprit, though its process is in the store
test_report_self() {
	local a b self n bpf_s
	[[ $(nproc) -ge 2 ]] || skip "needs 2 CPUs"
	an_need burn || return
	wl_bg a "$T/a.json" taskset -c 1 "$W/burn" -w 6
	wl_bg b "$T/b.json" taskset -c 1 "$W/burn" -w 6
	wl_ready "$a" burn && wl_ready "$b" burn || return
	rec_bg rec -a -d 6 -o "$T/self.db"
	taskset -a -p -c 1 "$PP_PID" >/dev/null
	attach_wait
	go "$a" "$b"
	wl_done "$a" "$T/a.json" 10
	wl_done "$b" "$T/b.json" 10
	pp_wait || return
	an_report "$T/self.db" "$T/rep.json" || return
	self=$(jq -c .meta.self "$T/rep.json")
	is "meta.self.pid" "$(jf "$self" .pid)" "$PP_PID"
	bpf_s=$(sqlite3 "$T/self.db" "SELECT coalesce(sum(s.value), 0) / 1e9 FROM sample s JOIN
		metric m ON m.id = s.metric_id JOIN entity e ON e.id = s.entity_id WHERE
		m.name = 'cpu.oncpu_ns' AND e.kind = 'p' AND e.name = '$PP_PID'")
	cmp "perfpilot's own on-CPU series (s)" "$bpf_s" -gt 0
	cmp "meta.self.cpu_s vs its on-CPU series x 0.9" "$(jf "$self" .cpu_s)" -ge \
		"$(awk -v s="$bpf_s" 'BEGIN { print s * 0.9 }')"
	cmp "meta.self.rss_peak_bytes" "$(jf "$self" .rss_peak_bytes)" -ge 1048576
	n=$(jq --argjson p "$PP_PID" '[.findings[] | select(any(.victims[], .culprits[];
		.pid == $p) or (.summary | test("pid " + ($p | tostring) + "\\b")))] | length' \
		"$T/rep.json")
	is "findings naming perfpilot (pid $PP_PID)" "$n" 0
	timeout -k 2 60 "$PERFPILOT" report "$T/self.db" >"$T/rep.txt" 2>&1
	grep -q "^perfpilot itself (pid $PP_PID): " "$T/rep.txt" ||
		fail "no 'perfpilot itself' line in the text report: $(head -c 300 "$T/rep.txt")"
	note "perfpilot: $(jf "$self" .cpu_s) s CPU (its series: $bpf_s s), $(jq -r '.findings | length' "$T/rep.json") findings"
}

# usage errors of report and diff: exit 2, one line, before any file is read
test_error_report_usage() {
	local db=$T/none.db
	_error_case "$PERFPILOT" report
	_error_case "$PERFPILOT" report "$db" --live
	_error_case "$PERFPILOT" report --live --stored
	_error_case "$PERFPILOT" report "$db" --stored --since -1m
	_error_case "$PERFPILOT" report "$db" --since yesterday
	_error_case "$PERFPILOT" report "$db" --since 2000 --until 1000
	_error_case "$PERFPILOT" report "$db" -d 5
	_error_case "$PERFPILOT" report "$db" --bogus
	_error_case "$PERFPILOT" diff "$db"
	_error_case "$PERFPILOT" diff "$db" "$db" --threshold ten
	_error_case "$PERFPILOT" diff "$db" "$db" --threshold -5
}
