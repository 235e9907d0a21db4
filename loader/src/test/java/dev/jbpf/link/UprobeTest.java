package dev.jbpf.link;

import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.TraceTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.VmTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * uprobes, uretprobes and uprobe.multi on libc functions this thread calls (counted per
 * thread id, so exactly) and on functions of the trace_target process.
 */
@KernelTest
@VmTest
@Requires(Feature.UPROBES)
class UprobeTest {
    private LoadedObject loaded;
    private int tid;

    @BeforeEach
    void load() {
        loaded = BpfObject.open(TestSupport.bpfObject("uprobes")).load();
        tid = TracingSupport.gettid();
    }

    @AfterEach
    void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    private long count(String map) {
        return TracingSupport.valueOf(loaded.map(map), tid);
    }

    @Test
    @Requires(Feature.ATTACH_COOKIES)
    void uprobeOnLibcByLibraryNameCountsOurCallsAndSeesItsCookie() {
        BpfProgram program = loaded.program("count_uprobe");
        try (BpfLink link = program.attach(Uprobe.entry("libc.so.6", "getppid").withPid(0).withCookie(0xC0FFEEL))) {
            assertTrue(link.fd() > 0);
            TracingSupport.getppid(7);
            assertEquals(7, count("uprobe_counts"));
            assertEquals(0xC0FFEEL, count("uprobe_cookies"));
        }
        TracingSupport.getppid(3);
        assertEquals(7, count("uprobe_counts"), "closing the link detaches the uprobe");
    }

