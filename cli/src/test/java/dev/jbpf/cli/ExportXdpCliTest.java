package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ebpf_exporter's own section form {@code xdp/IFACE} (libbpf knows no such section): jbpf export
 * loads the program as XDP and attaches it to that interface, here lo of a network namespace
 * of this test's own (never a real interface). Five UDP datagrams to 127.0.0.1 there are five
 * UDP packets received on lo, and the scrape, taken inside the namespace too, says exactly that.
 */
@KernelTest
class ExportXdpCliTest {
    @TempDir
    Path dir;

    @Test
    void anXdpIfaceSectionIsLoadedAsXdpAndCountsThePacketsOfThatInterface() throws Exception {
        assertTrue(Files.isRegularFile(Jbpf.projectDir().resolve("cli/target/jbpf.jar")), "cli/target/jbpf.jar is missing: run 'make build' first");
        Files.copy(TestSupport.bpfObject("export_xdp"), dir.resolve("export_xdp.bpf.o"));
        Files.copy(Jbpf.projectDir().resolve("exporter/src/test/resources/export/export_xdp.yaml"), dir.resolve("export_xdp.yaml"));
        String jbpf = Jbpf.projectDir().resolve("bin/jbpf").toString();
        // one shell in a new network namespace: lo up, the exporter in the background, five datagrams, a scrape
        String script = "ip link set lo up"
                + " && " + jbpf + " export --config.dir " + dir + " --config.names export_xdp"
                + " --web.listen-address 127.0.0.1:9435 --duration 60 > " + dir.resolve("out.txt") + " 2>&1 & exporter=$!;"
                + " for i in $(seq 1 300); do grep -q Serving " + dir.resolve("out.txt") + " && break; sleep 0.1; done;"
                + " for i in 1 2 3 4 5; do echo datagram > /dev/udp/127.0.0.1/9; done"
                + " && curl -s 127.0.0.1:9435/metrics > " + dir.resolve("metrics.txt") + "; status=$?;"
                + " kill $exporter; wait $exporter; exit $status";
        Process shell = new ProcessBuilder("unshare", "--net", "bash", "-c", script).redirectErrorStream(true).start();
        String said = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(shell.waitFor(90, TimeUnit.SECONDS), "the namespace's shell ended");
        String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, shell.exitValue(), said + "\n--- jbpf export\n" + out);
        List<String> series = Files.readAllLines(dir.resolve("metrics.txt")).stream()
                .filter(line -> line.startsWith("ebpf_exporter_xdp_packets_total")).toList();
        // the five datagrams only: the scrape's own packets count under tcp, the port-unreachable answers under icmp
        assertTrue(series.contains("ebpf_exporter_xdp_packets_total{protocol=\"udp\"} 5.0"), series + "\n" + out);
        assertTrue(!out.contains("did not attach"), out);
        assertTrue(out.contains("Serving export_xdp"), out);
    }
}
