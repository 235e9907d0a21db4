package dev.jbpf.program;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_info;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.FdInfo;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the kernel says about one loaded program ({@code struct bpf_prog_info}, and its fdinfo),
 * copied into Java: owns no native memory and no fd.
 *
 * @param id the kernel's program id
 * @param type the program type ({@link ProgramType#UNKNOWN} for types this jbpf does not know)
 * @param name the program's full name: the kernel keeps 15 characters, so a longer name is read
 *     from the first function of the program's BTF (func info), as bpftool does; without BTF it
 *     is {@code kernelName}
 * @param kernelName the name as the kernel keeps it (at most 15 characters: longer names are cut)
 * @param tag the program's tag (hash of its instructions) as 16 hex digits, as bpftool shows it
 * @param loadTime when the program was loaded (wall clock, derived from the boot clock)
 * @param uid the user id that loaded it
 * @param xlatedLength bytes of the program as the verifier rewrote it (8 per instruction)
 * @param jitedLength bytes of JIT-compiled machine code, 0 when not JIT-compiled
 * @param gplCompatible whether its license is GPL-compatible
 * @param mapIds ids of the maps it uses
 * @param btfId id of its BTF, 0 when it has none
 * @param runTimeNs total run time, counted only while kernel.bpf_stats_enabled is 1
 * @param runCount runs, counted only while kernel.bpf_stats_enabled is 1
 * @param verifiedInstructions instructions the verifier processed
 * @param recursionMisses runs the kernel skipped because the program was already running on that CPU
 * @param bytesMemlock bytes charged for it (fdinfo {@code memlock}), 0 when unreadable
 * @param orphaned true for a program offloaded to a device that is gone: the kernel then gives
 *     no info (ENODEV) and every other field but the id is zero, as bpftool shows it
 */
public record ProgramInfo(int id, ProgramType type, String name, String kernelName, String tag, Instant loadTime,
        int uid, int xlatedLength, int jitedLength, boolean gplCompatible, List<Integer> mapIds, int btfId,
        long runTimeNs, long runCount, int verifiedInstructions, long recursionMisses, long bytesMemlock,
        boolean orphaned) {

    private static final int BPF_INSN_SIZE = 8;
    /** Length of a program name in the kernel, NUL included ({@code BPF_OBJ_NAME_LEN}). */
    private static final int KERNEL_NAME_LEN = 16;
    /** {@code struct bpf_func_info}: insn_off, type_id. */
    private static final int FUNC_INFO_SIZE = 8;
    private static final int BTF_KIND_FUNC = 12;

    public ProgramInfo {
        mapIds = List.copyOf(mapIds);
    }

    /** Instructions after the verifier's rewriting ({@code xlated_prog_len / 8}). */
    public int xlatedInstructions() {
        return xlatedLength / BPF_INSN_SIZE;
    }

    /**
     * Whether {@code wanted} names this program: its full name, or its kernel (cut) name; a
     * program whose full name is unknown (no BTF) also answers to a long name it is the cut of.
     */
    public boolean isNamed(String wanted) {
        if (wanted.equals(name) || wanted.equals(kernelName)) {
            return true;
        }
        return name.equals(kernelName) && wanted.length() >= KERNEL_NAME_LEN
                && wanted.substring(0, KERNEL_NAME_LEN - 1).equals(kernelName);
    }

    /**
     * Every program loaded in the kernel, by increasing id ({@code bpf_prog_get_next_id},
     * {@code bpf_prog_get_fd_by_id}, {@code bpf_prog_get_info_by_fd}); closes every fd it opens
     * before returning. Programs unloaded while listing are skipped. Without CAP_SYS_ADMIN
     * (or CAP_BPF): {@link dev.jbpf.BpfPermissionException}.
     */
    public static List<ProgramInfo> listAll() {
        List<ProgramInfo> programs = new ArrayList<>();
        forEach(programs::add);
        return programs;
    }

    /**
     * {@link #listAll()} one program at a time, for callers that print as they go: each
     * program's fd is closed before {@code action} sees its info.
     */
    public static void forEach(java.util.function.Consumer<ProgramInfo> action) {
        KernelObjects.forEach(KernelObjects.Kind.PROGRAM, (fd, id) -> ofFd(fd, "id " + id, id), action);
    }

    /** The program with this kernel id ({@code bpf_prog_get_fd_by_id}); none → BpfNotFoundException. */
    public static ProgramInfo ofId(int id) {
        try (Fd program = KernelObjects.openById(KernelObjects.Kind.PROGRAM, id)) {
            return ofFd(program.value(), "id " + id, id);
        }
    }

    /** The program pinned at path ({@code bpf_obj_get}); a pinned map or link there → BpfException (EINVAL). */
    public static ProgramInfo ofPinned(java.nio.file.Path path) {
        try (Fd program = KernelObjects.openPinned(KernelObjects.Kind.PROGRAM, path)) {
            return ofFd(program.value(), path.toString(), 0);
        }
    }

    /** The info of the program behind fd; target names it in error messages. */
    static ProgramInfo ofFd(int fd, String target) {
        return ofFd(fd, target, 0);
    }

    /** {@link #ofFd(int, String)}; knownId is the id an orphaned program reports (0 when unknown). */
    private static ProgramInfo ofFd(int fd, String target, int knownId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info;
            try {
                info = queryInfo(arena, fd, target, null);
            } catch (dev.jbpf.BpfException e) {
                if (e.errno() != Errno.ENODEV) {
                    throw e;
                }
                // offloaded to a device that is gone: the kernel keeps the id but says nothing more
                return new ProgramInfo(knownId, ProgramType.of(0), "", "", "0".repeat(16), Instant.EPOCH, 0, 0, 0,
                        false, List.of(), 0, 0, 0, 0, 0, FdInfo.number(FdInfo.of(fd), "memlock", 0), true);
            }
            int mapCount = bpf_prog_info.nr_map_ids(info);
            List<Integer> mapIds = List.of();
            if (mapCount > 0) {
                // Second call, now with room for the map ids (the first one only counted them).
                MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, mapCount);
                info = queryInfo(arena, fd, target, ids);
                int returned = Math.min(mapCount, bpf_prog_info.nr_map_ids(info));
                mapIds = IntStream.range(0, returned).mapToObj(i -> ids.getAtIndex(ValueLayout.JAVA_INT, i)).toList();
            }
            String kernelName = LibBpfCall.fixedString(bpf_prog_info.name(info));
            String name = kernelName;
            if (kernelName.length() == KERNEL_NAME_LEN - 1 && bpf_prog_info.btf_id(info) != 0
                    && bpf_prog_info.nr_func_info(info) > 0) {
                name = fullName(arena, fd, bpf_prog_info.btf_id(info), kernelName);
            }
            return new ProgramInfo(bpf_prog_info.id(info), ProgramType.of(bpf_prog_info.type(info)), name, kernelName,
                    HexFormat.of().formatHex(bpf_prog_info.tag(info).toArray(ValueLayout.JAVA_BYTE)),
                    wallClock(bpf_prog_info.load_time(info)), bpf_prog_info.created_by_uid(info),
                    bpf_prog_info.xlated_prog_len(info), bpf_prog_info.jited_prog_len(info),
                    bpf_prog_info.gpl_compatible(info) != 0, mapIds, bpf_prog_info.btf_id(info),
                    bpf_prog_info.run_time_ns(info), bpf_prog_info.run_cnt(info), bpf_prog_info.verified_insns(info),
                    bpf_prog_info.recursion_misses(info), FdInfo.number(FdInfo.of(fd), "memlock", 0), false);
        }
    }

    /**
     * The name of the program's first function in its BTF (func info record 0), which the
     * compiler wrote in full; {@code cutName} when that cannot be read (BTF gone meanwhile, not a
     * FUNC), as bpftool falls back.
     */
    private static String fullName(Arena arena, int fd, int btfId, String cutName) {
        MemorySegment record = arena.allocate(FUNC_INFO_SIZE);
        MemorySegment request = bpf_prog_info.allocate(arena);
        bpf_prog_info.nr_func_info(request, 1);
        bpf_prog_info.func_info_rec_size(request, FUNC_INFO_SIZE);
        bpf_prog_info.func_info(request, record.address());
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_prog_info.sizeof());
        if (LibBpf.bpf_prog_get_info_by_fd(fd, request, length) < 0) {
            return cutName;
        }
        int typeId = record.get(ValueLayout.JAVA_INT, 4);
        MemorySegment btf = LibBpf.btf__load_from_kernel_by_id(btfId);
        if (btf.address() == 0) {
            return cutName;
        }
        try {
            MemorySegment type = LibBpf.btf__type_by_id(btf, typeId);
            if (type.address() == 0) {
                return cutName;
            }
            type = type.reinterpret(12); // struct btf_type: name_off, info, size/type
            int kind = (type.get(ValueLayout.JAVA_INT, 4) >>> 24) & 0x1f;
            String full = kind == BTF_KIND_FUNC
                    ? LibBpfCall.string(LibBpf.btf__name_by_offset(btf, type.get(ValueLayout.JAVA_INT, 0))) : null;
            return full == null || full.isEmpty() ? cutName : full;
        } finally {
            LibBpf.btf__free(btf);
        }
    }

    /** The kernel id of the program behind fd. */
    static int idOf(int fd, String target) {
        try (Arena arena = Arena.ofConfined()) {
            return bpf_prog_info.id(queryInfo(arena, fd, target, null));
        }
    }

    /** One {@code bpf_prog_get_info_by_fd}; with mapIds, asks for that many map ids into it. */
    private static MemorySegment queryInfo(Arena arena, int fd, String target, MemorySegment mapIds) {
        MemorySegment info = bpf_prog_info.allocate(arena); // zeroed: the kernel rejects stray pointers
        if (mapIds != null) {
            bpf_prog_info.nr_map_ids(info, (int) (mapIds.byteSize() / Integer.BYTES));
            bpf_prog_info.map_ids(info, mapIds.address());
        }
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_prog_info.sizeof());
        int result = LibBpf.bpf_prog_get_info_by_fd(fd, info, length); // never prints: no LibBpfLog callback
        if (result < 0) {
            throw LibBpfCall.failure("get info of program", target, -result);
        }
        return info;
    }

    /** load_time counts nanoseconds since boot; turn it into wall-clock time. */
    private static Instant wallClock(long nanosSinceBoot) {
        return Instant.now().minus(Duration.ofNanos(LibC.bootTimeNanos() - nanosSinceBoot));
    }
}
