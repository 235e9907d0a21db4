package dev.jbpf.link;

import dev.jbpf.bindings.BpfConstants;
import java.util.Locale;

/**
 * A kernel BPF link type ({@code enum bpf_link_type}), named as bpftool and libbpf name it
 * ({@link #displayName()}: "raw_tracepoint", "perf_event", ...), with {@link #UNKNOWN} for types
 * newer than this jbpf. Pure Java: owns nothing.
 */
public enum LinkType {
    UNSPEC(BpfConstants.BPF_LINK_TYPE_UNSPEC),
    RAW_TRACEPOINT(BpfConstants.BPF_LINK_TYPE_RAW_TRACEPOINT),
    TRACING(BpfConstants.BPF_LINK_TYPE_TRACING),
    CGROUP(BpfConstants.BPF_LINK_TYPE_CGROUP),
    ITER(BpfConstants.BPF_LINK_TYPE_ITER),
    NETNS(BpfConstants.BPF_LINK_TYPE_NETNS),
    XDP(BpfConstants.BPF_LINK_TYPE_XDP),
    PERF_EVENT(BpfConstants.BPF_LINK_TYPE_PERF_EVENT),
    KPROBE_MULTI(BpfConstants.BPF_LINK_TYPE_KPROBE_MULTI),
    STRUCT_OPS(BpfConstants.BPF_LINK_TYPE_STRUCT_OPS),
    NETFILTER(BpfConstants.BPF_LINK_TYPE_NETFILTER),
    TCX(BpfConstants.BPF_LINK_TYPE_TCX),
    UPROBE_MULTI(BpfConstants.BPF_LINK_TYPE_UPROBE_MULTI),
    NETKIT(BpfConstants.BPF_LINK_TYPE_NETKIT),
    SOCKMAP(BpfConstants.BPF_LINK_TYPE_SOCKMAP),
    /** A type this jbpf does not know; {@link LinkInfo#kernelType()} has the kernel's number. */
    UNKNOWN(-1);

    private final int value;

    LinkType(int value) {
        this.value = value;
    }

    /** The kernel's number ({@code BPF_LINK_TYPE_*}); -1 for {@link #UNKNOWN}. */
    public int value() {
        return value;
    }

    /** bpftool's and libbpf's name: "raw_tracepoint", "perf_event", "kprobe_multi", "tcx", ... */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with this kernel number, {@link #UNKNOWN} when this jbpf does not know it. */
    public static LinkType of(int value) {
        for (LinkType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        return UNKNOWN;
    }
}
