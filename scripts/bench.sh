#!/usr/bin/env bash
# `make bench`: jbpf side by side with C libbpf, bpftool and Go (cilium/ebpf) on the same kernel
# objects, in one run. Prints one line per comparison (the figures and the ratios), writes the table to
# build/bench/results.md and puts it into BENCHMARKS.md between the results markers.
# RUNS (default 3) runs per figure, median taken; SECONDS_PER_RUN (default 3) per ring buffer run.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=build/bench
runs=${RUNS:-3}
secs=${SECONDS_PER_RUN:-3}
obj=build/bpf/bench_ringbuf.bpf.o
jdk="$(scripts/find-jdk.sh)"
bench_java=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED -cp "$top/bench/target/classes:$top/cli/target/jbpf.jar" dev.jbpf.bench.Bench)
pin=/sys/fs/bpf/jbpf_bench_$$
small_pin=/sys/fs/bpf/jbpf_bench_small_$$
trap 'rm -f "$pin" "$small_pin"' EXIT
for f in "$obj" build/bpf/bench_perf.bpf.o build/bpf/uprobes.bpf.o build/test-bin/trace_target cli/target/jbpf.jar bench/target/classes/dev/jbpf/bench/Bench.class; do
  [ -e "$f" ] || { echo "bench: $f missing (make build)" >&2; exit 1; }
done

# the Go (cilium/ebpf) consumers, bench/go: Debian's Go 1.23 (make deps), cilium/ebpf's source from
# Debian's package (scripts/bench-go-deps.sh, once); the build is offline and cached in build/go-cache
go=/usr/lib/go-1.23/bin/go
[ -x "$go" ] || { echo "bench: $go missing (make deps)" >&2; exit 1; }
scripts/bench-go-deps.sh
(cd bench/go && GOPROXY=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$top/build/go-cache" \
  "$go" build -trimpath -o "$top/$out/cilium_bench" .)
cilium_version=$(sed -n 's|^\s*github.com/cilium/ebpf \(v[^ ]*\)$|\1|p' bench/go/go.mod)

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }   # value of key=value in a result line
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
# wall time of a command in seconds (output discarded)
walltime() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); awk -v n=$((e - s)) 'BEGIN {printf "%.4f", n / 1e9}'; }
# "SECONDS MAXRSS_KB" of a command (GNU time; output discarded)
timed() { /usr/bin/time -f '%e %M' -o "$out/time.$$" "$@" >/dev/null 2>&1; cat "$out/time.$$"; rm -f "$out/time.$$"; }

