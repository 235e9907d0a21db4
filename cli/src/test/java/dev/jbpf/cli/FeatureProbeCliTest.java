package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.VmTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code jbpf feature probe} against {@code bpftool feature probe kernel} on this kernel: the
 * same sections, keys and values, every program type, map type and helper list compared.
 */
@KernelTest
@VmTest
class FeatureProbeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bpftool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "bpftool failed: " + out);
        return out;
    }

    /** Every difference between two sections, one line each: a key one side lacks, or values that differ. */
    private static List<String> differences(String section, JsonNode jbpf, JsonNode bpftool) {
        List<String> differences = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bpftool.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode ours = jbpf.get(field.getKey());
            if (ours == null) {
                differences.add(section + "." + field.getKey() + ": only bpftool has it");
            } else if (!ours.equals(field.getValue())) {
                differences.add(section + "." + field.getKey() + ": jbpf " + ours + ", bpftool " + field.getValue());
            }
        }
        jbpf.fieldNames().forEachRemaining(key -> {
            if (!bpftool.has(key)) {
                differences.add(section + "." + key + ": only jbpf has it");
            }
        });
        return differences;
    }

    @Test
    void jsonAgreesWithBpftoolOnEveryProgramTypeMapTypeAndHelper() throws Exception {
        long start = System.nanoTime();
        Jbpf.Result result = Jbpf.run("feature", "probe", "-j");
        long jbpfNanos = System.nanoTime() - start;
        assertEquals(0, result.exitCode(), result::toString);
        start = System.nanoTime();
        JsonNode bpftool = JSON.readTree(bpftool("feature", "probe", "kernel", "-j"));
        long bpftoolNanos = System.nanoTime() - start;
        JsonNode jbpf = JSON.readTree(result.out());

        List<String> sections = new ArrayList<>();
        jbpf.fieldNames().forEachRemaining(sections::add);
        List<String> bpftoolSections = new ArrayList<>();
        bpftool.fieldNames().forEachRemaining(bpftoolSections::add);
        assertEquals(bpftoolSections, sections, "the same sections, in bpftool's order");

        List<String> differences = new ArrayList<>();
        for (String section : sections) {
            differences.addAll(differences(section, jbpf.get(section), bpftool.get(section)));
        }
        assertEquals(List.of(), differences, "jbpf and bpftool differ");
        assertTrue(jbpf.get("helpers").get("xdp_available_helpers").size() > 0, "helpers were probed");
        System.out.printf("feature probe: jbpf in-process %d ms (probes and all), bpftool %d ms (a process)%n",
                jbpfNanos / 1_000_000, bpftoolNanos / 1_000_000);
    }

    @Test
    void textHasBpftoolsLines() throws Exception {
        Jbpf.Result result = Jbpf.run("feature", "probe", "kernel");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(bpftool("feature", "probe", "kernel"), result.out());
    }

    @Test
    void aWordThatIsNotKernelOrFullIsAUsageError() {
        Jbpf.Result result = Jbpf.run("feature", "probe", "dev", "eth0");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("Error: probing a device (dev NAME) is not supported: jbpf feature probe [kernel] [full]",
                result.errLines().get(0));
        Jbpf.Result other = Jbpf.run("feature", "probe", "kernels");
        assertEquals(2, other.exitCode(), other::toString);
        assertEquals("Error: expected 'kernel' or 'full', got 'kernels'", other.errLines().get(0));
    }
}
