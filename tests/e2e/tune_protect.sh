# shellcheck shell=bash
# End-to-end tests of `perfpilot tune --protect` (sourced by run.sh): the
# noisy-neighbour scenario in a throwaway cpu cgroup, a worker that wakes
# every 1 ms beside six busy loops on a small host, measured by the worker
# itself (its own wake-up delays); --revert restoring every nice value and
# affinity exactly and leaving what an admin changed since; a protected
# cgroup that is empty when the tuner starts and that the worker joins;
# bad input.

# _np_make: a cgroup (v1 cpu, else v2) holding the worker (NP_W) and six
# busy loops (NP_HOGS), all at nice 0 (the tests may run under nice); NP_CG
# its directory
_np_make() {
	local name=pptune-$$-$RANDOM i pid
	if [[ -n $CG1_CPU_ROOT ]]; then
		NP_CG=$CG1_CPU_ROOT/$name
	elif [[ -n $CG2_ROOT ]]; then
		NP_CG=$CG2_ROOT/$name
	else
		skip "no cgroup hierarchy to make a throwaway cgroup in"
	fi
	cg_make "$NP_CG" || return 1
	NP_HOGS=()
	for i in 1 2 3 4 5 6; do
		wl_bg pid "$T/burn$i.out" "$W/burn" 90 || return 1
		cg_add "$NP_CG" "$pid" || return 1
		renice -n 0 -p "$pid" >/dev/null
		NP_HOGS+=("$pid")
	done
	wl_bg NP_W "$T/wakeup.out" "$W/wakeup" -r 1 80 || return 1
	cg_add "$NP_CG" "$NP_W" && renice -n 0 -p "$NP_W" >/dev/null
}

_np_conf() {
	cat >"$T/tune.conf" <<-EOF
	cooldown = 0
	verify_window = 4
	allow = nice affinity cpu.shares cpu.weight cpuset.cpus
	culprits = listed
	cgroup = $NP_CG
	[tuner accept_queue]
	enabled = false
	[tuner tcp_buffers]
	enabled = false
	[tuner cpu_quota]
	enabled = false
	[tuner cpu_weight]
	enabled = false
	[tuner memory_reclaim]
	enabled = false
	[tuner dirty_pages]
	enabled = false
	EOF
}

# _np_p99 N: the worker's p99 wake-up delay (us), the median of its last N
# one-second windows
_np_p99() {
	tail -n "$1" "$T/wakeup.out" | jq -s -r '[.[].p99_us] | sort | .[(length / 2 | floor)]'
}

# the nice values and affinities of the hogs' threads, one line each
_np_state() {
	local pid
	for pid in "${NP_HOGS[@]}"; do
		ps -L -o lwp=,ni=,psr= -p "$pid" >/dev/null 2>&1 || continue
		printf '%s %s %s\n' "$pid" "$(ps -L -o ni= -p "$pid" | tr -d ' ' | sort -u | tr '\n' ,)" \
			"$(taskset -pc "$pid" 2>/dev/null | sed 's/.*: //')"
	done
}

