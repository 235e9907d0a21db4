package dev.jbpf.reliability;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The forked JVM of {@link LeakTest}, run with {@code -XX:NativeMemoryTracking=summary}: cycles
 * of open, load, attach, poll and close of a tracepoint + ring buffer object, measuring before
 * and after each phase the process's fds, the malloc'd bytes outside the JVM (libbpf's: glibc's
 * total minus what NMT says the JVM malloc'd) and the JVM's malloc'd bytes of category Other
 * (where FFM arenas allocate), then checks that the kernel has none of the objects the cycles
 * made. Arguments: {@code OBJECT CYCLES ATTACH_CYCLES FULL_CYCLES}. Output lines:
 * {@code PHASE name<TAB>cycles<TAB>ms<TAB>libbpfBytesPerCycle<TAB>otherBytesPerCycle<TAB>detail},
 * {@code FDS before<TAB>after<TAB>bpfBefore<TAB>bpfAfter}, {@code KERNEL created<TAB>alive<TAB>detail}.
 */
public final class LeakDriver {
    private static final Pattern TOTAL_MALLOC = Pattern.compile("Total:.*?\\n\\s*malloc: (\\d+) #(\\d+)", Pattern.DOTALL);
    private static final Pattern OTHER_MALLOC = Pattern.compile("-\\s+Other \\(.*?\\n\\s*\\(malloc=(\\d+)", Pattern.DOTALL);
    /** Bytes NMT puts before each malloc block it tracks (its header), counted by glibc, not by NMT. */
    private static final long NMT_HEADER = 16;

    private final int pid = (int) ProcessHandle.current().pid();
    private final Path marker;
    private final KernelIds ids = new KernelIds();

    private LeakDriver(Path marker) {
        this.marker = marker;
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("dev.jbpf.libbpf").setLevel(java.util.logging.Level.OFF);
        Path object = Path.of(args[0]);
        int cycles = Integer.parseInt(args[1]), attachCycles = Integer.parseInt(args[2]), full = Integer.parseInt(args[3]);
        Path marker = Files.createTempFile("jbpf-leak", ".txt");
        try {
            new LeakDriver(marker).run(object, cycles, attachCycles, full);
        } finally {
            Files.deleteIfExists(marker);
        }
        System.out.println("DONE");
    }

    private void run(Path object, int cycles, int attachCycles, int full) throws InterruptedException {
        Map<String, Integer> bpfBefore = ProcessResources.bpfFds();
        int fdsBefore = ProcessResources.fdCount();
        phase("open, close", cycles, () -> {
            try (OpenedObject opened = BpfObject.open(object)) {
                opened.programs().getFirst().instructionCount();
                opened.maps().size();
            }
        });
        try (LoadedObject loaded = BpfObject.open(object).load()) {
            BpfProgram program = loaded.program("trace_openat");
            BpfMap events = loaded.map("events");
            record(loaded, program);
            try (BpfLink link = program.attach()) {
                ids.links.add(link.id());
                phase("ring buffer: build, poll (the record of an openat of this thread), close; program attached",
                        cycles, () -> pollOwnRecord(events));
            }
            // one thread: the kernel takes a program only once per tracepoint (EEXIST)
            phase("attach, poll, detach", attachCycles, () -> {
                try (BpfLink link = program.attach()) {
                    synchronized (ids) {
                        ids.links.add(link.id());
                    }
                    pollOwnRecord(events);
                }
            });
        }
        phase("open, load, attach, poll, close (" + THREADS + " threads)", full, THREADS, () -> {
            try (LoadedObject loaded = BpfObject.open(object).load()) {
                BpfProgram program = loaded.program("trace_openat");
                record(loaded, program);
                int link = program.attach().id(); // the link is closed by the object
                synchronized (ids) {
                    ids.links.add(link);
                }
                pollOwnRecord(loaded.map("events"));
            }
        });
        Map<String, Integer> bpfAfter = ProcessResources.bpfFds();
        int fdsAfter = ProcessResources.fdCount();
        System.out.println("FDS\t" + fdsBefore + "\t" + fdsAfter + "\t" + bpfBefore + "\t" + bpfAfter);
        List<String> alive = ids.stillInKernel();
        System.out.println("KERNEL\t" + ids.size() + "\t" + alive.size() + "\t" + ids.programs.size() + " programs, "
                + ids.maps.size() + " maps, " + ids.links.size() + " links, " + ids.btfs.size() + " BTF"
                + (alive.isEmpty() ? "" : "; alive: " + alive.subList(0, Math.min(10, alive.size()))));
    }

    private void record(LoadedObject loaded, BpfProgram program) {
        int btf = program.info().btfId();
        synchronized (ids) {
            ids.programs.add(program.id());
            loaded.maps().forEach(m -> ids.maps.add(m.id()));
            if (btf != 0) {
                ids.btfs.add(btf);
            }
        }
    }

    /** Opens the marker file (an openat of this thread) and polls the ring until that record arrives. */
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
                throw new UncheckedIOException(e);
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

    /** Threads of the phases whose cycles mostly wait in the kernel (a detach waits for an RCU grace period). */
    static final int THREADS = 16;

    /** {@link #phase(String, int, int, Runnable)} on this thread. */
    /** The second half of a phase is measured in this many parts. */
    private static final int SEGMENTS = 5;

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static void phase(String name, int n, Runnable cycle) throws InterruptedException {
        phase(name, n, 1, cycle);
    }

    /**
     * Runs a cycle n times, spread over {@code threads} threads (each cycle on one thread, its
     * resources its own). Memory is measured, with every thread idle, after the first tenth
     * (warm-up: JIT, caches, libbpf's one-time feature probes), half way, and after each fifth
     * of the second half; the growth reported is the median of those five fifths', per cycle: a
     * leak grows in every fifth, while a step of allocator noise or a cache that fills once (the
     * malloc arenas of a JIT compiler thread: one 2.5 MB step was seen in 10,000 cycles of
     * open+close) lands in one fifth only.
     */
    static void phase(String name, int n, int threads, Runnable cycle) throws InterruptedException {
        if (n <= 0) {
            return;
        }
        int warmUp = Math.max(1, n / 10), half = warmUp + (n - warmUp) / 2;
        long start = System.nanoTime();
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            runCycles(pool, threads, warmUp, cycle);
            long[] first = memory();
            System.out.println("PROGRESS\t" + name + "\twarmed up");
            runCycles(pool, threads, half - warmUp, cycle);
            long[] middle = memory();
            System.out.println("PROGRESS\t" + name + "\thalf");
            long[] outside = new long[SEGMENTS], other = new long[SEGMENTS];
            long[] before = middle;
            long[] last = middle;
            for (int segment = 0; segment < SEGMENTS; segment++) {
                int count = (n - half) / SEGMENTS + (segment < (n - half) % SEGMENTS ? 1 : 0);
                runCycles(pool, threads, count, cycle);
                last = memory();
                // a sign of life for LeakTest's watchdog: a slow phase on a loaded machine prints nothing else for minutes
                System.out.println("PROGRESS\t" + name + "\t" + (segment + 1) + "/" + SEGMENTS);
                outside[segment] = (last[0] - before[0]) / Math.max(1, count);
                other[segment] = (last[1] - before[1]) / Math.max(1, count);
                before = last;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("PHASE\t" + name + "\t" + n + "\t" + millis + "\t" + median(outside)
                    + "\t" + median(other) + "\tmalloc outside the JVM " + first[0] / 1024 + " → "
                    + middle[0] / 1024 + " → " + last[0] / 1024 + " KiB, NMT Other " + first[1] / 1024 + " → "
                    + middle[1] / 1024 + " → " + last[1] / 1024 + " KiB after " + warmUp + ", " + half + ", " + n
                    + " cycles; per cycle in each fifth of the second half " + Arrays.toString(outside) + " B");
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** Runs count cycles on this thread, or spread over the pool's threads; rethrows a cycle's failure. */
    private static void runCycles(ExecutorService pool, int threads, int count, Runnable cycle)
            throws InterruptedException {
        if (pool == null) {
            for (int i = 0; i < count; i++) {
                cycle.run();
            }
            return;
        }
        List<Callable<Void>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int share = count / threads + (t < count % threads ? 1 : 0);
            shares.add(() -> {
                for (int i = 0; i < share; i++) {
                    cycle.run();
                }
                return null;
            });
        }
        for (Future<Void> done : pool.invokeAll(shares)) {
            try {
                done.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** {malloc'd bytes outside the JVM, NMT category Other malloc'd bytes}, after a GC. */
    /**
     * The malloc'd bytes outside the JVM and NMT's Other, after a GC. glibc's count and NMT's are
     * two snapshots: a JIT compiler thread that mallocs or frees an arena of megabytes between them
     * (the first phase runs while C2 still compiles) would show as megabytes of libbpf memory, so
     * NMT is read before and after glibc and the reading is retried until NMT did not move.
     */
    private static long[] memory() throws InterruptedException {
        System.gc(); // frees what automatic arenas and cleaners hold
        for (int attempt = 1; ; attempt++) {
            long[] before = nmt();
            long glibc = ProcessResources.mallocInUse();
            long[] after = nmt();
            if (Math.abs(after[0] - before[0]) <= STILL || attempt == 50) {
                return new long[] {glibc - after[0], after[1]};
            }
            Thread.sleep(20);
        }
    }

    /** How far NMT's malloc total may move across one glibc reading for it to count as still. */
    private static final long STILL = 16 * 1024;

    /** NMT's malloc'd total (with its per-allocation headers) and its category Other. */
    private static long[] nmt() {
        String nmt = nmtSummary();
        Matcher total = TOTAL_MALLOC.matcher(nmt);
        Matcher other = OTHER_MALLOC.matcher(nmt);
        if (!total.find() || !other.find()) {
            throw new IllegalStateException("cannot read the NMT summary (run with -XX:NativeMemoryTracking=summary):\n"
                    + nmt.lines().limit(12).reduce("", (a, b) -> a + "\n" + b));
        }
        long jvm = Long.parseLong(total.group(1)) + NMT_HEADER * Long.parseLong(total.group(2));
        return new long[] {jvm, Long.parseLong(other.group(1))};
    }

    private static String nmtSummary() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=b"}}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("NMT summary failed", e);
        }
    }
}