rows=()
# row NAME REFERENCE JBPF RATIO NOTES: no Go figure; grow NAME REFERENCE JBPF GO RATIO GO_RATIO NOTES
row() { rows+=("| $1 | $2 | $3 | - | $4 | - | $5 |"); }
grow() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
gobench=("$out/cilium_bench")
log() { echo "$*" >> "$out/raw.log"; }
: > "$out/raw.log"

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. ring buffer -------------------------------------------------------------------------
for size in 8 64 512; do
  # Go: ringbuf.Reader.ReadInto with one reused Record (gi) and Read, a new Record per record (gr)
  c_rates=() j_rates=() gi_rates=() gr_rates=() c_drops=() j_drops=() gi_drops=() gr_drops=()
  c_cpu=() j_cpu=() gi_cpu=() gr_cpu=()
  for ((i = 0; i < runs; i++)); do   # interleaved, so that a burst of load hits all alike
    line=$("$out/ringbuf_consumer" "$obj" "$size" "$secs"); log "$line"
    c_rates+=("$(field rate <<<"$line")"); c_drops+=("$(field dropped <<<"$line")"); c_cpu+=("$(field cpu_ns_per_record <<<"$line")")
    line=$("${bench_java[@]}" ringbuf "$obj" "$size" "$secs"); log "$line"
    j_rates+=("$(field rate <<<"$line")"); j_drops+=("$(field dropped <<<"$line")"); j_cpu+=("$(field cpu_ns_per_record <<<"$line")")
    line=$("${gobench[@]}" ringbuf readinto "$obj" "$size" "$secs"); log "$line"
    gi_rates+=("$(field rate <<<"$line")"); gi_drops+=("$(field dropped <<<"$line")"); gi_cpu+=("$(field cpu_ns_per_record <<<"$line")")
    line=$("${gobench[@]}" ringbuf read "$obj" "$size" "$secs"); log "$line"
    gr_rates+=("$(field rate <<<"$line")"); gr_drops+=("$(field dropped <<<"$line")"); gr_cpu+=("$(field cpu_ns_per_record <<<"$line")")
  done
  c=$(echo "${c_rates[*]}" | median); j=$(echo "${j_rates[*]}" | median)
  gi=$(echo "${gi_rates[*]}" | median); gr=$(echo "${gr_rates[*]}" | median)
  cd_=$(echo "${c_drops[*]}" | median); jd=$(echo "${j_drops[*]}" | median)
  gid=$(echo "${gi_drops[*]}" | median); grd=$(echo "${gr_drops[*]}" | median)
  cc=$(echo "${c_cpu[*]}" | median); jc=$(echo "${j_cpu[*]}" | median)
  gic=$(echo "${gi_cpu[*]}" | median); grc=$(echo "${gr_cpu[*]}" | median)
  r=$(ratio "$j" "$c")
  printf 'ringbuf %sB: C %.0f rec/s, jbpf %.0f rec/s, Go ReadInto %.0f rec/s, Go Read %.0f rec/s; jbpf/C %s, jbpf/Go %s (Read %s) (dropped per run: C %.0f, jbpf %.0f, Go %.0f/%.0f)\n' \
    "$size" "$c" "$j" "$gi" "$gr" "$r" "$(ratio "$j" "$gi")" "$(ratio "$j" "$gr")" "$cd_" "$jd" "$gid" "$grd"
  printf 'ringbuf %sB consumer CPU per record: C %s ns, jbpf %s ns, Go ReadInto %s ns, Go Read %s ns; jbpf/C %s, jbpf/Go %s\n' \
    "$size" "$cc" "$jc" "$gic" "$grc" "$(ratio "$cc" "$jc")" "$(ratio "$gic" "$jc")"
  grow "ring buffer, ${size}-byte records (records/s, higher is better)" "$(printf %.0f "$c") (C libbpf ring_buffer__poll)" "$(printf %.0f "$j") (RingBuffer.poll)" \
    "$(printf %.0f "$gi") (ringbuf.Reader.ReadInto)" "$r" "$(ratio "$j" "$gi")" \
    "Go Read (a new Record per record): $(printf %.0f "$gr"), jbpf/Go $(ratio "$j" "$gr"); dropped per ${secs} s run: C $(printf %.0f "$cd_"), jbpf $(printf %.0f "$jd"), Go ReadInto $(printf %.0f "$gid"), Read $(printf %.0f "$grd")"
  grow "ring buffer, ${size}-byte records: consumer thread CPU per record (ns, lower is better)" "$cc" "$jc" "$gic (ReadInto)" "$(ratio "$cc" "$jc")" "$(ratio "$gic" "$jc")" \
    "Go Read: $grc ns, jbpf/Go $(ratio "$grc" "$jc")"
  # the consumer alone: fill the ring, time emptying it (no producer competing for the CPUs)
  c_rates=() j_rates=() gi_rates=() gr_rates=() j_alloc=() gi_alloc=() gr_alloc=()
  for ((i = 0; i < runs; i++)); do
    line=$("$out/ringbuf_consumer" "$obj" "$size" 1 drain); log "$line"; c_rates+=("$(field rate <<<"$line")")
    line=$("${bench_java[@]}" ringbuf "$obj" "$size" 1 drain); log "$line"; j_rates+=("$(field rate <<<"$line")")
    j_alloc+=("$(field alloc_per_record <<<"$line")")
    line=$("${gobench[@]}" ringbuf readinto "$obj" "$size" 1 drain); log "$line"; gi_rates+=("$(field rate <<<"$line")")
    gi_alloc+=("$(field alloc_per_record <<<"$line")")
    line=$("${gobench[@]}" ringbuf read "$obj" "$size" 1 drain); log "$line"; gr_rates+=("$(field rate <<<"$line")")
    gr_alloc+=("$(field alloc_per_record <<<"$line")")
  done
  ja=$(echo "${j_alloc[*]}" | median); gia=$(echo "${gi_alloc[*]}" | median); gra=$(echo "${gr_alloc[*]}" | median)
  c=$(echo "${c_rates[*]}" | median); j=$(echo "${j_rates[*]}" | median); r=$(ratio "$j" "$c")
  gi=$(echo "${gi_rates[*]}" | median); gr=$(echo "${gr_rates[*]}" | median)
  printf 'ringbuf %sB drain (consumer alone): C %.0f rec/s, jbpf %.0f rec/s, Go ReadInto %.0f rec/s, Go Read %.0f rec/s; jbpf/C %s, jbpf/Go %s (Read %s)\n' \
    "$size" "$c" "$j" "$gi" "$gr" "$r" "$(ratio "$j" "$gi")" "$(ratio "$j" "$gr")"
  grow "ring buffer, ${size}-byte records, consumer alone: drain a full ring (records/s)" "$(printf %.0f "$c") (ring_buffer__consume)" "$(printf %.0f "$j") (RingBuffer.consume)" \
    "$(printf %.0f "$gi") (ReadInto until empty)" "$r" "$(ratio "$j" "$gi")" \
    "1 s of fill-then-drain cycles, drain time only; Go Read: $(printf %.0f "$gr"), jbpf/Go $(ratio "$j" "$gr"); heap bytes allocated per record (consumer thread): jbpf $ja, Go ReadInto $gia, Go Read $gra"
