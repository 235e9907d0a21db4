package dev.jbpf.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP during {@code jbpf export}: the handler only raises a flag ({@link #take()}); the
 * command's loop reloads, so a reload never runs on the signal thread nor beside the final close.
 * {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's supported way to catch a signal
 * other than the shutdown ones; {@link #close()} puts the previous handler back (tests run jbpf in
 * their JVM). Owns nothing native.
 */
final class ReloadSignal implements AutoCloseable {
    private static final Signal HUP = new Signal("HUP");

    private final AtomicBoolean requested = new AtomicBoolean();
    private final SignalHandler previous;

    private ReloadSignal() {
        previous = Signal.handle(HUP, signal -> requested.set(true));
    }

    static ReloadSignal install() {
        return new ReloadSignal();
    }

    /** Whether SIGHUP came since the last call. */
    boolean take() {
        return requested.getAndSet(false);
    }

    @Override
    public void close() {
        Signal.handle(HUP, previous);
    }
}
