package dev.jbpf.tools.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Naming addresses of this very JVM: C++ and C functions of its libjvm.so (ELF symbols, C++
 * demangled), an address of libjvm no symbol covers (file+0xaddress), a function of libc only
 * its separate debug file names, and its JIT code cache named by a perf map this test writes.
 */
@UnitTest
class UserSymbolsTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    private record Mapping(long start, long end, long offset, String path) { }

    private static List<Mapping> executableMappings() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.trim().split("\\s+", 6))
                .filter(f -> f[1].charAt(2) == 'x')
                .map(f -> new Mapping(Long.parseUnsignedLong(f[0].split("-")[0], 16), Long.parseUnsignedLong(f[0].split("-")[1], 16),
                        Long.parseUnsignedLong(f[2], 16), f.length == 6 ? f[5] : ""))
                .toList();
    }

    /** Where this process has the ELF address {@code address} of the file of {@code mapping} (its executable mapping). */
    private static long runtimeAddress(Mapping mapping, ElfFile elf, long address) {
        long fileOffset = elf.fileOffset(address);
        assertTrue(fileOffset >= mapping.offset() && fileOffset < mapping.offset() + (mapping.end() - mapping.start()), "not in the text mapping");
        return mapping.start() + fileOffset - mapping.offset();
    }

    @Test
    void libjvmFunctionsAreNamedCxxDemangled() throws Exception {
        Mapping libjvm = executableMappings().stream().filter(m -> m.path().endsWith("/libjvm.so")).findFirst().orElseThrow();
        ElfFile elf = ElfFile.read(Path.of(libjvm.path()));
        UserSymbols users = new UserSymbols();
        assertTrue(users.remember(SELF));

        ElfSymbol run = elf.functions().stream().filter(s -> s.name().equals("_ZN10JavaThread3runEv")).findFirst().orElseThrow();
        Profile.Frame frame = users.frame(SELF, runtimeAddress(libjvm, elf, run.address()) + 1);
        assertEquals(new Profile.Frame("JavaThread::run()", Profile.FrameKind.CPP, frame.address()), frame);

        ElfSymbol create = elf.functions().stream().filter(s -> s.name().equals("JNI_CreateJavaVM")).findFirst().orElseThrow();
        assertEquals(Profile.FrameKind.NATIVE, users.frame(SELF, runtimeAddress(libjvm, elf, create.address())).kind());
        assertEquals("JNI_CreateJavaVM", users.name(SELF, runtimeAddress(libjvm, elf, create.address())));

        // an address after a function's end and before the next one's start: no symbol covers it
        List<ElfSymbol> sorted = elf.functions().stream().sorted(Comparator.comparingLong(ElfSymbol::address)).toList();
        long gap = -1;
        for (int i = 0; i + 1 < sorted.size() && gap < 0; i++) {
            ElfSymbol s = sorted.get(i);
            if (s.size() > 0 && s.address() + s.size() < sorted.get(i + 1).address()) {
                gap = s.address() + s.size();
            }
        }
        assertTrue(gap > 0, "libjvm has no gap between its functions");
        Profile.Frame unnamed = users.frame(SELF, runtimeAddress(libjvm, elf, gap));
        assertEquals(new Profile.Frame("libjvm.so+0x" + Long.toHexString(gap), Profile.FrameKind.UNKNOWN, unnamed.address()), unnamed);
    }

    /** start_thread is a local function Debian strips from libc: its debug file (libc6-dbg) has it, found by build ID. */
    @Test
    void libcLocalFunctionsAreNamedFromItsDebugFile() throws Exception {
        Mapping libc = executableMappings().stream().filter(m -> m.path().endsWith("/libc.so.6")).findFirst().orElseThrow();
        ElfFile elf = ElfFile.read(Path.of(libc.path()));
        String id = elf.buildId().orElseThrow();
        Path debug = Path.of("/usr/lib/debug/.build-id", id.substring(0, 2), id.substring(2) + ".debug");
        Assumptions.assumeTrue(Files.isRegularFile(debug), "libc has no debug file here (Debian: apt-get install libc6-dbg)");
        assertTrue(elf.functions().stream().noneMatch(s -> s.name().equals("start_thread")), "libc itself has start_thread: nothing to test");
        ElfSymbol start = ElfFile.read(debug).functions().stream().filter(s -> s.name().equals("start_thread")).findFirst().orElseThrow();
        UserSymbols users = new UserSymbols();
        assertTrue(users.remember(SELF));
        Profile.Frame frame = users.frame(SELF, runtimeAddress(libc, elf, start.address()) + 4);
        assertEquals(new Profile.Frame("start_thread", Profile.FrameKind.NATIVE, frame.address()), frame);
    }

    @Test
    void jitCodeIsNamedByThePerfMapAndOtherwiseByItsAddress() throws Exception {
        // this JVM's code cache: executable memory no file is mapped at
        Mapping codeCache = executableMappings().stream().filter(m -> m.path().isEmpty() && m.end() - m.start() >= 0x1000)
                .findFirst().orElseThrow();
        long start = codeCache.start();
        Path map = Path.of("/tmp", "perf-" + SELF + ".map");
        Files.writeString(map, String.format("0x%x 0x40 long demo.Hot.spin(long)%n%x 40 Interpreter%n", start, start + 0x40));
        try {
            UserSymbols users = new UserSymbols();
            assertTrue(users.remember(SELF));
            assertEquals(new Profile.Frame("0x" + Long.toHexString(start + 8), Profile.FrameKind.UNKNOWN, start + 8),
                    users.frame(SELF, start + 8), "before the perf map is read");
            assertTrue(users.readPerfMap(SELF));
            assertEquals(new Profile.Frame("demo.Hot.spin", Profile.FrameKind.JAVA, start + 8), users.frame(SELF, start + 8));
            assertEquals(new Profile.Frame("Interpreter", Profile.FrameKind.INTERPRETED, start + 0x47), users.frame(SELF, start + 0x47));
            assertEquals(new Profile.Frame("0x" + Long.toHexString(start + 0x80), Profile.FrameKind.UNKNOWN, start + 0x80),
                    users.frame(SELF, start + 0x80));
            assertEquals(Path.of("/proc", Integer.toString(SELF), "root/tmp/perf-" + SELF + ".map"), users.perfMapFile(SELF).orElseThrow());
        } finally {
            Files.deleteIfExists(map);
        }
    }
}