done

# ---- 1a. ring buffer scaling: 2 and 4 producer threads into one ring, 64-byte records -----------
# the scheduler places the producers (2 CPUs here: 4 producers share them with the consumer);
# consumer thread CPU per record (robust to how much CPU each thread got) and records/s, 2 s runs
for p in 2 4; do
  c_cpu=() j_cpu=() g_cpu=() c_rates=() j_rates=() g_rates=()
  for ((i = 0; i < runs; i++)); do
    line=$("$out/ringbuf_consumer" "$obj" 64 2 producers=$p); log "$line"
    c_rates+=("$(field rate <<<"$line")"); c_cpu+=("$(field cpu_ns_per_record <<<"$line")")
    line=$("${bench_java[@]}" ringbuf "$obj" 64 2 producers=$p); log "$line"
    j_rates+=("$(field rate <<<"$line")"); j_cpu+=("$(field cpu_ns_per_record <<<"$line")")
    line=$("${gobench[@]}" ringbuf readinto "$obj" 64 2 producers=$p); log "$line"
    g_rates+=("$(field rate <<<"$line")"); g_cpu+=("$(field cpu_ns_per_record <<<"$line")")
  done
  cc=$(echo "${c_cpu[*]}" | median); jc=$(echo "${j_cpu[*]}" | median); gc=$(echo "${g_cpu[*]}" | median)
  c=$(echo "${c_rates[*]}" | median); j=$(echo "${j_rates[*]}" | median); g=$(echo "${g_rates[*]}" | median)
  echo "ringbuf 64B, $p producers: consumer CPU per record C $cc ns, jbpf $jc ns, Go ReadInto $gc ns; jbpf/C $(ratio "$cc" "$jc"), jbpf/Go $(ratio "$gc" "$jc"); rec/s C $c, jbpf $j, Go $g"
  grow "ring buffer, 64-byte records, $p producer threads: consumer thread CPU per record (ns, lower is better)" "$cc" "$jc" "$gc (ReadInto)" \
    "$(ratio "$cc" "$jc")" "$(ratio "$gc" "$jc")" "scaling row; records/s: C $(printf %.0f "$c"), jbpf $(printf %.0f "$j"), Go $(printf %.0f "$g")"
done

