package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * jbpf profile on a process that spins in a known function (test-programs/busy_target.c): that
 * function dominates its samples, in the folded stacks and in the flame graph.
 */
class ProfileCliTest {
    private static final String BUSY = "jbpf_busy_spin";

    /** Starts build/test-bin/busy_target spinning for {@code seconds} and waits for its "ready". */
    private static Process busyTarget(int seconds) throws Exception {
        Path binary = Jbpf.projectDir().resolve("build/test-bin/busy_target");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: run 'make bpf' first");
        }
        Process process = new ProcessBuilder(binary.toString(), Integer.toString(seconds)).redirectErrorStream(true).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", reader.readLine());
        return process;
    }

    @Test
    @KernelTest
    void busyFunctionDominatesItsProcessInFoldedStacksAndFlameGraph(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("busy.folded");
        Path svg = dir.resolve("busy.svg");
        Process busy = busyTarget(30);
        try {
            Jbpf.Result result = Jbpf.run("profile", "--pid", Long.toString(busy.pid()), "--freq", "499",
                    "--duration", "2", "--folded", folded.toString(), "--svg", svg.toString());
            System.out.println(result);
            assertEquals(0, result.exitCode(), result::toString);

            // folded: "comm;frame;...;frame count", all of this process
            Map<String, Long> stacks = Files.readAllLines(folded).stream().collect(Collectors.toMap(
                    line -> line.substring(0, line.lastIndexOf(' ')), line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))));
            long total = stacks.values().stream().mapToLong(Long::longValue).sum();
            long busyOnes = stacks.entrySet().stream().filter(e -> List.of(e.getKey().split(";")).contains(BUSY))
                    .mapToLong(Map.Entry::getValue).sum();
            // ~1000 on an idle machine; far fewer when other work shares the CPUs
            assertTrue(total >= 20, "at 499 Hz for 2 s a spinning process gives hundreds of samples, not " + total);
            assertTrue(busyOnes > total / 2, BUSY + " in " + busyOnes + " of " + total + " samples:\n" + stacks);
            assertTrue(stacks.keySet().stream().allMatch(stack -> stack.startsWith("busy_target;")), stacks.keySet().toString());
            // the user stack walked through the callers, in order
            assertTrue(stacks.keySet().stream().anyMatch(stack -> stack.contains(";main;jbpf_busy_outer;" + BUSY)), stacks.keySet().toString());

            // SVG: well-formed XML (the parser throws otherwise), with a box for the busy function
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", doc.getDocumentElement().getTagName());
            NodeList titles = doc.getElementsByTagName("title");
            boolean found = false;
            for (int i = 0; i < titles.getLength(); i++) {
                found |= titles.item(i).getTextContent().startsWith(BUSY + " (");
            }
            assertTrue(found, "no box titled " + BUSY);
            assertTrue(doc.getElementsByTagName("rect").getLength() > 3);
        } finally {
            busy.destroy();
            busy.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @KernelTest
    void everyProcessWithJsonSeesTheBusyOne() throws Exception {
        Process busy = busyTarget(30);
        try {
            Jbpf.Result result = Jbpf.run("profile", "--freq", "199", "--duration", "1", "-j");
            assertEquals(0, result.exitCode(), result::toString);
            JsonNode profile = new ObjectMapper().readTree(result.out());
            long busyOnes = 0;
            for (JsonNode stack : profile.get("stacks")) {
                if (stack.get("pid").asLong() == busy.pid()) {
                    assertEquals("busy_target", stack.get("comm").asText());
                    for (JsonNode frame : stack.get("frames")) {
                        if (frame.get("name").asText().equals(BUSY)) {
                            assertEquals("native", frame.get("kind").asText(), frame.toString());
                            assertTrue(frame.get("address").asText().matches("0x[0-9a-f]+"), frame.toString());
                            busyOnes += stack.get("count").asLong();
                        }
                    }
                }
            }
            assertTrue(profile.get("samples").asLong() > 0, result.out());
            assertTrue(busyOnes >= 5, "samples of " + BUSY + " in pid " + busy.pid() + ": " + busyOnes);
        } finally {
            busy.destroy();
            busy.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Ctrl-C (SIGINT) ends sampling early; the results are still written and nothing stays loaded. */
    @Test
    @KernelTest
    void ctrlCStopsEarlyAndStillWritesTheProfile(@TempDir Path dir) throws Exception {
        Path folded = dir.resolve("interrupted.folded");
        Process busy = busyTarget(60);
        Process jbpf = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "profile", "--pid",
                Long.toString(busy.pid()), "--freq", "499", "--duration", "50", "--folded", folded.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jbpf.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("Sampling process " + busy.pid()), "first line: " + first);
            Thread.sleep(1500);
            long interrupted = System.nanoTime();
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(jbpf.pid())).start().waitFor());
            assertTrue(jbpf.waitFor(20, TimeUnit.SECONDS), "jbpf profile did not exit on SIGINT");
            String rest = out.lines().collect(Collectors.joining("\n"));
            System.out.println("exited " + (System.nanoTime() - interrupted) / 1_000_000 + " ms after SIGINT:\n" + rest);
            assertEquals(130, jbpf.exitValue(), rest);
            assertTrue(rest.contains("Folded stacks: " + folded), rest);
            assertTrue(Files.readString(folded).contains(";jbpf_busy_spin "), Files.readString(folded));
            Process list = new ProcessBuilder("bpftool", "prog", "show", "name", "sample_stack").redirectErrorStream(true).start();
            String left = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            list.waitFor();
            assertFalse(left.contains("perf_event"), "the profiler's program is still loaded:\n" + left);
        } finally {
            jbpf.destroyForcibly();
            busy.destroy();
            busy.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @KernelTest
    void anIdleProcessGivesNoProfileAndExits1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Process idle = new ProcessBuilder("sleep", "30").start();
        try {
            java.nio.file.Path svg = dir.resolve("idle.svg");
            Jbpf.Result result = Jbpf.run("profile", "--pid", Long.toString(idle.pid()), "--duration", "1", "--svg",
                    svg.toString());
            assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
            assertEquals(List.of("Error: no sample arrived in 1 s: process " + idle.pid()
                    + " did not run on a CPU (idle or sleeping); nothing written"), result.errLines());
            assertFalse(java.nio.file.Files.exists(svg), "no empty flame graph");
        } finally {
            idle.destroy();
        }
    }

    @Test
    @UnitTest
    void badInput() {
        Jbpf.Result noProcess = Jbpf.run("profile", "--pid", "999999999", "--duration", "1");
        assertEquals(Main.EXIT_FAILED, noProcess.exitCode(), noProcess::toString);
        assertEquals(List.of("Error: no process 999999999"), noProcess.errLines());
        Jbpf.Result badFrequency = Jbpf.run("profile", "--freq", "0");
        assertEquals(Main.EXIT_USAGE, badFrequency.exitCode(), badFrequency::toString);
        assertTrue(badFrequency.err().startsWith("Error: --freq"), badFrequency::toString);
        Jbpf.Result badDuration = Jbpf.run("profile", "--duration", "-1");
        assertEquals(Main.EXIT_USAGE, badDuration.exitCode(), badDuration::toString);
        assertFalse(badDuration.err().contains("\tat "), badDuration::toString);
    }
}
