package dev.jbpf.reliability;

import dev.jbpf.testing.Figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapEntry;
import dev.jbpf.map.MapType;
import dev.jbpf.map.TypedMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Lifetimes and threads: an object closed by one thread while another polls its ring buffer,
 * iterates or updates its map, or attaches its program: the other thread gets an
 * IllegalStateException ("... is closed") and nothing else — no crash, no other exception, no
 * operation on a freed object. Many rounds each, with the close landing at different moments.
 * And concurrent map updates from many threads, from user space and from a BPF program running
 * in many threads, lose nothing.
 */
@KernelTest
class LifetimeTest {
    private static final int ROUNDS = 20;
    private static final int THREADS = 8;
    private static final Figures FIGURES = new Figures("lifetimes", "Lifetimes and threads");
    private static final Map<String, String[]> ROWS = new TreeMap<>();

    @AfterAll
    static void writeFigures() {
        if (ROWS.isEmpty()) {
            FIGURES.add("close while other threads use the object; concurrent map updates", "0 rounds",
                    "skipped: needs root");
        }
        ROWS.values().forEach(row -> FIGURES.add(row[0], row[1], row[2]));
        FIGURES.write();
    }

    /** What the other thread ended with, over all rounds. */
    private static final class Outcomes {
        final Map<String, Integer> byKind = new ConcurrentHashMap<>();
        final List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong operations = new AtomicLong();

        void ended(Throwable t) {
            if (t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().contains("closed")) {
                byKind.merge("IllegalStateException \"" + t.getMessage().replaceAll("'[^']*'", "'…'") + "\"", 1,
                        Integer::sum);
            } else {
                byKind.merge(t == null ? "no exception" : t.getClass().getSimpleName(), 1, Integer::sum);
                unexpected.add(t == null ? new AssertionError("the thread ended without an exception") : t);
            }
        }

        void check(String what, int rounds) {
            int clean = rounds - unexpected.size();
            ROWS.put(what, new String[] {what, rounds + " rounds, " + operations.get() + " operations",
                    (unexpected.isEmpty() ? "pass" : "FAIL") + ": " + clean + " of " + rounds
                            + " ended with a clean IllegalStateException, no crash; " + byKind});
            System.out.println("lifetimes: " + what + ": " + byKind + ", " + operations.get() + " operations");
            if (!unexpected.isEmpty()) {
                AssertionError failure = new AssertionError(what + ": " + unexpected.size() + " unexpected outcomes");
                unexpected.forEach(failure::addSuppressed);
                throw failure;
            }
        }
    }

