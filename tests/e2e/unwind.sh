# End-to-end tests of user stacks walked with .eh_frame (profile --unwind;
# sourced by run.sh after profile.sh, whose helpers they use; see lib.sh).
# The workloads are built at -O2 without frame pointers, as distributions
# build; perf record --call-graph dwarf (Debian's linux-perf), sampling the
# same run beside perfpilot, is the reference for their caller chains.
# shellcheck shell=bash

# _unwind_run PROG -- FREQ PPARGS...: the workload "PROG -w 3"
# under "perfpilot profile -p PID -F FREQ -d 4.5 PPARGS" (folded stacks in
# $T/pp.out), and under perf record --call-graph dwarf at the same rate
# until it has exited when perf is installed ($T/perf.folded, folded as
# perfpilot does it; else PERF_NOTE says why not); WL_JSON is the
# workload's JSON
_unwind_run() {
	local prog=$1 freq perf_pid=
	shift 2
	freq=$1
	shift
	PERF_NOTE=
	WL_JSON=$T/${prog##*/}.json
	wl_bg WL_PID "$WL_JSON" "$prog" -w 3
	wl_ready "$WL_PID" "${prog##*/}" || return 1
	prof_bg pp -p "$WL_PID" -F "$freq" -d 4.5 "$@"
	if ! command -v perf >/dev/null; then
		PERF_NOTE="perf not installed (linux-perf): caller chains not compared"
	else
		perf record -q -e cpu-clock -F "$freq" --call-graph dwarf -p "$WL_PID" \
			-o "$T/perf.data" >"$T/perf.out" 2>"$T/perf.err" &
		perf_pid=$!
		_track "$perf_pid"
	fi
	attach_wait
	go "$WL_PID"
	pp_wait || return 1
	wl_done "$WL_PID" "$WL_JSON" 12 || return 1
	if [[ -n $perf_pid ]]; then
		kill -TERM "$perf_pid" 2>/dev/null # it writes what it has and ends
		wait_exit "$perf_pid" 10 || { fail "perf record still running"; return 1; }
		if [[ $WAIT_RC != 0 || ! -s $T/perf.data ]]; then
			PERF_NOTE="perf record failed ($(head -c 200 "$T/perf.err" | tr '\n' ' ')): caller chains not compared"
		else
			perf script -i "$T/perf.data" 2>/dev/null | _perf_fold >"$T/perf.folded"
		fi
	fi
	return 0
}

# _perf_fold: perf script's samples (a header line, then one line per
# frame, innermost first, then an empty line) as folded stacks, root first
_perf_fold() {
	awk 'function emit(   s, i) {
		if (!n) return
		s = comm
		for (i = n; i >= 1; i--) s = s ";" fr[i]
		count[s]++
		n = 0
	}
	/^[^ \t]/ { emit(); comm = $1; next }
	/^[ \t]+[0-9a-f]+ / {
		f = $0
		sub(/^[ \t]+[0-9a-f]+ /, "", f)
		sub(/ \([^()]*\)$/, "", f)
		sub(/\+0x[0-9a-f]+$/, "", f)
		fr[++n] = f
		next
	}
	/^$/ { emit() }
	END { emit(); for (s in count) print s, count[s] }'
}

# reach_pct FOLDED COMM REGEX: the share (%) of COMM's samples whose stack
# (root first, ";"-joined, with the comm) matches the extended REGEX
reach_pct() {
	awk -v c="$2" -v re="$3" '{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s) }
		index(s, c ";") == 1 { all += n; if (s ~ re) hit += n }
		END { printf "%.1f\n", all ? 100 * hit / all : 0 }' "$1"
}

# samples_of FOLDED COMM: the samples of COMM
samples_of() { awk -v c="$2" 'index($0, c ";") == 1 { s += $NF } END { print s + 0 }' "$1"; }

