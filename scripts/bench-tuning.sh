#!/usr/bin/env bash
# The guide's tuning patterns (bpf-src/tuning.bpf.c) measured with the kernel's BPF statistics:
# ns per event of each program, run through BPF_PROG_TEST_RUN from 1 thread and from 2 at once
# (bench/src/.../TuningBench.java). Writes build/bench/tuning.md and puts it into BENCHMARKS.md
# between the tuning-results markers. `make bench` runs it last (scripts/bench.sh); alone:
#   scripts/bench-tuning.sh      (after `make build`; ROUNDS=5 and EVENTS=2000000 per run by default)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=build/bench
rounds=${ROUNDS:-5}
events=${EVENTS:-2000000}
obj=build/bpf/tuning.bpf.o
jdk="$(scripts/find-jdk.sh)"
bench_java=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED -cp "$top/bench/target/classes:$top/cli/target/jbpf.jar" dev.jbpf.bench.Bench)
for f in "$obj" cli/target/jbpf.jar bench/target/classes/dev/jbpf/bench/TuningBench.class; do
  [ -e "$f" ] || { echo "bench-tuning: $f missing (make build)" >&2; exit 1; }
done
mkdir -p "$out"
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$out/tuning-raw.log"

declare -A stats testrun
for threads in 1 2; do
  for ((i = 0; i < rounds; i++)); do
    while read -r line; do
      echo "$line" >> "$out/tuning-raw.log"
      program=$(sed -n 's/.*program=\([^ ]*\).*/\1/p' <<<"$line")
      stats[$program,$threads]+=" $(sed -n 's/.*stats_ns=\([^ ]*\).*/\1/p' <<<"$line")"
      testrun[$program,$threads]+=" $(sed -n 's/.*testrun_ns=\([^ ]*\).*/\1/p' <<<"$line")"
    done < <("${bench_java[@]}" tuning "$obj" "$events" "$threads")
  done
done

describe() {
  case $1 in
    count_nothing) echo "empty program (the floor: statistics and dispatch)" ;;
    count_split) echo "6.1 before: bytes and packets in two hash maps (2 look-ups)" ;;
    count_merged) echo "6.1 after: one hash map, merged value struct (1 look-up)" ;;
    count_shared_atomic) echo "6.2 before: one shared array slot, __sync_fetch_and_add" ;;
    count_percpu) echo "6.2 after: per-CPU array slot, plain add" ;;
  esac
}
{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r);"
  echo "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; medians of $rounds runs of $events events per thread."
  spread=$(grep 'program=count_percpu threads=2' "$out/tuning-raw.log" | tail -1 | sed -n 's/.*per_cpu=\([^ ]*\).*/\1/p')
  echo "Where the 2-thread runs went (per-CPU counter copies after the last one, warm-up included): ${spread//,/, }."
  echo
  echo "| program | pattern | ns/event, 1 thread (BPF stats) | ns/event, 2 threads at once (BPF stats) | ns/run, 1 thread (test run) | ns/run, 2 threads (test run) |"
  echo "|---|---|---|---|---|---|"
  for program in count_nothing count_split count_merged count_shared_atomic count_percpu; do
    printf '| %s | %s | %s | %s | %s | %s |\n' "$program" "$(describe "$program")" \
      "$(echo "${stats[$program,1]}" | median)" "$(echo "${stats[$program,2]}" | median)" \
      "$(echo "${testrun[$program,1]}" | median)" "$(echo "${testrun[$program,2]}" | median)"
  done
} > "$out/tuning.md"
cat "$out/tuning.md"
if grep -q '<!-- tuning-results -->' BENCHMARKS.md 2>/dev/null; then
  awk -v f="$out/tuning.md" '
    /<!-- tuning-results -->/ {print; while ((getline l < f) > 0) print l; skip = 1; next}
    /<!-- \/tuning-results -->/ {skip = 0}
    !skip' BENCHMARKS.md > BENCHMARKS.md.tmp && mv BENCHMARKS.md.tmp BENCHMARKS.md
  echo "tuning results: $out/tuning.md, copied into BENCHMARKS.md (raw lines: $out/tuning-raw.log)"
fi
