package dev.jbpf.perf;

import dev.jbpf.testing.VmTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbpf.BpfException;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapType;
import dev.jbpf.map.TypedMap;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** perf.bpf.o's emit_sample sends one sample per getppid(2) of this process to a perf buffer. */
@KernelTest
@VmTest
class PerfBufferTest {
    /** struct perf_sample of perf.bpf.c. */
    record Sample(int bufferCpu, int pid, int tid, int cpu, int seq, String comm, long size) {
        static final int SIZE = 32;

        static Sample parse(int bufferCpu, MemorySegment data) {
            byte[] comm = data.asSlice(16, 16).toArray(ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < comm.length && comm[n] != 0) {
                n++;
            }
            return new Sample(bufferCpu, data.get(ValueLayout.JAVA_INT_UNALIGNED, 0),
                    data.get(ValueLayout.JAVA_INT_UNALIGNED, 4), data.get(ValueLayout.JAVA_INT_UNALIGNED, 8),
                    data.get(ValueLayout.JAVA_INT_UNALIGNED, 12), new String(comm, 0, n, StandardCharsets.UTF_8),
                    data.byteSize());
        }
    }

    /** Polls until done or 5 s passed. */
    static void pollUntil(PerfBuffer buffer, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("within 5 s: " + what);
            }
            buffer.poll(Duration.ofMillis(100));
        }
    }

    static TypedMap<Integer, Long> stats(LoadedObject object) {
        return object.map("output_stats").typed(Codec.INT, Codec.LONG);
    }

    @Test
    void everySampleArrivesWithItsContentsAndCpu() {
        int n = 50;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            List<Sample> samples = new ArrayList<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events"))
                    .onSample((cpu, data) -> samples.add(Sample.parse(cpu, data))).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                assertTrue(buffer.bufferCount() >= 1 && buffer.bufferCount() <= Cpus.online().size(),
                        "one ring per CPU: " + buffer.bufferCount());
                assertTrue(buffer.epollFd() >= 0);
                TestSupport.getppid(n);
                pollUntil(buffer, () -> samples.size() >= n, samples.size() + " of " + n + " samples");
                assertEquals(0, buffer.poll(Duration.ofMillis(50)), "nothing more");
                assertEquals(0, buffer.lostSamples());
            }
            assertEquals(n, samples.size());
            Set<Integer> seqs = new TreeSet<>();
            for (Sample s : samples) {
                assertEquals(PerfTestSupport.PID, s.pid(), s.toString());
                assertTrue(s.tid() > 0, s.toString());
                assertEquals(s.bufferCpu(), s.cpu(), "the ring of the CPU the program ran on: " + s);
                assertTrue(Cpus.online().contains(s.cpu()), s.toString());
                assertFalse(s.comm().isEmpty(), s.toString());
                assertTrue(s.size() >= Sample.SIZE && s.size() < Sample.SIZE + 8, "padded size " + s.size());
                seqs.add(s.seq());
            }
            assertEquals(n, seqs.size(), "no sample twice");
            assertEquals(0, (int) seqs.iterator().next());
            assertEquals(n - 1, (int) ((TreeSet<Integer>) seqs).last());
            assertEquals(n, stats(object).get(1).orElseThrow(), "outputs that succeeded");
            assertEquals(0, stats(object).get(2).orElseThrow(), "outputs that failed");
        }
    }

    @Test
    void aPerfBufferMapDecodesEverySample() {
        int n = 20;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            // what a generated skeleton hands out: the samples decoded (here: their pid, the first 4 bytes)
            PerfBufferMap<Integer> events = new PerfBufferMap<>(object.map("events"),
                    data -> data.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));
            List<Integer> pids = new ArrayList<>();
            try (PerfBuffer buffer = events.subscribe(pids::add);
                 BpfLink link = object.program("emit_sample").attach()) {
                TestSupport.getppid(n);
                pollUntil(buffer, () -> pids.size() >= n, pids.size() + " of " + n + " samples");
            }
            assertEquals(java.util.Collections.nCopies(n, PerfTestSupport.PID), pids);
            assertThrows(IllegalArgumentException.class, () -> new PerfBufferMap<>(object.map("output_stats"), d -> d));
        }
    }

    @Test
    void samplesThatWrapAroundTheRingEndArriveWhole() {
        // ~48-byte records through a 1-page ring, 40 at a time (they fit): the ring wraps about
        // 10 times and records straddle its end, which are read through the copy buffer
        int rounds = 25;
        int perRound = 40;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            List<Sample> samples = new ArrayList<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).pagesPerCpu(1)
                    .onSample((cpu, data) -> samples.add(Sample.parse(cpu, data))).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                for (int round = 0; round < rounds; round++) {
                    TestSupport.getppid(perRound);
                    buffer.consume();
                }
            }
            assertEquals(0, stats(object).get(2).orElseThrow(), "no output failed");
            assertEquals(rounds * perRound, samples.size());
            Set<Integer> seqs = new TreeSet<>();
            for (Sample s : samples) {
                assertEquals(PerfTestSupport.PID, s.pid(), s.toString());
                assertEquals(s.bufferCpu(), s.cpu(), s.toString());
                assertFalse(s.comm().isEmpty(), s.toString());
                seqs.add(s.seq());
            }
            assertEquals(rounds * perRound, seqs.size(), "every sequence number once");
            assertEquals(rounds * perRound - 1, (int) ((TreeSet<Integer>) seqs).last());
        }
    }

    @Test
    void closingTheObjectClosesItsPerfBuffer() {
        PerfBuffer buffer;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            buffer = PerfBuffer.builder(object.map("events")).onSample((cpu, data) -> { }).build();
            assertEquals(0, buffer.consume());
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, buffer::consume);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        buffer.close(); // closing again does nothing
    }

    @Test
    void consumeTakesWhatIsThereWithoutWaiting() throws InterruptedException {
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            AtomicLong count = new AtomicLong();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).pagesPerCpu(4)
                    .onSample((cpu, data) -> count.incrementAndGet()).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                assertEquals(0, buffer.consume());
                TestSupport.getppid(7);
                assertEquals(7, buffer.consume(), "the samples are in the rings as soon as getppid returns");
                assertEquals(7, count.get());
                assertEquals(0, buffer.consume());
            }
        }
    }

    @Test
    void tinyRingsLoseSamplesAndSaySo() {
        int burst = 3000; // ~48 bytes a sample: one 4 KiB page per CPU holds about 85
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            AtomicLong received = new AtomicLong();
            AtomicLong lostReported = new AtomicLong();
            List<Integer> lostCpus = new ArrayList<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).pagesPerCpu(1)
                    .onSample((cpu, data) -> received.incrementAndGet())
                    .onLost((cpu, count) -> {
                        lostReported.addAndGet(count);
                        lostCpus.add(cpu);
                    }).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                // on one CPU throughout: the kernel reports a ring's loss with the next sample
                // written to that same ring
                TestSupport.onCpu(Cpus.online().get(0), () -> {
                    TestSupport.getppid(burst); // nobody polls meanwhile: the rings fill up
                    long failed = stats(object).get(2).orElseThrow();
                    assertTrue(failed > 0, "the kernel dropped samples: " + stats(object).toMap());
                    while (buffer.poll(Duration.ofMillis(100)) > 0) {
                        // drain what fitted
                    }
                    // the kernel reports a loss with the next sample written to that CPU's ring
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (lostReported.get() == 0 && System.nanoTime() < deadline) {
                        TestSupport.getppid(1);
                        buffer.poll(Duration.ofMillis(20));
                    }
                    while (buffer.poll(Duration.ofMillis(50)) > 0) {
                        // drain the triggers
                    }
                });
                System.out.println("perf buffer of 1 page per CPU, burst of " + burst + ": received " + received
                        + ", lost reported " + lostReported + " on CPUs " + lostCpus + ", program saw "
                        + stats(object).toMap());
                assertTrue(lostReported.get() > 0, "the lost callback reported the drops");
                assertEquals(lostReported.get(), buffer.lostSamples(), "lostSamples() totals the reports");
                assertTrue(lostReported.get() <= stats(object).get(2).orElseThrow(),
                        "reported no more than the program failed to send");
                assertEquals(stats(object).get(1).orElseThrow(), received.get(), "every sent sample arrived");
            }
        }
    }

    @Test
    void handlerExceptionsComeOutOfPoll() {
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            IllegalStateException boom = new IllegalStateException("boom from handler");
            try (BpfLink link = object.program("emit_sample").attach()) {
                try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).onSample((cpu, data) -> {
                    throw boom;
                }).build()) {
                    TestSupport.getppid(3);
                    assertSame(boom, assertThrows(IllegalStateException.class,
                            () -> buffer.poll(Duration.ofSeconds(5))), "the handler's own exception, as is");
                    assertEquals(0, buffer.poll(Duration.ofMillis(50)), "the rest of that poll's samples were skipped");
                }
                AtomicLong calls = new AtomicLong();
                try (PerfBuffer checked = PerfBuffer.builder(object.map("events")).onSample((cpu, data) -> {
                    calls.incrementAndGet();
                    throw new IOException("checked");
                }).build()) {
                    TestSupport.getppid(2);
                    BpfException wrapped = assertThrows(BpfException.class, () -> checked.poll(Duration.ofSeconds(5)));
                    assertTrue(wrapped.getCause() instanceof IOException, String.valueOf(wrapped));
                    assertTrue(wrapped.getMessage().contains("handle sample of perf buffer events"), wrapped.getMessage());
                    TestSupport.getppid(1);
                    long before = calls.get();
                    assertThrows(BpfException.class, () -> checked.poll(Duration.ofSeconds(5)), "polls again");
                    assertTrue(calls.get() > before);
                }
            }
        }
    }

    @Test
    void samplesAreReadOnlyAndInvalidAfterTheCallback() {
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            AtomicReference<MemorySegment> kept = new AtomicReference<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).onSample((cpu, data) -> {
                assertTrue(data.isReadOnly());
                kept.compareAndSet(null, data);
            }).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                TestSupport.getppid(1);
                pollUntil(buffer, () -> kept.get() != null, "a sample");
                assertThrows(IllegalStateException.class, () -> kept.get().get(ValueLayout.JAVA_INT, 0));
            }
        }
    }

    @Test
    void aSampleViewKeptPastItsCallbackThrowsInTheNextOne() {
        int n = 20;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            MemorySegment[] previous = {null};
            int[] threw = {0};
            List<Object> stale = new ArrayList<>();
            List<Sample> samples = new ArrayList<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).onSample((cpu, data) -> {
                if (previous[0] != null) {
                    try {
                        stale.add(previous[0].get(ValueLayout.JAVA_INT, 0));
                    } catch (IllegalStateException expected) {
                        threw[0]++;
                    }
                }
                samples.add(Sample.parse(cpu, data));
                previous[0] = data;
            }).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                TestSupport.getppid(n);
                pollUntil(buffer, () -> samples.size() >= n, samples.size() + " of " + n + " samples");
            }
            assertEquals(List.of(), stale, "a kept view was readable in a later callback");
            assertEquals(n - 1, threw[0]);
            assertEquals(n, samples.stream().map(Sample::seq).distinct().count());
        }
    }

    @Test
    void theCopyingHandlerGetsEverySampleWhole() {
        int n = 20;
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            List<Sample> samples = new ArrayList<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).onSample(SampleHandler.copying((cpu, data) ->
                    samples.add(Sample.parse(cpu, MemorySegment.ofArray(data))))).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                TestSupport.getppid(n);
                pollUntil(buffer, () -> samples.size() >= n, samples.size() + " of " + n + " samples");
            }
            assertEquals(n, samples.size());
            for (Sample sample : samples) {
                assertEquals(PerfTestSupport.PID, sample.pid(), sample.toString());
                assertEquals(sample.bufferCpu(), sample.cpu(), sample.toString());
            }
            assertEquals(n, samples.stream().map(Sample::seq).distinct().count(), "every sample once: " + samples);
        }
    }

    @Test
    void closedPerfBufferThrowsAndCloseStopsAPoll() throws Exception {
        int cpus = Cpus.online().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
        try (BpfMap map = BpfMap.create(MapType.PERF_EVENT_ARRAY, "jbpf_t_pbclose", 4, 4, cpus)) {
            PerfBuffer buffer = PerfBuffer.builder(map).onSample((cpu, data) -> { }).build();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread poller = new Thread(() -> {
                try {
                    outcome.set(buffer.poll(Duration.ofSeconds(30)));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            poller.start();
            Thread.sleep(300);
            assertThrows(IllegalStateException.class, () -> buffer.poll(Duration.ZERO), "one poller at a time");
            long start = System.nanoTime();
            buffer.close();
            poller.join(5_000);
            assertFalse(poller.isAlive(), "poll returned after close");
            assertTrue(System.nanoTime() - start < 2_000_000_000L);
            assertEquals(0, outcome.get());
            buffer.close();
            assertThrows(IllegalStateException.class, () -> buffer.poll(Duration.ZERO));
            assertThrows(IllegalStateException.class, buffer::consume);
            assertThrows(IllegalStateException.class, buffer::epollFd);
            assertThrows(IllegalStateException.class, buffer::bufferCount);
        }
    }

    @Test
    void aWakeupCountKeepsPollWaitingUntilThatManySamplesOfACpu() {
        try (LoadedObject object = PerfTestSupport.loadPerfObject()) {
            AtomicLong count = new AtomicLong();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("events")).pagesPerCpu(4).wakeupEvents(5)
                    .onSample((cpu, data) -> count.incrementAndGet()).build();
                 BpfLink link = object.program("emit_sample").attach()) {
                // one CPU, so that every sample counts toward the same ring's wake-up
                TestSupport.onCpu(0, () -> {
                    TestSupport.getppid(4);
                    assertEquals(0, buffer.poll(Duration.ofMillis(300)), "4 samples of 5: the ring does not wake the reader");
                    assertEquals(4, buffer.consume(), "they are in the ring all the same");
                    TestSupport.getppid(1);
                    assertEquals(1, buffer.poll(Duration.ofSeconds(5)), "the 5th sample since the last wake-up wakes it");
                });
                assertEquals(5, count.get());
            }
        }
    }

    @Test
    void badSettingsAreRefused() {
        try (BpfMap hash = BpfMap.create(MapType.HASH, "jbpf_t_pbhash", 4, 4, 4);
             BpfMap array = BpfMap.create(MapType.PERF_EVENT_ARRAY, "jbpf_t_pbbad", 4, 4, 2)) {
            IllegalArgumentException wrongMap = assertThrows(IllegalArgumentException.class,
                    () -> PerfBuffer.builder(hash));
            assertTrue(wrongMap.getMessage().contains("jbpf_t_pbhash") && wrongMap.getMessage().contains("perf_event_array"),
                    wrongMap.getMessage());
            assertThrows(IllegalArgumentException.class, () -> PerfBuffer.builder(array).pagesPerCpu(3));
            assertThrows(IllegalArgumentException.class, () -> PerfBuffer.builder(array).pagesPerCpu(0));
            assertThrows(IllegalArgumentException.class, () -> PerfBuffer.builder(array).wakeupEvents(0));
            assertThrows(IllegalStateException.class, () -> PerfBuffer.builder(array).build(), "no sample handler");
        }
    }
}
