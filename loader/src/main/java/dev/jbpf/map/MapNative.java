package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_map_info;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Native plumbing shared by the map classes. Every native buffer lives in a confined arena of one call. */
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
