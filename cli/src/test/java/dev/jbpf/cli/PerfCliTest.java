package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** jbpf attach with perf events: sampling on every CPU, and streaming a perf buffer. */
@KernelTest
class PerfCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PID = (int) ProcessHandle.current().pid();

    @Test
    void samplesOnEveryCpuWithPinnedLinks() throws Exception {
        Path dir = Path.of("/sys/fs/bpf", "jbpf-test-perf-" + PID);
        try {
            Jbpf.Result attach = Jbpf.run("attach", TestSupport.bpfObject("perf").toString(), "count_sample",
                    "--at", "count_sample=perf_event/software/cpu-clock/freq=1000", "--pin", dir.toString());
            assertEquals(0, attach.exitCode(), attach::toString);
            assertTrue(Files.exists(dir.resolve("links/count_sample")), "no pinned link");
            // burn CPU until the samples show (a loaded machine may lower perf's sample rate)
            long deadline = System.nanoTime() + 5_000_000_000L;
            long samples = 0;
            long spin = 0;
            while (samples < 10 && System.nanoTime() < deadline) {
                long slice = System.nanoTime() + 100_000_000L;
                while (System.nanoTime() < slice) {
                    spin++;
                }
                samples = samples(dir);
            }
            long total = samples;
            long spun = spin;
            assertTrue(total >= 10, () -> "only " + total + " cpu-clock samples in 5 s of spinning (" + spun + ")");
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
        Jbpf.Result badEvent = Jbpf.run("attach", TestSupport.bpfObject("perf").toString(), "count_sample",
                "--at", "count_sample=perf_event/software/no-such-event", "--duration", "1");
        assertEquals(Main.EXIT_USAGE, badEvent.exitCode(), badEvent::toString);
        assertTrue(badEvent.err().contains("cpu-clock"), "the error should list the events: " + badEvent);
    }

    private static long samples(Path dir) throws Exception {
        Jbpf.Result dump = Jbpf.run("map", "dump", "pinned", dir.resolve("maps/samples_by_cpu").toString(), "-j");
        assertEquals(0, dump.exitCode(), dump::toString);
        long samples = 0;
        for (JsonNode entry : JSON.readTree(dump.out())) {
            samples += entry.get("formatted").get("value").asLong();
        }
        return samples;
    }

    @Test
    void streamsPerfBufferSamples() throws Exception {
        CompletableFuture<Jbpf.Result> attach = CompletableFuture.supplyAsync(() -> Jbpf.run(
                "attach", TestSupport.bpfObject("perf").toString(), "emit_sample", "--duration", "3", "-j"));
        // the program sends samples only for the pid in its map 'target'
        byte[] pid = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(PID).array();
        Jbpf.Result target = null;
        for (int tries = 0; tries < 40 && (target == null || target.exitCode() != 0); tries++) {
            Thread.sleep(50);
            target = Jbpf.run("map", "update", "name", "target", "key", "0", "0", "0", "0",
                    "value", "hex", java.util.HexFormat.of().formatHex(pid));
        }
        assertEquals(0, target.exitCode(), target::toString);
        while (!attach.isDone()) {
            TestSupport.getppid(5);
            Thread.sleep(50);
        }
        Jbpf.Result result = attach.get(10, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result::toString);
        long ours = result.out().lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).filter(node -> node.has("data") && node.get("map").asText().equals("events"))
                .filter(node -> CliKernelTest.bytes(node.get("data"))[0] == pid[0]
                        && CliKernelTest.bytes(node.get("data"))[1] == pid[1])
                .count();
        assertTrue(ours >= 5, () -> "expected perf buffer samples of pid " + PID + " in\n" + result);
    }
}