# ---- 1b. perf buffer (bench_perf.bpf.o: raw_tp programs run through BPF_PROG_TEST_RUN) ----------
perf_obj=build/bpf/bench_perf.bpf.o
for size in 8 64 512; do
  c_rates=() j_rates=() g_rates=() c_drops=() j_drops=() g_drops=() c_drain=() j_drain=() g_drain=() j_alloc=() g_alloc=()
  for ((i = 0; i < runs; i++)); do
    line=$("$out/perf_consumer" "$perf_obj" "$size" 2); log "$line"
    c_rates+=("$(field rate <<<"$line")"); c_drops+=("$(field dropped <<<"$line")")
    line=$("${bench_java[@]}" perf "$perf_obj" "$size" 2); log "$line"
    j_rates+=("$(field rate <<<"$line")"); j_drops+=("$(field dropped <<<"$line")")
    line=$("${gobench[@]}" perf "$perf_obj" "$size" 2); log "$line"
    g_rates+=("$(field rate <<<"$line")"); g_drops+=("$(field dropped <<<"$line")")
    line=$("$out/perf_consumer" "$perf_obj" "$size" 2 drain); log "$line"; c_drain+=("$(field rate <<<"$line")")
    line=$("${bench_java[@]}" perf "$perf_obj" "$size" 2 drain); log "$line"; j_drain+=("$(field rate <<<"$line")")
    j_alloc+=("$(field alloc_per_record <<<"$line")")
    line=$("${gobench[@]}" perf "$perf_obj" "$size" 2 drain); log "$line"; g_drain+=("$(field rate <<<"$line")")
    g_alloc+=("$(field alloc_per_record <<<"$line")")
  done
  c=$(echo "${c_rates[*]}" | median); j=$(echo "${j_rates[*]}" | median); g=$(echo "${g_rates[*]}" | median); r=$(ratio "$j" "$c")
  cd_=$(echo "${c_drops[*]}" | median); jd=$(echo "${j_drops[*]}" | median); gd=$(echo "${g_drops[*]}" | median)
  printf 'perfbuf %sB: C %.0f rec/s, jbpf %.0f rec/s, Go %.0f rec/s; jbpf/C %s, jbpf/Go %s (dropped per run: C %.0f, jbpf %.0f, Go %.0f)\n' \
    "$size" "$c" "$j" "$g" "$r" "$(ratio "$j" "$g")" "$cd_" "$jd" "$gd"
  grow "perf buffer, ${size}-byte samples (records/s, higher is better)" "$(printf %.0f "$c") (C libbpf perf_buffer__poll)" "$(printf %.0f "$j") (PerfBuffer.poll)" \
    "$(printf %.0f "$g") (perf.Reader.ReadInto)" "$r" "$(ratio "$j" "$g")" \
    "dropped per 2 s run: C $(printf %.0f "$cd_"), jbpf $(printf %.0f "$jd"), Go $(printf %.0f "$gd")"
  c=$(echo "${c_drain[*]}" | median); j=$(echo "${j_drain[*]}" | median); g=$(echo "${g_drain[*]}" | median); r=$(ratio "$j" "$c")
  printf 'perfbuf %sB drain (consumer alone): C %.0f rec/s, jbpf %.0f rec/s, Go %.0f rec/s; jbpf/C %s, jbpf/Go %s\n' "$size" "$c" "$j" "$g" "$r" "$(ratio "$j" "$g")"
  grow "perf buffer, ${size}-byte samples, consumer alone: drain (records/s)" "$(printf %.0f "$c") (perf_buffer__consume)" "$(printf %.0f "$j") (PerfBuffer.consume)" \
    "$(printf %.0f "$g") (ReadInto until empty)" "$r" "$(ratio "$j" "$g")" "2 s of fill-then-drain cycles of 50,000 samples (no wake-up per sample), drain time only; heap bytes allocated per record: jbpf $(echo "${j_alloc[*]}" | median), Go $(echo "${g_alloc[*]}" | median)"
done

# ---- 2. maps: 1,000,000-entry hash map --------------------------------------------------------
entries=1000000
c_upd=() j_upd=() j_upd_native=() c_dump=() j_dump=() j_dump_warm=() j_key=() tool_dump=() cli_dump=() g_dump=() g_iter=()
tool_json=() cli_json=() cli_json_rss=() cli_text_rss=()
for ((i = 0; i < runs; i++)); do
  rm -f "$pin"
  line=$("$out/map_dump" create "$pin" "$entries"); log "$line"; c_upd+=("$(field seconds <<<"$line")")
  line=$("${bench_java[@]}" map-update "$entries"); log "$line"; j_upd+=("$(field seconds <<<"$line")")
  line=$("${bench_java[@]}" map-update "$entries" native); log "$line"; j_upd_native+=("$(field seconds <<<"$line")")
  line=$("$out/map_dump" dump "$pin"); log "$line"; c_dump+=("$(field seconds <<<"$line")")
  line=$("${bench_java[@]}" map-dump "$pin" batch); log "$line"
  j_dump+=("$(field seconds <<<"$line")"); j_dump_warm+=("$(field warm <<<"$line")")
  line=$("${bench_java[@]}" map-dump "$pin" per-key); log "$line"; j_key+=("$(field seconds <<<"$line")")
  line=$("${gobench[@]}" map-dump "$pin" batch); log "$line"; g_dump+=("$(field seconds <<<"$line")")
  line=$("${gobench[@]}" map-dump "$pin" iterate); log "$line"; g_iter+=("$(field seconds <<<"$line")")
  t=$(walltime bpftool map dump pinned "$pin"); log "bpftool map dump: $t s"; tool_dump+=("$t")
  read -r t rss < <(timed bin/jbpf map dump pinned "$pin"); log "bin/jbpf map dump: $t s, $rss KB"
  cli_dump+=("$t"); cli_text_rss+=("$rss")
  t=$(walltime bpftool map dump pinned "$pin" -j); log "bpftool map dump -j: $t s"; tool_json+=("$t")
  read -r t rss < <(timed bin/jbpf map dump pinned "$pin" -j); log "bin/jbpf map dump -j: $t s, $rss KB"
  cli_json+=("$t"); cli_json_rss+=("$rss")
