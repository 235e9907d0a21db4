package dev.jbpf.internal;

/**
 * A file descriptor this process opened and must close, for try-with-resources around raw
 * fds (e.g. {@code bpf_prog_get_fd_by_id}). Not API. Owns the fd; {@link #close()} closes it
 * once.
 */
public final class Fd implements AutoCloseable {
    private final int value;
    private boolean closed;

    private Fd(int value) {
        this.value = value;
    }

    /** Takes ownership of an open fd (must be >= 0). */
    public static Fd adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return new Fd(fd);
    }

    public int value() {
        if (closed) {
            throw new IllegalStateException("fd " + value + " is closed");
        }
        return value;
    }

    /** Closes a raw fd this process owns; returns 0 or the positive errno of close(2). */
    public static int close(int fd) {
        return LibC.close(fd);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(value); // nothing useful to do when close(2) fails: the fd is gone either way
        }
    }
}
