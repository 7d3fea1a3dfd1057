# shellcheck shell=bash
# End-to-end tests of the CPU quota tuner on a throwaway cpu cgroup (sourced
# by run.sh): a busy loop held to 0.2 CPU by its quota on a host with idle
# CPU. v1's cpu controller when the host has one, else cgroup v2 with +cpu in
# the root's subtree_control; skipped when neither can be made.

# _qcg_make: a cgroup with quota 20000 / period 100000 holding one busy
# loop; sets QCG (its directory), QFILE (the quota's file), QPID (the loop)
_qcg_make() {
	local name=pptune-$$-$RANDOM
	if [[ -n $CG1_CPU_ROOT && -e $CG1_CPU_ROOT/cpu.cfs_quota_us ]]; then
		QCG=$CG1_CPU_ROOT/$name
		QFILE=cpu.cfs_quota_us
		cg_make "$QCG" || return 1
		if ! { echo 100000 >"$QCG/cpu.cfs_period_us" && echo 20000 >"$QCG/$QFILE"; }; then
			fail "cannot set the quota of $QCG"
			return 1
		fi
	elif [[ -n $CG2_ROOT ]] && grep -qw cpu "$CG2_ROOT/cgroup.controllers" 2>/dev/null; then
		if ! grep -qw cpu "$CG2_ROOT/cgroup.subtree_control"; then
			echo +cpu >"$CG2_ROOT/cgroup.subtree_control" 2>/dev/null ||
				skip "cannot enable the cpu controller in $CG2_ROOT"
			at_cleanup sh -c "echo -cpu > '$CG2_ROOT/cgroup.subtree_control'"
		fi
		QCG=$CG2_ROOT/$name
		QFILE=cpu.max
		cg_make "$QCG" || return 1
		echo "20000 100000" >"$QCG/$QFILE" || { fail "cannot set $QCG/cpu.max"; return 1; }
	else
		skip "no cgroup v1 cpu hierarchy and no cgroup v2 cpu controller"
	fi
	wl_bg QPID "$T/burn.out" "$W/burn" 120 || return 1
	cg_add "$QCG" "$QPID"
}

# the quota in µs (the first field of cpu.max)
_qcg_quota() { awk '{ print $1; exit }' "$QCG/$QFILE"; }

# _qcg_throttled SECONDS: throttled periods per second over SECONDS
_qcg_throttled() {
	local a b
	a=$(awk '$1 == "nr_throttled" { print $2 }' "$QCG/cpu.stat")
	sleep "$1"
	b=$(awk '$1 == "nr_throttled" { print $2 }' "$QCG/cpu.stat")
	awk -v a="$a" -v b="$b" -v s="$1" 'BEGIN { printf "%.1f", (b - a) / s }'
}

# _host_idle SECONDS: idle CPUs of the host over SECONDS (/proc/stat)
_host_idle() {
	local a b
	a=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit }' /proc/stat)
	sleep "$1"
	b=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit }' /proc/stat)
	awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.2f", (y[2] - x[2]) / (y[1] - x[1]) * n }'
}

# the tuners other than cpu_quota off, only the quota files allowed
_qcg_conf() {
	cat >"$T/tune.conf" <<-EOF
	cooldown = 0
	verify_window = 2
	allow = cpu.cfs_quota_us cpu.max
	[tuner accept_queue]
	enabled = false
	[tuner tcp_buffers]
	enabled = false
	[tuner cpu_weight]
	enabled = false
	[tuner memory_reclaim]
	enabled = false
	[tuner dirty_pages]
	enabled = false
	EOF
}

# advice names the cgroup and its quota, changes nothing, journals nothing
test_tune_cgroup_advice() {
	local idle rc out
	_qcg_make || return
	idle=$(_host_idle 1)
	awk -v i="$idle" 'BEGIN { exit !(i < 0.8) }' && skip "host busy: $idle CPUs idle"
	_qcg_conf
	timeout -k 2 30 "$PERFPILOT" tune -c "$QCG" -d 5 --config "$T/tune.conf" \
		--state-dir "$T/state" >"$T/out" 2>"$T/err"
	rc=$?
	is "exit status" "$rc" 0
	out=$(cat "$T/out")
	[[ $out == *"$QCG"* ]] || fail "advice does not name the cgroup: $(head -c 300 "$T/out")"
	[[ $out == *"$QFILE"* ]] || fail "advice does not name $QFILE"
	[[ $out == *"20000"*"30000"* ]] || fail "advice does not propose 20000 -> 30000: $(grep -m1 change "$T/out")"
	[[ $out == *throttled* ]] || fail "advice gives no throttling evidence"
	is "quota after advice" "$(_qcg_quota)" 20000
	is "journal after advice" "$("$PERFPILOT" tune --status --json --state-dir "$T/state" 2>/dev/null)" ""
	note "$(grep -m1 'finding' "$T/out" | sed 's/^ *//')"
}

