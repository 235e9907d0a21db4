package dev.jbpf.features;

import static dev.jbpf.features.ProbePrograms.errno;

import dev.jbpf.BpfException;
import dev.jbpf.asm.HelperNames;
import dev.jbpf.asm.Opcodes;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.TraceFs;
import dev.jbpf.map.MapType;
import dev.jbpf.program.ProgramType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What the running kernel supports, probed on first ask and remembered for the life of the
 * process: program types, map types, the helpers each program type may call, and
 * {@link Facility facilities}. Every method is thread-safe and runs each probe at most once
 * (concurrent askers of the same probe wait for the one that runs it).
 *
 * <p>Probes load real programs, create real maps and attach real probes: for an instant, with
 * programs that change nothing, to test functions nothing else calls
 * ({@code bpf_fentry_test1}, {@code bpf_modify_return_test}), a scratch file or the file_open LSM hook (see {@link Facility}). Their answers need the privileges a
 * BPF user has (root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN): without them most answers
 * are "not available". Nothing native outlives a probe: every fd it opens is closed and its
 * scratch memory freed before it returns; only the answers (records in the Java heap) are kept.
 */
public final class KernelFeatures {
    /** Helpers bpftool leaves out unless asked ("full"): probing them writes warnings to the kernel log. */
    private static final Set<Integer> NOISY_HELPERS = Set.of(BpfConstants.BPF_FUNC_trace_printk,
            BpfConstants.BPF_FUNC_trace_vprintk, BpfConstants.BPF_FUNC_probe_write_user);
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe/type");
    private static final Path DEBUGFS_KPROBES = Path.of("/sys/kernel/debug/kprobes");
    /** BPF_MAXINSNS: the size limit before 5.3, which the large-program probe exceeds by one. */
    private static final int OLD_INSN_LIMIT = 4096;

    // one map per kind of probe: a computeIfAbsent must not touch its own map, and these nest
    private static final ConcurrentMap<Integer, ProgramTypeSupport> PROGRAM_TYPES = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Integer, MapTypeSupport> MAP_TYPES = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Long, Boolean> HELPERS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Integer, List<Helper>> HELPER_LISTS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Facility, FacilitySupport> FACILITIES = new ConcurrentHashMap<>();

    private KernelFeatures() {
    }

    /** The names libbpf gives, read once: libbpf is the authority bpftool uses too. */
    private static final class Names {
        static final List<Integer> PROGRAM_TYPES = named(true);
        static final List<Integer> MAP_TYPES = named(false);

        /** The types libbpf names, from 1 up to the first it does not (as bpftool walks them). */
        private static List<Integer> named(boolean programs) {
            List<Integer> types = new ArrayList<>();
            for (int type = 1; name(programs, type) != null; type++) {
                types.add(type);
            }
            return List.copyOf(types);
        }

        static String name(boolean programs, int type) {
            return LibBpfCall.string(programs ? LibBpf.libbpf_bpf_prog_type_str(type) : LibBpf.libbpf_bpf_map_type_str(type));
        }
    }

    /** The kernel's helper names, read once from its BTF; an empty table without BTF. */
    private static final class Helpers {
        static final HelperNames NAMES = read();

        private static HelperNames read() {
            try {
                return HelperNames.kernel();
            } catch (BpfException e) {
                return HelperNames.of(null); // no vmlinux BTF: no names, so no helper lists
            }
        }
    }

    private static final class Sysctls {
        static final SystemConfig CONFIG = SystemProbes.read();
    }

    // ---- program types

    /** Every program type libbpf names (in {@code BPF_PROG_TYPE_*} order), each probed. */
    public static List<ProgramTypeSupport> programTypes() {
        return Names.PROGRAM_TYPES.stream().map(KernelFeatures::programType).toList();
    }

    /**
     * Whether the kernel loads a program of this {@code BPF_PROG_TYPE_*}: libbpf loads a
     * minimal program of the type ({@code libbpf_probe_bpf_prog_type}) and closes it. A type
     * libbpf does not name is named by its number, and is not available (libbpf cannot probe it).
     */
    public static ProgramTypeSupport programType(int type) {
        return PROGRAM_TYPES.computeIfAbsent(type, t -> {
            String name = Names.name(true, t);
            boolean available = name != null && LibBpf.libbpf_probe_bpf_prog_type(t, MemorySegment.NULL) > 0;
            return new ProgramTypeSupport(t, name != null ? name : Integer.toString(t), available);
        });
    }

    public static boolean hasProgramType(int type) {
        return programType(type).available();
    }

    public static boolean hasProgramType(ProgramType type) {
        return type != ProgramType.UNKNOWN && hasProgramType(type.value());
    }

