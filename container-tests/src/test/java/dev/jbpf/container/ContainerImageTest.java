package dev.jbpf.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * The image does in a container what jbpf does on the host: programs load and attach on the
 * host's kernel, the traced events come from processes in the container, maps and ring buffers
 * are read with the jbpf inside it. Without the capabilities it fails with jbpf's one-line error.
 */
// container: runs the jbpf image on the local Docker engine (make image). This module does not
// reach dev.jbpf.testing (loader's test jar), so the tag is plain; scripts/test-summary reads it from this line.
@Tag("container")
class ContainerImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** getppid(2) calls the container's main process makes: maps.bpf.o counts them under its host pid. */
    private static final int GETPPID_CALLS = 1234;

    @Test
    void entrypointRunsTheJlinkedRuntimeWithLibbpf14() {
        JbpfImage.Run run = JbpfImage.run(Privileges.NONE, "--version");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.stdout().matches("(?s)jbpf \\S+, libbpf 1\\.4\\b.*"), run::toString);
    }

    @Test
    void attachedProgramCountsTheGetppidCallsOfAContainerProcess() throws Exception {
        Path pins = JbpfImage.BPFFS.resolve("jbpf-container-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        // The main process (its host pid is the container's) waits for /tmp/go, calls getppid
        // GETPPID_CALLS times, then says so in /tmp/done. Perl is in every Debian image (perl-base).
        String trigger = "$SIG{TERM} = sub { exit 0 };"
                + " select(undef, undef, undef, 0.05) until -e '/tmp/go';"
                + " getppid() for 1 .. " + GETPPID_CALLS + ";"
                + " open(my $done, '>', '/tmp/done') or die; close $done;"
                + " sleep 600;";
        try (GenericContainer<?> container = JbpfImage.container(JbpfImage.privileges(), List.of("perl", "-e", trigger))) {
            container.start();
            long hostPid = container.getContainerInfo().getState().getPidLong();

            ExecResult attach = container.execInContainer("jbpf", "attach", "bpf/maps.bpf.o", "count_getppid", "--pin", pins.toString());
            assertEquals(0, attach.getExitCode(), () -> describe(attach));
            assertTrue(Files.exists(pins.resolve("links/count_getppid")), "the link pinned inside is on the host's bpffs: " + describe(attach));

            ExecResult triggered = container.execInContainer("sh", "-c",
                    "touch /tmp/go; for i in $(seq 1 200); do [ -e /tmp/done ] && exit 0; sleep 0.05; done; exit 1");
            assertEquals(0, triggered.getExitCode(), "the container's process called getppid within 10 s");

            ExecResult dump = container.execInContainer("jbpf", "map", "dump", "pinned", pins.resolve("maps/hash_map").toString(), "-j");
            assertEquals(0, dump.getExitCode(), () -> describe(dump));
            JsonNode entries = JSON.readTree(dump.getStdout());
            List<Long> countsOfTheProcess = new ArrayList<>();
            for (JsonNode entry : entries) {
                if (entry.path("formatted").path("key").asLong() == hostPid) {
                    countsOfTheProcess.add(entry.path("formatted").path("value").asLong());
                }
            }
            assertEquals(List.of((long) GETPPID_CALLS), countsOfTheProcess,
                    "hash_map[host pid " + hostPid + "] counts exactly the container process's getppid calls: " + dump.getStdout());

            ExecResult total = container.execInContainer("jbpf", "map", "dump", "pinned", pins.resolve("maps/array_map").toString(), "-j");
            assertEquals(0, total.getExitCode(), () -> describe(total));
            long all = JSON.readTree(total.getStdout()).get(0).path("formatted").path("value").asLong();
            assertTrue(all >= GETPPID_CALLS, "array_map[0] counts every process's getppid calls: " + total.getStdout());
        } finally {
            JbpfImage.removePins(pins);
        }
        assertFalse(Files.exists(pins));
    }

    @Test
    void ringBufferStreamsTheOpensOfAContainerProcess() throws Exception {
        String marker = "/tmp/jbpf-opened-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (GenericContainer<?> container = JbpfImage.container(JbpfImage.privileges(), List.of("sleep", "infinity"))) {
            container.start();
            // jbpf streams for 3 s; while it runs, cat opens the marker file every 0.1 s.
            ExecResult stream = container.execInContainer("sh", "-c", "echo marker > " + marker
                    + "; jbpf attach bpf/opensnoop.bpf.o --duration 3 --record-type open_event -j > /tmp/records.json 2> /tmp/jbpf.err &"
                    + " jbpf=$!; while kill -0 $jbpf 2> /dev/null; do cat " + marker + " > /dev/null; sleep 0.1; done;"
                    + " wait $jbpf; status=$?; cat /tmp/jbpf.err >&2; echo \"records $(wc -l < /tmp/records.json)\"; exit $status");
            assertEquals(0, stream.getExitCode(), () -> describe(stream));
            ExecResult matching = container.execInContainer("grep", "-F", "\"" + marker + "\"", "/tmp/records.json");

            int fromCat = 0;
            for (String line : matching.getStdout().lines().toList()) {
                JsonNode record = JSON.readTree(line);
                assertEquals("events", record.path("map").asText(), line);
                JsonNode event = record.path("formatted");
                assertEquals(marker, event.path("filename").asText(), line);
                assertTrue(event.path("pid").asLong() > 0, line);
                if (event.path("comm").asText().equals("cat")) {
                    fromCat++;
                }
            }
            System.out.println("ring buffer: " + stream.getStdout().strip() + " in 3 s, " + fromCat + " of cat opening " + marker);
            assertTrue(fromCat >= 3, "records of cat opening " + marker + " arrived: " + fromCat + "\n" + describe(stream));
        }
    }

    @Test
    void withoutCapabilitiesItFailsWithOnePermissionLine() {
        JbpfImage.Run run = JbpfImage.run(Privileges.NONE, "attach", "bpf/maps.bpf.o", "count_getppid", "--duration", "1");

        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("", run.stdout(), run::toString);
        List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), run::toString);
        assertTrue(lines.get(0).startsWith("Error: "), run::toString);
        assertTrue(lines.get(0).contains("Operation not permitted (EPERM)"), run::toString);
        assertTrue(lines.get(0).contains("CAP_BPF"), run::toString);
    }

    private static String describe(ExecResult result) {
        return "exit " + result.getExitCode() + "\n--- stdout\n" + result.getStdout() + "--- stderr\n" + result.getStderr();
    }
}
