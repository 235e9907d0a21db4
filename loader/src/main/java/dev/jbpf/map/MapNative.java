package dev.jbpf.map;

import static dev.jbpf.bindings.BpfConstants.BPF_F_NO_PREALLOC;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_map_create_opts;
import dev.jbpf.bindings.bpf_map_info;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibBpfLog;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Native plumbing shared by the map classes: errno, map info, opening and creating maps (the
 * bodies of {@link BpfMap#openPinned}, {@link BpfMap#openById}, {@link BpfMap#create}). Every
 * native buffer lives in a confined arena of one call; an fd returned here belongs to the caller.
 */
final class MapNative {
    private MapNative() {
    }

    /** The positive errno of a failed libbpf call that returned ret (libbpf 1.x returns -errno). */
    static int errno(int ret) {
        return ret < 0 ? -ret : Math.abs(LibBpf.errno());
    }

    /** bpf_map_get_info_by_fd: the kernel's description of the map behind fd. */
    static MapInfo infoByFd(int fd, String operation, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = bpf_map_info.allocate(arena);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_map_info.sizeof());
            int ret = LibBpf.bpf_map_get_info_by_fd(fd, info, len);
            if (ret < 0) {
                throw BpfException.of(operation, target, errno(ret), "bpf_map_get_info_by_fd failed");
            }
            return new MapInfo(bpf_map_info.id(info), MapType.of(bpf_map_info.type(info)),
                    LibBpfCall.fixedString(bpf_map_info.name(info)), bpf_map_info.key_size(info), bpf_map_info.value_size(info),
                    bpf_map_info.max_entries(info), bpf_map_info.map_flags(info), bpf_map_info.btf_id(info),
                    bpf_map_info.btf_key_type_id(info), bpf_map_info.btf_value_type_id(info));
        }
    }

    /**
     * The map info of fd, which the caller hands to a new BpfMap that will own it; closes fd
     * when describing it fails.
     */
    static MapInfo adopt(int fd, String operation, String target) {
        try {
            return infoByFd(fd, operation, target);
        } catch (RuntimeException | Error e) {
            Fd.close(fd);
            throw e;
        }
    }

    /** bpf_map_create with options checked as {@link BpfMap#create(MapType, String, int, int, int, MapOptions)} says: the new fd. */
    static int create(MapType type, String name, int keySize, int valueSize, int maxEntries, MapOptions options) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        if (type == MapType.UNKNOWN || type == MapType.UNSPEC) {
            throw new IllegalArgumentException("cannot create a map of type " + type);
        }
        boolean mapOfMaps = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        if (mapOfMaps && options.innerMap() == null) {
            throw new IllegalArgumentException("a " + type.displayName()
                    + " map needs an inner map template: MapOptions.DEFAULT.withInnerMap(map)");
        }
        if (!mapOfMaps && options.innerMap() != null) {
            throw new IllegalArgumentException("only map-of-maps take an inner map, not a " + type.displayName());
        }
        int innerFd;
        try {
            innerFd = mapOfMaps ? options.innerMap().fd() : -1;
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the inner map template is closed", e);
        }
        int flags = options.flags() | (type == MapType.LPM_TRIE ? BPF_F_NO_PREALLOC : 0);
        int fd;
        LibBpfLog.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_map_create_opts.allocate(arena);
            bpf_map_create_opts.sz(opts, bpf_map_create_opts.sizeof());
            bpf_map_create_opts.map_flags(opts, flags);
            bpf_map_create_opts.map_extra(opts, options.mapExtra());
            if (mapOfMaps) {
                bpf_map_create_opts.inner_map_fd(opts, innerFd);
            }
            fd = LibBpf.bpf_map_create(type.value(), arena.allocateFrom(name), keySize, valueSize, maxEntries, opts);
        }
        if (fd < 0) {
            String libbpf = LibBpfLog.explanation();
            throw BpfException.of("create map", name, errno(fd), type.displayName() + " key " + keySize
                    + " value " + valueSize + " max_entries " + maxEntries + (flags != 0 ? " flags 0x"
                    + Integer.toHexString(flags) : "") + (libbpf == null ? "" : "; " + libbpf));
        }
        return fd;
    }

    private static final class Cpus {
        static final int POSSIBLE;

        static {
            int n = LibBpf.libbpf_num_possible_cpus();
            POSSIBLE = n;
        }
    }

    /** libbpf_num_possible_cpus(), cached. */
    static int possibleCpus() {
        int n = Cpus.POSSIBLE;
        if (n <= 0) {
            throw BpfException.of("count possible CPUs", "", -n, "libbpf_num_possible_cpus failed");
        }
        return n;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }
}
