#!/usr/bin/env bash
# `jbpf export` under load (bench/src/.../ExporterBench.java): bpf-src/bench_exporter.bpf.o's counter
# map filled from user space with ENTRIES keys (100,000), served by the exporter and scraped by
# SCRAPERS (50) concurrent scrapers over loopback HTTP for SECONDS (30); then the same scrapers for
# DIRECT_SECONDS (20) against a minimal direct path in a second JVM on the same kind of map (one
# BPF_MAP_LOOKUP_BATCH sweep per scrape, formatted straight to text: ebpf_exporter's way of reading),
# both at -Xmx EXPORTER_XMX (1g); then the exporter again for SECONDS_SMALL (15) at -Xmx
# EXPORTER_SMALL_XMX (192m), where the direct path runs out of heap. One run (about 80 s). Writes build/bench/exporter.md and puts it into BENCHMARKS.md between the
# exporter-results markers. `make bench` runs it (scripts/bench.sh); alone, after `make build`:
#   scripts/bench-exporter.sh
# BENCH_CP= replaces the jbpf class path (default cli/target/jbpf.jar) for a run without `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=build/bench
entries=${ENTRIES:-100000}
scrapers=${SCRAPERS:-50}
secs=${SECONDS_EXPORTER:-30}
direct_secs=${DIRECT_SECONDS:-20}
heap=${EXPORTER_XMX:-1g}
# the same exporter load again in a small heap: memory bounded (the direct path fails there)
small_heap=${EXPORTER_SMALL_XMX:-192m}
small_secs=${SECONDS_SMALL:-15}
obj=build/bpf/bench_exporter.bpf.o
jdk="$(scripts/find-jdk.sh)"
cp="$top/bench/target/classes:${BENCH_CP:-$top/cli/target/jbpf.jar}"
for f in "$obj" bench/bench_exporter.yaml bench/target/classes/dev/jbpf/bench/ExporterBench.class; do
  [ -e "$f" ] || { echo "bench-exporter: $f missing (make build)" >&2; exit 1; }
done
mkdir -p "$out"
dir=$(mktemp -d "$out/exporter-config.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cp "$obj" "$dir/bench_exporter.bpf.o"
cp bench/bench_exporter.yaml "$dir/bench_exporter.yaml"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# each path in a JVM of its own (the exporter's JVM keeps heap the direct path would otherwise inherit)
: > "$out/exporter-raw.log"
for run in "exporter $heap $secs" "direct $heap $direct_secs" "exporter $small_heap $small_secs"; do
  read -r phase xmx s <<<"$run"
  "$jdk/bin/java" -Xmx"$xmx" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.jbpf.bench.Bench \
    exporter-load "$dir" bench_exporter "$entries" "$scrapers" "$s" "$phase" | sed "s/phase=/xmx=$xmx phase=/" \
    | tee -a "$out/exporter-raw.log"
done

field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
exp_line=$(grep "xmx=$heap phase=exporter" "$out/exporter-raw.log")
dir_line=$(grep "xmx=$heap phase=direct" "$out/exporter-raw.log")
small_line=$(grep "xmx=$small_heap phase=exporter" "$out/exporter-raw.log")
fill=$(grep 'exporter-load fill' "$out/exporter-raw.log" | head -1 | field seconds)
row() { # NAME LINE SECONDS
  local l=$2
  printf '| %s | %s s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s / %s / %s | %s |\n' "$1" "$3" \
    "$(field scrapes <<<"$l")" "$(field failed <<<"$l")" "$(field per_s <<<"$l")" "$(field bytes_per_scrape <<<"$l")" \
    "$(field p50_ms <<<"$l")" "$(field p99_ms <<<"$l")" "$(field max_ms <<<"$l")" \
    "$(field heap_before_mb <<<"$l")" "$(field heap_peak_mb <<<"$l")" "$(field heap_after_mb <<<"$l")" \
    "$(field rss_before_mb <<<"$l")" "$(field rss_peak_mb <<<"$l")" "$(field rss_after_mb <<<"$l")" "$(field hwm_mb <<<"$l")"
}
{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r),"
  echo "$("$jdk/bin/java" -version 2>&1 | head -1); load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
  echo "one run: $entries keys written with batch().update in $fill s, $scrapers scrapers in the JVM of the path scraped, each path in a JVM of its own."
  echo
  echo "| path | scraped for | scrapes | failed | scrapes/s | bytes per scrape | p50 ms | p99 ms | max ms | heap MB before / peak | heap MB after | RSS MB before / peak / after | VmHWM MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  row "jbpf export, -Xmx$heap (batch walk, decoders, snapshots, Prometheus client text; one response per round of scrapes)" "$exp_line" "$secs"
  row "direct, -Xmx$heap: one BPF_MAP_LOOKUP_BATCH sweep per scrape formatted to text (ebpf_exporter's method)" "$dir_line" "$direct_secs"
  row "jbpf export, -Xmx$small_heap (memory bounded: the same load in a small heap)" "$small_line" "$small_secs"
  echo
  echo "p50 ratio (direct p50 / exporter p50, above 1 the exporter is faster): $(ratio "$(field p50_ms <<<"$dir_line")" "$(field p50_ms <<<"$exp_line")");"
  echo "throughput ratio (exporter scrapes/s / direct scrapes/s): $(ratio "$(field per_s <<<"$exp_line")" "$(field per_s <<<"$dir_line")")."
} > "$out/exporter.md"
cat "$out/exporter.md"
if grep -q '<!-- exporter-results -->' BENCHMARKS.md 2>/dev/null; then
  awk -v f="$out/exporter.md" '
    /<!-- exporter-results -->/ {print; while ((getline l < f) > 0) print l; skip = 1; next}
    /<!-- \/exporter-results -->/ {skip = 0}
    !skip' BENCHMARKS.md > BENCHMARKS.md.tmp && mv BENCHMARKS.md.tmp BENCHMARKS.md
  echo "exporter results: $out/exporter.md, copied into BENCHMARKS.md (raw lines: $out/exporter-raw.log)"
fi
