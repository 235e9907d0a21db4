package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JvmChild;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@code jbpf jvm ...} against real child JVMs of each JDK (dev.jbpf.tools.testing.JvmChild): the
 * command runs in a thread of this JVM; once its first line says it is attached, the child is
 * told to go; the child's exit ends the command, which prints what it saw, in text or JSON Lines.
 * And the one-line errors of bad input: no such process, not a JVM, a JVM without the flag.
 */
class JvmCliTest {
    static final List<Integer> JDKS = JvmChild.JDKS;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** jbpf running in a thread of this JVM, its output readable while it runs. */
    private static final class Running {
        final StringWriter out = new StringWriter(); // StringBuffer inside: safe to read while written
        final StringWriter err = new StringWriter();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) {
            thread = new Thread(() -> exit.set(Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true))),
                    "jbpf-" + String.join("-", args));
            thread.start();
        }

        /** Waits (up to 60 s) until the output satisfies the condition. */
        void await(Predicate<String> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!condition.test(out.toString())) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new AssertionError("no " + what + "; " + this);
                }
                Thread.sleep(20); // polls the output; the child waits for go meanwhile
            }
        }

        /** Waits for the command to end by itself (the child exited) and returns its stdout; exit 0. */
        String finish() throws InterruptedException {
            thread.join(60_000);
            assertFalse(thread.isAlive(), "still running after the child exited: " + this);
            assertEquals(0, exit.get(), this::toString);
            assertEquals("", err.toString(), this::toString);
            return out.toString();
        }

        @Override
        public String toString() {
            return "exit " + exit.get() + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Starts the command on the child, waits until it is attached, lets the child go; returns the child's lines and the command's output. */
    private static String[] run(JvmChild child, boolean json, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("jvm"));
        args.addAll(List.of(command));
        args.addAll(List.of("--pid", String.valueOf(child.pid())));
        if (json) {
            args.add("-j");
        }
        Running jbpf = new Running(args.toArray(String[]::new));
        jbpf.await(out -> out.contains("\n"), "first line"); // printed once the programs are attached
        child.go();
        List<String> childLines = child.finish();
        String out = jbpf.finish();
        return new String[] {String.join("\n", childLines), out};
    }

    private static List<JsonNode> jsonLines(String out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /** "gc NAME=DELTA" lines of the child: the collections each GarbageCollectorMXBean counted. */
    private static Map<String, Long> collections(String childLines) {
        Map<String, Long> counted = new TreeMap<>();
        for (String line : childLines.lines().toList()) {
            String[] bean = line.substring("gc ".length()).split("=");
            if (Long.parseLong(bean[1]) > 0) {
                counted.put(bean[0], Long.parseLong(bean[1]));
            }
        }
        return counted;
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void gcPrintsEachCollectionAndTheHistogram(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-XX:+UseSerialGC", "-Xmx64m"), "gc", "3")) {
            String[] result = run(child, false, "gc");
            Map<String, Long> counted = collections(result[0]);
            long total = counted.values().stream().mapToLong(Long::longValue).sum();
            List<String> lines = result[1].lines().toList();
            assertTrue(lines.get(0).startsWith("Tracing garbage collections of process " + child.pid() + " (java, JDK " + jdk + "."),
                    result[1]);
            assertTrue(lines.get(0).contains(" until it exits; Ctrl-C to stop."), result[1]);
            assertTrue(lines.get(1).startsWith("TIME(UTC)"), result[1]);
            List<String> collections = lines.stream().filter(line -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).toList();
            assertEquals(total, collections.size(), result[1]);
            // System.gc() with the serial collector: a full collection by MarkSweepCompact
            assertEquals(Map.of("MarkSweepCompact", 3L), counted, result[0]);
            for (String collection : collections) {
                assertTrue(collection.contains(" MarkSweepCompact (full) "), collection);
            }
            assertTrue(result[1].contains("\n3 collections in "), result[1]);
            assertTrue(result[1].contains(" (MarkSweepCompact: 3); the JVM exited\nPause times:\n"), result[1]);
            Matcher histogram = Pattern.compile("(?m)^ +\\d+ -> \\d+ +: (\\d+) +\\|\\**").matcher(result[1]);
            long bucketed = 0;
            while (histogram.find()) {
                bucketed += Long.parseLong(histogram.group(1));
            }
            assertEquals(3, bucketed, result[1]);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void gcJsonLinesMatchTheJvmsOwnCounts(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-XX:+UseG1GC", "-Xmx128m"), "gc", "4")) {
            String[] result = run(child, true, "gc");
            List<JsonNode> lines = jsonLines(result[1]);
            JsonNode start = lines.get(0);
            assertEquals("gc", start.get("tool").asText());
            assertEquals(child.pid(), start.get("pid").asInt());
            assertTrue(start.get("java_version").asText().startsWith(jdk + "."), start::toString);
            assertTrue(start.get("libjvm").asText().endsWith("/lib/server/libjvm.so"), start::toString);
            assertEquals(4, start.get("prog_ids").size(), start::toString);
            Map<String, Long> counted = collections(result[0]);
            Map<String, Long> reported = new TreeMap<>();
            for (JsonNode event : lines.subList(1, lines.size() - 1)) {
                reported.merge(event.get("collector").asText(), 1L, Long::sum);
                assertTrue(event.get("duration_ns").asLong() > 0, event::toString);
                assertTrue(event.get("pools").size() >= 3, event::toString);
            }
            assertEquals(counted, reported, result[1]);
            JsonNode end = lines.get(lines.size() - 1);
            assertEquals(counted.values().stream().mapToLong(Long::longValue).sum(), end.get("collections").asLong(), end::toString);
            assertEquals(counted, new TreeMap<>(JSON.convertValue(end.get("by_collector"),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Long>>() { })), end::toString);
            assertEquals("exited", end.get("ended").asText(), end::toString);
            assertEquals(0, end.get("lost").asLong(), end::toString);
            long bucketed = 0;
            for (JsonNode bucket : end.get("pause_histogram_us")) {
                bucketed += bucket.get("count").asLong();
            }
            assertEquals(end.get("collections").asLong(), bucketed, end::toString);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void threadsPrintsEachStartAndStopWithNameAndTid(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "threads", "3")) {
            String[] result = run(child, false, "threads");
            for (String line : result[0].lines().toList()) {
                // "thread NAME JAVA_ID TID"
                String[] fields = line.split(" ");
                for (String kind : List.of("start", "stop ")) {
                    String expected = String.format(java.util.Locale.ROOT, "  %s  %8s  %8s  %-6s  %s", kind, fields[3], fields[2], "no", fields[1]);
                    assertEquals(1, result[1].lines().filter(out -> out.endsWith(expected)).count(),
                            () -> "one line ending '" + expected + "' in\n" + result[1]);
                }
            }
            assertEquals(3, result[0].lines().count(), result[0]);
            assertTrue(result[1].contains("; the JVM exited\n"), result[1]);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void classesVerboseNamesTheClassLoaded(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "classes")) {
            String[] result = run(child, false, "classes", "-v");
            assertEquals("loaded jbpf.child.JvmChild$LoadMe", result[0]);
            assertEquals(1, result[1].lines().filter(line -> line.matches("\\S+  load    no      jbpf\\.child\\.JvmChild\\$LoadMe")).count(),
                    result[1]);
            Matcher total = Pattern.compile("\\n(\\d+) class(es)? loaded, 0 unloaded; the JVM exited\\n$").matcher(result[1]);
            assertTrue(total.find(), result[1]);
            long printed = result[1].lines().filter(line -> line.matches("\\S+  load .*")).count();
            assertEquals(Long.parseLong(total.group(1)), printed, result[1]);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void classesJsonCountsWithoutNames(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "classes")) {
            String[] result = run(child, true, "classes");
            List<JsonNode> lines = jsonLines(result[1]);
            assertFalse(result[1].contains("LoadMe"), "no names without -v: " + result[1]);
            JsonNode end = lines.get(lines.size() - 1);
            long perSecond = 0;
            for (JsonNode second : lines.subList(1, lines.size() - 1)) {
                perSecond += second.get("loaded").asLong();
            }
            assertTrue(end.get("loaded").asLong() >= 1, end::toString);
            assertEquals(end.get("loaded").asLong(), perSecond, result[1]);
            assertEquals("exited", end.get("ended").asText());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void compileJsonHasTheHotMethod(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", "-Xbatch"), "compile", "100000")) {
            String[] result = run(child, true, "compile");
            List<JsonNode> lines = jsonLines(result[1]);
            List<JsonNode> hot = lines.stream().filter(line -> line.path("method").asText().equals("hot")
                    && line.path("class").asText().equals("jbpf.child.JvmChild")).toList();
            assertFalse(hot.isEmpty(), result[1]);
            for (JsonNode compilation : hot) {
                assertEquals("(I)J", compilation.get("signature").asText());
                assertTrue(List.of("C1", "C2").contains(compilation.get("compiler").asText()), compilation::toString);
                assertTrue(compilation.get("success").asBoolean(), compilation::toString);
            }
            JsonNode end = lines.get(lines.size() - 1);
            assertEquals(lines.size() - 2, end.get("compilations").asLong(), end::toString);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void allocJsonCountsTheChildsObjects(int jdk) throws Exception {
        String flag = jdk < 24 ? "-XX:+ExtendedDTraceProbes" : "-XX:+DTraceAllocProbes";
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", flag), "alloc", "500")) {
            String[] result = run(child, true, "alloc", "--top", "0");
            List<JsonNode> lines = jsonLines(result[1]);
            assertEquals(2, lines.size(), result[1]);
            JsonNode end = lines.get(1);
            JsonNode payload = null;
            for (JsonNode count : end.get("allocations")) {
                if (count.get("class").asText().equals("jbpf.child.JvmChild$Payload")) {
                    payload = count;
                }
            }
            assertTrue(payload != null, result[1]);
            assertEquals(500, payload.get("count").asLong(), payload::toString);
            // JDK 17: no usable sizes (HotSpot's JDK-8276209), said as null
            assertEquals(jdk >= 18, end.get("sizes_reported").asBoolean(), end::toString);
            assertEquals(jdk >= 18, payload.get("bytes").isNumber() && payload.get("bytes").asLong() % 500 == 0, payload::toString);
            assertEquals(end.get("classes").asInt(), end.get("allocations").size(), "--top 0 lists every class");
            assertEquals("exited", end.get("ended").asText());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void monitorsTextCountsTheContendedLock(int jdk) throws Exception {
        String flag = jdk < 24 ? "-XX:+ExtendedDTraceProbes" : "-XX:+DTraceMonitorProbes";
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m", flag), "monitors", "4")) {
            String[] result = run(child, false, "monitors");
            assertEquals("contended 4", result[0]);
            assertTrue(result[1].lines().anyMatch(line -> line.matches(" +4 +4 +[0-9.]+ +[0-9.]+  jbpf\\.child\\.JvmChild\\$ContendedLock")),
                    result[1]);
            assertTrue(result[1].contains("; the JVM exited\n"), result[1]);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void aJvmWithoutTheFlagIsRefusedNamingIt(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "wait")) {
            for (String[] tool : List.of(new String[] {"alloc", "DTraceAllocProbes", "object__alloc"},
                    new String[] {"monitors", "DTraceMonitorProbes", "monitor__contended__enter"})) {
                Jbpf.Result result = Jbpf.run("jvm", tool[0], "--pid", String.valueOf(child.pid()));
                assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
                assertEquals("", result.out(), result::toString);
                String version = result.err().substring(result.err().indexOf(", JDK ") + 6, result.err().indexOf(") runs"));
                assertEquals(List.of("Error: process " + child.pid() + " (java, JDK " + version + ") runs without -XX:+" + tool[1]
                        + ", without which HotSpot does not fire hotspot:" + tool[2] + ": restart it with -XX:+" + tool[1]
                        + (jdk < 24 ? " or -XX:+ExtendedDTraceProbes" : " (this JDK has no -XX:+ExtendedDTraceProbes)")),
                        result.errLines(), result::toString);
            }
            child.go();
            child.endInput();
            assertEquals(List.of(), child.finish());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void durationEndsTheWatchWhileTheJvmRuns(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "wait")) {
            Jbpf.Result result = Jbpf.run("jvm", "threads", "--pid", String.valueOf(child.pid()), "--duration", "0.5", "-j");
            assertEquals(0, result.exitCode(), result::toString);
            List<JsonNode> lines = jsonLines(result.out());
            assertEquals(0.5, lines.get(0).get("duration").asDouble(), result::toString);
            assertEquals("duration", lines.get(lines.size() - 1).get("ended").asText(), result::toString);
            child.go();
            child.endInput();
            assertEquals(List.of(), child.finish());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @KernelTest
    @Requires(Feature.UPROBES)
    void sigintDetachesAndPrintsTheEndWhileTheJvmGoesOn(int jdk) throws Exception {
        try (JvmChild child = JvmChild.start(JvmChild.requireJdk(jdk), List.of("-Xmx64m"), "wait")) {
            Process jbpf = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "jvm", "gc", "--pid",
                    String.valueOf(child.pid()), "-j").redirectErrorStream(true).start();
            try (java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(jbpf.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                String first = out.readLine();
                assertTrue(first != null && first.startsWith("{\"tool\":\"gc\""), "first line: " + first);
                List<Integer> programs = new ArrayList<>();
                JSON.readTree(first).get("prog_ids").forEach(id -> programs.add(id.asInt()));
                assertEquals(4, programs.size(), first);
                for (int id : programs) {
                    dev.jbpf.program.ProgramInfo.ofId(id); // loaded now
                }
                // bin/jbpf execs java, so this pid is the JVM's
                assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(jbpf.pid())).start().waitFor());
                String rest = String.join("\n", out.lines().toList());
                assertTrue(jbpf.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "jbpf jvm gc did not exit on SIGINT");
                assertEquals(130, jbpf.exitValue(), "exit status after SIGINT: " + rest);
                JsonNode end = JSON.readTree(rest.lines().reduce((a, b) -> b).orElseThrow());
                assertEquals("interrupted", end.get("ended").asText(), rest);
                assertEquals(0, end.get("collections").asLong(), rest);
                // programs are freed after their fds close (RCU): up to 5 s
                long deadline = System.nanoTime() + 5_000_000_000L;
                List<Integer> left = programs;
                while (!(left = left.stream().filter(JvmCliTest::loaded).toList()).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(List.of(), left, "programs still loaded after SIGINT");
            } finally {
                jbpf.destroyForcibly();
            }
            // the JVM watched goes on, and ends when told
            child.go();
            child.endInput();
            assertEquals(List.of(), child.finish());
        }
    }

    private static boolean loaded(int program) {
        try {
            dev.jbpf.program.ProgramInfo.ofId(program);
            return true;
        } catch (dev.jbpf.BpfNotFoundException e) {
            return false;
        }
    }

    @Test
    @UnitTest
    void badInputIsAOneLineError() throws Exception {
        int pid = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip()) + 1;
        for (String tool : List.of("gc", "threads", "classes", "compile", "alloc", "monitors")) {
            Jbpf.Result none = Jbpf.run("jvm", tool, "--pid", String.valueOf(pid));
            assertEquals(Main.EXIT_FAILED, none.exitCode(), none::toString);
            assertEquals(List.of("Error: no process " + pid), none.errLines(), none::toString);
            Jbpf.Result missing = Jbpf.run("jvm", tool);
            assertEquals(Main.EXIT_USAGE, missing.exitCode(), missing::toString);
            assertTrue(missing.err().startsWith("Error: Missing required option: '--pid=PID'\nExample: jbpf jvm " + tool + " --pid 1234"),
                    missing::toString);
        }
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            Jbpf.Result notJvm = Jbpf.run("jvm", "gc", "--pid", String.valueOf(sleep.pid()), "-j");
            assertEquals(Main.EXIT_FAILED, notJvm.exitCode(), notJvm::toString);
            assertEquals("", notJvm.out(), notJvm::toString);
            assertEquals(List.of("Error: process " + sleep.pid() + " (sleep) is not a JVM: no libjvm.so in /proc/" + sleep.pid() + "/maps"),
                    notJvm.errLines(), notJvm::toString);
        } finally {
            sleep.destroyForcibly();
        }
        Jbpf.Result duration = Jbpf.run("jvm", "gc", "--pid", "1", "--duration", "0");
        assertEquals(Main.EXIT_USAGE, duration.exitCode(), duration::toString);
        assertTrue(duration.err().startsWith("Error: --duration must be a positive number of seconds"), duration::toString);
        Jbpf.Result zero = Jbpf.run("jvm", "threads", "--pid", "0");
        assertEquals(Main.EXIT_USAGE, zero.exitCode(), zero::toString);
        assertTrue(zero.err().startsWith("Error: --pid must be a positive process id"), zero::toString);
        Jbpf.Result top = Jbpf.run("jvm", "alloc", "--pid", "1", "--top", "-1");
        assertEquals(Main.EXIT_USAGE, top.exitCode(), top::toString);
        assertTrue(top.err().startsWith("Error: --top must be 0 (all) or a positive number"), top::toString);
    }
}
