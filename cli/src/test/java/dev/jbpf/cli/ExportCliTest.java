package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbpf export}: serves, checks, and refuses a bad config in one line, leaving nothing loaded. */
@KernelTest
class ExportCliTest {
    private static final String CONFIG = """
            metrics:
              histograms:
                - name: priority_who_values
                  help: The who argument of marked getpriority(2) calls
                  bucket_type: exp2
                  bucket_min: 0
                  bucket_max: 10
                  labels:
                    - name: tgid
                      size: 4
                      decoders:
                        - name: uint
                    - name: bucket
                      size: 4
                      decoders:
                        - name: %s
            """;

    @TempDir
    Path dir;
    private java.util.Map<String, Integer> bpfFdsBefore;

    @BeforeEach
    void install() throws IOException {
        bpfFdsBefore = Jbpf.bpfFds();
        Files.copy(TestSupport.bpfObject("export_histogram"), dir.resolve("export_histogram.bpf.o"));
    }

    @AfterEach
    void nothingLeftLoaded() {
        assertEquals(bpfFdsBefore, Jbpf.bpfFds(), "programs, maps or links left open");
    }

    @Test
    void servesUntilTheDurationEnds() throws IOException {
        Files.writeString(dir.resolve("export_histogram.yaml"), CONFIG.formatted("uint"));
        Jbpf.Result result = Jbpf.run("export", "--config.dir", dir.toString(), "--config.names", "export_histogram",
                "--web.listen-address", "127.0.0.1:0", "--duration", "0.5");
        assertEquals(Main.EXIT_OK, result.exitCode(), result::toString);
        assertTrue(result.out().matches("Serving export_histogram on http://127\\.0\\.0\\.1:\\d+/metrics; stopping in 0\\.5 s\\.\n"),
                result::toString);
    }

    @Test
    void checkLoadsAttachesAndExits() throws IOException {
        Files.writeString(dir.resolve("export_histogram.yaml"), CONFIG.formatted("uint"));
        Jbpf.Result result = Jbpf.run("export", "--config.dir", dir.toString(), "--config.names", "export_histogram",
                "--web.listen-address", "127.0.0.1:0", "--config.check", "--config.strict");
        assertEquals(Main.EXIT_OK, result.exitCode(), result::toString);
        assertEquals("Config check successful: 1 config loaded and attached (export_histogram)\n", result.out());
    }

    @Test
    void anUnknownDecoderIsOneLineWithFileAndLine() throws IOException {
        Files.writeString(dir.resolve("export_histogram.yaml"), CONFIG.formatted("uintt"));
        Jbpf.Result result = Jbpf.run("export", "--config.dir", dir.toString(), "--config.names", "export_histogram",
                "--web.listen-address", "127.0.0.1:0");
        BadInputTest.assertOneLineFailure(result, dir.resolve("export_histogram.yaml") + ":16: unknown decoder 'uintt'; use one of");
    }
}