# --apply raises the quota step by step within bounds, the throttled periods
# per second drop; --revert restores 20000 exactly
test_tune_cgroup_apply_revert() {
	local idle before after quota rc json c0 c1
	_qcg_make || return
	idle=$(_host_idle 1)
	awk -v i="$idle" 'BEGIN { exit !(i < 0.8) }' && skip "host busy: $idle CPUs idle"
	_qcg_conf
	before=$(_qcg_throttled 3)
	c0=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit }' /proc/stat)
	timeout -k 2 60 "$PERFPILOT" tune -c "$QCG" -d 24 --apply --config "$T/tune.conf" \
		--state-dir "$T/state" >"$T/out" 2>"$T/err"
	rc=$?
	c1=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit }' /proc/stat)
	idle=$(awk -v a="$c0" -v b="$c1" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.2f", (y[2] - x[2]) / (y[1] - x[1]) * n }')
	is "exit status" "$rc" 0
	quota=$(_qcg_quota)
	cmp "quota within ncpus x period" "$quota" -le $(($(nproc) * 100000))
	after=$(_qcg_throttled 3)
	cmp "throttled periods/s before" "$before" -ge 5
	# the tuner raises a quota only while the host has half a CPU idle: a
	# host that other work kept busy during the run stops it early (by
	# design); skipped then, unless something else failed already
	if ((${#_FAILS[@]} == 0)) &&
		awk -v a="$after" -v b="$before" -v i="$idle" 'BEGIN { exit !(a > b / 2 && i < 1.0) }'; then
		"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
			fail "--revert failed: $(head -c 300 "$T/revert.out")"
		is "quota after --revert" "$(_qcg_quota)" 20000
		((${#_FAILS[@]} == 0)) &&
			skip "host busy during the run: $idle CPUs idle on average; quota 20000 ->" \
				"$quota, throttled periods/s $before -> $after"
		return
	fi
	cmp "quota after --apply" "$quota" -gt 20000
	cmp "throttled periods/s after (before $before)" "$after" -le "$(awk -v b="$before" 'BEGIN { print b / 2 }')"
	json=$("$PERFPILOT" tune --status --json --state-dir "$T/state" 2>"$T/status.err")
	[[ $(jq -r 'select(.tunable == "'"$QFILE"'") | .cgroup' <<<"$json" | sort -u) == "$QCG" ]] ||
		fail "status does not list $QFILE changes of $QCG: $(head -c 300 <<<"$json")"
	[[ -n $(jq -r 'select(.state == "kept")' <<<"$json") ]] || fail "no kept change in the journal"
	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status.json" 2>/dev/null
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert failed: $(head -c 300 "$T/revert.out")"
	is "quota after --revert" "$(_qcg_quota)" 20000
	note "quota 20000 -> $quota, throttled periods/s $before -> $after, $(grep -c '(cpu_throttled:' "$T/out") steps"
}

# the cgroup vanishes while tune --apply runs: a line naming it, no crash,
# nothing else changed; --revert then leaves what was written there, saying
# the cgroup is gone
test_tune_cgroup_vanishes() {
	local pp rc lines
	_qcg_make || return
	_qcg_conf
	"$PERFPILOT" tune -c "$QCG" -d 8 --apply --config "$T/tune.conf" \
		--state-dir "$T/state" >"$T/out" 2>"$T/err" &
	pp=$!
	_track "$pp"
	sleep 3
	kill -KILL "$QPID" 2>/dev/null
	wait_exit "$QPID" 5 || { fail "the busy loop did not die"; return; }
	rmdir "$QCG" || { fail "cannot remove $QCG"; return; }
	wait_exit "$pp" 20 || { fail "tune still running 12 s after its -d 8"; return; }
	rc=$WAIT_RC
	[[ $rc == 0 || $rc == 1 ]] || fail "exit status $rc (a crash?): $(tail -c 300 "$T/err")"
	grep -v '^perfpilot: tune: ' "$T/err" | grep -q . &&
		fail "other lines on stderr: $(grep -v '^perfpilot: tune: ' "$T/err" | head -c 300)"
	cat "$T/out" "$T/err" >"$T/log"
	lines=$(grep -c -F "$QCG" "$T/log")
	cmp "lines naming the vanished cgroup" "$lines" -ge 1
	grep -F "$QCG" "$T/log" | grep -Eqi 'gone|no such file|vanished|removed' ||
		fail "no line says the cgroup is gone: $(grep -F "$QCG" "$T/log" | head -c 300)"
	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status.json" 2>/dev/null
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert after the cgroup vanished: $(head -c 300 "$T/revert.out")"
	if [[ -n $(jq -r 'select(.state == "applied" or .state == "kept" or .state == "pending")' \
		"$T/status.json" 2>/dev/null) ]]; then
		grep -qi 'gone' "$T/revert.out" ||
			fail "--revert does not say the cgroup is gone: $(head -c 300 "$T/revert.out")"
	fi
	note "$(grep -m1 -Ei 'gone|no such file' "$T/log" | cut -c1-160)"
}