    /**
     * Starts {@code work} in another thread (it loops until it throws), lets it run for a
     * moment that differs per round, closes the object here, and records how the thread ended.
     */
    private static void closeWhile(LoadedObject object, int round, Outcomes outcomes, Consumer<LoadedObject> work)
            throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Throwable[] ended = new Throwable[1];
        Thread worker = Thread.ofPlatform().name("worker-" + round).start(() -> {
            started.countDown();
            try {
                while (true) {
                    work.accept(object);
                    outcomes.operations.incrementAndGet();
                }
            } catch (Throwable t) {
                ended[0] = t;
            }
        });
        started.await();
        Thread.sleep(round % 5 * 7L + round / 5); // 0..~32 ms: the close lands at different points
        object.close();
        worker.join(10_000);
        assertTrue(!worker.isAlive(), "the worker still runs 10 s after the close");
        outcomes.ended(ended[0]);
    }

    @Test
    void closeWhileAnotherThreadPollsTheRingBuffer() throws Exception {
        Outcomes outcomes = new Outcomes();
        Path marker = Files.createTempFile("jbpf-lifetime", ".txt");
        try {
            for (int round = 0; round < ROUNDS; round++) {
                LoadedObject object = BpfObject.open(TestSupport.bpfObject("opensnoop")).load();
                object.program("trace_openat").attach(); // closed with the object
                RingBuffer ring = RingBuffer.builder().add(object.map("events"), record -> {
                    Files.newInputStream(marker).close(); // more records, from the handler itself
                }).build();
                Files.newInputStream(marker).close();
                closeWhile(object, round, outcomes, o -> ring.poll(Duration.ofMillis(20)));
                ring.close(); // closed already with the object: does nothing
            }
        } finally {
            Files.deleteIfExists(marker);
        }
        outcomes.check("close the object while another thread polls its ring buffer (records arriving)", ROUNDS);
    }

    @Test
    void closeWhileAnotherThreadIteratesOrUpdatesAMap() throws Exception {
        Outcomes outcomes = new Outcomes();
        for (int round = 0; round < ROUNDS; round++) {
            LoadedObject object = BpfObject.open(TestSupport.bpfObject("maps")).load();
            TypedMap<Integer, Long> counts = object.map("raw_counts").typed(Codec.INT, Codec.LONG);
            for (int key = 0; key < 4000; key++) {
                counts.put(key, (long) key);
            }
            int mode = round % 3;
            long value = round;
            closeWhile(object, round, outcomes, o -> {
                BpfMap map = o.map("raw_counts");
                switch (mode) {
                    case 0 -> {
                        for (MapEntry entry : map.entries()) {
                            entry.key(); // batch lookups, chunk by chunk
                        }
                    }
                    case 1 -> map.keys().forEach(key -> map.lookup(key));
                    default -> {
                        for (int key = 0; key < 4000; key++) {
                            map.update(Codec.INT.encode(key), Codec.LONG.encode(value));
                        }
                    }
                }
            });
        }
        outcomes.check("close the object while another thread iterates (batches, keys + lookups) or updates its map",
                ROUNDS);
    }

    @Test
    void closeWhileAnotherThreadAttachesItsProgram() throws Exception {
        Outcomes outcomes = new Outcomes();
        for (int round = 0; round < ROUNDS; round++) {
            LoadedObject object = BpfObject.open(TestSupport.bpfObject("maps")).load();
            BpfProgram program = object.program("count_sys_enter"); // raw tracepoint
            boolean detach = round % 2 == 0;
            closeWhile(object, round, outcomes, o -> {
                BpfLink link = program.attach();
                if (detach) {
                    link.close(); // odd rounds leave the links to the object's close
                }
            });
        }
        outcomes.check("close the object while another thread attaches (and detaches) its program", ROUNDS);
    }

    @Test
    void closeWhileAnotherThreadReadsAndWritesGlobalVariables() throws Exception {
        Outcomes outcomes = new Outcomes();
        for (int round = 0; round < ROUNDS; round++) {
            LoadedObject object = BpfObject.open(TestSupport.bpfObject("globals")).load();
            dev.jbpf.GlobalVariables globals = object.globals(); // .bss/.data: the kernel's mmapped map memory
            long value = round;
            closeWhile(object, round, outcomes, o -> {
                globals.setLong("hits", value);
                globals.getLong("hits");
            });
        }
        outcomes.check("close the object while another thread reads and writes its global variables (mmapped)",
                ROUNDS);
    }

    @Test
    void concurrentUserSpaceUpdatesLoseNothing() throws Exception {
        int perThread = 20_000;
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_concurrent", 4, 8, THREADS * perThread)) {
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < THREADS; t++) {
                int first = t * perThread;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        map.update(Codec.INT.encode(first + i), Codec.LONG.encode(first + i * 3L));
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            int found = 0, right = 0;
            for (MapEntry entry : map.entries()) {
                found++;
                int key = Codec.INT.decode(entry.key());
                int first = key / perThread * perThread;
                if (Codec.LONG.decode(entry.value()) == first + (key - first) * 3L) {
                    right++;
                }
            }
            boolean ok = found == THREADS * perThread && right == found;
            ROWS.put("u", new String[] {"concurrent map updates from user space: " + THREADS + " threads, each its own keys",
                    THREADS * perThread + " updates", (ok ? "pass" : "FAIL") + ": " + found + " entries, " + right
                            + " with the value written; " + ms + " ms"});
            assertEquals(THREADS * perThread, found, "entries");
            assertEquals(found, right, "entries with the value written");
        }
    }

    @Test
    void concurrentKernelUpdatesLoseNothing() throws Exception {
        int perThread = 20_000;
        int tgid = (int) ProcessHandle.current().pid();
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            TypedMap<Integer, Long> perProcess = object.map("hash_map").typed(Codec.INT, Codec.LONG);
            perProcess.put(tgid, 0L); // from here on every getppid is an atomic add in the program
            object.program("count_getppid").attach();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(Thread.ofPlatform().start(() -> TestSupport.getppid(perThread)));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            long counted = perProcess.get(tgid).orElseThrow();
            // other threads of this JVM do not call getppid; exactly ours are counted
            boolean ok = counted == (long) THREADS * perThread;
            ROWS.put("k", new String[] {"concurrent map updates by a BPF program (atomic adds) from " + THREADS
                    + " threads calling getppid", THREADS * perThread + " syscalls", (ok ? "pass" : "FAIL")
                            + ": the program counted " + counted});
            assertEquals((long) THREADS * perThread, counted, "getppid calls the program counted for this process");
        }
    }
}
