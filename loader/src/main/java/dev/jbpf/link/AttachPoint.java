package dev.jbpf.link;

import java.util.Optional;

/**
 * Where a program attaches, passed to {@code BpfProgram.attach(AttachPoint)}, which gives the
 * {@link BpfLink} that owns the attachment. The kinds are a closed set of records, one per
 * attach mechanism: tracepoints ({@link Tracepoint}, {@link RawTracepoint}), kernel probes
 * ({@link Kprobe}, {@link KprobeMulti}, {@link Ksyscall}), user probes ({@link Uprobe},
 * {@link UprobeMulti}, {@link Usdt}), trampolines ({@link Tracing}, {@link Lsm}), perf events
 * ({@link PerfEventAttach}) and network and cgroup hooks ({@link Xdp}, {@link Tc},
 * {@link Cgroup}). A new kind is a new record here (see ARCHITECTURE.md).
 *
 * <p>The records are plain values holding no native memory; attaching allocates what the
 * libbpf call needs in an arena that lives only for that call.
 */
public sealed interface AttachPoint
        permits Cgroup, Kprobe, KprobeMulti, Ksyscall, Lsm, PerfEventAttach, RawTracepoint, Tc, Tracepoint,
                Tracing, Uprobe, UprobeMulti, Usdt, Xdp {
    /** How error messages name this point, e.g. "tracepoint syscalls/sys_enter_openat". */
    String describe();

    /**
     * For a program whose section says what kind of hook but not which one, so that libbpf
     * cannot attach it by the section alone ({@code bpf_program__attach} fails with
     * EOPNOTSUPP): what to call instead, e.g. for {@code "xdp"}
     * {@code "an XDP program attaches to a network interface: use attach(new Xdp(\"eth0\"))"}.
     * Empty for other sections.
     */
    static Optional<String> explicitAttachHint(String section) {
        if (section == null) {
            return Optional.empty();
        }
        String kind = section.contains("/") ? section.substring(0, section.indexOf('/')) : section;
        return Optional.ofNullable(switch (kind) {
            case "xdp", "xdp.frags" -> "an XDP program attaches to a network interface:"
                    + " use attach(new Xdp(\"eth0\"))";
            case "tc", "tcx", "classifier" -> "a TC program attaches to a network interface:"
                    + " use attach(new Tc(\"eth0\", Tc.Direction.INGRESS))";
            case "cgroup_skb", "cgroup", "sockops" -> "a cgroup program attaches to a cgroup:"
                    + " use attach(new Cgroup(Path.of(\"/sys/fs/cgroup/NAME\")))";
            default -> null;
        });
    }
}
