package dev.jbpf.link;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_xdp_attach_opts;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.program.ProgramType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * XDP on a network interface, e.g. {@code new Xdp("eth0")}: an XDP program sees every packet
 * the interface receives, before the kernel's network stack. A value: holds no native memory.
 *
 * <p>By default the attachment is a kernel BPF link ({@code bpf_program__attach_xdp}, or
 * {@code bpf_link_create} with the mode's flag for an explicit {@link Mode}), which can be
 * pinned; the kernel refuses it (EBUSY) when the interface already has an XDP program in that
 * mode. With {@code replace} the program is attached through netlink ({@code bpf_xdp_attach})
 * instead, replacing a program attached there the same way (not one held by a link); that
 * attachment is not a kernel link (no fd, cannot be pinned) and closing the {@link BpfLink}
 * detaches the program only if it is still the one attached.
 *
 * <p>libbpf cannot attach an {@code SEC("xdp")} program by its section alone (the section
 * names no interface): attach it with {@code program.attach(new Xdp("eth0"))}.
 *
 * @param device the interface; a name is resolved to its index when attaching
 * @param mode where the program runs
 * @param replace attach through netlink, replacing a program attached there
 */
public record Xdp(NetInterface device, Mode mode, boolean replace) implements AttachPoint {
    // XDP_FLAGS_* of linux/if_link.h, a header the bindings do not cover
    private static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    private static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    private static final int XDP_FLAGS_HW_MODE = 1 << 3;

    /** Where the XDP program runs. */
    public enum Mode {
        /** The driver's mode when it has one, else generic: what the kernel picks (no flag). */
        DEFAULT(0),
        /** Generic XDP (XDP_FLAGS_SKB_MODE): works on every interface, after the skb is built. */
        SKB(XDP_FLAGS_SKB_MODE),
        /** Native XDP in the driver (XDP_FLAGS_DRV_MODE); fails when the driver has none. */
        DRV(XDP_FLAGS_DRV_MODE),
        /** Offloaded to the NIC (XDP_FLAGS_HW_MODE); needs a program loaded for offload. */
        HW(XDP_FLAGS_HW_MODE);

        private final int flags;

        Mode(int flags) {
            this.flags = flags;
        }

        /** The XDP_FLAGS_* value of this mode (0 for DEFAULT). */
        public int flags() {
            return flags;
        }
    }

    public Xdp {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(mode, "mode");
    }

    /** XDP on the named interface, default mode, as a kernel link. */
    public Xdp(String interfaceName) {
        this(NetInterface.named(interfaceName), Mode.DEFAULT, false);
    }

    /** XDP on the interface with this index, default mode, as a kernel link. */
    public Xdp(int ifindex) {
        this(NetInterface.ofIndex(ifindex), Mode.DEFAULT, false);
    }

    /** XDP on the named interface in {@code mode}, as a kernel link. */
    public Xdp(String interfaceName, Mode mode) {
        this(NetInterface.named(interfaceName), mode, false);
    }

    /** XDP on the interface with this index in {@code mode}, as a kernel link. */
    public Xdp(int ifindex, Mode mode) {
        this(NetInterface.ofIndex(ifindex), mode, false);
    }

    @Override
    public String describe() {
        return "xdp on " + device + (mode == Mode.DEFAULT ? "" : " (" + mode.name().toLowerCase(Locale.ROOT) + " mode)")
                + (replace ? " replacing through netlink" : "");
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        AttachPoints.requireType(program, this, Set.of(ProgramType.XDP), "XDP needs an XDP program (SEC(\"xdp\"))");
        int ifindex = device.index();
        if (replace) {
            return attachThroughNetlink(request, ifindex);
        }
        if (mode == Mode.DEFAULT) {
            return request.libbpfLink(() -> LibBpf.bpf_program__attach_xdp(program, ifindex));
        }
        return request.kernelLinkFd(AttachPoints.linkCreate(program, ifindex, BpfConstants.BPF_XDP, mode.flags,
                request.arena()));
    }

    private BpfLink attachThroughNetlink(AttachRequest request, int ifindex) {
        MemorySegment program = request.program();
        int programFd = LibBpf.bpf_program__fd(program);
        // without XDP_FLAGS_UPDATE_IF_NOEXIST the kernel replaces what netlink attached before
        int attached = LibBpf.bpf_xdp_attach(ifindex, programFd, mode.flags, MemorySegment.NULL);
        if (attached < 0) {
            throw request.failure(attached);
        }
        int programId = attachedProgramId(ifindex, request.arena());
        String what = "XDP program " + AttachPoints.programName(program) + " on " + device;
        return request.detachable("an XDP program attached through netlink (replace)",
                () -> detachThroughNetlink(ifindex, programFd, programId, what));
    }

    /** The id of the program attached in this mode now, 0 when none (or the query failed). */
    private int attachedProgramId(int ifindex, Arena arena) {
        MemorySegment id = arena.allocate(ValueLayout.JAVA_INT);
        return LibBpf.bpf_xdp_query_id(ifindex, mode.flags, id) < 0 ? 0 : id.get(ValueLayout.JAVA_INT, 0);
    }

    /**
     * Detaches our program, and only ours: when another one replaced it we leave that alone
     * (checked first, to spare libbpf's warning; the kernel checks again against old_prog_fd).
     */
    private void detachThroughNetlink(int ifindex, int programFd, int programId, String what) {
        try (Arena arena = Arena.ofConfined()) {
            if (attachedProgramId(ifindex, arena) != programId) {
                return;
            }
            MemorySegment opts = bpf_xdp_attach_opts.allocate(arena);
            bpf_xdp_attach_opts.sz(opts, bpf_xdp_attach_opts.sizeof());
            bpf_xdp_attach_opts.old_prog_fd(opts, programFd);
            int result = LibBpf.bpf_xdp_detach(ifindex, mode.flags, opts);
            // EEXIST: another program replaced ours meanwhile; ENODEV: the interface is gone, our program with it
            if (result < 0 && -result != Errno.EEXIST && -result != Errno.ENODEV) {
                throw LibBpfCall.failure("detach", what, -result);
            }
        }
    }
}
