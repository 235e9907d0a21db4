package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbpf export} as the user runs it (bin/jbpf, a child process) reloads on a real SIGHUP: the
 * unchanged config's map counter goes on from where it was, the changed config's ring buffer
 * counter starts again under its new labels.
 */
@KernelTest
class ExportReloadCliTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private void install(String name) throws IOException {
        Files.copy(TestSupport.bpfObject(name), dir.resolve(name + ".bpf.o"));
        Files.copy(Jbpf.projectDir().resolve("exporter/src/test/resources/export/" + name + ".yaml"), dir.resolve(name + ".yaml"));
    }

    @Test
    void sighupKeepsTheUnchangedConfigsCountAndReloadsTheChangedOne() throws Exception {
        assertTrue(Files.isRegularFile(Jbpf.projectDir().resolve("cli/target/jbpf.jar")), "cli/target/jbpf.jar is missing: run 'make build' first");
        install("export_btf");
        install("export_ringbuf");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process jbpf = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "export", "--config.dir", dir.toString(),
                "--config.names", "export_btf,export_ringbuf", "--web.listen-address", "127.0.0.1:" + port, "--duration", "120")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            awaitLine(jbpf, out, err, "Serving export_btf, export_ringbuf on http://127.0.0.1:" + port + "/metrics");
            String btfGetppid = "ebpf_exporter_btf_syscalls_total{comm=\"jbpfbtf1\",syscall=\"110\",tgid=\"" + PID + "\"}";
            onThread("jbpfbtf1", () -> TestSupport.getppid(4));
            onThread("jbpfring1", () -> TestSupport.getppid(3));
            awaitValue(port, "ebpf_exporter_getppid_records_total", 3);
            assertEquals(4, value(scrape(port), btfGetppid));
            assertEquals(3, value(scrape(port), "ebpf_exporter_getppid_events_total{comm=\"jbpfring1\",tgid=\"" + PID + "\"}"));

            Path ringbufYaml = dir.resolve("export_ringbuf.yaml");
            Files.writeString(ringbufYaml, Files.readString(ringbufYaml).replace("labels_from_btf: [tgid, comm]", "labels_from_btf: [comm]"));
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(jbpf.pid())).start().waitFor());
            awaitLine(jbpf, out, err, "Reloaded: unchanged [export_btf], changed [export_ringbuf], added [], removed []");

            onThread("jbpfbtf1", () -> TestSupport.getppid(2));
            onThread("jbpfring1", () -> TestSupport.getppid(5));
            awaitValue(port, "ebpf_exporter_getppid_records_total", 5); // the changed config's counter started again
            String text = scrape(port);
            assertEquals(6, value(text, btfGetppid), "the unchanged config's counter did not reset");
            assertEquals(5, value(text, "ebpf_exporter_getppid_events_total{comm=\"jbpfring1\"}"), text);
            assertEquals(-1, value(text, "ebpf_exporter_getppid_events_total{comm=\"jbpfring1\",tgid=\"" + PID + "\"}"), text);
            assertEquals(1, value(text, "jbpf_exporter_reloads_total"));
            assertEquals("", Files.readString(err));
        } finally {
            jbpf.destroy(); // SIGTERM: the exporter detaches everything on its way out
            assertTrue(jbpf.waitFor(30, TimeUnit.SECONDS), "jbpf export did not stop");
        }
    }

    private static void onThread(String name, Runnable body) throws InterruptedException {
        Thread thread = new Thread(body, name); // its comm, which the test programs select
        thread.start();
        thread.join();
    }

    /** Waits for a line of stdout starting with {@code line}. */
    private static void awaitLine(Process jbpf, Path out, Path err, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.readString(out).lines().noneMatch(l -> l.startsWith(line))) {
            if (!jbpf.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no line starting '" + line + "' from jbpf export\n--- stdout\n" + Files.readString(out)
                        + "--- stderr\n" + Files.readString(err));
            }
            Thread.sleep(50);
        }
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** The value of a series as the text writes it (labels in the client's order: sorted), -1 when absent. */
    private static double value(String text, String series) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return line.find() ? Double.parseDouble(line.group(1)) : -1;
    }

    /** Waits (ring buffer records are counted by a poller) until the series has the value, then checks it stays. */
    private static void awaitValue(int port, String series, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value(scrape(port), series) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
        String text = scrape(port);
        assertEquals(expected, value(text, series), text);
    }
}
