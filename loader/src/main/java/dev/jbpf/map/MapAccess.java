package dev.jbpf.map;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.Owner;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** This package's side of {@link Access}: handles of an object's maps, resources closed with a map. Owns nothing. */
final class MapAccess implements Access.Maps {
    @Override
    public OpenedMap opened(MemorySegment map, Runnable ensureOpen) {
        return new OpenedMap(map, ensureOpen);
    }

    /**
     * Wraps a loaded object's {@code struct bpf_map *}. The map does not own its fd; every
     * method uses it inside {@code object.use()}, so it throws IllegalStateException once the
     * owning object is closed and the object's close waits for calls in progress.
     */
    @Override
    public BpfMap ofObjectMap(MemorySegment bpfMap, Owner object) {
        Objects.requireNonNull(bpfMap, "bpfMap");
        Objects.requireNonNull(object, "object");
        object.ensureOpen();
        String name = LibBpfCall.string(LibBpf.bpf_map__name(bpfMap));
        int fd = LibBpf.bpf_map__fd(bpfMap);
        int id = fd >= 0 ? MapNative.infoByFd(fd, "get map info", name).id() : 0;
        return new BpfMap(bpfMap, object, -1, name, MapType.of(LibBpf.bpf_map__type(bpfMap)),
                LibBpf.bpf_map__key_size(bpfMap), LibBpf.bpf_map__value_size(bpfMap),
                LibBpf.bpf_map__max_entries(bpfMap), LibBpf.bpf_map__map_flags(bpfMap), id);
    }

    @Override
    public void closeWith(BpfMap map, AutoCloseable resource) {
        map.owner.own(resource);
    }

    @Override
    public void forget(BpfMap map, AutoCloseable resource) {
        map.owner.release(resource);
    }
}
