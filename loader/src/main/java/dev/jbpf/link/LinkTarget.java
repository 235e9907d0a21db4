package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import java.util.List;
import java.util.Optional;

/**
 * Where a kernel BPF link attaches its program: the type-specific part of {@code struct
 * bpf_link_info}, one record per link type (and per kind of perf event), with the fields the
 * kernel gives for it. Plain Java values: they own nothing. Attach types are the kernel's
 * numbers ({@code enum bpf_attach_type}); {@link #attachTypeName(int)} names them as bpftool does.
 */
public sealed interface LinkTarget {

    /**
     * libbpf's (and bpftool's) name of a {@code bpf_attach_type}, e.g. "cgroup_inet_ingress",
     * "tcx_ingress", "trace_fentry"; empty for a number this libbpf does not know.
     */
    static Optional<String> attachTypeName(int attachType) {
        return Optional.ofNullable(LibBpfCall.string(LibBpf.libbpf_bpf_attach_type_str(attachType)));
    }

    /** A raw tracepoint link: the tracepoint's name, e.g. "sys_enter". */
    record RawTracepoint(String tracepoint) implements LinkTarget {
    }

    /**
     * A tracing link (fentry, fexit, fmod_ret, LSM, freplace, iterators of BTF types).
     *
     * @param attachType the kernel's attach type (e.g. BPF_TRACE_FENTRY)
     * @param targetObjectId id of the object holding the target: a program id for freplace,
     *     else the BTF object id of the kernel or module (0 for vmlinux on older kernels)
     * @param targetBtfId the BTF type id of the traced function in that object
     */
    record Tracing(int attachType, int targetObjectId, int targetBtfId) implements LinkTarget {
    }

    /** A cgroup link: the cgroup's id (its inode number in cgroupfs) and the attach type. */
    record Cgroup(long cgroupId, int attachType) implements LinkTarget {
    }

    /**
     * A BPF iterator link. Which of the other fields mean something depends on the target:
     * {@code mapId} for "bpf_map_elem" and "bpf_sk_storage_map"; {@code taskTid} or
     * {@code taskPid} for "task", "task_file" and "task_vma" (0: every task); {@code cgroupId}
     * and {@code cgroupOrder} for "cgroup".
     */
    record Iter(String target, int mapId, int taskTid, int taskPid, long cgroupId, int cgroupOrder)
            implements LinkTarget {
    }

    /** A network namespace link (flow dissector, sk_lookup): the namespace's inode and the attach type. */
    record Netns(int netnsInode, int attachType) implements LinkTarget {
    }

    /** An XDP link: the interface index (0 once the interface is gone). */
    record Xdp(int ifindex) implements LinkTarget {
    }

    /** A struct_ops link: the id of its struct_ops map (such a link has no program id). */
    record StructOps(int mapId) implements LinkTarget {
    }

    /** A netfilter link: protocol family (NFPROTO_*), hook number, priority and flags. */
    record Netfilter(int protocolFamily, int hook, int priority, int flags) implements LinkTarget {
    }

    /**
     * A kprobe.multi link: {@code count} kernel functions, their addresses (sorted as the kernel
     * keeps them; zeros when kallsyms hides addresses from this process) and the cookie of each.
     */
    record KprobeMulti(boolean retprobe, int count, long missed, List<Long> addresses, List<Long> cookies)
            implements LinkTarget {
        public KprobeMulti {
            addresses = List.copyOf(addresses);
            cookies = List.copyOf(cookies);
        }
    }

    /**
     * A uprobe.multi link: {@code count} probes in the file at {@code path}, limited to process
     * {@code pid} (0: every process), with their file offsets, reference counter offsets (USDT
     * semaphores, 0 when none) and cookies.
     */
    record UprobeMulti(boolean retprobe, String path, int count, int pid, List<Long> offsets,
            List<Long> refCounterOffsets, List<Long> cookies) implements LinkTarget {
        public UprobeMulti {
            offsets = List.copyOf(offsets);
            refCounterOffsets = List.copyOf(refCounterOffsets);
            cookies = List.copyOf(cookies);
        }
    }

    /** A perf_event link on a tracepoint: its name without the category (e.g. "sys_enter_getppid"). */
    record PerfTracepoint(String tracepoint, long cookie) implements LinkTarget {
    }

    /**
     * A perf_event link on a kprobe or kretprobe: the function, the offset into it, its
     * address (0 when kallsyms hides it), and how often the probe was missed.
     */
    record PerfKprobe(boolean retprobe, String function, int offset, long address, long missed, long cookie)
            implements LinkTarget {
    }

    /** A perf_event link on a uprobe or uretprobe: the file (as the kernel resolved it) and the offset in it. */
    record PerfUprobe(boolean retprobe, String file, int offset, long cookie) implements LinkTarget {
    }

    /**
     * A perf_event link on a counter or sampling event ({@code perf_event_attr.type} and
     * {@code config}: e.g. PERF_TYPE_SOFTWARE and PERF_COUNT_SW_CPU_CLOCK).
     */
    record PerfCounter(int eventType, long config, long cookie) implements LinkTarget {
    }

    /** A tcx link: interface index (0 once the interface is gone) and direction as an attach type. */
    record Tcx(int ifindex, int attachType) implements LinkTarget {
    }

    /** A netkit link: interface index (0 once the interface is gone) and the peer/primary attach type. */
    record Netkit(int ifindex, int attachType) implements LinkTarget {
    }

    /** A sockmap link: the sockmap's id and the attach type (verdict, parser, ...). */
    record Sockmap(int mapId, int attachType) implements LinkTarget {
    }

    /** A link type (or kind of perf event) whose details jbpf does not read. */
    record Unknown() implements LinkTarget {
    }
}
