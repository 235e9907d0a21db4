package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory of BPF maps seen from this process: the one place jbpf maps a map fd's memory
 * ({@code mmap(2)} of ring buffers and mmapable arrays) and turns a mapping into a
 * {@link MemorySegment}. Not API.
 *
 * <p>Who owns what: a {@link Mapping} from {@link #map} is owned by its caller, who unmaps it
 * once with {@link Mapping#unmap()} after closing the arena of every segment it handed out, so
 * that a segment kept too long throws instead of touching unmapped memory. {@link #mapOver}
 * replaces pages that libbpf mapped and libbpf keeps owning them (its {@code bpf_object__close}
 * unmaps them). {@link #view} is a segment over memory someone else mapped (libbpf's perf rings,
 * data sections): the segment's arena bounds its use, and the owner must outlive that arena.
 */
public final class MapMemory {
    private MapMemory() {
    }

    /** A mapping of a map's memory that its holder owns: unmap it once, after its segments' arena is closed. */
    public static final class Mapping {
        private final MemorySegment address;
        private final long length;

        private Mapping(MemorySegment address, long length) {
            this.address = address;
            this.length = length;
        }

        /** The mapping as a segment of {@code length} bytes, usable while {@code scope} is open. */
        @SuppressWarnings("restricted")
        public MemorySegment segment(Arena scope) {
            return address.reinterpret(length, scope, null);
        }

        /** {@code munmap}; call once, when no segment of it can be reached any more. */
        public void unmap() {
            LibC.munmap(address, length);
        }
    }

    /**
     * Maps {@code length} bytes of the map behind {@code fd}, from byte {@code offset}, shared
     * with the kernel ({@code MAP_SHARED}); {@code prot} is {@link LibC#PROT_READ} or with
     * {@link LibC#PROT_WRITE}. The caller owns the mapping.
     *
     * @throws BpfException "{@code operation target}: errno" when mmap fails
     */
    public static Mapping map(int fd, long offset, long length, int prot, String operation, String target) {
        int[] errno = new int[1];
        MemorySegment address = LibC.mmap(MemorySegment.NULL, length, prot, LibC.MAP_SHARED, fd, offset, errno);
        if (address == null) {
            throw BpfException.of(operation, target, errno[0], null);
        }
        return new Mapping(address, length);
    }

    /**
     * Maps the map behind {@code fd} over the {@code length} bytes at {@code existing}
     * ({@code MAP_FIXED}): the pages at that address now are the map's memory. Whoever owned
     * the replaced mapping owns the new one (same address and length, so its {@code munmap}
     * frees it).
     *
     * @throws BpfException "{@code operation target}: errno" when mmap fails
     */
    public static void mapOver(MemorySegment existing, long length, int fd, int prot, String operation, String target) {
        int[] errno = new int[1];
        MemorySegment address = LibC.mmap(existing, length, prot, LibC.MAP_SHARED | LibC.MAP_FIXED, fd, 0, errno);
        if (address == null || address.address() != existing.address()) {
            throw BpfException.of(operation, target, errno[0], null);
        }
    }

    /**
     * {@code length} bytes at {@code address}, memory libbpf mapped or allocated and owns (a
     * perf ring, a data section's image), as a segment usable while {@code scope} is open
     * ({@link Arena#global()} when the owner's own state guards every use instead).
     */
    @SuppressWarnings("restricted")
    public static MemorySegment view(MemorySegment address, long length, Arena scope) {
        return address.reinterpret(length, scope, null);
    }

    /**
     * The bytes the kernel maps for an mmapable array ({@code bpf_map_mmap_sz} of libbpf):
     * each value rounded up to 8 bytes, times the entries, rounded up to whole pages.
     */
    public static long arraySize(int valueSize, int maxEntries) {
        return roundUp(roundUp(Integer.toUnsignedLong(valueSize), 8) * Integer.toUnsignedLong(maxEntries), pageSize());
    }

    /** The size of a memory page (4096 when the system does not say). */
    public static long pageSize() {
        long size = LibC.pageSize();
        return size > 0 ? size : 4096;
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
