#!/usr/bin/env bash
# Regenerate the checked-in vmlinux.h for this machine's architecture from the
# running kernel's BTF. The BPF programs are CO-RE: the header only has to be a
# superset of what they use; field offsets are relocated at load time.
set -euo pipefail
btf=${1:-/sys/kernel/btf/vmlinux}
arch=$(uname -m)
out="$(dirname "$0")/../vmlinux/$arch/vmlinux.h"
[ -r "$btf" ] || { echo "gen-vmlinux: $btf not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y)" >&2; exit 2; }
command -v bpftool >/dev/null || { echo "gen-vmlinux: bpftool not found: apt-get install bpftool" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -l < "$out") lines, from $(uname -r))"
