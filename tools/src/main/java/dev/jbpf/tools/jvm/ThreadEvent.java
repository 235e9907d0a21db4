package dev.jbpf.tools.jvm;

import java.time.Instant;
import java.util.Objects;

/**
 * A Java thread of another JVM starting or stopping ({@link JvmThreadEvents}). A value in the Java heap.
 *
 * @param time when (wall clock, from the kernel's monotonic clock)
 * @param name the thread's name when it started or stopped ({@link Thread#getName()})
 * @param javaId {@link Thread#getId()} (threadId())
 * @param nativeTid the thread's id in the kernel (gettid(2), a directory of /proc/PID/task)
 * @param daemon {@link Thread#isDaemon()}
 */
public record ThreadEvent(Kind kind, Instant time, String name, long javaId, long nativeTid, boolean daemon) {
    /** Which probe fired. */
    public enum Kind {
        /** {@code hotspot:thread__start}: the thread began to run (on itself). */
        STARTED,
        /** {@code hotspot:thread__stop}: the thread is exiting (on itself). */
        STOPPED
    }

    public ThreadEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(name, "name");
    }
}
