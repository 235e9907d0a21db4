package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_link_info;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One attachment of a program to a hook (tracepoint, raw tracepoint, ...): the same type for
 * every kind of attachment.
 *
 * <p>Native memory: owns one libbpf {@code struct bpf_link} (and through it the kernel link's
 * fd) until {@link #close()}, which calls {@code bpf_link__destroy}: that detaches the program,
 * unless the link is pinned — a pinned link stays attached until its pin is removed
 * ({@link #unpin()}, or deleting the file). A link made by {@code BpfProgram.attach*} is also
 * registered with its {@code LoadedObject}, which closes it when the object closes unless it
 * was closed first. Not thread-safe for closing while another thread uses it.
 */
public final class BpfLink implements AutoCloseable {
    private final MemorySegment link;
    private final String description;
    private final Owner state;
    /** The object that closes this link with itself, or null. */
    private final Owner parent;

    private BpfLink(MemorySegment link, String description, Owner parent) {
        this.link = link;
        this.description = description;
        this.state = new Owner(description);
        this.parent = parent;
    }

    /**
     * Internal, not API: wraps a {@code struct bpf_link *} a libbpf attach call returned; the
     * new link owns it and, when {@code parent} is not null, registers with it to be closed
     * with it.
     */
    public static BpfLink adopt(MemorySegment link, String description, Owner parent) {
        Objects.requireNonNull(link, "link");
        if (link.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL link");
        }
        BpfLink adopted = new BpfLink(link, description, parent);
        if (parent != null) {
            parent.own(adopted);
        }
        return adopted;
    }

    /**
     * Opens a link pinned at {@code path} ({@code bpf_link__open}). The returned link owns a new
     * fd of it; closing it leaves the pin, and so the attachment, in place.
     */
    public static BpfLink openPinned(Path path) {
        Objects.requireNonNull(path, "path");
        String target = path.toString();
        MemorySegment link;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(target);
            link = LibBpfCall.checkNonNull("open pinned link", target, () -> LibBpf.bpf_link__open(cPath));
        }
        return new BpfLink(link, "pinned link " + target, null);
    }

    /** The link's file descriptor, owned by this link. */
    public int fd() {
        state.ensureOpen();
        return LibBpfCall.check("get fd of", description, () -> LibBpf.bpf_link__fd(link));
    }

    /** The kernel's id of the link ({@code bpf_link_get_info_by_fd}). */
    public int id() {
        int fd = fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = bpf_link_info.allocate(arena);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_link_info.sizeof());
            LibBpfCall.check("get info of", description, () -> LibBpf.bpf_link_get_info_by_fd(fd, info, length));
            return bpf_link_info.id(info);
        }
    }

    /**
     * Pins the link at {@code path} on bpffs ({@code bpf_link__pin}), creating missing parent
     * directories (and mounting bpffs at /sys/fs/bpf when it is not mounted and we are root).
     * A pinned link survives {@link #close()} and this process.
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        state.ensureOpen();
        BpfFs.preparePin(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            LibBpfCall.check("pin", description + " at " + path, () -> LibBpf.bpf_link__pin(link, cPath));
        }
    }

    /** Where this link is pinned, if it is (pinned by {@link #pin} or opened by {@link #openPinned}). */
    public Optional<Path> pinPath() {
        state.ensureOpen();
        return Optional.ofNullable(LibBpfCall.string(LibBpf.bpf_link__pin_path(link))).map(Path::of);
    }

    /**
     * Removes the pin ({@code bpf_link__unpin}); the link then lives as long as this object.
     * Throws IllegalStateException when the link is not pinned.
     */
    public void unpin() {
        if (pinPath().isEmpty()) {
            throw new IllegalStateException(description + " is not pinned");
        }
        LibBpfCall.check("unpin", description, () -> LibBpf.bpf_link__unpin(link));
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return state.isOpen();
    }

    /**
     * Destroys the libbpf link: detaches the program unless the link is pinned. Closing twice
     * does nothing.
     */
    @Override
    public void close() {
        if (!state.close()) {
            return;
        }
        if (parent != null) {
            parent.release(this);
        }
        // bpf_link__destroy frees the link whatever it returns; a failed detach has no remedy here.
        LibBpf.bpf_link__destroy(link);
    }

    @Override
    public String toString() {
        return description;
    }
}
