package dev.jbpf;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Access;
import dev.jbpf.btf.Btf;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Walks the programs and maps of a {@code struct bpf_object} (libbpf's iterator functions). */
final class ObjectPointers {
    private ObjectPointers() {
    }

    /** Every {@code struct bpf_program *} of the object, in ELF order. */
    static List<MemorySegment> programs(MemorySegment object) {
        List<MemorySegment> programs = new ArrayList<>();
        for (MemorySegment p = LibBpf.bpf_object__next_program(object, MemorySegment.NULL);
                !p.equals(MemorySegment.NULL); p = LibBpf.bpf_object__next_program(object, p)) {
            programs.add(p);
        }
        return programs;
    }

    /** Every {@code struct bpf_map *} of the object, in ELF order. */
    static List<MemorySegment> maps(MemorySegment object) {
        List<MemorySegment> maps = new ArrayList<>();
        for (MemorySegment m = LibBpf.bpf_object__next_map(object, MemorySegment.NULL);
                !m.equals(MemorySegment.NULL); m = LibBpf.bpf_object__next_map(object, m)) {
            maps.add(m);
        }
        return maps;
    }

    /** The object's own BTF ({@code bpf_object__btf}), borrowed from it; empty when it has none. */
    static Optional<Btf> btf(MemorySegment object, Runnable ensureOpen) {
        MemorySegment btf = LibBpf.bpf_object__btf(object);
        return btf.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(Access.btfs().borrowed(btf, ensureOpen));
    }
}
