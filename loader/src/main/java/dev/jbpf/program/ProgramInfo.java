package dev.jbpf.program;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_info;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the kernel says about one loaded program ({@code struct bpf_prog_info}), copied into
 * Java: owns no native memory and no fd.
 *
 * @param id the kernel's program id
 * @param type the program type ({@link ProgramType#UNKNOWN} for types this jbpf does not know)
 * @param name the kernel's name of the program (at most 15 characters: longer names are cut)
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
 */
public record ProgramInfo(int id, ProgramType type, String name, String tag, Instant loadTime, int uid,
        int xlatedLength, int jitedLength, boolean gplCompatible, List<Integer> mapIds, int btfId, long runTimeNs,
        long runCount, int verifiedInstructions) {

    private static final int BPF_INSN_SIZE = 8;

    public ProgramInfo {
        mapIds = List.copyOf(mapIds);
    }

    /** Instructions after the verifier's rewriting ({@code xlated_prog_len / 8}). */
    public int xlatedInstructions() {
        return xlatedLength / BPF_INSN_SIZE;
    }

    /**
     * Every program loaded in the kernel, by increasing id ({@code bpf_prog_get_next_id},
     * {@code bpf_prog_get_fd_by_id}, {@code bpf_prog_get_info_by_fd}); closes every fd it opens
     * before returning. Programs unloaded while listing are skipped. Without CAP_SYS_ADMIN
     * (or CAP_BPF): {@link dev.jbpf.BpfPermissionException}.
     */
    public static List<ProgramInfo> listAll() {
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        List<ProgramInfo> programs = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(ValueLayout.JAVA_INT);
            int id = 0;
            while (true) {
                int previous = id;
                int result = LibBpf.bpf_prog_get_next_id(previous, next);
                if (result == -Errno.ENOENT) {
                    break; // no program after id
                }
                if (result < 0) {
                    throw LibBpfCall.failure("list programs", "", -result);
                }
                id = next.get(ValueLayout.JAVA_INT, 0);
                int fd = LibBpf.bpf_prog_get_fd_by_id(id);
                if (fd == -Errno.ENOENT) {
                    continue; // unloaded since get_next_id
                }
                if (fd < 0) {
                    throw LibBpfCall.failure("open program", "id " + id, -fd);
                }
                try (Fd program = Fd.adopt(fd)) {
                    programs.add(ofFd(program.value(), "id " + id));
                }
            }
        }
        return programs;
    }

    /** The program with this kernel id ({@code bpf_prog_get_fd_by_id}); none → BpfNotFoundException. */
    public static ProgramInfo ofId(int id) {
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        int fd = LibBpf.bpf_prog_get_fd_by_id(id);
        if (fd == -Errno.ENOENT) {
            throw dev.jbpf.BpfException.of("open program", "id " + id, Errno.ENOENT, "no program has this id (prog list shows those that do)");
        }
        if (fd < 0) {
            throw LibBpfCall.failure("open program", "id " + id, -fd);
        }
        try (Fd program = Fd.adopt(fd)) {
            return ofFd(program.value(), "id " + id);
        }
    }

    /** The program pinned at path ({@code bpf_obj_get}); a pinned map or link there → BpfException (EINVAL). */
    public static ProgramInfo ofPinned(java.nio.file.Path path) {
        // a thin syscall wrapper that never prints: no LibBpfLog callback (an upcall stub, ~15 ms at start)
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = LibBpf.bpf_obj_get(arena.allocateFrom(path.toString()));
        }
        if (fd < 0) {
            throw dev.jbpf.internal.BpfFs.notAPin("open pinned program", path, -fd);
        }
        try (Fd program = Fd.adopt(fd)) {
            if (!Fd.kind(program.value()).equals("bpf-prog")) {
                throw new dev.jbpf.BpfException("open pinned program", path.toString(), Errno.EINVAL,
                        "what is pinned there is a " + Fd.kindName(program.value()) + ", not a program");
            }
            return ofFd(program.value(), path.toString());
        }
    }

    /** The info of the program behind fd; target names it in error messages. */
    static ProgramInfo ofFd(int fd, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = queryInfo(arena, fd, target, null);
            int mapCount = bpf_prog_info.nr_map_ids(info);
            List<Integer> mapIds = List.of();
            if (mapCount > 0) {
                // Second call, now with room for the map ids (the first one only counted them).
                MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, mapCount);
                info = queryInfo(arena, fd, target, ids);
                int returned = Math.min(mapCount, bpf_prog_info.nr_map_ids(info));
                mapIds = IntStream.range(0, returned).mapToObj(i -> ids.getAtIndex(ValueLayout.JAVA_INT, i)).toList();
            }
            return new ProgramInfo(bpf_prog_info.id(info), ProgramType.of(bpf_prog_info.type(info)),
                    LibBpfCall.fixedString(bpf_prog_info.name(info)), HexFormat.of().formatHex(bpf_prog_info.tag(info)
                            .toArray(ValueLayout.JAVA_BYTE)), wallClock(bpf_prog_info.load_time(info)),
                    bpf_prog_info.created_by_uid(info), bpf_prog_info.xlated_prog_len(info),
                    bpf_prog_info.jited_prog_len(info), bpf_prog_info.gpl_compatible(info) != 0, mapIds,
                    bpf_prog_info.btf_id(info), bpf_prog_info.run_time_ns(info), bpf_prog_info.run_cnt(info),
                    bpf_prog_info.verified_insns(info));
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
        LibBpfCall.check("get info of program", target, () -> LibBpf.bpf_prog_get_info_by_fd(fd, info, length));
        return info;
    }

    /** A char[] field: its bytes up to the first NUL. */
    /** load_time counts nanoseconds since boot; turn it into wall-clock time. */
    private static Instant wallClock(long nanosSinceBoot) {
        return Instant.now().minus(Duration.ofNanos(LibC.bootTimeNanos() - nanosSinceBoot));
    }
}
