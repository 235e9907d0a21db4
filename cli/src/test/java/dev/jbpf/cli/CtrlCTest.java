package dev.jbpf.cli;

import dev.jbpf.testing.Figures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Signals to `jbpf attach` in the foreground, run through bin/jbpf as a user runs it. Ctrl-C
 * (SIGINT) and SIGTERM detach every link and unload the programs, and leave what the user
 * pinned meanwhile pinned; SIGKILL runs no Java at all, yet the links die with the process's
 * fds; only pinned links outlive the process. Other tests load programs at the same time, so
 * everything is compared by the kernel ids this process created: its programs (from its
 * output) and their links (from bpftool link list, an independent observer).
 */
@KernelTest
class CtrlCTest {
    private static final Figures FIGURES = new Figures("signals", "Signals");
    private static final Pattern PROG_ID = Pattern.compile("\\(prog id (\\d+)\\)");

    @BeforeAll
    static void privilegedWithBpftool() {
        boolean bpftool;
        try {
            bpftool = new ProcessBuilder("bpftool", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            bpftool = false;
        }
        if (!bpftool) {
            System.out.println("SKIPPED CtrlCTest: bpftool (the independent view of the kernel's links) is not installed");
        }
        assumeTrue(bpftool, "bpftool is not installed");
    }

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    /** A foreground `jbpf attach` and what it printed, read all along (a full pipe would block it). */
    private static final class Attached implements AutoCloseable {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread drain;

        Attached(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Jbpf.projectDir().resolve("bin/jbpf").toString(), "attach"));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            drain = Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.contains("Ctrl-C to detach")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException e) {
                    output.append("(reading stdout failed: ").append(e).append(")\n");
                }
            });
        }

        Set<Integer> awaitPrograms() throws InterruptedException {
            assertTrue(ready.await(60, TimeUnit.SECONDS), () -> "jbpf never got to 'Ctrl-C to detach':\n" + output);
            Set<Integer> ids = new TreeSet<>();
            Matcher matcher = PROG_ID.matcher(output);
            while (matcher.find()) {
                ids.add(Integer.parseInt(matcher.group(1)));
            }
            assertFalse(ids.isEmpty(), () -> "no program ids in\n" + output);
            return ids;
        }

        /** Sends the signal (bin/jbpf execs java, so the pid is the JVM's) and waits for the exit status. */
        int signal(String name) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor());
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "jbpf did not exit on SIG" + name);
            drain.join(Duration.ofSeconds(5));
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** The ids of the kernel's links that attach one of these programs, as bpftool lists them. */
    static Set<Integer> linksOf(Set<Integer> programs) throws Exception {
        Process bpftool = new ProcessBuilder("bpftool", "link", "list", "-j").redirectErrorStream(false).start();
        byte[] json = bpftool.getInputStream().readAllBytes();
        assertEquals(0, bpftool.waitFor(), "bpftool link list failed");
        Set<Integer> links = new TreeSet<>();
        for (JsonNode link : new ObjectMapper().readTree(json)) {
            if (programs.contains(link.path("prog_id").asInt(-1))) {
                links.add(link.get("id").asInt());
            }
        }
        return links;
    }

    private static boolean loaded(int program) {
        try {
            ProgramInfo.ofId(program);
            return true;
        } catch (BpfNotFoundException e) {
            return false;
        }
    }

    /** Links and programs are freed after the fds close (RCU): waits up to 5 s for them to go. */
    private static void assertGone(Set<Integer> programs, Set<Integer> links, CharSequence output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<Integer> linksLeft;
        List<Integer> programsLeft;
        do {
            linksLeft = new TreeSet<>(linksOf(programs));
            linksLeft.retainAll(links);
            programsLeft = programs.stream().filter(CtrlCTest::loaded).toList();
            if (linksLeft.isEmpty() && programsLeft.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        Set<Integer> finalLinks = linksLeft;
        List<Integer> finalPrograms = programsLeft;
        throw new AssertionError("left behind: links " + finalLinks + ", programs " + finalPrograms + "\n" + output);
    }

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void interruptDetachesEveryLinkAndKeepsTheUsersPins(String signal, int exitStatus) throws Exception {
        Path userPin = Path.of("/sys/fs/bpf", "jbpf-test-signal-" + signal + "-" + ProcessHandle.current().pid());
        try (Attached jbpf = new Attached(TestSupport.bpfObject("maps").toString())) {
            FIGURES.check("SIGINT and SIGTERM during attach (2 links: perf_event, raw_tracepoint)",
                    "as expected: 'Detached', exit 130/143, links and programs gone (by id, bpftool), the user's map pin kept", () -> {
                Set<Integer> programs = jbpf.awaitPrograms();
                Set<Integer> links = linksOf(programs);
                assertEquals(programs.size(), links.size(), () -> "one link per program expected: " + links + "\n" + jbpf.output);
                // the user pins one of the object's maps while jbpf runs: that pin is theirs, not jbpf's
                int mapId = ProgramInfo.ofId(programs.iterator().next()).mapIds().get(0);
                Jbpf.Result pinned = Jbpf.run("map", "pin", "id", String.valueOf(mapId), userPin.toString());
                assertEquals(0, pinned.exitCode(), pinned::toString);

                assertEquals(exitStatus, jbpf.signal(signal), () -> "exit status after SIG" + signal + "\n" + jbpf.output);
                assertTrue(jbpf.output.toString().contains("Detached after"), () -> "no detach message:\n" + jbpf.output);
                assertGone(programs, links, jbpf.output);
                try (BpfMap map = BpfMap.openPinned(userPin)) {
                    assertEquals(mapId, map.id(), "the user's pin now names another map");
                }
            });
        } finally {
            Files.deleteIfExists(userPin);
        }
    }

    @Test
    void sigkillLeavesNoAttachmentBehind() throws Exception {
        try (Attached jbpf = new Attached(TestSupport.bpfObject("maps").toString())) {
            FIGURES.check("SIGKILL during attach (2 links)", "as expected: exit 137, no Java ran, links and programs gone (by id)", () -> {
                Set<Integer> programs = jbpf.awaitPrograms();
                Set<Integer> links = linksOf(programs);
                assertEquals(programs.size(), links.size(), () -> "one link per program expected: " + links);
                assertEquals(137, jbpf.signal("KILL"));
                assertFalse(jbpf.output.toString().contains("Detached after"), "SIGKILL runs no Java, yet:\n" + jbpf.output);
                assertGone(programs, links, jbpf.output);
            });
        }
    }

    @Test
    void pinnedLinksOutliveTheProcessUntilUnpinned() throws Exception {
        Path dir = Path.of("/sys/fs/bpf", "jbpf-test-signal-pinned-" + ProcessHandle.current().pid());
        try {
            FIGURES.check("attach --pin, then the process exits (2 links)",
                    "as expected: the pinned links stay attached after the process, and go when unpinned", () -> {
                Jbpf.Result result = Jbpf.runProcess(List.of(), "attach", TestSupport.bpfObject("maps").toString(),
                        "--pin", dir.toString());
                assertEquals(0, result.exitCode(), result::toString);
                Set<Integer> programs = new TreeSet<>();
                for (String name : List.of("count_getppid", "count_sys_enter")) {
                    programs.add(ProgramInfo.ofPinned(dir.resolve("progs").resolve(name)).id());
                }
                Set<Integer> links = linksOf(programs);
                assertEquals(2, links.size(), () -> "the pinned links are gone with the process: " + links);
                BadInputTest.deleteRecursively(dir); // unpinning is what detaches them
                assertGone(programs, links, result.out());
            });
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }
}
