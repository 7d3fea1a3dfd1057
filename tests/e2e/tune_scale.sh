# shellcheck shell=bash
# shellcheck disable=SC2030,SC2031 # the reactive round runs in a subshell and hands its results back in a file
# End-to-end tests of CPU quota scaling (tune --scaling, sourced by run.sh):
# the ramp scenario of issue #18 in a throwaway cpu cgroup (v1's cpu
# controller when the host has one, with the same group under cpuacct when
# that is mounted apart; else cgroup v2), reactive and predictive side by
# side, and bad input. Every quota is put back by --revert and checked.

# _tsc_make: a cgroup with quota 30000 / period 100000 and 8 times the
# default weight (cpu.shares 8192, cpu.weight 800: the ramp gets its demand
# against the other tasks of a busy host; what is measured is the quota);
# sets SCG (its directory), SFILE (the quota's file) and SACCT (its cpuacct
# twin or "")
_tsc_make() {
	local name=ppscale-$$-$RANDOM acct
	SACCT=
	if [[ -n $CG1_CPU_ROOT && -e $CG1_CPU_ROOT/cpu.cfs_quota_us ]]; then
		SCG=$CG1_CPU_ROOT/$name
		SFILE=cpu.cfs_quota_us
		cg_make "$SCG" || return 1
		if ! { echo 100000 >"$SCG/cpu.cfs_period_us" && echo 30000 >"$SCG/$SFILE" &&
			echo 8192 >"$SCG/cpu.shares"; }; then
			fail "cannot set the quota of $SCG"
			return 1
		fi
		acct=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuacct(,|$)/ { print $2; exit }' /proc/mounts)
		if [[ -n $acct && $acct != "$CG1_CPU_ROOT" ]]; then
			SACCT=$acct/$name
			cg_make "$SACCT" || return 1
		fi
	elif [[ -n $CG2_ROOT ]] && grep -qw cpu "$CG2_ROOT/cgroup.controllers" 2>/dev/null; then
		if ! grep -qw cpu "$CG2_ROOT/cgroup.subtree_control"; then
			echo +cpu >"$CG2_ROOT/cgroup.subtree_control" 2>/dev/null ||
				skip "cannot enable the cpu controller in $CG2_ROOT"
			at_cleanup sh -c "echo -cpu > '$CG2_ROOT/cgroup.subtree_control'"
		fi
		SCG=$CG2_ROOT/$name
		SFILE=cpu.max
		cg_make "$SCG" || return 1
		{ echo "30000 100000" >"$SCG/$SFILE" && echo 800 >"$SCG/cpu.weight"; } ||
			{ fail "cannot set $SCG/cpu.max and cpu.weight"; return 1; }
	else
		skip "no cgroup v1 cpu hierarchy and no cgroup v2 cpu controller"
	fi
}

# the quota in µs (the first field of cpu.max)
_tsc_quota() { awk '{ print $1; exit }' "$SCG/$SFILE"; }

# the cgroup's cumulative throttled time in ns
_tsc_throttled() {
	awk '$1 == "throttled_time" { print $2 } $1 == "throttled_usec" { print $2 * 1000 }' "$SCG/cpu.stat"
}

# its throttled periods
_tsc_nthrottled() { awk '$1 == "nr_throttled" { print $2 }' "$SCG/cpu.stat"; }

