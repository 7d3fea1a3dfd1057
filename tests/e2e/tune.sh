# shellcheck shell=bash
# End-to-end tests of `perfpilot tune` (sourced by run.sh): the accept-queue
# tuner in a throwaway network namespace, the journal across kill -9 and an
# admin's change, an unfinished journal at start, bad input. Every change is
# made inside a namespace the test creates and deletes; the host's own
# sysctls are only read.

# _tune_ns VAR: a new network namespace with lo up and somaxconn 8 (deleted
# when the test ends); its name in VAR
_tune_ns() {
	local -n _nsvar=$1
	_nsvar=pptune-$$-$RANDOM
	ip netns add "$_nsvar" || { fail "ip netns add $_nsvar"; return 1; }
	at_cleanup ip netns del "$_nsvar"
	ip netns exec "$_nsvar" ip link set lo up &&
		ip netns exec "$_nsvar" sysctl -qw net.core.somaxconn=8 ||
		{ fail "setting up $_nsvar"; return 1; }
}

# _ns_get NS NAME: a sysctl of a namespace
_ns_get() { ip netns exec "$1" sysctl -n "$2"; }

# _tune_conf FILE [EXTRA LINES...]: a config for the tests: somaxconn from 8,
# a short verify window, no second step within a run
_tune_conf() {
	local f=$1
	shift
	{
		printf '%s\n' "$@"
		printf '[tunable net.core.somaxconn]\nmin = 8\nverify_window = 2\ncooldown = 600\n'
		printf '[tunable net.ipv4.tcp_max_syn_backlog]\nmin = 8\nverify_window = 2\ncooldown = 600\n'
	} >"$f"
}

# _tune_flood NS VAR_L VAR_F SECONDS: the listener (accepting every second)
# and the flood of 12 connects a second in NS
_tune_flood() {
	local ns=$1 secs=$4
	local -n _l=$2 _f=$3
	wl_bg _l "$T/listener.out" ip netns exec "$ns" "$W/listener" serve -i 1 8080
	sleep 0.3
	wl_bg _f "$T/flood.out" ip netns exec "$ns" "$W/listener" flood -n 12 -t "$secs" 127.0.0.1 8080
}

# _wait_for FILE REGEX SECONDS: until a line of FILE matches
_wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# the listener's process (ip netns exec execs it: the same pid)
_listener_pid() { jq -r 'select(.event == "listen") | .pid' "$T/listener.out" 2>/dev/null | head -n 1; }

