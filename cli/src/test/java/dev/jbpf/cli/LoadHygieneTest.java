package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapInfo;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code jbpf load} prints is true and short: pin paths are the files on disk, named as the
 * kernel names the objects; libbpf's own maps are listed only with --all; a load that fails for
 * a kernel function this kernel lacks names it; each libbpf message is printed once.
 */
@KernelTest
class LoadHygieneTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-load-hygiene-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() throws Exception {
        BadInputTest.deleteRecursively(dir);
    }

    @Test
    void printedPinPathsExistAndAreNamedAsTheKernelNamesTheObjects() throws Exception {
        // globals.bpf.o: libbpf names its data maps "globals.rodata", ".data.custom", ...: dots bpffs refuses
        Jbpf.Result result = Jbpf.run("load", TestSupport.bpfObject("globals").toString(), "--pin",
                dir.resolve("json").toString(), "-j", "--all");
        assertEquals(0, result.exitCode(), result::toString);
        JsonNode report = JSON.readTree(result.out());
        int dotted = 0;
        for (JsonNode map : report.get("maps")) {
            Path pinned = Path.of(map.get("pinned").asText());
            assertTrue(Files.exists(pinned), () -> pinned + " printed but not on disk:\n" + result);
            try (BpfMap kernelMap = BpfMap.openPinned(pinned)) {
                MapInfo info = kernelMap.info();
                assertEquals(map.get("id").asInt(), info.id(), "the pin holds another map than printed");
                assertEquals(info.name(), map.get("name").asText(), "the printed name is not the kernel's");
                // the kernel's name, but for dots (EPERM in bpffs, as bpftool finds too): underscores, as libbpf makes them
                assertEquals(info.name().replace('.', '_'), pinned.getFileName().toString());
                dotted += info.name().contains(".") ? 1 : 0;
            }
        }
        assertTrue(dotted >= 3, "globals.bpf.o should have dotted map names:\n" + result);
        for (JsonNode program : report.get("programs")) {
            Path pinned = Path.of(program.get("pinned").asText());
            assertEquals(program.get("id").asInt(), ProgramInfo.ofPinned(pinned).id(), result::toString);
        }

        Jbpf.Result text = Jbpf.run("load", TestSupport.bpfObject("globals").toString(), "--pin",
                dir.resolve("text").toString(), "--all");
        assertEquals(0, text.exitCode(), text::toString);
        Matcher pinnedAt = Pattern.compile("  pinned at (\\S+)$", Pattern.MULTILINE).matcher(text.out());
        int paths = 0;
        while (pinnedAt.find()) {
            Path pinned = dir.resolve("text").resolve(pinnedAt.group(1));
            assertTrue(Files.exists(pinned), () -> pinned + " printed but not on disk:\n" + text);
            paths++;
        }
        assertEquals(report.get("maps").size() + report.get("programs").size(), paths, text::toString);
    }

    @Test
    void libbpfMapsAreListedOnlyWithAll() throws Exception {
        // usdt.bpf.h declares __bpf_usdt_specs and __bpf_usdt_ip_to_spec_id; libbpf adds usdt.kconfig
        Set<String> listed = mapNames(Jbpf.run("load", TestSupport.bpfObject("usdt").toString(), "-j"));
        assertEquals(Set.of("section_ticks", "ticks", "tick_hits"), listed);
        Set<String> all = mapNames(Jbpf.run("load", TestSupport.bpfObject("usdt").toString(), "-j", "--all"));
        assertTrue(all.containsAll(Set.of("__bpf_usdt_specs", "__bpf_usdt_ip_to_spec_id", "ticks", "section_ticks")), all::toString);
        assertTrue(all.stream().anyMatch(name -> name.endsWith(".kconfig")), all::toString);

        Jbpf.Result text = Jbpf.run("load", TestSupport.bpfObject("usdt").toString());
        assertFalse(text.out().contains("__bpf_usdt") || text.out().contains(".kconfig"), text::toString);
    }

    @Test
    void aMissingKernelFunctionIsNamed() {
        // bpftool prints libbpf's "failed to find kernel BTF type ID of 'jbpf_no_such_function'" over
        // "Error: failed to load object file"; jbpf says it in its one line
        Jbpf.Result fentry = Jbpf.run("load", TestSupport.bpfObject("missing_fentry").toString());
        BadInputTest.assertOneLineFailure(fentry, "ESRCH", "program on_missing_function",
                "kernel function 'jbpf_no_such_function'", "which this kernel does not have");
        Jbpf.Result kfunc = Jbpf.run("load", TestSupport.bpfObject("missing_kfunc").toString());
        BadInputTest.assertOneLineFailure(kfunc, "kernel function 'jbpf_no_such_kfunc'", "which this kernel does not have");
        // attach goes through the same load
        Jbpf.Result attach = Jbpf.run("attach", TestSupport.bpfObject("missing_fentry").toString(), "--duration", "1");
        BadInputTest.assertOneLineFailure(attach, "kernel function 'jbpf_no_such_function'");
    }

    @Test
    void eachLibbpfMessageIsPrintedOnce() {
        String maps = TestSupport.bpfObject("maps").toString();
        String[] failing = {"attach", maps, "count_getppid", "--at", "count_getppid=tp/syscalls/jbpf_no_such_event",
                "--duration", "1"};
        String libbpfLine = "failed to create tracepoint 'syscalls/jbpf_no_such_event' perf event";

        Jbpf.Result quiet = Jbpf.run(failing);
        BadInputTest.assertOneLineFailure(quiet, libbpfLine); // without --debug: in the error line, once
        assertEquals(1, occurrences(quiet.err(), libbpfLine), quiet::toString);

        List<String> debug = new ArrayList<>(List.of(failing));
        debug.add("--debug");
        Jbpf.Result loud = Jbpf.run(debug.toArray(String[]::new));
        assertEquals(Main.EXIT_FAILED, loud.exitCode(), loud::toString);
        assertTrue(loud.err().contains("libbpf: loading object"), "--debug shows libbpf's messages:\n" + loud);
        assertEquals(1, occurrences(loud.err(), libbpfLine), "--debug printed a libbpf message again:\n" + loud);
        assertTrue(loud.err().contains("(libbpf's messages above say why)"), loud::toString);

        Jbpf.Result fine = Jbpf.run("load", maps);
        assertEquals(0, fine.exitCode(), fine::toString);
        assertTrue(fine.err().isEmpty(), "without --debug a load that works prints nothing on stderr:\n" + fine);
    }

    private static Set<String> mapNames(Jbpf.Result result) throws Exception {
        assertEquals(0, result.exitCode(), result::toString);
        Set<String> names = new TreeSet<>();
        JSON.readTree(result.out()).get("maps").forEach(map -> names.add(map.get("name").asText()));
        return names;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
