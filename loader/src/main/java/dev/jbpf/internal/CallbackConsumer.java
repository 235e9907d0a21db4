package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * The Java side shared by libbpf's consumers that call Java back from native code
 * ({@code ring_buffer}, {@code perf_buffer}): handler exceptions kept out of the upcalls and
 * rethrown by the poller, one polling thread at a time, a sliced wait so that a close from
 * another thread is noticed, and freeing the native consumer only once no thread is inside
 * it. Not API.
 *
 * <p>Owns no native memory itself: the consumer that creates it passes the code that frees
 * its native resources ({@code freeNative}), which runs exactly once, on {@link #close()} or,
 * when a thread is polling then, on that thread's way out of native code.
 */
public final class CallbackConsumer {
    /** Longest single wait in native code, so that close() from another thread is noticed. */
    public static final int POLL_SLICE_MS = 100;

    /** A handler call made inside an upcall; may throw anything. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    /** A handler of one record segment, valid only during the call. */
    @FunctionalInterface
    public interface SegmentCall {
        void accept(MemorySegment record) throws Exception;
    }

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
     * @param freeNative frees the native consumer and its upcall stubs; run once
     */
    public CallbackConsumer(String description, String handlerOperation, Runnable freeNative) {
        this.description = Objects.requireNonNull(description, "description");
        this.handlerOperation = Objects.requireNonNull(handlerOperation, "handlerOperation");
        this.freeNative = Objects.requireNonNull(freeNative, "freeNative");
    }

    /**
     * Runs a handler inside an upcall. Never throws (an exception escaping an upcall kills the
     * JVM): returns false when the handler threw, after keeping the throwable for
     * {@link #poll}/{@link #consume} to rethrow.
     */
    public boolean deliver(Call call) {
        try {
            call.run();
            return true;
        } catch (Throwable t) {
            fail(t);
            return false;
        }
    }

    /**
     * Keeps a handler's throwable for {@link #poll}/{@link #consume} to rethrow (the first one;
     * later ones are added as suppressed). Never throws: it may run inside an upcall.
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
     * {@link #deliver} for a record at {@code data} of {@code size} bytes: the handler gets a
     * read-only segment of the record's size that is invalid once the handler returns.
     */
    @SuppressWarnings("restricted")
    public boolean deliver(MemorySegment data, long size, SegmentCall handler) {
        return deliver(() -> {
            try (Arena recordArena = Arena.ofConfined()) {
                handler.accept(data.reinterpret(size, recordArena, null).asReadOnly());
            }
        });
    }

    /** Inside an upcall: whether a handler already failed in the current poll (skip the rest then). */
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