# chain FOLDED LEAF KEEP: the caller chain of LEAF that most samples show:
# the frames matching the extended regex KEEP (whole names, C++ parameters
# left out) from the root down to LEAF, ";"-joined; the workload's own
# functions, so that the two tools' names of libc's are not compared
chain() {
	awk -v leaf="$2" -v keep="^($3)\$" '{
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		k = split(s, fr, ";"); c = ""
		for (i = 2; i <= k; i++) {
			f = fr[i]; sub(/\(.*/, "", f)
			if (f !~ keep) continue
			c = c == "" ? f : c ";" f
			if (f == leaf) { w[c] += n; break }
		}
	} END { for (c in w) if (w[c] > best) { best = w[c]; b = c }; print b }' "$1"
}

# same_chains LEAF KEEP...: for each LEAF, the caller chain most samples
# show in perfpilot's profile equals perf's (skipped with a note when perf
# could not run)
same_chains() {
	local keep=$1 leaf a b
	shift
	if [[ -n $PERF_NOTE ]]; then
		note "$PERF_NOTE"
		return 0
	fi
	for leaf; do
		a=$(chain "$T/pp.out" "$leaf" "$keep")
		b=$(chain "$T/perf.folded" "$leaf" "$keep")
		[[ -n $a ]] || fail "no stack of $leaf in perfpilot's profile"
		[[ -n $b ]] || fail "no stack of $leaf in perf's profile"
		is "$leaf's callers as perf --call-graph dwarf shows them" "$a" "$b"
	done
	note "perf: $(samples_of "$T/perf.folded" "$COMM") samples, $(reach_pct "$T/perf.folded" "$COMM" "$REACH")% reach $REACH_WHAT"
}

# _unwind_check COMM MIN_SAMPLES: at least 95 % of COMM's samples reach
# REACH (an extended regex, REACH_WHAT in words), the summary says the
# stacks were walked with the tables
_unwind_check() {
	local n pct
	COMM=$1
	n=$(samples_of "$T/pp.out" "$COMM")
	cmp "samples of $COMM" "$n" -ge "$2"
	pct=$(reach_pct "$T/pp.out" "$COMM" "$REACH")
	cmp "% of the samples whose stack reaches $REACH_WHAT" "$pct" -ge 95
	grep -q '^perfpilot: user stacks: [0-9]* walked with unwind tables' "$T/pp.err" ||
		fail "no unwinding summary on stderr: $(head -c 300 "$T/pp.err" | tr '\n' '|')"
	grep -q 'DWARF unwinding unavailable' "$T/pp.err" &&
		fail "$(grep 'DWARF unwinding unavailable' "$T/pp.err")"
	note "$pct% of $n samples reach $REACH_WHAT"
}

# hot without frame pointers: its 60/30/10 split under main, every stack
# from main (through libc's start code), the chains perf gives
test_profile_unwind_hot() {
	local a b c
	_unwind_run "$W/hot_nofp" -- 499 || return
	REACH=';main;' REACH_WHAT=main
	_unwind_check hot_nofp 150
	a=$(folded_samples "$T/pp.out" hot_a)
	b=$(folded_samples "$T/pp.out" hot_b)
	c=$(folded_samples "$T/pp.out" hot_c)
	hot_shares "$a" "$b" "$c"
	grep -Eq '^hot_nofp;(.*;)?main;hot_a [0-9]+$' "$T/pp.out" ||
		fail "no stack hot_nofp;...;main;hot_a in: $(head -c 300 "$T/pp.out" | tr '\n' '|')"
	cpu_samples "samples" "$(samples_of "$T/pp.out" hot_nofp)" "$WL_JSON" 499
	same_chains 'main|hot_a|hot_b|hot_c' hot_a hot_b hot_c
}

# the same program with frame pointers only: its leaf functions keep none,
# so (nearly) no stack gets to main: the difference the tables make
test_profile_unwind_fp() {
	local pct
	_unwind_run "$W/hot_nofp" -- 499 --unwind fp || return
	pct=$(reach_pct "$T/pp.out" hot_nofp ';main;')
	cmp "% of the samples whose stack reaches main with frame pointers" "$pct" -le 10
	grep -q '^perfpilot: user stacks:' "$T/pp.err" &&
		fail "an unwinding summary with --unwind fp: $(grep '^perfpilot: user stacks:' "$T/pp.err")"
	note "$pct% of $(samples_of "$T/pp.out" hot_nofp) samples reach main with frame pointers"
	[[ -n $PERF_NOTE ]] ||
		note "perf --call-graph dwarf: $(reach_pct "$T/perf.folded" hot_nofp ';main;')%"
}

