package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_link_info;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import dev.jbpf.internal.Owner;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One attachment of a program to a hook (tracepoint, raw tracepoint, XDP, TC, cgroup, ...):
 * the same type for every kind of attachment.
 *
 * <p>Native memory: owns what keeps the program attached until {@link #close()}, one of
 * <ul>
 * <li>a libbpf {@code struct bpf_link} (and through it the kernel link's fd): {@code close()}
 *     calls {@code bpf_link__destroy};</li>
 * <li>the fd of a kernel BPF link made with {@code bpf_link_create} (XDP in an explicit mode,
 *     tcx, cgroup with an explicit attach type): {@code close()} closes the fd;</li>
 * <li>an attachment that is not a kernel link (a clsact TC filter, an XDP program attached
 *     through netlink): {@code close()} detaches it through netlink. Such a link has no fd and
 *     cannot be pinned ({@link #isKernelLink()} is false); neither has libbpf's link of a USDT
 *     probe (its uprobes are inside it), which {@code bpf_link__destroy} detaches.</li>
 * </ul>
 * Closing detaches the program, unless the link is pinned — a pinned link stays attached
 * until its pin is removed ({@link #unpin()}, or deleting the file). A link made by
 * {@code BpfProgram.attach*} is also registered with its {@code LoadedObject}, which closes it
 * when the object closes unless it was closed first. Not thread-safe for closing while another
 * thread uses it.
 */
public final class BpfLink implements AutoCloseable {
    /** What a USDT link is, in messages. */
    private static final String USDT = "libbpf's USDT attachment (a uprobe at each call site of the probe)";
    private static final String PERF_EVENT_IOCTL = "an attachment to a perf event through the PERF_EVENT_IOC_SET_BPF ioctl,"
            + " as libbpf attaches kprobes, uprobes, tracepoints and perf events where the kernel lacks perf event links"
            + " (Linux 5.15 and later)";

    private final Attachment attachment;
    private final String description;
    private final Owner state;
    /** The object that closes this link with itself, or null. */
    private final Owner parent;

    private BpfLink(Attachment attachment, String description, Owner parent) {
        this.attachment = attachment;
        this.description = description;
        this.state = new Owner(description);
        this.parent = parent;
    }

    static {
        Access.register(new Access.Links() {
            @Override
            public BpfLink adopt(MemorySegment link, String description, Owner parent, boolean usdt) {
                return usdt ? BpfLink.adoptUsdt(link, description, parent) : BpfLink.adopt(link, description, parent);
            }

            @Override
            public BpfLink attach(AttachPoint point, MemorySegment program, String description, Owner owner) {
                try (Arena arena = Arena.ofConfined()) {
                    return new AttachRequest(program, arena, description, owner).attachAt(point);
                }
            }
        });
    }

    /**
     * Wraps a {@code struct bpf_link *} libbpf returned; the new link owns it and, when
     * {@code parent} is not null, registers with it to be closed with it.
     */
    static BpfLink adopt(MemorySegment link, String description, Owner parent) {
        Objects.requireNonNull(link, "link");
        if (link.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL link");
        }
        return owned(new LibBpfLink(link, withoutKernelLink(link)), description, parent);
    }

    /** Bytes of {@code struct bpf_link_info} asked for where only success or EINVAL matters. */
    private static final int LINK_INFO_HEAD = 16;

    /**
     * Null when libbpf's link holds a kernel BPF link; {@link #PERF_EVENT_IOCTL} when what it
     * holds is a perf event fd with the program set on it (libbpf's path on kernels before 5.15):
     * the kernel answers EINVAL to link info of such an fd.
     */
    private static String withoutKernelLink(MemorySegment link) {
        int fd = LibBpf.bpf_link__fd(link);
        if (fd < 0) {
            return null; // fd() reports libbpf's answer
        }
        // the head of bpf_link_info (type, id) is enough to tell; the kernel fills what fits
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(LINK_INFO_HEAD, 8);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, LINK_INFO_HEAD);
            return LibBpf.bpf_link_get_info_by_fd(fd, info, length) == -Errno.EINVAL ? PERF_EVENT_IOCTL : null;
        }
    }

    /**
     * Wraps libbpf's link of a USDT probe ({@code bpf_program__attach_usdt}): libbpf keeps a
     * uprobe (or one uprobe_multi link) per call site of the probe inside it, and the link itself
     * has no fd ({@code bpf_link__fd} would answer 0, not an fd of a link), so it is no kernel
     * link: no fd, no id, cannot be pinned.
     */
    static BpfLink adoptUsdt(MemorySegment link, String description, Owner parent) {
        Objects.requireNonNull(link, "link");
        if (link.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("NULL link");
        }
        return owned(new LibBpfLink(link, USDT), description, parent);
    }

    /** The fd of a kernel link made with {@code bpf_link_create}: the new link owns and closes it. */
    static BpfLink ofKernelLinkFd(int linkFd, String description, Owner parent) {
        return owned(new KernelLinkFd(linkFd), description, parent);
    }

    /**
     * An attachment that is not a kernel link ({@code kind} says what it is, for messages, e.g.
     * "a clsact TC filter"); {@code detach} removes it, once, when the link closes.
     */
    static BpfLink ofDetach(String kind, Runnable detach, String description, Owner parent) {
        return owned(new NetlinkAttachment(kind, detach), description, parent);
    }

    private static BpfLink owned(Attachment attachment, String description, Owner parent) {
        BpfLink adopted = new BpfLink(attachment, description, parent);
        if (parent != null) {
            try {
                parent.own(adopted);
            } catch (IllegalStateException closed) {
                attachment.close();
                throw closed;
            }
        }
        return adopted;
    }

    /**
     * Opens the link pinned at {@code path} ({@code bpf_obj_get}). The returned link owns a new
     * fd of it; closing it leaves the pin, and so the attachment, in place ({@link #unpin()}
     * removes the pin). Nothing there → {@link dev.jbpf.BpfNotFoundException}; a pinned program
     * or map → BpfException (EINVAL).
     */
    public static BpfLink openPinned(Path path) {
        KernelLinkFd attachment = new KernelLinkFd(KernelObjects.openPinned(KernelObjects.Kind.LINK, path).release());
        attachment.pinned = path.toAbsolutePath();
        return new BpfLink(attachment, "pinned link " + path, null);
    }

    /**
     * Opens the kernel link with this id ({@code bpf_link_get_fd_by_id}), to inspect, pin or
     * detach a link some process made, as {@code bpftool link show|pin|detach} do. The returned
     * link owns one more fd of it: closing it leaves the link attached while anything else holds
     * it (a pin, the process that attached it). None → {@link dev.jbpf.BpfNotFoundException}.
     */
    public static BpfLink openById(int id) {
        return new BpfLink(new KernelLinkFd(KernelObjects.openById(KernelObjects.Kind.LINK, id).release()),
                "link id " + id, null);
    }

    /** What the kernel says about the link now ({@code bpf_link_get_info_by_fd}); see {@link #fd()}. */
    public LinkInfo info() {
        return LinkInfo.ofFd(fd(), description);
    }

    /**
     * Detaches the program from its hook now ({@code bpf_link_detach}), whoever holds the link:
     * its pins and fds stay, but lead to a link that no longer runs anything. The kernel does this
     * for cgroup, netns, XDP, tcx, netkit, netfilter, sockmap and struct_ops links; for the others
     * (tracepoints, raw tracepoints, kprobes, uprobes, tracing) it refuses (EOPNOTSUPP), and such a
     * link detaches when its last holder lets go. See {@link #fd()} for links that are not kernel links.
     */
    public void detach() {
        int fd = fd();
        // a thin syscall wrapper that never prints: no LibBpfLog callback
        int result = LibBpf.bpf_link_detach(fd);
        if (result == -Errno.EOPNOTSUPP) {
            throw new BpfException("detach", description, Errno.EOPNOTSUPP, "the kernel cannot detach a "
                    + info().type().displayName() + " link on request; it detaches when its last holder lets go"
                    + " (remove its pins, stop the process that attached it)");
        }
        if (result < 0) {
            throw LibBpfCall.failure("detach", description, -result);
        }
    }

    /**
     * Whether this is a kernel BPF link, with an fd and an id, that can be pinned; false for an
     * attachment made through netlink (a clsact TC filter, XDP attached with replace), for
     * libbpf's USDT links (a set of uprobes libbpf keeps, {@link Usdt}) and, on kernels without
     * perf event links (before 5.15), for kprobes, uprobes, tracepoints and perf events, which
     * libbpf then attaches with an ioctl on the perf event.
     */
    public boolean isKernelLink() {
        state.ensureOpen();
        return !(attachment instanceof NetlinkAttachment)
                && !(attachment instanceof LibBpfLink libbpf && libbpf.withoutFd() != null);
    }

    /**
     * The link's file descriptor, owned by this link. UnsupportedOperationException when it is
     * not a kernel link ({@link #isKernelLink()}).
     */
    public int fd() {
        state.ensureOpen();
        return attachment.fd(description);
    }

    /** The kernel's id of the link ({@code bpf_link_get_info_by_fd}); see {@link #fd()}. */
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
     * Pins the link at {@code path} on bpffs ({@code bpf_link__pin}, or {@code bpf_obj_pin} for
     * a link made with {@code bpf_link_create}), creating missing parent directories (and
     * mounting bpffs at /sys/fs/bpf when it is not mounted and we are root). A pinned link
     * survives {@link #close()} and this process. UnsupportedOperationException when it is not
     * a kernel link ({@link #isKernelLink()}): only kernel links can be pinned.
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        state.ensureOpen();
        attachment.fd(description); // refuses, before touching bpffs, what cannot be pinned
        BpfFs.preparePin(path);
        attachment.pin(path, description);
    }

    /** Where this link is pinned, if it is (pinned by {@link #pin} or opened by {@link #openPinned}). */
    public Optional<Path> pinPath() {
        state.ensureOpen();
        return attachment.pinPath();
    }

    /**
     * Removes the pin; the link then lives as long as this object. Throws
     * IllegalStateException when the link is not pinned.
     */
    public void unpin() {
        if (pinPath().isEmpty()) {
            throw new IllegalStateException(description + " is not pinned");
        }
        attachment.unpin(description);
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return state.isOpen();
    }

    /**
     * Detaches the program unless the link is pinned, and frees what this link owns. Closing
     * twice does nothing.
     */
    @Override
    public void close() {
        if (!state.close()) {
            return;
        }
        if (parent != null) {
            parent.release(this);
        }
        attachment.close();
    }

    @Override
    public String toString() {
        return description;
    }

    /** What keeps the program attached; one implementation per mechanism. */
    private sealed interface Attachment permits LibBpfLink, KernelLinkFd, NetlinkAttachment {
        int fd(String description);

        /** Pins at {@code path}, on bpffs whose parent directory exists. */
        void pin(Path path, String description);

        Optional<Path> pinPath();

        void unpin(String description);

        /** Detaches (unless pinned) and frees; called once. */
        void close();
    }

    /**
     * A libbpf {@code struct bpf_link}; {@code withoutFd} says what it is when it has no fd of a
     * kernel link (a USDT link), null when it has one.
     */
    private record LibBpfLink(MemorySegment link, String withoutFd) implements Attachment {
        @Override
        public int fd(String description) {
            if (withoutFd != null) {
                throw new UnsupportedOperationException(description + " is " + withoutFd
                        + ", not a kernel BPF link: it has no fd or id and cannot be pinned");
            }
            return LibBpfCall.check("get fd of", description, () -> LibBpf.bpf_link__fd(link));
        }

        @Override
        public void pin(Path path, String description) {
            fd(description); // refuses a link without fd before libbpf pins fd 0
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cPath = arena.allocateFrom(path.toString());
                LibBpfCall.check("pin", description + " at " + path, () -> LibBpf.bpf_link__pin(link, cPath));
            }
        }

        @Override
        public Optional<Path> pinPath() {
            return Optional.ofNullable(LibBpfCall.string(LibBpf.bpf_link__pin_path(link))).map(Path::of);
        }

        @Override
        public void unpin(String description) {
            LibBpfCall.check("unpin", description, () -> LibBpf.bpf_link__unpin(link));
        }

        @Override
        public void close() {
            // bpf_link__destroy frees the link whatever it returns; a failed detach has no remedy here.
            LibBpf.bpf_link__destroy(link);
        }
    }

    /**
     * The fd of a kernel link made with {@code bpf_link_create}: the kernel detaches when its
     * last fd closes and no pin holds it.
     */
    private static final class KernelLinkFd implements Attachment {
        private final int fd;
        private Path pinned;

        KernelLinkFd(int fd) {
            this.fd = fd;
        }

        @Override
        public int fd(String description) {
            return fd;
        }

        @Override
        public void pin(Path path, String description) {
            // a link may have several pins (bpftool link pin does this); pinPath and unpin are the last one's
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cPath = arena.allocateFrom(path.toString());
                LibBpfCall.check("pin", description + " at " + path, () -> LibBpf.bpf_obj_pin(fd, cPath));
            }
            pinned = path;
        }

        @Override
        public Optional<Path> pinPath() {
            return Optional.ofNullable(pinned);
        }

        @Override
        public void unpin(String description) {
            try {
                Files.delete(pinned);
            } catch (IOException e) {
                throw new BpfException("unpin", description + " at " + pinned, e.toString(), e);
            }
            pinned = null;
        }

        @Override
        public void close() {
            LibC.close(fd); // a failed close(2) has no remedy: the fd is gone either way
        }
    }

    /** An attachment through netlink (not a kernel link), removed by its detach action. */
    private record NetlinkAttachment(String kind, Runnable detach) implements Attachment {
        @Override
        public int fd(String description) {
            throw new UnsupportedOperationException(description + " is " + kind
                    + ", not a kernel BPF link: it has no fd or id and cannot be pinned");
        }

        @Override
        public void pin(Path path, String description) {
            fd(description);
        }

        @Override
        public Optional<Path> pinPath() {
            return Optional.empty();
        }

        @Override
        public void unpin(String description) {
            throw new IllegalStateException(description + " is not pinned");
        }

        @Override
        public void close() {
            detach.run();
        }
    }
}
