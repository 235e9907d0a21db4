package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.tools.testing.JvmChild;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmThreadEvents} against a real JVM of each JDK: a child starts K named threads after
 * the tool attached, each printing its Java id and its kernel tid; the tool must report each
 * start and stop with that name, id and tid.
 */
@KernelTest
@Requires(Feature.UPROBES)
class JvmThreadEventsTest {
    static final List<Integer> JDKS = JvmChild.JDKS;
    private static final int THREADS = 4;

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void reportsEveryThreadWithItsNameAndTid(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "threads", String.valueOf(THREADS));
             JvmThreadEvents threads = JvmThreadEvents.attach(child.pid())) {
            child.go();
            List<ThreadEvent> events = JvmTesting.untilExit(threads);
            // "thread NAME JAVA_ID TID"
            Map<String, String> expected = new TreeMap<>();
            for (String line : child.finish()) {
                String[] fields = line.split(" ");
                expected.put(fields[1], fields[2] + " " + fields[3]);
            }
            assertEquals(THREADS, expected.size(), expected::toString);
            for (ThreadEvent.Kind kind : ThreadEvent.Kind.values()) {
                Map<String, String> seen = new TreeMap<>();
                for (ThreadEvent event : events) {
                    if (event.kind() == kind && event.name().startsWith("jbpf-child-")) {
                        assertFalse(event.daemon(), event::toString);
                        String previous = seen.put(event.name(), event.javaId() + " " + event.nativeTid());
                        assertEquals(null, previous, () -> "twice " + kind + ": " + event);
                    }
                }
                assertEquals(expected, seen, () -> kind + " events (name → java id, tid): " + events);
            }
            assertEquals(0, threads.lost());
        }
    }
}
