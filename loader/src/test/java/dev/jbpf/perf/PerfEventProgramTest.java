package dev.jbpf.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.PerfEventAttach;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** BPF programs and perf events together (perf.bpf.o): sampling programs, counters read by programs. */
@KernelTest
class PerfEventProgramTest {
    private static final long COOKIE_BASE = 1000;

    @Test
    void samplingEventRunsPerfEventProgramOnEveryCpu() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (LoadedObject object = PerfTestSupport.loadPerfObject();
             PerCpuPerfEvents clocks = PerfEvent.builder(PerfEventType.software(SoftwareEvent.CPU_CLOCK))
                     .sampleFrequency(1000).openOnEveryCpu()) {
            List<BpfLink> links = clocks.attach(object.program("count_sample"), cpu -> COOKIE_BASE + cpu);
            long wallStart = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            PerfTestSupport.burnCpu(Duration.ofMillis(300));
            long burnedMs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
            links.forEach(BpfLink::close); // detaches and disables: the counts stop moving
            long wallMs = (System.nanoTime() - wallStart) / 1_000_000;

            Map<Integer, Long> byCpu = object.map("samples_by_cpu").typed(Codec.INT, Codec.LONG).toMap();
            Map<Long, Long> byCookie = object.map("samples_by_cookie").typed(Codec.LONG, Codec.LONG).toMap();
            long mine = object.map("samples_by_pid").typed(Codec.INT, Codec.LONG).get(PerfTestSupport.PID).orElse(0L);
            long total = byCpu.values().stream().mapToLong(Long::longValue).sum();
            System.out.println("cpu-clock at 1000 Hz: " + burnedMs + " ms burned in " + wallMs + " ms; samples "
                    + "by CPU " + byCpu + ", of this process " + mine);

            // ~1 sample per ms of CPU at 1000 Hz: the busy thread alone gives about burnedMs samples
            assertTrue(mine >= Math.max(10, burnedMs / 4), "samples in this process " + mine + " for "
                    + burnedMs + " ms of CPU");
            long cpus = clocks.cpus().size();
            assertTrue(total <= 2 * wallMs * cpus + 200, "at most ~1000/s per CPU: " + total + " in " + wallMs + " ms");
            for (int cpu : clocks.cpus()) {
                assertEquals(byCpu.getOrDefault(cpu, 0L), byCookie.getOrDefault(COOKIE_BASE + cpu, 0L),
                        "the event of cpu " + cpu + " (its cookie) fires on that CPU only");
            }
            assertEquals(total, byCookie.values().stream().mapToLong(Long::longValue).sum(), "no other cookie");

            Thread.sleep(30);
            assertEquals(byCpu, object.map("samples_by_cpu").typed(Codec.INT, Codec.LONG).toMap(), "detached");
        }
    }

    @Test
    void tracepointProgramOnATracepointPerfEvent() {
        try (LoadedObject object = PerfTestSupport.loadPerfObject();
             PerfEvent getppid = PerfEvent.builder(PerfEventType.tracepoint("syscalls", "sys_enter_getppid"))
                     .pid(0).open()) {
            var hits = object.map("tracepoint_hits").typed(Codec.INT, Codec.LONG);
            try (BpfLink link = object.program("count_tracepoint").attach(new PerfEventAttach(getppid))) {
                assertTrue(link.toString().contains("tracepoint syscalls/sys_enter_getppid"), link.toString());
                TestSupport.getppid(20);
                assertEquals(Optional.of(20L), hits.get(0), "the program ran once per getppid");
                assertEquals(20, getppid.read().value(), "and the event counted each (the program returns 1)");

                // the kernel keeps tracepoint programs per tracepoint: not twice on the same one
                try (PerfEvent again = PerfEvent.builder(getppid.type()).pid(0).open()) {
                    long fds = openFds();
                    BpfException twice = assertThrows(BpfException.class,
                            () -> object.program("count_tracepoint").attach(new PerfEventAttach(again)));
                    assertEquals("EEXIST", twice.errnoName(), twice.getMessage());
                    assertEquals(fds, openFds(), "the fd duplicated for the failed link was closed");
                }
            }
            TestSupport.getppid(5);
            assertEquals(Optional.of(20L), hits.get(0), "detached with its link");

            PerfEvent closed = PerfEvent.builder(getppid.type()).pid(0).open();
            closed.close();
            assertThrows(IllegalStateException.class,
                    () -> object.program("count_tracepoint").attach(new PerfEventAttach(closed)), "a closed event");
        }
    }

    static long openFds() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** struct reading of perf.bpf.c. */
    record Reading(long counter, long enabled, long running, long err, long reads) {
        static Reading of(byte[] raw) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
            return new Reading(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
        }
    }

    @Test
    void programReadsSoftwareCountersThroughAPerfEventArray() throws InterruptedException {
        readCountersFromBpf(PerfEventType.software(SoftwareEvent.CPU_CLOCK));
    }

    @Test
    void programReadsTaskClockThroughAPerfEventArray() throws InterruptedException {
        readCountersFromBpf(PerfEventType.software(SoftwareEvent.TASK_CLOCK));
    }

    /** Context switches: each round's sleep switches this thread out, so the counts move. */
    @Test
    void programReadsContextSwitchesThroughAPerfEventArray() throws InterruptedException {
        readCountersFromBpf(PerfEventType.software(SoftwareEvent.CONTEXT_SWITCHES));
    }

    @Test
    @Requires(Feature.HARDWARE_PERF_EVENTS)
    void programReadsHardwareCountersThroughAPerfEventArray() throws InterruptedException {
        readCountersFromBpf(PerfEventType.hardware(HardwareEvent.CPU_CYCLES));
    }

    /** Per-CPU counting events in `counters`; getppid makes read_counter read this CPU's one. */
    private static void readCountersFromBpf(PerfEventType type) throws InterruptedException {
        try (LoadedObject object = PerfTestSupport.loadPerfObject();
             PerCpuPerfEvents events = PerfEvent.builder(type).openOnEveryCpu()) {
            BpfMap counters = object.map("counters");
            events.putInto(counters);
            BpfMap readings = object.map("readings");
            Map<Integer, Reading> previous = new HashMap<>();
            int increases = 0;
            try (BpfLink link = object.program("read_counter").attach()) {
                int rounds = events.cpus().size() + 2; // some CPU is hit at least twice
                for (int round = 0; round < rounds; round++) {
                    TestSupport.getppid(1);
                    Thread.sleep(5);
                    for (int cpu : events.cpus()) {
                        Optional<byte[]> raw = readings.lookup(Codec.INT.encode(cpu));
                        if (raw.isEmpty()) {
                            continue;
                        }
                        Reading now = Reading.of(raw.get());
                        Reading before = previous.put(cpu, now);
                        if (before != null && now.reads() == before.reads()) {
                            continue; // not this round's CPU
                        }
                        assertEquals(0, now.err(), "bpf_perf_event_read_value on cpu " + cpu + ": " + now);
                        // a clock moves between any two reads; a count of events at least never goes back
                        boolean clock = type.description().contains("clock");
                        assertTrue((clock ? now.counter() > 0 : now.counter() >= 0) && now.enabled() > 0 && now.running() > 0,
                                now.toString());
                        if (before != null) {
                            assertTrue(clock ? now.counter() > before.counter() : now.counter() >= before.counter(),
                                    type.description() + " on cpu " + cpu + ": " + before + " -> " + now);
                            assertTrue(now.enabled() > before.enabled(), "enabled time moves: " + before + " -> " + now);
                            if (now.counter() > before.counter()) {
                                increases++;
                            }
                        }
                    }
                }
            }
            assertFalse(previous.isEmpty(), "read_counter never ran");
            assertTrue(increases > 0, "no CPU was read twice with its " + type.description() + " moved: " + previous);
            System.out.println(type.description() + " read by BPF: " + previous);
            // what the program read cannot be ahead of what Java reads now on the same counter
            Map<Integer, PerfCount> fromJava = events.read();
            previous.forEach((cpu, reading) -> assertTrue(reading.counter() <= fromJava.get(cpu).value(),
                    "cpu " + cpu + ": BPF " + reading + ", Java " + fromJava.get(cpu)));
        }
    }
}
