package dev.jbpf.internal;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import java.lang.foreign.MemorySegment;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Runs one libbpf call and turns its failure into a {@link BpfException} carrying errno and
 * libbpf's own explanation: int functions fail with a negative errno, pointer functions with
 * NULL and errno set (libbpf 1.x). Not API; owns no native memory.
 */
public final class LibBpfCall {
    private LibBpfCall() {
    }

    /** Calls an int-returning libbpf function; returns its result when it is >= 0. */
    public static int check(String operation, String target, IntSupplier call) {
        LibBpfLog.begin();
        int result = call.getAsInt();
        if (result < 0) {
            throw failure(operation, target, -result);
        }
        return result;
    }

    /** Calls a pointer-returning libbpf function; returns the pointer when it is not NULL. */
    public static MemorySegment checkNonNull(String operation, String target, Supplier<MemorySegment> call) {
        LibBpfLog.begin();
        MemorySegment result = call.get();
        if (result.equals(MemorySegment.NULL)) {
            int errno = LibBpf.errno(); // read first: nothing may run between the call and this
            throw failure(operation, target, errno);
        }
        return result;
    }

    /** The exception for a failed call, with libbpf's last warnings of this thread. */
    public static BpfException failure(String operation, String target, int errno) {
        String explanation = LibBpfLog.explanation();
        if (Math.abs(errno) == Errno.ENOENT && explanation != null && explanation.contains("tracepoint")) {
            // libbpf says "failed to determine tracepoint ... perf event ID" also when tracefs is missing
            String hint = TraceFs.missingHint();
            if (hint != null) {
                explanation = hint;
            }
        }
        return BpfException.of(operation, target, errno, explanation);
    }

    /** Reads a C string through a pointer libbpf returned (a zero-length segment); null for NULL. */
    public static String string(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Reads a fixed-size C char array (e.g. a name field of an info struct) up to its first NUL. */
    public static String fixedString(MemorySegment chars) {
        long end = 0;
        while (end < chars.byteSize() && chars.get(java.lang.foreign.ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(chars.asSlice(0, end).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
