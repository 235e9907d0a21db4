package dev.jbpf.tools.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JavaTargets;
import dev.jbpf.tools.testing.JavaTargets.Jdk;
import dev.jbpf.tools.testing.JavaTargets.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real JVMs of each JDK installed (17 and 25 here) seen from outside: found by their libjvm,
 * their frame-pointer flag read from the command line and asked through jcmd, their perf map
 * written through jcmd. No BPF: the profiler's kernel side is JavaProfileCliTest's.
 */
@UnitTest
class JavaProcessTest {
    static Stream<Jdk> jdks() {
        return JavaTargets.jdksForTests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmIsFoundWithItsJdkAndPid(Jdk jdk) throws Exception {
        try (Target target = JavaTargets.start(jdk, 20, "-XX:+PreserveFramePointer")) {
            JavaProcess jvm = JavaProcess.of(target.pid()).orElseThrow();
            assertEquals(target.pid(), jvm.pid());
            assertEquals(target.pid(), jvm.namespacePid(), "the tests share the JVM's pid namespace");
            assertEquals(jdk.home(), jvm.javaHome().toRealPath());
            assertEquals(Path.of("/proc/" + target.pid() + "/root/tmp/perf-" + target.pid() + ".map"), jvm.perfMapFile());
            assertEquals(jdk.jcmd(), jvm.jcmds().getFirst().toRealPath(), "the target's own jcmd first");

            JavaProcess.FramePointers fromFlags = jvm.framePointers(true);
            assertTrue(fromFlags.preserved(), fromFlags::toString);
            assertEquals("jcmd " + target.pid() + " VM.flags", fromFlags.source());
            JavaProcess.FramePointers fromCommandLine = jvm.framePointers(false);
            assertTrue(fromCommandLine.preserved(), fromCommandLine::toString);
            assertEquals("the command line and environment of process " + target.pid(), fromCommandLine.source());

            assertFalse(Files.exists(target.perfMap()));
            jvm.writePerfMap();
            String map = Files.readString(target.perfMap());
            assertTrue(map.lines().anyMatch(l -> l.endsWith(" long JavaHot.spinHotMethod(long)")), map);
            assertTrue(map.lines().anyMatch(l -> l.endsWith(" Interpreter")), map);
        }
    }

    /** JAVA_TOOL_OPTIONS turns it on, the command line (read later) off again: the JVM and jbpf agree it is off. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theLastSettingOfTheFlagWins(Jdk jdk) throws Exception {
        try (Target target = JavaTargets.start(jdk, 20, Map.of("JAVA_TOOL_OPTIONS", "-XX:+PreserveFramePointer"),
                "-XX:-PreserveFramePointer")) {
            JavaProcess jvm = JavaProcess.of(target.pid()).orElseThrow();
            assertFalse(jvm.framePointers(true).preserved());
            assertFalse(jvm.framePointers(false).preserved());
        }
        try (Target target = JavaTargets.start(jdk, 20, Map.of("JAVA_TOOL_OPTIONS", "-Xss2m -XX:+PreserveFramePointer"))) {
            JavaProcess jvm = JavaProcess.of(target.pid()).orElseThrow();
            assertTrue(jvm.framePointers(true).preserved());
            assertTrue(jvm.framePointers(false).preserved(), "read from the environment");
        }
    }

    @Test
    void aProcessThatIsNoJvmIsRefusedSayingWhatItIs() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            int pid = (int) sleep.pid();
            assertTrue(JavaProcess.of(pid).isEmpty());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JavaProcess.require(pid));
            assertEquals("process " + pid + " (" + Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"))
                    + ") is not a HotSpot JVM (it maps no libjvm.so): only a JVM can be asked to write a perf map", e.getMessage());
        } finally {
            sleep.destroy();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
        assertTrue(JavaProcess.of(999_999_999).isEmpty());
        assertEquals("process 999999999 (no such process) is not a HotSpot JVM (it maps no libjvm.so): only a JVM can be"
                + " asked to write a perf map", assertThrows(IllegalArgumentException.class, () -> JavaProcess.require(999_999_999)).getMessage());
    }
}