# advice changes nothing; --apply raises somaxconn in the namespace only; the
# listener listens again (SIGHUP), the overflows stop and the change is kept;
# --status --json shows it; --revert restores 8 exactly
test_tune_netns_somaxconn() {
	local ns l f host s pid line
	host=$(sysctl -n net.core.somaxconn)
	_tune_ns ns || return
	_tune_conf "$T/c.conf"
	_tune_flood "$ns" l f 20
	pp_cmd_bg adv tune --netns "$ns" -d 3 --config "$T/c.conf" --state-dir "$T/state"
	pp_wait || return
	grep -q '^net.core.somaxconn$' "$T/adv.out" ||
		fail "advice does not propose net.core.somaxconn: $(head -c 300 "$T/adv.out" | tr '\n' '|')"
	grep -qE '^  scope: +netns '"$ns"'$' "$T/adv.out" || fail "advice scope is not netns $ns"
	grep -qE '^  change: +8 -> 16$' "$T/adv.out" || fail "advice is not 8 -> 16"
	pid=$(_listener_pid)
	grep -qE "^  note: .*pid $pid\).*must listen again" "$T/adv.out" ||
		fail "the note does not name the listener pid $pid and that it must listen again"
	is "netns somaxconn after advice" "$(_ns_get "$ns" net.core.somaxconn)" 8
	[[ -e $T/state/tune-journal.json ]] && fail "advice wrote a journal"

	pp_cmd_bg app tune --netns "$ns" -d 9 --apply --config "$T/c.conf" --state-dir "$T/state"
	if ! _wait_for "$T/app.out" 'net.core.somaxconn 8 -> 16 in netns' 6; then
		fail "no change within 6 s: $(head -c 300 "$T/app.out" | tr '\n' '|')"
		return
	fi
	is "netns somaxconn after --apply" "$(_ns_get "$ns" net.core.somaxconn)" 16
	kill -HUP "$pid"
	pp_wait || return
	grep -qE "^perfpilot: tune: net.core.somaxconn 8 -> 16 in netns $ns \(listen_overflow: [0-9]+ overflows/s on :8080 \(listener pid $pid\)\)$" "$T/app.out" ||
		fail "the change line is not as documented: $(grep -m1 -- '->' "$T/app.out")"
	grep -q "kept net.core.somaxconn 16 in netns $ns" "$T/app.out" ||
		fail "the change was not kept after the relisten: $(tr '\n' '|' <"$T/app.out")"
	grep -q 'stays changed: net.core.somaxconn 16' "$T/app.out" ||
		fail "the last lines do not say what stays changed"
	is "host somaxconn (never touched)" "$(sysctl -n net.core.somaxconn)" "$host"
	is "netns somaxconn after the run" "$(_ns_get "$ns" net.core.somaxconn)" 16

	"$PERFPILOT" tune --status --json --state-dir "$T/state" >"$T/status.json" 2>"$T/status.err" ||
		fail "--status --json failed: $(cat "$T/status.err")"
	line=$(head -n 1 "$T/status.json")
	is "status lines" "$(grep -c '' "$T/status.json")" 1
	is "status .tunable" "$(jf "$line" .tunable)" net.core.somaxconn
	is "status .scope" "$(jf "$line" .scope)" sysctl
	is "status .netns" "$(jf "$line" .netns)" "$ns"
	is "status .old" "$(jf "$line" .old)" 8
	is "status .new" "$(jf "$line" .new)" 16
	is "status .state" "$(jf "$line" .state)" kept
	is "status .finding" "$(jf "$line" .finding)" listen_overflow
	is "status .effect.metric" "$(jf "$line" .effect.metric)" "listen_overflows/s"
	s=$(jf "$line" '[.id, .time, .effect.before, .effect.after] | map(type) | join(",")')
	is "types of id, time, effect.before, effect.after" "$s" number,number,number,number
	cmp "effect.before (overflows/s)" "$(jf "$line" '.effect.before | floor')" -ge 1
	cmp "effect.after (overflows/s)" "$(jf "$line" '.effect.after | ceil')" -le 0
	[[ $(jf "$line" .reason) == *"overflows/s on :8080"* ]] || fail "reason: $(jf "$line" .reason)"

	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert failed: $(cat "$T/revert.out")"
	is "netns somaxconn after --revert" "$(_ns_get "$ns" net.core.somaxconn)" 8
	is "host somaxconn after --revert" "$(sysctl -n net.core.somaxconn)" "$host"
	note "$(grep -m1 'kept' "$T/app.out" | sed 's/^perfpilot: tune: //')"
}

# without a relisten the change waits: reported, never rolled back
test_tune_netns_waits() {
	local ns l f
	_tune_ns ns || return
	_tune_conf "$T/c.conf"
	_tune_flood "$ns" l f 12
	pp_cmd_bg app tune --netns "$ns" -d 8 --apply --config "$T/c.conf" --state-dir "$T/state"
	pp_wait || return
	grep -q 'net.core.somaxconn 8 -> 16' "$T/app.out" || fail "no change: $(tr '\n' '|' <"$T/app.out")"
	grep -q 'waiting, not verified: the listener :8080' "$T/app.out" ||
		fail "the wait for the relisten is not reported"
	grep -q 'rolled back' "$T/app.out" && fail "rolled back before the listener listened again"
	is "netns somaxconn (kept while waiting)" "$(_ns_get "$ns" net.core.somaxconn)" 16
	is "journal state" "$("$PERFPILOT" tune --status --json --state-dir "$T/state" | jq -r .state)" applied
	grep -q 'not verified: waiting for the workload' "$T/app.out" ||
		fail "the last lines do not say it waits"
	"$PERFPILOT" tune --revert --state-dir "$T/state" >/dev/null 2>&1
	is "netns somaxconn after --revert" "$(_ns_get "$ns" net.core.somaxconn)" 8
}

