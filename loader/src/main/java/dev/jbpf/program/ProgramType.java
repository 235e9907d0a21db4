package dev.jbpf.program;

import dev.jbpf.bindings.BpfConstants;
import java.util.Locale;

/**
 * A BPF program type ({@code enum bpf_prog_type}), with {@link #UNKNOWN} for types newer than
 * this jbpf. Pure Java: owns no native memory.
 */
public enum ProgramType {
    UNSPEC(BpfConstants.BPF_PROG_TYPE_UNSPEC),
    SOCKET_FILTER(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER),
    KPROBE(BpfConstants.BPF_PROG_TYPE_KPROBE),
    SCHED_CLS(BpfConstants.BPF_PROG_TYPE_SCHED_CLS),
    SCHED_ACT(BpfConstants.BPF_PROG_TYPE_SCHED_ACT),
    TRACEPOINT(BpfConstants.BPF_PROG_TYPE_TRACEPOINT),
    XDP(BpfConstants.BPF_PROG_TYPE_XDP),
    PERF_EVENT(BpfConstants.BPF_PROG_TYPE_PERF_EVENT),
    CGROUP_SKB(BpfConstants.BPF_PROG_TYPE_CGROUP_SKB),
    CGROUP_SOCK(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK),
    LWT_IN(BpfConstants.BPF_PROG_TYPE_LWT_IN),
    LWT_OUT(BpfConstants.BPF_PROG_TYPE_LWT_OUT),
    LWT_XMIT(BpfConstants.BPF_PROG_TYPE_LWT_XMIT),
    SOCK_OPS(BpfConstants.BPF_PROG_TYPE_SOCK_OPS),
    SK_SKB(BpfConstants.BPF_PROG_TYPE_SK_SKB),
    CGROUP_DEVICE(BpfConstants.BPF_PROG_TYPE_CGROUP_DEVICE),
    SK_MSG(BpfConstants.BPF_PROG_TYPE_SK_MSG),
    RAW_TRACEPOINT(BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT),
    CGROUP_SOCK_ADDR(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK_ADDR),
    LWT_SEG6LOCAL(BpfConstants.BPF_PROG_TYPE_LWT_SEG6LOCAL),
    LIRC_MODE2(BpfConstants.BPF_PROG_TYPE_LIRC_MODE2),
    SK_REUSEPORT(BpfConstants.BPF_PROG_TYPE_SK_REUSEPORT),
    FLOW_DISSECTOR(BpfConstants.BPF_PROG_TYPE_FLOW_DISSECTOR),
    CGROUP_SYSCTL(BpfConstants.BPF_PROG_TYPE_CGROUP_SYSCTL),
    RAW_TRACEPOINT_WRITABLE(BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
    CGROUP_SOCKOPT(BpfConstants.BPF_PROG_TYPE_CGROUP_SOCKOPT),
    TRACING(BpfConstants.BPF_PROG_TYPE_TRACING),
    STRUCT_OPS(BpfConstants.BPF_PROG_TYPE_STRUCT_OPS),
    EXT(BpfConstants.BPF_PROG_TYPE_EXT),
    LSM(BpfConstants.BPF_PROG_TYPE_LSM),
    SK_LOOKUP(BpfConstants.BPF_PROG_TYPE_SK_LOOKUP),
    SYSCALL(BpfConstants.BPF_PROG_TYPE_SYSCALL),
    NETFILTER(BpfConstants.BPF_PROG_TYPE_NETFILTER),
    /** A type the kernel or libbpf knows and this jbpf does not. */
    UNKNOWN(-1);

    private final int value;

    ProgramType(int value) {
        this.value = value;
    }

    /** The type of a {@code BPF_PROG_TYPE_*} value; {@link #UNKNOWN} for values this enum lacks. */
    public static ProgramType of(int value) {
        for (ProgramType type : values()) {
            if (type.value == value && value >= 0) {
                return type;
            }
        }
        return UNKNOWN;
    }

    /** The {@code BPF_PROG_TYPE_*} value; -1 for {@link #UNKNOWN}. */
    public int value() {
        return value;
    }

    /** The name bpftool and libbpf use ("tracepoint", "raw_tracepoint", ...). */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
