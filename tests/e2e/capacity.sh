# shellcheck shell=bash
# End-to-end tests of perfpilot capacity (sourced by run.sh): a throwaway v1
# memory cgroup limited to 400 MiB whose process grows by 5 MiB/s; the time
# to its limit from a 20 s 'record -c' against (limit - usage at the end) /
# rate; a cgroup that does not grow; --live with the cgroup's CPU quota; bad
# input. v1 controllers as on this host; the v2 files are covered by the
# unit tests' fixture trees (tests/unit/capacity/test_cglimits.c).

CG1_MEM_ROOT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
CAP_LIMIT=$((400 * 1024 * 1024))
CAP_RATE=$((5 * 1024 * 1024))

# _cap_cg VAR: a v1 memory cgroup limited to 400 MiB (removed at cleanup)
_cap_cg() {
	local -n _cc=$1
	[[ -n $CG1_MEM_ROOT && -e $CG1_MEM_ROOT/memory.limit_in_bytes ]] ||
		skip "no cgroup v1 memory hierarchy"
	_cc=$CG1_MEM_ROOT/ppcap-$$-$RANDOM
	cg_make "$_cc" || return 1
	echo "$CAP_LIMIT" >"$_cc/memory.limit_in_bytes" ||
		{ fail "cannot limit $_cc to 400 MiB"; return 1; }
}

# _cap_rate CG U0 T0: the growth of CG's memory.usage_in_bytes, bytes per
# second, since U0 at $EPOCHREALTIME T0 (the kernel's count, the reference:
# the workload's nominal 5 MiB/s is what it aims at, not what a busy host
# lets it do), then the usage now: "RATE USAGE"
_cap_rate() {
	local u
	u=$(cat "$1/memory.usage_in_bytes")
	awk -v u="$u" -v u0="$2" -v t0="$3" -v t="$EPOCHREALTIME" \
		'BEGIN { r = t > t0 ? (u - u0) / (t - t0) : 0; printf "%.0f %s\n", r, u }'
}

# _cap_row JSON NAME RESOURCE: the row of a cgroup's resource (compact JSON)
_cap_row() {
	jq -c --arg n "$2" --arg r "$3" \
		'[.rows[] | select(.scope == "cgroup" and .name == $n and .resource == $r)][0]' "$1"
}

# The scenario of issue 18: 5 MiB/s into a 400 MiB limit, recorded 20 s.
test_capacity_memory_growth() {
	local cg g usage row eta want rate ref u0 t0
	_cap_cg cg || return
	[[ -x $W/grow ]] || { fail "$W/grow not built"; return; }
	wl_bg g "$T/grow.json" "$W/grow" -w -r 5 30
	wl_ready "$g" grow || return
	cg_add "$cg" "$g" || return
	rec_bg rec -c "$cg" -d 20 -o "$T/cap.db"
	attach_wait
	u0=$(cat "$cg/memory.usage_in_bytes") t0=$EPOCHREALTIME
	go "$g"
	pp_wait || return
	read -r ref usage < <(_cap_rate "$cg" "$u0" "$t0")
	cmp "the cgroup's growth (memory.usage_in_bytes), bytes/s" "$ref" -gt $((CAP_RATE / 4))
	"$PERFPILOT" capacity "$T/cap.db" --json >"$T/cap.json" 2>"$T/cap.err" ||
		{ fail "capacity failed: $(head -c 300 "$T/cap.err")"; return; }
	row=$(_cap_row "$T/cap.json" "/${cg##*/}" memory)
	[[ $row != null ]] || { fail "no memory row for /${cg##*/}: $(head -c 300 "$T/cap.json")"; return; }
	is "scope" "$(jf "$row" .scope)" cgroup
	is "limit" "$(jf "$row" .limit)" "$CAP_LIMIT"
	rate=$(jf "$row" .growth_per_s)
	within "growth per second vs the cgroup's own (memory.usage_in_bytes)" "$rate" "$ref" 20
	eta=$(jf "$row" .exhaustion_s)
	want=$(awk -v l="$CAP_LIMIT" -v u="$usage" -v r="$ref" 'BEGIN { printf "%.1f", (l - u) / r }')
	within "time to the 400 MiB limit vs (limit - usage at the end) / the cgroup's rate" "$eta" "$want" 30
	cmp "recommended limit above the peak" "$(jf "$row" .recommended_limit)" -gt "$(jf "$row" .peak)"
	cmp "used at the end" "$(jf "$row" .used)" -gt $((50 * 1024 * 1024))
	note "time to limit ${eta} s, expected ${want} s (usage at the end $((usage / 1048576)) MiB)"
	# the text form says the same
	"$PERFPILOT" capacity "$T/cap.db" >"$T/cap.txt" 2>&1 || fail "capacity (text) failed"
	grep -q "cgroup.*${cg##*/}.*memory" "$T/cap.txt" || fail "text has no memory row for the cgroup"
}