    // ---- map types

    /** Every map type libbpf names (in {@code BPF_MAP_TYPE_*} order), each probed. */
    public static List<MapTypeSupport> mapTypes() {
        return Names.MAP_TYPES.stream().map(KernelFeatures::mapType).toList();
    }

    /**
     * Whether the kernel creates a map of this {@code BPF_MAP_TYPE_*}: libbpf creates a small
     * one with the key, value and flags the type needs ({@code libbpf_probe_bpf_map_type}) and
     * closes it. A type libbpf does not name is named by its number, and is not available.
     */
    public static MapTypeSupport mapType(int type) {
        return MAP_TYPES.computeIfAbsent(type, t -> {
            String name = Names.name(false, t);
            boolean available = name != null && LibBpf.libbpf_probe_bpf_map_type(t, MemorySegment.NULL) > 0;
            return new MapTypeSupport(t, name != null ? name : Integer.toString(t), available);
        });
    }

    public static boolean hasMapType(int type) {
        return mapType(type).available();
    }

    public static boolean hasMapType(MapType type) {
        return type.value() >= 0 && hasMapType(type.value());
    }

    // ---- helpers

    /**
     * Whether a program of this type may call helper {@code helperId}: libbpf loads a program
     * of the type that calls it and reads the verifier's answer ({@code libbpf_probe_bpf_helper};
     * with libbpf before 1.5, which misreads the answer of kernels from 6.10 on, the same probe
     * done here).
     * False for a program type the kernel lacks, and for types libbpf cannot probe helpers of
     * (tracing, ext, lsm, struct_ops: their programs need an attach target). Probing
     * {@code bpf_trace_printk}, {@code bpf_trace_vprintk} or {@code bpf_probe_write_user} writes
     * a warning to the kernel log.
     */
    public static boolean hasHelper(int programType, int helperId) {
        if (!hasProgramType(programType)) {
            return false; // as bpftool: helpers of a type the kernel lacks are not probed
        }
        return HELPERS.computeIfAbsent(helperKey(programType, helperId), k -> {
            try (HelperProbe probe = HelperProbe.open(programType)) {
                return probe.probe(helperId);
            }
        });
    }

    private static long helperKey(int programType, int helperId) {
        return (long) programType << 32 | (helperId & 0xffffffffL);
    }

    /** {@link #hasHelper(int, int)} by name ("bpf_loop" or "loop"); false for a name the kernel does not define. */
    public static boolean hasHelper(int programType, String helperName) {
        int id = Helpers.NAMES.id(helperName);
        return id > 0 && hasHelper(programType, id);
    }

    /**
     * The helpers a program of this type may call, by id: what bpftool lists as
     * {@code <type>_available_helpers}. Like bpftool (without "full"), it leaves out the three
     * helpers whose probe writes to the kernel log; {@link #helpers(int, boolean)} includes them.
     * Empty for a type the kernel lacks, and when the kernel has no BTF to name its helpers.
     */
    public static List<Helper> helpers(int programType) {
        return helpers(programType, false);
    }

    /** {@link #helpers(int)}, with {@code bpf_trace_printk}, {@code bpf_trace_vprintk} and {@code bpf_probe_write_user} probed too when {@code all}. */
    public static List<Helper> helpers(int programType, boolean all) {
        return HELPER_LISTS.computeIfAbsent(programType << 1 | (all ? 1 : 0), key -> {
            if (!hasProgramType(programType)) {
                return List.of(); // as bpftool: helpers of a type the kernel lacks are not probed
            }
            List<Helper> available = new ArrayList<>();
            HelperNames names = Helpers.NAMES;
            // one probe's scratch memory for all the helpers of the type, freed when the list is made
            try (HelperProbe probe = HelperProbe.open(programType)) {
                // enum bpf_func_id is dense from BPF_FUNC_unspec (0), so its ids are 0 .. size-1
                for (int id = 1; id < names.size(); id++) {
                    String name = names.name(id);
                    int helperId = id;
                    if (name != null && (all || !NOISY_HELPERS.contains(id))
                            && HELPERS.computeIfAbsent(helperKey(programType, id), k -> probe.probe(helperId))) {
                        available.add(new Helper(id, name));
                    }
                }
            }
            return List.copyOf(available);
        });
    }

    // ---- facilities

    /** Whether the kernel has the facility, and what the probe saw. */
    public static FacilitySupport facility(Facility facility) {
        return FACILITIES.computeIfAbsent(facility, KernelFeatures::probe);
    }

    public static boolean has(Facility facility) {
        return facility(facility).available();
    }

