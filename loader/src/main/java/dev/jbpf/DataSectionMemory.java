package dev.jbpf;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import dev.jbpf.internal.MapMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Points libbpf's image of each data section map at the map itself after load, as
 * {@code bpf_object__load_skeleton} does: libbpf 1.4's {@code bpf_object__load} leaves
 * {@code bpf_map__initial_value} pointing at the anonymous copy it loaded from, so without this
 * a read would not see the program's writes (libbpf 1.5 remaps in load itself; doing it again
 * maps the same pages again). The new mapping replaces the old one at the same address and
 * size ({@link MapMemory#mapOver}), so libbpf's {@code munmap} in {@code bpf_object__close}
 * still frees it: the object stays the only owner. Not API.
 */
final class DataSectionMemory {
    private DataSectionMemory() {
    }

    /** Remaps every loaded, mmapable internal map of the object; BpfException when mmap fails. */
    static void remap(MemorySegment object, String objectName) {
        for (MemorySegment map : ObjectPointers.maps(object)) {
            int flags = LibBpf.bpf_map__map_flags(map);
            int fd = LibBpf.bpf_map__fd(map);
            if (!LibBpf.bpf_map__is_internal(map) || (flags & BpfConstants.BPF_F_MMAPABLE) == 0 || fd < 0) {
                continue;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment image = LibBpf.bpf_map__initial_value(map, arena.allocate(ValueLayout.JAVA_LONG));
                if (image.equals(MemorySegment.NULL)) {
                    continue;
                }
                long size = MapMemory.arraySize(LibBpf.bpf_map__value_size(map), LibBpf.bpf_map__max_entries(map));
                int prot = (flags & BpfConstants.BPF_F_RDONLY_PROG) != 0 ? LibC.PROT_READ
                        : LibC.PROT_READ | LibC.PROT_WRITE;
                MapMemory.mapOver(image, size, fd, prot, "map the memory of data section",
                        objectName + "/" + LibBpfCall.string(LibBpf.bpf_map__name(map)));
            }
        }
    }
}
