package dev.jbpf.perf;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
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

    /** Keeps this thread running on a CPU for {@code duration} of its CPU time; returns a value so the loop is not optimized away. */
    static long burnCpu(Duration duration) {
        // this thread's CPU time, not wall time: on a loaded machine 50 ms of wall time may give
        // the thread only a few ms on a CPU, and the counters count CPU time (capped at 50x in wall time)
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuEnd = threads.getCurrentThreadCpuTime() + duration.toNanos();
        long wallDeadline = System.nanoTime() + 50 * duration.toNanos();
        long x = 1;
        while (threads.getCurrentThreadCpuTime() < cpuEnd && System.nanoTime() < wallDeadline) {
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