    /**
     * The BPF sysctls and the kernel build options bpftool reports, read once from procfs and
     * {@code /boot/config-RELEASE} or {@code /proc/config.gz}.
     */
    public static SystemConfig systemConfig() {
        return Sysctls.CONFIG;
    }

    private static FacilitySupport probe(Facility facility) {
        return switch (facility) {
            case BPF_SYSCALL -> bpfSyscall();
            case VMLINUX_BTF -> Files.isReadable(VMLINUX_BTF)
                    ? new FacilitySupport(facility, true, VMLINUX_BTF + " is readable")
                    : new FacilitySupport(facility, false, "no readable " + VMLINUX_BTF + " (CONFIG_DEBUG_INFO_BTF off?)");
            case KPROBES -> kprobes();
            case KRETPROBES -> AttachProbes.kretprobes();
            case KPROBE_MULTI -> AttachProbes.kprobeMulti();
            case FENTRY -> AttachProbes.fentry();
            case FMOD_RET -> AttachProbes.fmodRet();
            case LSM -> AttachProbes.lsm();
            case UPROBES -> AttachProbes.uprobes();
            case RING_BUFFER -> {
                MapTypeSupport ringbuf = mapType(BpfConstants.BPF_MAP_TYPE_RINGBUF);
                yield new FacilitySupport(facility, ringbuf.available(),
                        "map type " + ringbuf.name() + (ringbuf.available() ? " created" : " not created"));
            }
            case CGRP_STORAGE -> {
                MapTypeSupport storage = mapType(MapType.CGRP_STORAGE.value());
                yield new FacilitySupport(facility, storage.available(),
                        "map type " + storage.name() + (storage.available() ? " created" : " not created (Linux 6.2 and later)"));
            }
            case BPF_LOOP -> {
                boolean loop = hasHelper(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER, BpfConstants.BPF_FUNC_loop);
                yield new FacilitySupport(facility, loop,
                        "a socket_filter program calling bpf_loop " + (loop ? "loaded" : "was refused"));
            }
            case UPROBE_MULTI -> AttachProbes.uprobeMulti();
            case TCX -> AttachProbes.tcx();
            case HARDWARE_PERF_EVENTS -> AttachProbes.hardwarePerfEvents();
            case PERF_EVENT_LINKS -> AttachProbes.perfEventLinks();
            case MEMCG_ACCOUNTING -> {
                boolean memcg = hasHelper(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER, BpfConstants.BPF_FUNC_ktime_get_coarse_ns);
                yield new FacilitySupport(facility, memcg, memcg
                        ? "a socket_filter program calling bpf_ktime_get_coarse_ns loaded: BPF memory goes to the memory cgroup"
                        : "a socket_filter program calling bpf_ktime_get_coarse_ns was refused: BPF memory is charged to"
                                + " RLIMIT_MEMLOCK (before Linux 5.11)");
            }
            case ATTACH_COOKIES -> {
                boolean cookies = hasHelper(BpfConstants.BPF_PROG_TYPE_KPROBE, BpfConstants.BPF_FUNC_get_attach_cookie);
                yield new FacilitySupport(facility, cookies,
                        "a kprobe program calling bpf_get_attach_cookie " + (cookies ? "loaded" : "was refused (Linux 5.15 and later)"));
            }
            case BPF_TOKEN -> bpfToken();
            case LARGE_INSN_LIMIT -> largeInsnLimit();
            case BOUNDED_LOOPS -> misc(facility, "a loop counting r0 down from 10",
                    ProbePrograms.movImm(ProbePrograms.R0, 10),
                    ProbePrograms.alu64Imm(Opcodes.SUB, ProbePrograms.R0, 1),
                    ProbePrograms.jmpImm(Opcodes.JNE, ProbePrograms.R0, 0, -2),
                    ProbePrograms.exit());
            case V2_ISA_EXTENSION -> misc(facility, "a BPF_JLT jump",
                    ProbePrograms.movImm(ProbePrograms.R0, 0),
                    ProbePrograms.jmpImm(Opcodes.JLT, ProbePrograms.R0, 0, 1),
                    ProbePrograms.movImm(ProbePrograms.R0, 1),
                    ProbePrograms.exit());
            case V3_ISA_EXTENSION -> misc(facility, "a BPF_JMP32 jump",
                    ProbePrograms.movImm(ProbePrograms.R0, 0),
                    ProbePrograms.jmp32Imm(Opcodes.JLT, ProbePrograms.R0, 0, 1),
                    ProbePrograms.movImm(ProbePrograms.R0, 1),
                    ProbePrograms.exit());
        };
    }

