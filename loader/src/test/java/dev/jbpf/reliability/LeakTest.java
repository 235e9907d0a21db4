package dev.jbpf.reliability;

import dev.jbpf.testing.Figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaks: cycles of open, load, attach, poll and close of opensnoop.bpf.o (a tracepoint on
 * openat writing to a ring buffer), in a forked JVM with Native Memory Tracking
 * ({@link LeakDriver}). Afterwards the process has the fds it had before, the kernel has none
 * of the programs, maps, links and BTF objects the cycles created (by id, so other processes'
 * objects do not matter), and neither libbpf's malloc'd memory nor the JVM's FFM allocations
 * have grown beyond noise. Every poll must receive the record of an openat the cycle made.
 *
 * <p>Counts, chosen by cost (measured on the 2-core VM): open+close and ring buffer
 * build+poll+close are cheap and run {@value #CYCLES} times; a tracepoint detach waits for an
 * RCU grace period in the kernel (~50-75 ms here), so the whole cycle with load runs
 * {@value #FULL_CYCLES} times spread over 16 threads, whose waits overlap (~8 ms a cycle), and
 * attach+detach of one program, which the kernel takes only once per tracepoint, runs
 * {@value #SLOW_CYCLES} times on one thread (a coarser memory check: see the limits).
 * {@code -Djbpf.leak.cycles=N}, {@code -Djbpf.leak.slow=N}, {@code -Djbpf.leak.full=N} change them.
 */
@KernelTest
class LeakTest {
    static final int CYCLES = 10_000;
    static final int SLOW_CYCLES = 60;
    /** Whole cycles (open, load, attach, poll, close), spread over LeakDriver.THREADS threads. */
    static final int FULL_CYCLES = 10_000;
    /**
     * Growth per cycle (second half of a phase) above which memory counts as leaking. The
     * malloc'd bytes outside the JVM drift by tens of KiB either way without any leak
     * (measured: 1000 loads of testrun.bpf.o ended 440 KiB lower than after 100), so phases of
     * thousands of cycles can catch a leak of a few hundred bytes a cycle (a libbpf link or
     * ring buffer struct), the slow phases only one of KiBs (a libbpf object with its ELF and
     * BTF copies).
     */
    private static final long MAX_GROWTH_FAST = 256, MAX_GROWTH_SLOW = 2048;
    private static final long WATCHDOG_SECONDS = 120;

    @TempDir
    Path tmp;

    @Test
    void cyclesReturnFdsKernelObjectsAndNativeMemoryToBaseline() throws Exception {
        Figures figures = new Figures("leaks", "Leaks");
        if (!TestSupport.isPrivileged()) {
            figures.add("open, load, attach, poll, close cycles", "0 cycles", "skipped: needs root").write();
        }
        int cycles = Integer.getInteger("jbpf.leak.cycles", CYCLES);
        int slow = Integer.getInteger("jbpf.leak.slow", SLOW_CYCLES);
        int full = Integer.getInteger("jbpf.leak.full", FULL_CYCLES);
        Path object = TestSupport.bpfObject("opensnoop");
        List<String> lines = new ArrayList<>();
        int status;
        try (ForkedJvm jvm = ForkedJvm.start(tmp, List.of("-XX:NativeMemoryTracking=summary", "-Xmx256m"),
                LeakDriver.class, List.of(object.toString(), Integer.toString(cycles), Integer.toString(slow),
                        Integer.toString(full)))) {
            String line;
            while ((line = jvm.nextLine(WATCHDOG_SECONDS)) != null) {
                System.out.println("leak driver: " + line);
                lines.add(line);
            }
            status = jvm.exitStatus();
            if (status != 0) {
                System.out.println(jvm.stderr());
            }
        }
        assertEquals(0, status, "leak driver exit status");
        assertTrue(lines.contains("DONE"), "leak driver finished");

        List<String> failures = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "PHASE" -> {
                    long libbpf = Long.parseLong(f[4]), other = Long.parseLong(f[5]);
                    long limit = Long.parseLong(f[2]) >= 1000 ? MAX_GROWTH_FAST : MAX_GROWTH_SLOW;
                    boolean ok = libbpf <= limit && other <= limit;
                    if (!ok) {
                        failures.add(f[1] + ": " + libbpf + " B/cycle outside the JVM, " + other + " B/cycle NMT Other");
                    }
                    long n = Long.parseLong(f[2]), ms = Long.parseLong(f[3]);
                    figures.add(f[1] + " (opensnoop.bpf.o)", n + " cycles", (ok ? "pass" : "FAIL")
                            + ": native memory growth per cycle in the second half (median of its fifths) " + libbpf
                            + " B outside the JVM (libbpf), " + other + " B FFM/NMT Other (limit " + limit + " B; "
                            + f[6] + "); " + ms + " ms, " + String.format("%.2f", (double) ms / n) + " ms/cycle");
                }
                case "FDS" -> {
                    boolean ok = f[3].equals(f[4]) && Integer.parseInt(f[2]) <= Integer.parseInt(f[1]);
                    if (!ok) {
                        failures.add("fds " + line);
                    }
                    figures.add("fds of the process before and after all cycles", f[1] + " → " + f[2] + " fds",
                            (ok ? "pass" : "FAIL") + ": BPF, epoll and perf fds " + f[3] + " before, " + f[4] + " after");
                }
                case "KERNEL" -> {
                    boolean ok = f[2].equals("0");
                    if (!ok) {
                        failures.add("kernel objects alive: " + line);
                    }
                    figures.add("kernel objects the cycles created, looked up by id after close", f[1] + " objects",
                            (ok ? "pass" : "FAIL") + ": " + f[2] + " still in the kernel (" + f[3] + ")");
                }
                default -> {
                }
            }
        }
        figures.write();
        assertEquals(List.of(), failures);
    }
}
