#!/usr/bin/env bash
# Mounts the kernel file systems BPF tooling needs when they are missing:
# bpffs (/sys/fs/bpf, for pins) and tracefs (/sys/kernel/tracing, for tracepoint ids).
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "kernel-fs: not root, leaving mounts as they are"; exit 0; }
mounted() { awk -v m="$1" -v t="$2" '$2 == m && $3 == t { found = 1 } END { exit !found }' /proc/mounts; }
mounted /sys/fs/bpf bpf || { mkdir -p /sys/fs/bpf; mount -t bpf bpf /sys/fs/bpf; }
mounted /sys/kernel/tracing tracefs || mount -t tracefs tracefs /sys/kernel/tracing