    /** As bpftool: a load of nothing must fail, and only ENOSYS says there is no bpf(2). */
    private static FacilitySupport bpfSyscall() {
        int result = LibBpf.bpf_prog_load(BpfConstants.BPF_PROG_TYPE_UNSPEC, MemorySegment.NULL, MemorySegment.NULL,
                MemorySegment.NULL, 0, MemorySegment.NULL);
        if (result >= 0) {
            Fd.close(result);
        }
        boolean present = result != -Errno.ENOSYS;
        return new FacilitySupport(Facility.BPF_SYSCALL, present,
                present ? "bpf(2) answered " + (result < 0 ? errno(result) : "with an fd") : "bpf(2) failed with ENOSYS");
    }

    /**
     * kprobes as libbpf attaches them: through the perf kprobe PMU, else tracefs kprobe_events;
     * both come with CONFIG_KPROBE_EVENTS. debugfs's kprobes directory (CONFIG_KPROBES) counts too.
     * Files only: nothing is registered.
     */
    private static FacilitySupport kprobes() {
        if (Files.exists(KPROBE_PMU)) {
            return new FacilitySupport(Facility.KPROBES, true, "the perf kprobe PMU is at " + KPROBE_PMU.getParent());
        }
        for (Path tracefs : TraceFs.LOCATIONS) {
            Path events = tracefs.resolve("kprobe_events");
            if (Files.exists(events)) {
                return new FacilitySupport(Facility.KPROBES, true, events + " exists");
            }
        }
        if (Files.isDirectory(DEBUGFS_KPROBES)) {
            return new FacilitySupport(Facility.KPROBES, true, DEBUGFS_KPROBES + " exists");
        }
        String where = TraceFs.isMounted() ? "tracefs has no kprobe_events" : "tracefs is not mounted";
        return new FacilitySupport(Facility.KPROBES, false, "no perf kprobe PMU (" + KPROBE_PMU.getParent() + "), " + where
                + ", no " + DEBUGFS_KPROBES + ": the kernel has no kprobe events (CONFIG_KPROBE_EVENTS off?)");
    }

    /**
     * BPF_TOKEN_CREATE with bpffs fd -1: a kernel that knows the command looks up the fd and
     * answers EBADF; older kernels answer EINVAL for an unknown command. No token is made.
     */
    private static FacilitySupport bpfToken() {
        int result;
        try {
            result = LibBpf.bpf_token_create(-1, MemorySegment.NULL);
        } catch (UnsupportedOperationException e) {
            return new FacilitySupport(Facility.BPF_TOKEN, false, e.getMessage()); // libbpf older than 1.4
        }
        if (result >= 0) {
            Fd.close(result);
            return new FacilitySupport(Facility.BPF_TOKEN, true, "BPF_TOKEN_CREATE made a token of fd -1");
        }
        boolean known = result == -Errno.EBADF;
        return new FacilitySupport(Facility.BPF_TOKEN, known, "BPF_TOKEN_CREATE with bpffs fd -1 answered " + errno(result)
                + (known ? ": the command exists" : ", not EBADF: the kernel does not know the command"));
    }

    /** As bpftool: 4096 moves and an exit, one more than the old limit; only E2BIG or EINVAL says no. */
    private static FacilitySupport largeInsnLimit() {
        ProbePrograms.Insn[] insns = new ProbePrograms.Insn[OLD_INSN_LIMIT + 1];
        java.util.Arrays.fill(insns, ProbePrograms.movImm(ProbePrograms.R0, 1));
        insns[OLD_INSN_LIMIT] = ProbePrograms.exit();
        try (Arena arena = Arena.ofConfined()) {
            int fd = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_SCHED_CLS, ProbePrograms.loadOptions(arena), insns);
            if (fd >= 0) {
                Fd.close(fd);
                return new FacilitySupport(Facility.LARGE_INSN_LIMIT, true, "a sched_cls program of 4097 instructions loaded");
            }
            boolean available = fd != -Errno.E2BIG && fd != -Errno.EINVAL;
            return new FacilitySupport(Facility.LARGE_INSN_LIMIT, available,
                    "a sched_cls program of 4097 instructions was refused with " + errno(fd));
        }
    }

    /** As bpftool's probe_misc_feature: a socket filter that loads says yes. */
    private static FacilitySupport misc(Facility facility, String what, ProbePrograms.Insn... insns) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER, ProbePrograms.loadOptions(arena), insns);
            if (fd >= 0) {
                Fd.close(fd);
                return new FacilitySupport(facility, true, "a socket filter with " + what + " loaded");
            }
            return new FacilitySupport(facility, false, "a socket filter with " + what + " was refused with " + errno(fd));
        }
    }
}
