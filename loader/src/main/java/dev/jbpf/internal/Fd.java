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

    /**
     * What kind of kernel object an fd of this process refers to, as /proc/self/fd names BPF
     * objects: "bpf-map", "bpf-prog", "bpf_link" (6.18: "bpf-link"), "btf"; other files give their link target.
     */
    public static String kind(int fd) {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("anon_inode:") ? target.substring("anon_inode:".length()) : target;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /** {@link #kind} in words for messages: "map", "program", "link", "BTF object", else the raw kind. */
    public static String kindName(int fd) {
        String kind = kind(fd);
        return switch (kind) {
            case "bpf-map" -> "map";
            case "bpf-prog" -> "program";
            case "bpf_link", "bpf-link" -> "link"; // 6.18 says bpf-link
            case "btf" -> "BTF object";
            default -> kind;
        };
    }

    /** Hands the fd to a new owner, which closes it from now on: this Fd will not. */
    public int release() {
        int fd = value();
        closed = true;
        return fd;
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
