package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JavaTargets;
import dev.jbpf.tools.testing.JavaTargets.Jdk;
import dev.jbpf.tools.testing.JavaTargets.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real JVMs of each JDK installed (17 and 25 here) as the profiler sees them: found with their
 * JDK and pid, their frame-pointer flag however it was set, their perf map written through jcmd.
 * No BPF: the profiler's kernel side is JavaProfileCliTest's.
 */
@UnitTest
class JvmPerfMapTest {
    static Stream<Jdk> jdks() {
        return JavaTargets.jdksForTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmWritesItsPerfMapOnRequest(Jdk jdk) throws Exception {
        try (Target target = JavaTargets.start(jdk, 20, "-XX:+PreserveFramePointer")) {
            JvmProcess jvm = JvmProcess.of(target.pid());
            assertEquals(target.pid(), jvm.namespacePid(), "the tests share the JVM's pid namespace");
            assertEquals(jdk.home(), jvm.javaHome().toRealPath());
            assertEquals(Path.of("/proc/" + target.pid() + "/root/tmp/perf-" + target.pid() + ".map"), jvm.perfMapFile());
            assertEquals(jdk.jcmd(), Jcmd.candidates(jvm).getFirst().toRealPath(), "the target's own jcmd first");

            assertEquals(new JvmProcess.FramePointers(true, "the flag in its memory"), jvm.framePointers());
            assertEquals(Optional.of(true), JvmFlags.fromJcmd(jvm, "PreserveFramePointer"), "as the JVM itself says");

            assertFalse(Files.exists(target.perfMap()));
            jvm.writePerfMap();
            String map = Files.readString(target.perfMap());
            assertTrue(map.lines().anyMatch(l -> l.endsWith(" long JavaHot.spinHotMethod(long)")), map);
            assertTrue(map.lines().anyMatch(l -> l.endsWith(" Interpreter")), map);
        }
    }

    /**
     * JAVA_TOOL_OPTIONS turns it on, the command line (read later) off again: the flag in memory
     * is the JVM's own verdict, where parsing its command line would have to replay HotSpot's order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theLastSettingOfTheFlagWins(Jdk jdk) throws Exception {
        try (Target target = JavaTargets.start(jdk, 20, Map.of("JAVA_TOOL_OPTIONS", "-XX:+PreserveFramePointer"),
                "-XX:-PreserveFramePointer")) {
            assertFalse(JvmProcess.of(target.pid()).framePointers().preserved());
        }
        try (Target target = JavaTargets.start(jdk, 20, Map.of("JAVA_TOOL_OPTIONS", "-Xss2m -XX:+PreserveFramePointer"))) {
            assertTrue(JvmProcess.of(target.pid()).framePointers().preserved(), "set in the environment only");
        }
    }

    @Test
    void findIsEmptyForWhatIsNoJvm() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            assertEquals(Optional.empty(), JvmProcess.find((int) sleep.pid()));
        } finally {
            sleep.destroy();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
        assertEquals(Optional.empty(), JvmProcess.find(JvmProcessTest.unusedPid()));
        assertEquals(Optional.empty(), JvmProcess.find(2), "kthreadd");
    }
}
