package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.internal.KernelObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel says about one map ({@code struct bpf_map_info}), copied into Java; owns no
 * native memory and no fd.
 *
 * @param id the kernel's map id
 * @param type the map type ({@link MapType#UNKNOWN} for types this jbpf does not know)
 * @param name the kernel's name of the map (at most 15 characters: longer names are cut)
 * @param keySize key size in bytes
 * @param valueSize value size in bytes (per CPU for per-CPU maps)
 * @param maxEntries the map's capacity
 * @param flags the map's BPF_F_* creation flags
 * @param btfId the id of the map's BTF, 0 when it has none
 * @param btfKeyTypeId the BTF type id of the key within that BTF, 0 when unknown
 * @param btfValueTypeId the BTF type id of the value within that BTF, 0 when unknown
 */
public record MapInfo(int id, MapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
        int btfId, int btfKeyTypeId, int btfValueTypeId) {

    /** Length of a map name in the kernel, NUL included ({@code BPF_OBJ_NAME_LEN}). */
    static final int KERNEL_NAME_LEN = 16;

    /**
     * Every map in the kernel, by increasing id ({@code bpf_map_get_next_id},
     * {@code bpf_map_get_fd_by_id}, {@code bpf_map_get_info_by_fd}); every fd opened is closed
     * before returning. Maps that disappear while listing are skipped. Needs CAP_SYS_ADMIN (or
     * CAP_BPF): otherwise {@link dev.jbpf.BpfPermissionException}.
     */
    public static List<MapInfo> listAll() {
        List<MapInfo> maps = new ArrayList<>();
        forEach(maps::add);
        return maps;
    }

    /**
     * {@link #listAll()} one map at a time, for callers that print as they go: each map's fd is
     * closed before {@code action} sees its info.
     */
    public static void forEach(java.util.function.Consumer<MapInfo> action) {
        KernelObjects.forEach(KernelObjects.Kind.MAP, (fd, id) -> MapNative.infoByFd(fd, "get map info", "id " + id), action);
    }

    /** The map with this kernel id ({@code bpf_map_get_fd_by_id}); none → BpfNotFoundException. */
    public static MapInfo ofId(int id) {
        try (BpfMap map = BpfMap.openById(id)) {
            return map.info();
        }
    }

    /** The map pinned at path ({@code bpf_obj_get}); a pinned program or link there → BpfException (EINVAL). */
    public static MapInfo ofPinned(java.nio.file.Path path) {
        try (BpfMap map = BpfMap.openPinned(path)) {
            return map.info();
        }
    }

    /**
     * The first map (lowest id) with this name. Names longer than the kernel keeps (15
     * characters) also match the kernel's cut name.
     */
    public static Optional<MapInfo> findByName(String name) {
        Objects.requireNonNull(name, "name");
        String cut = name.length() >= KERNEL_NAME_LEN ? name.substring(0, KERNEL_NAME_LEN - 1) : name;
        return listAll().stream().filter(m -> m.name().equals(name) || m.name().equals(cut)).findFirst();
    }

    /** True for per-CPU map types. */
    public boolean isPerCpu() {
        return type.isPerCpu();
    }
}
