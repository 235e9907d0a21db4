package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.asm.X86Disassembler;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.BpfStats;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.testing.KernelTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * jbpf prog dump xlated|jited, jbpf obj dump and jbpf prog show --stats on programs loaded into
 * the running kernel, against bpftool and the kernel's own counts.
 */
@KernelTest
class DecoderCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Objects covering many instruction kinds; isa.bpf.o is built for cpu v4. */
    private static final List<String> OBJECTS = List.of("maps", "opensnoop", "globals", "testrun", "isa");

    private static String bpftool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bpftool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bpftool hung");
        assertEquals(0, process.exitValue(), () -> "bpftool " + String.join(" ", args) + " failed: " + out);
        return out;
    }

    /**
     * Ids and kernel addresses differ from run to run, not between jbpf and bpftool reading the
     * same program: normalising them keeps the comparison about the notation.
     */
    private static List<String> normalised(String listing) {
        return listing.lines().map(line -> line.replaceAll("map\\[id:\\d+\\]", "map[id:N]")
                .replaceAll("#-?\\d+$", "#ADDR").replaceAll("bpf_prog_[0-9a-f]{16}_", "bpf_prog_TAG_")).toList();
    }

    @Test
    void xlatedListingsEqualBpftoolsLineForLine() throws Exception {
        List<LoadedObject> loaded = new ArrayList<>();
        try {
            StringBuilder everything = new StringBuilder();
            int programs = 0;
            int lines = 0;
            for (String name : OBJECTS) {
                LoadedObject object = BpfObject.open(TestSupport.bpfObject(name)).load();
                loaded.add(object);
                for (BpfProgram program : object.programs()) {
                    String id = String.valueOf(program.id());
                    Jbpf.Result jbpf = Jbpf.run("prog", "dump", "xlated", "id", id);
                    assertEquals(0, jbpf.exitCode(), jbpf::toString);
                    String expected = bpftool("prog", "dump", "xlated", "id", id);
                    assertEquals(normalised(expected), normalised(jbpf.out()), name + "/" + program.name());
                    // the raw text too: both read the same program at the same time
                    assertEquals(expected, jbpf.out(), name + "/" + program.name() + " (not normalised)");
                    if (program.name().equals("isa_mix") || program.name().equals("trace_openat")) {
                        // JSON for two of them: each bpftool run costs over a second here
                        JsonNode json = JSON.readTree(Jbpf.run("prog", "dump", "xlated", "id", id, "-j").out());
                        assertEquals(JSON.readTree(bpftool("prog", "dump", "xlated", "id", id, "-j")), json,
                                name + "/" + program.name() + " JSON");
                    }
                    everything.append(jbpf.out());
                    programs++;
                    lines += (int) jbpf.out().lines().count();
                }
            }
            System.out.println("xlated: " + programs + " programs, " + lines + " lines equal to bpftool's");
            // the set covers the instruction kinds the decoder claims
            for (String kind : List.of("atomic64_fetch_add", "atomic64_fetch_or", "atomic64_fetch_and",
                    "atomic64_fetch_xor", "atomic64_xchg", "atomic64_cmpxchg", "lock *(u64 *)", " s/= ", "bswap32",
                    "bswap16", "= (s32)r", "*(s8 *)", "*(s16 *)", "*(s32 *)", "if w", "call pc+", "map[id:",
                    "][0]+", "call bpf_rcu_read_lock#", "call bpf_get_current_pid_tgid#", "exit", "goto pc")) {
                assertTrue(everything.indexOf(kind) >= 0, "no '" + kind + "' in the listings");
            }
        } finally {
            loaded.forEach(LoadedObject::close);
        }
    }

    @Test
    void jitedCodeIsTheKernelsByteCountAndDisassembles() throws Exception {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("isa")).load()) {
            BpfProgram program = object.program("isa_mix");
            Jbpf.Result result = Jbpf.run("prog", "dump", "jited", "id", String.valueOf(program.id()), "-j");
            assertEquals(0, result.exitCode(), result::toString);
            JsonNode dump = JSON.readTree(result.out());
            int kernelLength = program.info().jitedLength();
            assertTrue(kernelLength > 0, "not JIT-compiled");
            assertEquals(kernelLength, dump.get("bytes_jited").asInt());
            int total = 0;
            for (JsonNode function : dump.get("functions")) {
                total += function.get("size").asInt();
                assertEquals(function.get("size").asInt(), function.get("opcodes").size());
            }
            assertEquals(kernelLength, total, "functions' sizes do not add up to jited_prog_len");
            assertEquals(2, dump.get("functions").size(), "isa_mix and its subprogram scaled");
            assertTrue(dump.get("functions").get(1).get("name").asText().endsWith("_scaled"), dump::toString);

            Assumptions.assumeTrue(X86Disassembler.open().map(d -> {
                d.close();
                return true;
            }).orElse(false), () -> "no x86-64 disassembly here: " + X86Disassembler.unavailableReason());
            for (JsonNode function : dump.get("functions")) {
                int bytes = 0;
                List<String> operations = new ArrayList<>();
                for (JsonNode insn : function.get("insns")) {
                    bytes += insn.get("opcodes").size();
                    operations.add(insn.get("operation").asText());
                }
                assertEquals(function.get("size").asInt(), bytes, "instructions do not cover the function");
                assertFalse(operations.contains("(bad)"), () -> "undecodable bytes: " + operations);
                assertTrue(operations.stream().anyMatch(o -> o.startsWith("ret") || o.startsWith("jmp")
                        && o.contains("return_thunk")), () -> "no return in " + operations);
                assertTrue(operations.stream().anyMatch(o -> o.startsWith("push")), () -> "no prologue: " + operations);
            }
            // BTF line info mapped to native addresses (jited_line_info): source above the code
            List<String> sources = new ArrayList<>();
            dump.get("functions").forEach(f -> f.get("insns").forEach(i -> {
                if (i.has("src")) {
                    sources.add(i.get("src").asText());
                }
            }));
            assertTrue(sources.contains("int isa_mix(struct xdp_md *ctx)"), sources::toString);
            assertTrue(sources.contains("return value * by + (value >> 3);"), sources::toString);
            Jbpf.Result text = Jbpf.run("prog", "dump", "jited", "id", String.valueOf(program.id()));
            assertEquals(0, text.exitCode(), text::toString);
            assertTrue(text.out().contains("jited " + kernelLength + "B"), text::toString);
            assertTrue(Pattern.compile("(?m)^\\s+[0-9a-f]+:\\t.*\\tretq$").matcher(text.out()).find(), text::toString);
        }
    }

    @Test
    void jitedWithoutLlvmSaysSoAndShowsTheBytes() throws Exception {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("testrun")).load()) {
            BpfProgram program = object.program("xdp_mark");
            Jbpf.Result result = Jbpf.runProcess(List.of("env", "JBPF_LIBLLVM=/nonexistent/libLLVM.so"), "prog", "dump",
                    "jited", "id", String.valueOf(program.id()));
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.out().startsWith("note: JBPF_LIBLLVM=/nonexistent/libLLVM.so is not a file; showing the "
                    + "bytes only"), result::toString);
            long hexBytes = result.out().lines().filter(l -> l.matches("\\s+[0-9a-f]+:\\t.*"))
                    .mapToLong(l -> l.substring(l.indexOf('\t') + 1).split(" ").length).sum();
            assertEquals(program.info().jitedLength(), hexBytes, result::toString);
        }
    }

    @Test
    void objectDumpNamesRelocations() {
        String object = TestSupport.bpfObject("isa").toString();
        Jbpf.Result result = Jbpf.run("obj", "dump", object, "isa_mix");
        assertEquals(0, result.exitCode(), result::toString);
        for (String expected : List.of("int isa_mix(struct xdp_md * ctx):  ; section xdp", "= map[isa_results]",
                "= map[.bss][0]+0 <isa_counter>", "= map[.bss][0]+8 <isa_last_quotient>", "call bpf_rcu_read_lock#-1",
                "#scaled", "(85) call bpf_map_lookup_elem#1", " s/= ", "atomic64_cmpxchg", "(95) exit")) {
            assertTrue(result.out().contains(expected), () -> "no '" + expected + "' in\n" + result.out());
        }
        assertFalse(result.out().contains("__s64 scaled("), "PROG selects one function");
        Jbpf.Result all = Jbpf.run("obj", "dump", object, "-j");
        assertEquals(0, all.exitCode(), all::toString);
        Jbpf.Result missing = Jbpf.run("obj", "dump", object, "no_such_prog");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("isa_mix (xdp)"), missing::toString);
    }

    @Test
    @SuppressWarnings("try") // BpfStats is held open, not called
    void showStatsCountsTestRuns() throws Exception {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("testrun")).load()) {
            BpfProgram xdp = object.program("xdp_mark");
            String id = String.valueOf(xdp.id());
            int runs = 250;
            try (BpfStats stats = BpfStats.enable()) {
                xdp.testRun(TestRunOptions.ofData(new byte[64]).withRepeat(runs));
            }
            Jbpf.Result shown = Jbpf.run("prog", "show", "id", id, "--stats", "-j");
            assertEquals(0, shown.exitCode(), shown::toString);
            JsonNode info = JSON.readTree(shown.out()); // one program: one object, as bpftool prints it
            assertEquals(runs, info.get("run_cnt").asLong(), shown::toString);
            assertTrue(info.get("run_time_ns").asLong() > 0, shown::toString);
            assertEquals(info.get("run_time_ns").asLong() / runs, info.get("avg_ns_per_run").asLong());
            assertTrue(info.get("bytes_memlock").asLong() > 0, shown::toString);

            // --duration: the command's own BPF_ENABLE_STATS counts runs made while it waits
            CompletableFuture<Jbpf.Result> window = CompletableFuture.supplyAsync(() -> Jbpf.run("prog", "show", "id", id,
                    "--stats", "--duration", "4", "-j"));
            Thread.sleep(1500);
            xdp.testRun(TestRunOptions.ofData(new byte[64]).withRepeat(100));
            Jbpf.Result during = window.get(30, TimeUnit.SECONDS);
            assertEquals(0, during.exitCode(), during::toString);
            JsonNode counted = JSON.readTree(during.out());
            assertEquals(100, counted.get("during").get("run_cnt").asLong(), during::toString);
            assertEquals(runs + 100, counted.get("run_cnt").asLong(), during::toString);

            Jbpf.Result text = Jbpf.run("prog", "show", "id", id, "--stats");
            assertTrue(text.out().contains("run_cnt " + (runs + 100)), text::toString);
            Jbpf.Result usage = Jbpf.run("prog", "show", "id", id, "--duration", "2");
            assertEquals(2, usage.exitCode(), usage::toString);
        }
    }
}