done
tj=$(echo "${tool_json[*]}" | median); jj=$(echo "${cli_json[*]}" | median)
jj_rss=$(echo "${cli_json_rss[*]}" | median); jt_rss=$(echo "${cli_text_rss[*]}" | median)
cu=$(echo "${c_upd[*]}" | median); ju=$(echo "${j_upd[*]}" | median); jun=$(echo "${j_upd_native[*]}" | median)
cd_=$(echo "${c_dump[*]}" | median); jd=$(echo "${j_dump[*]}" | median); jw=$(echo "${j_dump_warm[*]}" | median)
gdd=$(echo "${g_dump[*]}" | median); gk=$(echo "${g_iter[*]}" | median)
jk=$(echo "${j_key[*]}" | median); td=$(echo "${tool_dump[*]}" | median); jcli=$(echo "${cli_dump[*]}" | median)
# ratios are speed ratios (C time / jbpf time): above 1 means jbpf is faster
echo "map update 1M: C batch ${cu} s, jbpf batch ${ju} s, ratio $(ratio "$cu" "$ju")"
echo "map dump 1M: C batch ${cd_} s, jbpf batch ${jd} s, Go BatchLookup ${gdd} s; jbpf/C $(ratio "$cd_" "$jd"), jbpf/Go $(ratio "$gdd" "$jd") (jbpf warm ${jw} s, jbpf/C $(ratio "$cd_" "$jw"))"
echo "map dump 1M: C batch ${cd_} s, jbpf per key ${jk} s, Go MapIterator ${gk} s; jbpf/C $(ratio "$cd_" "$jk"), jbpf/Go $(ratio "$gk" "$jk")"
echo "map dump 1M: bpftool ${td} s, jbpf batch ${jd} s, ratio $(ratio "$td" "$jd")"
echo "map dump 1M, whole command printing every entry: bpftool ${td} s, bin/jbpf ${jcli} s, ratio $(ratio "$td" "$jcli")"
echo "map update 1M: C batch ${cu} s, jbpf batch from native memory ${jun} s, ratio $(ratio "$cu" "$jun")"
row "update 1M hash entries (s, lower is better)" "$cu (C bpf_map_update_batch)" "$ju (batch().update(List<byte[]>, List<byte[]>))" "$(ratio "$cu" "$ju")" "speed ratio = C time / jbpf time; jbpf copies each byte[] into native memory"
row "update 1M hash entries from native memory (s, lower is better)" "$cu (C bpf_map_update_batch)" "$jun (batch().update(MemorySegment, MemorySegment, n, ANY))" "$(ratio "$cu" "$jun")" "keys and values laid out as C's, one call: nothing copied on the Java side"
grow "dump 1M hash entries (s)" "$cd_ (C bpf_map_lookup_batch)" "$jd (batch().forEach, first walk in a new JVM)" "$gdd (Map.BatchLookup, a new process)" \
  "$(ratio "$cd_" "$jd")" "$(ratio "$gdd" "$jd")" "same JVM, third walk: $jw s, jbpf/C $(ratio "$cd_" "$jw")"
grow "dump 1M hash entries (s)" "$cd_ (C bpf_map_lookup_batch)" "$jk (lookup per key)" "$gk (Map.Iterate: MapIterator)" "$(ratio "$cd_" "$jk")" "$(ratio "$gk" "$jk")" \
  "jbpf: one bpf_map_lookup_elem per key; Go: get_next_key + lookup per key"
