package dev.jbpf.link;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_query_opts;
import dev.jbpf.bindings.bpf_tc_hook;
import dev.jbpf.bindings.bpf_tc_opts;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import dev.jbpf.program.ProgramType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A TC (traffic control) classifier on a network interface, e.g.
 * {@code new Tc("eth0", Direction.INGRESS)}: a {@code SEC("tc")} or {@code SEC("tcx/...")}
 * program sees each packet the interface receives or sends, as an {@code __sk_buff}.
 * A value: holds no native memory.
 *
 * <p>Two mechanisms ({@link Mechanism}): tcx, a kernel BPF link ({@code bpf_link_create} with
 * BPF_TCX_INGRESS/EGRESS, kernels >= 6.6), which can be pinned; and the classic clsact qdisc
 * with a direct-action BPF filter ({@code bpf_tc_hook_create} + {@code bpf_tc_attach}, through
 * netlink), which is not a kernel link: its {@link BpfLink} has no fd and cannot be pinned,
 * and closing it removes the filter ({@code bpf_tc_detach}) if it still holds our program. The
 * clsact qdisc stays on the interface (other filters may use it; it costs nothing alone).
 * {@link Mechanism#AUTO}, the default, takes tcx when the kernel has it, else clsact.
 *
 * <p>The direction comes from this attach point, not the section: a {@code SEC("tc")}
 * program attaches in either direction. libbpf cannot attach TC programs by their section
 * alone (the section names no interface): use {@code program.attach(new Tc("eth0", INGRESS))}.
 *
 * @param device the interface; a name is resolved to its index when attaching
 * @param direction packets received (ingress) or sent (egress)
 * @param mechanism tcx, clsact, or the best the kernel has
 */
public record Tc(NetInterface device, Direction direction, Mechanism mechanism) implements AttachPoint {
    /** Which packets the program sees. */
    public enum Direction {
        /** Packets the interface receives. */
        INGRESS(BpfConstants.BPF_TCX_INGRESS, BpfConstants.BPF_TC_INGRESS),
        /** Packets the interface sends. */
        EGRESS(BpfConstants.BPF_TCX_EGRESS, BpfConstants.BPF_TC_EGRESS);

        private final int tcxAttachType;
        private final int clsactAttachPoint;

        Direction(int tcxAttachType, int clsactAttachPoint) {
            this.tcxAttachType = tcxAttachType;
            this.clsactAttachPoint = clsactAttachPoint;
        }
    }

    /** How the program is attached. */
    public enum Mechanism {
        /** tcx when the kernel has it (>= 6.6), else clsact. */
        AUTO,
        /** A tcx kernel link; fails on kernels without tcx. */
        TCX,
        /** A direct-action filter on the clsact qdisc, through netlink (any kernel with BPF TC). */
        CLSACT
    }

    public Tc {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(mechanism, "mechanism");
    }

    /** TC on the named interface in {@code direction}: tcx when the kernel has it, else clsact. */
    public Tc(String interfaceName, Direction direction) {
        this(NetInterface.named(interfaceName), direction, Mechanism.AUTO);
    }

    /** TC on the interface with this index in {@code direction}: tcx when the kernel has it, else clsact. */
    public Tc(int ifindex, Direction direction) {
        this(NetInterface.ofIndex(ifindex), direction, Mechanism.AUTO);
    }

    /** TC through the classic clsact qdisc, even on kernels with tcx. */
    public static Tc classic(String interfaceName, Direction direction) {
        return new Tc(NetInterface.named(interfaceName), direction, Mechanism.CLSACT);
    }

    /** TC as a tcx link; attaching fails on kernels without tcx. */
    public static Tc tcx(String interfaceName, Direction direction) {
        return new Tc(NetInterface.named(interfaceName), direction, Mechanism.TCX);
    }

    @Override
    public String describe() {
        return "tc " + direction.name().toLowerCase(Locale.ROOT) + " of " + device
                + (mechanism == Mechanism.AUTO ? "" : " (" + mechanism.name().toLowerCase(Locale.ROOT) + ")");
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        AttachPoints.requireType(program, this, Set.of(ProgramType.SCHED_CLS),
                "TC needs a classifier program (SEC(\"tc\") or SEC(\"tcx/ingress\"), SEC(\"tcx/egress\"))");
        int ifindex = device.index();
        boolean tcx = switch (mechanism) {
            case TCX -> true;
            case CLSACT -> false;
            case AUTO -> kernelHasTcx(ifindex, arena);
        };
        if (tcx) {
            return request.kernelLinkFd(AttachPoints.linkCreate(program, ifindex, direction.tcxAttachType, 0, arena));
        }
        return attachClsact(request, ifindex);
    }

    /**
     * Whether this kernel has tcx (so {@link Mechanism#AUTO} attaches through it), probed by
     * querying the tcx programs of the loopback interface of this network namespace. Only a
     * kernel that does not know tcx makes it false: when the probe is refused for another
     * reason (no privileges), it says true and attaching will say what is wrong.
     */
    public static boolean kernelHasTcx() {
        int loopback = LibC.ifNameToIndex("lo");
        try (Arena arena = Arena.ofConfined()) {
            return kernelHasTcx(loopback > 0 ? loopback : 1, arena);
        }
    }

    /**
     * Whether this kernel has tcx: querying the tcx programs of the interface succeeds on
     * kernels that have it; kernels without it do not know the attach type (EINVAL).
     */
    static boolean kernelHasTcx(int ifindex, Arena arena) {
        MemorySegment opts = bpf_prog_query_opts.allocate(arena);
        bpf_prog_query_opts.sz(opts, bpf_prog_query_opts.sizeof());
        int result = LibBpf.bpf_prog_query_opts(ifindex, BpfConstants.BPF_TCX_INGRESS, opts);
        return result >= 0 || -result != Errno.EINVAL;
    }

    private BpfLink attachClsact(AttachRequest request, int ifindex) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        MemorySegment hook = hook(ifindex, direction.clsactAttachPoint, arena);
        MemorySegment opts = bpf_tc_opts.allocate(arena);
        bpf_tc_opts.sz(opts, bpf_tc_opts.sizeof());
        bpf_tc_opts.prog_fd(opts, LibBpf.bpf_program__fd(program));
        // attach first, and create the clsact qdisc only when it is missing (the kernel says
        // EINVAL): creating it when it exists would fail with EEXIST and a libbpf warning
        int attached = LibBpf.bpf_tc_attach(hook, opts);
        if (attached < 0 && -attached == Errno.EINVAL) {
            int created = LibBpf.bpf_tc_hook_create(hook);
            if (created < 0 && -created != Errno.EEXIST) {
                throw request.failure(created);
            }
            attached = LibBpf.bpf_tc_attach(hook, opts);
        }
        if (attached < 0) {
            throw request.failure(attached);
        }
        // the kernel chose handle and priority; libbpf wrote them, and our program's id, back
        Filter filter = new Filter(ifindex, direction.clsactAttachPoint, bpf_tc_opts.handle(opts), bpf_tc_opts.priority(opts),
                bpf_tc_opts.prog_id(opts), "TC filter of " + AttachPoints.programName(program) + " on " + describe());
        return request.detachable("a clsact TC filter (attached through netlink; tcx, on kernels >= 6.6,"
                + " gives a pinnable link)", filter::detach);
    }

    private static MemorySegment hook(int ifindex, int attachPoint, Arena arena) {
        MemorySegment hook = bpf_tc_hook.allocate(arena);
        bpf_tc_hook.sz(hook, bpf_tc_hook.sizeof());
        bpf_tc_hook.ifindex(hook, ifindex);
        bpf_tc_hook.attach_point(hook, attachPoint);
        return hook;
    }

    /** A clsact filter this process attached, identified as the kernel knows it. */
    private record Filter(int ifindex, int attachPoint, int handle, int priority, int programId, String what) {
        /** Removes the filter when it still holds our program; gone already is fine. */
        void detach() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment hook = hook(ifindex, attachPoint, arena);
                MemorySegment query = filterOpts(arena);
                int queried = LibBpf.bpf_tc_query(hook, query);
                if (queried < 0) {
                    if (-queried == Errno.ENOENT || -queried == Errno.ENODEV || -queried == Errno.EINVAL) {
                        return; // the filter, or the interface, is gone
                    }
                    throw LibBpfCall.failure("find", what, -queried);
                }
                if (bpf_tc_opts.prog_id(query) != programId) {
                    return; // someone replaced our filter: theirs is not ours to remove
                }
                int detached = LibBpf.bpf_tc_detach(hook, filterOpts(arena));
                if (detached < 0 && -detached != Errno.ENOENT && -detached != Errno.ENODEV) {
                    throw LibBpfCall.failure("detach", what, -detached);
                }
            }
        }

        private MemorySegment filterOpts(Arena arena) {
            MemorySegment opts = bpf_tc_opts.allocate(arena);
            bpf_tc_opts.sz(opts, bpf_tc_opts.sizeof());
            bpf_tc_opts.handle(opts, handle);
            bpf_tc_opts.priority(opts, priority);
            return opts;
        }
    }
}
