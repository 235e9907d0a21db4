package dev.jbpf.cli;

import dev.jbpf.LoadedObject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT/SIGTERM) during a foreground command (attach, tcptrack, profile, jvm): a shutdown
 * hook that asks the command's loop to stop ({@link #requested()}) and holds the JVM's exit until
 * the command is done (links detached, results written), 10 s at most, so the JVM never exits
 * with programs still attached. Owns nothing native.
 */
final class ForegroundStop extends Thread {
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean requested;

    private ForegroundStop(String name) {
        super(name);
    }

    /** A new hook, registered with the runtime; call {@link #done()} or {@link #releaseAfter} once. */
    static ForegroundStop install(String name) {
        ForegroundStop stop = new ForegroundStop(name);
        Runtime.getRuntime().addShutdownHook(stop);
        return stop;
    }

    @Override
    public void run() {
        requested = true;
        try {
            finished.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a signal asked the command to stop. */
    boolean requested() {
        return requested;
    }

    /** The command is done: a pending exit goes on; without a signal the hook is removed. */
    void done() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(this);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting because of a signal: the hook is running
        }
    }

    /** Closes the object now (detaching its links), then {@link #done()}. */
    void releaseAfter(LoadedObject loaded) {
        releaseAfter(loaded::close);
    }

    /** Runs {@code close} now (e.g. a tool's close, which detaches its links), then {@link #done()}. */
    void releaseAfter(Runnable close) {
        try {
            close.run();
        } finally {
            done();
        }
    }
}
