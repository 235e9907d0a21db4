package dev.jbpf.tools.jvm;

import java.time.Instant;
import java.util.Objects;

/**
 * A class of another JVM loaded or unloaded ({@link JvmClassEvents}). A value in the Java heap.
 *
 * @param time when (wall clock, from the kernel's monotonic clock)
 * @param name the class's name as {@link Class#getName()} has it ("java.lang.String",
 *     "com.example.Outer$Inner"); "..." at the end when it was longer than the 256 bytes recorded
 * @param loader the class loader's identity in the JVM (the address of its ClassLoaderData):
 *     equal for classes of the same loader
 * @param shared whether the class came from the CDS archive (class data sharing)
 */
public record ClassEvent(Kind kind, Instant time, String name, long loader, boolean shared) {
    /** Which probe fired. */
    public enum Kind {
        /** {@code hotspot:class__loaded} */
        LOADED,
        /** {@code hotspot:class__unloaded}: its loader was collected */
        UNLOADED
    }

    public ClassEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(name, "name");
    }
}
