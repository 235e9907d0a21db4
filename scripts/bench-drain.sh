#!/usr/bin/env bash
# The drain rows of `make bench` only (the consumer alone), C and jbpf interleaved, medians:
# scripts/bench-drain.sh [ringbuf|perf|both] [RUNS] [SIZES]. Needs make bpf, the C consumers and the bench classes.
# The loader classes come before jbpf.jar (the same classes after a full build), so that `mvn -pl loader package` is enough between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
which=${1:-both}; runs=${2:-3}; sizes=${3:-"8 64 512"}
jdk="$(scripts/find-jdk.sh)"
bench_java=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED ${JBPF_BENCH_JVM_OPTS:-} -cp "$top/bench/target/classes:$top/loader/target/classes:$top/cli/target/jbpf.jar" dev.jbpf.bench.Bench)
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in ringbuf perf; do
  [ "$which" = both ] || [ "$which" = "$kind" ] || continue
  if [ $kind = ringbuf ]; then obj=build/bpf/bench_ringbuf.bpf.o; c=build/bench/ringbuf_consumer; secs=1
  else obj=build/bpf/bench_perf.bpf.o; c=build/bench/perf_consumer; secs=2; fi
  for size in $sizes; do
    cr=() jr=()
    for ((i = 0; i < runs; i++)); do
      line=$("$c" "$obj" "$size" $secs drain); cr+=("$(field rate <<<"$line")")
      line=$("${bench_java[@]}" $kind "$obj" "$size" $secs drain); jr+=("$(field rate <<<"$line")")
    done
    cm=$(echo "${cr[*]}" | median); jm=$(echo "${jr[*]}" | median)
    printf '%s %sB drain: C %.0f jbpf %.0f ratio %s   (C: %s | jbpf: %s)\n' $kind "$size" "$cm" "$jm" "$(ratio "$jm" "$cm")" "${cr[*]}" "${jr[*]}"
  done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
