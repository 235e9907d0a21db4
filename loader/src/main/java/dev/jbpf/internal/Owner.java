package dev.jbpf.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open/closed state of one native resource owner, and the resources it owns (links an
 * object created). Not API; owns no native memory itself.
 *
 * <p>{@link #ensureOpen()} is what every method calls before touching native memory, so that
 * after {@link #close()} nothing reaches native code. Methods that use native memory or fds
 * the owner frees do so inside {@link #use()}: {@link #close} waits for the uses in flight in
 * other threads to end, and uses that begin after it throw IllegalStateException, so a
 * close from another thread never frees what a call is still using.
 */
public final class Owner {
    private final String description;
    private final Set<AutoCloseable> owned = new LinkedHashSet<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Use use = () -> lock.readLock().unlock();
    private volatile String closedBecause;

    /** A use of the owner's native resources in progress; {@link #close()} ends it. */
    @FunctionalInterface
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /** @param description how messages name the owner, e.g. "object 'opensnoop'" */
    public Owner(String description) {
        this.description = description;
    }

    /** Throws IllegalStateException once the owner is closed. */
    public void ensureOpen() {
        String reason = closedBecause;
        if (reason != null) {
            throw new IllegalStateException(description + " " + reason);
        }
    }

    /**
     * Begins a use of the owner's native resources, for try-with-resources: throws
     * IllegalStateException when the owner is closed, else holds off {@link #close(String)}
     * (in other threads) until the returned Use is closed. Uses may nest and run concurrently.
     */
    public Use use() {
        lock.readLock().lock();
        try {
            ensureOpen();
        } catch (RuntimeException e) {
            lock.readLock().unlock();
            throw e;
        }
        return use;
    }

    public boolean isOpen() {
        return closedBecause == null;
    }

    /** Registers a resource to close with the owner; returns it. */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        ensureOpen();
        owned.add(resource);
        return resource;
    }

    /** Forgets a resource closed on its own before the owner. */
    public synchronized void release(AutoCloseable resource) {
        owned.remove(resource);
    }

    /**
     * Marks the owner closed with the given reason (e.g. "was loaded") once no other thread is
     * inside {@link #use()}, and closes what it owns, newest first. Returns false when it was
     * already closed (close twice is harmless). Throws IllegalStateException, leaving it open,
     * when this thread is inside a use of it (waiting would never end).
     */
    public boolean close(String reason) {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close " + description + " while this thread is using it"
                    + " (from a callback of one of its operations?)");
        }
        List<AutoCloseable> toClose;
        lock.writeLock().lock(); // waits for the uses in flight in other threads
        try {
            synchronized (this) {
                if (closedBecause != null) {
                    return false;
                }
                closedBecause = reason;
                toClose = new ArrayList<>(owned);
                owned.clear();
            }
        } finally {
            lock.writeLock().unlock(); // later uses see closedBecause and throw
        }
        RuntimeException failure = null;
        for (AutoCloseable resource : toClose.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return true;
    }

    /** {@link #close(String)} with the reason "is closed". */
    public boolean close() {
        return close("is closed");
    }

    @Override
    public String toString() {
        return description;
    }
}