# A cgroup whose process holds its memory: no time to the limit.
test_capacity_flat() {
	local cg g row
	_cap_cg cg || return
	wl_bg g "$T/sleep.out" sleep 60
	cg_add "$cg" "$g" || return
	"$PERFPILOT" record -c "$cg" -d 10 -o "$T/flat.db" >"$T/rec.out" 2>"$T/rec.err" ||
		{ fail "record failed: $(head -c 300 "$T/rec.err")"; return; }
	"$PERFPILOT" capacity "$T/flat.db" --json >"$T/cap.json" 2>"$T/cap.err" ||
		{ fail "capacity failed: $(head -c 300 "$T/cap.err")"; return; }
	row=$(_cap_row "$T/cap.json" "/${cg##*/}" memory)
	[[ $row != null ]] || { fail "no memory row for the cgroup"; return; }
	is "exhaustion_s of a cgroup that does not grow" "$(jf "$row" .exhaustion_s)" null
	is "its limit" "$(jf "$row" .limit)" "$CAP_LIMIT"
}

# --live: a cgroup of the same name in the v1 cpu hierarchy with a quota of
# half a CPU gives its CPU row that limit (read back from the host after
# recording, besides the store's)
test_capacity_live_quota() {
	local cg ccg g row c0 c1 t0 mean
	_cap_cg cg || return
	[[ -n $CG1_CPU_ROOT && -e $CG1_CPU_ROOT/cpu.cfs_quota_us ]] || skip "no cgroup v1 cpu hierarchy"
	ccg=$CG1_CPU_ROOT/${cg##*/}
	cg_make "$ccg" || return
	{ echo 100000 >"$ccg/cpu.cfs_period_us" && echo 50000 >"$ccg/cpu.cfs_quota_us"; } ||
		{ fail "cannot set the quota of $ccg"; return; }
	wl_bg g "$T/burn.out" "$W/burn" 30 || return
	cg_add "$cg" "$g" && cg_add "$ccg" "$g" || return
	c0=$(awk '{ print $1 }' "/proc/$g/schedstat" 2>/dev/null) t0=$EPOCHREALTIME
	timeout -k 2 40 "$PERFPILOT" capacity --live -c "$cg" -d 10 --json >"$T/cap.json" 2>"$T/cap.err" ||
		{ fail "capacity --live failed: $(head -c 300 "$T/cap.err")"; return; }
	c1=$(awk '{ print $1 }' "/proc/$g/schedstat" 2>/dev/null)
	row=$(_cap_row "$T/cap.json" "/${cg##*/}" cpu)
	[[ $row != null ]] || { fail "no cpu row for the cgroup: $(head -c 300 "$T/cap.json")"; return; }
	is "cpu limit from cpu.cfs_quota_us" "$(jf "$row" .limit)" 0.5
	cmp "cpu p95 held to the quota" "$(jf "$row" .p95)" -le 0.6
	# the p95 of the intervals is at least most of the mean CPU the kernel
	# counted for the burner, the cgroup's only process (its schedstat): a
	# busy host gives it less than its quota
	mean=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t="$EPOCHREALTIME" \
		'BEGIN { printf "%.3f", (b - a) / 1e9 / (t - t0) }')
	cmp "cpu p95 vs 0.8 x the burner's mean CPU (schedstat: $mean)" "$(jf "$row" .p95)" -ge \
		"$(awk -v m="$mean" 'BEGIN { printf "%.3f", 0.8 * m }')"
	cmp "the burner's mean CPU (schedstat)" "$mean" -gt 0.05
	note "p95 $(jf "$row" .p95) CPU, the burner's mean $mean (schedstat), quota 0.5"
	row=$(_cap_row "$T/cap.json" "/${cg##*/}" memory)
	is "memory limit" "$(jf "$row" .limit)" "$CAP_LIMIT"
}

