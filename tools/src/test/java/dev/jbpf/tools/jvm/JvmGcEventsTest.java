package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.tools.testing.JvmChild;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmGcEvents} against a real JVM of each JDK: a child that calls System.gc() N times
 * after the tool attached and prints, at exit, how many collections each of its
 * GarbageCollectorMXBeans counted since; the tool must report exactly those collections, each
 * with the collector's (the bean's) name.
 */
@KernelTest
@Requires(Feature.UPROBES)
class JvmGcEventsTest {
    static final List<Integer> JDKS = JvmChild.JDKS;
    private static final int COLLECTIONS = 5;

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void reportsExactlyTheCollectionsTheJvmCounts(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-XX:+UseG1GC", "-Xmx128m"), "gc",
                String.valueOf(COLLECTIONS));
             JvmGcEvents gc = JvmGcEvents.attach(child.pid())) {
            child.go();
            List<GcEvent> events = JvmTesting.untilExit(gc);
            Map<String, Long> counted = new TreeMap<>();
            for (String line : child.finish()) {
                String[] bean = line.substring("gc ".length()).split("=");
                if (Long.parseLong(bean[1]) > 0) {
                    counted.put(bean[0], Long.parseLong(bean[1]));
                }
            }
            long total = counted.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(total >= COLLECTIONS, "the child's beans count " + counted + " after " + COLLECTIONS + " System.gc()");
            Map<String, Long> reported = new TreeMap<>(events.stream()
                    .collect(Collectors.groupingBy(GcEvent::collector, Collectors.counting())));
            assertEquals(counted, reported, () -> "collections by collector; events: " + events);
            assertEquals(0, gc.lost());
            for (GcEvent event : events) {
                assertTrue(event.duration().toNanos() > 0, event::toString);
                List<String> pools = event.pools().stream().map(GcEvent.PoolUsage::name).toList();
                assertTrue(pools.containsAll(List.of("G1 Eden Space", "G1 Old Gen", "Metaspace")), pools::toString);
                for (GcEvent.PoolUsage pool : event.pools()) {
                    assertTrue(pool.usedBefore() >= 0 && pool.usedAfter() >= 0 && pool.committedAfter() >= pool.usedAfter(),
                            pool::toString);
                }
                if (event.collector().equals("G1 Old Generation")) {
                    assertTrue(event.full(), "System.gc()'s collection is a full one: " + event);
                }
            }
        }
    }
}
