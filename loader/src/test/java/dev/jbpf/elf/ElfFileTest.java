package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.elf.ElfBuilder.Sym;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ElfFile on real binaries (libc, trace_target) and on synthetic files built to the byte. */
@UnitTest
class ElfFileTest {
    @TempDir
    Path dir;

    private static Path traceTarget() {
        Path path = Path.of(System.getProperty("jbpf.project.dir", "."), "build", "test-bin", "trace_target");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: run 'make bpf' first");
        }
        return path;
    }

    @Test
    void libcFunctionOffsetHoldsTheCodeThisProcessRuns() throws IOException {
        Path libc = Binaries.resolve("libc.so.6");
        ElfFile elf = ElfFile.read(libc);
        assertEquals(ElfFile.ET_DYN, elf.type());
        assertEquals(Binaries.hostMachine(), elf.machine());
        ElfSymbol getppid = elf.function("getppid");
        assertEquals("getppid", getppid.name());
        assertTrue(getppid.isFunction() && getppid.dynamic() && getppid.size() > 0, getppid.toString());
        assertTrue(getppid.qualifiedName().startsWith("getppid@@GLIBC_"), getppid.qualifiedName());
        // The bytes at the file offset are the very code of getppid mapped in this JVM.
        long offset = elf.fileOffsetOf("getppid");
        byte[] inFile = new byte[(int) getppid.size()];
        try (RandomAccessFile file = new RandomAccessFile(libc.toFile(), "r")) {
            file.seek(offset);
            file.readFully(inFile);
        }
        MemorySegment running = Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow()
                .reinterpret(inFile.length);
        assertArrayEquals(running.toArray(ValueLayout.JAVA_BYTE), inFile);
    }

    @Test
    void versionedAndIndirectFunctionsOfLibc() {
        ElfFile libc = ElfFile.read(Binaries.resolve("libc.so.6"));
        assertEquals(libc.function("malloc").address(), libc.function("malloc@@GLIBC_2.2.5").address());
        assertEquals(libc.function("malloc").address(), libc.function("malloc@GLIBC_2.2.5").address());
        // memcpy: an old version at one address and the default, indirect one at another.
        ElfSymbol old = libc.function("memcpy@GLIBC_2.2.5");
        assertFalse(old.defaultVersion());
        assertEquals(ElfSymbol.Kind.FUNCTION, old.kind());
        BpfException indirect = assertThrows(BpfException.class, () -> libc.function("memcpy"));
        assertTrue(indirect.getMessage().contains("is an indirect function (STT_GNU_IFUNC)"), indirect.getMessage());
        BpfNotFoundException wrongVersion = assertThrows(BpfNotFoundException.class,
                () -> libc.function("malloc@@GLIBC_9.9"));
        assertTrue(wrongVersion.getMessage().endsWith("no function malloc@@GLIBC_9.9; defined: malloc@@GLIBC_2.2.5"),
                wrongVersion.getMessage());
        assertTrue(libc.findFunction("getppid").isPresent());
        assertTrue(libc.findFunction("jbpf_no_such_function").isEmpty());
        assertTrue(libc.functionsMatching("getp*id").stream().map(ElfSymbol::name).toList()
                .containsAll(List.of("getpid", "getppid")));
        assertTrue(libc.functions().size() > 1000, "libc has thousands of functions");
    }

    /** libc's GNU build ID, as binutils' readelf -n prints it (where installed). */
    @Test
    void buildIdOfLibc() throws Exception {
        Path libc = Binaries.resolve("libc.so.6");
        String id = ElfFile.read(libc).buildId().orElseThrow();
        assertTrue(id.matches("[0-9a-f]{40}"), id);
        if (Files.isExecutable(Path.of("/usr/bin/readelf"))) {
            Process readelf = new ProcessBuilder("/usr/bin/readelf", "-n", libc.toString()).redirectErrorStream(true).start();
            String notes = new String(readelf.getInputStream().readAllBytes());
            readelf.waitFor();
            assertTrue(notes.contains("Build ID: " + id), notes);
        }
    }

    @Test
    void missingSymbolListsCloseMatches() {
        ElfFile libc = ElfFile.read(Binaries.resolve("libc.so.6"));
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class, () -> libc.function("getppidd"));
        assertTrue(e.getMessage().startsWith("find symbol getppidd in " + libc.path() + ": no function of that name; "
                + "similar: getppid"), e.getMessage());
        BpfNotFoundException object = assertThrows(BpfNotFoundException.class, () -> libc.function("environ"));
        assertTrue(object.getMessage().contains("environ is not a function there (it is object"), object.getMessage());
        assertThrows(IllegalArgumentException.class, () -> libc.function("malloc@"));
        assertThrows(IllegalArgumentException.class, () -> libc.function("@@GLIBC_2.2.5"));
    }

    @Test
    void nonPieExecutableSymtabAndUsdtNotes() throws IOException {
        ElfFile target = ElfFile.read(traceTarget());
        assertEquals(ElfFile.ET_EXEC, target.type());
        ElfSymbol branch = target.function("jbpf_target_branch");
        assertFalse(branch.dynamic(), "an executable's own functions are in .symtab");
        long offset = target.fileOffset(branch.address());
        assertTrue(branch.address() != offset, "no PIE: addresses are not file offsets");
        byte[] code = Arrays.copyOfRange(Files.readAllBytes(traceTarget()), (int) offset, (int) offset + 5);
        // test %edi,%edi; jz +1; nop: the assembly of trace_target.c
        assertArrayEquals(new byte[] {(byte) 0x85, (byte) 0xff, 0x74, 0x01, (byte) 0x90}, code);

        UsdtProbe tick = target.usdtProbe("jbpf", "tick");
        assertEquals("jbpf:tick", tick.qualifiedName());
        assertEquals(2, tick.argumentCount(), tick.arguments());
        assertEquals(0, tick.semaphore());
        assertTrue(target.loadSegments().stream().anyMatch(s -> s.executable()
                && Long.compareUnsigned(tick.address() - s.virtualAddress(), s.fileSize()) < 0), "in the code segment");
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class, () -> target.usdtProbe("jbpf", "tock"));
        assertTrue(e.getMessage().endsWith("no such probe; the binary has jbpf:tick"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void syntheticVersionsBindingsAndOffsets(String byteOrder) throws IOException {
        ByteOrder order = byteOrder.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ElfBuilder builder = new ElfBuilder(order);
        int v1 = builder.version("V1");
        int v2 = builder.version("V2");
        builder.dynsym(new Sym("foo", 0x7010, 8, ElfBuilder.STT_FUNC, ElfBuilder.STB_GLOBAL, ElfBuilder.TEXT, v1 | 0x8000))
                .dynsym(new Sym("foo", 0x7020, 8, ElfBuilder.STT_FUNC, ElfBuilder.STB_GLOBAL, ElfBuilder.TEXT, v2))
                .dynsym(new Sym("imported_fn", 0, 0, ElfBuilder.STT_FUNC, ElfBuilder.STB_GLOBAL, 0, 0))
                .dynsym(new Sym("ind", 0x7070, 8, ElfBuilder.STT_GNU_IFUNC, ElfBuilder.STB_GLOBAL, ElfBuilder.TEXT, 1))
                .dynsym(new Sym("table", 0x7080, 16, ElfBuilder.STT_OBJECT, ElfBuilder.STB_GLOBAL, ElfBuilder.TEXT, 1))
                .symtab(Sym.function("helper", 0x7030, ElfBuilder.STB_LOCAL))
                .symtab(Sym.function("helper", 0x7040, ElfBuilder.STB_LOCAL))
                .symtab(Sym.function("bar@@V3", 0x7048, ElfBuilder.STB_GLOBAL))
                .symtab(Sym.function("dup", 0x7050, ElfBuilder.STB_LOCAL))
                .symtab(Sym.function("dup", 0x7060, ElfBuilder.STB_WEAK))
                .symtab(Sym.function("outside", 0x9000, ElfBuilder.STB_GLOBAL));
        Path file = dir.resolve("synthetic-" + byteOrder + ".so");
        Files.write(file, builder.build());
        ElfFile elf = ElfFile.read(file);

        assertEquals(List.of(new ElfFile.LoadSegment(0x1000, 0x7000, 0x100, 0x100, true)), elf.loadSegments());
        assertTrue(elf.buildId().isEmpty(), "no .note.gnu.build-id");
        ElfSymbol foo = elf.function("foo");
        assertEquals("foo@@V2", foo.qualifiedName(), "the default version wins");
        assertEquals(0x1020, elf.fileOffset(foo.address()));
        assertEquals(0x1010, elf.fileOffsetOf("foo@V1"));
        assertEquals(0x1020, elf.fileOffsetOf("foo@V2"));
        BpfNotFoundException notDefault = assertThrows(BpfNotFoundException.class, () -> elf.function("foo@@V1"));
        assertTrue(notDefault.getMessage().endsWith("defined: foo@V1, foo@@V2"), notDefault.getMessage());

        ElfSymbol bar = elf.function("bar");
        assertEquals("V3", bar.version());
        assertTrue(bar.defaultVersion());
        assertEquals(0x7060, elf.function("dup").address(), "a global or weak definition over a local one");
        BpfException ambiguous = assertThrows(BpfException.class, () -> elf.function("helper"));
        assertTrue(ambiguous.getMessage().contains("ambiguous: helper (local) at 0x7030, helper (local) at 0x7040"),
                ambiguous.getMessage());
        assertTrue(assertThrows(BpfException.class, () -> elf.function("ind")).getMessage().contains("indirect"));
        assertTrue(assertThrows(BpfNotFoundException.class, () -> elf.function("imported_fn")).getMessage()
                .contains("imported_fn is imported, not defined there"));
        assertTrue(assertThrows(BpfNotFoundException.class, () -> elf.function("table")).getMessage()
                .contains("table is not a function there (it is object at 0x7080)"));
        BpfException outside = assertThrows(BpfException.class, () -> elf.fileOffsetOf("outside"));
        assertTrue(outside.getMessage().contains("no loadable segment (PT_LOAD) of the file maps it"),
                outside.getMessage());
        assertEquals(List.of("helper", "helper"), elf.functionsMatching("hel*").stream().map(ElfSymbol::name).toList());
        assertEquals(List.of("foo", "foo"), elf.functionsMatching("f?o").stream().map(ElfSymbol::name).toList());
        assertTrue(elf.usdtProbes().isEmpty());
        assertTrue(assertThrows(BpfNotFoundException.class, () -> elf.usdtProbe("a", "b")).getMessage()
                .endsWith("the binary has no USDT probes (no .note.stapsdt section)"));
    }

    @Test
    void filesThatAreNotUsableElfSayWhy() throws IOException {
        BpfNotFoundException missing = assertThrows(BpfNotFoundException.class,
                () -> ElfFile.read(dir.resolve("missing")));
        assertEquals("read ELF file " + dir.resolve("missing") + ": no such file", missing.getMessage());

        Path text = Files.writeString(dir.resolve("text"), "#!/bin/sh\necho this is not ELF\n");
        assertEquals("read ELF file " + text + ": is not an ELF file", message(text));
        assertFalse(ElfFile.isElf(text));

        Path tiny = Files.write(dir.resolve("tiny"), new byte[] {0x7f, 'E', 'L', 'F'});
        assertEquals("read ELF file " + tiny + ": is not an ELF file (4 bytes)", message(tiny));

        byte[] elf32 = new byte[64];
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1}, 0, elf32, 0, 7);
        Path thirtyTwo = Files.write(dir.resolve("elf32"), elf32);
        assertTrue(message(thirtyTwo).endsWith("is a 32-bit ELF file (ELFCLASS32); only 64-bit binaries are supported"));

        assertTrue(message(dir).endsWith("is a directory"));

        // Truncated anywhere, the file is reported malformed, never read out of bounds.
        byte[] whole = new ElfBuilder(ByteOrder.LITTLE_ENDIAN).dynsym(Sym.function("f", 0x7000, ElfBuilder.STB_GLOBAL))
                .build();
        for (int length : new int[] {16, 63, 64, 200, 0x1000, 0x1050, whole.length - 1}) {
            Path cut = Files.write(dir.resolve("cut-" + length), Arrays.copyOf(whole, length));
            String message = message(cut);
            assertTrue(message.startsWith("read ELF file " + cut + ": malformed ELF file: "), message);
        }
    }

    private static String message(Path path) {
        return assertThrows(BpfException.class, () -> ElfFile.read(path)).getMessage();
    }

    @Test
    void closeMatchesAndEditDistance() {
        assertEquals(0, dev.jbpf.internal.CloseNames.editDistance("abc", "abc", 2));
        assertEquals(1, dev.jbpf.internal.CloseNames.editDistance("getppid", "getpid", 2));
        assertEquals(2, dev.jbpf.internal.CloseNames.editDistance("malloc", "calloc2", 2));
        assertEquals(3, dev.jbpf.internal.CloseNames.editDistance("a", "abcdef", 2), "over the limit");
        assertEquals(".*\\Qa\\E.\\Q.\\E", ElfFile.globToRegex("*a?."));
    }
}