row "dump 1M hash entries (s)" "$td (bpftool map dump, whole command)" "$jd (batch().forEach)" "$(ratio "$td" "$jd")" "bpftool: get_next_key + lookup per key, and prints every entry"
echo "map dump 1M -j, whole command: bpftool ${tj} s, bin/jbpf ${jj} s (max RSS $((${jj_rss%.*} / 1024)) MB), ratio $(ratio "$tj" "$jj")"
row "dump 1M hash entries, whole command printing every entry to /dev/null (s)" "$td (bpftool map dump pinned)" "$jcli (bin/jbpf map dump pinned)" "$(ratio "$td" "$jcli")" "both print every entry (different text); target >= 2; jbpf max RSS $((${jt_rss%.*} / 1024)) MB"
row "dump 1M hash entries as JSON, whole command to /dev/null (s)" "$tj (bpftool map dump pinned -j)" "$jj (bin/jbpf map dump pinned -j)" "$(ratio "$tj" "$jj")" "the same bytes; target >= 2 with jbpf under 256 MB: max RSS $((${jj_rss%.*} / 1024)) MB"

# ---- 2a. map dump scaling: 10k, 100k, (1M above), 10M entries: time per entry --------------------
# one BPF_MAP_LOOKUP_BATCH sweep (4096 entries per call) on each side; jbpf first walk in a new JVM
# and third walk in the same JVM; per entry = median seconds / entries (10M: one run, ~30 s)
per_entry() { awk -v s="$1" -v n="$2" 'BEGIN {printf "%.1f", s * 1e9 / n}'; }
scale_pin=/sys/fs/bpf/jbpf_bench_scale_$$
trap 'rm -f "$pin" "$small_pin" "$scale_pin"' EXIT
for n in 10000 100000 1000000 10000000; do
  if [ "$n" = 1000000 ]; then
    sc=$cd_ sj=$jd sw=$jw sg=$gdd
  else
    rm -f "$scale_pin"
    line=$("$out/map_dump" create "$scale_pin" "$n"); log "$line"
    s_c=() s_j=() s_w=() s_g=()
    n_runs=$runs; [ "$n" -ge 10000000 ] && n_runs=1
    for ((i = 0; i < n_runs; i++)); do
      line=$("$out/map_dump" dump "$scale_pin"); log "$line"; s_c+=("$(field seconds <<<"$line")")
      line=$("${bench_java[@]}" map-dump "$scale_pin" batch); log "$line"
      s_j+=("$(field seconds <<<"$line")"); s_w+=("$(field warm <<<"$line")")
      line=$("${gobench[@]}" map-dump "$scale_pin" batch); log "$line"; s_g+=("$(field seconds <<<"$line")")
    done
    rm -f "$scale_pin"
    sc=$(echo "${s_c[*]}" | median); sj=$(echo "${s_j[*]}" | median); sw=$(echo "${s_w[*]}" | median); sg=$(echo "${s_g[*]}" | median)
  fi
  echo "map dump scaling $n: ns per entry C $(per_entry "$sc" "$n"), jbpf first $(per_entry "$sj" "$n"), jbpf warm $(per_entry "$sw" "$n"), Go $(per_entry "$sg" "$n"); jbpf/C $(ratio "$sc" "$sj") (warm $(ratio "$sc" "$sw")), jbpf/Go $(ratio "$sg" "$sj")"
  grow "dump $n hash entries: ns per entry (lower is better)" "$(per_entry "$sc" "$n") (C bpf_map_lookup_batch)" \
    "$(per_entry "$sj" "$n") (batch().forEach, first walk in a new JVM)" "$(per_entry "$sg" "$n") (Map.BatchLookup)" \
    "$(ratio "$sc" "$sj")" "$(ratio "$sg" "$sj")" "scaling row; same JVM, third walk: $(per_entry "$sw" "$n") ns, jbpf/C $(ratio "$sc" "$sw")"
done

