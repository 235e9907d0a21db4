package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Usdt;
import dev.jbpf.map.Codec;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.TraceTarget;
import dev.jbpf.testing.TracingSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jbpf attach --at PROG=usdt/... --pid PID in the kernel: two processes hit the probe, the
 * attached program counts only the chosen one's hits (while a link of this test, unfiltered,
 * sees both); a probe typo with --pid; and a process in another mount namespace, listed by
 * jbpf usdt list --pid and attached through the binary name the listing gives.
 */
@KernelTest
@Requires(Feature.UPROBES)
class UsdtCliKernelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITERATIONS = 5;
    private static final Duration ATTACHED_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** key → value of the tick_hits dump among the JSON lines a foreground attach -j --dump-maps printed. */
    private static Map<Long, Long> dumpedHits(Jbpf.Result result) throws Exception {
        for (String line : result.out().lines().toList()) {
            JsonNode node = JSON.readTree(line);
            if (node.path("map").asText().equals("tick_hits")) {
                Map<Long, Long> hits = new HashMap<>();
                for (JsonNode entry : node.get("entries")) {
                    hits.put(entry.get("formatted").get("key").asLong(), entry.get("formatted").get("value").asLong());
                }
                return hits;
            }
        }
        throw new AssertionError("no dump of tick_hits in\n" + result);
    }

    /** attach count_tick at usdt/BINARY:jbpf:tick --pid PID in the foreground for a few seconds, -j, dumping its maps. */
    private static Jbpf.Running attachTick(Path binary, int pid) throws InterruptedException {
        Jbpf.Running attach = Jbpf.start("attach", TestSupport.bpfObject("usdt").toString(), "count_tick",
                "--at", "count_tick=usdt/" + binary + ":jbpf:tick", "--pid", Integer.toString(pid),
                "--duration", "4", "--dump-maps", "-j");
        attach.awaitOutput("\"attached\"", ATTACHED_WITHIN); // the summary line: the link is in place
        return attach;
    }

    @Test
    void attachWithPidCountsTheHitsOfThatProcessOnly() throws Exception {
        Path binary = TracingSupport.traceTargetBinary();
        try (TraceTarget chosen = TraceTarget.start(ITERATIONS);
             TraceTarget other = TraceTarget.start(ITERATIONS + 3);
             LoadedObject witness = BpfObject.open(TestSupport.bpfObject("usdt")).load();
             BpfLink everyone = witness.program("count_tick").attach(Usdt.of(binary, "jbpf", "tick"))) {
            Jbpf.Running attach = attachTick(binary, chosen.pid());
            other.run();
            chosen.run();
            Jbpf.Result result = attach.result(Duration.ofSeconds(60));
            assertEquals(0, result.exitCode(), result::toString);
            JsonNode summary = JSON.readTree(result.out().lines().findFirst().orElseThrow());
            assertEquals(chosen.pid(), summary.get("attached").get(0).get("pid").asInt(), result::toString);
            assertEquals(Map.of((long) chosen.pid(), (long) ITERATIONS), dumpedHits(result),
                    "hits by pid (chosen " + chosen.pid() + ", other " + other.pid() + ")\n" + result);
            // the other process did hit the probe: the unfiltered link of this test saw both
            assertEquals(Map.of((long) chosen.pid(), (long) ITERATIONS, (long) other.pid(), (long) ITERATIONS + 3),
                    witness.map("tick_hits").typed(Codec.LONG, Codec.LONG).toMap());
        }
    }

    @Test
    void aProbeTypoWithPidOffersTheProbe() {
        try (TraceTarget target = TraceTarget.start(1)) {
            Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("usdt").toString(), "count_tick", "--at",
                    "count_tick=usdt/" + TracingSupport.traceTargetBinary() + ":jbpf:tik", "--pid",
                    Integer.toString(target.pid()), "--duration", "5");
            assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
            assertEquals(List.of("Error: find USDT probe jbpf:tik in " + TracingSupport.traceTargetBinary()
                    + ": no such probe; the binary has jbpf:tick"), result.errLines(), result::toString);
            target.run();
        }
    }

    @Test
    @KernelTest(root = true)
    void aProcessInAnotherMountNamespaceIsListedAndAttachedByTheNameGiven() throws Exception {
        Path hidden = dir.resolve("ns");
        try (TraceTarget target = TraceTarget.startInOwnMountNamespace(hidden, ITERATIONS)) {
            assertFalse(Files.exists(hidden.resolve("trace_target")), "the copy is in the process's mount namespace only");
            Jbpf.Result list = Jbpf.run("usdt", "list", "--pid", Integer.toString(target.pid()), "jbpf:tick", "-j");
            assertEquals(0, list.exitCode(), list::toString);
            JsonNode probes = JSON.readTree(list.out());
            assertEquals(1, probes.size(), list::toString);
            Path binary = Path.of(probes.get(0).get("binary").asText());
            assertEquals(Path.of("/proc", Integer.toString(target.pid()), "root")
                    .resolve(hidden.resolve("trace_target").toString().substring(1)), binary);

            Jbpf.Running attach = attachTick(binary, target.pid());
            target.run();
            Jbpf.Result result = attach.result(Duration.ofSeconds(60));
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(Map.of((long) target.pid(), (long) ITERATIONS), dumpedHits(result), result::toString);
        }
        assertTrue(Files.isDirectory(hidden));
    }
}
