package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.tools.testing.JvmChild;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmCompileEvents} against a real JVM of each JDK: a child calls a method of its own in a
 * hot loop after the tool attached, with -Xbatch (each compilation finishes before the call that
 * asked for it goes on): the tool must report its compilation, by C1 or C2, with its signature.
 */
@KernelTest
@Requires(Feature.UPROBES)
class JvmCompileEventsTest {
    static final List<Integer> JDKS = JvmChild.JDKS;

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    void reportsTheCompilationOfTheHotMethod(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", "-Xbatch"), "compile", "100000");
             JvmCompileEvents compilations = JvmCompileEvents.attach(child.pid())) {
            child.go();
            List<CompileEvent> events = JvmTesting.untilExit(compilations);
            assertTrue(child.finish().get(0).startsWith("compiled "));
            List<CompileEvent> hot = events.stream().filter(event -> event.method().equals("jbpf.child.JvmChild.hot")).toList();
            assertTrue(!hot.isEmpty(), () -> "no compilation of jbpf.child.JvmChild.hot among " + events.size() + ": " + events);
            for (CompileEvent event : hot) {
                assertEquals("(I)J", event.signature(), event::toString);
                assertTrue(List.of("C1", "C2").contains(event.compiler()), event::toString);
                assertTrue(event.success(), event::toString);
                assertTrue(event.duration().toNanos() > 0, event::toString);
                assertTrue(event.compilerThread() > 0, event::toString);
            }
            assertEquals(0, compilations.lost());
        }
    }
}