# only cpu_quota, only the quota files
_tsc_conf() {
	cat >"$T/scale.conf" <<-EOF
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

# _tsc_round MODE: the ramp workload (10 -> 90 ms per 100 ms over 30 s, 10 s
# at 90, then 10) in the cgroup SCG (_tsc_make) at 0.3 CPU under tune --scaling MODE with
# cooldowns of 2 s out and 10 s in and -d 60; then --status, --revert.
# Sets R_THR (s throttled during the ramp), R_PEAK and R_END (quota µs),
# R_SLACK, R_THR_SINCE (from --status), R_WRITES, R_WANT and R_GOT (the
# ramp's CPU s asked and got), R_IDLE (the host's idle and niced CPUs over
# the run, the ramp's own included: what a raise may take)
_tsc_round() {
	local mode=$1 wl pp t0 c0 c1 json
	R_THR= R_NTHR= R_PEAK= R_END= R_SLACK= R_THR_SINCE= R_WRITES= R_WANT= R_GOT= R_IDLE=
	wl_bg wl "$T/ramp-$mode.json" "$W/ramp" -w 66
	wl_ready "$wl" ramp || return 1
	cg_add "$SCG" "$wl" || return 1
	if [[ -n $SACCT ]]; then cg_add "$SACCT" "$wl" || return 1; fi
	"$PERFPILOT" tune -c "$SCG" --apply --scaling "$mode" --scale-out-cooldown 2 \
		--scale-in-cooldown 10 -d 60 --config "$T/scale.conf" --state-dir "$T/state-$mode" \
		>"$T/tune-$mode.out" 2>"$T/tune-$mode.err" &
	pp=$!
	_track "$pp"
	sleep 1.2 # its first observation is a baseline
	: >"$T/samples-$mode"
	c0=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6 + $3; exit }' /proc/stat)
	go "$wl"
	t0=$EPOCHREALTIME
	while _alive "$pp"; do
		echo "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')" \
			"$(_tsc_throttled) $(_tsc_quota) $(_tsc_nthrottled)" >>"$T/samples-$mode"
		sleep 0.5
	done
	c1=$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6 + $3; exit }' /proc/stat)
	wait_exit "$pp" 5 || { fail "tune --scaling $mode did not exit"; return 1; }
	is "tune --scaling $mode exit status" "$WAIT_RC" 0
	[[ $WAIT_RC == 0 ]] || note "$mode: $(tail -n 2 "$T/tune-$mode.err" | tr '\n' ' ')"
	# while the workload still asks 10 ms per 100 ms
	"$PERFPILOT" tune --status --json --state-dir "$T/state-$mode" >"$T/status-$mode.json" \
		2>"$T/status-$mode.err"
	wl_done "$wl" "$T/ramp-$mode.json" 15 || return 1
	json=$(jq -c 'select(.slack != null or .gone != null)' "$T/status-$mode.json" | head -n 1)
	R_SLACK=$(jq -r 'if .slack == null then "null" else .slack * 100 | round / 100 end' <<<"$json")
	R_THR_SINCE=$(jq -r 'if .throttled_s == null then "null" else .throttled_s * 100 | round / 100 end' <<<"$json")
	R_WRITES=$(jq -s '[.[] | select(.id != null)] | length' "$T/status-$mode.json")
	"$PERFPILOT" tune --revert --state-dir "$T/state-$mode" >"$T/revert-$mode.out" 2>&1 ||
		fail "--revert after $mode failed: $(head -c 300 "$T/revert-$mode.out")"
	is "quota after --revert ($mode)" "$(_tsc_quota)" 30000
	R_THR=$(awk 'NR == 1 { a = $2 } $1 <= 30.25 { b = $2 } END { printf "%.3f", (b - a) / 1e9 }' \
		"$T/samples-$mode")
	R_NTHR=$(awk 'NR == 1 { a = $4 } $1 <= 30.25 { b = $4 } END { print b - a }' "$T/samples-$mode")
	R_PEAK=$(awk '$3 > m { m = $3 } END { print m }' "$T/samples-$mode")
	R_END=$(awk 'END { print $3 }' "$T/samples-$mode")
	R_WANT=$(jq -r '.ramp.want_s' "$T/ramp-$mode.json")
	R_GOT=$(jq -r '.ramp.got_s' "$T/ramp-$mode.json")
	R_IDLE=$(awk -v a="$c0" -v b="$c1" -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.2f", (y[2] - x[2]) / (y[1] - x[1]) * n }')
	note "$mode: throttled $R_THR s ($R_NTHR periods) during the ramp, quota 30000 -> peak $R_PEAK -> $R_END µs" \
		"after the drop, $R_WRITES writes, slack $R_SLACK and $R_THR_SINCE s throttled per" \
		"--status, ramp got $R_GOT of $R_WANT CPU s, host idle + niced $R_IDLE CPUs"
}