    @Test
    void uretprobeSeesTheValueTheFunctionReturned() {
        try (BpfLink link = loaded.program("record_uretprobe").attach(Uprobe.ret("libc.so.6", "getppid").withPid(0))) {
            int returned = TracingSupport.getppid(4);
            assertEquals(4, count("uretprobe_counts"));
            assertEquals(returned, count("uretprobe_returns"));
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), returned);
        }
    }

    @Test
    void versionedSymbolNamesAttachToTheSameFunction() {
        try (BpfLink link = loaded.program("count_uprobe").attach(
                Uprobe.entry("libc.so.6", "getppid@@GLIBC_2.2.5").withPid(0))) {
            TracingSupport.getppid(2);
            assertEquals(2, count("uprobe_counts"));
        }
    }

    @Test
    void pidFilterLeavesOtherProcessesOut() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try (BpfLink link = loaded.program("count_uprobe").attach(
                Uprobe.entry("libc.so.6", "getppid").withPid((int) sleeper.pid()))) {
            TracingSupport.getppid(5);
            assertEquals(0, count("uprobe_counts"), "a uprobe for another pid must not see our calls");
        } finally {
            sleeper.destroyForcibly();
        }
        try (BpfLink link = loaded.program("count_uprobe").attach(
                Uprobe.entry("libc.so.6", "getppid").withPid((int) ProcessHandle.current().pid()))) {
            TracingSupport.getppid(5);
            assertEquals(5, count("uprobe_counts"), "our own pid");
        }
    }

    @Test
    void fileOffsetAttachHitsTheSameFunction() {
        Path libc = Binaries.resolve("libc.so.6");
        long offset = ElfFile.read(libc).fileOffsetOf("getppid");
        Uprobe atOffset = Uprobe.atFileOffset(libc, offset).withPid(0);
        assertEquals(new Uprobe.Location(libc, offset), atOffset.resolve());
        assertEquals(atOffset.resolve(), Uprobe.entry("libc.so.6", "getppid").resolve());
        try (BpfLink link = loaded.program("count_uprobe").attach(atOffset)) {
            TracingSupport.getppid(6);
            assertEquals(6, count("uprobe_counts"));
        }
    }

    @Test
    void symbolPlusOffsetProbesInsideTheFunction() {
        // jbpf_target_branch(x) reaches offset 4 only when x != 0: in 6 iterations, 3 times.
        int iterations = 6;
        Path target = TracingSupport.traceTargetBinary();
        for (long offset : new long[] {0, 4}) {
            try (TraceTarget process = TraceTarget.start(iterations);
                 BpfLink link = loaded.program("count_uprobe").attach(
                         Uprobe.entry(target, "jbpf_target_branch").withOffset(offset).withPid(process.pid()))) {
                process.run();
                long expected = offset == 0 ? iterations : iterations / 2;
                assertEquals(expected, TracingSupport.valueOf(loaded.map("uprobe_counts"), process.pid()),
                        "jbpf_target_branch+" + offset);
            }
        }
    }

    @Test
    void uretprobeOnANonPieExecutableSeesTheReturnValue() {
        int iterations = 5;
        try (TraceTarget process = TraceTarget.start(iterations);
             BpfLink link = loaded.program("record_uretprobe").attach(
                     Uprobe.ret(TracingSupport.traceTargetBinary(), "jbpf_target_add").withPid(process.pid()))) {
            process.run();
            assertEquals(iterations, TracingSupport.valueOf(loaded.map("uretprobe_counts"), process.pid()));
            assertEquals(iterations - 1 + 1000, TracingSupport.valueOf(loaded.map("uretprobe_returns"), process.pid()),
                    "the last call returned (n - 1) + 1000");
        }
    }

    @Test
    void attachesFromTheKeptSymbolTableAndAfterTheBinaryIsReplaced(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // A settled copy of trace_target: its symbols are parsed once and kept (ElfFile.read).
        Path copy = dir.resolve("trace_target");
        Files.copy(TracingSupport.traceTargetBinary(), copy);
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
        Uprobe add = Uprobe.entry(copy, "jbpf_target_add");
        assertSame(ElfFile.read(copy), ElfFile.read(copy), "kept while unchanged");
        int iterations = 4;
        try (TraceTarget process = TraceTarget.start(copy, iterations);
             BpfLink first = loaded.program("count_uprobe").attach(add.withPid(process.pid()));
             BpfLink second = loaded.program("count_uprobe").attach(add.withPid(process.pid()))) {
            process.run();
            assertEquals(2L * iterations, TracingSupport.valueOf(loaded.map("uprobe_counts"), process.pid()),
                    "both uprobes, the second resolved from the kept table, fired on every call");
        }
        // Replaced by another binary (a new file, moved over it): parsed again, probes still fire.
        ElfFile kept = ElfFile.read(copy);
        Path replacement = dir.resolve("replacement");
        Files.copy(TracingSupport.traceTargetBinary(), replacement);
        Files.setLastModifiedTime(replacement, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60)));
        Files.move(replacement, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertNotSame(kept, ElfFile.read(copy), "a replaced binary is parsed again");
        try (TraceTarget process = TraceTarget.start(copy, iterations);
             BpfLink link = loaded.program("count_uprobe").attach(add.withPid(process.pid()))) {
            process.run();
            assertEquals(iterations, TracingSupport.valueOf(loaded.map("uprobe_counts"), process.pid()));
        }
    }

    @Test
    void attachBySectionResolvesLibcItself() {
        try (BpfLink entry = loaded.program("count_getppid_by_section").attach();
             BpfLink exit = loaded.program("getppid_return_by_section").attach()) {
            int returned = TracingSupport.getppid(3);
            assertEquals(3, count("section_counts"));
            assertEquals(returned, count("section_returns"));
        }
    }

    @Test
    @Requires(Feature.UPROBE_MULTI)
    void uprobeMultiCountsEachFunctionUnderItsCookie() {
        BpfMap counts = loaded.map("multi_counts");
        try (BpfLink link = loaded.program("count_uprobe_multi").attach(
                UprobeMulti.of("libc.so.6", List.of("getpid", "getppid")).withCookies(List.of(11L, 22L)).withPid(0))) {
            TracingSupport.getpid(3);
            TracingSupport.getppid(5);
            assertEquals(3, multiCount(counts, 11));
            assertEquals(5, multiCount(counts, 22));
        }
    }

    @Test
    @Requires(Feature.UPROBE_MULTI)
    void uprobeMultiByPatternAndBySection() {
        UprobeMulti pattern = UprobeMulti.matching("libc.so.6", "getpp*").withPid(0);
        assertTrue(pattern.resolve().functions().stream().anyMatch(f -> f.name().equals("getppid")));
        try (BpfLink link = loaded.program("count_uprobe_multi").attach(pattern)) {
            TracingSupport.getppid(4);
            assertEquals(4, multiCount(loaded.map("multi_counts"), 0));
        }
        try (BpfLink link = loaded.program("count_getppid_multi_by_section").attach()) {
            TracingSupport.getppid(2);
            assertEquals(2, count("multi_section_counts"));
        }
    }

    @Test
    void missingSymbolFailsBeforeAnyNativeCallAndNamesCloseMatches() {
        BpfProgram program = loaded.program("count_uprobe");
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class,
                () -> program.attach(Uprobe.entry("libc.so.6", "getppidd")));
        assertTrue(e.getMessage().startsWith("find symbol getppidd in /"), e.getMessage());
        assertTrue(e.getMessage().contains("similar: getppid"), e.getMessage());
        BpfNotFoundException noFile = assertThrows(BpfNotFoundException.class,
                () -> program.attach(Uprobe.entry("/no/such/binary", "main")));
        assertEquals("resolve binary /no/such/binary: no such file", noFile.getMessage());
        BpfNotFoundException noLibrary = assertThrows(BpfNotFoundException.class,
                () -> program.attach(Uprobe.entry("libjbpf-no-such.so.1", "f")));
        assertTrue(noLibrary.getMessage().contains("/etc/ld.so.cache"), noLibrary.getMessage());
        BpfException pastEnd = assertThrows(BpfException.class,
                () -> program.attach(Uprobe.entry("libc.so.6", "getppid").withOffset(4096)));
        assertTrue(pastEnd.getMessage().contains("past the end of getppid"), pastEnd.getMessage());
        BpfNotFoundException noMultiMatch = assertThrows(BpfNotFoundException.class,
                () -> program.attach(UprobeMulti.matching("libc.so.6", "jbpf_no_such_*")));
        assertTrue(noMultiMatch.getMessage().contains("no function matches"), noMultiMatch.getMessage());
    }

    @Test
    void kernelRefusalIsABpfExceptionNamingTheProbe() {
        // A file offset outside the file: libbpf and the kernel refuse, jbpf says where.
        Path libc = Binaries.resolve("libc.so.6");
        BpfProgram program = loaded.program("count_uprobe");
        BpfException e = assertThrows(BpfException.class,
                () -> program.attach(Uprobe.atFileOffset(libc, 1L << 40)));
        assertTrue(e.getMessage().startsWith("attach program uprobes/count_uprobe to uprobe " + libc + ":0x"),
                e.getMessage());
        assertTrue(e.errno() > 0, e.getMessage());
    }

    private long multiCount(BpfMap counts, long cookie) {
        byte[] key = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(tid).putInt(0).putLong(cookie).array();
        return counts.lookup(key).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong()).orElse(0L);
    }
}