# ---- 2b. uprobe attach/detach x100 -------------------------------------------------------------
# jbpf twice: a plain new JVM, and a new JVM started with a JDK AOT cache (JEP 483/514: classes
# loaded and linked ahead of time) made by one training run of the same command; the cache needs
# jars only, so the bench jar stands for bench/target/classes there
uprobe_args=(uprobe-attach build/bpf/uprobes.bpf.o build/test-bin/trace_target jbpf_target_add 100)
bench_jar=$(ls "$top"/bench/target/jbpf-bench-*.jar | head -1)
aot_java=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED -cp "$bench_jar:$top/cli/target/jbpf.jar")
rm -f "$out/uprobe-attach.aot"
log "$("${aot_java[@]}" -XX:AOTCacheOutput="$out/uprobe-attach.aot" dev.jbpf.bench.Bench "${uprobe_args[@]}" 2>&1)"
c_att=() j_att=() c_det=() j_det=() j_att_warm=() j_first=() ja_att=() ja_first=()
for ((i = 0; i < runs; i++)); do
  line=$("$out/uprobe_attach" build/bpf/uprobes.bpf.o build/test-bin/trace_target jbpf_target_add 100); log "$line"
  c_att+=("$(field attach_seconds <<<"$line")"); c_det+=("$(field detach_seconds <<<"$line")")
  line=$("${bench_java[@]}" "${uprobe_args[@]}"); log "$line"
  j_att+=("$(field attach_seconds <<<"$line")"); j_det+=("$(field detach_seconds <<<"$line")")
  j_att_warm+=("$(field warm_attach_s <<<"$line")"); j_first+=("$(field first_attach_s <<<"$line")")
  line=$("${aot_java[@]}" -XX:AOTCache="$out/uprobe-attach.aot" dev.jbpf.bench.Bench "${uprobe_args[@]}"); log "aot: $line"
  ja_att+=("$(field attach_seconds <<<"$line")"); ja_first+=("$(field first_attach_s <<<"$line")")
done
jaw=$(echo "${j_att_warm[*]}" | median); jf=$(echo "${j_first[*]}" | median)
jaa=$(echo "${ja_att[*]}" | median); jaf=$(echo "${ja_first[*]}" | median)
ca=$(echo "${c_att[*]}" | median); ja=$(echo "${j_att[*]}" | median)
cdt=$(echo "${c_det[*]}" | median); jdt=$(echo "${j_det[*]}" | median)
echo "uprobe attach x100: C ${ca} s, jbpf ${ja} s, ratio $(ratio "$ca" "$ja") (jbpf warm ${jaw} s, ratio $(ratio "$ca" "$jaw"))"
echo "uprobe detach x100: C ${cdt} s, jbpf ${jdt} s, ratio $(ratio "$cdt" "$jdt")"
echo "uprobe attach x100 with an AOT cache: jbpf ${jaa} s, ratio $(ratio "$ca" "$jaa"); first attach: plain ${jf} s, AOT cache ${jaf} s"
row "attach 100 uprobes (s, lower is better)" "$ca (bpf_program__attach_uprobe_opts)" "$ja (attach(Uprobe.entry(...)))" "$(ratio "$ca" "$ja")" "by symbol name: libbpf parses the ELF file on every attach, jbpf once (then one stat per attach); jbpf: first calls in a new JVM, of which the first attach $jf s; the next 100 in the same JVM: $jaw s, ratio $(ratio "$ca" "$jaw")"
row "attach 100 uprobes, new JVM with a JDK AOT cache (s, lower is better)" "$ca (bpf_program__attach_uprobe_opts)" "$jaa (the same, java -XX:AOTCache)" "$(ratio "$ca" "$jaa")" "the cache from one training run (-XX:AOTCacheOutput); first attach $jaf s"
row "detach 100 uprobes (s)" "$cdt (bpf_link__destroy)" "$jdt (BpfLink.close)" "$(ratio "$cdt" "$jdt")" "the kernel's unregistering dominates"

