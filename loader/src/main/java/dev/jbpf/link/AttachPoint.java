package dev.jbpf.link;

import java.util.Optional;

/**
 * Where a program attaches: one implementation per attach kind ({@link Tracepoint},
 * {@link RawTracepoint}, {@link Xdp}, {@link Tc}, {@link Cgroup}), passed to
 * {@code BpfProgram.attach(AttachPoint)}, which gives the {@link BpfLink} that owns the
 * attachment.
 *
 * <p>Implementations are plain values holding no native memory; {@link #attach} allocates
 * what the libbpf call needs in the request's arena, which lives only for that call.
 */
public interface AttachPoint {
    /** How error messages name this point, e.g. "tracepoint syscalls/sys_enter_openat". */
    String describe();

    /**
     * Internal, called by {@code BpfProgram.attach(AttachPoint)}: attaches the loaded program
     * of the request here and returns the {@link BpfLink} that owns the attachment (through
     * {@link AttachRequest#libbpfLink} for libbpf's attach functions). Throws
     * IllegalArgumentException when the program's type cannot attach here, and BpfException
     * when the kernel refuses.
     */
    BpfLink attach(AttachRequest request);

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
