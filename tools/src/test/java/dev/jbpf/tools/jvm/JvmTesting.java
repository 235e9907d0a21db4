package dev.jbpf.tools.jvm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the tests of this package share: reading a tool's events until its target exits. */
final class JvmTesting {
    private static final long TIMEOUT_NANOS = 120_000_000_000L;

    private JvmTesting() {
    }

    /**
     * Every event until the target exits, and those it sent before (a last consume): how the CLI
     * reads them. Fails when the target is still alive after two minutes.
     */
    static <E extends Record> List<E> untilExit(JvmEvents<E> events) {
        List<E> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (events.target().isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(events.target().describe() + " did not exit; events so far: " + seen);
            }
            events.poll(Duration.ofMillis(100), seen::add);
        }
        events.consume(seen::add);
        return seen;
    }
}
