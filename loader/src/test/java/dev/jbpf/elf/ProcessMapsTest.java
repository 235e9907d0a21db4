package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.Readelf;
import dev.jbpf.testing.TraceTarget;
import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ProcessMaps and UsdtProbes.ofProcess on processes of this machine (this JVM, a trace_target
 * child): the files each maps executable and, among them, those readelf finds USDT notes in.
 * A process in another mount namespace: ProcessMapsNamespaceTest.
 */
@UnitTest
class ProcessMapsTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    /** A pid no process has: pids are below /proc/sys/kernel/pid_max. */
    static int pidNoProcessHas() throws IOException {
        // readAllLines: Files.readString of a sysctl file gets its first byte only ("3" of "32768")
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).getFirst().strip());
    }

    @Test
    void linesAreReadAsTheKernelWritesThem() {
        Path source = Path.of("/proc/1/maps");
        ProcessMaps.Mapping code = ProcessMaps.parse(
                "7f3c1a200000-7f3c1a3a5000 r-xp 00028000 08:01 1837       /usr/lib/x86_64-linux-gnu/libc.so.6", source);
        assertEquals(new ProcessMaps.Mapping(0x7f3c1a200000L, 0x7f3c1a3a5000L, "r-xp", 0x28000,
                "/usr/lib/x86_64-linux-gnu/libc.so.6"), code);
        assertTrue(code.executable() && code.mapsFile());
        ProcessMaps.Mapping spaces = ProcessMaps.parse("00400000-00401000 r-xp 00000000 08:01 42   /opt/my app/bin (deleted)", source);
        assertEquals("/opt/my app/bin (deleted)", spaces.path());
        assertFalse(spaces.mapsFile(), "a file deleted since it was mapped");
        ProcessMaps.Mapping anonymous = ProcessMaps.parse("7f3c1a000000-7f3c1a100000 rwxp 00000000 00:00 0 ", source);
        assertEquals("", anonymous.path());
        assertTrue(anonymous.executable() && !anonymous.mapsFile());
        ProcessMaps.Mapping vdso = ProcessMaps.parse("7ffd2b5f0000-7ffd2b5f2000 r-xp 00000000 00:00 0    [vdso]", source);
        assertFalse(vdso.mapsFile());
        ProcessMaps.Mapping data = ProcessMaps.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]", source);
        assertEquals(0xffffffffff600000L, data.start(), "unsigned addresses");
        assertFalse(ProcessMaps.parse("55d0c6e00000-55d0c6e21000 rw-p 00000000 00:00 0  [heap]", source).executable());
        assertTrue(assertThrows(BpfException.class, () -> ProcessMaps.parse("garbage", source)).getMessage()
                .contains("unexpected line 'garbage'"));
    }

    @Test
    void thisJvmMapsItsLibjvm() throws IOException {
        Path libjvm = TracingSupport.libjvms().getFirst(); // this JVM's, real path: what the kernel shows
        List<ProcessMaps.MappedFile> files = ProcessMaps.executableFiles(SELF);
        ProcessMaps.MappedFile mapped = files.stream().filter(file -> file.path().equals(libjvm)).findFirst()
                .orElseThrow(() -> new AssertionError(libjvm + " not among " + files));
        assertTrue(mapped.sameRoot(), "this process has its own root");
        assertEquals(Path.of("/proc", Integer.toString(SELF), "root").resolve(libjvm.toString().substring(1)), mapped.file());
        assertEquals(libjvm, mapped.localPath());
        assertTrue(Files.isSameFile(libjvm, mapped.file()));
        assertEquals(files.size(), files.stream().map(ProcessMaps.MappedFile::path).distinct().count(), "each file once");
        // every executable file mapping of /proc/self/maps, and only those
        List<Path> expected = Files.readAllLines(Path.of("/proc", Integer.toString(SELF), "maps")).stream()
                .map(line -> line.split("\\s+", 6)).filter(f -> f.length == 6 && f[1].charAt(2) == 'x'
                        && f[5].startsWith("/") && !f[5].endsWith(" (deleted)"))
                .map(f -> Path.of(f[5])).distinct().toList();
        assertEquals(expected, files.stream().map(ProcessMaps.MappedFile::path).toList());
    }

    @Test
    void theUsdtProbesOfAProcessAreThoseOfItsFilesWithNotes() {
        try (TraceTarget target = TraceTarget.start(1)) {
            List<UsdtProbes.InFile> found = UsdtProbes.ofProcess(target.pid());
            // by readelf: the files among those it maps executable that have a .note.stapsdt section
            List<Path> expected = ProcessMaps.executableFiles(target.pid()).stream()
                    .filter(file -> Readelf.hasSection(file.file(), ".note.stapsdt"))
                    .map(ProcessMaps.MappedFile::path).toList();
            assertEquals(expected, found.stream().map(in -> in.file().path()).toList());
            assertTrue(expected.contains(TracingSupport.traceTargetBinary()), expected.toString());
            for (UsdtProbes.InFile in : found) {
                assertEquals(Readelf.usdtProbes(in.file().file()), in.probes(), in.file().toString());
                assertEquals(target.pid(), in.file().pid());
            }
            target.run();
        }
    }

    @Test
    void thisJvmsProbesAreItsLibjvms() {
        Path libjvm = TracingSupport.libjvms().getFirst();
        List<UsdtProbe> expected = UsdtProbes.read(libjvm);
        List<UsdtProbes.InFile> found = UsdtProbes.ofProcess(SELF);
        UsdtProbes.InFile jvm = found.stream().filter(in -> in.file().path().equals(libjvm)).findFirst()
                .orElseThrow(() -> new AssertionError(found.toString()));
        assertEquals(expected, jvm.probes());
        List<String> streamed = new java.util.ArrayList<>();
        UsdtProbes.forEachInProcess(SELF, in -> streamed.add(in.file().path().toString()));
        assertEquals(found.stream().map(in -> in.file().path().toString()).toList(), streamed);
    }

    @Test
    void aProcessThatDoesNotExistIsNotFound() throws IOException {
        int pid = pidNoProcessHas();
        BpfNotFoundException missing = assertThrows(BpfNotFoundException.class, () -> ProcessMaps.executableFiles(pid));
        assertEquals("read the memory map of process " + pid + ": no such process", missing.getMessage());
        assertThrows(BpfNotFoundException.class, () -> UsdtProbes.ofProcess(pid));
        assertThrows(IllegalArgumentException.class, () -> ProcessMaps.read(0));
        assertThrows(IllegalArgumentException.class, () -> ProcessMaps.read(-1));
    }
}
