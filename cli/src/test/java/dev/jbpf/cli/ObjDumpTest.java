package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * jbpf obj dump against LLVM's own disassembler of the same objects (llvm-objdump-19 -dr, from
 * Debian's llvm-19): the same functions, the same instruction slots and opcodes (so ld_imm64
 * fills two slots as it should), every relocation's symbol named on its instruction, and the
 * CO-RE relocations of .BTF.ext in the same words.
 * Needs no privileges: nothing is loaded.
 */
@UnitTest
class ObjDumpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FUNCTION = Pattern.compile("^[0-9a-f]{16} <(\\w+)>:$");
    private static final Pattern INSTRUCTION = Pattern.compile("^\\s+(\\d+):\\t([0-9a-f]{2}) .*");
    private static final Pattern RELOCATION = Pattern.compile("^\\s+[0-9a-f]+:\\s+R_BPF_\\w+\\s+(\\S+)$");
    private static final Pattern CORE = Pattern.compile("^\\s+[0-9a-f]+:\\s+(CO-RE .*)$");

    /** A function as llvm-objdump lists it: slot → opcode, slot → relocation symbol. */
    private record LlvmFunction(Map<Integer, Integer> opcodes, Map<Integer, String> relocations,
            Map<Integer, List<String>> core) {
    }

    private static Map<String, LlvmFunction> llvmObjdump(Path object) throws Exception {
        Process process = new ProcessBuilder("llvm-objdump-19", "-dr", object.toString()).redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        Map<String, LlvmFunction> functions = new LinkedHashMap<>();
        LlvmFunction current = null;
        int lastSlot = -1;
        for (String line : out.lines().toList()) {
            Matcher m;
            if ((m = FUNCTION.matcher(line)).matches()) {
                current = new LlvmFunction(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
                functions.put(m.group(1), current);
            } else if (current != null && (m = INSTRUCTION.matcher(line)).matches()) {
                lastSlot = Integer.parseInt(m.group(1));
                current.opcodes().put(lastSlot, Integer.parseInt(m.group(2), 16));
            } else if (current != null && (m = RELOCATION.matcher(line)).matches()) {
                current.relocations().put(lastSlot, m.group(1));
            } else if (current != null && (m = CORE.matcher(line)).matches()) {
                current.core().computeIfAbsent(lastSlot, k -> new ArrayList<>()).add(m.group(1));
            }
        }
        return functions;
    }

    @Test
    void badObjectsAreOneLineErrors() throws Exception {
        Path text = Files.createTempFile("not-elf", ".o");
        Path x86 = Files.createTempFile("x86", ".o");
        try {
            Files.writeString(text, "hello");
            Process cc = new ProcessBuilder("gcc", "-c", "-x", "c", "-", "-o", x86.toString()).start();
            cc.getOutputStream().write("int f(void) { return 1; }\n".getBytes(StandardCharsets.UTF_8));
            cc.getOutputStream().close();
            assertEquals(0, cc.waitFor());
            for (String[] bad : new String[][] {{"/nonexistent.bpf.o", "no such file"},
                    {text.toString(), "is not an ELF file"}, {"/bin/ls", "is not a relocatable object"},
                    {x86.toString(), "is not a BPF object (e_machine 62"}}) {
                Jbpf.Result result = Jbpf.run("obj", "dump", bad[0]);
                assertEquals(1, result.exitCode(), result::toString);
                assertEquals(1, result.errLines().size(), result::toString);
                assertTrue(result.err().contains(bad[1]), result::toString);
            }
            Jbpf.Result usage = Jbpf.run("obj", "dump");
            assertEquals(2, usage.exitCode(), usage::toString);
        } finally {
            Files.deleteIfExists(text);
            Files.deleteIfExists(x86);
        }
    }

    @Test
    void sameSlotsOpcodesAndRelocationsAsLlvmObjdump() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/llvm-objdump-19")),
                "llvm-objdump-19 (Debian llvm-19) is not installed");
        int functions = 0;
        int instructions = 0;
        int relocations = 0;
        int coreRelocations = 0;
        for (String name : List.of("maps", "opensnoop", "globals", "testrun", "isa", "net", "map_kinds", "uprobes",
                "conn", "kprobes", "perf")) {
            Path object = TestSupport.bpfObject(name);
            Map<String, LlvmFunction> expected = llvmObjdump(object);
            Jbpf.Result result = Jbpf.run("obj", "dump", object.toString(), "-j");
            assertEquals(0, result.exitCode(), result::toString);
            List<String> seen = new ArrayList<>();
            for (JsonNode function : JSON.readTree(result.out())) {
                String fn = function.get("function").asText();
                seen.add(fn);
                LlvmFunction llvm = expected.get(fn);
                assertTrue(llvm != null, name + ": llvm-objdump has no function " + fn);
                Map<Integer, Integer> opcodes = new LinkedHashMap<>();
                Map<Integer, String> texts = new LinkedHashMap<>();
                Map<Integer, List<String>> core = new LinkedHashMap<>();
                int first = function.get("first_insn").asInt(); // llvm-objdump counts from the section's start
                for (JsonNode insn : function.get("insns")) {
                    String text = insn.get("disasm").asText();
                    opcodes.put(first + insn.get("pc").asInt(), Integer.parseInt(text.substring(1, 3), 16));
                    texts.put(first + insn.get("pc").asInt(), text);
                    if (insn.has("core_relocations")) {
                        List<String> notes = new ArrayList<>();
                        insn.get("core_relocations").forEach(n -> notes.add(n.asText()));
                        core.put(first + insn.get("pc").asInt(), notes);
                        coreRelocations += notes.size();
                    }
                }
                assertEquals(llvm.core(), core, name + "/" + fn + ": CO-RE relocations differ");
                assertEquals(llvm.opcodes(), opcodes, name + "/" + fn + ": slots or opcodes differ");
                for (Map.Entry<Integer, String> relocation : llvm.relocations().entrySet()) {
                    String text = texts.get(relocation.getKey());
                    String symbol = relocation.getValue();
                    // a section symbol (.bss, .text) names the section, or the function it points into
                    assertTrue(text.contains(symbol) || symbol.startsWith(".") && text.matches(".*(map\\[\\.|#\\w+).*"),
                            () -> name + "/" + fn + " slot " + relocation.getKey() + ": '" + text + "' does not name "
                                    + symbol);
                    relocations++;
                }
                functions++;
                instructions += opcodes.size();
            }
            assertEquals(List.copyOf(expected.keySet()).stream().sorted().toList(), seen.stream().sorted().toList(),
                    name + ": functions");
        }
        System.out.println("obj dump: " + functions + " functions, " + instructions + " instructions, " + relocations
                + " relocations, " + coreRelocations + " CO-RE relocations agree with llvm-objdump-19");
        assertTrue(coreRelocations > 10, "the objects have CO-RE relocations: " + coreRelocations);
    }
}