# _tune_killed NS: apply two changes (somaxconn and tcp_max_syn_backlog, both
# 8 -> 16) in NS and kill -9 the tuner while it verifies them
_tune_killed() {
	local ns=$1 l f
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_syn_backlog=8
	_tune_conf "$T/c.conf" "${@:2}"
	_tune_flood "$ns" l f 12
	pp_cmd_bg app tune --netns "$ns" -d 30 --apply --config "$T/c.conf" --state-dir "$T/state"
	if ! _wait_for "$T/app.out" 'tcp_max_syn_backlog 8 -> 16' 6; then
		fail "no changes within 6 s: $(tr '\n' '|' <"$T/app.out")"
		return 1
	fi
	kill -KILL "$PP_PID"
	wait_exit "$PP_PID" 3
	is "netns somaxconn after kill -9" "$(_ns_get "$ns" net.core.somaxconn)" 16
	is "netns tcp_max_syn_backlog after kill -9" "$(_ns_get "$ns" net.ipv4.tcp_max_syn_backlog)" 16
}

# kill -9, an admin changes one value, --revert restores the other exactly and
# leaves the admin's, saying so
test_tune_journal_kill9() {
	local ns
	_tune_ns ns || return
	_tune_killed "$ns" || return
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_syn_backlog=100
	"$PERFPILOT" tune --revert --state-dir "$T/state" >"$T/revert.out" 2>&1 ||
		fail "--revert failed: $(cat "$T/revert.out")"
	is "netns somaxconn after --revert" "$(_ns_get "$ns" net.core.somaxconn)" 8
	is "admin's tcp_max_syn_backlog left" "$(_ns_get "$ns" net.ipv4.tcp_max_syn_backlog)" 100
	grep -q "left net.ipv4.tcp_max_syn_backlog in netns $ns: changed since: now '100', perfpilot wrote '16'" \
		"$T/revert.out" || fail "--revert does not say why it left the admin's value: $(tr '\n' '|' <"$T/revert.out")"
	is "states" "$("$PERFPILOT" tune --status --json --state-dir "$T/state" | jq -r .state | sort | tr '\n' ' ')" \
		"admin_changed reverted "
	note "$(grep -m1 left "$T/revert.out" | sed 's/^perfpilot: tune: //')"
}

# an unfinished journal at start: reported and left (report), or restored
test_tune_unfinished() {
	local ns
	_tune_ns ns || return
	_tune_killed "$ns" || return
	"$PERFPILOT" tune --netns "$ns" -d 1 --config "$T/c.conf" --state-dir "$T/state" \
		>"$T/report.out" 2>&1 || fail "tune with an unfinished journal failed: $(tr '\n' '|' <"$T/report.out")"
	grep -q '2 changes of an earlier run still open' "$T/report.out" ||
		fail "the unfinished journal is not reported: $(head -c 300 "$T/report.out" | tr '\n' '|')"
	is "somaxconn left (report)" "$(_ns_get "$ns" net.core.somaxconn)" 16
	_tune_conf "$T/c.conf" "on_unfinished_journal = restore"
	"$PERFPILOT" tune --netns "$ns" -d 1 --config "$T/c.conf" --state-dir "$T/state" \
		>"$T/restore.out" 2>&1 || fail "tune restoring the journal failed: $(tr '\n' '|' <"$T/restore.out")"
	grep -q 'restoring (on_unfinished_journal = restore)' "$T/restore.out" || fail "no restore said"
	is "somaxconn restored" "$(_ns_get "$ns" net.core.somaxconn)" 8
	is "tcp_max_syn_backlog restored" "$(_ns_get "$ns" net.ipv4.tcp_max_syn_backlog)" 8
}

