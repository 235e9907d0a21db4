package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A kernel BPF link that exists already, opened by id or by pin to inspect it, pin it elsewhere
 * or detach it, as {@code bpftool link show|pin|detach} do. (A link this process makes by
 * attaching a program is a {@link BpfLink}.)
 *
 * <p>Owns one fd of the link, closed by {@link #close()}. That fd is one more holder of the
 * link: closing it leaves the link attached while anything else holds it (a pin, the process
 * that attached it); a link whose holders are all gone is released and its program detached.
 * Not thread-safe.
 */
public final class KernelLink implements AutoCloseable {
    private final Fd fd;
    private final String description;

    private KernelLink(Fd fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    /** Opens the link with this kernel id ({@code bpf_link_get_fd_by_id}); none → {@link dev.jbpf.BpfNotFoundException}. */
    public static KernelLink openById(int id) {
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        int fd = LibBpf.bpf_link_get_fd_by_id(id);
        if (fd == -Errno.ENOENT) {
            throw BpfException.of("open link", "id " + id, Errno.ENOENT, "no link has this id (link list shows those that do)");
        }
        if (fd < 0) {
            throw LibBpfCall.failure("open link", "id " + id, -fd);
        }
        return new KernelLink(Fd.adopt(fd), "link id " + id);
    }

    /**
     * Opens the link pinned at path ({@code bpf_obj_get}). Nothing there → {@link
     * dev.jbpf.BpfNotFoundException}; a pinned program or map → BpfException (EINVAL).
     */
    public static KernelLink openPinned(Path path) {
        Objects.requireNonNull(path, "path");
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        int raw;
        try (Arena arena = Arena.ofConfined()) {
            raw = LibBpf.bpf_obj_get(arena.allocateFrom(path.toAbsolutePath().toString()));
        }
        if (raw < 0) {
            throw BpfFs.notAPin("open pinned link", path, -raw);
        }
        Fd fd = Fd.adopt(raw);
        String kind = Fd.kindName(fd.value());
        if (!kind.equals("link")) {
            fd.close();
            throw new BpfException("open pinned link", path.toString(), Errno.EINVAL,
                    "what is pinned there is a " + kind + ", not a link");
        }
        return new KernelLink(fd, "pinned link " + path);
    }

    /** The link's fd, owned by this object (valid until {@link #close()}). */
    public int fd() {
        return fd.value();
    }

    /** What the kernel says about the link now ({@code bpf_link_get_info_by_fd}). */
    public LinkInfo info() {
        return LinkInfo.ofFd(fd.value(), description);
    }

    /** The link's kernel id. */
    public int id() {
        return info().id();
    }

    /**
     * Pins the link at {@code path} on bpffs ({@code bpf_obj_pin}), creating missing parent
     * directories: the pin keeps the link, and its program attached, after every process let go
     * of it. Something pinned there already → BpfException (EEXIST).
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        Path absolute = path.toAbsolutePath();
        BpfFs.preparePin(absolute);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(absolute.toString());
            int result = LibBpf.bpf_obj_pin(fd.value(), cPath); // never prints: no LibBpfLog callback
            if (result < 0) {
                throw LibBpfCall.failure("pin " + description, "at " + absolute, -result);
            }
        }
    }

    /**
     * Detaches the link's program from its hook now ({@code bpf_link_detach}), whoever holds
     * the link: its pins and fds stay, but lead to a link that no longer runs anything. The
     * kernel does this for cgroup, netns, XDP, tcx, netkit, netfilter, sockmap and struct_ops
     * links; for the others (tracepoints, raw tracepoints, kprobes, uprobes, tracing) it refuses
     * with EOPNOTSUPP, and such a link detaches when its last holder lets go.
     */
    public void detach() {
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        int result = LibBpf.bpf_link_detach(fd.value());
        if (result == -Errno.EOPNOTSUPP) {
            LinkInfo info = info();
            throw new BpfException("detach", description, Errno.EOPNOTSUPP, "the kernel cannot detach a "
                    + info.type().displayName() + " link on request; it detaches when its last holder lets go"
                    + " (remove its pins, stop the process that attached it)");
        }
        if (result < 0) {
            throw LibBpfCall.failure("detach", description, -result);
        }
    }

    /** Closes this object's fd of the link (see the class comment for what that leaves). */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "KernelLink[" + description + "]";
    }
}
