package dev.jbpf.bench;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Uprobe;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.map.UpdateFlag;
import dev.jbpf.perf.PerfBuffer;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.OpenedProgram;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.ringbuf.RingBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The jbpf side of {@code make bench} (scripts/bench.sh); each mode does what its C twin in
 * bench/*.c does, on the same kernel objects, and prints one line in the same format.
 *
 * <pre>
 * ringbuf OBJ SIZE SECONDS [drain | producers=N]  consume produce_SIZE's records for SECONDS (bench/ringbuf_consumer.c)
 * perf OBJ SIZE SECONDS [drain]     the same for the perf buffer (bench/perf_consumer.c)
 * uprobe-attach OBJ BINARY FUNC N  attach count_uprobe N times, then detach (bench/uprobe_attach.c)
 * map-update N [native]       fill a new N-entry hash map with batch().update, from byte[] lists or native memory (bench/map_dump.c create)
 * map-dump PIN batch|per-key  read every entry of the pinned map (bench/map_dump.c dump)
 * tuning OBJ RUNS THREADS      ns per event of the guide's tuning patterns (TuningBench; jbpf only)
 * exporter-load DIR CONFIG N SCRAPERS SECONDS exporter|direct
 *                             jbpf export of DIR/CONFIG with N keys written, under SCRAPERS scrapers (ExporterBench)
 * </pre>
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if ((args.length == 4 || args.length == 5 && (args[4].equals("drain") || args[4].startsWith("producers=")))
                && args[0].equals("ringbuf")) {
            boolean drain = args.length == 5 && args[4].equals("drain");
            int producers = args.length == 5 && !drain ? Integer.parseInt(args[4].substring("producers=".length())) : 1;
            ringBuffer(Path.of(args[1]), args[2], Double.parseDouble(args[3]), drain, producers);
        } else if ((args.length == 4 || args.length == 5 && args[4].equals("drain")) && args[0].equals("perf")) {
            perfBuffer(Path.of(args[1]), args[2], Double.parseDouble(args[3]), args.length == 5);
        } else if (args.length == 5 && args[0].equals("uprobe-attach")) {
            uprobeAttach(Path.of(args[1]), Path.of(args[2]), args[3], Integer.parseInt(args[4]));
        } else if ((args.length == 2 || args.length == 3 && args[2].equals("native")) && args[0].equals("map-update")) {
            mapUpdate(Integer.parseInt(args[1]), args.length == 3);
        } else if (args.length == 3 && args[0].equals("map-dump")) {
            mapDump(Path.of(args[1]), args[2]);
        } else if (args.length == 4 && args[0].equals("tuning")) {
            TuningBench.run(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else if (args.length == 7 && args[0].equals("exporter-load")) {
            ExporterBench.run(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Double.parseDouble(args[5]), args[6]);
        } else {
            System.err.println("usage: Bench ringbuf|perf OBJ SIZE SECONDS [drain] | uprobe-attach OBJ BINARY FUNC N"
                    + " | map-update N [native]"
                    + " | map-dump PIN batch|per-key | tuning OBJ RUNS THREADS"
                    + " | exporter-load DIR CONFIG N SCRAPERS SECONDS exporter|direct");
            System.exit(2);
        }
    }

    /** Records per run of the producer: large, so the cost of BPF_PROG_TEST_RUN itself is amortised. */
    private static final int BATCH = 100_000;

    private static void ringBuffer(Path object, String size, double seconds, boolean drain, int producers)
            throws Exception {
        String programName = "produce_" + size;
        try (OpenedObject opened = BpfObject.open(object)) {
            for (OpenedProgram p : opened.programs()) {
                p.autoload(p.name().equals(programName));
            }
            try (LoadedObject loaded = opened.load()) {
                BpfProgram producer = loaded.program(programName);
                long[] consumed = new long[1];
                byte[] context = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(BATCH).array();
                TestRunOptions run = TestRunOptions.ofContext(context);
                try (RingBuffer ring = RingBuffer.builder().add(loaded.map("records"), record -> consumed[0]++).build()) {
                    if (drain) {
                        drain(producer, ring, Integer.parseInt(size), seconds, consumed, loaded.map("produced"));
                        return;
                    }
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    long start = System.nanoTime();
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    long deadline = start + (long) (seconds * 1e9);
                    Producers producing = Producers.start(producer, run, deadline, producers);
                    while (true) {
                        boolean done = producing.done(); // read before the poll: what came before is in the ring
                        int n = ring.poll(Duration.ofMillis(100));
                        if (done && n == 0) {
                            break;
                        }
                    }
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                    producing.join();
                    byte[] slot = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
                    long dropped = ByteBuffer.wrap(loaded.map("produced").lookup(slot).orElseThrow())
                            .order(ByteOrder.nativeOrder()).getLong();
                    System.out.printf("consumer=jbpf size=%s producers=%d records=%d seconds=%.3f rate=%.0f dropped=%d"
                            + " cpu_ns_per_record=%.1f%n", size, producers, consumed[0], elapsed, consumed[0] / elapsed, dropped,
                            consumed[0] == 0 ? 0.0 : (double) cpu / consumed[0]);
                }
            }
        }
    }

    /**
     * Producers for a live run: {@code count} threads running {@code run} on {@code producer} until
     * {@code deadline} (they watch the clock, as in the C consumers: a poll returns only once the
     * buffer is empty, which never happens while producers are faster). {@link Producers#done()}
     * once all have stopped; {@link Producers#join()} rethrows a producer's failure.
     */
    private record Producers(List<Thread> threads, AtomicInteger running, AtomicReference<Throwable> failure) {
        static Producers start(BpfProgram producer, TestRunOptions run, long deadline, int count) {
            AtomicInteger running = new AtomicInteger(count);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                Thread thread = new Thread(() -> {
                    try {
                        while (System.nanoTime() < deadline) {
                            producer.testRun(run);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    } finally {
                        running.decrementAndGet();
                    }
                }, "producer-" + p);
                threads.add(thread);
                thread.start();
            }
            return new Producers(threads, running, failure);
        }

        boolean done() {
            return running.get() == 0;
        }

        void join() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("producer failed", failure.get());
            }
        }
    }

    /** Uncounted fill-and-drain cycles before a drain measurement, as in the C consumers: JIT warm-up. */
    private static final int WARMUP_CYCLES = 3;
    /** The same for the perf buffer (as in perf_consumer.c): more, as a cycle is only 50,000 samples. */
    private static final int PERF_WARMUP_CYCLES = 10;
    /** Samples of a CPU per wake-up in perf drain mode (DRAIN_WAKEUP_EVENTS of perf_consumer.c). */
    private static final int DRAIN_WAKEUP_EVENTS = 1_000_000;

    /** The consumer thread's allocated bytes (HotSpot's per-thread allocation counter, what JFR's allocation events sum). */
    private static final com.sun.management.ThreadMXBean ALLOCATION =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** The consumer alone, as ringbuf_consumer.c drain: fill the ring, time consume() emptying it. */
    private static void drain(BpfProgram producer, RingBuffer ring, int size, double seconds, long[] consumed,
            BpfMap produced) {
        int fill = (64 << 20) / 16 * 15 / ((size + 7) / 8 * 8 + 8);
        TestRunOptions run = TestRunOptions.ofContext(u32(fill));
        for (int i = 0; i < WARMUP_CYCLES; i++) {
            producer.testRun(run);
            ring.consume();
        }
        consumed[0] = 0;
        long busy = 0;
        long allocated = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            producer.testRun(run);
            long a = ALLOCATION.getCurrentThreadAllocatedBytes();
            long t = System.nanoTime();
            ring.consume();
            busy += System.nanoTime() - t;
            allocated += ALLOCATION.getCurrentThreadAllocatedBytes() - a;
        }
        long dropped = ByteBuffer.wrap(produced.lookup(u32(1)).orElseThrow()).order(ByteOrder.nativeOrder()).getLong();
        System.out.printf("consumer=jbpf mode=drain size=%d records=%d seconds=%.3f rate=%.0f dropped=%d alloc_per_record=%.3f%n",
                size, consumed[0], busy / 1e9, consumed[0] / (busy / 1e9), dropped, (double) allocated / consumed[0]);
    }

    /** As perf_consumer.c: 1024 pages (4 MiB) per CPU. */
    private static final int PERF_PAGES_PER_CPU = 1024;

    private static void perfBuffer(Path object, String size, double seconds, boolean drain) throws Exception {
        String programName = "produce_" + size;
        try (OpenedObject opened = BpfObject.open(object)) {
            for (OpenedProgram p : opened.programs()) {
                p.autoload(p.name().equals(programName));
            }
            try (LoadedObject loaded = opened.load()) {
                BpfProgram producer = loaded.program(programName);
                long[] consumed = new long[1];
                long[] lost = new long[1];
                long[] allocated = new long[1];
                // drain: no reader waits, so no wake-up per sample (as perf_consumer.c); live: libbpf's default
                try (PerfBuffer buffer = PerfBuffer.builder(loaded.map("samples")).pagesPerCpu(PERF_PAGES_PER_CPU)
                        .wakeupEvents(drain ? DRAIN_WAKEUP_EVENTS : 1)
                        .onSample((cpu, data) -> consumed[0]++).onLost((cpu, count) -> lost[0] += count).build()) {
                    double elapsed;
                    if (drain) {
                        int recordSize = Integer.parseInt(size);
                        int fill = Math.min(50_000, PERF_PAGES_PER_CPU * 4096 / 4 * 3 / ((recordSize + 4 + 8 + 7) / 8 * 8));
                        TestRunOptions run = TestRunOptions.ofContext(u64(fill));
                        for (int i = 0; i < PERF_WARMUP_CYCLES; i++) {
                            producer.testRun(run);
                            buffer.consume();
                        }
                        consumed[0] = 0;
                        long busy = 0;
                        long end = System.nanoTime() + (long) (seconds * 1e9);
                        while (System.nanoTime() < end) {
                            producer.testRun(run);
                            long a = ALLOCATION.getCurrentThreadAllocatedBytes();
                            long t = System.nanoTime();
                            buffer.consume();
                            busy += System.nanoTime() - t;
                            allocated[0] += ALLOCATION.getCurrentThreadAllocatedBytes() - a;
                        }
                        elapsed = busy / 1e9;
                    } else {
                        TestRunOptions run = TestRunOptions.ofContext(u64(BATCH));
                        long start = System.nanoTime();
                        Producers producing = Producers.start(producer, run, start + (long) (seconds * 1e9), 1);
                        while (true) {
                            boolean done = producing.done();
                            int n = buffer.poll(Duration.ofMillis(100));
                            if (done && n == 0) {
                                break;
                            }
                        }
                        elapsed = (System.nanoTime() - start) / 1e9;
                        producing.join();
                    }
                    long dropped = ByteBuffer.wrap(loaded.map("produced").lookup(u32(1)).orElseThrow())
                            .order(ByteOrder.nativeOrder()).getLong();
                    System.out.printf("consumer=jbpf%s size=%s records=%d seconds=%.3f rate=%.0f dropped=%d lost=%d%s%n",
                            drain ? " mode=drain" : "", size, consumed[0], elapsed, consumed[0] / elapsed, dropped,
                            lost[0], drain ? String.format(java.util.Locale.ROOT, " alloc_per_record=%.3f",
                                    (double) allocated[0] / consumed[0]) : "");
                }
            }
        }
    }

    private static void uprobeAttach(Path object, Path binary, String function, int count) {
        try (OpenedObject opened = BpfObject.open(object)) {
            for (OpenedProgram p : opened.programs()) {
                p.autoload(p.name().equals("count_uprobe"));
            }
            try (LoadedObject loaded = opened.load()) {
                BpfProgram program = loaded.program("count_uprobe");
                // twice: the first round is what a new process sees, the second the warmed-up JVM
                double[] attach = new double[2], detach = new double[2];
                double first = 0;
                for (int round = 0; round < 2; round++) {
                    List<BpfLink> links = new ArrayList<>(count);
                    long start = System.nanoTime();
                    for (int i = 0; i < count; i++) {
                        links.add(program.attach(Uprobe.entry(binary, function)));
                        if (round == 0 && i == 0) {
                            first = (System.nanoTime() - start) / 1e9; // the JVM's first run of the path
                        }
                    }
                    long attached = System.nanoTime();
                    links.forEach(BpfLink::close);
                    long detached = System.nanoTime();
                    attach[round] = (attached - start) / 1e9;
                    detach[round] = (detached - attached) / 1e9;
                }
                System.out.printf("tool=jbpf uprobes=%d attach_seconds=%.4f detach_seconds=%.4f warm_attach_s=%.4f first_attach_s=%.4f%n",
                        count, attach[0], detach[0], attach[1], first);
            }
        }
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    /**
     * One batch update of a new hash map of bench/map_dump.c's shape (u32 key i, u64 value i * 3),
     * timed (the call only): from {@code List<byte[]>} keys and values, or ("native") from keys and
     * values laid out in native memory as C's are.
     */
    private static void mapUpdate(int entries, boolean fromNative) {
        try (BpfMap map = BpfMap.create(MapType.HASH, "bench_update", 4, 8, entries);
             Arena arena = Arena.ofConfined()) {
            double elapsed;
            if (fromNative) {
                MemorySegment keys = arena.allocate(4L * entries, 8);
                MemorySegment values = arena.allocate(8L * entries, 8);
                for (int i = 0; i < entries; i++) {
                    keys.setAtIndex(ValueLayout.JAVA_INT, i, i);
                    values.setAtIndex(ValueLayout.JAVA_LONG, i, i * 3L);
                }
                long start = System.nanoTime();
                map.batch().update(keys, values, entries, UpdateFlag.ANY);
                elapsed = (System.nanoTime() - start) / 1e9;
            } else {
                List<byte[]> keys = new ArrayList<>(entries);
                List<byte[]> values = new ArrayList<>(entries);
                for (int i = 0; i < entries; i++) {
                    keys.add(u32(i));
                    values.add(u64(i * 3L));
                }
                long start = System.nanoTime();
                map.batch().update(keys, values);
                elapsed = (System.nanoTime() - start) / 1e9;
            }
            long count = map.batch().forEach((k, v, n) -> { });
            if (count != entries) {
                throw new IllegalStateException("map holds " + count + " entries, expected " + entries);
            }
            System.out.printf("op=update tool=jbpf-batch%s entries=%d seconds=%.4f%n", fromNative ? "-native" : "",
                    entries, elapsed);
        }
    }

    /** Walks the map three times in this JVM: seconds= is the first walk (what a new process sees), warm= the third. */
    private static void mapDump(Path pin, String how) {
        try (BpfMap map = BpfMap.openPinned(pin)) {
            double first = 0;
            double last = 0;
            long[] result = null;
            for (int pass = 0; pass < ("batch".equals(how) ? 3 : 1); pass++) {
                long start = System.nanoTime();
                result = walk(map, how);
                last = (System.nanoTime() - start) / 1e9;
                if (pass == 0) {
                    first = last;
                }
            }
            System.out.printf("op=dump tool=jbpf-%s entries=%d seconds=%.4f warm=%.4f sum=%d%n", how, result[0], first,
                    last, result[1]);
        }
    }

    /** Reads every entry; returns {entries, sum of values} so that nothing is optimised away. */
    private static long[] walk(BpfMap map, String how) {
        long[] count = new long[1];
        long[] sum = new long[1];
        switch (how) {
            case "batch" -> count[0] = map.batch().forEach((keys, values, n) -> {
                for (int i = 0; i < n; i++) {
                    sum[0] += values.get(ValueLayout.JAVA_LONG_UNALIGNED, i * 8L);
                }
            });
            case "per-key" -> {
                // the keys are 0..max_entries-1 (map_dump.c create): one lookup each
                for (int i = 0; i < map.maxEntries(); i++) {
                    byte[] value = map.lookup(u32(i)).orElseThrow();
                    sum[0] += ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
                    count[0]++;
                }
            }
            default -> throw new IllegalArgumentException("batch or per-key, not " + how);
        }
        return new long[] {count[0], sum[0]};
    }
}
