package dev.jbpf;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Points libbpf's image of each data section map at the map itself after load, as
 * {@code bpf_object__load_skeleton} does: libbpf 1.4's {@code bpf_object__load} leaves
 * {@code bpf_map__initial_value} pointing at the anonymous copy it loaded from, so without this
 * a read would not see the program's writes (libbpf 1.5 remaps in load itself; doing it again
 * maps the same pages again). The new mapping replaces the old one at the same address and
 * size, so libbpf's {@code munmap} in {@code bpf_object__close} still frees it: the object stays
 * the only owner. Not API.
 */
final class DataSectionMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MMAP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mmap").orElseThrow(() -> new UnsatisfiedLinkError("libc has no mmap")),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(
            LINKER.defaultLookup().find("sysconf").orElseThrow(() -> new UnsatisfiedLinkError("libc has no sysconf")),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    // <sys/mman.h> and <unistd.h> on Linux (the same on x86_64 and arm64)
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_FIXED = 0x10, SC_PAGESIZE = 30;

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
                // libbpf's bpf_map_mmap_sz: 8-byte aligned values times entries, whole pages
                long size = roundUp(roundUp(LibBpf.bpf_map__value_size(map), 8) * LibBpf.bpf_map__max_entries(map),
                        pageSize());
                int prot = (flags & BpfConstants.BPF_F_RDONLY_PROG) != 0 ? PROT_READ : PROT_READ | PROT_WRITE;
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment mapped = (MemorySegment) MMAP.invokeExact(state, image, size, prot, MAP_SHARED | MAP_FIXED,
                        fd, 0L);
                if (mapped.address() != image.address()) {
                    int errno = (int) ERRNO.get(state, 0L);
                    throw LibBpfCall.failure("map the memory of data section", objectName + "/"
                            + LibBpfCall.string(LibBpf.bpf_map__name(map)), errno);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("mmap", t);
            }
        }
    }

    private static long pageSize() {
        try {
            long size = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return size > 0 ? size : 4096;
        } catch (Throwable t) {
            throw new AssertionError("sysconf", t);
        }
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
