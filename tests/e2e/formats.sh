# End-to-end tests for the output formats of `perfpilot profile` (pprof,
# speedscope, svg), sourced by run.sh; see lib.sh and profile.sh.
# shellcheck shell=bash

# hot_profile ARGS...: profile the hot workload (60/30/10 % of its CPU in
# hot_a/hot_b/hot_c) for 3 s at 199 Hz with "perfpilot profile -p PID ARGS";
# stdout in $T/pp.out, stderr in $T/pp.err, the workload's pid in HOT_PID
# and its JSON in WL_JSON (see prof_workload)
hot_profile() {
	prof_workload "$W/hot" 3 -- 199 "$@" || return
	HOT_PID=$WL_PID
}

# shares A B C: hot_a/b/c's weights against the workload's own split
# (hot_shares in lib.sh), the tolerance that of the samples profile says it
# took (the weights may be times, not counts)
shares() {
	local n
	n=$(sed -n 's/^perfpilot: \([0-9]*\) samples.*/\1/p' "$T/pp.err" | head -n 1)
	hot_shares "$1" "$2" "$3" "$n"
}

# the samples perfpilot counted (stderr summary), when none were lost
counted_samples() {
	sed -n 's/^perfpilot: \([0-9]*\) samples, .*lost: 0 (counts map full).*/\1/p' "$1"
}

# gopprof ARGS...: go tool pprof with its caches in the scratch directory
gopprof() {
	HOME=$T/gohome GOCACHE=$T/gocache GOPATH=$T/gopath GOTOOLCHAIN=local GOFLAGS='' \
		command go tool pprof -symbolize=none "$@" # (go alone is lib.sh's signal)
}

# _top_cum NAME TOP: the cumulative column of NAME's line in pprof -top output
_top_cum() { awk -v f="$1" '$NF == f { print $4; exit }' <<<"$2"; }

# _ss_weight FILE FRAME: the weight of the speedscope samples containing FRAME
_ss_weight() {
	jq --arg f "$2" '(.shared.frames | map(.name) | index($f)) as $i | .profiles[0] as $p |
		[range(0; $p.samples | length) | select($p.samples[.] | index($i)) | $p.weights[.]] |
		add // 0' "$1"
}

# pprof: go tool pprof reads the profile; the hot functions' shares and the
# total sample count are right
test_profile_pprof() {
	local out=$T/hot.pb.gz top a b c total counted tags
	type -P go >/dev/null || skip "go not installed (golang-go)"
	hot_profile -o "$out" || return # the format from the file name
	[[ $(head -c 2 "$out" | od -An -tx1 | tr -d ' ') == 1f8b ]] ||
		{ fail "not gzip: $(head -c 16 "$out" | od -An -tx1)"; return; }
	top=$(gopprof -sample_index=samples -top -nodecount=100 "$out" 2>"$T/pprof.err") ||
		{ fail "go tool pprof failed: $(head -c 300 "$T/pprof.err")"; return; }
	# cumulative samples (column 4) of each function
	a=$(_top_cum hot_a "$top") b=$(_top_cum hot_b "$top") c=$(_top_cum hot_c "$top")
	[[ -n $a && -n $b && -n $c ]] ||
		{ fail "hot_a/b/c not all named: $(head -c 600 <<<"$top" | tr '\n' '|')"; return; }
	grep -q ' main$' <<<"$top" || fail "main not named: $(head -c 600 <<<"$top" | tr '\n' '|')"
	shares "$a" "$b" "$c"
	total=$(sed -n 's/.* of \([0-9]*\) total$/\1/p' <<<"$top")
	counted=$(counted_samples "$T/pp.err")
	if [[ -n $counted ]]; then
		is "pprof total samples vs samples counted" "$total" "$counted"
	else
		note "samples lost, totals not compared: $(head -n 1 "$T/pp.err")"
	fi
	# and with the workload's own CPU time, which the pprof writer never saw
	cpu_samples "pprof total samples" "${total:-0}" "$WL_JSON" 199
	# every sample has the labels comm and pid
	tags=$(gopprof -sample_index=samples -tags "$out" 2>&1)
	if ! grep -Eq "^ +$total(\.0+)? \( *100%\): hot$" <<<"$tags" ||
		! grep -Eq "^ +$total(\.0+)? \( *100%\): $HOT_PID$" <<<"$tags"; then
		fail "labels comm=hot and pid=$HOT_PID not on every sample: $(head -c 300 <<<"$tags" | tr '\n' '|')"
	fi
	note "pprof: hot_a $a, hot_b $b, hot_c $c of $total samples"
}