# threads: every stack from the routine they were started with, and from
# libc's thread start above it
test_profile_unwind_threads() {
	_unwind_run "$W/nofp_threads" -- 499 || return
	REACH='[^;]+;thread_work;' REACH_WHAT="the thread's start routine and its caller"
	_unwind_check nofp_threads 150
	same_chains 'thread_work|thread_hot' thread_hot
}

# a handler working on the stack of the function it interrupted: through
# the kernel's signal frame (libc's __restore_rt) back to main_spin and main
test_profile_unwind_signal() {
	local n h
	_unwind_run "$W/nofp_signal" -- 499 || return
	REACH=';main;main_spin' REACH_WHAT=main
	_unwind_check nofp_signal 150
	n=$(folded_samples "$T/pp.out" handler_hot)
	h=$(awk '/;main;main_spin;([^;]+;)?on_tick;handler_hot( |;)/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cmp "samples in handler_hot" "$n" -ge 50
	cmp "samples of handler_hot under main;main_spin;[trampoline;]on_tick" "$h" -ge $((n * 95 / 100))
	same_chains 'main|main_spin|on_tick|handler_hot' handler_hot main_spin
}

# C++ throwing exceptions: through libstdc++'s and libgcc's unwinder
test_profile_unwind_cxx() {
	local t
	command -v g++ >/dev/null || skip "g++ not installed"
	g++ -O2 -g -fomit-frame-pointer -o "$T/cxxthrow" "$(_src cxxthrow.cc)" 2>"$T/cc.err" ||
		{ fail "g++ failed: $(head -c 300 "$T/cc.err")"; return; }
	_unwind_run "$T/cxxthrow" -- 499 || return
	REACH=';main;' REACH_WHAT=main
	_unwind_check cxxthrow 150
	t=$(awk '/;__cxa_throw;/ { s += $NF } END { print s + 0 }' "$T/pp.out")
	cmp "samples in __cxa_throw and below (the exceptions)" "$t" -ge 5
	same_chains 'main|cx::run|cx::check' cx::check
	note "$t samples throwing"
}

# limits: a library whose table alone exceeds --unwind-memory (libz3: 2.9
# MiB of rows, preloaded into hot_nofp) is left out and counted; the rest
# loads and every stack still reaches main
test_profile_unwind_limits() {
	local z3
	z3=$(ldconfig -p 2>/dev/null | awk '/libz3\.so\.4 .*x86-64/ { print $NF; exit }')
	[[ -n $z3 && -e $z3 ]] || skip "no libz3.so.4 (a dependency of clang's libLLVM) to preload"
	WL_JSON=$T/hot_nofp.json
	wl_bg WL_PID "$WL_JSON" env LD_PRELOAD="$z3" "$W/hot_nofp" -w 3
	wl_ready "$WL_PID" hot_nofp || return
	grep -q libz3 "/proc/$WL_PID/maps" || { fail "libz3 not mapped by the workload"; return; }
	prof_bg pp -p "$WL_PID" -F 499 -d 4.5 --unwind-memory 2
	attach_wait
	go "$WL_PID"
	pp_wait || return
	wl_done "$WL_PID" "$WL_JSON" 12 || return
	REACH=';main;' REACH_WHAT=main
	_unwind_check hot_nofp 150
	grep -Eq '^perfpilot: user stacks: .*, [1-9][0-9]* over the limit' "$T/pp.err" ||
		fail "libz3's table not counted as over the limit: $(grep '^perfpilot: user stacks' "$T/pp.err")"
	note "$(grep -o 'tables: .*' "$T/pp.err")"
}

# -a: a program without frame pointers that starts while perfpilot samples
# the whole host: its tables (hot_nofp's, libc's) are built when its first
# walks land in them (counted on the summary line; until then, a fraction
# of a second, its frames are walked with frame pointers and stop short),
# and from then on its stacks reach main
test_profile_unwind_on_demand_all() {
	local n pct
	prof_bg pp -a -F 499 -d 9 --unwind dwarf
	attach_wait
	wl_bg WL_PID "$T/hot_nofp.json" "$W/hot_nofp" -w 6
	wl_ready "$WL_PID" hot_nofp || return
	go "$WL_PID"
	wl_done "$WL_PID" "$T/hot_nofp.json" 12 || return
	pp_wait || return
	n=$(sed -nE 's/^perfpilot: user stacks: .*, ([0-9]+) built when a walk landed in them.*/\1/p' "$T/pp.err")
	cmp "tables built when a walk landed in them" "${n:-0}" -ge 2
	n=$(samples_of "$T/pp.out" hot_nofp)
	cmp "samples of hot_nofp" "$n" -ge 150
	pct=$(reach_pct "$T/pp.out" hot_nofp ';main;')
	cmp "% of hot_nofp's samples whose stack reaches main" "$pct" -ge 75
	note "$pct% of $n samples reach main; $(grep -o '[0-9]* frames in a binary whose table was not built yet' "$T/pp.err"); $(grep -o '[0-9]* built when a walk landed in them, [0-9]* not built' "$T/pp.err")"
}

# a program whose own code has no unwind tables (built without them, and
# with frame pointers, as some are): its frames are walked with its frame
# pointers, the rest with the tables (libc's start code above main)
test_profile_unwind_no_tables() {
	local n
	command -v gcc >/dev/null || skip "gcc not installed"
	gcc -std=gnu11 -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		-fno-asynchronous-unwind-tables -fno-unwind-tables -o "$T/hot_nocfi" \
		"$(_src hot.c)" 2>"$T/cc.err" || { fail "gcc failed: $(head -c 300 "$T/cc.err")"; return; }
	_unwind_run "$T/hot_nocfi" -- 499 || return
	REACH=';main;' REACH_WHAT=main
	_unwind_check hot_nocfi 150
	n=$(sed -nE 's/.* from frame pointers \(([0-9]+) in a file with a table that does not cover them\).*/\1/p' "$T/pp.err")
	cmp "frames walked with frame pointers where hot_nocfi's table has no row" "${n:-}" -gt 0
	same_chains 'main|hot_a|hot_b|hot_c' hot_a hot_b hot_c
}

# _strip_nofp DIR: DIR/hot_nofp, a copy of hot_nofp stripped of its
# symbols (no debug file anywhere), and in BUILD_ID its build ID
_strip_nofp() {
	command -v strip >/dev/null || skip "binutils not installed"
	if ! { mkdir -p "$1" && cp "$W/hot_nofp" "$1/hot_nofp" && strip --strip-all "$1/hot_nofp"; }; then
		fail "could not strip a copy of hot_nofp"
		return 1
	fi
	nm "$1/hot_nofp" 2>/dev/null | grep -q hot_a && { fail "hot_a survived strip"; return 1; }
	BUILD_ID=$(readelf -n "$1/hot_nofp" | awk '/Build ID:/ { print $3 }')
	[[ ${#BUILD_ID} -ge 4 ]] || { fail "hot_nofp has no build ID"; return 1; }
}

# pprof of a stripped build without frame pointers, walked with its tables:
# its functions (hot_nofp+0xSTART) are in a mapping without functions, at
# file offsets; go tool pprof -symbolize=local, given the unstripped binary
# under PPROF_BINARY_PATH (by file name: Go's own pprof reads no build IDs),
# names them: hot_a/b/c with their shares, none of them left unnamed.
# Without the binary the names stay perfpilot's. (main, in .text.startup,
# is named by pprof's addr2line, not by Go's own DWARF reader: noted.)
test_profile_unwind_pprof_stripped() {
	local out=$T/pp.pb.gz top a b c f left hot_a hot_b hot_c
	type -P go >/dev/null || skip "go not installed (golang-go)"
	_strip_nofp "$T/s" || return
	if ! { mkdir -p "$T/bin" "$T/dbg" && cp "$W/hot_nofp" "$T/bin/hot_nofp"; }; then
		fail "cannot copy hot_nofp"
		return
	fi
	# no debug file: looked for in the empty $T/dbg only
	prof_workload "$T/s/hot_nofp" 3 -- 499 --unwind dwarf --debug-dir "$T/dbg" -o "$out" || return
	top=$(gopprof -sample_index=samples -top -nodecount=200 "$out" 2>"$T/pprof.err") ||
		{ fail "go tool pprof failed: $(head -c 300 "$T/pprof.err")"; return; }
	for f in hot_a hot_b hot_c; do
		a=$(nm "$W/hot_nofp" | awk -v f="$f" '$3 == f { print $1; exit }')
		[[ -n $a ]] || { fail "no $f in nm $W/hot_nofp"; return; }
		printf -v "$f" 'hot_nofp+0x%x' "$((16#$a))"
		[[ -n $(_top_cum "${!f}" "$top") ]] ||
			fail "no frame ${!f} ($f) without the binary: $(head -c 600 <<<"$top" | tr '\n' '|')"
	done
	grep -Eq ' hot_[abc]$' <<<"$top" && fail "hot_a/b/c named without the binary"
	top=$(PPROF_BINARY_PATH=$T/bin HOME=$T/gohome GOCACHE=$T/gocache GOPATH=$T/gopath \
		GOTOOLCHAIN=local GOFLAGS='' command go tool pprof -symbolize=local \
		-sample_index=samples -top -nodecount=200 "$out" 2>"$T/pprof.err") ||
		{ fail "go tool pprof -symbolize=local failed: $(head -c 300 "$T/pprof.err")"; return; }
	a=$(_top_cum hot_a "$top") b=$(_top_cum hot_b "$top") c=$(_top_cum hot_c "$top")
	[[ -n $a && -n $b && -n $c ]] ||
		{ fail "hot_a/b/c not named by pprof with the binary: $(head -c 800 <<<"$top" | tr '\n' '|') $(head -c 300 "$T/pprof.err" | tr '\n' '|')"; return; }
	left=$(awk -v a="$hot_a" -v b="$hot_b" -v c="$hot_c" '$NF == a || $NF == b || $NF == c' <<<"$top" | wc -l)
	is "frames $hot_a, $hot_b, $hot_c pprof left unnamed" "$left" 0
	shares "$a" "$b" "$c"
	grep -q ' main$' <<<"$top" || note "main not named by this pprof (Go's DWARF reader)"
	note "pprof with the binary: hot_a $a, hot_b $b, hot_c $c samples"
}

# containers: the same binary through two chroot roots (copies: other
# inodes, the same build ID) and its libraries there share one unwind
# table each, counted on the summary line; a different binary at the same
# path (/bin/hot) in a third root gets its own. Tables: one per distinct
# build ID of the files mapped (and the vDSO); every other file shares.
# All three walk to main.
test_profile_unwind_chroot_shared() {
	local r f files want got shared pids=() p
	command -v chroot >/dev/null || skip "chroot not installed"
	for r in a:hot_nofp b:hot_nofp c:hot; do
		_mini_root "$T/r${r%%:*}" "$W/${r#*:}" || { fail "cannot build a root for ${r#*:}"; return; }
	done
	[[ $(stat -c %i "$T/ra/bin/hot") != "$(stat -c %i "$T/rb/bin/hot")" ]] ||
		{ fail "the two copies share an inode"; return; }
	# the files the workloads map: /bin/hot and its libraries in each root
	find "$T"/r[abc] -type f \( -name hot -o -name '*.so*' \) >"$T/files"
	files=$(wc -l <"$T/files")
	while read -r f; do readelf -n "$f" | awk '/Build ID:/ { print $3 }'; done <"$T/files" |
		sort -u >"$T/ids"
	want=$(($(wc -l <"$T/ids") + 1)) # and the vDSO
	for r in a b c; do
		wl_bg p "$T/hot_$r.json" chroot "$T/r$r" /bin/hot -w 3
		wl_ready "$p" hot || return
		pids+=("$p")
	done
	prof_bg pp -p "$(IFS=,; echo "${pids[*]}")" -F 499 -d 4.5 --unwind dwarf
	attach_wait
	go "${pids[@]}"
	pp_wait || return
	wl_done "${pids[0]}" "$T/hot_a.json" 12 || return
	wl_done "${pids[1]}" "$T/hot_b.json" 12 || return
	wl_done "${pids[2]}" "$T/hot_c.json" 12 || return
	got=$(sed -nE 's/^perfpilot: user stacks: .*tables: ([0-9]+) binaries.*/\1/p' "$T/pp.err")
	shared=$(sed -nE "s/^perfpilot: user stacks: .*, ([0-9]+) files sharing another's table by build ID.*/\\1/p" "$T/pp.err")
	is "unwind tables loaded (one per build ID: hot_nofp, hot, their libraries, the vDSO)" "$got" "$want"
	is "files sharing a table by build ID (of $files files and the vDSO)" "$shared" "$((files + 1 - want))"
	REACH=';main;' REACH_WHAT=main
	_unwind_check hot 150
	note "$(grep -o 'tables: .*' "$T/pp.err")"
}

test_error_profile_bad_unwind() {
	_error_case "$PERFPILOT" profile --unwind sideways -d 1
}

test_error_profile_unwind_depth() {
	_error_case "$PERFPILOT" profile --unwind-depth 500 -d 1
}

test_error_record_unwind_no_profile() {
	_error_case "$PERFPILOT" record --unwind dwarf -d 1 -o "$T/x.db"
}

# a program as Debian ships it, without frame pointers: redis-server under
# redis-benchmark. Its main thread's samples (comm redis-server) reach main
# in at least 90 % of them, as in perf's DWARF mode (which must show so
# too, else the host is not giving the test what it needs)
test_profile_unwind_redis() {
	local port rdb rs bench pct n pperf i
	# Debian's redis-server is a link to redis-check-rdb (redis-tools), which
	# runs the server unless called by that name: no service is installed
	rdb=$(command -v redis-check-rdb) || skip "redis-tools not installed (tools/setup-deps.sh installs it)"
	bench=$(command -v redis-benchmark) || skip "redis-benchmark not installed (redis-tools)"
	rs=$T/bin/redis-server
	if ! { mkdir -p "$T/bin" && ln -s "$rdb" "$rs"; }; then
		fail "cannot link $rs"
		return
	fi
	port=$((20000 + RANDOM % 20000))
	wl_bg WL_PID "$T/redis.out" "$rs" --port "$port" --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize no --dir "$T"
	for ((i = 0; i < 100; i++)); do
		grep -q 'Ready to accept connections' "$T/redis.out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q 'Ready to accept connections' "$T/redis.out" ||
		{ fail "redis-server did not start: $(tail -c 300 "$T/redis.out")"; return; }
	prof_bg pp -p "$WL_PID" -F 499 -d 5
	if command -v perf >/dev/null; then
		perf record -q -e cpu-clock -F 499 --call-graph dwarf -p "$WL_PID" -o "$T/perf.data" \
			-- sleep 6 >"$T/perf.out" 2>"$T/perf.err" &
		_track $!
	fi
	attach_wait
	timeout 20 "$bench" -p "$port" -q -n 1000000 -c 20 -t get,set,lpush,incr >"$T/bench.out" 2>&1 &
	_track $!
	pp_wait || return
	REACH=';main;' REACH_WHAT=main
	COMM=redis-server
	n=$(samples_of "$T/pp.out" redis-server)
	cmp "samples of redis-server's main thread" "$n" -ge 100
	pct=$(reach_pct "$T/pp.out" redis-server ';main;')
	cmp "% of redis-server's samples whose stack reaches main" "$pct" -ge 90
	grep -Eq '^redis-server;(.*;)?main;(.*;)?aeMain;' "$T/pp.out" ||
		fail "no stack redis-server;...;main;...;aeMain: $(grep -m1 '^redis-server;' "$T/pp.out" | head -c 300)"
	note "$pct% of $n samples reach main; $(grep -o 'tables: [0-9]* binaries, [0-9.]* of' "$T/pp.err")"
	for ((i = 0; i < 100; i++)); do
		[[ -s $T/perf.data ]] && ! pgrep -f "perf record.*$T/perf.data" >/dev/null && break
		sleep 0.1
	done
	if [[ -s $T/perf.data ]]; then
		perf script -i "$T/perf.data" 2>/dev/null | _perf_fold >"$T/perf.folded"
		pperf=$(reach_pct "$T/perf.folded" redis-server ';main;')
		note "perf --call-graph dwarf: $pperf% of $(samples_of "$T/perf.folded" redis-server) samples reach main"
	fi
}
