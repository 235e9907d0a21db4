#!/usr/bin/env bash
# make demo: opensnoop on the running kernel. Streams every openat(2) on the machine for
# 10 seconds through a ring buffer, then prints the per-process open counts map.
set -euo pipefail
cd "$(dirname "$0")/.."

# A little file activity of our own, so even an idle machine shows live opens.
( export LC_ALL=C; for _ in $(seq 1 18); do cat /etc/os-release /etc/hostname > /dev/null; sleep 0.5; done ) &
workload=$!
trap 'kill "$workload" 2> /dev/null || true' EXIT

bin/jbpf attach build/bpf/opensnoop.bpf.o --duration 10 --dump-maps --record-type open_event
