package dev.jbpf.features;

/**
 * A kernel facility a BPF user may need beyond a program or map type; {@link KernelFeatures#facility}
 * says whether the running kernel has it, and how it decided. The kinds of attachment (but
 * kprobes, decided by the files libbpf attaches them through) are probed by attaching a
 * two-instruction program where they attach, or by asking for the one link whose errno tells.
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
    /**
     * kretprobes: a kprobe program attached to a kretprobe of a kernel function, made through the
     * perf kprobe PMU with its retprobe bit, as libbpf makes them.
     */
    KRETPROBES,
    /** kprobe_multi links ({@code BPF_TRACE_KPROBE_MULTI}, fprobe): a kprobe program attached to a kernel function by one. */
    KPROBE_MULTI,
    /** fentry/fexit: a tracing program loaded for a kernel function named by BTF, and attached. */
    FENTRY,
    /**
     * fmod_ret ({@code BPF_MODIFY_RETURN}): trampolines that replace the return value of a kernel
     * function on the error-injection list or the fmod_ret set. Probed on
     * {@code bpf_modify_return_test}, which the kernel keeps for this (net/bpf/test_run.c), with
     * a program that returns 0 (nothing changes).
     */
    FMOD_RET,
    /**
     * BPF LSM programs: an LSM program attached to the {@code file_open} hook, and "bpf" among the
     * active LSMs where securityfs says (otherwise LSM programs attach but never run).
     */
    LSM,
    /**
     * uprobes (and USDT probes, which are uprobes): a kprobe program attached to a uprobe made
     * through the perf uprobe PMU, on a scratch file nothing maps.
     */
    UPROBES,
    /** Ring buffer maps ({@code BPF_MAP_TYPE_RINGBUF}). */
    RING_BUFFER,
    /**
     * cgroup local storage maps ({@code BPF_MAP_TYPE_CGRP_STORAGE}, Linux 6.2): values a program
     * keeps per cgroup ({@code bpf_cgrp_storage_get}), written from user space through a cgroup
     * directory's fd.
     */
    CGRP_STORAGE,
    /** The {@code bpf_loop} helper (probed in a socket filter program, where every program type's base helpers are). */
    BPF_LOOP,
    /** uprobe_multi links ({@code BPF_TRACE_UPROBE_MULTI}), with the PID filtering libbpf requires before it uses them. */
    UPROBE_MULTI,
    /**
     * tcx links ({@code BPF_TCX_INGRESS}/{@code EGRESS}, Linux 6.6): a tcx link asked for on
     * interface index 0, which a kernel with tcx refuses with ENODEV (it looked for the interface).
     */
    TCX,
    /**
     * Hardware perf events (a CPU PMU: cycles, instructions), as perf_event programs and counter
     * readers use them: a hardware instructions counter of the calling thread opened.
     */
    HARDWARE_PERF_EVENTS,
    /**
     * BPF links for perf-event attachments ({@code BPF_LINK_TYPE_PERF_EVENT}, Linux 5.15): kprobes,
     * uprobes, tracepoints and perf events attached as links (pinnable, listed, with info) rather
     * than with the PERF_EVENT_IOC_SET_BPF ioctl, which libbpf falls back to on older kernels.
     * Probed as libbpf does: a link to perf event fd -1 answers EBADF where they exist.
     */
    PERF_EVENT_LINKS,
    /**
     * BPF cookies of kprobes, uprobes, tracepoints and perf events: the helper
     * {@code bpf_get_attach_cookie} (Linux 5.15) in a kprobe program. libbpf's USDT support
     * needs them too when two attachments share a probe's address.
     */
    ATTACH_COOKIES,
    /**
     * BPF memory charged to the memory cgroup instead of RLIMIT_MEMLOCK (Linux 5.11). Probed as
     * libbpf decides whether to raise RLIMIT_MEMLOCK: by the helper {@code bpf_ktime_get_coarse_ns},
     * which came in the same release, in a socket filter program.
     */
    MEMCG_ACCOUNTING,
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
