package dev.jbpf.link;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_link_info;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the kernel says about one BPF link ({@code struct bpf_link_info}), copied into Java:
 * owns no native memory and no fd. {@link #listAll()} is {@code bpftool link list};
 * {@link BpfLink#openById} and {@link BpfLink#openPinned} open a link to pin or detach it.
 *
 * @param id the kernel's link id
 * @param type the link type ({@link LinkType#UNKNOWN} for types this jbpf does not know)
 * @param kernelType the kernel's number of the type ({@code BPF_LINK_TYPE_*}), also for unknown ones
 * @param programId the id of the attached program (0 for struct_ops links, which attach a map)
 * @param target where the program is attached, as the kernel describes it for this type
 */
public record LinkInfo(int id, LinkType type, int kernelType, int programId, LinkTarget target) {
    /** Room for a name or path the kernel copies out (PATH_MAX, as bpftool gives it). */
    private static final int NAME_BUFFER = 4096;

    public LinkInfo {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
    }

    /**
     * Every link in the kernel, by increasing id ({@code bpf_link_get_next_id},
     * {@code bpf_link_get_fd_by_id}, {@code bpf_link_get_info_by_fd}); every fd it opens is
     * closed before returning. Links released while listing are skipped. Without CAP_SYS_ADMIN
     * (or CAP_BPF): {@link dev.jbpf.BpfPermissionException}.
     */
    public static List<LinkInfo> listAll() {
        List<LinkInfo> links = new ArrayList<>();
        forEach(links::add);
        return links;
    }

    /**
     * {@link #listAll()} one link at a time, for callers that print as they go: each link's fd
     * is closed before {@code action} sees its info.
     */
    public static void forEach(Consumer<LinkInfo> action) {
        KernelObjects.forEach(KernelObjects.Kind.LINK, (fd, id) -> ofFd(fd, "id " + id), action);
    }

    /** The link with this kernel id; none → {@link dev.jbpf.BpfNotFoundException}. */
    public static LinkInfo ofId(int id) {
        try (BpfLink link = BpfLink.openById(id)) {
            return link.info();
        }
    }

    /** The link pinned at path; nothing there → BpfNotFoundException, a pinned program or map → BpfException (EINVAL). */
    public static LinkInfo ofPinned(Path path) {
        try (BpfLink link = BpfLink.openPinned(path)) {
            return link.info();
        }
    }

    /** The info of the link behind fd (not closed here); target names it in error messages. */
    static LinkInfo ofFd(int fd, String target) {
        try (Arena arena = Arena.ofConfined()) {
            // First call: the type and the sizes; then, for types with names or arrays, a second
            // one with room for them (the kernel refuses a buffer pointer without its length).
            MemorySegment info = query(arena, fd, target, request -> { });
            int kernelType = bpf_link_info.type(info);
            MemorySegment detailed = switch (kernelType) {
                case BpfConstants.BPF_LINK_TYPE_RAW_TRACEPOINT -> {
                    MemorySegment name = arena.allocate(NAME_BUFFER);
                    yield query(arena, fd, target, request -> {
                        MemorySegment rawTp = bpf_link_info.raw_tracepoint(request);
                        bpf_link_info.raw_tracepoint.tp_name(rawTp, name.address());
                        bpf_link_info.raw_tracepoint.tp_name_len(rawTp, NAME_BUFFER);
                    });
                }
                case BpfConstants.BPF_LINK_TYPE_ITER -> {
                    MemorySegment name = arena.allocate(NAME_BUFFER);
                    yield query(arena, fd, target, request -> {
                        MemorySegment iter = bpf_link_info.iter(request);
                        bpf_link_info.iter.target_name(iter, name.address());
                        bpf_link_info.iter.target_name_len(iter, NAME_BUFFER);
                    });
                }
                case BpfConstants.BPF_LINK_TYPE_PERF_EVENT -> perfEventWithName(arena, fd, target, info);
                case BpfConstants.BPF_LINK_TYPE_KPROBE_MULTI -> {
                    int count = bpf_link_info.kprobe_multi.count(bpf_link_info.kprobe_multi(info));
                    if (count == 0) {
                        yield info;
                    }
                    MemorySegment addresses = arena.allocate(ValueLayout.JAVA_LONG, count);
                    MemorySegment cookies = arena.allocate(ValueLayout.JAVA_LONG, count);
                    yield query(arena, fd, target, request -> {
                        MemorySegment multi = bpf_link_info.kprobe_multi(request);
                        bpf_link_info.kprobe_multi.addrs(multi, addresses.address());
                        bpf_link_info.kprobe_multi.cookies(multi, cookies.address());
                        bpf_link_info.kprobe_multi.count(multi, count);
                    });
                }
                case BpfConstants.BPF_LINK_TYPE_UPROBE_MULTI -> {
                    int count = bpf_link_info.uprobe_multi.count(bpf_link_info.uprobe_multi(info));
                    MemorySegment path = arena.allocate(NAME_BUFFER);
                    MemorySegment offsets = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, count));
                    MemorySegment refCounters = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, count));
                    MemorySegment cookies = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, count));
                    yield query(arena, fd, target, request -> {
                        MemorySegment multi = bpf_link_info.uprobe_multi(request);
                        bpf_link_info.uprobe_multi.path(multi, path.address());
                        bpf_link_info.uprobe_multi.path_size(multi, NAME_BUFFER);
                        if (count > 0) {
                            bpf_link_info.uprobe_multi.offsets(multi, offsets.address());
                            bpf_link_info.uprobe_multi.ref_ctr_offsets(multi, refCounters.address());
                            bpf_link_info.uprobe_multi.cookies(multi, cookies.address());
                            bpf_link_info.uprobe_multi.count(multi, count);
                        }
                    });
                }
                default -> info;
            };
            return new LinkInfo(bpf_link_info.id(detailed), LinkType.of(kernelType), kernelType,
                    bpf_link_info.prog_id(detailed), target(kernelType, detailed));
        }
    }

    /** The second query of a perf_event link, with room for the name its kind carries. */
    private static MemorySegment perfEventWithName(Arena arena, int fd, String target, MemorySegment info) {
        int kind = bpf_link_info.perf_event.type(bpf_link_info.perf_event(info));
        MemorySegment name = arena.allocate(NAME_BUFFER);
        return switch (kind) {
            case BpfConstants.BPF_PERF_EVENT_TRACEPOINT -> query(arena, fd, target, request -> {
                MemorySegment tracepoint = bpf_link_info.perf_event.tracepoint(bpf_link_info.perf_event(request));
                bpf_link_info.perf_event.tracepoint.tp_name(tracepoint, name.address());
                bpf_link_info.perf_event.tracepoint.name_len(tracepoint, NAME_BUFFER);
            });
            case BpfConstants.BPF_PERF_EVENT_KPROBE, BpfConstants.BPF_PERF_EVENT_KRETPROBE -> query(arena, fd, target, request -> {
                MemorySegment kprobe = bpf_link_info.perf_event.kprobe(bpf_link_info.perf_event(request));
                bpf_link_info.perf_event.kprobe.func_name(kprobe, name.address());
                bpf_link_info.perf_event.kprobe.name_len(kprobe, NAME_BUFFER);
            });
            case BpfConstants.BPF_PERF_EVENT_UPROBE, BpfConstants.BPF_PERF_EVENT_URETPROBE -> query(arena, fd, target, request -> {
                MemorySegment uprobe = bpf_link_info.perf_event.uprobe(bpf_link_info.perf_event(request));
                bpf_link_info.perf_event.uprobe.file_name(uprobe, name.address());
                bpf_link_info.perf_event.uprobe.name_len(uprobe, NAME_BUFFER);
            });
            default -> info; // a counter event: nothing to copy out
        };
    }

    /** One {@code bpf_link_get_info_by_fd} into a zeroed struct that {@code request} fills first. */
    private static MemorySegment query(Arena arena, int fd, String target, Consumer<MemorySegment> request) {
        MemorySegment info = bpf_link_info.allocate(arena); // zeroed: the kernel rejects stray pointers
        request.accept(info);
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_link_info.sizeof());
        int result = LibBpf.bpf_link_get_info_by_fd(fd, info, length); // never prints: no LibBpfLog callback
        if (result < 0) {
            throw LibBpfCall.failure("get info of link", target, -result);
        }
        return info;
    }

    /** The type-specific part of the info, as a Java value. */
    private static LinkTarget target(int kernelType, MemorySegment info) {
        return switch (kernelType) {
            case BpfConstants.BPF_LINK_TYPE_RAW_TRACEPOINT ->
                    new LinkTarget.RawTracepoint(string(bpf_link_info.raw_tracepoint.tp_name(bpf_link_info.raw_tracepoint(info))));
            case BpfConstants.BPF_LINK_TYPE_TRACING -> {
                MemorySegment tracing = bpf_link_info.tracing(info);
                yield new LinkTarget.Tracing(bpf_link_info.tracing.attach_type(tracing),
                        bpf_link_info.tracing.target_obj_id(tracing), bpf_link_info.tracing.target_btf_id(tracing));
            }
            case BpfConstants.BPF_LINK_TYPE_CGROUP -> {
                MemorySegment cgroup = bpf_link_info.cgroup(info);
                yield new LinkTarget.Cgroup(bpf_link_info.cgroup.cgroup_id(cgroup), bpf_link_info.cgroup.attach_type(cgroup));
            }
            case BpfConstants.BPF_LINK_TYPE_ITER -> {
                MemorySegment iter = bpf_link_info.iter(info);
                MemorySegment task = bpf_link_info.iter.task(iter);
                MemorySegment cgroup = bpf_link_info.iter.cgroup(iter);
                yield new LinkTarget.Iter(string(bpf_link_info.iter.target_name(iter)),
                        bpf_link_info.iter.map.map_id(bpf_link_info.iter.map(iter)), bpf_link_info.iter.task.tid(task),
                        bpf_link_info.iter.task.pid(task), bpf_link_info.iter.cgroup.cgroup_id(cgroup),
                        bpf_link_info.iter.cgroup.order(cgroup));
            }
            case BpfConstants.BPF_LINK_TYPE_NETNS -> {
                MemorySegment netns = bpf_link_info.netns(info);
                yield new LinkTarget.Netns(bpf_link_info.netns.netns_ino(netns), bpf_link_info.netns.attach_type(netns));
            }
            case BpfConstants.BPF_LINK_TYPE_XDP -> new LinkTarget.Xdp(bpf_link_info.xdp.ifindex(bpf_link_info.xdp(info)));
            case BpfConstants.BPF_LINK_TYPE_STRUCT_OPS ->
                    new LinkTarget.StructOps(bpf_link_info.struct_ops.map_id(bpf_link_info.struct_ops(info)));
            case BpfConstants.BPF_LINK_TYPE_NETFILTER -> {
                MemorySegment netfilter = bpf_link_info.netfilter(info);
                yield new LinkTarget.Netfilter(bpf_link_info.netfilter.pf(netfilter), bpf_link_info.netfilter.hooknum(netfilter),
                        bpf_link_info.netfilter.priority(netfilter), bpf_link_info.netfilter.flags(netfilter));
            }
            case BpfConstants.BPF_LINK_TYPE_KPROBE_MULTI -> {
                MemorySegment multi = bpf_link_info.kprobe_multi(info);
                int count = bpf_link_info.kprobe_multi.count(multi);
                yield new LinkTarget.KprobeMulti((bpf_link_info.kprobe_multi.flags(multi) & BpfConstants.BPF_F_KPROBE_MULTI_RETURN) != 0,
                        count, bpf_link_info.kprobe_multi.missed(multi), longs(bpf_link_info.kprobe_multi.addrs(multi), count),
                        longs(bpf_link_info.kprobe_multi.cookies(multi), count));
            }
            case BpfConstants.BPF_LINK_TYPE_UPROBE_MULTI -> {
                MemorySegment multi = bpf_link_info.uprobe_multi(info);
                int count = bpf_link_info.uprobe_multi.count(multi);
                yield new LinkTarget.UprobeMulti((bpf_link_info.uprobe_multi.flags(multi) & BpfConstants.BPF_F_UPROBE_MULTI_RETURN) != 0,
                        string(bpf_link_info.uprobe_multi.path(multi)), count, bpf_link_info.uprobe_multi.pid(multi),
                        longs(bpf_link_info.uprobe_multi.offsets(multi), count),
                        longs(bpf_link_info.uprobe_multi.ref_ctr_offsets(multi), count),
                        longs(bpf_link_info.uprobe_multi.cookies(multi), count));
            }
            case BpfConstants.BPF_LINK_TYPE_PERF_EVENT -> perfEvent(bpf_link_info.perf_event(info));
            case BpfConstants.BPF_LINK_TYPE_TCX -> {
                MemorySegment tcx = bpf_link_info.tcx(info);
                yield new LinkTarget.Tcx(bpf_link_info.tcx.ifindex(tcx), bpf_link_info.tcx.attach_type(tcx));
            }
            case BpfConstants.BPF_LINK_TYPE_NETKIT -> {
                MemorySegment netkit = bpf_link_info.netkit(info);
                yield new LinkTarget.Netkit(bpf_link_info.netkit.ifindex(netkit), bpf_link_info.netkit.attach_type(netkit));
            }
            case BpfConstants.BPF_LINK_TYPE_SOCKMAP -> {
                MemorySegment sockmap = bpf_link_info.sockmap(info);
                yield new LinkTarget.Sockmap(bpf_link_info.sockmap.map_id(sockmap), bpf_link_info.sockmap.attach_type(sockmap));
            }
            default -> new LinkTarget.Unknown();
        };
    }

    private static LinkTarget perfEvent(MemorySegment perfEvent) {
        int kind = bpf_link_info.perf_event.type(perfEvent);
        return switch (kind) {
            case BpfConstants.BPF_PERF_EVENT_TRACEPOINT -> {
                MemorySegment tracepoint = bpf_link_info.perf_event.tracepoint(perfEvent);
                yield new LinkTarget.PerfTracepoint(string(bpf_link_info.perf_event.tracepoint.tp_name(tracepoint)),
                        bpf_link_info.perf_event.tracepoint.cookie(tracepoint));
            }
            case BpfConstants.BPF_PERF_EVENT_KPROBE, BpfConstants.BPF_PERF_EVENT_KRETPROBE -> {
                MemorySegment kprobe = bpf_link_info.perf_event.kprobe(perfEvent);
                yield new LinkTarget.PerfKprobe(kind == BpfConstants.BPF_PERF_EVENT_KRETPROBE,
                        string(bpf_link_info.perf_event.kprobe.func_name(kprobe)), bpf_link_info.perf_event.kprobe.offset(kprobe),
                        bpf_link_info.perf_event.kprobe.addr(kprobe), bpf_link_info.perf_event.kprobe.missed(kprobe),
                        bpf_link_info.perf_event.kprobe.cookie(kprobe));
            }
            case BpfConstants.BPF_PERF_EVENT_UPROBE, BpfConstants.BPF_PERF_EVENT_URETPROBE -> {
                MemorySegment uprobe = bpf_link_info.perf_event.uprobe(perfEvent);
                yield new LinkTarget.PerfUprobe(kind == BpfConstants.BPF_PERF_EVENT_URETPROBE,
                        string(bpf_link_info.perf_event.uprobe.file_name(uprobe)), bpf_link_info.perf_event.uprobe.offset(uprobe),
                        bpf_link_info.perf_event.uprobe.cookie(uprobe));
            }
            case BpfConstants.BPF_PERF_EVENT_EVENT -> {
                MemorySegment event = bpf_link_info.perf_event.event(perfEvent);
                yield new LinkTarget.PerfCounter(bpf_link_info.perf_event.event.type(event),
                        bpf_link_info.perf_event.event.config(event), bpf_link_info.perf_event.event.cookie(event));
            }
            default -> new LinkTarget.Unknown();
        };
    }

    /** A C string the kernel copied to an address we gave it; "" when we gave none. */
    private static String string(long address) {
        if (address == 0) {
            return "";
        }
        return MemorySegment.ofAddress(address).reinterpret(NAME_BUFFER).getString(0);
    }

    /** count u64 values the kernel copied to an address we gave it; empty when we gave none. */
    private static List<Long> longs(long address, int count) {
        if (address == 0 || count == 0) {
            return List.of();
        }
        MemorySegment values = MemorySegment.ofAddress(address).reinterpret((long) count * Long.BYTES);
        List<Long> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(values.getAtIndex(ValueLayout.JAVA_LONG, i));
        }
        return list;
    }
}
