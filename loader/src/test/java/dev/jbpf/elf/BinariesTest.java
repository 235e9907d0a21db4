package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding binaries by path, library name (as the dynamic linker does) and program name. */
@UnitTest
class BinariesTest {
    @TempDir
    Path dir;

    private static final Path LIBC_IN_CACHE = LdSoCache.system().getOrDefault("libc.so.6", List.of()).stream()
            .filter(p -> Binaries.usableLibrary(p, Binaries.hostMachine())).findFirst().orElse(null);

    /** What `ldconfig -p` says libc.so.6 is for this machine (x86-64 on amd64). */
    private static Optional<Path> ldconfigLibc() throws IOException, InterruptedException {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (Files.isExecutable(Path.of(ldconfig))) {
                Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                process.waitFor(10, TimeUnit.SECONDS);
                String arch = Binaries.hostMachine() == 62 ? "x86-64" : Binaries.hostMachine() == 183 ? "AArch64" : "";
                return output.lines().map(String::strip).filter(l -> l.startsWith("libc.so.6 (") && l.contains(arch))
                        .map(l -> Path.of(l.substring(l.indexOf("=> ") + 3))).findFirst();
            }
        }
        return Optional.empty();
    }

    @Test
    void libcResolvesToWhatLdconfigSays() throws Exception {
        Path libc = Binaries.resolve("libc.so.6");
        assertTrue(libc.isAbsolute());
        assertTrue(Binaries.usableLibrary(libc, Binaries.hostMachine()));
        Optional<Path> expected = ldconfigLibc();
        assertTrue(expected.isPresent(), "ldconfig -p lists libc.so.6");
        assertTrue(Files.isSameFile(expected.get(), libc), libc + " vs ldconfig's " + expected.get());
    }

    @Test
    void ldSoCacheIsReadLikeLdconfigPrintsIt() throws Exception {
        Map<String, List<Path>> cache = LdSoCache.system();
        assertTrue(cache.size() > 10, "entries: " + cache.size());
        assertTrue(Files.isSameFile(ldconfigLibc().orElseThrow(), LIBC_IN_CACHE));
    }

    @Test
    void searchOrderIsLdLibraryPathThenCacheThenDefaultDirs() throws IOException {
        Path libc = Binaries.resolve("libc.so.6");
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        // Not ELF, and ELF for another machine: the linker skips both, and so do we.
        Files.writeString(first.resolve("libc.so.6"), "not a library");
        Files.write(second.resolve("libc.so.6"), elfHeader(Binaries.hostMachine() == 62 ? 183 : 62));
        Binaries.Search skipping = new Binaries.Search(List.of(first, second), Map.of("libc.so.6", List.of(libc)),
                List.of(), List.of(), Binaries.hostMachine());
        assertEquals(libc, Binaries.resolve("libc.so.6", skipping));

        Path mine = Files.copy(libc, second.resolve("libc.so.6"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(mine, Binaries.resolve("libc.so.6", skipping), "LD_LIBRARY_PATH comes before the cache");

        Path defaults = Files.createDirectories(dir.resolve("defaults"));
        Path onlyThere = Files.copy(libc, defaults.resolve("libjbpfonly.so.1"));
        Binaries.Search defaultsOnly = new Binaries.Search(List.of(), Map.of(), List.of(defaults), List.of(),
                Binaries.hostMachine());
        assertEquals(onlyThere, Binaries.resolve("libjbpfonly.so.1", defaultsOnly));

        BpfNotFoundException e = assertThrows(BpfNotFoundException.class,
                () -> Binaries.resolve("libnothere.so", defaultsOnly));
        assertEquals("resolve binary libnothere.so: no such library for this machine in /etc/ld.so.cache, "
                + defaults + "; give its path", e.getMessage());
    }

    @Test
    void programNamesAreFoundOnPath() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path tool = Files.writeString(bin.resolve("jbpf-tool"), "#!/bin/sh\n");
        Binaries.Search search = new Binaries.Search(List.of(), Map.of(), List.of(), List.of(dir.resolve("empty"), bin), 0);
        assertThrows(BpfNotFoundException.class, () -> Binaries.resolve("jbpf-tool", search), "not executable yet");
        assertTrue(tool.toFile().setExecutable(true));
        assertEquals(tool, Binaries.resolve("jbpf-tool", search));
        assertTrue(Binaries.resolve("sh").toString().endsWith("/sh"));
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class, () -> Binaries.resolve("jbpf-missing", search));
        assertTrue(e.getMessage().startsWith("resolve binary jbpf-missing: no such program on PATH ("), e.getMessage());
    }

    @Test
    void pathsAreTakenAsGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("app"), "x");
        assertEquals(file, Binaries.resolve(file.toString()));
        assertEquals(file, Binaries.resolve(dir + "/./sub/../app"));
        assertEquals("resolve binary " + dir + "/nope: no such file",
                assertThrows(BpfNotFoundException.class, () -> Binaries.resolve(dir + "/nope")).getMessage());
        assertTrue(assertThrows(BpfException.class, () -> Binaries.resolve(dir.toString())).getMessage()
                .endsWith("is a directory"));
        assertThrows(IllegalArgumentException.class, () -> Binaries.resolve(" "));
        assertThrows(NullPointerException.class, () -> Binaries.resolve(null));
        assertTrue(Binaries.isLibraryName("libc.so.6"));
        assertTrue(Binaries.isLibraryName("libz.so"));
        assertTrue(!Binaries.isLibraryName("bash") && !Binaries.isLibraryName("./libc.so.6"));
        assertEquals(List.of(Path.of("/a"), Path.of("."), Path.of("/b")), Binaries.splitPath("/a::/b"));
        assertTrue(Binaries.librarySearchPath().containsAll(Binaries.defaultLibraryDirs()));
    }

    @Test
    void oldAndNewCacheFormats() {
        byte[] newFormat = newCache(List.of("libfoo.so.1", "/opt/lib/libfoo.so.1", "libbar.so", "/x/libbar.so"));
        assertEquals(Map.of("libfoo.so.1", List.of(Path.of("/opt/lib/libfoo.so.1")), "libbar.so", List.of(Path.of("/x/libbar.so"))),
                LdSoCache.parse(newFormat));
        // The old format followed by the new one: the new one is read.
        ByteBuffer old = ByteBuffer.allocate(16 + 12).order(ByteOrder.nativeOrder());
        old.put("ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(1).putInt(0).putInt(0).putInt(0);
        byte[] combined = new byte[32 + newFormat.length];
        System.arraycopy(old.array(), 0, combined, 0, 28);
        System.arraycopy(newFormat, 0, combined, 32, newFormat.length);
        assertEquals(LdSoCache.parse(newFormat), LdSoCache.parse(combined));
        assertEquals(Map.of(), LdSoCache.parse("garbage".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Map.of(), LdSoCache.parse(java.util.Arrays.copyOf(newFormat, 60)), "truncated");
    }

    /** A new-format cache with (name, path) pairs. */
    private static byte[] newCache(List<String> namesAndPaths) {
        int entries = namesAndPaths.size() / 2;
        int stringsStart = 48 + entries * 24;
        ByteBuffer strings = ByteBuffer.allocate(4096);
        ByteBuffer cache = ByteBuffer.allocate(stringsStart + 4096).order(ByteOrder.nativeOrder());
        cache.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII)).putInt(entries).putInt(0);
        for (int i = 0; i < entries; i++) {
            int entry = 48 + i * 24;
            int key = stringsStart + strings.position();
            strings.put((namesAndPaths.get(2 * i) + "\0").getBytes(StandardCharsets.UTF_8));
            int value = stringsStart + strings.position();
            strings.put((namesAndPaths.get(2 * i + 1) + "\0").getBytes(StandardCharsets.UTF_8));
            cache.putInt(entry, 0x303).putInt(entry + 4, key).putInt(entry + 8, value);
        }
        cache.put(stringsStart, strings.array(), 0, strings.position());
        return java.util.Arrays.copyOf(cache.array(), stringsStart + strings.position());
    }

    private static byte[] elfHeader(int machine) {
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        header.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}).position(16);
        header.putShort((short) 3).putShort((short) machine);
        return header.array();
    }
}
