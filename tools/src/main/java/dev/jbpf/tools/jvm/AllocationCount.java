package dev.jbpf.tools.jvm;

import java.util.Objects;

/**
 * The objects of one class another JVM allocated ({@link JvmAllocations}). A value in the Java heap.
 *
 * @param className as {@link Class#getName()} has it ("java.lang.String", "[I", "[Ljava.lang.Object;");
 *     "..." at the end when it was longer than the 128 bytes the program keys by
 * @param count objects allocated
 * @param bytes their sizes added up, in bytes; -1 when the JVM does not report sizes (see
 *     {@link JvmAllocations#sizesReported()})
 */
public record AllocationCount(String className, long count, long bytes) {
    public AllocationCount {
        Objects.requireNonNull(className, "className");
    }
}