# ---- 3. start-up ------------------------------------------------------------------------------
"$out/map_dump" create "$small_pin" 100 >/dev/null
startup() { # NAME CMD...: median of 10 wall times after one warm-up run
  "${@:2}" >/dev/null 2>&1 || { echo "bench: '${*:2}' failed" >&2; exit 1; }
  local t=() i
  for ((i = 0; i < 10; i++)); do t+=("$(walltime "${@:2}")"); done
  log "$1: ${t[*]}"
  echo "${t[*]}" | median
}
# the JVM's own start (java -version of the JDK bin/jbpf runs on) is the reference of the target
# (jbpf within 1.5x of it: ratio >= 0.67); bpftool's figure stands beside it in the notes
jv=$(startup "java -version" "$jdk/bin/java" -version)
tp=$(startup "bpftool prog list" bpftool prog list)
jp=$(startup "jbpf prog list" bin/jbpf prog list)
tl=$(startup "bpftool map list" bpftool map list)
jl=$(startup "jbpf map list" bin/jbpf map list)
tm=$(startup "bpftool map dump" bpftool map dump pinned "$small_pin")
jm=$(startup "jbpf map dump" bin/jbpf map dump pinned "$small_pin")
ms() { awk -v s="$1" 'BEGIN {printf "%.0f", s * 1000}'; }
for c in "prog list:$tp:$jp" "map list:$tl:$jl" "map dump pinned, 100 entries:$tm:$jm"; do
  IFS=: read -r name tool jbpf <<<"$c"
  echo "$name: java -version $(ms "$jv") ms, jbpf $(ms "$jbpf") ms, ratio $(ratio "$jv" "$jbpf") (bpftool $(ms "$tool") ms, ratio $(ratio "$tool" "$jbpf"))"
  row "\`$name\` wall time (ms, median of 10)" "$(ms "$jv") (java -version, the same JDK)" "$(ms "$jbpf") (bin/jbpf)" "$(ratio "$jv" "$jbpf")" "target >= 0.67 (within 1.5x of the JVM's start); bpftool $(ms "$tool") ms, ratio $(ratio "$tool" "$jbpf")"
done

# ---- 4. JMH in-JVM microbenchmarks (bench/src/main/java/dev/jbpf/bench/jmh) ----------------------
# No C counterpart: codec and record-view costs per operation. One fork, 3 x 1 s warm-up, 5 x 1 s measured (about 1.5 min).
jmh_cp="$top/bench/target/classes:$top/bench/target/lib/*:$top/cli/target/jbpf.jar"
if ls bench/target/lib/jmh-core-*.jar >/dev/null 2>&1; then
  "$jdk/bin/java" -cp "$jmh_cp" org.openjdk.jmh.Main -f 1 -wi 3 -w 1s -i 5 -r 1s \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Djbpf.bpf.dir=$top/build/bpf" \
    -rf csv -rff "$out/jmh.csv" 'dev\.jbpf\.bench\.jmh\.' >> "$out/raw.log" 2>&1 || echo "bench: JMH failed (see $out/raw.log)" >&2
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
  while IFS=, read -r name _ _ _ score error unit; do
    name=${name//\"/}; name=${name#dev.jbpf.bench.jmh.}; unit=${unit//\"/}; unit=${unit%$'\r'}
    printf 'jmh %s: %.1f %s\n' "$name" "$score" "$unit"
    row "JMH $name ($unit, lower is better)" "-" "$(printf '%.1f ± %.1f' "$score" "$error")" "-" "in-JVM, no C counterpart"
  done < <(tail -n +2 "$out/jmh.csv" 2>/dev/null)
else
  echo "bench: bench/target/lib has no JMH (make build); JMH skipped" >&2
fi

# ---- results ----------------------------------------------------------------------------------
{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"
  echo "kernel $(uname -r), $(java_v=$("$jdk/bin/java" -version 2>&1 | head -1); echo "$java_v"), libbpf $(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo '?'),"
  echo "$(bpftool version | head -1); load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; medians of $runs runs ($secs s each for the ring buffer)."
  echo
  echo "Go: $("$go" version | cut -d' ' -f3) (Debian golang-1.23-go $(dpkg-query -W -f='${Version}' golang-1.23-go 2>/dev/null || echo '?')), cilium/ebpf $cilium_version."
  echo
  echo "| benchmark | reference (C, bpftool, JVM) | jbpf | Go (cilium/ebpf $cilium_version) | jbpf / reference | jbpf / Go | notes |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$out/results.md"
if grep -q '<!-- results -->' BENCHMARKS.md 2>/dev/null; then
  awk -v f="$out/results.md" '
    /<!-- results -->/ {print; while ((getline l < f) > 0) print l; skip = 1; next}
    /<!-- \/results -->/ {skip = 0}
    !skip' BENCHMARKS.md > BENCHMARKS.md.tmp && mv BENCHMARKS.md.tmp BENCHMARKS.md
  echo "results: $out/results.md, copied into BENCHMARKS.md (raw lines: $out/raw.log)"
else
  echo "results: $out/results.md (raw lines: $out/raw.log)"
fi

# ---- the guide's tuning patterns (ns per event, BPF stats): their own table in BENCHMARKS.md ------
scripts/bench-tuning.sh

# ---- jbpf export under 50 scrapers of a 100,000-key map (about 60 s): its own table in BENCHMARKS.md ----
scripts/bench-exporter.sh
