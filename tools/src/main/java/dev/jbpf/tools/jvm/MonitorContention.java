package dev.jbpf.tools.jvm;

import java.time.Duration;
import java.util.Objects;

/**
 * The contended monitor enters of another JVM on objects of one class ({@link JvmMonitors}): a
 * thread entering a {@code synchronized} block or method while another thread held the object's
 * monitor. A value in the Java heap.
 *
 * @param className the class of the objects locked, as {@link Class#getName()} has it; "..." at
 *     the end when it was longer than the 128 bytes the program keys by
 * @param contended how many times a thread had to wait
 * @param entered how many of those waits ended with the monitor entered (the others still wait)
 * @param waited the time the entered ones waited, added up
 * @param maxWait the longest of those waits
 */
public record MonitorContention(String className, long contended, long entered, Duration waited, Duration maxWait) {
    public MonitorContention {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(waited, "waited");
        Objects.requireNonNull(maxWait, "maxWait");
    }
}
