package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.UsdtProbe;
import dev.jbpf.testing.Readelf;
import dev.jbpf.testing.TraceTarget;
import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * jbpf usdt list: the probes of binaries (libjvm.so of every installed JDK against readelf, the
 * test programs) and of processes (a trace_target child, this JVM), in text and JSON; filters,
 * typos, a binary without probes, a process that does not exist. The --pid checks of attach that
 * need no kernel. Loading and attaching: UsdtCliKernelTest.
 */
@UnitTest
class UsdtCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SELF = (int) ProcessHandle.current().pid();

    private static List<Path> libjvmsWithProbes() {
        List<Path> found = TracingSupport.libjvms().stream().filter(libjvm -> Readelf.usdtNoteCount(libjvm) > 0).toList();
        assumeFalse(found.isEmpty(), "no installed libjvm.so has USDT probes");
        return found;
    }

    private static Jbpf.Result ok(String... args) {
        Jbpf.Result result = Jbpf.run(args);
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("", result.err(), result::toString);
        return result;
    }

    /** The one error line of a run that failed with {@code exit}. */
    private static String failure(int exit, String... args) {
        Jbpf.Result result = Jbpf.run(args);
        assertEquals(exit, result.exitCode(), result::toString);
        assertEquals("", result.out(), result::toString);
        assertFalse(result.err().contains("\tat "), result::toString);
        assertTrue(result.errLines().get(0).startsWith("Error: "), result::toString);
        if (exit == Main.EXIT_FAILED) {
            assertEquals(1, result.errLines().size(), result::toString);
        }
        return result.errLines().get(0);
    }

    @Test
    void everyProbeOfEveryLibjvmInTextAndJson() throws Exception {
        for (Path libjvm : libjvmsWithProbes()) {
            List<UsdtProbe> expected = Readelf.usdtProbes(libjvm);
            assertEquals(Readelf.usdtNoteCount(libjvm), expected.size(), libjvm.toString());

            List<String> lines = ok("usdt", "list", libjvm.toString()).out().lines().toList();
            assertEquals(expected.size(), lines.size(), libjvm.toString());
            for (int i = 0; i < lines.size(); i++) {
                UsdtProbe probe = expected.get(i);
                String[] columns = lines.get(i).split("\\s{2,}");
                assertEquals(libjvm.toString(), columns[0], lines.get(i));
                assertEquals(probe.qualifiedName(), columns[1], lines.get(i));
                assertEquals("addr 0x" + Long.toHexString(probe.address()), columns[2], lines.get(i));
                assertEquals("semaphore 0x" + Long.toHexString(probe.semaphore()), columns[3], lines.get(i));
                assertEquals(probe.arguments().isEmpty() ? 4 : 5, columns.length, lines.get(i));
                if (!probe.arguments().isEmpty()) {
                    assertEquals("args " + probe.arguments(), columns[4], lines.get(i));
                }
            }

            JsonNode array = JSON.readTree(ok("usdt", "list", libjvm.toString(), "-j").out());
            assertEquals(expected.size(), array.size(), libjvm.toString());
            for (int i = 0; i < array.size(); i++) {
                JsonNode node = array.get(i);
                Set<String> keys = new TreeSet<>();
                node.fieldNames().forEachRemaining(keys::add);
                assertEquals(Set.of("addr", "args", "binary", "name", "provider", "semaphore"), keys, node.toString());
                UsdtProbe probe = expected.get(i);
                assertEquals(probe, new UsdtProbe(node.get("provider").asText(), node.get("name").asText(),
                        node.get("addr").asLong(), node.get("semaphore").asLong(), node.get("args").asText()));
                assertEquals(libjvm.toString(), node.get("binary").asText());
            }
        }
    }

    @Test
    void columnsAlignWithinABinaryAndFiltersSelect() throws Exception {
        Path binary = TracingSupport.usdtTargetBinary();
        List<UsdtProbe> probes = Readelf.usdtProbes(binary);
        int width = probes.stream().mapToInt(probe -> probe.qualifiedName().length()).max().orElseThrow();
        int addressWidth = probes.stream().mapToInt(probe -> Long.toHexString(probe.address()).length()).max().orElseThrow();
        List<String> expected = new ArrayList<>();
        for (UsdtProbe probe : probes) {
            String name = probe.qualifiedName() + " ".repeat(width - probe.qualifiedName().length());
            String address = Long.toHexString(probe.address());
            expected.add(binary + "  " + name + "  addr 0x" + address + " ".repeat(addressWidth - address.length())
                    + "  semaphore 0x" + Long.toHexString(probe.semaphore())
                    + (probe.arguments().isEmpty() ? "" : "  args " + probe.arguments()));
        }
        assertEquals(expected, ok("usdt", "list", binary.toString()).out().lines().toList());
        assertTrue(expected.get(0).matches(".*jbpf_demo:start  addr 0x[0-9a-f]+ *  semaphore 0x[1-9a-f][0-9a-f]*"),
                "a probe without arguments, with a semaphore: " + expected.get(0));

        List<String> provider = ok("usdt", "list", binary.toString(), "jbpf_demo").out().lines().toList();
        assertEquals(3, provider.size(), provider::toString);
        assertTrue(provider.stream().allMatch(line -> line.contains(" jbpf_demo:")), provider::toString);
        JsonNode steps = JSON.readTree(ok("usdt", "list", binary.toString(), "jbpf_demo:step", "-j").out());
        assertEquals(2, steps.size(), steps::toString);
        assertTrue(steps.get(0).get("addr").asLong() != steps.get(1).get("addr").asLong(), "two call sites");
    }

    @Test
    void aLibraryNameIsFoundAsAttachFindsIt() throws Exception {
        Path library = Binaries.resolve("libstdc++.so.6"); // the ld.so cache: what usdt/libstdc++.so.6:... attaches to
        JsonNode array = JSON.readTree(ok("usdt", "list", "libstdc++.so.6", "-j").out());
        assertEquals(Readelf.usdtNoteCount(library), array.size(), library.toString());
        for (JsonNode node : array) {
            assertEquals(library.toString(), node.get("binary").asText());
        }
    }

    @Test
    void aTypoOffersTheClosestNames() {
        Path binary = TracingSupport.usdtTargetBinary();
        assertEquals("Error: find USDT provider jbpf_dmo in " + binary + ": no such provider; it has jbpf_demo, jbpf_other",
                failure(Main.EXIT_FAILED, "usdt", "list", binary.toString(), "jbpf_dmo"));
        assertEquals("Error: find USDT probe jbpf_demo:stp in " + binary + ": no such probe; it has jbpf_demo:start, "
                + "jbpf_demo:step, jbpf_other:done", failure(Main.EXIT_FAILED, "usdt", "list", binary.toString(), "jbpf_demo:stp"));
        Path libjvm = libjvmsWithProbes().getFirst();
        String line = failure(Main.EXIT_FAILED, "usdt", "list", libjvm.toString(), "hotspot:thread__strat");
        String offered = line.replaceFirst(".*; similar: ", "").replaceFirst(" \\(it has \\d+\\)$", "");
        assertEquals(3, offered.split(", ").length, line);
        assertTrue(offered.startsWith("hotspot:thread__start, "), line);
        // in a process, among the probes of all its files
        String inProcess = failure(Main.EXIT_FAILED, "usdt", "list", "--pid", Integer.toString(SELF), "hotspot:thread__strat");
        assertTrue(inProcess.startsWith("Error: find USDT probe hotspot:thread__strat in process " + SELF
                + ": no such probe; similar: hotspot:thread__start, "), inProcess);
        assertTrue(failure(Main.EXIT_USAGE, "usdt", "list", binary.toString(), "jbpf_demo:").contains("is not PROVIDER or PROVIDER:NAME"));
    }

    @Test
    void aBinaryWithoutProbesSaysSo() throws Exception {
        Path busy = TracingSupport.busyTargetBinary();
        assertFalse(Readelf.hasSection(busy, ".note.stapsdt"));
        assertEquals(busy + " has no USDT probes (no .note.stapsdt section)\n", ok("usdt", "list", busy.toString()).out());
        assertEquals("[]\n", ok("usdt", "list", busy.toString(), "-j").out());
        assertEquals(0, JSON.readTree(ok("usdt", "list", busy.toString(), "-p").out()).size());
        assertTrue(failure(Main.EXIT_FAILED, "usdt", "list", busy.resolveSibling("no_such_binary").toString())
                .endsWith(": no such file"));
        assertTrue(failure(Main.EXIT_FAILED, "usdt", "list", "jbpf-no-such-program")
                .contains("no such program on PATH"));
    }

    @Test
    void theProbesOfAProcess() throws Exception {
        Path binary = TracingSupport.traceTargetBinary();
        UsdtProbe tick = Readelf.usdtProbes(binary).getFirst();
        try (TraceTarget target = TraceTarget.start(1)) {
            String pid = Integer.toString(target.pid());
            // trace_target's libraries (libc, ld.so) have no probes on Debian; whatever they have is listed too
            List<String> lines = ok("usdt", "list", "--pid", pid).out().lines().toList();
            assertTrue(lines.contains(binary + "  jbpf:tick  addr 0x" + Long.toHexString(tick.address())
                    + "  semaphore 0x0  args " + tick.arguments()), lines::toString);
            JsonNode array = JSON.readTree(ok("usdt", "list", "--pid", pid, "jbpf", "-j").out());
            assertEquals(1, array.size(), array::toString);
            assertEquals(target.pid(), array.get(0).get("pid").asInt());
            assertEquals(binary.toString(), array.get(0).get("binary").asText());
            assertEquals("tick", array.get(0).get("name").asText());
            target.run();
        }

        // this JVM: every probe of its libjvm.so, as readelf counts them
        Path libjvm = TracingSupport.libjvms().getFirst();
        int count = Readelf.usdtNoteCount(libjvm);
        assumeFalse(count == 0, libjvm + " has no USDT probes");
        JsonNode self = JSON.readTree(ok("usdt", "list", "--pid", Integer.toString(SELF), "-j").out());
        long fromLibjvm = 0;
        for (JsonNode node : self) {
            assertEquals(SELF, node.get("pid").asInt());
            fromLibjvm += node.get("binary").asText().equals(libjvm.toString()) ? 1 : 0;
        }
        assertEquals(count, fromLibjvm, "probes of " + libjvm + " in the listing of this JVM");
        assertTrue(Files.isRegularFile(libjvm));
    }

    @Test
    void aProcessThatDoesNotExistIsOneLine() throws Exception {
        int pid = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).getFirst().strip());
        assertEquals("Error: read the memory map of process " + pid + ": no such process",
                failure(Main.EXIT_FAILED, "usdt", "list", "--pid", Integer.toString(pid)));
        assertEquals("Error: read the memory map of process " + pid + ": no such process",
                failure(Main.EXIT_FAILED, "usdt", "list", "--pid", Integer.toString(pid), "-j"));
        assertEquals("Error: --pid must be a positive process id", failure(Main.EXIT_USAGE, "usdt", "list", "--pid", "0"));
        assertEquals("Error: give a BINARY or --pid PID", failure(Main.EXIT_USAGE, "usdt", "list"));
        assertTrue(failure(Main.EXIT_USAGE, "usdt", "list", "--pid", "1", "/bin/ls").contains("give no BINARY"));
        assertTrue(failure(Main.EXIT_USAGE, "usdt", "list", "a", "b", "c").contains("too many words"));
        assertTrue(failure(Main.EXIT_USAGE, "usdt", "list", "--pid", "1", "a", "b").contains("give no BINARY"));
    }

    @Test
    void attachTakesPidForUserSpaceTargetsOnly() throws Exception {
        String object = Jbpf.projectDir().resolve("build/bpf/usdt.bpf.o").toString();
        String usdt = "count_tick=usdt/" + TracingSupport.traceTargetBinary() + ":jbpf:tick";
        String kernelOnly = failure(Main.EXIT_USAGE, "attach", object, "count_tick", "--pid", "1", "--duration", "1");
        assertTrue(kernelOnly.contains("--pid applies to the uprobe, uretprobe, uprobe.multi and usdt targets of --at"),
                kernelOnly);
        assertTrue(failure(Main.EXIT_USAGE, "attach", object, "count_tick", "--at", "count_tick=tp/syscalls/sys_enter_getpid",
                "--pid", "1").contains("no --at names one"));
        assertEquals("Error: --pid must be a positive process id",
                failure(Main.EXIT_USAGE, "attach", object, "count_tick", "--at", usdt, "--pid", "-3"));
        int pid = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).getFirst().strip());
        assertEquals("Error: no process " + pid,
                failure(Main.EXIT_FAILED, "attach", object, "count_tick", "--at", usdt, "--pid", Integer.toString(pid)));
        String help = ok("attach", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--pid=PID Trace only process PID") && help.contains("usdt/BINARY:PROVIDER:NAME --pid PID"),
                help);
    }
}
