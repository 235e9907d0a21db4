package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.VmTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI end to end on every kernel of the VM matrix (vm/kernel-matrix-tests) and on the host:
 * load with pins, prog show and map dump of what was pinned, attach of a kprobe and of an fentry
 * program in the foreground counting exactly this thread's getppid(2) calls, attach --pin where
 * the kernel makes perf event links and its one-line refusal where it does not. (feature probe:
 * FeatureProbeCliTest, also in the matrix.) Each command runs in this JVM (Main.run), as a
 * user's shell would run it.
 */
@KernelTest
@VmTest
class CliMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ATTACHED_WITHIN = Duration.ofSeconds(60);
    private static final int CALLS = 7;

    private static Path pinDir(String what) {
        return Path.of("/sys/fs/bpf", "jbpf-matrix-" + what + "-" + ProcessHandle.current().pid());
    }

    @Test
    void loadPinsWhatProgShowAndMapDumpFind() throws Exception {
        Path dir = pinDir("load");
        try {
            Jbpf.Result load = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", dir.toString());
            assertEquals(0, load.exitCode(), load::toString);

            Jbpf.Result prog = Jbpf.run("prog", "show", "pinned", dir.resolve("progs/count_getppid").toString(), "-j");
            assertEquals(0, prog.exitCode(), prog::toString);
            JsonNode shown = JSON.readTree(prog.out());
            assertEquals("count_getppid", shown.get("name").asText(), prog::toString);
            assertEquals("tracepoint", shown.get("type").asText(), prog::toString);
            assertTrue(shown.get("id").asInt() > 0, prog::toString);

            Jbpf.Result update = Jbpf.run("map", "update", "pinned", dir.resolve("maps/array_map").toString(),
                    "key", "0", "0", "0", "0", "value", "42", "0", "0", "0", "0", "0", "0", "0");
            assertEquals(0, update.exitCode(), update::toString);
            Jbpf.Result dump = Jbpf.run("map", "dump", "pinned", dir.resolve("maps/array_map").toString(), "-j");
            assertEquals(0, dump.exitCode(), dump::toString);
            assertEquals(42, JSON.readTree(dump.out()).get(0).path("formatted").path("value").asLong(), dump::toString);
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }

    @Test
    @Requires(Feature.KPROBES)
    void attachAKprobeCountsExactlyOurCalls() throws Exception {
        String getppid = TracingSupport.getppidKernelSymbol();
        assertEquals(CALLS, countedInTheForeground("kprobes", "count_kprobe", "kprobe/" + getppid, "kprobe_counts"));
    }

    @Test
    @Requires(Feature.FENTRY)
    void attachAnFentryProgramCountsExactlyOurCalls() throws Exception {
        // the entry this kernel's BTF describes: the syscall wrapper, or the body SYSCALL_DEFINE0 makes
        String function = TracingSupport.btfFunction("__x64_sys_getppid", "__do_sys_getppid").orElseThrow();
        String program = function.startsWith("__x64") ? "fentry_getppid_wrapper" : "fentry_getppid_body";
        assertEquals(CALLS, countedInTheForeground("trampoline", program, null, "fentry_counts")); // by its section
    }

    /**
     * jbpf attach OBJECT PROGRAM [--at PROGRAM=SPEC] in the foreground for a few seconds with its
     * maps dumped at the end (-j): CALLS getppid(2) of this thread once attached; what the
     * program counted under this thread's id.
     */
    private static long countedInTheForeground(String object, String program, String spec, String map) throws Exception {
        int tid = TracingSupport.gettid();
        List<String> args = new java.util.ArrayList<>(List.of("attach", TestSupport.bpfObject(object).toString(), program,
                "--duration", "3", "--dump-maps", "-j"));
        if (spec != null) {
            args.addAll(List.of("--at", program + "=" + spec));
        }
        Jbpf.Running attach = Jbpf.start(args.toArray(String[]::new));
        attach.awaitOutput("\"attached\"", ATTACHED_WITHIN); // the summary line: the link is in place
        TracingSupport.getppid(CALLS);
        Jbpf.Result result = attach.result(ATTACHED_WITHIN);
        assertEquals(0, result.exitCode(), result::toString);
        for (String line : result.out().lines().toList()) {
            JsonNode node = JSON.readTree(line);
            if (node.path("map").asText().equals(map)) {
                for (JsonNode entry : node.get("entries")) {
                    if (entry.get("formatted").get("key").asInt() == tid) {
                        return entry.get("formatted").get("value").asLong();
                    }
                }
                throw new AssertionError("no entry of thread " + tid + " in " + map + ":\n" + result);
            }
        }
        throw new AssertionError("no dump of " + map + " in\n" + result);
    }

    /**
     * attach --pin keeps a tracepoint attached after jbpf exits where the kernel makes perf event
     * links; where it does not (before 5.15) the same command is one line saying why, and
     * nothing stays loaded or pinned.
     */
    @Test
    void attachPinOfATracepointPinsOrSaysWhyNot() throws Exception {
        Path dir = pinDir("attach");
        try {
            Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "count_getppid",
                    "--pin", dir.toString());
            if (Feature.PERF_EVENT_LINKS.support().available()) {
                assertEquals(0, result.exitCode(), result::toString);
                assertTrue(Files.exists(dir.resolve("links/count_getppid")), result::toString);
            } else {
                assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
                List<String> lines = result.err().lines().toList();
                assertEquals(1, lines.size(), result::toString);
                assertTrue(lines.get(0).startsWith("Error: ") && lines.get(0).contains("(Linux 5.15 and later)"),
                        result::toString);
                assertFalse(Files.exists(dir.resolve("links")), "no link pinned: " + result);
                assertFalse(Files.exists(dir.resolve("progs/count_getppid")), "nothing left pinned: " + result);
            }
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }
}
