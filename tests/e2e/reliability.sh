# shellcheck shell=bash
# End-to-end tests of what a full disk and signals do to `record`, `profile`
# and `daemon` (sourced by run.sh after store.sh and daemon.sh, whose helpers
# they use; see lib.sh). The full disk is a small tmpfs mounted by the test
# in its scratch directory (unmounted when it ends) and filled with a file;
# deleting the file gives the space back. The signals are sent at several
# delays after the start, which on this host land in loading the BPF
# programs, reading symbols, the recording and the final write; after each
# run no BPF program or link that appeared during it may be left without a
# process holding it, and no half-written file may be left.

# _rl_tmpfs DIR SIZE: a tmpfs of SIZE mounted at DIR (created), unmounted
# when the test ends; RL_MNT is DIR
_rl_tmpfs() {
	RL_MNT=$1
	mkdir -p "$RL_MNT" || { fail "cannot create $RL_MNT"; return 1; }
	mount -t tmpfs -o "size=$2,mode=0755" pp-e2e-full "$RL_MNT" 2>"$T/mount.err" ||
		skip "cannot mount a tmpfs: $(head -c 200 "$T/mount.err")"
	at_cleanup umount -l "$RL_MNT"
}

# _rl_fill: fill RL_MNT with $RL_MNT/fill until no byte is left
_rl_fill() {
	dd if=/dev/zero of="$RL_MNT/fill" bs=4k 2>/dev/null
	dd if=/dev/zero of="$RL_MNT/fill2" bs=512 2>/dev/null
	return 0
}

_rl_unfill() { rm -f "$RL_MNT/fill" "$RL_MNT/fill2"; }

# _rl_store_ok DB LABEL: DB passes the integrity check, and report reads it
_rl_store_ok() {
	is "$2: integrity_check" "$(rec_sql "$1" 'PRAGMA integrity_check')" ok
	timeout -k 2 30 "$PERFPILOT" report "$1" --json >"$T/report.json" 2>"$T/report.err" ||
		fail "$2: perfpilot report failed: $(head -c 300 "$T/report.err" | tr '\n' '|')"
}

# record -a on a tmpfs filled under it: it stops with exit 1 and one line
# naming the file and the intervals written, which are all in the file
# (integrity_check ok, report reads it) once the space is back
test_record_full_disk() {
	local db n lines msg
	_rec_prereq
	_rl_tmpfs "$T/mnt" 2m || return
	db=$RL_MNT/rec.db
	rec_bg rec -a -i 0.2 -d 30 -o "$db"
	attach_wait
	# three intervals committed before the disk fills (a fixed second was
	# not always enough beside the other tests of its step: 0 once)
	local i c
	for ((i = 0; i < 75; i++)); do
		c=$(sqlite3 -batch "$db" 'SELECT count(*) FROM interval' 2>/dev/null)
		[[ $c =~ ^[0-9]+$ ]] && ((c >= 3)) && break
		sleep 0.2
	done
	_rl_fill
	wait_exit "$PP_PID" 15 || { fail "record still runs 15 s after the disk filled"; return; }
	is "exit status on a full disk" "$WAIT_RC" 1
	lines=$(grep -c '' "$T/rec.err")
	msg=$(head -n 1 "$T/rec.err")
	is "stderr lines" "$lines" 1
	[[ $msg =~ ^perfpilot:\ writing\ to\ .*/rec\.db\ failed\ after\ ([0-9]+)\ intervals\ .*(full|space) ]] ||
		{ fail "not the line expected: $(head -c 400 "$T/rec.err" | tr '\n' '|')"; return; }
	n=${BASH_REMATCH[1]}
	cmp "intervals written before the disk filled" "$n" -ge 3
	_rl_unfill
	_rl_store_ok "$db" "after the full disk"
	is "intervals in the store (the message said $n)" \
		"$(rec_sql "$db" 'SELECT count(*) FROM interval')" "$n"
	is "intervals without samples" "$(rec_sql "$db" 'SELECT count(*) FROM interval
		WHERE id NOT IN (SELECT interval_id FROM sample)')" 0
	note "$msg"
}

# _rl_metric NAME FILE: the value of the unlabelled sample NAME in a
# Prometheus exposition, or -1 when it is missing
_rl_metric() {
	awk -v n="$1" '$1 == n { v = $2 } END { print (v == "" ? -1 : v) }' "$2"
}