# speedscope: valid JSON of speedscope's format; hot_a/b/c's weights
test_profile_speedscope() {
	local out=$T/hot.speedscope.json a b c
	hot_profile -o "$out" || return
	jq -e '."$schema" == "https://www.speedscope.app/file-format-schema.json" and
		.profiles[0].type == "sampled" and .profiles[0].unit == "nanoseconds" and
		(.profiles[0].samples | length) == (.profiles[0].weights | length) and
		(.profiles[0].weights | add) == .profiles[0].endValue' "$out" >/dev/null ||
		{ fail "not speedscope JSON: $(head -c 300 "$out")"; return; }
	a=$(_ss_weight "$out" hot_a) b=$(_ss_weight "$out" hot_b) c=$(_ss_weight "$out" hot_c)
	shares "$a" "$b" "$c"
	# the weights (ns) in samples of 1/199 s, against the workload's CPU time
	cpu_samples "speedscope weight / (1 s / 199)" \
		"$(jq '.profiles[0].weights | add * 199 / 1e9 | round' "$out")" "$WL_JSON" 199
	# root first: the thread's name, then main before hot_a
	jq -e '(.shared.frames | map(.name)) as $n | any(.profiles[0].samples[];
		($n[.[0]] == "hot") and (map($n[.]) | index("main")) < (map($n[.]) | index("hot_a")))' \
		"$out" >/dev/null || fail "no sample hot;...;main;hot_a"
	note "speedscope: hot_a $((a / 1000000)) ms, hot_b $((b / 1000000)) ms, hot_c $((c / 1000000)) ms"
}

# _svg_width FILE NAME: the summed widths (px) of the frames named NAME (their
# <title> is "NAME\nstats")
_svg_width() {
	xmllint --xpath "sum(//*[local-name()='g'][starts-with(normalize-space(*[local-name()='title']),
		'$2 ')]/*[local-name()='rect']/@width)" "$1"
}

# svg: well-formed XML; hot_a's rectangles are 60 % of hot_a+b+c's width
test_profile_svg() {
	local out=$T/pp.out a b c all
	type -P xmllint >/dev/null || skip "xmllint not installed (libxml2-utils)"
	hot_profile --format svg || return
	xmllint --noout "$out" 2>"$T/xmllint.err" ||
		{ fail "not XML: $(head -c 300 "$T/xmllint.err")"; return; }
	a=$(_svg_width "$out" hot_a) b=$(_svg_width "$out" hot_b) c=$(_svg_width "$out" hot_c)
	all=$(_svg_width "$out" all)
	shares "$a" "$b" "$c"
	cmp "root frame width (px)" "$all" -ge 1170
	cpu_samples "samples in the subtitle" \
		"$(grep -o -m1 '[0-9]\+ samples at 199 Hz' "$out" | head -n 1 | cut -d' ' -f1)" "$WL_JSON" 199
	grep -q 'On-CPU flame graph' "$out" || fail "no title"
	grep -q "function zoom(" "$out" || fail "no zoom script"
	note "svg widths (px): hot_a $a, hot_b $b, hot_c $c"
}

test_error_profile_bad_format() {
	_error_case "$PERFPILOT" profile --format flame -d 1
}
