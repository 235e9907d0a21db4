package dev.jbpf.bench;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.BpfStats;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.program.TestRunResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code Bench tuning OBJ RUNS THREADS}: the cost per event of the guide's tuning patterns
 * (bpf-src/tuning.bpf.c). Each program runs RUNS times through BPF_PROG_TEST_RUN (XDP, a 64-byte
 * packet) in each of THREADS threads at once, with the kernel's BPF statistics on (BPF_ENABLE_STATS:
 * they stay on while this process holds the fd it returns). Prints one line per program:
 * {@code stats_ns} = run_time_ns / run_cnt added during the runs (the program alone, as the kernel
 * times it) and {@code testrun_ns} = the test run's own mean per run (with its loop around the program).
 */
final class TuningBench {
    static final List<String> PROGRAMS = List.of("count_nothing", "count_split", "count_merged", "count_shared_atomic", "count_percpu");

    private TuningBench() {
    }

    /** The per-CPU counter's copies ("cpu0:N,cpu1:M"): on which CPUs the runs really went. */
    private static String perCpu(LoadedObject loaded) {
        List<byte[]> values = loaded.map("percpu_counter").lookupPerCpu(new byte[4]);
        StringBuilder text = new StringBuilder();
        for (int cpu = 0; cpu < values.size(); cpu++) {
            long value = ByteBuffer.wrap(values.get(cpu)).order(ByteOrder.nativeOrder()).getLong();
            text.append(cpu == 0 ? "" : ",").append("cpu").append(cpu).append(':').append(value);
        }
        return text.toString();
    }

    @SuppressWarnings("try") // the BpfStats is only held open
    static void run(Path object, int runs, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (BpfStats stats = BpfStats.enable(); // statistics on for the runs (off again unless others hold them)
             LoadedObject loaded = BpfObject.open(object).load()) {
            byte[] packet = new byte[64];
            Arrays.fill(packet, (byte) 7);
            TestRunOptions options = TestRunOptions.ofData(packet).withRepeat(runs);
            for (String name : PROGRAMS) {
                BpfProgram program = loaded.program(name);
                program.testRun(TestRunOptions.ofData(packet).withRepeat(10_000)); // creates the map entries, warms caches
                ProgramInfo before = program.info();
                List<Future<TestRunResult>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> program.testRun(options)));
                }
                double testRunNs = 0;
                for (Future<TestRunResult> result : results) {
                    testRunNs += result.get().durationNs();
                }
                ProgramInfo after = program.info();
                long count = after.runCount() - before.runCount();
                long time = after.runTimeNs() - before.runTimeNs();
                if (count != (long) runs * threads) {
                    throw new IllegalStateException(name + ": run_cnt moved by " + count + ", expected " + (long) runs * threads);
                }
                System.out.printf("program=%s threads=%d runs=%d stats_ns=%.2f testrun_ns=%.2f%s%n", name, threads, count,
                        (double) time / count, testRunNs / threads, name.equals("count_percpu") ? " per_cpu=" + perCpu(loaded) : "");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
