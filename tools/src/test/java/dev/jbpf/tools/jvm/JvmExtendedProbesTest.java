package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.tools.testing.JvmChild;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmAllocations} and {@link JvmMonitors} against a real JVM of each JDK: without the flag
 * HotSpot needs for their probes, attach refuses, naming the flag for that JDK; with it, a child
 * that allocates N objects of a class of its own (or makes a thread wait for a monitor of such a
 * class R times) after the tool attached is counted exactly.
 */
@KernelTest
@Requires(Feature.UPROBES)
class JvmExtendedProbesTest {
    static final List<Integer> JDKS = JvmChild.JDKS;
    private static final int OBJECTS = 1000;
    private static final int ROUNDS = 5;
    private static final String PAYLOAD = "jbpf.child.JvmChild$Payload";
    private static final String LOCK = "jbpf.child.JvmChild$ContendedLock";

    /** The flag that turns the probes on, as this JDK spells it: -XX:+ExtendedDTraceProbes until it was removed. */
    static String extendedProbesFlag(int jdk, String fineGrained) {
        return jdk < 24 ? "-XX:+ExtendedDTraceProbes" : "-XX:+" + fineGrained;
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void refusesAJvmWithoutTheFlagNamingIt(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "wait")) {
            IllegalStateException alloc = assertThrows(IllegalStateException.class, () -> JvmAllocations.attach(child.pid()));
            assertTrue(alloc.getMessage().contains("runs without -XX:+DTraceAllocProbes"), alloc::getMessage);
            assertTrue(alloc.getMessage().contains("restart it with -XX:+DTraceAllocProbes"), alloc::getMessage);
            IllegalStateException monitors = assertThrows(IllegalStateException.class, () -> JvmMonitors.attach(child.pid()));
            assertTrue(monitors.getMessage().contains("restart it with -XX:+DTraceMonitorProbes"), monitors::getMessage);
            // JDK 17 has the flag that sets both; JDK 25 no longer does, and says so
            String extended = jdk < 24 ? " or -XX:+ExtendedDTraceProbes" : " (this JDK has no -XX:+ExtendedDTraceProbes)";
            assertTrue(alloc.getMessage().endsWith(extended), alloc::getMessage);
            assertTrue(monitors.getMessage().endsWith(extended), monitors::getMessage);
            child.go();
            child.endInput();
            assertEquals(List.of(), child.finish());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void countsTheObjectsTheChildAllocates(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", extendedProbesFlag(jdk, "DTraceAllocProbes")),
                "alloc", String.valueOf(OBJECTS));
             JvmAllocations allocations = JvmAllocations.attach(child.pid())) {
            child.go();
            assertTrue(child.finish().get(0).startsWith("allocated " + OBJECTS + " "));
            List<AllocationCount> counts = allocations.byClass();
            AllocationCount payload = counts.stream().filter(count -> count.className().equals(PAYLOAD)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + PAYLOAD + " in " + counts));
            assertEquals(OBJECTS, payload.count(), payload::toString);
            if (jdk >= 18) {
                // every Payload has the same size: a header and a long
                assertTrue(allocations.sizesReported());
                assertEquals(0, payload.bytes() % OBJECTS, payload::toString);
                assertTrue(payload.bytes() / OBJECTS >= 16, payload::toString);
            } else {
                // JDK 17's object__alloc passes whatever a register holds as the size (JDK-8276209)
                assertFalse(allocations.sizesReported());
                assertEquals(-1, payload.bytes(), payload::toString);
            }
            AllocationCount array = counts.stream().filter(count -> count.className().equals("[L" + PAYLOAD + ";")).findFirst()
                    .orElseThrow(() -> new AssertionError("no array of " + PAYLOAD + " in " + counts));
            assertEquals(1, array.count(), array::toString);
            assertTrue(jdk < 18 ? array.bytes() == -1 : array.bytes() >= 4L * OBJECTS, array::toString);
            assertEquals(0, allocations.lost());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void countsTheMonitorTheChildContends(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", extendedProbesFlag(jdk, "DTraceMonitorProbes")),
                "monitors", String.valueOf(ROUNDS));
             JvmMonitors monitors = JvmMonitors.attach(child.pid())) {
            child.go();
            assertEquals(List.of("contended " + ROUNDS), child.finish());
            List<MonitorContention> counts = monitors.byClass();
            MonitorContention lock = counts.stream().filter(count -> count.className().equals(LOCK)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + LOCK + " in " + counts));
            assertEquals(ROUNDS, lock.contended(), lock::toString);
            assertEquals(ROUNDS, lock.entered(), lock::toString);
            assertTrue(lock.waited().toNanos() > 0 && lock.maxWait().compareTo(lock.waited()) <= 0, lock::toString);
            assertEquals(0, monitors.lost());
        }
    }
}
