# shellcheck shell=bash
# End-to-end tests of `make install` and what it installs (sourced by
# run.sh; see lib.sh): every file in place under a DESTDIR, the systemd unit
# accepted by systemd-analyze, the man pages rendered by man without groff
# warnings and true to the --help texts, the Prometheus rules checked and
# tested by promtool, the example configs accepted, `make uninstall`
# removing it all. Each case also plants a mistake in a copy and expects
# the check to catch it. Nothing is installed outside $T.

_INSTALL_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# the files `make install PREFIX=/usr/local` puts under DESTDIR
_INSTALL_FILES=(
	etc/perfpilot/perfpilot.conf
	usr/local/lib/systemd/system/perfpilot.service
	usr/local/sbin/perfpilot
	usr/local/share/doc/perfpilot/prometheus/perfpilot.rules.test.yml
	usr/local/share/doc/perfpilot/prometheus/perfpilot.rules.yml
	usr/local/share/doc/perfpilot/prometheus/prometheus.yml
	usr/local/share/doc/perfpilot/tune.conf
	usr/local/share/man/man5/perfpilot.conf.5
	usr/local/share/man/man8/perfpilot.8
)

# _make TARGET DESTDIR [VAR=VALUE...]: make TARGET of the repository with
# the perfpilot under test, output in $T/make.out; its status
_make() {
	local target=$1 dest=$2
	shift 2
	make -C "$_INSTALL_REPO" --no-print-directory "$target" DESTDIR="$dest" \
		PREFIX=/usr/local PERFPILOT_BIN="$PERFPILOT" "$@" >"$T/make.out" 2>&1
}

# _install DESTDIR: make install there, or fail
_install() {
	_make install "$1" && return 0
	fail "make install DESTDIR=$1 failed: $(tail -n 3 "$T/make.out" | tr '\n' '|')"
	return 1
}

# _files DIR: the files (and symlinks) under DIR, relative, sorted
_files() { (cd "$1" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort); }

# every file in place, with its mode, nothing else; the program runs; the
# unit starts the installed program with the installed config; the unit
# directory is one systemd searches; PREFIX=/usr moves what it should
test_install_files() {
	local r=$T/root f got want mode
	_install "$r" || return
	got=$(_files "$r")
	want=$(printf '%s\n' "${_INSTALL_FILES[@]}" | LC_ALL=C sort)
	[[ $got == "$want" ]] ||
		fail "installed files differ from the list: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	for f in "${_INSTALL_FILES[@]}"; do
		[[ -f $r/$f ]] || continue
		mode=$(stat -c %a "$r/$f")
		want=644
		[[ $f == */sbin/perfpilot ]] && want=755
		is "mode of $f" "$mode" "$want"
	done
	is "the installed program's --version" "$("$r/usr/local/sbin/perfpilot" --version 2>&1)" \
		"$("$PERFPILOT" --version 2>&1)"
	is "ExecStart" "$(grep '^ExecStart=' "$r/usr/local/lib/systemd/system/perfpilot.service")" \
		"ExecStart=/usr/local/sbin/perfpilot daemon --config /etc/perfpilot/perfpilot.conf"
	grep -q '@[A-Z]*@' "$r/usr/local/lib/systemd/system/perfpilot.service" &&
		fail "the unit has an unreplaced @...@"
	if type -P systemd-analyze >/dev/null; then
		systemd-analyze unit-paths 2>/dev/null | grep -qx /usr/local/lib/systemd/system ||
			fail "/usr/local/lib/systemd/system is not among systemd's unit paths"
	fi
	# PREFIX=/usr
	_make install "$T/usr" PREFIX=/usr ||
		{ fail "make install PREFIX=/usr failed: $(tail -n 3 "$T/make.out")"; return; }
	[[ -x $T/usr/usr/sbin/perfpilot && -f $T/usr/usr/lib/systemd/system/perfpilot.service &&
		-f $T/usr/usr/share/man/man8/perfpilot.8 && -f $T/usr/etc/perfpilot/perfpilot.conf ]] ||
		fail "PREFIX=/usr: missing files: $(_files "$T/usr" | tr '\n' ' ')"
	grep -q '^ExecStart=/usr/sbin/perfpilot daemon ' "$T/usr/usr/lib/systemd/system/perfpilot.service" ||
		fail "PREFIX=/usr: $(grep '^ExecStart=' "$T/usr/usr/lib/systemd/system/perfpilot.service")"
	note "$(echo "$got" | wc -l) files"
}