# the daemon's store on a tmpfs filled under it: one line when writing
# fails (not one per attempt), it keeps running, and once the space is back
# one line more and every interval is written, in order, once
test_daemon_full_disk() {
	local db n_fail n_again gaps dups n
	_dm_prereq
	_rec_prereq
	_rl_tmpfs "$T/dm.state" 3m || return
	_dm_start dm || return
	db=$DM_STATE/perfpilot.db
	sleep 1
	_rl_fill
	_wait_for "$DM_ERR" 'writing to .* failed after [0-9]+ intervals' 10 ||
		{ fail "no line about the failed write: $(tail -c 300 "$DM_ERR" | tr '\n' '|')"; return; }
	# an attempt more fails meanwhile (1 s later; the next comes 2 s after it)
	sleep 1.5
	_alive "$DM_PID" || { fail "the daemon died on the full disk"; return; }
	is "/healthz while the disk is full" "$(_dm_get /healthz 2>/dev/null)" ok
	# /metrics counts the failed attempts and the intervals kept meanwhile
	_dm_get /metrics >"$T/dm.full.prom" 2>/dev/null
	cmp "failed writes in /metrics while the disk is full" \
		"$(_rl_metric perfpilot_store_write_failures_total "$T/dm.full.prom")" -ge 1
	cmp "intervals pending in /metrics while the disk is full" \
		"$(_rl_metric perfpilot_store_pending_intervals "$T/dm.full.prom")" -ge 1
	_rl_unfill
	_wait_for "$DM_ERR" 'writing to .* again, after' 12 ||
		{ fail "no line about writing again: $(tail -c 300 "$DM_ERR" | tr '\n' '|')"; return; }
	sleep 1.5
	_dm_get /metrics >"$T/dm.again.prom" 2>/dev/null
	is "intervals pending in /metrics once written again" \
		"$(_rl_metric perfpilot_store_pending_intervals "$T/dm.again.prom")" 0
	# (it folds the profile kept over the outage: slow with asan when busy)
	_dm_stop TERM 40 || return
	is "exit status after SIGTERM" "$WAIT_RC" 0
	n_fail=$(grep -cE 'writing to .* failed after [0-9]+ intervals' "$DM_ERR")
	n_again=$(grep -c 'writing to .* again, after' "$DM_ERR")
	is "lines about the failure" "$n_fail" 1
	is "lines about writing again" "$n_again" 1
	_rl_store_ok "$db" "after the full disk"
	n=$(rec_sql "$db" 'SELECT count(*) FROM interval')
	# the intervals kept in memory are written: each starts where the one
	# before ended (no hole of half an interval: the clocks of the end and
	# the length are read apart, tens of ms on a loaded host), none twice
	gaps=$(rec_sql "$db" 'SELECT count(*) FROM interval i JOIN interval j ON j.id = i.id + 1
		WHERE abs(j.ts_ms - j.length_ms - i.ts_ms) > 500 OR j.ts_ms <= i.ts_ms')
	((gaps)) && note "intervals (id, end, length ms): $(rec_sql "$db" 'SELECT id, ts_ms, length_ms
		FROM interval' | tr '\n' ' ')"
	dups=$(rec_sql "$db" 'SELECT count(*) - count(DISTINCT ts_ms) FROM interval')
	is "holes between intervals" "$gaps" 0
	is "intervals written twice" "$dups" 0
	cmp "intervals" "$n" -ge 6
	# the profile kept over the outage is stored when it stops
	cmp "profile parts" "$(rec_sql "$db" 'SELECT count(*) FROM profile')" -ge 1
	note "$n intervals; $(grep -E 'failed after|again, after' "$DM_ERR" | sed 's/^.*perfpilot.db //' | tr '\n' '|')"
}

# profile -o on a full disk: exit 1, one line, the file as it was and no
# temporary file left; -o /dev/null stays a device
test_profile_full_disk() {
	local rc left w
	_rl_tmpfs "$T/mnt" 1m || return
	echo "an older profile" >"$RL_MNT/p.folded"
	_rl_fill
	# a worker on the CPU a fifth of the time: stacks to write (-p: with -a
	# the asan build names the whole host's stacks for long on a busy host)
	wl_bg w "$T/periodic.json" "$W/periodic" -b 2 -p 10 30
	timeout -k 2 30 "$PERFPILOT" profile -p "$w" -d 1.5 -o "$RL_MNT/p.folded" \
		>"$T/prof.out" 2>"$T/prof.err"
	rc=$?
	is "exit status on a full disk" "$rc" 1
	is "lines saying the write failed" "$(grep -c 'writing .*p\.folded failed' "$T/prof.err")" 1
	is "the older file" "$(cat "$RL_MNT/p.folded")" "an older profile"
	left=$(find "$RL_MNT" -name '*.perfpilot-*' | tr '\n' ' ')
	[[ -z $left ]] || fail "temporary files left: $left"
	# what is not a regular file is written to directly, not renamed over
	timeout -k 2 30 "$PERFPILOT" profile -p "$w" -d 0.3 -o /dev/null 2>"$T/null.err" ||
		fail "profile -o /dev/null: $(head -c 300 "$T/null.err" | tr '\n' '|')"
	[[ -c /dev/null ]] || fail "/dev/null is no longer a character device"
	note "$(grep 'failed' "$T/prof.err" | head -n 1)"
}

# ---------------------------------------------------------------- signals

# _rl_bpf_ids: "p ID" of every BPF program and "l ID" of every link loaded
_rl_bpf_ids() {
	{
		bpftool prog show -j 2>/dev/null | jq -r '.[] | "p \(.id)"'
		bpftool link show -j 2>/dev/null | jq -r '.[] | "l \(.id)"'
	} | sort -u
}

# _rl_held: "p ID" and "l ID" of the programs and links some process holds
_rl_held() {
	cat /proc/[0-9]*/fdinfo/* 2>/dev/null |
		awk '$1 == "prog_id:" { print "p " $2 } $1 == "link_id:" { print "l " $2 }' | sort -u
}

# _rl_leaked BEFORE: the programs and links not in the list BEFORE that no
# process holds (checked twice, 0.5 s apart: those of a process exiting
# just then go), as one line
_rl_leaked() {
	local cand
	cand=$(comm -23 <(_rl_bpf_ids) "$1" | comm -23 - <(_rl_held))
	[[ -z $cand ]] && return 0
	sleep 0.5
	comm -12 <(echo "$cand") <(_rl_bpf_ids) | comm -23 - <(_rl_held) | tr '\n' ' '
}

# _rl_attached PID: wait until PID holds BPF links and their number has
# not changed for 0.3 s (at most 20 s)
_rl_attached() {
	local i n prev=-1 same=0
	for ((i = 0; i < 200; i++)); do
		_alive "$1" || return 0
		n=$(_links "$1")
		((n > 0 && n == prev)) && same=$((same + 1)) || same=0
		((same >= 3)) && return 0
		prev=$n
		sleep 0.1
	done
}

# _rl_signal NAME DELAY SIG CMD...: start CMD (perfpilot and its arguments,
# output in $T/NAME.out and .err), send SIG after DELAY seconds (a+DELAY:
# DELAY after its BPF links are in place; with
# RL_THEN=SIG2: check that it still runs 1.5 s later, then send SIG2) and
# wait for the exit (RL_RC); then no BPF program or link of the run may be
# left.
# RL_RC is 0, or 128 + the signal when it came before the handlers were
# set (anything else fails)
_rl_signal() {
	local name=$1 delay=$2 sig=$3 pid before left num
	shift 3
	before=$T/$name.bpf-before
	_rl_bpf_ids >"$before"
	set -m # job control: the background perfpilot does not ignore SIGINT
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	set +m
	_track "$pid"
	if [[ $delay == a+* ]]; then
		_rl_attached "$pid"
		delay=${delay#a+}
	fi
	sleep "$delay"
	kill "-$sig" "$pid" 2>/dev/null
	if [[ -n ${RL_THEN-} ]]; then
		# a signal that must not end it (the daemon's SIGHUP), then RL_THEN
		sleep 1.5
		_alive "$pid" || fail "$name: ended by SIG$sig at $delay s"
		sig=$RL_THEN
		kill "-$sig" "$pid" 2>/dev/null
	fi
	RL_RC=
	# (no "Hangup" line from bash's job control)
	# (the daemon folds its profile's last part as it stops: many seconds
	# for the sanitizer build on a busy host)
	if ! wait_exit "$pid" 40 2>/dev/null; then
		fail "$name: still running 40 s after SIG$sig at $delay s"
		kill -KILL "$pid" 2>/dev/null
		wait_exit "$pid" 3
		return 1
	fi
	RL_RC=$WAIT_RC
	num=$(kill -l "$sig")
	[[ $RL_RC == 0 || $RL_RC == $((128 + num)) ]] ||
		fail "$name: exit status $RL_RC after SIG$sig at $delay s: $(head -c 300 "$T/$name.err" | tr '\n' '|')"
	left=$(_rl_leaked "$before")
	[[ -z $left ]] || fail "$name: BPF programs/links left after SIG$sig at $delay s: $left"
	grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error:' "$T/$name.err" &&
		fail "$name: sanitizer report: $(grep -m 1 'Sanitizer\|runtime error' "$T/$name.err")"
	return 0
}

_rl_sig_prereq() {
	command -v bpftool >/dev/null || skip "bpftool not installed"
	bpftool prog show -j >/dev/null 2>&1 || skip "bpftool cannot list the BPF programs"
}

# record stopped by SIGINT, SIGTERM or SIGHUP at 0 s (before the handlers:
# killed), 50 ms (loading the collectors), 0.3 s with --profile (reading
# the symbols of the process profiled) and 0.9 s after a -d 1 run attached
# (its last interval, the analysis and their writes): the store is
# complete and closed, or absent
test_record_signals() {
	local i delays=(0 0.05 0.3 a+0.9) sigs=(INT TERM HUP INT) db codes='' s args
	_rec_prereq
	_rl_sig_prereq
	wl_bg s "$T/sleep.out" sleep 60
	for i in "${!delays[@]}"; do
		db=$T/rec$i.db
		args=(-a -d 1 -i 0.25)
		((i == 2)) && args=(-p "$s" --profile -d 5 -i 0.25)
		_rl_signal "rec$i" "${delays[$i]}" "${sigs[$i]}" \
			"$PERFPILOT" record "${args[@]}" -o "$db" || continue
		codes+="${sigs[$i]}@${delays[$i]}:$RL_RC "
		if [[ $RL_RC == 0 ]]; then
			[[ -s $T/rec$i.err ]] && fail "rec$i: stderr: $(head -c 300 "$T/rec$i.err" | tr '\n' '|')"
			rec_closed "$db"
			is "rec$i: integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
		elif [[ -s $db ]]; then
			is "rec$i (killed): integrity_check" "$(rec_sql "$db" 'PRAGMA integrity_check')" ok
		fi
	done
	note "exit statuses $codes"
}

# profile -p -d 1 -o FILE of a worker on the CPU 5 % of the time, stopped
# the same way (at 0 and 0.3 s: starting and loading; 0.5 s after it
# attached: sampling; 1 s: reading the symbols and writing): FILE is a
# whole profile (folded lines) or absent, and no temporary file is left
# (-p: with -a the asan build names the whole host's stacks for longer than
# the test waits on a loaded host)
test_profile_signals() {
	local i delays=(0 0.3 a+0.5 a+1) sigs=(TERM INT HUP INT) out codes='' bad left w
	_rl_sig_prereq
	wl_bg w "$T/periodic.json" "$W/periodic" -b 1 -p 20 60
	for i in "${!delays[@]}"; do
		out=$T/p$i.folded
		_rl_signal "prof$i" "${delays[$i]}" "${sigs[$i]}" \
			"$PERFPILOT" profile -p "$w" -d 1 -o "$out" || continue
		codes+="${sigs[$i]}@${delays[$i]}:$RL_RC "
		if [[ $RL_RC == 0 ]]; then
			[[ -e $out ]] || fail "prof$i: exit 0 without $out"
			bad=$(grep -cvE '^.+ [0-9]+$' "$out")
			is "prof$i: lines that are not folded stacks" "$bad" 0
		else
			[[ -e $out ]] && fail "prof$i: killed, yet $out exists"
		fi
	done
	left=$(find "$T" -name '*.perfpilot-*' | tr '\n' ' ')
	[[ -z $left ]] || fail "temporary files left: $left"
	note "exit statuses $codes; $(cat "$T"/p*.folded 2>/dev/null | grep -c '') folded lines"
}

# the daemon: SIGINT 1 s after it attached, and a SIGHUP (a reload) while
# it starts, then SIGTERM: the store complete and closed (a signal before
# the handlers is record's and profile's case at 0 s)
test_daemon_signals() {
	local i delays=(a+1 0.5) sigs=(INT HUP) st codes='' port
	_rec_prereq
	_rl_sig_prereq
	_dm_conf "$T/dm.conf"
	for i in "${!delays[@]}"; do
		st=$T/st$i
		port=$(free_port) || { fail "no free port"; return; }
		# the SIGHUP must not end it: a SIGTERM does
		RL_THEN=
		[[ ${sigs[$i]} == HUP ]] && RL_THEN=TERM
		_rl_signal "dm$i" "${delays[$i]}" "${sigs[$i]}" "$PERFPILOT" daemon \
			--config "$T/dm.conf" --state-dir "$st" --listen "127.0.0.1:$port" || continue
		codes+="${sigs[$i]}@${delays[$i]}${RL_THEN:++$RL_THEN}:$RL_RC "
		[[ $RL_RC == 0 && -s $st/perfpilot.db ]] || continue
		[[ -e $st/perfpilot.db-wal ]] && fail "dm$i: the store was not closed (-wal left)"
		is "dm$i: integrity_check" "$(rec_sql "$st/perfpilot.db" 'PRAGMA integrity_check')" ok
	done
	RL_THEN=
	note "exit statuses $codes"
}
