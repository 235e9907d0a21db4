package dev.jbpf.perf;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.TestSupport;
import dev.jbpf.map.Codec;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** Helpers of the perf tests: skipping with a printed reason, burning CPU, loading perf.bpf.o. */
final class PerfTestSupport {
    static final int PID = (int) ProcessHandle.current().pid();

    private PerfTestSupport() {
    }

    /** Skips the calling test, printing the reason first (as every jbpf test that skips does). */
    static void skip(String reason) {
        System.out.println("SKIPPED: " + reason);
        Assumptions.assumeTrue(false, reason);
    }

    /** Keeps this thread busy on a CPU for about {@code duration}; returns a value so the loop is not optimized away. */
    static long burnCpu(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        long x = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        return x;
    }

    /** perf.bpf.o loaded, its tracepoint programs acting for this process only. */
    static LoadedObject loadPerfObject() {
        LoadedObject object = BpfObject.open(TestSupport.bpfObject("perf")).load();
        object.map("target").typed(Codec.INT, Codec.INT).put(0, PID);
        return object;
    }
}