# an existing config is never overwritten: a changed one stays and the
# default goes beside it as .new; the unchanged default is left as it is
test_install_keeps_config() {
	local r=$T/root c
	c=$r/etc/perfpilot/perfpilot.conf
	_install "$r" || return
	_install "$r" || return
	grep -q 'already the default' "$T/make.out" ||
		fail "a second install did not say the config is the default: $(tail -n 2 "$T/make.out")"
	[[ -e $c.new ]] && fail "$c.new made for an unchanged config"
	printf '[daemon]\ninterval = 10\n' >"$c"
	_install "$r" || return
	is "the changed config" "$(cat "$c")" $'[daemon]\ninterval = 10'
	command cmp -s "$c.new" "$_INSTALL_REPO/contrib/perfpilot.conf" ||
		fail "$c.new is not the default config"
	grep -q 'yours, kept' "$T/make.out" ||
		fail "install did not say it kept the config: $(tail -n 2 "$T/make.out")"
}

# systemd-analyze verify accepts the installed unit, Documentation= (its
# man pages, found in DESTDIR) included; a misspelled key is caught; the
# unit's exposure stays where it is (3.7 of 10 with systemd 252)
test_install_unit() {
	local r=$T/root u v out
	type -P systemd-analyze >/dev/null || skip "systemd-analyze not installed (systemd)"
	type -P man >/dev/null || skip "man not installed (man-db)"
	_install "$r" || return
	u=$r/usr/local/lib/systemd/system/perfpilot.service
	# verify checks that ExecStart's program exists on this host, and with
	# --root looks for /bin/kill and sysinit.target under the root too
	# (systemd 252): so it verifies a copy whose ExecStart names the program
	# under DESTDIR, the only line that differs
	mkdir -p "$T/verify" "$T/bad"
	v=$T/verify/perfpilot.service
	sed "s|^ExecStart=/usr/local/sbin/perfpilot |ExecStart=$r/usr/local/sbin/perfpilot |" "$u" >"$v"
	is "lines changed for verify" "$(diff "$u" "$v" | grep -c '^>')" 1
	out=$(MANPATH=$r/usr/local/share/man systemd-analyze verify "$v" 2>&1)
	is "systemd-analyze verify (status)" "$?" 0
	if [[ -z $out ]]; then
		note "systemd-analyze verify: no complaint"
	else
		fail "systemd-analyze verify: $(tr '\n' '|' <<<"$out")"
	fi
	# planted: a misspelled key and a bad value
	sed 's/^NoNewPrivileges=/NoNewPrivilege=/; s/^Nice=.*/Nice=often/' "$v" >"$T/bad/perfpilot.service"
	out=$(systemd-analyze verify --man=no "$T/bad/perfpilot.service" 2>&1)
	{ grep -q "Unknown key 'NoNewPrivilege'" <<<"$out" && grep -q "often" <<<"$out"; } ||
		fail "systemd-analyze verify missed the planted mistakes: $(tr '\n' '|' <<<"$out")"
	# exposure (0-100): 37 now; more than 45 means the hardening slipped
	systemd-analyze security --offline=true --threshold=45 "$v" >"$T/security.out" 2>&1 ||
		fail "systemd-analyze security: $(grep 'Overall exposure' "$T/security.out")"
	note "systemd-analyze security: exposure $(grep -oE 'Overall exposure level for [^:]*: [0-9.]+' "$T/security.out" | grep -oE '[0-9.]+$')"
}

# _man_text FILE: a page's roff source with \- as -, for looking up options
_man_text() { sed 's/\\-/-/g; s/\\f[BIRP]//g' "$1"; }

