package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jbpf attach} attaches what it can: bpf-src/attach_mixed.bpf.c has one program that
 * attaches by its section (mixed_ok), one whose tracepoint no kernel has (mixed_no_tp) and one
 * whose section names no target (mixed_no_target). Each run checks the kernel's effect (the
 * attached program counts our own getppid calls), stdout and stderr apart, and the exit code.
 */
@KernelTest
class AttachBestEffortTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PID = ProcessHandle.current().pid();
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-best-effort-" + PID);
    private final Path atDir = Path.of("/sys/fs/bpf", "jbpf-test-best-effort-at-" + PID);

    @AfterEach
    void unpin() throws Exception {
        BadInputTest.deleteRecursively(dir);
        BadInputTest.deleteRecursively(atDir);
    }

    private static String mixed() {
        return TestSupport.bpfObject("attach_mixed").toString();
    }

    @Test
    void attachesWhatItCanAndSaysHowToAttachTheRest() throws Exception {
        Jbpf.Result result = Jbpf.run("attach", mixed(), "--set", "target_pid=" + PID, "--pin", dir.toString());
        assertEquals(0, result.exitCode(), result::toString);
        List<String> warnings = result.errLines();
        assertEquals(2, warnings.size(), result::toString);
        String noTracepoint = line(warnings, "mixed_no_tp ");
        assertTrue(noTracepoint.startsWith("Warning: "), result::toString);
        for (String fragment : List.of("not attached", "ENOENT", "jbpf_no_such_category/jbpf_no_such_event",
                "--at mixed_no_tp=tracepoint/CATEGORY/NAME attaches it elsewhere")) {
            assertTrue(noTracepoint.contains(fragment), () -> "'" + fragment + "' in\n" + result);
        }
        String noTarget = line(warnings, "mixed_no_target ");
        assertTrue(noTarget.startsWith("Warning: "), result::toString);
        for (String fragment : List.of("(uprobe) not attached", "needs a target (a binary and a symbol)",
                "attach it with --at mixed_no_target=uprobe/BINARY:SYMBOL[+OFFSET]")) {
            assertTrue(noTarget.contains(fragment), () -> "'" + fragment + "' in\n" + result);
        }
        assertFalse(noTarget.contains("EOPNOTSUPP"), "libbpf's bare errno instead of the reason:\n" + result);

        // the program that attached counts; the others are loaded and pinned, not attached (as bpftool does)
        assertTrue(Files.exists(dir.resolve("links/mixed_ok")), result::toString);
        assertFalse(Files.exists(dir.resolve("links/mixed_no_tp")), result::toString);
        assertFalse(Files.exists(dir.resolve("links/mixed_no_target")), result::toString);
        assertTrue(Files.exists(dir.resolve("progs/mixed_no_target")), result::toString);
        long before = count(dir, 0);
        TestSupport.getppid(25);
        long after = count(dir, 0);
        assertTrue(after - before >= 25, "mixed_ok counted " + (after - before) + " of our 25 getppid calls");

        // the --at form the warning gave, filled in, attaches the program that had no target
        Jbpf.Result at = Jbpf.run("attach", mixed(), "mixed_no_target", "--at", "mixed_no_target=uprobe/libc.so.6:getppid",
                "--set", "target_pid=" + PID, "--pin", atDir.toString());
        assertEquals(0, at.exitCode(), at::toString);
        assertTrue(at.err().isBlank(), at::toString);
        long uprobeBefore = count(atDir, 1);
        TestSupport.getppid(20);
        assertTrue(count(atDir, 1) - uprobeBefore >= 20, "the uprobe at libc getppid counted too few calls");
    }

    @Test
    void strictAttachesAllOrNothing() throws Exception {
        Map<String, Integer> fds = Jbpf.bpfFds();
        Jbpf.Result pinned = Jbpf.run("attach", mixed(), "--strict", "--pin", dir.toString());
        assertEquals(Main.EXIT_FAILED, pinned.exitCode(), pinned::toString);
        assertTrue(pinned.out().isEmpty(), pinned::toString);
        assertTrue(pinned.errLines().stream().allMatch(line -> line.startsWith("Error: ")), pinned::toString);
        assertTrue(pinned.err().contains("mixed_no_tp (") && pinned.err().contains("mixed_no_target ("), pinned::toString);
        assertTrue(pinned.err().contains("--strict: nothing stays attached, since 2 of 3 programs could not attach"),
                pinned::toString);
        assertFalse(Files.exists(dir), "--strict left pins behind: " + pinned);

        long start = System.nanoTime();
        Jbpf.Result foreground = Jbpf.run("attach", mixed(), "--strict", "--duration", "30");
        assertEquals(Main.EXIT_FAILED, foreground.exitCode(), foreground::toString);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "--strict ran in the foreground");
        assertFalse(foreground.out().contains("Attached"), foreground::toString);

        // without --strict, nothing that could attach is a failure too, with each reason
        Jbpf.Result none = Jbpf.run("attach", mixed(), "mixed_no_tp", "mixed_no_target", "--duration", "30");
        assertEquals(Main.EXIT_FAILED, none.exitCode(), none::toString);
        assertEquals(2, none.errLines().size(), none::toString);
        assertTrue(none.errLines().stream().allMatch(line -> line.startsWith("Error: ") && line.contains("--at ")),
                none::toString);
        assertEquals(fds, Jbpf.bpfFds(), "programs, maps or links left open");
    }

    @Test
    void jsonLinesSayWhatAttachedThenStreamRecordsAndMaps() throws Exception {
        CompletableFuture<Jbpf.Result> attach = CompletableFuture.supplyAsync(() -> Jbpf.run("attach", mixed(), "-j",
                "--set", "target_pid=" + PID, "--duration", "3", "--record-type", "mixed_event", "--dump-maps"));
        while (!attach.isDone()) {
            TestSupport.getppid(5);
            Thread.sleep(50);
        }
        Jbpf.Result result = attach.get(10, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result::toString);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : result.out().lines().toList()) {
            lines.add(JSON.readTree(line)); // every line is one JSON object
        }
        JsonNode summary = lines.get(0);
        assertEquals("attach_mixed", summary.get("object").asText(), result::toString);
        assertEquals(1, summary.get("attached").size(), result::toString);
        JsonNode attached = summary.get("attached").get(0);
        assertEquals("mixed_ok", attached.get("name").asText());
        assertEquals("tracepoint", attached.get("type").asText());
        assertTrue(attached.get("id").asInt() > 0 && attached.get("links").get(0).get("id").asInt() > 0, result::toString);
        Set<String> notAttached = new TreeSet<>();
        for (JsonNode program : summary.get("not_attached")) {
            notAttached.add(program.get("name").asText());
            assertFalse(program.get("reason").asText().isBlank(), result::toString);
            assertTrue(program.get("at").asText().startsWith(program.get("name").asText() + "="), result::toString);
        }
        assertEquals(Set.of("mixed_no_target", "mixed_no_tp"), notAttached);
        assertEquals("mixed_events", summary.get("streaming").get(0).get("map").asText());

        List<JsonNode> records = lines.stream().filter(line -> line.has("data")).toList();
        assertFalse(records.isEmpty(), () -> "no record arrived:\n" + result);
        for (JsonNode record : records) {
            assertEquals("mixed_events", record.get("map").asText());
            assertEquals(PID, record.get("formatted").get("pid").asLong(), record::toString); // --set target_pid took effect
        }
        List<JsonNode> dumps = lines.stream().filter(line -> line.has("entries")).toList();
        assertEquals(List.of("mixed_counts"), dumps.stream().map(dump -> dump.get("map").asText()).toList(),
                "only the object's own maps are dumped (libbpf's .rodata/.bss need --all)");
        long counted = dumps.get(0).get("entries").get(0).get("formatted").get("value").asLong();
        assertTrue(counted >= records.size(), "mixed_counts[0] = " + counted + " < " + records.size() + " records");
        JsonNode end = lines.get(lines.size() - 1);
        assertTrue(end.get("detached").asBoolean(), result::toString);
        assertEquals(records.size(), end.get("records").asInt(), result::toString);
        assertEquals(2, result.errLines().size(), "the warnings stay on stderr:\n" + result);
    }

    @Test
    void dumpMapsShowsLibbpfMapsOnlyWithAll() {
        Jbpf.Result hidden = Jbpf.run("attach", mixed(), "--duration", "0.2", "--dump-maps");
        assertEquals(0, hidden.exitCode(), hidden::toString);
        assertTrue(hidden.out().contains("Map mixed_counts (array):"), hidden::toString);
        assertFalse(hidden.out().contains(".rodata") || hidden.out().contains(".bss"), hidden::toString);
        Jbpf.Result all = Jbpf.run("attach", mixed(), "--duration", "0.2", "--dump-maps", "--all");
        assertEquals(0, all.exitCode(), all::toString);
        assertTrue(all.out().contains(".rodata (array):") && all.out().contains(".bss (array):"), all::toString);
    }

    @Test
    void everyOptionIsCheckedBeforeAnythingIsLoaded() throws Exception {
        int newest = ProgramInfo.listAll().stream().mapToInt(ProgramInfo::id).max().orElse(0);
        String trace = Jbpf.projectDir().resolve("build/test-bin/trace_target").toString();
        record Case(List<String> args, int exit, String expected) {
        }
        List<Case> cases = List.of(
                new Case(List.of("--record-type", "mixed_evnt", "--duration", "5"), Main.EXIT_USAGE, "mixed_event"),
                new Case(List.of("mixed_k", "--duration", "5"), Main.EXIT_FAILED, "mixed_ok"),
                new Case(List.of("--at", "mixed_no_targt=uprobe/libc.so.6:getppid"), Main.EXIT_FAILED, "mixed_no_target"),
                new Case(List.of("--set", "target_pd=1"), Main.EXIT_USAGE, "it has target_pid"),
                new Case(List.of("--at", "mixed_no_target=uprobe/libc.so.6:getppidd"), Main.EXIT_FAILED, "getppid"),
                new Case(List.of("--at", "mixed_no_target=usdt/" + trace + ":jbpf:tik"), Main.EXIT_FAILED, "jbpf:tick"),
                new Case(List.of("mixed_ok", "--at", "mixed_no_target=uprobe/libc.so.6:getppid"), Main.EXIT_USAGE,
                        "not among the programs named"),
                new Case(List.of("--pin", dir.toString(), "--dump-maps"), Main.EXIT_USAGE, "apply to the foreground"));
        for (Case bad : cases) {
            List<String> args = new ArrayList<>(List.of("attach", mixed()));
            args.addAll(bad.args());
            Jbpf.Result result = Jbpf.run(args.toArray(String[]::new));
            assertEquals(bad.exit(), result.exitCode(), result::toString);
            assertTrue(result.errLines().get(0).startsWith("Error: ") && result.errLines().get(0).contains(bad.expected()),
                    () -> "'" + bad.expected() + "' in the first line of\n" + result);
            assertFalse(result.err().contains("\tat "), result::toString);
        }
        Jbpf.Result noStream = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "--record-type", "x");
        assertEquals(Main.EXIT_USAGE, noStream.exitCode(), noStream::toString);
        // no run got as far as loading: the kernel has no program of attach_mixed newer than before
        List<ProgramInfo> loaded = ProgramInfo.listAll().stream()
                .filter(program -> program.id() > newest && program.name().startsWith("mixed_")).toList();
        assertEquals(List.of(), loaded, "a run loaded its programs before rejecting its options");
        assertFalse(Files.exists(dir));
    }

    @Test
    void aUsdtTypoOffersTheThreeClosestProbes() {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        int probes = Files.isRegularFile(libjvm) ? ElfFile.read(libjvm).usdtProbes().size() : 0;
        if (probes == 0) {
            System.out.println("SKIPPED aUsdtTypoOffersTheThreeClosestProbes: " + libjvm + " has no USDT probes");
        }
        assumeFalse(probes == 0, libjvm + " has no USDT probes (a JDK built without DTrace support)");
        Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("usdt").toString(), "record_tick",
                "--at", "record_tick=usdt/" + libjvm + ":hotspot:thread__strat", "--duration", "5");
        BadInputTest.assertOneLineFailure(result, "no such probe; similar: hotspot:thread__start");
        String offered = result.errLines().get(0).replaceFirst(".*similar: ", "").replaceFirst(" \\(.*", "");
        assertEquals(3, offered.split(", ").length, result::toString);
        assertTrue(result.err().length() < 400, "a USDT typo printed " + result.err().length() + " characters");
    }

    /** The line that names the program, in the lines given. */
    private static String line(List<String> lines, String program) {
        return lines.stream().filter(line -> line.contains(program)).findFirst()
                .orElseThrow(() -> new AssertionError("no line names " + program + " in " + lines));
    }

    /** mixed_counts[slot] of the object pinned under pins. */
    private static long count(Path pins, int slot) {
        try (BpfMap counts = BpfMap.openPinned(pins.resolve("maps/mixed_counts"))) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(slot).array();
            byte[] value = counts.lookup(key).orElseThrow();
            return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }
}
