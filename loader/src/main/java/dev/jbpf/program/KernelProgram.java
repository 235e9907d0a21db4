package dev.jbpf.program;

import dev.jbpf.internal.Fd;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.Owner;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A program in the kernel, whoever loaded it, held through a file descriptor this handle owns:
 * opened by id or by pin, to inspect or pin it, as {@code bpftool prog show|dump|pin} do. The
 * counterpart of {@code BpfMap.openById/openPinned} and {@code BpfLink.openById/openPinned};
 * a program of your own object is a {@link BpfProgram}.
 *
 * <p>Native memory: none; the fd is this handle's and {@link #close()} closes it (the program
 * stays loaded while a pin, a link or another fd holds it). After close every method throws
 * IllegalStateException; a close from another thread waits for calls in progress.
 */
public final class KernelProgram implements AutoCloseable {
    private final Fd fd;
    private final String description;
    private final Owner state;

    private KernelProgram(Fd fd, String description) {
        this.fd = fd;
        this.description = description;
        this.state = new Owner(description);
    }

    /** The program with this kernel id; none → {@link dev.jbpf.BpfNotFoundException}. */
    public static KernelProgram openById(int id) {
        return new KernelProgram(KernelObjects.openById(KernelObjects.Kind.PROGRAM, id), "program id " + id);
    }

    /**
     * The program pinned at {@code path}; nothing there → {@link dev.jbpf.BpfNotFoundException},
     * a pinned map or link → BpfException (EINVAL). Closing this handle leaves the pin.
     */
    public static KernelProgram openPinned(Path path) {
        return new KernelProgram(KernelObjects.openPinned(KernelObjects.Kind.PROGRAM, path), "pinned program " + path);
    }

    /** What the kernel says about the program now ({@code bpf_prog_get_info_by_fd}). */
    public ProgramInfo info() {
        try (Owner.Use use = state.use()) {
            return ProgramInfo.ofFd(fd.value(), description);
        }
    }

    /** Its instructions as the kernel holds them: translated, JIT-compiled, with line info. */
    public ProgramImage image() {
        try (Owner.Use use = state.use()) {
            return ProgramImage.ofFd(fd.value(), description);
        }
    }

    /** The kernel's id of the program. */
    public int id() {
        return info().id();
    }

    /** The file descriptor, owned by this handle: good only while it is open. */
    public int fd() {
        state.ensureOpen();
        return fd.value();
    }

    /**
     * Pins the program at {@code path} on bpffs ({@code bpf_obj_pin}), creating missing parent
     * directories; the pin keeps it loaded after every process let go of it. Something there
     * already → BpfException (EEXIST). Remove a pin by deleting its file.
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        try (Owner.Use use = state.use()) {
            KernelObjects.pin(fd.value(), path, description);
        }
    }

    /** Closes the fd; the program stays while anything else holds it. Closing twice does nothing. */
    @Override
    public void close() {
        if (state.close()) {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "KernelProgram[" + description + "]";
    }
}
