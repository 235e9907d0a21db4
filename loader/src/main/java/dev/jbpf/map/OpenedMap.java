package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A map of an opened, not yet loaded object: its declared shape, and settings to change
 * before load. The {@code struct bpf_map} belongs to libbpf's {@code bpf_object}, owned by the
 * {@code OpenedObject}; this class owns no native memory. Once the object is loaded or closed,
 * every method throws {@link IllegalStateException}.
 */
public final class OpenedMap {
    private final MemorySegment bpfMap;
    private final Runnable ensureOpen;

    /**
     * Wraps a {@code struct bpf_map *} of an open object (for {@code OpenedObject}, through
     * {@code internal.Access.maps()}); {@code ensureOpen} runs first in every method and throws
     * IllegalStateException once the object is loaded or closed.
     */
    OpenedMap(MemorySegment bpfMap, Runnable ensureOpen) {
        this.bpfMap = Objects.requireNonNull(bpfMap, "bpfMap");
        this.ensureOpen = Objects.requireNonNull(ensureOpen, "ensureOpen");
    }

    public String name() {
        ensureOpen.run();
        return LibBpfCall.string(LibBpf.bpf_map__name(bpfMap));
    }

    public MapType type() {
        ensureOpen.run();
        return MapType.of(LibBpf.bpf_map__type(bpfMap));
    }

    public int keySize() {
        ensureOpen.run();
        return LibBpf.bpf_map__key_size(bpfMap);
    }

    /** Value size in bytes (per CPU for per-CPU maps). */
    public int valueSize() {
        ensureOpen.run();
        return LibBpf.bpf_map__value_size(bpfMap);
    }

    public int maxEntries() {
        ensureOpen.run();
        return LibBpf.bpf_map__max_entries(bpfMap);
    }

    /** True for the maps libbpf makes itself (.rodata, .data, .bss, .kconfig, ...). */
    public boolean isInternal() {
        ensureOpen.run();
        return LibBpf.bpf_map__is_internal(bpfMap);
    }

    /** The BTF type id of the key in the object's BTF ({@code __type(key, ...)}), 0 when the map declares none. */
    public int btfKeyTypeId() {
        ensureOpen.run();
        return LibBpf.bpf_map__btf_key_type_id(bpfMap);
    }

    /** The BTF type id of the value in the object's BTF ({@code __type(value, ...)}), 0 when the map declares none. */
    public int btfValueTypeId() {
        ensureOpen.run();
        return LibBpf.bpf_map__btf_value_type_id(bpfMap);
    }

    /** The BPF_F_* flags the map will be created with. */
    public int flags() {
        ensureOpen.run();
        return LibBpf.bpf_map__map_flags(bpfMap);
    }

    /**
     * Sets the capacity the map will be created with ({@code bpf_map__set_max_entries}); for
     * ring buffers a power-of-2 multiple of the page size, in bytes.
     *
     * @return this
     */
    public OpenedMap maxEntries(int maxEntries) {
        ensureOpen.run();
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("max entries must be positive, got " + maxEntries);
        }
        int ret = LibBpf.bpf_map__set_max_entries(bpfMap, maxEntries);
        if (ret < 0) {
            throw BpfException.of("set max entries of", name(), MapNative.errno(ret), null);
        }
        return this;
    }

    @Override
    public String toString() {
        return "OpenedMap[" + bpfMap + "]";
    }
}
