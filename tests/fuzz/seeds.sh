#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/seeds.sh DIR: the seeds too large to keep in tests/fuzz/corpus,
# made from this host's own files into DIR/<harness>/ (once: a harness's
# seeds are left as they are when its directory exists). Binaries and
# their DWARF, kallsyms, the maps and cgroups of running processes, a
# process's stat, status, numa_maps and sched and the host's /proc/stat,
# PSI and vmstat, stores written by build/fuzz/mkstore.
set -u
out=${1:?seed directory}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}
# a directory to fill, or false when it is there already
fresh() {
	[[ -d $out/$1 ]] && return 1
	mkdir -p "$out/$1.tmp" && rm -rf "$out/$1.tmp"/* && return 0
}
done_() { mv "$out/$1.tmp" "$out/$1"; }

# small programs with DWARF and inlined functions, stripped copies with a
# debuglink, a relocatable object, /bin/true
if fresh fuzz_elf; then
	d=$out/fuzz_elf.tmp
	cp /bin/true "$d/true"
	"$CC" -O2 -g -o "$d/inlined" "$ROOT/tests/workloads/inlined.c" 2>/dev/null
	"$CC" -O1 -gdwarf-4 -fomit-frame-pointer -o "$d/hot" "$ROOT/tests/workloads/hot.c" 2>/dev/null
	"$CC" -O2 -g -c -o "$d/inlined.o" "$ROOT/tests/workloads/inlined.c" 2>/dev/null
	if [[ -f $d/inlined ]]; then
		objcopy --only-keep-debug "$d/inlined" "$d/inlined.debug"
		objcopy --strip-all --add-gnu-debuglink="$d/inlined.debug" "$d/inlined" "$d/inlined.stripped"
	fi
	done_ fuzz_elf
fi
if fresh fuzz_inlines; then
	cp "$out"/fuzz_elf/{inlined,hot,inlined.o,inlined.debug} "$out/fuzz_inlines.tmp/" 2>/dev/null
	done_ fuzz_inlines
fi
if fresh fuzz_unwind; then
	cp /bin/true "$out"/fuzz_elf/{inlined,hot,inlined.debug} "$out/fuzz_unwind.tmp/" 2>/dev/null
	done_ fuzz_unwind
fi
# a note section and a .gnu_debuglink as they are in files (the first byte
# picks alignment 4, little-endian)
if fresh fuzz_debuginfo; then
	d=$out/fuzz_debuginfo.tmp
	for sec in .note.gnu.build-id .gnu_debuglink; do
		f=$out/fuzz_elf/inlined.stripped
		[[ $sec == .note.gnu.build-id ]] && f=/bin/true
		if objcopy --dump-section $sec="$d/raw" "$f" "$d/junk" 2>/dev/null && [[ -s $d/raw ]]; then
			{ printf '\002'; cat "$d/raw"; } >"$d/${sec#.}"
		fi
		rm -f "$d/raw" "$d/junk"
	done
	done_ fuzz_debuginfo
fi
if fresh fuzz_kallsyms; then
	head -c 60000 /proc/kallsyms >"$out/fuzz_kallsyms.tmp/kallsyms-head"
	grep -m 400 '\[' /proc/kallsyms >"$out/fuzz_kallsyms.tmp/kallsyms-modules"
	done_ fuzz_kallsyms
fi
if fresh fuzz_maps; then
	n=0
	for m in /proc/[0-9]*/maps; do
		cat "$m" >"$out/fuzz_maps.tmp/maps-$n" 2>/dev/null
		[[ -s $out/fuzz_maps.tmp/maps-$n ]] || rm -f "$out/fuzz_maps.tmp/maps-$n"
		n=$((n + 1))
		((n < 8)) || break
	done
	done_ fuzz_maps
fi
if fresh fuzz_cgroup; then
	{ cat /proc/self/mountinfo; printf '\0/system.slice\0'; cat /proc/1/cgroup; printf '\0'
	  cat /proc/cgroups; } >"$out/fuzz_cgroup.tmp/host"
	done_ fuzz_cgroup
fi
# what the tuner reads of /proc about a process and the host
if fresh fuzz_procstat; then
	d=$out/fuzz_procstat.tmp
	for f in self/stat self/status stat pressure/cpu pressure/memory vmstat; do
		head -c 60000 "/proc/$f" >"$d/${f//\//-}" 2>/dev/null || rm -f "$d/${f//\//-}"
	done
	done_ fuzz_procstat
fi
if fresh fuzz_numa_maps; then
	head -c 200000 /proc/self/numa_maps >"$out/fuzz_numa_maps.tmp/self" 2>/dev/null
	done_ fuzz_numa_maps
fi
if fresh fuzz_proc_sched; then
	cat /proc/self/sched >"$out/fuzz_proc_sched.tmp/self" 2>/dev/null
	done_ fuzz_proc_sched
fi
# stores as record writes them: a few processes, and churn
if fresh fuzz_store; then
	d=$out/fuzz_store.tmp
	mk=$ROOT/build/fuzz/mkstore
	ASAN_OPTIONS=detect_leaks=0 "$mk" steady "$d/steady.db" --procs 6 --busy 2 --intervals 40 >/dev/null &&
	ASAN_OPTIONS=detect_leaks=0 "$mk" churn "$d/churn.db" --intervals 20 --rate 4 --base 2 >/dev/null ||
		{ echo "seeds: $mk failed" >&2; exit 1; }
	rm -f "$d"/*-wal "$d"/*-shm "$d"/*-journal
	done_ fuzz_store
fi
for h in fuzz_store_sql fuzz_perfmap fuzz_folded fuzz_tune_config fuzz_daemon_config; do
	fresh $h && done_ $h
done
exit 0
