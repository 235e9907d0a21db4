package dev.jbpf.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Leaks: thousands of cycles of open, load, attach, poll and close of opensnoop.bpf.o (a
 * tracepoint on openat writing to a ring buffer). After them the process has the fds it had
 * before, the kernel has none of the programs, maps, links and BTF objects the cycles created
 * (checked by their ids, so other processes' objects do not matter), and the bytes malloc has
 * handed out (libbpf's and the FFM arenas') have not grown beyond noise.
 *
 * <p>Three phases, because a load costs the verifier's time: {@value #DEFAULT_CYCLES} cycles of
 * open+close, {@value #DEFAULT_CYCLES} cycles of attach+poll+detach on one loaded object, and
 * {@value #DEFAULT_FULL} full cycles open→load→attach→poll→close. Each cycle's poll must
 * receive the record of an openat this thread made, so every cycle is a real one.
 * {@code -Djbpf.leak.cycles=N} and {@code -Djbpf.leak.full=N} change the counts.
 */
class LeakTest {
    static final int DEFAULT_CYCLES = 10_000;
    static final int DEFAULT_FULL = 1_000;
    private static final int CYCLES = Integer.getInteger("jbpf.leak.cycles", DEFAULT_CYCLES);
    private static final int FULL = Integer.getInteger("jbpf.leak.full", DEFAULT_FULL);
    /** Average malloc growth per cycle after the warm-up that counts as a leak (a leaked object is KBs). */
    private static final long MAX_GROWTH_PER_CYCLE = 64;

    private final int pid = (int) ProcessHandle.current().pid();
    private final Path marker;

    LeakTest() throws IOException {
        marker = Files.createTempFile("jbpf-leak", ".txt");
        marker.toFile().deleteOnExit();
    }

    /** What one phase measured. */
    record Phase(String name, int cycles, long millis, long mallocGrowthPerCycle, long mallocBefore,
            long mallocAfter) {
    }

    @Test
    void cyclesReturnFdsKernelObjectsAndNativeMemoryToBaseline() throws Exception {
        TestSupport.assumePrivileged();
        Path object = TestSupport.bpfObject("opensnoop");
        KernelIds ids = new KernelIds();
        Map<String, Integer> bpfFdsBefore = ProcessResources.bpfFds();
        int fdsBefore = ProcessResources.fdCount();

        List<Phase> phases = new ArrayList<>();
        phases.add(measure("open, close", CYCLES, () -> {
            try (OpenedObject opened = BpfObject.open(object)) {
                opened.programs().getFirst().instructionCount();
                opened.maps().size();
            }
        }));
        try (LoadedObject loaded = BpfObject.open(object).load()) {
            BpfProgram program = loaded.program("trace_openat");
            BpfMap events = loaded.map("events");
            ids.programs.add(program.id());
            loaded.maps().forEach(m -> ids.maps.add(m.id()));
            addBtf(ids, program);
            phases.add(measure("attach, poll, detach (one loaded object)", CYCLES, () -> {
                try (BpfLink link = program.attach()) {
                    ids.links.add(link.id());
                    pollOwnRecord(events);
                }
            }));
        }
        phases.add(measure("open, load, attach, poll, close", FULL, () -> {
            try (LoadedObject loaded = BpfObject.open(object).load()) {
                BpfProgram program = loaded.program("trace_openat");
                ids.programs.add(program.id());
                loaded.maps().forEach(m -> ids.maps.add(m.id()));
                addBtf(ids, program);
                BpfLink link = program.attach(); // closed by the object
                ids.links.add(link.id());
                pollOwnRecord(loaded.map("events"));
            }
        }));

        Map<String, Integer> bpfFdsAfter = ProcessResources.bpfFds();
        int fdsAfter = ProcessResources.fdCount();
        List<String> alive = ids.stillInKernel();

        Figures figures = new Figures("leaks", "Leaks");
        for (Phase p : phases) {
            boolean ok = p.mallocGrowthPerCycle <= MAX_GROWTH_PER_CYCLE;
            figures.add(p.name + " of opensnoop.bpf.o (tracepoint + ring buffer; each poll gets this thread's openat record)",
                    p.cycles + " cycles", (ok ? "pass" : "FAIL") + ": malloc in use " + p.mallocBefore / 1024 + " KiB → "
                            + p.mallocAfter / 1024 + " KiB after warm-up, " + p.mallocGrowthPerCycle
                            + " B/cycle (limit " + MAX_GROWTH_PER_CYCLE + "); " + p.millis + " ms ("
                            + String.format("%.2f", (double) p.millis / p.cycles) + " ms/cycle)");
        }
        figures.add("fds of this process after every phase", fdsBefore + " → " + fdsAfter + " fds",
                (bpfFdsAfter.equals(bpfFdsBefore) ? "pass" : "FAIL") + ": BPF/epoll/perf fds " + bpfFdsBefore
                        + " before, " + bpfFdsAfter + " after");
        figures.add("kernel objects these cycles created (by id: programs, maps, links, BTF)", ids.size() + " objects",
                (alive.isEmpty() ? "pass" : "FAIL") + ": " + alive.size() + " still in the kernel after close ("
                        + ids.programs.size() + " programs, " + ids.maps.size() + " maps, " + ids.links.size()
                        + " links, " + ids.btfs.size() + " BTF)");
        figures.write();

        assertEquals(List.of(), alive, "kernel objects still alive after close");
        assertEquals(bpfFdsBefore, bpfFdsAfter, "BPF fds of this process before and after");
        assertTrue(fdsAfter <= fdsBefore, "fds before " + fdsBefore + ", after " + fdsAfter);
        for (Phase p : phases) {
            assertTrue(p.mallocGrowthPerCycle <= MAX_GROWTH_PER_CYCLE, p + ": native memory grows");
        }
    }

    private static void addBtf(KernelIds ids, BpfProgram program) {
        int btf = program.info().btfId();
        if (btf != 0) {
            ids.btfs.add(btf);
        }
    }

    /** Opens the marker file (an openat of this thread) and polls the ring until its record arrives. */
    private void pollOwnRecord(BpfMap events) {
        int[] own = new int[1];
        try (RingBuffer ring = RingBuffer.builder().add(events, record -> {
            if (record.get(ValueLayout.JAVA_INT_UNALIGNED, 0) == pid) {
                own[0]++;
            }
        }).build()) {
            try {
                Files.newInputStream(marker).close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (own[0] == 0 && System.nanoTime() < deadline) {
                ring.poll(Duration.ofMillis(100));
            }
        }
        if (own[0] == 0) {
            throw new AssertionError("no record of this thread's openat arrived within 5 s");
        }
    }

    /** Runs a cycle n times; malloc growth is measured after the first tenth (warm-up: JIT, caches). */
    private static Phase measure(String name, int n, Runnable cycle) {
        int warmUp = Math.max(1, n / 10);
        long start = System.nanoTime();
        for (int i = 0; i < warmUp; i++) {
            cycle.run();
        }
        System.gc();
        long before = ProcessResources.mallocInUse();
        for (int i = warmUp; i < n; i++) {
            cycle.run();
        }
        System.gc();
        long after = ProcessResources.mallocInUse();
        long millis = (System.nanoTime() - start) / 1_000_000;
        Phase phase = new Phase(name, n, millis, Math.max(0, (after - before) / Math.max(1, n - warmUp)), before, after);
        System.out.println("leaks: " + phase);
        return phase;
    }
}
