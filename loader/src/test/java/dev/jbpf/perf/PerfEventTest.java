package dev.jbpf.perf;

import dev.jbpf.testing.VmTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapType;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Perf events opened from Java: what they count, their switches, and the errors for bad inputs. */
@VmTest
class PerfEventTest {
    private static final long MS = 1_000_000L;

    static PerfEvent.Builder taskClock() {
        return PerfEvent.builder(PerfEventType.software(SoftwareEvent.TASK_CLOCK));
    }

    @Test
    @KernelTest
    void taskClockCountsThisThreadsCpuTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadCpuTime(); // its first call initialises (slow in an emulated VM): not inside the window
        long beforeOpen = threads.getCurrentThreadCpuTime();
        try (PerfEvent event = taskClock().pid(0).open()) {
            assertEquals(0, event.pid());
            assertEquals(-1, event.cpu());
            assertTrue(event.fd() >= 0);
            long burnStart = threads.getCurrentThreadCpuTime();
            PerfTestSupport.burnCpu(Duration.ofMillis(100));
            long burned = threads.getCurrentThreadCpuTime() - burnStart;
            PerfCount count = event.read();
            long window = threads.getCurrentThreadCpuTime() - beforeOpen;
            // the JVM's thread CPU time (CLOCK_THREAD_CPUTIME_ID) and task-clock measure the same runtime,
            // with different clocks that may disagree a little at each context switch: the event counted at
            // least the burn (inside its life) and at most this thread's time from before open to after read
            assertTrue(count.value() >= burned * 9 / 10 - 2 * MS, "task-clock " + count + " vs thread CPU time of the burn "
                    + burned);
            assertTrue(count.value() <= window * 11 / 10 + 2 * MS, "task-clock " + count + " vs thread CPU time from open to"
                    + " read " + window);
            // a per-task event is enabled and running while its task runs
            assertTrue(Math.abs(count.value() - count.timeRunningNanos()) < MS, count.toString());
            assertFalse(count.multiplexed(), "software events are never multiplexed: " + count);
            assertEquals(count.value(), count.scaledValue());
        }
    }

    @Test
    @KernelTest
    void enableDisableReset() throws InterruptedException {
        try (PerfEvent event = taskClock().pid(0).disabled(true).open()) {
            PerfTestSupport.burnCpu(Duration.ofMillis(20));
            assertEquals(0, event.read().value(), "disabled: counts nothing");

            event.enable();
            PerfTestSupport.burnCpu(Duration.ofMillis(50));
            long counted = event.read().value();
            assertTrue(counted >= 5 * MS, "enabled: counts " + counted);

            event.disable();
            long stopped = event.read().value();
            PerfTestSupport.burnCpu(Duration.ofMillis(20));
            assertEquals(stopped, event.read().value(), "disabled again: the counter stands still");

            event.reset();
            assertEquals(0, event.read().value(), "reset: back to 0");
            event.enable();
            PerfTestSupport.burnCpu(Duration.ofMillis(20));
            assertTrue(event.read().value() > 0, "counts again after enable");
        }
    }

    @Test
    @KernelTest
    void tracepointEventCountsEachHitOfThisThread() {
        PerfEventType getppid = PerfEventType.tracepoint("syscalls", "sys_enter_getppid");
        assertEquals(BpfConstants.PERF_TYPE_TRACEPOINT, getppid.type());
        assertTrue(getppid.config() > 0, "tracepoint id from tracefs");
        try (PerfEvent event = PerfEvent.builder(getppid).pid(0).open()) {
            TestSupport.getppid(25);
            assertEquals(25, event.read().value());
            TestSupport.getppid(10);
            assertEquals(35, event.read().value());
        }
    }

    @Test
    @KernelTest
    void pmuByNameCountsPageFaults() throws IOException {
        assertTrue(PerfEventType.pmuNames().contains("software"), PerfEventType.pmuNames().toString());
        PerfEventType faults = PerfEventType.pmu("software", SoftwareEvent.PAGE_FAULTS.config());
        assertEquals(BpfConstants.PERF_TYPE_SOFTWARE, faults.type(), "the software PMU's dynamic type is 1");
        Path file = Files.createTempFile("jbpf-faults-" + PerfTestSupport.PID + "-", ".bin");
        int pages = 256;
        try (PerfEvent event = PerfEvent.builder(faults).pid(0).open();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            // a fresh shared mapping: the first write to each page faults
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, pages * 4096L, arena);
            long before = event.read().value();
            for (long offset = 0; offset < memory.byteSize(); offset += 4096) {
                memory.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
            }
            long after = event.read().value();
            assertTrue(after - before >= pages / 16, "page faults " + before + " -> " + after + " writing "
                    + pages + " new pages");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    @KernelTest
    void everyCpuHasItsOwnCounter() throws InterruptedException {
        try (PerCpuPerfEvents events = PerfEvent.builder(PerfEventType.software(SoftwareEvent.CPU_CLOCK))
                .openOnEveryCpu()) {
            assertEquals(Cpus.online(), events.cpus());
            for (int cpu : events.cpus()) {
                assertEquals(cpu, events.onCpu(cpu).cpu());
                assertEquals(-1, events.onCpu(cpu).pid());
            }
            Thread.sleep(50);
            Map<Integer, PerfCount> counts = events.read();
            assertEquals(Set.copyOf(events.cpus()), counts.keySet());
            counts.forEach((cpu, count) -> {
                // a per-CPU cpu-clock runs whatever runs there, idle included
                assertTrue(count.value() >= 40 * MS, "cpu " + cpu + ": " + count);
                assertTrue(count.value() <= count.timeEnabledNanos() + MS, "cpu " + cpu + ": " + count);
            });
            events.disable();
            Map<Integer, PerfCount> stopped = events.read();
            Thread.sleep(20);
            assertEquals(stopped.values().stream().map(PerfCount::value).toList(),
                    events.read().values().stream().map(PerfCount::value).toList(), "all disabled");
            events.reset();
            events.read().values().forEach(c -> assertEquals(0, c.value()));
            assertThrows(IllegalArgumentException.class, () -> events.onCpu(100_000));
        }
    }

    @Test
    @KernelTest
    @Requires(Feature.HARDWARE_PERF_EVENTS)
    void hardwareEventsCountWhereThereIsAPmu() {
        try (PerfEvent event = PerfEvent.builder(PerfEventType.hardware(HardwareEvent.INSTRUCTIONS)).pid(0).open()) {
            PerfTestSupport.burnCpu(Duration.ofMillis(50));
            PerfCount count = event.read();
            assertTrue(count.scaledValue() > 1_000_000, "instructions in 50 ms of a busy loop: " + count);
        }
    }

    @Test
    @KernelTest
    void missingHardwarePmuIsAClearError() {
        for (PerfEventType type : List.of(PerfEventType.hardware(HardwareEvent.CPU_CYCLES), PerfEventType.raw(0xc0))) {
            PerfEvent opened = null;
            try {
                opened = PerfEvent.builder(type).pid(0).open();
            } catch (PerfEventUnavailableException e) {
                assertTrue(e.getMessage().contains("hardware PMU events are not available on this machine"),
                        e.getMessage());
                assertTrue(Set.of("ENOENT", "EOPNOTSUPP", "ENODEV").contains(e.errnoName()), e.getMessage());
                assertTrue(e.getMessage().contains(type.description()), e.getMessage());
                continue;
            }
            opened.close();
            PerfTestSupport.skip("this machine has a hardware PMU (" + type.description() + " opened)");
        }
    }

    @Test
    @UnitTest
    void badSettingsAreRefusedBeforeTheKernel() {
        PerfEventType clock = PerfEventType.software(SoftwareEvent.CPU_CLOCK);
        IllegalArgumentException cpu = assertThrows(IllegalArgumentException.class,
                () -> PerfEvent.builder(clock).cpu(-1));
        assertTrue(cpu.getMessage().contains("cpu must be >= 0"), cpu.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEvent.builder(clock).pid(-2));

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> PerfEvent.builder(clock).samplePeriod(1000).sampleFrequency(99));
        assertTrue(both.getMessage().contains("exclusive"), both.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEvent.builder(clock).sampleFrequency(99).samplePeriod(1));
        assertThrows(IllegalArgumentException.class, () -> PerfEvent.builder(clock).samplePeriod(0));
        assertThrows(IllegalArgumentException.class, () -> PerfEvent.builder(clock).sampleFrequency(-5));

        IllegalStateException nowhere = assertThrows(IllegalStateException.class,
                () -> PerfEvent.builder(clock).open());
        assertTrue(nowhere.getMessage().contains("openOnEveryCpu"), nowhere.getMessage());
        assertThrows(IllegalStateException.class, () -> PerfEvent.builder(clock).cpu(0).openOnEveryCpu());

        IllegalArgumentException offline = assertThrows(IllegalArgumentException.class,
                () -> PerfEvent.builder(clock).cpu(100_000).open());
        assertTrue(offline.getMessage().contains("cpu 100000 is not online"), offline.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEvent.builder(clock).cpu(0).sampleFrequency(Long.MAX_VALUE)
                .open(), "above kernel.perf_event_max_sample_rate");
        assertThrows(IllegalArgumentException.class, () -> PerfEventType.of(-1, 0));
    }

    @Test
    @UnitTest
    void unknownTracepointsAndPmusAreNamed() {
        BpfNotFoundException name = assertThrows(BpfNotFoundException.class,
                () -> PerfEventType.tracepoint("syscalls", "sys_enter_no_such_call"));
        assertTrue(name.getMessage().contains("syscalls/sys_enter_no_such_call"), name.getMessage());
        assertTrue(name.getMessage().contains("has no tracepoint sys_enter_no_such_call"), name.getMessage());
        BpfNotFoundException category = assertThrows(BpfNotFoundException.class,
                () -> PerfEventType.tracepoint("no_such_category", "x"));
        assertTrue(category.getMessage().contains("no tracepoint category no_such_category"), category.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEventType.tracepoint("syscalls/..", "x"));
        assertThrows(IllegalArgumentException.class, () -> PerfEventType.tracepoint("", "x"));

        BpfNotFoundException pmu = assertThrows(BpfNotFoundException.class,
                () -> PerfEventType.pmu("no_such_pmu", 0));
        assertTrue(pmu.getMessage().contains("no_such_pmu") && pmu.getMessage().contains("software"),
                "names the PMUs there are: " + pmu.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEventType.pmu("..", 0));
    }

    @Test
    @KernelTest
    void kernelRefusalsNameTheEventAndErrno() throws Exception {
        // one read: integer sysctls answer nothing at offsets > 0 (Files.readString would see "3" of "32768")
        long pidMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        BpfException gone = assertThrows(BpfException.class,
                () -> PerfEvent.builder(PerfEventType.software(SoftwareEvent.TASK_CLOCK)).pid((int) pidMax + 1).open());
        assertEquals("ESRCH", gone.errnoName(), gone.getMessage());
        assertTrue(gone.getMessage().startsWith("open perf event software task-clock for pid " + (pidMax + 1)),
                gone.getMessage());

        PerfEventUnavailableException noSuchSoftware = assertThrows(PerfEventUnavailableException.class,
                () -> PerfEvent.builder(PerfEventType.of(BpfConstants.PERF_TYPE_SOFTWARE, 9999)).pid(0).open());
        assertEquals("ENOENT", noSuchSoftware.errnoName(), noSuchSoftware.getMessage());
    }

    @Test
    @KernelTest
    void closedEventsThrow() {
        PerfEvent event = taskClock().pid(0).open();
        assertTrue(event.isOpen());
        event.close();
        event.close();
        assertFalse(event.isOpen());
        assertThrows(IllegalStateException.class, event::fd);
        assertThrows(IllegalStateException.class, event::read);
        assertThrows(IllegalStateException.class, event::enable);
        assertThrows(IllegalStateException.class, event::reset);

        PerCpuPerfEvents events = PerfEvent.builder(PerfEventType.software(SoftwareEvent.CPU_CLOCK)).openOnEveryCpu();
        List<PerfEvent> each = events.events();
        events.close();
        events.close();
        each.forEach(e -> assertFalse(e.isOpen()));
        assertThrows(IllegalStateException.class, events::read);
        assertThrows(IllegalStateException.class, events::cpus);
    }

    @Test
    @KernelTest
    void onlyPerfEventArraysTakeEvents() {
        try (PerfEvent event = taskClock().pid(0).open();
             BpfMap hash = BpfMap.create(MapType.HASH, "jbpf_t_pehash", 4, 4, 4);
             BpfMap array = BpfMap.create(MapType.PERF_EVENT_ARRAY, "jbpf_t_pearr", 4, 4, 2)) {
            IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class,
                    () -> event.putInto(hash, 0));
            assertTrue(notArray.getMessage().contains("not a perf_event_array"), notArray.getMessage());
            assertThrows(IllegalArgumentException.class, () -> event.putInto(array, 2));
            assertThrows(IllegalArgumentException.class, () -> event.putInto(array, -1));
            event.putInto(array, 1);
            // user space cannot look fds up in a perf event array, but deleting tells whether an entry is there
            assertFalse(array.delete(Codec.INT.encode(0)), "index 0 was left empty");
            assertTrue(array.delete(Codec.INT.encode(1)), "index 1 holds the event");
        }
    }
}
