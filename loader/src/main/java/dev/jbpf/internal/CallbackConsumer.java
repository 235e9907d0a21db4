package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * What the Java consumers of kernel rings share ({@code RingBuffer}, {@code PerfBuffer}):
 * handler exceptions kept by the reading loop and rethrown by the poller, one polling thread at
 * a time, a sliced wait so that a close from another thread is noticed, and freeing the native
 * side only once no thread is reading it. Not API.
 *
 * <p>Owns no native memory itself: the consumer that creates it passes the code that frees
 * its native resources ({@code freeNative}), which runs exactly once, on {@link #close()} or,
 * when a thread is polling then, on that thread's way out of {@code poll}/{@code consume}.
 */
public final class CallbackConsumer {
    /** Longest single wait in native code, so that close() from another thread is noticed. */
    public static final int POLL_SLICE_MS = 100;

    private final String description;
    private final String handlerOperation;
    private final Runnable freeNative;
    private Throwable pending;
    private boolean closed;
    private Thread poller;

    /**
     * @param description how messages name the consumer, e.g. "ring buffer events"
     * @param handlerOperation the operation of the BpfException wrapping a handler's checked
     *     exception, e.g. "handle record of"
     * @param freeNative frees the native side (mappings, fds); run once
     */
    public CallbackConsumer(String description, String handlerOperation, Runnable freeNative) {
        this.description = Objects.requireNonNull(description, "description");
        this.handlerOperation = Objects.requireNonNull(handlerOperation, "handlerOperation");
        this.freeNative = Objects.requireNonNull(freeNative, "freeNative");
    }

    /**
     * Keeps a handler's throwable for {@link #poll}/{@link #consume} to rethrow (the first one;
     * later ones are added as suppressed). Never throws.
     */
    public void fail(Throwable t) {
        try {
            if (pending == null) {
                pending = t;
            } else if (pending != t) {
                pending.addSuppressed(t);
            }
        } catch (Throwable ignored) {
            // nothing may escape
        }
    }

    /**
     * One {@code epoll_wait} of at most {@code timeoutMs} on {@code epollFd} (whose event data
     * are ring indexes), then {@code consumeRing} for each ring reported ready until a handler
     * fails: the records handled, or minus the errno of the wait. For {@link #poll}'s pollOnce.
     */
    public int pollReady(int epollFd, MemorySegment events, int timeoutMs, IntUnaryOperator consumeRing) {
        int ready = LibC.epollWait(epollFd, events, timeoutMs);
        if (ready <= 0) {
            return ready;
        }
        long count = 0;
        for (int i = 0; i < ready && !failed(); i++) {
            count += consumeRing.applyAsInt((int) LibC.epollEventData(events, i));
        }
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    /** {@code consumeRing} for rings 0 to rings - 1, without waiting, until a handler fails: the records handled. */
    public int consumeEach(int rings, IntUnaryOperator consumeRing) {
        long count = 0;
        for (int i = 0; i < rings && !failed(); i++) {
            count += consumeRing.applyAsInt(i);
        }
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    /** Whether a handler already failed in the current poll (read no further then). */
    public boolean failed() {
        return pending != null;
    }

    /**
     * Calls {@code pollOnce} (a native poll taking a timeout in ms, returning libbpf's result)
     * in slices of at most {@value #POLL_SLICE_MS} ms until it returns a positive result, the
     * timeout passes, a handler fails, a signal interrupts the wait (EINTR) or the consumer is
     * closed. Returns the last positive result, else 0; rethrows a handler's exception.
     *
     * @param operation how an error of the native poll is named, e.g. "poll ring buffer"
     */
    public int poll(Duration timeout, String operation, IntUnaryOperator pollOnce) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        enter();
        int result = 0;
        try {
            while (true) {
                long remainingMs = Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                int slice = (int) Math.min(remainingMs, POLL_SLICE_MS);
                int ret = pollOnce.applyAsInt(slice);
                if (ret < 0) {
                    int errno = -ret;
                    if (pending != null || errno == Errno.EINTR) {
                        break;
                    }
                    throw BpfException.of(operation, description, errno, null);
                }
                if (ret > 0 || pending != null || remainingMs <= slice || closeRequested()) {
                    result = ret;
                    break;
                }
            }
        } finally {
            leave();
        }
        rethrowPending();
        return result;
    }

    /**
     * Runs a native call that handles what is available without waiting; returns its result
     * when it is >= 0, rethrows a handler's exception, else throws a BpfException for the
     * negative errno it returned.
     */
    public int consume(String operation, IntSupplier consumeOnce) {
        enter();
        int ret;
        try {
            ret = consumeOnce.getAsInt();
        } finally {
            leave();
        }
        rethrowPending();
        if (ret < 0) {
            throw BpfException.of(operation, description, -ret, null);
        }
        return ret;
    }

    /** Runs {@code call} (reading the native consumer) unless closed; IllegalStateException when closed. */
    public synchronized <T> T whileOpen(Supplier<T> call) {
        checkOpen();
        return call.get();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    private synchronized void enter() {
        checkOpen();
        if (poller != null) {
            throw new IllegalStateException(description + " is already being polled by "
                    + (poller == Thread.currentThread() ? "this thread (from a handler?)" : poller.getName()));
        }
        poller = Thread.currentThread();
        pending = null;
    }

    private synchronized boolean closeRequested() {
        return closed;
    }

    private void leave() {
        boolean free;
        synchronized (this) {
            poller = null;
            free = closed;
        }
        if (free) {
            freeNative.run();
        }
    }

    private void rethrowPending() {
        Throwable t = pending;
        pending = null;
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        BpfException wrapped = new BpfException(handlerOperation, description, 0, t.toString());
        wrapped.initCause(t);
        throw wrapped;
    }

    /**
     * Marks the consumer closed and frees the native side, or leaves that to the thread that
     * is polling (its poll returns within {@value #POLL_SLICE_MS} ms). Closing twice does nothing.
     */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (poller != null) {
                return; // the polling thread frees on its way out of native code
            }
        }
        freeNative.run();
    }
}