# The store keeps a cgroup's CPU quota: 'record -c' of a v1 cpu cgroup held
# to 0.3 CPU with a CPU-bound burner in it, then 'capacity FILE.db' gives its
# CPU row the quota as its limit (not the host's CPUs), and figures that
# agree with what the burner used (its schedstat)
test_capacity_stored_quota() {
	local ccg g row c0 c1 t0 mean p95 peak rec exh
	[[ -n $CG1_CPU_ROOT && -e $CG1_CPU_ROOT/cpu.cfs_quota_us ]] || skip "no cgroup v1 cpu hierarchy"
	ccg=$CG1_CPU_ROOT/ppcapq-$$-$RANDOM
	cg_make "$ccg" || return
	{ echo 100000 >"$ccg/cpu.cfs_period_us" && echo 30000 >"$ccg/cpu.cfs_quota_us"; } ||
		{ fail "cannot set the quota of $ccg"; return; }
	wl_bg g "$T/burn.out" "$W/burn" 30 || return
	cg_add "$ccg" "$g" || return
	c0=$(awk '{ print $1 }' "/proc/$g/schedstat" 2>/dev/null) t0=$EPOCHREALTIME
	timeout -k 2 40 "$PERFPILOT" record -c "$ccg" -d 10 -o "$T/q.db" >"$T/rec.out" 2>"$T/rec.err" ||
		{ fail "record failed: $(head -c 300 "$T/rec.err")"; return; }
	c1=$(awk '{ print $1 }' "/proc/$g/schedstat" 2>/dev/null)
	mean=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t="$EPOCHREALTIME" \
		'BEGIN { printf "%.3f", (b - a) / 1e9 / (t - t0) }')
	"$PERFPILOT" capacity "$T/q.db" --json >"$T/cap.json" 2>"$T/cap.err" ||
		{ fail "capacity failed: $(head -c 300 "$T/cap.err")"; return; }
	row=$(_cap_row "$T/cap.json" "/${ccg##*/}" cpu)
	[[ $row != null ]] || { fail "no cpu row for the cgroup: $(head -c 300 "$T/cap.json")"; return; }
	cmp "cpu limit from the stored quota (0.3)" "$(jf "$row" .limit)" -ge 0.299
	cmp "cpu limit from the stored quota (0.3)" "$(jf "$row" .limit)" -le 0.301
	[[ $(jf "$row" .limit_source) == *"quota recorded"* ]] ||
		fail "limit_source: $(jf "$row" .limit_source)"
	p95=$(jf "$row" .p95) peak=$(jf "$row" .peak) rec=$(jf "$row" .recommended_limit)
	exh=$(jf "$row" .exhaustion_s)
	cmp "the burner's mean CPU (schedstat)" "$mean" -gt 0.05
	cmp "cpu p95 held to the quota" "$p95" -le 0.36
	cmp "cpu p95 vs 0.8 x the burner's mean CPU (schedstat: $mean)" "$p95" -ge \
		"$(awk -v m="$mean" 'BEGIN { printf "%.3f", 0.8 * m }')"
	# p99 of the demand plus 15 %: between the p95's and the peak's
	cmp "recommended vs 1.15 x p95" "$rec" -ge "$(awk -v p="$p95" 'BEGIN { printf "%.3f", 1.15 * p - 0.011 }')"
	cmp "recommended vs 1.15 x peak" "$rec" -le "$(awk -v p="$peak" 'BEGIN { printf "%.3f", 1.15 * p + 0.011 }')"
	# held at its quota: no time to the limit, or 0 (at it), or a
	# significant growth towards it
	if [[ $exh != null ]]; then
		cmp "exhaustion_s" "$exh" -ge 0
		if [[ $exh != 0 && $exh != 0.0 ]]; then
			is "growth_significant when exhaustion_s is $exh" "$(jf "$row" .growth_significant)" true
			cmp "growth_per_s when exhaustion_s is $exh" "$(jf "$row" .growth_per_s)" -gt 0
		fi
	fi
	note "limit $(jf "$row" .limit), p95 $p95, peak $peak CPU, recommended $rec, exhaustion ${exh}; the burner's mean $mean (schedstat)"
}