# the issue's scenario: predictive is throttled at most half as long as
# reactive during the ramp, raises the quota above 0.3 CPU and after the
# drop brings it back to at most half its peak and above the demand
test_tune_scale_ramp() {
	local pthr ppeak pend pwant pgot pidle pn rthr rgot rwant ridle rn short
	[[ -x $W/ramp ]] || { fail "$W/ramp not built (make $W/ramp)"; return; }
	_tsc_conf
	# the two modes side by side, each in a cgroup of its own (made here, so
	# that the test's cleanup removes them): the same host for both, and the
	# test takes 65 s instead of 130; reactive's round runs in a subshell
	# that hands back its results, failures and notes
	_tsc_make || return
	local rcg=$SCG rfile=$SFILE racct=$SACCT bg f RF=() RN=()
	_tsc_make || return
	(
		SCG=$rcg SFILE=$rfile SACCT=$racct _FAILS=() _NOTES=()
		_tsc_round reactive
		RF=("${_FAILS[@]}") RN=("${_NOTES[@]}")
		declare -p R_THR R_NTHR R_GOT R_WANT R_IDLE RF RN >"$T/round-reactive.sh"
	) &
	bg=$!
	_tsc_round predictive
	pthr=$R_THR ppeak=$R_PEAK pend=$R_END pwant=$R_WANT pgot=$R_GOT pidle=$R_IDLE pn=$R_NTHR
	wait "$bg"
	# shellcheck source=/dev/null
	source "$T/round-reactive.sh" 2>/dev/null || { fail "the reactive round handed back nothing"; return; }
	for f in "${RF[@]}"; do fail "$f"; done
	for f in "${RN[@]}"; do note "$f"; done
	[[ -n $pthr && -n $R_THR ]] || return
	rthr=$R_THR rgot=$R_GOT rwant=$R_WANT ridle=$R_IDLE rn=$R_NTHR
	# a host too busy to give the ramp its demand makes the comparison
	# meaningless: what predictive did not get beyond its throttled time
	short=$(awk -v w="$pwant" -v g="$pgot" -v t="$pthr" 'BEGIN { printf "%.2f", w - g - t }')
	if awk -v s="$short" -v w="$pwant" 'BEGIN { exit !(s > 0.15 * w) }'; then
		skip "host too loaded: the ramp got $pgot of $pwant CPU s under predictive with" \
			"$pthr s throttled ($short s short; host idle + niced $pidle CPUs, which cap" \
			"every raise; reactive: $rgot of $rwant, $rthr s throttled, $ridle)"
	fi
	# how long a throttled period lasts depends on where the burst falls in
	# the CFS period: when reactive's time is too small to halve reliably,
	# its throttled periods (about ten at each crossing of the quota) are
	# compared instead
	if awk -v t="$rthr" 'BEGIN { exit !(t >= 0.1) }'; then
		cmp "predictive throttled s during the ramp (reactive $rthr s)" "$pthr" -le \
			"$(awk -v r="$rthr" 'BEGIN { printf "%.3f", r / 2 }')"
	elif ((rn >= 5)); then
		note "reactive was throttled only $rthr s during the ramp: its $rn throttled periods" \
			"against predictive's $pn compared instead"
		cmp "predictive throttled periods during the ramp (reactive $rn)" "$pn" -le "$((rn / 2))"
	else
		skip "reactive was throttled only $rthr s in $rn periods during the ramp (got $rgot" \
			"of $rwant CPU s): too little to compare"
	fi
	cmp "predictive peak quota" "$ppeak" -gt 30000
	cmp "predictive quota after the drop (peak $ppeak)" "$pend" -le "$((ppeak / 2))"
	cmp "predictive quota after the drop, above the demand (10000)" "$pend" -gt 10000
	[[ $R_SLACK != null ]] || fail "--status gives no slack for $SCG: $(head -c 300 "$T/status-predictive.json")"
	[[ $R_SLACK != null ]] && cmp "slack after the drop" "$R_SLACK" -gt 0
	[[ $R_THR_SINCE != null ]] || fail "--status gives no throttled time since the first change"
	grep -q 'cpu_demand_rising' "$T/tune-predictive.out" ||
		fail "predictive made no forecast raise: $(head -c 300 "$T/tune-predictive.out")"
	grep -q 'cpu_demand_fell' "$T/tune-predictive.out" ||
		fail "predictive did not scale in: $(tail -c 300 "$T/tune-predictive.out")"
}

# bad input: one line, exit 2, nothing changed, nothing journaled
test_tune_scale_bad_input() {
	local a
	_tsc_make || return
	for a in "--scaling proactive" "--scaling predictive --scale-in-cooldown -5" \
		"--scaling reactive --scale-out-cooldown soon" "--scaling predictive --horizon 0" \
		"--scale-out-cooldown 2"; do
		# shellcheck disable=SC2086 # the options split on purpose
		_error_case "$PERFPILOT" tune -c "$SCG" --apply $a -d 5 --state-dir "$T/state"
		is "quota after '$a'" "$(_tsc_quota)" 30000
		[[ -e $T/state/tune-journal.json ]] && fail "'$a' wrote a journal"
	done
	_error_case "$PERFPILOT" tune --status --scaling predictive --state-dir "$T/state"
}
