package dev.jbpf.features;

/**
 * A kernel facility a BPF user may need beyond a program or map type; {@link KernelFeatures#facility}
 * says whether the running kernel has it, and how it decided.
 */
public enum Facility {
    /** The bpf(2) system call: bpftool's {@code have_bpf_syscall} (ENOSYS says it is missing). */
    BPF_SYSCALL,
    /** The kernel's own BTF at {@code /sys/kernel/btf/vmlinux} (CO-RE, fentry, BTF-typed output). */
    VMLINUX_BTF,
    /**
     * kprobes that BPF can attach to: kprobe events, through the perf {@code kprobe} PMU or
     * tracefs {@code kprobe_events} (what libbpf uses), or the kprobes of {@code /sys/kernel/debug/kprobes}.
     */
    KPROBES,
    /** fentry/fexit: a tracing program loaded for a kernel function named by BTF, and attached. */
    FENTRY,
    /** Ring buffer maps ({@code BPF_MAP_TYPE_RINGBUF}). */
    RING_BUFFER,
    /** The {@code bpf_loop} helper (probed in a socket filter program, where every program type's base helpers are). */
    BPF_LOOP,
    /** uprobe_multi links ({@code BPF_TRACE_UPROBE_MULTI}), with the PID filtering libbpf requires before it uses them. */
    UPROBE_MULTI,
    /** BPF tokens: the kernel knows the {@code BPF_TOKEN_CREATE} command (6.9 and later). */
    BPF_TOKEN,
    /** Programs of up to a million instructions instead of 4096: bpftool's {@code have_large_insn_limit}. */
    LARGE_INSN_LIMIT,
    /** Bounded loops (backward jumps) the verifier accepts: bpftool's {@code have_bounded_loops}. */
    BOUNDED_LOOPS,
    /** The v2 instruction set ({@code BPF_JLT}, {@code BPF_JLE}...): bpftool's {@code have_v2_isa_extension}. */
    V2_ISA_EXTENSION,
    /** The v3 instruction set ({@code BPF_JMP32}): bpftool's {@code have_v3_isa_extension}. */
    V3_ISA_EXTENSION
}