# _cap_error RC CMD...: CMD exits with RC and one line on stderr
_cap_error() {
	local want=$1 rc n
	shift
	timeout -k 2 20 "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	n=$(grep -c '' "$T/err")
	is "exit status of $*" "$rc" "$want"
	[[ $n == 1 ]] || fail "stderr has $n lines, expected 1: $(head -c 300 "$T/err" | tr '\n' '|')"
	grep -q '^perfpilot: ' "$T/err" || fail "stderr does not start with 'perfpilot:'"
}

test_capacity_errors() {
	echo "not a database" >"$T/notes.db"
	_cap_error 1 "$PERFPILOT" capacity "$T/missing.db"
	grep -q "No such file" "$T/err" || fail "missing file: $(cat "$T/err")"
	_cap_error 1 "$PERFPILOT" capacity "$T/notes.db"
	is "malformed store untouched" "$(cat "$T/notes.db")" "not a database"
	_cap_error 2 "$PERFPILOT" capacity
	_cap_error 2 "$PERFPILOT" capacity "$T/notes.db" -c /x
	_cap_error 2 "$PERFPILOT" capacity "$T/notes.db" --horizon soon
	_cap_error 2 "$PERFPILOT" capacity --live -p 1
	_cap_error 2 "$PERFPILOT" capacity --live -c /perfpilot-no-such-cgroup -d 2
	grep -q "does not exist" "$T/err" || fail "dead cgroup: $(cat "$T/err")"
}

# The daemon exports the same: perfpilot_capacity_exhaustion_seconds of
# the growing cgroup within 30 % of (limit - usage) / rate when scraped, a
# recommended limit beside it, and /metrics still passes promtool.
test_daemon_capacity() {
	local cg g name labels i got usage want ref u0 t0
	_dm_prereq
	_cap_cg cg || return
	name=/${cg##*/}
	labels="scope=\"cgroup\",name=\"$name\",resource=\"memory\""
	wl_bg g "$T/grow.json" "$W/grow" -w -r 5 40
	wl_ready "$g" grow || return
	cg_add "$cg" "$g" || return
	_dm_start dm -c "$cg" || return
	u0=$(cat "$cg/memory.usage_in_bytes") t0=$EPOCHREALTIME
	go "$g"
	for ((i = 0; i < 60; i++)); do
		got=$(_dm_value perfpilot_capacity_exhaustion_seconds "$labels")
		read -r ref usage < <(_cap_rate "$cg" "$u0" "$t0")
		[[ -n $got ]] && break
		sleep 0.5
	done
	[[ -n $got ]] || { fail "no perfpilot_capacity_exhaustion_seconds{$labels} in 30 s"; return; }
	# the analysis ran up to 'every' (3 s) before the scrape: its figure
	# counts from then, the usage is now
	cmp "the cgroup's growth (memory.usage_in_bytes), bytes/s" "$ref" -gt $((CAP_RATE / 4))
	want=$(awk -v l="$CAP_LIMIT" -v u="$usage" -v r="$ref" 'BEGIN { printf "%.1f", (l - u) / r }')
	within "perfpilot_capacity_exhaustion_seconds{$labels} vs (limit - usage) / the cgroup's rate" "$got" "$want" 30
	note "exhaustion ${got} s, expected ${want} s"
	got=$(_dm_value perfpilot_capacity_recommended_limit "$labels")
	cmp "perfpilot_capacity_recommended_limit{$labels}" "${got:-none}" -gt $((10 * 1024 * 1024))
	if command -v promtool >/dev/null; then
		_dm_get /metrics >"$T/metrics.txt"
		promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
			fail "promtool check metrics: $(head -c 600 "$T/promtool.out" | tr '\n' '|')"
	fi
	_dm_stop TERM 10
}
