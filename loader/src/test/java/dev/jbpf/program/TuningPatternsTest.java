package dev.jbpf.program;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.Codec;
import dev.jbpf.map.TypedMap;
import dev.jbpf.testing.KernelTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guide's tuning patterns (bpf-src/tuning.bpf.c, measured by scripts/bench-tuning.sh)
 * count the same events: run each program a known number of times, from one thread and from
 * two at once, and its counters hold exactly that many events (and bytes).
 */
@KernelTest
class TuningPatternsTest {
    private static final int RUNS = 20_000;
    private static final byte KEY = 7;
    private static final int PACKET = 64;
    private LoadedObject loaded;

    @BeforeEach
    void load() {
        loaded = BpfObject.open(TestSupport.bpfObject("tuning")).load();
    }

    @AfterEach
    void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    /** Runs the program RUNS times in each of {@code threads} threads at once. */
    private void run(String program, int threads) throws Exception {
        byte[] packet = new byte[PACKET];
        Arrays.fill(packet, KEY);
        TestRunOptions options = TestRunOptions.ofData(packet).withRepeat(RUNS);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<TestRunResult>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> loaded.program(program).testRun(options)));
            }
            for (Future<TestRunResult> result : results) {
                assertEquals(2, result.get().returnValue(), program + " returns XDP_PASS");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private long hashValue(String map) {
        TypedMap<Integer, Long> typed = loaded.map(map).typed(Codec.INT, Codec.LONG);
        return typed.get((int) KEY).orElseThrow();
    }

    @Test
    void splitAndMergedMapsCountEveryEvent() throws Exception {
        run("count_split", 1);
        run("count_merged", 1);
        assertEquals(RUNS, hashValue("stats_packets"));
        assertEquals((long) RUNS * PACKET, hashValue("stats_bytes"));
        byte[] merged = loaded.map("stats_merged").lookup(new byte[] {KEY, 0, 0, 0}).orElseThrow();
        ByteBuffer stats = ByteBuffer.wrap(merged).order(ByteOrder.nativeOrder());
        assertEquals((long) RUNS * PACKET, stats.getLong(0), "merged bytes");
        assertEquals(RUNS, stats.getLong(8), "merged packets");

        run("count_split", 2); // two threads at once: atomic adds lose nothing
        run("count_merged", 2);
        assertEquals(3L * RUNS, hashValue("stats_packets"));
        merged = loaded.map("stats_merged").lookup(new byte[] {KEY, 0, 0, 0}).orElseThrow();
        assertEquals(3L * RUNS, ByteBuffer.wrap(merged).order(ByteOrder.nativeOrder()).getLong(8));
    }

    @Test
    void sharedAtomicAndPerCpuArraysCountEveryEvent() throws Exception {
        run("count_shared_atomic", 1);
        run("count_percpu", 1);
        TypedMap<Integer, Long> shared = loaded.map("shared_counter").typed(Codec.INT, Codec.LONG);
        TypedMap<Integer, Long> perCpu = loaded.map("percpu_counter").typed(Codec.INT, Codec.LONG);
        assertEquals(RUNS, shared.get(0).orElseThrow());
        assertEquals(RUNS, perCpu.sumPerCpu(0));

        run("count_shared_atomic", 2);
        run("count_percpu", 2);
        assertEquals(3L * RUNS, shared.get(0).orElseThrow());
        assertEquals(3L * RUNS, perCpu.sumPerCpu(0), "per-CPU copies: " + perCpu.getPerCpu(0));
    }
}
