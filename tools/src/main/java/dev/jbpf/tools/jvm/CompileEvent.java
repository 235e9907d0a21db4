package dev.jbpf.tools.jvm;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One JIT compilation of a method in another JVM, as it ended ({@link JvmCompileEvents}). A value
 * in the Java heap. Names longer than the program records end in "...".
 *
 * @param start when the compiler began (wall clock, from the kernel's monotonic clock)
 * @param duration from {@code hotspot:method__compile__begin} to {@code method__compile__end}
 * @param compiler the compiler, as HotSpot names it ("C1", "C2", "jvmci")
 * @param className the method's class as {@link Class#getName()} has it ("java.lang.String")
 * @param methodName the method's name ("hashCode", "&lt;init&gt;")
 * @param signature its descriptor ("()I")
 * @param success whether the compilation succeeded (a failed one is retried or given up)
 * @param compilerThread the compiler thread's kernel tid
 */
public record CompileEvent(Instant start, Duration duration, String compiler, String className, String methodName,
        String signature, boolean success, int compilerThread) {
    public CompileEvent {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(compiler, "compiler");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(methodName, "methodName");
        Objects.requireNonNull(signature, "signature");
    }

    /** "java.lang.String.hashCode": class and method, as stack traces name them. */
    public String method() {
        return className + "." + methodName;
    }
}
