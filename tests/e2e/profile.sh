# End-to-end tests for `perfpilot profile` (sourced by run.sh; see lib.sh).
# shellcheck shell=bash

# prof_bg NAME ARGS...: start "perfpilot profile ARGS" in the background,
# folded stacks in $T/NAME.out, stderr in $T/NAME.err; pp_wait waits for it
prof_bg() { pp_cmd_bg "$1" profile "${@:2}"; }

# folded_samples FILE FRAME: samples of the stacks that contain FRAME
folded_samples() {
	awk -v f="$2" '{ n = $NF; $NF = ""; k = split($0, fr, ";");
		for (i = 2; i <= k; i++) { sub(/ +$/, "", fr[i]); if (fr[i] == f) { s += n; break } } }
		END { print s + 0 }' "$1"
}

# [CHROOT=DIR] [BEFORE_GO=CMD] prof_workload PROG ARGS... -- FREQ PPARGS...:
# start the workload "PROG -w ARGS" (in chroot DIR if set), its pid in
# WL_PID and its JSON in WL_JSON ($T/COMM.json, COMM PROG's file name);
# once it waits for its start signal run "perfpilot profile -p WL_PID
# -F FREQ -d 4.5 PPARGS" (output in $T/pp.out and .err), start the workload
# (after CMD) when perfpilot has attached, and wait for both
prof_workload() {
	local prog=$1 wlargs=() freq
	shift
	while (($# > 0)) && [[ $1 != -- ]]; do
		wlargs+=("$1")
		shift
	done
	shift
	freq=$1
	shift
	WL_JSON=$T/${prog##*/}.json
	if [[ -n ${CHROOT-} ]]; then
		wl_bg WL_PID "$WL_JSON" chroot "$CHROOT" "$prog" -w "${wlargs[@]}"
	else
		wl_bg WL_PID "$WL_JSON" "$prog" -w "${wlargs[@]}"
	fi
	wl_ready "$WL_PID" "${prog##*/}" || return 1
	[[ -n ${BEFORE_GO-} ]] && eval "$BEFORE_GO"
	prof_bg pp -p "$WL_PID" -F "$freq" -d 4.5 "$@"
	attach_wait
	go "$WL_PID"
	pp_wait || return 1
	wl_done "$WL_PID" "$WL_JSON" 12
}

# cpu_samples WHAT N JSON FREQ: N samples of a workload that ran all its time
# under the profiler are its own CPU time ("cpu_s" in its JSON JSON) x FREQ,
# -25 % (stacks the kernel could not walk, a late attach) to +15 %
cpu_samples() {
	local cpu want
	cpu=$(truth "$3" cpu_s)
	_isnum "$cpu" || { fail "no cpu_s in the workload's JSON: $(head -c 200 "$3")"; return 1; }
	want=$(awk -v c="$cpu" -v f="$4" 'BEGIN { printf "%.0f", c * f }')
	cmp "$1 (its CPU ${cpu} s x $4 Hz = $want)" "$2" -ge "$(awk -v w="$want" 'BEGIN { print w * 0.75 }')"
	cmp "$1 (its CPU ${cpu} s x $4 Hz = $want)" "$2" -le "$(awk -v w="$want" 'BEGIN { print w * 1.15 }')"
}

# the hot workload spends about 60/30/10 % of its CPU in hot_a/hot_b/hot_c
# (it measures the exact split itself: hot_shares in lib.sh)
test_profile_hot() {
	local out=$T/pp.out a b c sum total
	prof_workload "$W/hot" 3 -- 199 || return
	a=$(folded_samples "$out" hot_a)
	b=$(folded_samples "$out" hot_b)
	c=$(folded_samples "$out" hot_c)
	sum=$((a + b + c))
	total=$(awk '{ s += $NF } END { print s + 0 }' "$out")
	cpu_samples "samples" "$total" "$WL_JSON" 199
	# hot_a/b/c hold nearly all of them (main's own loop and work() the rest)
	cmp "samples in hot_a/b/c" "$sum" -ge "$((total * 9 / 10))"
	((sum > 0)) && hot_shares "$a" "$b" "$c"
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$out" ||
		fail "no stack hot;...;main;hot_a in: $(head -c 300 "$out" | tr '\n' '|')"
	grep -q '^perfpilot: [0-9]* samples' "$T/pp.err" ||
		fail "no sample summary on stderr: $(head -c 200 "$T/pp.err")"
	note "hot_a $a, hot_b $b, hot_c $c of $total samples; measured by hot: $(jq -r '"\(.a_pct)/\(.b_pct)/\(.c_pct) %"' "$WL_JSON" 2>/dev/null)"
}

test_error_profile_debug_dir() {
	_error_case "$PERFPILOT" profile --debug-dir /nonexistent/debug -d 1
}

test_error_profile_dead_pid() {
	local pid=999999
	[[ -e /proc/$pid ]] && skip "pid $pid exists"
	_error_case "$PERFPILOT" profile -p "$pid" -d 1
}

# a named process that exits during the run ends it, and keeps its symbols
# (read when the run started)
test_profile_exited_pid() {
	local wl t0
	wl_bg wl "$T/hot.json" "$W/hot" -w 1
	wl_ready "$wl" hot || return
	prof_bg pp -p "$wl" -F 199 -d 20
	attach_wait
	t0=$(_now_ms)
	go "$wl"
	wl_done "$wl" "$T/hot.json" 5
	PP_DURATION=3 # it should stop soon after the workload
	PP_START_MS=$t0
	pp_wait || return
	grep -Eq '^hot;(.*;)?main;hot_a [0-9]+$' "$T/pp.out" ||
		fail "no stack hot;...;main;hot_a after the process exited: $(head -c 300 "$T/pp.out" | tr '\n' '|')"
	grep -q 'exited before' "$T/pp.err" &&
		fail "the named process lost its symbols: $(head -c 300 "$T/pp.err")"
	cpu_samples "samples" "$(awk '{ s += $NF } END { print s + 0 }' "$T/pp.out")" "$T/hot.json" 199
	note "$(grep -c '' "$T/pp.out") stacks"
}

# ---------------------------------------------------------------- symbols

# _hot_min FREQ: the samples hot_a/b/c must hold at least, from the CPU the
# workload got (cpu_s of $WL_JSON) at FREQ Hz: 60 % of them (hot_a/b/c hold
# about 95 % of its samples, cpu_samples allows 25 % fewer), at most 300 (a
# loaded host gives the workload less CPU, not a worse profile)
_hot_min() {
	awk -v c="$(truth "${WL_JSON:-/dev/null}" cpu_s)" -v f="$1" 'BEGIN {
		m = c * f * 0.6; if (c == "" || m > 300) m = 300; printf "%d\n", m }'
}

# _hot_shares OUT COMM MIN: the hot workload's split between hot_a/b/c (its
# own measure, about 60/30/10 %: hot_shares) in the folded stacks of COMM, at least MIN samples,
# and a complete COMM;...;main;hot_a stack
_hot_shares() {
	local out=$1 comm=$2 min=$3 f a b c sum
	f=$T/$comm.only
	grep "^$comm;" "$out" >"$f"
	a=$(folded_samples "$f" hot_a)
	b=$(folded_samples "$f" hot_b)
	c=$(folded_samples "$f" hot_c)
	sum=$((a + b + c))
	cmp "samples in hot_a/b/c" "$sum" -ge "$min"
	((sum > 0)) && hot_shares "$a" "$b" "$c"
	grep -Eq "^$comm;(.*;)?main;hot_a [0-9]+\$" "$f" ||
		fail "no stack $comm;...;main;hot_a in: $(head -c 300 "$out" | tr '\n' '|')"
	note "hot_a $a, hot_b $b, hot_c $c"
}

# _hot_named OUT COMM MIN: COMM's frames named where the host may have given
# it too little CPU for exact shares, and other processes' stacks may have
# pushed some of its stacks out of the stack map (-a runs): hot_a, hot_b and
# hot_c all there, at least MIN samples in them, a complete
# COMM;...;main;hot_X stack, no frame left as [unknown] (COMM)
_hot_named() {
	local out=$1 comm=$2 min=$3 f a b c
	f=$T/$comm.only
	grep "^$comm;" "$out" >"$f"
	a=$(folded_samples "$f" hot_a)
	b=$(folded_samples "$f" hot_b)
	c=$(folded_samples "$f" hot_c)
	cmp "samples in hot_a/b/c" "$((a + b + c))" -ge "$min"
	((a > 0 && b > 0 && c > 0)) || fail "not all of hot_a, hot_b, hot_c named: $a, $b, $c"
	grep -Eq "^$comm;(.*;)?main;hot_[abc] [0-9]+\$" "$f" ||
		fail "no stack $comm;...;main;hot_X in: $(head -c 300 "$out" | tr '\n' '|')"
	grep -q "\[unknown\] ($comm)" "$f" &&
		fail "unnamed frames: $(grep -m1 "\[unknown\] ($comm)" "$f")"
	note "hot_a $a, hot_b $b, hot_c $c; $(grep -o '[0-9]* stacks not stored' "${out%.out}.err")"
}

# _strip_hot DIR: DIR/bin/hot, a copy of hot stripped of its symbols with a
# .gnu_debuglink to hot.debug, and its debug file DIR/hot.debug
_strip_hot() {
	if ! command -v objcopy >/dev/null || ! command -v strip >/dev/null; then
		skip "binutils not installed"
	fi
	if ! { mkdir -p "$1/bin" && cp "$W/hot" "$1/bin/hot" &&
		objcopy --only-keep-debug "$1/bin/hot" "$1/hot.debug" &&
		strip --strip-all "$1/bin/hot" &&
		(cd "$1" && objcopy --add-gnu-debuglink=hot.debug bin/hot); }; then
		fail "could not strip a copy of hot"
		return 1
	fi
	nm "$1/bin/hot" 2>/dev/null | grep -q hot_a && { fail "hot_a survived strip"; return 1; }
	return 0
}

# _profile_hot_copy BIN PPARGS...: BIN (a copy of hot) for 3 s under
# "perfpilot profile -p PID -F 499 PPARGS" (see prof_workload)
_profile_hot_copy() { prof_workload "$1" 3 -- 499 "${@:2}"; }

# stripped, debug file found by build ID in a --debug-dir
test_profile_stripped_buildid() {
	local id
	_strip_hot "$T/s" || return
	id=$(readelf -n "$T/s/bin/hot" | awk '/Build ID:/ { print $3 }')
	[[ ${#id} -ge 4 ]] || { fail "hot has no build ID"; return; }
	mkdir -p "$T/dbg/.build-id/${id:0:2}"
	mv "$T/s/hot.debug" "$T/dbg/.build-id/${id:0:2}/${id:2}.debug"
	mkdir -p "$T/empty"
	_profile_hot_copy "$T/s/bin/hot" --debug-dir "$T/empty:$T/s" --debug-dir "$T/dbg" || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
	grep -q "no symbols for $T/s/bin/hot" "$T/pp.err" &&
		fail "says it found no symbols: $(grep "$T/s/bin/hot" "$T/pp.err")"
}

# stripped, debug file found through .gnu_debuglink in .debug/ next to it
test_profile_stripped_debuglink() {
	_strip_hot "$T/s" || return
	mkdir -p "$T/s/bin/.debug"
	mv "$T/s/hot.debug" "$T/s/bin/.debug/hot.debug"
	_profile_hot_copy "$T/s/bin/hot" || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
}

# stripped, its debug file nowhere: the run completes, each function is
# named by its file and its start as .eh_frame gives it (hot+0x1189, the
# address nm prints for the unstripped build): hot_a, hot_b and hot_c stay
# apart with their shares, under main's own frame; stderr says which file
# has no symbols and why
test_profile_missing_debug() {
	local a b c addr x name
	_strip_hot "$T/s" || return
	rm -f "$T/s/hot.debug"
	mkdir -p "$T/dbg"
	_profile_hot_copy "$T/s/bin/hot" --debug-dir "$T/dbg" || return
	for x in main hot_a hot_b hot_c; do
		addr=$(nm "$W/hot" | awk -v f="$x" '$3 == f { print $1; exit }')
		[[ -n $addr ]] || { fail "no $x in nm $W/hot"; return; }
		printf -v name 'hot+0x%x' "$((16#$addr))"
		printf -v "$x" '%s' "$name"
	done
	a=$(folded_samples "$T/pp.out" "$hot_a")
	b=$(folded_samples "$T/pp.out" "$hot_b")
	c=$(folded_samples "$T/pp.out" "$hot_c")
	cmp "samples in $hot_a, $hot_b, $hot_c (hot_a, hot_b, hot_c)" "$((a + b + c))" -ge 300
	((a + b + c > 0)) && hot_shares "$a" "$b" "$c"
	grep -Eq "^hot;(.*;)?${main//+/\\+};${hot_a//+/\\+} [0-9]+\$" "$T/pp.out" ||
		fail "no stack hot;...;$main;$hot_a in: $(head -c 300 "$T/pp.out" | tr '\n' '|')"
	cpu_samples "samples" "$(awk '{ s += $NF } END { print s + 0 }' "$T/pp.out")" "$WL_JSON" 499
	grep -q 'hot_a' "$T/pp.out" && fail "hot_a named without symbols"
	grep -q '\[unknown\] (hot)' "$T/pp.out" &&
		fail "unnamed frames of hot: $(grep -m1 '\[unknown\] (hot)' "$T/pp.out")"
	grep -q "perfpilot: no symbols for $T/s/bin/hot (stripped, debug file hot.debug not found" \
		"$T/pp.err" || fail "no 'no symbols' line: $(head -c 400 "$T/pp.err" | tr '\n' '|')"
	note "$hot_a $a, $hot_b $b, $hot_c $c samples; $(grep "no symbols for $T" "$T/pp.err")"
}

# a binary deleted after it started is read through /proc/PID/map_files
test_profile_deleted_binary() {
	mkdir -p "$T/bin" && cp "$W/hot" "$T/bin/hot" || { fail "cannot copy hot"; return; }
	BEFORE_GO='rm -f "$T/bin/hot"'
	_profile_hot_copy "$T/bin/hot" || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
	grep -q "cannot read" "$T/pp.err" && fail "$(grep "cannot read" "$T/pp.err")"
}

# a binary replaced by another file after it started: its path names the
# other file now, the mapping still the old one
test_profile_replaced_binary() {
	mkdir -p "$T/bin" && cp "$W/hot" "$T/bin/hot" || { fail "cannot copy hot"; return; }
	BEFORE_GO='cp "$W/burn" "$T/bin/new" && mv -f "$T/bin/new" "$T/bin/hot"'
	_profile_hot_copy "$T/bin/hot" || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
}

# _jit_run ARGS...: the jit workload for 3 s under "perfpilot profile -p"
# at 499 Hz; its samples compared with its own CPU time
_jit_run() {
	local total
	[[ $(uname -m) == x86_64 ]] || skip "hand-written x86-64 code"
	BEFORE_GO='[[ -s /tmp/perf-$WL_PID.map ]] || fail "jit wrote no /tmp/perf-$WL_PID.map"' \
		prof_workload "$W/jit" "$@" 3 -- 499 || return 1
	JIT_PID=$WL_PID
	[[ -e /tmp/perf-$WL_PID.map ]] && fail "jit left /tmp/perf-$WL_PID.map behind"
	total=$(awk '/^jit;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cpu_samples "jit's samples" "$total" "$WL_JSON" 499
	return 0
}

# code in an anonymous executable mapping, named from /tmp/perf-PID.map
test_profile_jit() {
	local n total
	_jit_run || return
	n=$(folded_samples "$T/pp.out" jit_hot_loop)
	total=$(awk '/^jit;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cmp "samples in jit_hot_loop" "$n" -ge 300
	((total > 0)) && cmp "jit_hot_loop share % of jit's samples" "$((n * 100 / total))" -ge 90
	grep -Eq '^jit;(.*;)?main;jit_hot_loop [0-9]+$' "$T/pp.out" ||
		fail "no stack jit;...;main;jit_hot_loop in: $(head -c 300 "$T/pp.out" | tr '\n' '|')"
	grep -q 'malformed' "$T/pp.err" && fail "$(grep malformed "$T/pp.err")"
	note "jit_hot_loop $n of $total samples"
}

# malformed perf map lines are skipped, counted and reported
test_profile_perfmap_malformed() {
	local n
	_jit_run -m || return
	n=$(folded_samples "$T/pp.out" jit_hot_loop)
	cmp "samples in jit_hot_loop" "$n" -ge 300
	grep -q "^perfpilot: 2 malformed lines in /tmp/perf-$JIT_PID.map" "$T/pp.err" ||
		fail "no malformed line count: $(head -c 400 "$T/pp.err" | tr '\n' '|')"
}

# a JIT that names code in its perf map after perfpilot read it, and exits
# before the end leaving the map behind (as node does): the map is read
# again at the end
test_profile_jit_late() {
	local wl late early
	[[ $(uname -m) == x86_64 ]] || skip "hand-written x86-64 code"
	wl_bg wl "$T/jit.json" "$W/jit" -w -l 3
	wl_ready "$wl" jit || return
	at_cleanup rm -f "/tmp/perf-$wl.map"
	prof_bg pp -p "$wl" -F 499 -d 10
	attach_wait
	go "$wl"
	wl_done "$wl" "$T/jit.json" 12 || return
	PP_DURATION=3 # it stops soon after the workload
	PP_START_MS=$(_now_ms)
	pp_wait || return
	early=$(folded_samples "$T/pp.out" jit_hot_loop)
	late=$(folded_samples "$T/pp.out" jit_late_loop)
	cmp "samples in jit_hot_loop" "$early" -ge 150
	cmp "samples in jit_late_loop" "$late" -ge 150
	cpu_samples "jit's samples" "$(awk '/^jit;/ { s += $NF } END { print s + 0 }' "$T/pp.out")" \
		"$T/jit.json" 499
	grep -q '^jit;.*main;\[unknown\] [0-9]*$' "$T/pp.out" &&
		fail "unnamed JIT frames: $(grep -m1 '^jit;.*main;\[unknown\] [0-9]*$' "$T/pp.out")"
	note "jit_hot_loop $early, jit_late_loop $late samples"
}

# -a: a process that starts after perfpilot attached and exits ~1.5 s later,
# long before the end, still has its frames named
test_profile_short_lived_all() {
	local wl
	mkdir -p "$T/bin" && cp "$W/hot" "$T/bin/hotshort" || { fail "cannot copy hot"; return; }
	prof_bg pp -a -F 499 -d 5
	attach_wait
	wl_bg wl "$T/hot.json" "$T/bin/hotshort" 1.5
	wl_done "$wl" "$T/hot.json" 6
	pp_wait || return
	_hot_named "$T/pp.out" hotshort 100
}

# -a: a process sampled while it runs one program (a busy shell) and then
# exec'd into another (hot) is read again after the exec: the new image's
# frames are named although it exits before the end
test_profile_exec_all() {
	local wl
	mkdir -p "$T/bin" && cp "$W/hot" "$T/bin/hotexec" || { fail "cannot copy hot"; return; }
	prof_bg pp -a -F 499 -d 5
	attach_wait
	wl_bg wl "$T/hot.json" bash -c 'for ((i = 0; i < 300000; i++)); do :; done; exec "$0" 1.5' \
		"$T/bin/hotexec"
	wl_done "$wl" "$T/hot.json" 8
	pp_wait || return
	grep -q '^bash;' "$T/pp.out" || note "the shell was not sampled before its exec"
	_hot_named "$T/pp.out" hotexec 100
}

# JIT code of a process in its own PID namespace: it writes
# /tmp/perf-NSPID.map with the pid it sees (1), found through NSpid
test_profile_jit_pidns() {
	local u wl n i
	[[ $(uname -m) == x86_64 ]] || skip "hand-written x86-64 code"
	command -v unshare >/dev/null || skip "unshare not installed"
	wl_bg u "$T/jit.json" unshare --pid --fork --mount-proc "$W/jit" -w 3
	for ((i = 0; i < 100; i++)); do
		wl=$(pgrep -P "$u" -x jit) && break
		sleep 0.02
	done
	[[ -n $wl ]] || { fail "no jit process under unshare"; return; }
	wl_ready "$wl" jit || return
	[[ $(awk '/^NSpid:/ { print $NF }' "/proc/$wl/status") == 1 ]] ||
		{ fail "jit is not pid 1 in its namespace"; return; }
	[[ -e /tmp/perf-$wl.map ]] && { fail "jit wrote /tmp/perf-$wl.map (the host pid)"; return; }
	prof_bg pp -p "$wl" -F 499 -d 4.5
	attach_wait
	go "$wl"
	pp_wait || return
	wl_done "$u" "$T/jit.json" 12
	n=$(folded_samples "$T/pp.out" jit_hot_loop)
	cmp "samples in jit_hot_loop" "$n" -ge 300
	cpu_samples "jit's samples" "$(awk '/^jit;/ { s += $NF } END { print s + 0 }' "$T/pp.out")" \
		"$T/jit.json" 499
	note "jit_hot_loop $n samples"
}

# _mini_root DIR BIN: a root directory holding BIN as /bin/hot and the
# libraries it needs, for chroot (a container's file system, in small)
_mini_root() {
	local lib
	mkdir -p "$1/bin" && cp "$2" "$1/bin/hot" || return 1
	for lib in $(ldd "$2" | grep -o '/[^ ]*'); do
		mkdir -p "$1$(dirname "$lib")" && cp -L "$lib" "$1$lib" || return 1
	done
}

# a stripped binary in a chroot (its maps show host paths, which are no
# files under /proc/PID/root: it is read through map_files), its debug file
# under that root's /usr/lib/debug, then in a --debug-dir on the host
test_profile_chroot_stripped() {
	local id d
	command -v chroot >/dev/null || skip "chroot not installed"
	_strip_hot "$T/s" || return
	_mini_root "$T/root" "$T/s/bin/hot" || { fail "cannot build a root for hot"; return; }
	id=$(readelf -n "$T/s/bin/hot" | awk '/Build ID:/ { print $3 }')
	d=$T/root/usr/lib/debug/.build-id/${id:0:2}
	mkdir -p "$d" && cp "$T/s/hot.debug" "$d/${id:2}.debug"
	CHROOT=$T/root _profile_hot_copy /bin/hot || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
	rm -rf "$T/root/usr/lib/debug"
	mkdir -p "$T/dbg/.build-id/${id:0:2}" &&
		mv "$T/s/hot.debug" "$T/dbg/.build-id/${id:0:2}/${id:2}.debug"
	CHROOT=$T/root _profile_hot_copy /bin/hot --debug-dir "$T/dbg" || return
	_hot_shares "$T/pp.out" hot "$(_hot_min 499)"
}

# a hot loop the compiler inlined: its frame comes from DWARF, under the
# function it was inlined into
test_profile_inlined() {
	local n total
	prof_workload "$W/inlined" 3 -- 499 || return
	n=$(awk '/^inlined;(.*;)?main;outer_work;inner_loop [0-9]+$/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	total=$(awk '/^inlined;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cpu_samples "inlined's samples" "$total" "$WL_JSON" 499
	((total > 0)) && cmp "inner_loop share % of the samples" "$((n * 100 / total))" -ge 90
	note "inner_loop $n of $total samples"
}

# the vDSO (no file behind it) is named from perfpilot's own copy: its
# exported functions by their symbols, its local ones (the clock reader of a
# clock source such as kvm-clock, absent from .dynsym) as [vdso]+0xSTART
# from its .eh_frame. Holds on every clock source: where the vDSO has no
# reader for it, the clock read goes on into the kernel (a syscall), and the
# samples of the read are under clock_gettime all the same.
test_profile_vdso() {
	local total reads local_n exported_n clock n
	clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	prof_workload "$W/vdso" 3 -- 499 || return
	total=$(awk '/^vdso;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cpu_samples "vdso's samples" "$total" "$WL_JSON" 499
	grep -q '\[unknown\] (\[vdso\])' "$T/pp.out" &&
		fail "unnamed vDSO frames: $(grep -m1 '\[unknown\] (\[vdso\])' "$T/pp.out")"
	# the read itself: a frame below libc's clock_gettime (vDSO or kernel);
	# the loop in main and libc's wrapper have the rest
	reads=$(awk '/^vdso;(.*;)?clock_gettime;[^ ]/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	((total > 0)) && cmp "clock read share % (frames under clock_gettime)" \
		"$((reads * 100 / total))" -ge 10
	# (user and vDSO frames: an interrupt's kernel frame, [unknown]_[k] when
	# it is in code gone before the kernel's symbols are read, is not the
	# vDSO's; seen once in a clean run)
	grep -E '^vdso;(.*;)?clock_gettime;' "$T/pp.out" | grep -Eq '\[unknown\]($|[ ;(])' &&
		fail "unnamed frames under clock_gettime: $(grep -E '^vdso;(.*;)?clock_gettime;' "$T/pp.out" | grep -Em1 '\[unknown\]($|[ ;(])')"
	n=$(grep -E '^vdso;(.*;)?clock_gettime;' "$T/pp.out" | grep -F '[unknown]_[k]' | awk '{ s += $NF } END { print s + 0 }')
	((n == 0)) || note "$n samples with an unnamed kernel frame under clock_gettime"
	# libc's alias is never taken for the vDSO's function
	grep -Eq ';clock_gettime;clock_gettime( |;)' "$T/pp.out" &&
		fail "the vDSO named by libc's alias: $(grep -m1 -E ';clock_gettime;clock_gettime( |;)' "$T/pp.out")"
	local_n=$(awk '/;\[vdso\]\+0x[0-9a-f]+( |;)/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	exported_n=$(folded_samples "$T/pp.out" __vdso_clock_gettime)
	note "clock source ${clock:-?}: clock reads $reads of $total samples (__vdso_clock_gettime $exported_n, local vDSO functions $local_n)"
}

# _src NAME: the path of a workload source (tests/workloads/NAME)
_src() { echo "$(dirname "${BASH_SOURCE[0]}")/../workloads/$1"; }

# a C++ member function of a class template, demangled with its parameters
test_profile_cxx_demangle() {
	local wl n want='pp::Spinner<unsigned long>::spin(unsigned long, long)'
	command -v g++ >/dev/null || skip "g++ not installed"
	g++ -O1 -g -fno-omit-frame-pointer -o "$T/cxxhot" "$(_src cxxhot.cc)" 2>"$T/cc.err" ||
		{ fail "g++ failed: $(head -c 300 "$T/cc.err")"; return; }
	wl_bg wl "$T/cxx.json" "$T/cxxhot" -w 3
	wl_ready "$wl" cxxhot || return
	prof_bg pp -p "$wl" -F 499 -d 4.5
	attach_wait
	go "$wl"
	pp_wait || return
	wl_done "$wl" "$T/cxx.json" 12
	n=$(folded_samples "$T/pp.out" "$want")
	cmp "samples in $want" "$n" -ge 300
	grep -q '_ZN2pp' "$T/pp.out" && fail "mangled names left: $(grep -m1 -o '_ZN2pp[^;]*' "$T/pp.out")"
	note "$n samples in $want"
}

# Rust, legacy mangling (hash left out) and v0, side by side
test_profile_rust_demangle() {
	local a b n m nt mt
	command -v rustc >/dev/null || skip "rustc not installed"
	[[ $(nproc) -ge 2 ]] || skip "needs 2 CPUs"
	rustc -O -C force-frame-pointers=yes -o "$T/rust_legacy" "$(_src rusthot.rs)" 2>"$T/rc.err" &&
		rustc -O -C force-frame-pointers=yes -C symbol-mangling-version=v0 \
			-o "$T/rust_v0" "$(_src rusthot.rs)" 2>>"$T/rc.err" ||
		{ fail "rustc failed: $(head -c 300 "$T/rc.err")"; return; }
	nm "$T/rust_v0" | grep -q '_RNv.*spin' || { fail "no v0 symbols in rust_v0"; return; }
	wl_bg a "$T/a.json" "$T/rust_legacy" 5
	wl_bg b "$T/b.json" "$T/rust_v0" 5
	prof_bg pp -p "$a,$b" -F 499 -d 3
	attach_wait
	pp_wait || return
	n=$(grep '^rust_legacy;' "$T/pp.out" | folded_samples /dev/stdin rusthot::spinner::spin)
	m=$(grep '^rust_v0;' "$T/pp.out" | folded_samples /dev/stdin rusthot::spinner::spin)
	# the names are what is checked, not how much CPU a busy host left the
	# workloads: most of each one's samples (it only spins) in the
	# demangled function, and enough of them to tell
	nt=$(grep '^rust_legacy;' "$T/pp.out" | awk '{ s += $NF } END { print s + 0 }')
	mt=$(grep '^rust_v0;' "$T/pp.out" | awk '{ s += $NF } END { print s + 0 }')
	cmp "legacy: samples of rust_legacy" "$nt" -ge 20
	cmp "v0: samples of rust_v0" "$mt" -ge 20
	cmp "legacy: samples in rusthot::spinner::spin (of $nt)" "$n" -ge \
		"$(awk -v t="$nt" 'BEGIN { printf "%d", t * 0.8 }')"
	cmp "v0: samples in rusthot::spinner::spin (of $mt)" "$m" -ge \
		"$(awk -v t="$mt" 'BEGIN { printf "%d", t * 0.8 }')"
	grep -Eq '(_ZN7rusthot|_RNv|::h[0-9a-f]{16})' "$T/pp.out" &&
		fail "mangled names or hashes left: $(grep -m1 -Eo '[^;]*(_ZN7rusthot|_RNv|::h[0-9a-f]{16})[^;]*' "$T/pp.out")"
	note "legacy $n, v0 $m samples in rusthot::spinner::spin"
}

# _offcpu_check NAME: the folded off-CPU profile $T/NAME.out of the offcpu
# workload (weights in microseconds) against the time the workload measured
# around its own blocking calls ($T/off.json)
_offcpu_check() {
	local out=$T/$1.out j=$T/off.json f got tr sl pw np tk
	for f in sleepy pipe_wait nap tick; do
		got=$(folded_samples "$out" "$f")
		tr=$(awk -v n="$(truth "$j" "${f}_ns")" 'BEGIN { printf "%.0f", n / 1000 }')
		# blocks of 25 ms and more are recorded exactly; tick's 1 ms blocks
		# are sampled (about 600 of 3000 at 199 Hz: a few % of noise)
		if [[ $f == tick ]]; then
			within "$f blocked us vs the workload's own clock" "$got" "$tr" 20
		else
			within "$f blocked us vs the workload's own clock" "$got" "$tr" 15
		fi
		case $f in sleepy) sl=$got ;; pipe_wait) pw=$got ;; nap) np=$got ;; tick) tk=$got ;; esac
	done
	# piper blocks about twice as long in pipe_wait as in nap
	if ((np > 0)); then
		within "pipe_wait/nap blocked time ratio x1000" "$((pw * 1000 / np))" \
			"$(awk -v a="$(truth "$j" pipe_wait_ns)" -v b="$(truth "$j" nap_ns)" \
				'BEGIN { printf "%.0f", (b > 0 ? a * 1000 / b : 0) }')" 15
	fi
	grep -Eq '^sleepy;(.*;)?sleepy;(.*;)?[^;]*nanosleep[^;]*_\[k\];(.*;)?[^;]*schedule_\[k\] [0-9]+$' "$out" ||
		fail "no stack sleepy;...;sleepy;...nanosleep..._[k];...schedule_[k] in: $(head -c 400 "$out" | tr '\n' '|')"
	grep -Eq '^piper;(.*;)?pipe_wait;(.*;)?[^;]*read[^;]*_\[k\];' "$out" ||
		fail "no stack piper;...;pipe_wait;...read..._[k] in: $(head -c 400 "$out" | tr '\n' '|')"
	note "blocked ms: sleepy $((sl / 1000)) ($(($(truth "$j" sleepy_ns) / 1000000))), pipe_wait $((pw / 1000)) ($(($(truth "$j" pipe_wait_ns) / 1000000))), nap $((np / 1000)) ($(($(truth "$j" nap_ns) / 1000000))), tick $((tk / 1000)) ($(($(truth "$j" tick_ns) / 1000000)))"
}

# off-CPU: three threads blocked in known functions for 3 s; blocked time
# per function against the workload's own clock.  -F 199: a 5 ms sampling
# period, so tick's 1 ms blocks are sampled and the others recorded exactly
test_profile_offcpu() {
	local wl
	wl_bg wl "$T/off.json" "$W/offcpu" -w 3
	wl_ready "$wl" offcpu || return
	prof_bg pp --off-cpu -p "$wl" -F 199 -d 5
	attach_wait
	quiet_begin
	go "$wl"
	wl_done "$wl" "$T/off.json" 5
	quiet_end
	pp_wait || return
	grep -q 'sampled off-CPU profiling unavailable' "$T/pp.err" &&
		skip "this kernel has no sched_exit_tp (6.16+): $(head -n 1 "$T/pp.err")"
	_offcpu_check pp
	grep -Eq '^perfpilot: off-CPU: [0-9]+ blocks .*\(sampled at 199 Hz of blocked time\)' "$T/pp.err" ||
		fail "no sampled off-CPU summary on stderr: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	_offcpu_walks sampled
}

# _offcpu_walks sampled|eager: how many blocks had their stacks taken, from
# the summary line. About 3000 blocks, most of them tick's 1 ms sleeps:
# sampled at 199 Hz about 1 in 5 of those, and every longer one (about 1 in
# 4 in all); eager: every block
_offcpu_walks() {
	local blocks walks
	read -r blocks walks < <(sed -nE 's/^perfpilot: off-CPU: ([0-9]+) blocks .*, ([0-9]+) with stacks .*/\1 \2/p' "$T/pp.err")
	cmp "blocks seen" "${blocks:-}" -ge 2000 || return
	if [[ $1 == eager ]]; then
		cmp "blocks with stacks (eager)" "${walks:-}" -eq "$blocks"
	else
		cmp "blocks with stacks (of $blocks)" "${walks:-}" -le $((blocks / 2))
		cmp "blocks with stacks (of $blocks)" "${walks:-}" -ge $((blocks / 10))
	fi
	note "stacks for $walks of $blocks blocks$(sed -nE 's/.*, ([0-9]+) blocks not measured \(the kernel did not trace.*/, \1 blocks whose end the kernel did not trace/p' "$T/pp.err")"
}

# the same with the stacks walked at every switch (the fallback design)
test_profile_offcpu_eager() {
	local wl
	wl_bg wl "$T/off.json" "$W/offcpu" -w 3
	wl_ready "$wl" offcpu || return
	prof_bg pp --off-cpu-eager -p "$wl" -d 5
	attach_wait
	quiet_begin
	go "$wl"
	wl_done "$wl" "$T/off.json" 5
	quiet_end
	pp_wait || return
	_offcpu_check pp
	grep -Eq '^perfpilot: off-CPU: [0-9]+ blocks .*\(eager: every block\)' "$T/pp.err" ||
		fail "no eager off-CPU summary on stderr: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	_offcpu_walks eager
}

test_error_profile_min_block() {
	_error_case "$PERFPILOT" profile --off-cpu --min-block-us garbage -d 1
}

test_error_profile_min_block_on_cpu() {
	_error_case "$PERFPILOT" profile --min-block-us 10 -d 1
}

# off-CPU, -a: a process that starts after perfpilot attached and exits
# before the end still has its user frames named (its symbols were read
# when its first stack was taken)
test_profile_offcpu_short_lived_all() {
	local wl
	mkdir -p "$T/bin" && cp "$W/offcpu" "$T/bin/offshort" || { fail "cannot copy offcpu"; return; }
	prof_bg pp --off-cpu -a -F 199 -d 5
	attach_wait
	wl_bg wl "$T/off.json" "$T/bin/offshort" 1.5
	wl_done "$wl" "$T/off.json" 6
	pp_wait || return
	grep -q 'sampled off-CPU profiling unavailable' "$T/pp.err" && note "eager design"
	grep -Eq '^sleepy;(.*;)?sleepy_main;sleepy;' "$T/pp.out" ||
		fail "no named stack sleepy;...;sleepy_main;sleepy: $(grep '^sleepy;' "$T/pp.out" | head -c 300 | tr '\n' '|')"
	grep -q '^[a-z]*;.*\[unknown\] (offshort)' "$T/pp.out" &&
		fail "unnamed frames of the exited process: $(grep -m1 '\[unknown\] (offshort)' "$T/pp.out" | head -c 300)"
	note "$(grep -c '^sleepy;' "$T/pp.out") sleepy stacks"
}

# a BPF program loaded before the profile starts and unloaded before it
# ends (bpfhog exits at 3 s of a 6-s profile; a sleeper keeps the profile
# going) is still named: the kernel's symbols are read when sampling
# starts, and at the end only the programs loaded since. Read only at the
# end, the program was gone and its samples' frame was [unknown]_[k].
test_profile_bpf_gone() {
	local wl slp name got all
	local i
	[[ $(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null) != 0 ]] || skip "the BPF JIT is off"
	# (the start's read names it only where /proc/kallsyms lists programs)
	[[ $(cat /proc/sys/net/core/bpf_jit_kallsyms 2>/dev/null) != 0 ]] ||
		skip "net.core.bpf_jit_kallsyms is 0: /proc/kallsyms lists no BPF program"
	wl_bg wl "$T/hog.json" "$W/bpfhog" -w 3
	wl_ready "$wl" bpfhog || return
	wl_bg slp "$T/slp.json" sleep 12
	go "$wl" # it loads its program now
	for ((i = 0; i < 50; i++)); do
		grep -q '_pp_hog[[:space:]]' /proc/kallsyms && break
		sleep 0.1
	done
	((i < 50)) || { fail "bpfhog's program not in /proc/kallsyms 5 s after its start"; return; }
	pp_cmd_bg pp profile -p "$wl,$slp" -d 6 --format folded
	wl_done "$wl" "$T/hog.json" 10 || return
	pp_wait || return
	name=$(jq -r .prog "$T/hog.json")
	[[ $name == bpf_prog_*_pp_hog ]] || { fail "bpfhog printed no program name: $(cat "$T/hog.json")"; return; }
	got=$(folded_samples "$T/pp.out" "${name}_[k]")
	all=$(awk '$1 ~ /^bpfhog;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	# 49 Hz over bpfhog's CPU time (about 2.5 s of it in the profile:
	# ~120 samples), 30-60 % of them in the filter here
	cmp "bpfhog's samples" "$all" -ge 20
	cmp "samples in $name (unloaded before the profile's end)" "$got" -ge $((all / 5))
	note "$got of bpfhog's $all samples in $name"
}
