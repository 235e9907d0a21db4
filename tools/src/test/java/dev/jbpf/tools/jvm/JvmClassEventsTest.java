package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JvmChild;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmClassEvents} against a real JVM of each JDK: a child loads a nested class of its own
 * after the tool attached; the tool must report exactly one load of it, by its Java name.
 */
class JvmClassEventsTest {
    static final List<Integer> JDKS = JvmChild.JDKS;
    private static final String LOADED = "jbpf.child.JvmChild$LoadMe";

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void reportsTheClassTheChildLoads(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "classes");
             JvmClassEvents classes = JvmClassEvents.attach(child.pid())) {
            child.go();
            List<ClassEvent> events = JvmTesting.untilExit(classes);
            assertEquals(List.of("loaded " + LOADED), child.finish());
            List<ClassEvent> loads = events.stream().filter(event -> event.name().equals(LOADED)).toList();
            assertEquals(1, loads.size(), () -> "loads of " + LOADED + " among " + events.size() + " events: " + events);
            ClassEvent load = loads.get(0);
            assertEquals(ClassEvent.Kind.LOADED, load.kind());
            assertFalse(load.shared(), "the child's own class is not in the CDS archive");
            assertTrue(load.loader() != 0, load::toString);
            assertEquals(0, classes.lost());
        }
    }

    @Test
    @UnitTest
    void internalNamesBecomeJavaNames() {
        assertEquals("java.lang.String", Names.className("java/lang/String"));
        assertEquals("[Ljava.lang.Object;", Names.className("[Ljava/lang/Object;"));
        assertEquals("[I", Names.className("[I"));
        assertEquals("com.example.Foo$$Lambda/0x0000000800c03000", Names.className("com/example/Foo$$Lambda+0x0000000800c03000"));
        assertEquals("Demo$$Lambda$3/0x00007f2858000a08", Names.className("Demo$$Lambda$3+0x00007f2858000a08"));
        assertEquals("a.b+0xyz", Names.className("a/b+0xyz")); // not hex: not a hidden class's suffix
        assertEquals("Top", Names.className("Top"));
        // a name the program cut: its bytes, then "..."
        assertEquals("java/la...", Names.text("java/la".getBytes(java.nio.charset.StandardCharsets.UTF_8), 16));
        assertEquals("java", Names.text("java/lang".getBytes(java.nio.charset.StandardCharsets.UTF_8), 4));
    }
}
