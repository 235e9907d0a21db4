package dev.jbpf;

import dev.jbpf.testing.KernelEffects;

import dev.jbpf.testing.TestSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.link.Tracepoint;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.OpenedProgram;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.program.ProgramType;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening, loading and closing objects, and every way that can fail. */
class BpfObjectTest {
    @TempDir
    Path tmp;

    @Test
    @UnitTest
    void opensAndDescribesOpensnoopWithoutLoadingIt() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"))) {
            assertEquals("opensnoop", opened.name());
            OpenedProgram program = opened.program("trace_openat");
            assertEquals(List.of("trace_openat"), opened.programs().stream().map(OpenedProgram::name).toList());
            assertEquals("tracepoint/syscalls/sys_enter_openat", program.section());
            assertEquals(ProgramType.TRACEPOINT, program.type());
            assertTrue(program.autoload());
            assertTrue(program.instructionCount() > 0);
            assertEquals(List.of("counts", "events"), declaredMaps(opened.maps().stream().map(OpenedMap::name).toList()));
        }
    }

    @Test
    @KernelTest
    void loadsIntoTheKernelAndUnloadsOnClose() {
        int id;
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            BpfProgram program = loaded.program("trace_openat");
            assertEquals("tracepoint/syscalls/sys_enter_openat", program.section());
            assertEquals(ProgramType.TRACEPOINT, program.type());
            assertTrue(program.fd() > 0);
            id = program.id();
            assertTrue(id > 0);
            assertTrue(program.instructionCount() > 0);
            assertEquals(List.of("counts", "events"), declaredMaps(loaded.maps().stream().map(BpfMap::name).toList()));

            ProgramInfo info = ProgramInfo.listAll().stream().filter(p -> p.id() == id).findFirst().orElseThrow();
            assertEquals("trace_openat", info.name());
            assertEquals(ProgramType.TRACEPOINT, info.type());
            assertEquals(16, info.tag().length());
            assertTrue(info.xlatedInstructions() > 0);
            List<Integer> mapIds = loaded.maps().stream().map(BpfMap::id).toList();
            assertTrue(info.mapIds().containsAll(List.of(mapIds.get(0), mapIds.get(1))),
                    info.mapIds() + " should hold the ids of counts and events " + mapIds);
            assertTrue(Duration.between(info.loadTime(), java.time.Instant.now()).abs().toSeconds() < 60,
                    "loaded just now: " + info.loadTime());
        }
        assertTrue(KernelEffects.eventually(Duration.ofSeconds(5),
                () -> ProgramInfo.listAll().stream().noneMatch(p -> p.id() == id)),
                "program " + id + " is still in the kernel after close");
    }

    /** The maps the C source declares, without libbpf's internal ones (".bss", ".rodata", ...). */
    private static List<String> declaredMaps(List<String> names) {
        return names.stream().filter(name -> !name.contains(".")).toList();
    }

    @Test
    @UnitTest
    void opensFromMemoryUnderTheGivenName() throws IOException {
        byte[] elf = Files.readAllBytes(TestSupport.bpfObject("maps"));
        try (OpenedObject opened = BpfObject.open(elf, "from_memory")) {
            assertEquals("from_memory", opened.name());
            assertEquals(List.of("count_getppid", "count_sys_enter"),
                    opened.programs().stream().map(OpenedProgram::name).toList());
        }
    }

    @Test
    @KernelTest
    void loadsFromMemory() throws IOException {
        byte[] elf = Files.readAllBytes(TestSupport.bpfObject("maps"));
        try (LoadedObject loaded = BpfObject.open(elf, "from_memory").load()) {
            assertTrue(loaded.program("count_sys_enter").id() > 0);
        }
    }

    @Test
    @KernelTest
    void autoloadOffLeavesAProgramOutOfTheKernel() {
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("maps"));
        opened.program("count_sys_enter").autoload(false);
        try (LoadedObject loaded = opened.load()) {
            assertTrue(loaded.program("count_getppid").isLoaded());
            BpfProgram skipped = loaded.program("count_sys_enter");
            assertFalse(skipped.isLoaded());
            assertThrows(IllegalStateException.class, skipped::fd);
            assertThrows(IllegalStateException.class, skipped::attach);
        }
    }

    @Test
    @UnitTest
    void missingFileIsNotFound() {
        Path missing = tmp.resolve("missing.bpf.o");
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class, () -> BpfObject.open(missing));
        assertEquals("open object " + missing + ": No such file or directory (ENOENT)", e.getMessage());
        assertEquals(2, e.errno());
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    @UnitTest
    void textFileIsNotAnElfFile() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "just some text\n");
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(text));
        assertEquals("open object " + text + ": is not an ELF file", e.getMessage());
    }

    @Test
    @UnitTest
    void hostExecutableIsAnElfFileForAnotherMachine() {
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(Path.of("/proc/self/exe")));
        assertTrue(e.getMessage().matches("open object /proc/self/exe: is an ELF file for .+, not a BPF object"),
                e.getMessage());
        BpfException fromMemory = assertThrows(BpfException.class,
                () -> BpfObject.open(Files.readAllBytes(Path.of("/bin/true")), "true"));
        assertTrue(fromMemory.getMessage().endsWith(", not a BPF object"), fromMemory.getMessage());
    }

    @Test
    @UnitTest
    void truncatedObjectFailsWithLibbpfsExplanation() throws IOException {
        byte[] whole = Files.readAllBytes(TestSupport.bpfObject("opensnoop"));
        Path truncated = Files.write(tmp.resolve("truncated.bpf.o"), Arrays.copyOf(whole, 200));
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.open(truncated));
        assertTrue(e.getMessage().startsWith("open object " + truncated + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("libbpf: "), "should carry libbpf's words: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.errno() > 0);
    }

    @Test
    @UnitTest
    void unknownNamesListTheNamesThatExist() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"))) {
            BpfNotFoundException program = assertThrows(BpfNotFoundException.class, () -> opened.program("nope"));
            assertEquals("find program opensnoop/nope: no such program; the object has trace_openat",
                    program.getMessage());
            BpfNotFoundException map = assertThrows(BpfNotFoundException.class, () -> opened.map("nope"));
            assertTrue(map.getMessage().startsWith("find map opensnoop/nope: no such map; the object has counts, events"),
                    map.getMessage());
        }
    }

    @Test
    @KernelTest
    void unknownNamesOfALoadedObjectListTheNamesThatExist() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            BpfNotFoundException e = assertThrows(BpfNotFoundException.class, () -> loaded.map("nope"));
            assertTrue(e.getMessage().contains("the object has counts, events"), e.getMessage());
        }
    }

    @Test
    @KernelTest
    void verifierRejectionCarriesTheWholeLog() {
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("verifier_reject"));
        VerifierException e = assertThrows(VerifierException.class, opened::load);
        assertEquals("unchecked_lookup", e.program());
        assertTrue(e.reason().contains("invalid mem access 'map_value_or_null'"), e.reason());
        // complete: from the first instruction to the verifier's closing statistics
        assertTrue(e.log().lines().anyMatch(line -> line.startsWith("0: ")), e.log());
        assertTrue(e.log().contains("\nprocessed "), e.log());
        assertTrue(e.getMessage().startsWith("load program verifier_reject/unchecked_lookup: "), e.getMessage());
        String[] lines = e.getMessage().split("\n");
        assertEquals(e.reason(), String.join("\n", Arrays.copyOfRange(lines, 1, lines.length)),
                "only the first line plus the reason lines");
        assertThrows(IllegalStateException.class, opened::name, "a failed load closes the object");
    }

    @Test
    @KernelTest
    void verifierLogLevelKeepsTheLogOfAnAcceptedProgram() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).verifierLogLevel(1).load()) {
            assertTrue(loaded.program("count_getppid").verifierLog().contains("processed "));
        }
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            assertEquals("", loaded.program("count_getppid").verifierLog());
        }
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("maps"))) {
            assertThrows(IllegalArgumentException.class, () -> opened.verifierLogLevel(8));
        }
    }

    @Test
    @UnitTest
    void closedObjectsRefuseEveryCall() {
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"));
        OpenedProgram program = opened.program("trace_openat");
        OpenedMap map = opened.map("counts");
        opened.close();
        opened.close(); // twice is harmless
        assertThrows(IllegalStateException.class, opened::name);
        assertThrows(IllegalStateException.class, opened::programs);
        assertThrows(IllegalStateException.class, opened::load);
        assertThrows(IllegalStateException.class, () -> opened.verifierLogLevel(1));
        assertThrows(IllegalStateException.class, program::type);
        assertThrows(IllegalStateException.class, () -> program.autoload(false));
        assertThrows(IllegalStateException.class, map::name);
    }

    @Test
    @KernelTest
    void loadingHandsTheObjectOverAndCloseClosesEverything() {
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"));
        LoadedObject loaded = opened.load();
        IllegalStateException handedOver = assertThrows(IllegalStateException.class, opened::programs);
        assertTrue(handedOver.getMessage().contains("was loaded"), handedOver.getMessage());
        opened.close(); // does not free what the LoadedObject owns
        BpfProgram program = loaded.program("trace_openat");
        BpfMap map = loaded.map("counts");
        assertTrue(program.fd() > 0);
        loaded.close();
        loaded.close();
        assertThrows(IllegalStateException.class, loaded::programs);
        assertThrows(IllegalStateException.class, loaded::attachAll);
        assertThrows(IllegalStateException.class, program::fd);
        assertThrows(IllegalStateException.class, program::attach);
        assertThrows(IllegalStateException.class, () -> program.attach(new Tracepoint("syscalls", "sys_enter_openat")));
        assertThrows(IllegalStateException.class, map::fd);
    }

    @Test
    @UnitTest
    void argumentsAreCheckedBeforeNativeCode() {
        assertThrows(NullPointerException.class, () -> BpfObject.open((Path) null));
        assertThrows(NullPointerException.class, () -> BpfObject.open(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> BpfObject.open(new byte[] {0x7f, 'E', 'L', 'F'}, " "));
        assertThrows(BpfException.class, () -> BpfObject.open(new byte[0], "empty"));
        BpfException directory = assertThrows(BpfException.class, () -> BpfObject.open(tmp));
        assertEquals("EISDIR", directory.errnoName());
    }

    @Test
    @KernelTest
    void doesNotLeakFileDescriptors() {
        Path object = TestSupport.bpfObject("opensnoop");
        try (LoadedObject warmUp = BpfObject.open(object).load()) {
            warmUp.program("trace_openat").id(); // let the JVM and libbpf open whatever they keep
        }
        long before = KernelEffects.openFdCount();
        for (int i = 0; i < 200; i++) {
            try (LoadedObject loaded = BpfObject.open(object).load()) {
                loaded.program("trace_openat").attach();
            }
        }
        long after = KernelEffects.openFdCount();
        assertTrue(Math.abs(after - before) <= 2, "fds before " + before + ", after " + after);
    }
}