# man renders each installed page without warnings, finds them by name
# under DESTDIR, and perfpilot(8) names every option of every command's
# --help; planted roff mistakes give warnings
test_install_man() {
	local r=$T/root p cmd opt missing=() cmds
	type -P man >/dev/null || skip "man not installed (man-db)"
	_install "$r" || return
	for p in "$r/usr/local/share/man/man8/perfpilot.8" "$r/usr/local/share/man/man5/perfpilot.conf.5"; do
		MANWIDTH=80 man --warnings -l "$p" >"$T/page.txt" 2>"$T/page.err"
		is "man -l $(basename "$p") (status)" "$?" 0
		[[ -s $T/page.err ]] && fail "man --warnings -l $(basename "$p"): $(head -c 300 "$T/page.err" | tr '\n' '|')"
		{ grep -q '^NAME' "$T/page.txt" && [[ $(wc -l <"$T/page.txt") -gt 50 ]]; } ||
			fail "$(basename "$p") rendered to $(wc -l <"$T/page.txt") lines without NAME"
	done
	for p in 8:perfpilot 5:perfpilot.conf; do
		[[ $(MANPATH=$r/usr/local/share/man man -w "${p%%:*}" "${p#*:}" 2>/dev/null) == "$r"/* ]] ||
			fail "man -w ${p%%:*} ${p#*:} does not find the page under DESTDIR"
	done
	# every option of every --help is in perfpilot(8) (daemon's once it exists)
	cmds=(stat top profile record report diff capacity tune doctor)
	"$PERFPILOT" daemon --help >/dev/null 2>&1 && cmds+=(daemon)
	_man_text "$r/usr/local/share/man/man8/perfpilot.8" >"$T/perfpilot.8.txt"
	for cmd in "${cmds[@]}"; do
		for opt in $("$PERFPILOT" "$cmd" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*[a-z]' | sort -u); do
			grep -qF -- "$opt" "$T/perfpilot.8.txt" || missing+=("$cmd $opt")
		done
		grep -q "^\.SS perfpilot $cmd\$" "$T/perfpilot.8.txt" || missing+=("section $cmd")
	done
	((${#missing[@]} == 0)) || fail "perfpilot(8) lacks: ${missing[*]}"
	# planted: an unknown font and a bad escape
	sed 's/^perfpilot \\- eBPF/perfpilot \\- \\fQeBPF\\fR \\[nosuch]/' \
		"$r/usr/local/share/man/man8/perfpilot.8" >"$T/bad.8"
	man --warnings -l "$T/bad.8" >/dev/null 2>"$T/bad.err"
	[[ -s $T/bad.err ]] || fail "man --warnings said nothing about a planted mistake"
	note "${#cmds[@]} commands' options found in perfpilot(8)"
}

# the installed rules pass promtool check and their tests; the scrape
# config checks with a token file; a wrong expression, or a rule that
# fires for the wrong series, is caught
test_install_prometheus() {
	local r=$T/root d out
	type -P promtool >/dev/null || skip "promtool not installed (prometheus)"
	_install "$r" || return
	d=$r/usr/local/share/doc/perfpilot/prometheus
	out=$(promtool check rules "$d/perfpilot.rules.yml" 2>&1) ||
		fail "promtool check rules: $(tr '\n' '|' <<<"$out")"
	note "$(grep -o '[0-9]* rules found' <<<"$out")"
	out=$(cd "$d" && promtool test rules perfpilot.rules.test.yml 2>&1) ||
		fail "promtool test rules: $(head -c 600 <<<"$out" | tr '\n' '|')"
	# the scrape config, with its token file where this test has one
	mkdir -p "$T/prom"
	cp "$d"/*.yml "$T/prom/"
	echo secret >"$T/prom/token"
	chmod 600 "$T/prom/token"
	sed -i "s|bearer_token_file: .*|bearer_token_file: $T/prom/token|" "$T/prom/prometheus.yml"
	out=$(promtool check config "$T/prom/prometheus.yml" 2>&1) ||
		fail "promtool check config: $(tr '\n' '|' <<<"$out")"
	# planted: a histogram_quantile without its closing parenthesis
	mkdir -p "$T/bad1" "$T/bad2"
	cp "$d"/*.yml "$T/bad1/"
	sed -i 's/(rate(perfpilot_cgroup_runqueue_latency_seconds_bucket\[5m\]))/(rate(perfpilot_cgroup_runqueue_latency_seconds_bucket[5m])/' \
		"$T/bad1/perfpilot.rules.yml"
	command cmp -s "$d/perfpilot.rules.yml" "$T/bad1/perfpilot.rules.yml" && fail "the planted parse error was not planted"
	promtool check rules "$T/bad1/perfpilot.rules.yml" >"$T/bad1.out" 2>&1 &&
		fail "promtool check rules passed a rule with an unclosed parenthesis"
	grep -q 'parse error' "$T/bad1.out" || fail "promtool check rules: $(head -c 300 "$T/bad1.out")"
	# planted: the memory rule without its guard against a limit of 0 (no
	# limit) is valid PromQL, but fires for the cgroup without a limit
	cp "$d"/*.yml "$T/bad2/"
	sed -i 's|/ (perfpilot_cgroup_memory_limit_bytes > 0) > 0.9|/ perfpilot_cgroup_memory_limit_bytes > 0.9|' \
		"$T/bad2/perfpilot.rules.yml"
	command cmp -s "$d/perfpilot.rules.yml" "$T/bad2/perfpilot.rules.yml" && fail "the planted rule change was not planted"
	promtool check rules "$T/bad2/perfpilot.rules.yml" >/dev/null 2>&1 ||
		fail "the planted rule change should still be valid PromQL"
	(cd "$T/bad2" && promtool test rules perfpilot.rules.test.yml) >"$T/bad2.out" 2>&1 &&
		fail "promtool test rules passed a memory rule that fires without a limit"
	grep -q 'cgroup="/sys/fs/cgroup/free"' "$T/bad2.out" ||
		fail "promtool test rules failed, but not on the cgroup without a limit: $(head -c 300 "$T/bad2.out")"
}

# the example configs: perfpilot.conf has the keys perfpilot.conf(5)
# documents (and none it does not), and the daemon accepts it with every
# key uncommented once there is a daemon; tune.conf is accepted by
# `perfpilot tune` as it is and uncommented, and a typo in it is not
test_install_config() {
	local r=$T/root c s keys_conf keys_man rc port pid
	_install "$r" || return
	c=$r/etc/perfpilot/perfpilot.conf
	# #key = value lines and [section] headers, uncommented
	sed -E 's/^#([a-z_]+ =( |$))/\1/; s/^#(\[[a-z]+( [a-z-]+)?\])$/\1/' "$c" >"$T/all.conf"
	keys_conf=$(grep -oE '^[a-z_]+ =( |$)' "$T/all.conf" | sed 's/ = *//' | sort -u | tr '\n' ' ')
	keys_man=$(grep -oE '^\.B[IR]? [a-z_]+ "? =' "$r/usr/local/share/man/man5/perfpilot.conf.5" |
		awk '{ print $2 }' | sort -u | tr '\n' ' ')
	is "keys of perfpilot.conf vs perfpilot.conf(5)" "$keys_conf" "$keys_man"
	for s in daemon retention analysis http tune notify; do
		grep -qx "\[$s\]" "$c" || fail "perfpilot.conf has no [$s] section"
		grep -q "^\.SH \"\[$s\]\"" "$r/usr/local/share/man/man5/perfpilot.conf.5" ||
			fail "perfpilot.conf(5) has no [$s] section"
	done
	[[ $(grep -c '^\[alert ' "$T/all.conf") == 2 ]] ||
		fail "perfpilot.conf should have one example of each alert kind (finding, metric)"
	# tune.conf, as it is, all uncommented, and with a typo
	_tune_conf_case() {
		"$PERFPILOT" tune --config "$1" -d 1 --state-dir "$T/state" >"$T/tune.out" 2>"$T/tune.err"
	}
	_tune_conf_case "$r/usr/local/share/doc/perfpilot/tune.conf" ||
		fail "perfpilot tune refused tune.conf: $(head -n 2 "$T/tune.err" | tr '\n' '|')"
	sed -E 's/^#([a-z_]+ = )/\1/; s/^#(\[[a-z_ .]+\])$/\1/' \
		"$r/usr/local/share/doc/perfpilot/tune.conf" >"$T/tune-all.conf"
	_tune_conf_case "$T/tune-all.conf" ||
		fail "perfpilot tune refused tune.conf uncommented: $(head -n 2 "$T/tune.err" | tr '\n' '|')"
	sed 's/^verify_window = 10/verify_windw = 10/' "$T/tune-all.conf" >"$T/tune-bad.conf"
	_tune_conf_case "$T/tune-bad.conf"
	rc=$?
	is "perfpilot tune with a typo in tune.conf (status)" "$rc" 2
	grep -q 'tune-bad.conf:[0-9]*:.*verify_windw' "$T/tune.err" ||
		fail "perfpilot tune did not name the typo: $(head -n 2 "$T/tune.err" | tr '\n' '|')"
	# the daemon, once this build has one
	if ! "$PERFPILOT" daemon --help >/dev/null 2>&1; then
		note "perfpilot.conf not loaded: this perfpilot has no daemon command"
		return
	fi
	port=$((20000 + RANDOM % 20000))
	"$PERFPILOT" daemon --config "$T/all.conf" --state-dir "$T/dstate" \
		--listen "127.0.0.1:$port" >"$T/daemon.out" 2>"$T/daemon.err" &
	pid=$!
	_track "$pid"
	sleep 3
	if ! _alive "$pid"; then
		wait_exit "$pid" 1
		fail "perfpilot daemon with every key of perfpilot.conf exited with $WAIT_RC: $(head -n 3 "$T/daemon.err" | tr '\n' '|')"
		return
	fi
	grep -q 'all.conf:[0-9]' "$T/daemon.err" &&
		fail "perfpilot daemon complained about perfpilot.conf: $(grep 'all.conf:' "$T/daemon.err" | head -n 2 | tr '\n' '|')"
	kill -TERM "$pid"
	wait_exit "$pid" 10 || { fail "perfpilot daemon still running 10 s after SIGTERM"; return; }
	is "perfpilot daemon's status after SIGTERM" "$WAIT_RC" 0
}

# make uninstall removes every file install put; a changed config and the
# state directory stay (and it says so); it refuses while the unit is enabled
test_install_uninstall() {
	local r=$T/root left
	_install "$r" || return
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
	ln -s /usr/local/lib/systemd/system/perfpilot.service \
		"$r/etc/systemd/system/multi-user.target.wants/perfpilot.service"
	_make uninstall "$r" && fail "make uninstall went ahead while perfpilot.service was enabled"
	grep -q 'disable --now perfpilot' "$T/make.out" ||
		fail "make uninstall did not say to disable the unit: $(tail -n 2 "$T/make.out")"
	[[ -x $r/usr/local/sbin/perfpilot ]] || fail "the refused uninstall removed the program"
	rm -r "$r/etc/systemd"
	_make uninstall "$r" || fail "make uninstall failed: $(tail -n 3 "$T/make.out" | tr '\n' '|')"
	left=$(_files "$r")
	[[ -z $left ]] || fail "left after make uninstall: $(tr '\n' ' ' <<<"$left")"
	# a changed config and the state stay
	_install "$r" || return
	echo "# mine" >>"$r/etc/perfpilot/perfpilot.conf"
	mkdir -p "$r/var/lib/perfpilot"
	echo x >"$r/var/lib/perfpilot/perfpilot.db"
	_make uninstall "$r" || fail "make uninstall failed: $(tail -n 3 "$T/make.out" | tr '\n' '|')"
	left=$(_files "$r" | tr '\n' ' ')
	is "left after make uninstall with a changed config and a state dir" "$left" \
		"etc/perfpilot/perfpilot.conf var/lib/perfpilot/perfpilot.db "
	grep -q 'perfpilot.conf: changed from the default, kept' "$T/make.out" ||
		fail "make uninstall did not say it kept the changed config"
	grep -q 'var/lib/perfpilot .*kept' "$T/make.out" ||
		fail "make uninstall did not say it kept the state directory"
}
