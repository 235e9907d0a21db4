package dev.jbpf.bindings;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls into the installed libbpf: versions, errno capture, an upcall, and a missing function. */
// unit: no kernel, no privileges. This module does not reach dev.jbpf.testing (loader's test jar),
// so the tag is plain; scripts/test-summary reads it from this line.
@Tag("unit")
class LibBpfSmokeTest {

    private static final int ENOENT = 2;

    /** libc's vsnprintf; on x86_64 a va_list argument is passed as a pointer. */
    private static final MethodHandle VSNPRINTF = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("vsnprintf").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    @Test
    void versions() {
        assertEquals(1, LibBpf.libbpf_major_version());
        assertTrue(LibBpf.libbpf_minor_version() >= 0);
        assertTrue(LibBpf.libraryVersion().startsWith("1."), LibBpf.libraryVersion());
        assertTrue(LibBpf.HEADER_VERSION.startsWith("1."), LibBpf.HEADER_VERSION);
        assertTrue(LibBpf.libraryPath().contains("libbpf.so"), LibBpf.libraryPath());
        assertEquals(LibBpf.HEADER_VERSION, BpfConstants.LIBBPF_MAJOR_VERSION + "." + BpfConstants.LIBBPF_MINOR_VERSION);
    }

    @Test
    void constants() {
        assertEquals(0, BpfConstants.BPF_ANY);
        assertEquals(1, BpfConstants.BPF_NOEXIST);
        assertEquals(1, BpfConstants.BPF_MAP_TYPE_HASH);
        assertEquals(1, BpfConstants.PERF_TYPE_SOFTWARE);
        assertEquals(16, BpfConstants.BPF_OBJ_NAME_LEN);
        assertEquals(1, BpfConstants.BPF_F_NO_PREALLOC);
        assertEquals(0xffffffff, BpfConstants.LIBBPF_STRICT_ALL);
    }

    @Test
    void errnoIsCaptured() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment obj = LibBpf.bpf_object__open_file(arena.allocateFrom("/nonexistent/jbpf-test.bpf.o"), MemorySegment.NULL);
            assertEquals(MemorySegment.NULL, obj);
            assertEquals(ENOENT, LibBpf.errno());
        }
    }

    @Test
    void printCallbackReceivesLibbpfMessages(@TempDir Path tmp) throws Exception {
        Path garbage = tmp.resolve("garbage.bpf.o");
        byte[] bytes = new byte[512];
        new Random(42).nextBytes(bytes);
        Files.write(garbage, bytes);
        List<String> messages = new CopyOnWriteArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment fn = libbpf_print_fn_t.allocate((level, format, args) -> {
                try (Arena local = Arena.ofConfined()) {
                    MemorySegment buf = local.allocate(1024);
                    int n = (int) VSNPRINTF.invokeExact(buf, 1024L, format, args);
                    messages.add(level + ":" + buf.getString(0));
                    return n;
                } catch (Throwable t) {
                    messages.add("error: " + t);
                    return 0;
                }
            }, arena);
            MemorySegment previous = LibBpf.libbpf_set_print(fn);
            try {
                MemorySegment obj = LibBpf.bpf_object__open_file(arena.allocateFrom(garbage.toString()), MemorySegment.NULL);
                assertEquals(MemorySegment.NULL, obj);
                assertTrue(LibBpf.errno() != 0);
            } finally {
                LibBpf.libbpf_set_print(previous);
            }
        }
        String all = String.join("", messages);
        assertTrue(all.contains("libbpf: elf:") && all.contains(garbage.toString()), "libbpf printed: " + messages);
        assertTrue(messages.stream().anyMatch(m -> m.startsWith(BpfConstants.LIBBPF_WARN + ":libbpf: elf:")),
                "no warning-level elf message in " + messages);
    }

    @Test
    void missingFunctionFailsWhenCalled() {
        MethodHandle h = LibBpf.downcall("jbpf_no_such_function", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> { int r = (int) h.invokeExact(LibBpf.state(), 1); });
        assertTrue(e.getMessage().startsWith("libbpf function jbpf_no_such_function is not in the loaded libbpf 1."),
                e.getMessage());
        assertTrue(e.getMessage().contains("libbpf.so"), e.getMessage());
    }
}