# the worker's p99 wake-up delay before and after tune --protect --apply,
# from its own measurements: the hogs reniced, each change verified (kept:
# the worker's own p99 halved at least; rolled back: the hog's nice is 0
# again); then --revert restores every nice value and affinity exactly, and
# leaves the one an admin changed since
test_tune_protect_noisy_neighbour() {
	local before after rc orig made kept back hog hog1='' n
	(($(nproc) <= 8)) || skip "$(nproc) CPUs: six busy loops do not crowd them"
	_np_make || return
	_np_conf
	sleep 5
	orig=$(_np_state)
	before=$(_np_p99 4)
	awk -v b="$before" 'BEGIN { exit !(b < 2000) }' &&
		skip "the busy loops did not delay the worker (p99 $before us)"
	timeout -k 2 60 "$PERFPILOT" tune --protect "$NP_W" -d 14 --apply \
		--config "$T/tune.conf" --state-dir "$T/state" >"$T/out" 2>"$T/err"
	rc=$?
	is "exit status" "$rc" 0
	made=0
	for hog in "${NP_HOGS[@]}"; do
		grep -q "^perfpilot: tune: nice 0 -> 19 of process $hog (runqueue_latency:" "$T/out" &&
			made=$((made + 1))
	done
	cmp "hogs reniced (of 6)" "$made" -ge 1 ||
		{ fail "out: $(head -c 400 "$T/out" | tr '\n' '|')"; return; }
	kept=$(grep -c '^perfpilot: tune: kept nice 19 of process' "$T/out")
	back=$(grep -c '^perfpilot: tune: rolled back nice 19 -> 0 of process' "$T/out")
	is "nice changes with a verdict" "$((kept + back))" "$made"
	sleep 4
	after=$(_np_p99 3)
	for hog in "${NP_HOGS[@]}"; do
		n=$(ps -o ni= -p "$hog" | tr -d ' ')
		if grep -q "^perfpilot: tune: kept nice 19 of process $hog:" "$T/out"; then
			is "nice of hog $hog (kept)" "$n" 19
			[[ -z $hog1 ]] && hog1=$hog
		elif grep -q "^perfpilot: tune: rolled back nice 19 -> 0 of process $hog" "$T/out"; then
			is "nice of hog $hog (rolled back)" "$n" 0
		fi
	done
	if ((kept)); then
		cmp "p99 wake-up delay after, us (before $before)" "$after" -le \
			"$(awk -v b="$before" 'BEGIN { print b / 2 }')"
	else
		note "every nice change rolled back: the worker's p99 did not fall enough on this host"
	fi
	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status.json" 2>/dev/null
	is "nice entries without a pid or start" \
		"$(jq -s '[.[] | select(.tunable == "nice" and (.pid == null or .start == null or .scope != "process"))] | length' "$T/status.json")" 0
	# an admin renices a hog perfpilot changed: --revert leaves it
	[[ -n $hog1 ]] && renice -n 5 -p "$hog1" >/dev/null
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert failed: $(head -c 300 "$T/revert.out")"
	if [[ -n $hog1 ]]; then
		grep -q "left nice in process $hog1: changed since: now '5', perfpilot wrote '19'" \
			"$T/revert.out" || fail "--revert does not leave hog $hog1: $(head -c 400 "$T/revert.out")"
		is "the admin's nice" "$(ps -o ni= -p "$hog1" | tr -d ' ')" 5
		orig=${orig//"$hog1 0,"/"$hog1 5,"}
	fi
	is "nice values and affinities after --revert" "$(_np_state)" "$orig"
	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status2.json" 2>/dev/null
	is "open changes after --revert" \
		"$(jq -s '[.[] | select(.state == "applied" or .state == "kept" or .state == "pending")] | length' "$T/status2.json")" 0
	note "p99 wake-up delay ${before} us -> ${after} us; $made of 6 hogs reniced, $kept kept, $back rolled back; $(grep -c '^perfpilot: tune: affinity' "$T/out") affinity changes"
}

# --protect of a cgroup that is empty when the tuner starts: the worker that
# joins it later is protected. Its own v1 cpu cgroup at a small share (64)
# beside the six busy loops' cgroup (1024) makes it wait; the tuner,
# which read the empty cgroup at its start, sees the worker's waits and
# lowers the busy loops' cgroup's share (the weight lever); --revert puts
# the share back
test_tune_protect_cgroup_joins() {
	local svc shares p99
	(($(nproc) <= 8)) || skip "$(nproc) CPUs: six busy loops do not crowd them"
	[[ -n $CG1_CPU_ROOT && -e $CG1_CPU_ROOT/cpu.shares ]] || skip "no cgroup v1 cpu hierarchy"
	_np_make || return
	_np_conf
	svc=$CG1_CPU_ROOT/pptune-svc-$$-$RANDOM
	cg_make "$svc" || return
	echo 64 >"$svc/cpu.shares" || { fail "cannot set the share of $svc"; return; }
	shares=$(cat "$NP_CG/cpu.shares")
	pp_cmd_bg joins tune --protect "$svc" -d 6 --apply --config "$T/tune.conf" \
		--state-dir "$T/state"
	# the tuner reads the protected cgroup right after its collector is
	# attached: the worker joins after that
	attach_wait
	cg_add "$svc" "$NP_W" || return
	pp_wait
	p99=$(_np_p99 3)
	if ! grep -q "^perfpilot: tune: cpu.shares $shares -> 256 in cgroup $NP_CG " "$T/joins.out"; then
		if awk -v p="$p99" 'BEGIN { exit !(p < 1500) }'; then
			note "the worker was not delayed in its own cgroup (its p99 $p99 us): no lever needed"
		else
			fail "no weight change of $NP_CG after the worker joined (its p99 $p99 us): $(head -c 400 "$T/joins.out" | tr '\n' '|')"
		fi
	elif grep -q "^perfpilot: tune: rolled back cpu.shares 256 -> $shares in cgroup $NP_CG" "$T/joins.out"; then
		is "$NP_CG's share (rolled back)" "$(cat "$NP_CG/cpu.shares")" "$shares"
	else
		is "$NP_CG's share after the run" "$(cat "$NP_CG/cpu.shares")" 256
	fi
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert failed: $(head -c 300 "$T/revert.out")"
	is "$NP_CG's share after --revert" "$(cat "$NP_CG/cpu.shares")" "$shares"
	is "$svc's share (never touched)" "$(cat "$svc/cpu.shares")" 64
	note "the worker's p99 wake-up delay in its own cgroup: $p99 us; $(grep -c '^perfpilot: tune: ' "$T/joins.out") tune lines"
}

# bad input: a dead PID, a missing cgroup, --protect with --revert: one line,
# exit 2, nothing changed
test_tune_protect_bad_input() {
	local dead
	sleep 0 &
	dead=$!
	wait "$dead"
	_error_case "$PERFPILOT" tune --protect "$dead" --apply --state-dir "$T/state"
	grep -q "^perfpilot: --protect $dead: no such process" "$T/err" ||
		fail "dead PID: $(cat "$T/err")"
	_error_case "$PERFPILOT" tune --protect /sys/fs/cgroup/pp-no-such-$$ --apply --state-dir "$T/state"
	grep -q "no such cgroup" "$T/err" || fail "missing cgroup: $(cat "$T/err")"
	_error_case "$PERFPILOT" tune --protect 1 --apply --state-dir "$T/state"
	grep -q "PID 1 is not protected this way" "$T/err" || fail "PID 1: $(cat "$T/err")"
	_error_case "$PERFPILOT" tune --protect "$$" --revert --state-dir "$T/state"
	printf 'allow = nice\nprocess = averyveryverylongname\n' >"$T/bad.conf"
	_error_case "$PERFPILOT" tune --protect "$$" --config "$T/bad.conf" --state-dir "$T/state"
	grep -q 'bad.conf:2: process:' "$T/err" || fail "bad config: $(cat "$T/err")"
	[[ -e $T/state/tune-journal.json ]] && fail "a journal was written"
	return 0
}

# separate = A B on two throwaway v1 cpusets sharing every CPU: tune --apply
# splits them (A the lower half, B the rest), --revert puts both back
test_tune_rules_separate() {
	local root a b all
	root=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuset(,|$)/ { print $2; exit }' /proc/mounts)
	[[ -n $root ]] || skip "no v1 cpuset hierarchy"
	(($(nproc) >= 2)) || skip "one CPU: nothing to separate"
	all=$(cat "$root/cpuset.cpus")
	a=$root/pptune-a-$$-$RANDOM
	b=$root/pptune-b-$$-$RANDOM
	cg_make "$a" && cg_make "$b" || return
	for d in "$a" "$b"; do
		if ! { cat "$root/cpuset.mems" >"$d/cpuset.mems" && echo "$all" >"$d/cpuset.cpus"; }; then
			fail "cannot set up $d"
			return
		fi
	done
	printf 'cooldown = 0\nverify_window = 2\nallow = cpuset.cpus\nseparate = %s %s\n' \
		"$a" "$b" >"$T/rules.conf"
	for t in accept_queue tcp_buffers cpu_quota cpu_weight memory_reclaim dirty_pages; do
		printf '[tuner %s]\nenabled = false\n' "$t" >>"$T/rules.conf"
	done
	timeout -k 2 30 "$PERFPILOT" tune --apply -d 5 --config "$T/rules.conf" \
		--state-dir "$T/state" >"$T/out" 2>"$T/err"
	is "exit status" "$?" 0
	grep -q "^perfpilot: tune: kept cpuset.cpus .* in cgroup $b: rule_shared_cpus" "$T/out" ||
		fail "no kept change of $b: $(head -c 400 "$T/out" | tr '\n' '|')"
	[[ -z $(awk -v x="$(cat "$a/cpuset.cpus")" -v y="$(cat "$b/cpuset.cpus")" 'BEGIN {
		n = split(x, p, ","); for (i = 1; i <= n; i++) { split(p[i], r, "-"); if (r[2] == "") r[2] = r[1]
			for (c = r[1]; c <= r[2]; c++) in_a[c] = 1 }
		n = split(y, p, ","); for (i = 1; i <= n; i++) { split(p[i], r, "-"); if (r[2] == "") r[2] = r[1]
			for (c = r[1]; c <= r[2]; c++) if (c in in_a) print c } }') ]] ||
		fail "still sharing CPUs: $(cat "$a/cpuset.cpus") and $(cat "$b/cpuset.cpus")"
	note "$all -> $(cat "$a/cpuset.cpus") and $(cat "$b/cpuset.cpus")"
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert: $(head -c 300 "$T/revert.out")"
	is "A after --revert" "$(cat "$a/cpuset.cpus")" "$all"
	is "B after --revert" "$(cat "$b/cpuset.cpus")" "$all"
}

# rules naming a cgroup that does not exist, or contradicting each other: one
# line, exit 2, nothing changed
test_tune_rules_bad_input() {
	printf 'separate = /sys/fs/cgroup/cpuset/pp-no-%s /sys/fs/cgroup/cpuset\n' "$$" >"$T/r1.conf"
	_error_case "$PERFPILOT" tune --apply -d 1 --config "$T/r1.conf" --state-dir "$T/state"
	grep -q "r1.conf:1: the rule names cgroup /sys/fs/cgroup/cpuset/pp-no-$$, which does not exist" \
		"$T/err" || fail "unknown cgroup: $(cat "$T/err")"
	printf 'separate = /a /b\ntogether = /b /a\n' >"$T/r2.conf"
	_error_case "$PERFPILOT" tune --apply -d 1 --config "$T/r2.conf" --state-dir "$T/state"
	grep -q "r2.conf:2: together /b /a contradicts separate at line 1" "$T/err" ||
		fail "contradicting rules: $(cat "$T/err")"
	[[ -e $T/state/tune-journal.json ]] && fail "a journal was written"
	return 0
}
