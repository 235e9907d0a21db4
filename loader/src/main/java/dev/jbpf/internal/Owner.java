package dev.jbpf.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open/closed state of one native resource owner, and the resources it owns (links an
 * object created). Not API; owns no native memory itself.
 *
 * <p>{@link #ensureOpen()} is what every method calls before touching native memory, so that
 * after {@link #close()} nothing reaches native code. Not meant for closing while other
 * threads still use the owner.
 */
public final class Owner {
    private final String description;
    private final Set<AutoCloseable> owned = new LinkedHashSet<>();
    private volatile String closedBecause;

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
     * Marks the owner closed with the given reason (e.g. "was loaded") and closes what it
     * owns, newest first. Returns false when it was already closed (close twice is harmless).
     */
    public boolean close(String reason) {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closedBecause != null) {
                return false;
            }
            closedBecause = reason;
            toClose = new ArrayList<>(owned);
            owned.clear();
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
