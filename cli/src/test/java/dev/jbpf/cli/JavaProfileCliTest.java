package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JavaTargets;
import dev.jbpf.tools.testing.JavaTargets.Jdk;
import dev.jbpf.tools.testing.JavaTargets.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * jbpf profile on real JVMs of each JDK installed (17 and 25 here) running
 * test-programs/JavaHot.java, whose CPU time goes to JavaHot.spinHotMethod: the JIT-compiled
 * method is named from the JVM's perf map (written by --jvm-perfmap, by jcmd beforehand, or by
 * -XX:+DumpPerfMapAtExit), the stack is walked past it with -XX:+PreserveFramePointer, and a JVM
 * without that flag is profiled with a warning.
 */
class JavaProfileCliTest {
    private static final String HOT = JavaTargets.HOT_METHOD + "_[j]";

    static Stream<Jdk> jdks() {
        return JavaTargets.jdksForTests();
    }

    private static Map<String, Long> folded(Path file) throws Exception {
        return Files.readAllLines(file).stream().collect(Collectors.toMap(
                line -> line.substring(0, line.lastIndexOf(' ')), line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))));
    }

    /** Samples of the stacks that have every one of {@code frames}. */
    private static long samplesWith(Map<String, Long> stacks, String... frames) {
        return stacks.entrySet().stream()
                .filter(e -> List.of(e.getKey().split(";")).containsAll(List.of(frames)))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private static long total(Map<String, Long> stacks) {
        return stacks.values().stream().mapToLong(Long::longValue).sum();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    @KernelTest
    void jvmPerfMapNamesTheHotMethodAndTheStackGoesPastIt(Jdk jdk, @TempDir Path dir) throws Exception {
        Path foldedFile = dir.resolve("java.folded");
        Path svg = dir.resolve("java.svg");
        try (Target target = JavaTargets.start(jdk, 60, "-XX:+PreserveFramePointer")) {
            Jbpf.Result result = Jbpf.run("profile", "--pid", Integer.toString(target.pid()), "--jvm-perfmap", "--freq", "199",
                    "--duration", "2", "--folded", foldedFile.toString(), "--svg", svg.toString());
            System.out.println(jdk + ": " + result);
            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(result.err().contains("Warning"), "the JVM keeps frame pointers: " + result);
            assertTrue(Files.isRegularFile(target.perfMap()), "--jvm-perfmap had the JVM write " + target.perfMap());

            Map<String, Long> stacks = folded(foldedFile);
            long total = total(stacks);
            long hot = samplesWith(stacks, HOT);
            assertTrue(total >= 20, "a spinning JVM at 199 Hz for 2 s gives hundreds of samples, not " + total);
            assertTrue(hot > total / 2, HOT + " in " + hot + " of " + total + " samples:\n" + stacks);
            // frame pointers: the kernel walked from the compiled method through the interpreted
            // callers and the call stub into libjvm's C++ (demangled) that called main
            String callHelper = "JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)";
            long walked = samplesWith(stacks, HOT, "Interpreter", callHelper);
            assertTrue(walked > hot / 2, "only " + walked + " of " + hot + " samples of the hot method walked back to "
                    + callHelper + ":\n" + stacks);

            // the flame graph: the hot method's box has the Java class and a green fill
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
            NodeList groups = doc.getElementsByTagName("g");
            List<String> hotClasses = new ArrayList<>();
            for (int i = 0; i < groups.getLength(); i++) {
                Element g = (Element) groups.item(i);
                if (g.getElementsByTagName("title").item(0).getTextContent().startsWith(JavaTargets.HOT_METHOD + " (")) {
                    hotClasses.add(g.getAttribute("class"));
                }
            }
            assertFalse(hotClasses.isEmpty(), "no box for " + JavaTargets.HOT_METHOD);
            assertTrue(hotClasses.stream().allMatch("java"::equals), hotClasses.toString());
        }
    }

    /** A map written beforehand (jcmd of the test): read without --jvm-perfmap; -j gives each frame's kind and address. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    @KernelTest
    void aPerfMapWrittenBeforehandNamesTheHotMethodWithItsAddresses(Jdk jdk) throws Exception {
        try (Target target = JavaTargets.start(jdk, 60, "-XX:+PreserveFramePointer")) {
            Process jcmd = new ProcessBuilder(jdk.jcmd().toString(), Integer.toString(target.pid()), "Compiler.perfmap")
                    .redirectErrorStream(true).start();
            String said = new String(jcmd.getInputStream().readAllBytes());
            assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS) && jcmd.exitValue() == 0, said);
            // where the map puts the hot method's compiled code (it may have been compiled more than once)
            List<long[]> ranges = Files.readAllLines(target.perfMap()).stream()
                    .filter(line -> line.endsWith(" long JavaHot.spinHotMethod(long)"))
                    .map(line -> line.split(" "))
                    .map(f -> new long[] {Long.decode(f[0]), Long.decode(f[0]) + Long.decode(f[1])})
                    .toList();
            assertFalse(ranges.isEmpty(), "the hot method is compiled after a second of spinning");

            Jbpf.Result result = Jbpf.run("profile", "--pid", Integer.toString(target.pid()), "--freq", "199", "--duration", "2", "-j");
            assertEquals(0, result.exitCode(), result::toString);
            JsonNode profile = new ObjectMapper().readTree(result.out());
            long total = 0;
            long hot = 0;
            for (JsonNode stack : profile.get("stacks")) {
                total += stack.get("count").asLong();
                for (JsonNode frame : stack.get("frames")) {
                    if (frame.get("name").asText().equals(JavaTargets.HOT_METHOD)) {
                        assertEquals("java", frame.get("kind").asText(), frame.toString());
                        long address = Long.parseUnsignedLong(frame.get("address").asText().substring(2), 16);
                        assertTrue(ranges.stream().anyMatch(r -> address >= r[0] && address <= r[1]),
                                frame + " is not in the hot method's code, " + ranges.stream().map(r -> Long.toHexString(r[0])).toList());
                        hot += stack.get("count").asLong();
                        break;
                    }
                }
            }
            assertTrue(hot > total / 2, JavaTargets.HOT_METHOD + " in " + hot + " of " + total + " samples:\n" + result.out());
            assertEquals(0, profile.get("warnings").size(), result.out());
        }
    }

    /** -XX:+DumpPerfMapAtExit: the JVM writes its map as it exits, which ends sampling; jbpf reads it then. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    @KernelTest
    void aPerfMapWrittenAtExitNamesTheHotMethod(Jdk jdk, @TempDir Path dir) throws Exception {
        Path foldedFile = dir.resolve("exit.folded");
        try (Target target = JavaTargets.start(jdk, 3.5, "-XX:+PreserveFramePointer", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+DumpPerfMapAtExit")) {
            assertFalse(Files.exists(target.perfMap()));
            long started = System.nanoTime();
            Jbpf.Result result = Jbpf.run("profile", "--pid", Integer.toString(target.pid()), "--freq", "199", "--duration", "30",
                    "--folded", foldedFile.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(System.nanoTime() - started < 20_000_000_000L, "sampling ends when the JVM exits");
            assertTrue(target.awaitExit(10).contains("done"));
            assertTrue(Files.isRegularFile(target.perfMap()));
            Map<String, Long> stacks = folded(foldedFile);
            long hot = samplesWith(stacks, HOT);
            assertTrue(hot > total(stacks) / 2, HOT + " in " + hot + " of " + total(stacks) + " samples:\n" + stacks);
        }
    }

    /**
     * A JVM without -XX:+PreserveFramePointer is still profiled, its hot method still named (it is
     * the frame sampled), and the user is told what is lost and which flag fixes it: the flag read
     * from the JVM's memory, with or without --jvm-perfmap.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    @KernelTest
    void withoutPreserveFramePointerTheWarningIsPrinted(Jdk jdk, @TempDir Path dir) throws Exception {
        try (Target target = JavaTargets.start(jdk, 60)) {
            String pid = Integer.toString(target.pid());
            String warning = "Warning: JVM " + pid + " runs without -XX:+PreserveFramePointer (from %s): its JIT-compiled code"
                    + " uses the frame pointer register for data, so its Java stacks are cut at the first compiled frame: the"
                    + " method sampled is named, its callers are lost or wrong. Restart it with -XX:+PreserveFramePointer (a few"
                    + " per cent of CPU) for whole stacks.";

            Path plain = dir.resolve("plain.folded");
            Jbpf.Result fromCommandLine = Jbpf.run("profile", "--pid", pid, "--duration", "1", "--folded", plain.toString());
            assertEquals(0, fromCommandLine.exitCode(), fromCommandLine::toString);
            assertEquals(List.of(String.format(warning, "the flag in its memory")),
                    fromCommandLine.errLines());
            assertTrue(Files.size(plain) > 0, "still profiled");

            Path asked = dir.resolve("asked.folded");
            Jbpf.Result fromFlags = Jbpf.run("profile", "--pid", pid, "--jvm-perfmap", "--freq", "199", "--duration", "2",
                    "--folded", asked.toString());
            assertEquals(0, fromFlags.exitCode(), fromFlags::toString);
            assertEquals(List.of(String.format(warning, "the flag in its memory")), fromFlags.errLines());
            Map<String, Long> stacks = folded(asked);
            long hot = samplesWith(stacks, HOT);
            assertTrue(hot > total(stacks) / 2, HOT + " in " + hot + " of " + total(stacks) + " samples:\n" + stacks);
        }
    }

    /**
     * As in a container: the JVM is pid 1 of its own pid namespace with its own /tmp, so its
     * perf map is /tmp/perf-1.map there; jbpf has it written (jcmd finds the namespace) and
     * reads it through /proc/PID/root.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    @KernelTest(root = true)
    void aJvmInItsOwnPidAndMountNamespaceIsNamed(Jdk jdk, @TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "util-linux's unshare is not installed");
        Path foldedFile = dir.resolve("ns.folded");
        try (Target target = JavaTargets.startInNamespaces(jdk, 60, "-XX:+PreserveFramePointer")) {
            assertEquals(1, target.namespacePid());
            Path hostMap = Path.of("/tmp/perf-1.map");
            boolean hostMapBefore = Files.exists(hostMap);
            Jbpf.Result result = Jbpf.run("profile", "--pid", Integer.toString(target.pid()), "--jvm-perfmap", "--freq", "199",
                    "--duration", "2", "--folded", foldedFile.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(Path.of("/proc/" + target.pid() + "/root/tmp/perf-1.map"), target.perfMap());
            assertTrue(Files.isRegularFile(target.perfMap()), "written in the JVM's own /tmp");
            assertEquals(hostMapBefore, Files.exists(hostMap), "and not in this one's");
            Map<String, Long> stacks = folded(foldedFile);
            long hot = samplesWith(stacks, HOT);
            assertTrue(hot > total(stacks) / 2, HOT + " in " + hot + " of " + total(stacks) + " samples:\n" + stacks);
        }
    }

    @Test
    @UnitTest
    void jvmPerfMapOnAProcessThatIsNoJvmIsAOneLineError() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            Jbpf.Result result = Jbpf.run("profile", "--pid", Long.toString(sleep.pid()), "--jvm-perfmap", "--duration", "1");
            assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
            assertEquals(List.of("Error: process " + sleep.pid() + " (sleep) is not a JVM: no libjvm.so in /proc/" + sleep.pid()
                    + "/maps"), result.errLines());
        } finally {
            sleep.destroy();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
        Jbpf.Result noPid = Jbpf.run("profile", "--jvm-perfmap");
        assertEquals(Main.EXIT_USAGE, noPid.exitCode(), noPid::toString);
        assertEquals("Error: --jvm-perfmap needs --pid: it asks one JVM to write its perf map", noPid.errLines().getFirst());
    }
}
