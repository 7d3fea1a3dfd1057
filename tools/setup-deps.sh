#!/usr/bin/env bash
# Install what perfpilot needs to build, run and test, from the distribution's
# packages. Idempotent: does nothing when everything is present.
#
#   clang, llvm           compile the BPF programs (clang -target bpf), llvm-strip
#   bpftool               generate BPF skeletons and vmlinux.h
#   libbpf-dev            load and attach BPF programs (CO-RE)
#   libelf-dev, zlib1g-dev  libbpf's own dependencies
#   libdw-dev             DWARF access (symbolization)
#   libjansson-dev        JSON output
#   libncurses-dev        `perfpilot top`
#   libsqlite3-dev        the recording store (perfpilot record/report/diff)
#   sqlite3               end-to-end tests read the stores with the sqlite3 shell
#   libiberty-dev         C++ and Rust symbol demangling
#   libmicrohttpd-dev     the daemon's HTTP endpoint (/metrics, pprof, findings)
#   libcurl4-openssl-dev  the daemon's alert notifications (webhook, Alertmanager)
#   prometheus            promtool and a real Prometheus scrape the daemon in the tests
#   systemd, man-db       systemd-analyze verify and man check what make install puts in place
#   golang-go             `go tool pprof` reads back the pprof output in the tests
#   libxml2-utils         xmllint checks the SVG flame graph in the tests
#   libcmocka-dev         unit tests
#   libclang-rt-14-dev    libFuzzer and clang's sanitizer runtimes: the fuzz harnesses of
#                         tests/fuzz (make fuzz; make test runs them briefly)
#   binutils              objcopy cuts the fuzz seeds out of this host's binaries
#   jq, util-linux, procps, iproute2  end-to-end tests (parse JSON, setpriv, taskset, netns)
#   curl                  end-to-end tests fetch the daemon's HTTP paths
#   redis-tools           redis-benchmark and the redis server (redis-check-rdb, which
#                         serves unless called by that name: no service installed), a
#                         Debian program built without frame pointers whose stacks the
#                         unwind tables must walk to main
#   linux-perf            perf record --call-graph dwarf, the reference for the unwinding tests
#   bpftrace, time        the benchmarks (tools/bench/overhead and profile, optional;
#                         they use linux-perf too)
#   libbpf-tools, bpfcc-tools  offcputime, the off-CPU benchmark's reference (tools/bench/offcpu)
#   iperf3                TCP throughput in the tuner's benchmark (tools/bench/tune)
#   pkg-config, make, gcc build tools
set -euo pipefail
want_bench=0
[ "${1:-}" = "--bench" ] && want_bench=1

pkgs=(make gcc pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libdw-dev
      libjansson-dev libncurses-dev libsqlite3-dev libiberty-dev libmicrohttpd-dev libcurl4-openssl-dev libcmocka-dev libclang-rt-14-dev binutils golang-go prometheus systemd man-db sqlite3 libxml2-utils jq util-linux procps iproute2 coreutils curl redis-tools linux-perf)
[ "$want_bench" = 1 ] && pkgs+=(bpftrace time libbpf-tools bpfcc-tools iperf3)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${missing[*]}; run as root (sudo make ...) or: sudo apt-get install ${missing[*]}" >&2
	exit 2
fi
command -v apt-get >/dev/null || { echo "setup: no apt-get; install by hand: ${missing[*]}" >&2; exit 2; }
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