# bad input: one line, exit 2 for usage, nothing changed
test_tune_bad_input() {
	local ns host
	host=$(sysctl -n net.core.somaxconn)
	_tune_ns ns || return
	printf 'cooldown 300\n' >"$T/bad.conf"
	_error_case "$PERFPILOT" tune --netns "$ns" --apply --config "$T/bad.conf" --state-dir "$T/state"
	printf '[tunable net.core.somaxconn]\nmax = 4\nmin = 1\n' >"$T/below.conf"
	_error_case "$PERFPILOT" tune --netns "$ns" --apply --config "$T/below.conf" --state-dir "$T/state"
	grep -q 'max 4 of net.core.somaxconn is below its current value 8' "$T/err" ||
		fail "bound below the current value: $(cat "$T/err")"
	printf 'allow = net.core.nope\n' >"$T/unknown.conf"
	_error_case "$PERFPILOT" tune --apply --config "$T/unknown.conf" --state-dir "$T/state"
	_error_case "$PERFPILOT" tune -c /sys/fs/cgroup/pp-no-such-cgroup-$$ --apply --state-dir "$T/state"
	_error_case "$PERFPILOT" tune --netns pp-no-such-netns-$$ --apply --state-dir "$T/state"
	_error_case "$PERFPILOT" tune --status --apply
	# the default min 128 excludes the namespace's 8: refused, not moved
	_error_case "$PERFPILOT" tune --netns "$ns" --apply --state-dir "$T/state"
	is "netns somaxconn" "$(_ns_get "$ns" net.core.somaxconn)" 8
	is "host somaxconn" "$(sysctl -n net.core.somaxconn)" "$host"
	[[ -e $T/state/tune-journal.json ]] && fail "a journal was written"
	return 0
}

# a read-only /proc/sys (a private read-only bind mount): one line, nothing changed
test_tune_readonly_procsys() {
	local ns rc
	command -v unshare >/dev/null || skip "unshare not installed"
	_tune_ns ns || return
	_tune_conf "$T/c.conf"
	timeout -k 2 10 unshare -m --propagation private bash -c \
		'mount --bind -o ro /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys &&
		 exec "$@"' _ "$PERFPILOT" tune --netns "$ns" --apply -d 2 --config "$T/c.conf" \
		--state-dir "$T/state" >"$T/out" 2>"$T/err"
	rc=$?
	is "exit status" "$rc" 1
	is "stderr lines" "$(grep -c '' "$T/err")" 1
	grep -q '^perfpilot: .*read-only' "$T/err" || fail "stderr: $(cat "$T/err")"
	is "netns somaxconn" "$(_ns_get "$ns" net.core.somaxconn)" 8
	[[ -e $T/state/tune-journal.json ]] && fail "a journal was written"
	note "$(cat "$T/err")"
}

# --status and --revert on an empty state directory
test_tune_status_empty() {
	local out
	out=$("$PERFPILOT" tune --status --state-dir "$T/empty" 2>&1)
	is "--status exit" "$?" 0
	[[ $out == "perfpilot: tune: no changes recorded in $T/empty/tune-journal.json" ]] ||
		fail "--status said '$out'"
	out=$("$PERFPILOT" tune --status --json --state-dir "$T/empty" 2>&1)
	is "--status --json exit" "$?" 0
	is "--status --json output" "$out" ""
	out=$("$PERFPILOT" tune --revert --state-dir "$T/empty" 2>&1)
	is "--revert exit" "$?" 0
	[[ $out == *"nothing to revert"* ]] || fail "--revert said '$out'"
}
