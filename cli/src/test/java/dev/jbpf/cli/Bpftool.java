package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's bpftool beside jbpf, for tests that compare the two outputs. Test code. */
final class Bpftool {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Bpftool() {
    }

    /** Whether bpftool is installed (make deps installs it; these tests need it). */
    static boolean present() {
        try {
            Process process = new ProcessBuilder("bpftool", "version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** bpftool's stdout for these arguments; fails the test when bpftool fails. */
    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bpftool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        // bpftool 7.5 exits 255 after a `link show id|pinned` that printed the link (its do_show
        // returns -1 unless errno happens to be ENOENT): there, what it printed decides
        boolean printedLink = args.length > 0 && List.of(args).contains("link") && !out.isBlank()
                && !out.startsWith("{\"error\"");
        if (!printedLink) {
            assertEquals(0, exit, "bpftool " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /**
     * bpftool -j with these arguments, parsed, without the "pids" field: the processes holding
     * the object, which bpftool finds with a BPF iterator of its own and jbpf does not show.
     */
    static JsonNode json(String... args) throws IOException, InterruptedException {
        List<String> withJson = new ArrayList<>(List.of("-j"));
        withJson.addAll(List.of(args));
        JsonNode node = JSON.readTree(run(withJson.toArray(String[]::new)));
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            object.remove("pids");
        }
        return node;
    }

    /**
     * bpftool's text without the trailing blanks it leaves on its lines (jbpf leaves none) and
     * without its "pids" lines (see {@link #json}).
     */
    static String text(String... args) throws IOException, InterruptedException {
        return run(args).lines().map(String::stripTrailing).filter(line -> !line.startsWith("\tpids "))
                .reduce("", (all, line) -> all + line + "\n");
    }
}
