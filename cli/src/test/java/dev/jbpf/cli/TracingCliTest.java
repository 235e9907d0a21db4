package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** jbpf prog run (BPF_PROG_TEST_RUN) and uprobe attach points from the command line. */
@KernelTest
class TracingCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void progRunReturnsTheVerdictAndTheRewrittenPacket() throws Exception {
        // xdp_mark: any first byte but 0xde/0xad → byte 1 := ~byte 0, XDP_TX (3)
        Jbpf.Result run = Jbpf.run("prog", "run", TestSupport.bpfObject("testrun").toString(), "xdp_mark",
                "--data", "01020304050607080910111213141516", "--repeat", "100", "-j");
        assertEquals(0, run.exitCode(), run::toString);
        JsonNode result = JSON.readTree(run.out());
        assertEquals(3, result.get("retval").asInt(), run::toString);
        assertEquals("0xfe", result.get("data_out").get(1).asText(), run::toString);
        assertTrue(result.get("duration").asLong() > 0, run::toString);

        Jbpf.Result drop = Jbpf.run("prog", "run", TestSupport.bpfObject("testrun").toString(), "xdp_mark",
                "--data", "de020304050607080910111213141516");
        assertEquals(0, drop.exitCode(), drop::toString);
        assertTrue(drop.out().startsWith("Return value: 1 "), drop::toString); // XDP_DROP

        Jbpf.Result tooShort = Jbpf.run("prog", "run", TestSupport.bpfObject("testrun").toString(), "xdp_mark",
                "--data", "01020304");
        assertEquals(Main.EXIT_FAILED, tooShort.exitCode(), tooShort::toString);
        assertTrue(tooShort.err().contains("at least 14 bytes"), tooShort::toString);

        Jbpf.Result notRunnable = Jbpf.run("prog", "run", TestSupport.bpfObject("testrun").toString(), "not_test_runnable");
        assertEquals(Main.EXIT_FAILED, notRunnable.exitCode(), notRunnable::toString);
        assertTrue(notRunnable.err().contains("ENOTSUPP"), notRunnable::toString);
    }

    @Test
    void uprobeOnLibcCountsOurCalls() throws Exception {
        Path dir = Path.of("/sys/fs/bpf", "jbpf-test-uprobe-" + ProcessHandle.current().pid());
        try {
            Jbpf.Result attach = Jbpf.run("attach", TestSupport.bpfObject("uprobes").toString(), "count_uprobe",
                    "--at", "count_uprobe=uprobe/libc.so.6:getppid", "--pin", dir.toString());
            assertEquals(0, attach.exitCode(), attach::toString);
            TestSupport.getppid(20);
            // uprobe_counts counts calls per thread; any thread of any process may add to it
            Jbpf.Result dump = Jbpf.run("map", "dump", "pinned", dir.resolve("maps/uprobe_counts").toString(), "-j");
            assertEquals(0, dump.exitCode(), dump::toString);
            long calls = 0;
            for (JsonNode entry : JSON.readTree(dump.out())) {
                calls += entry.get("formatted").get("value").asLong();
            }
            assertTrue(calls >= 20, "the uprobe counted " + calls + " calls of getppid, expected >= 20");
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
        Jbpf.Result missing = Jbpf.run("attach", TestSupport.bpfObject("uprobes").toString(), "count_uprobe",
                "--at", "count_uprobe=uprobe/libc.so.6:getppidx", "--duration", "1");
        assertEquals(Main.EXIT_FAILED, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("getppid"), "should suggest the similar symbol: " + missing);
    }
}
