package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.FdInfo;
import dev.jbpf.internal.Owner;
import java.util.Map;

/**
 * What a map's fd says in {@code /proc/self/fdinfo} (frozen, the fd's access mode), freezing
 * ({@code bpf_map_freeze}), and the exception for a failed map call, which reads fdinfo to
 * explain EPERM. The bodies of {@link BpfMap#freeze()} and {@link BpfMap#isFrozen()}. Owns
 * nothing: it reads a file about the map's fd while the map is in use.
 */
final class MapFdInfo {
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    private MapFdInfo() {
    }

    static void freeze(BpfMap map) {
        try (Owner.Use use = map.use()) {
            int ret = LibBpf.bpf_map_freeze(map.fd());
            if (ret < 0) {
                throw BpfException.of("freeze", map.name, MapNative.errno(ret), null);
            }
        }
    }

    static boolean isFrozen(BpfMap map) {
        map.checkOpen();
        return frozen(fields(map));
    }

    private static boolean frozen(Map<String, String> fdInfo) {
        return !"0".equals(fdInfo.getOrDefault("frozen", "0"));
    }

    /** The fields of /proc/self/fdinfo/FD (map_type, frozen, flags, ...); empty when unreadable. */
    private static Map<String, String> fields(BpfMap map) {
        try (Owner.Use use = map.use()) {
            return FdInfo.of(map.fd());
        }
    }

    private static int parseOctal(String value) {
        try {
            return value == null ? -1 : Integer.parseInt(value, 8);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The exception for a failed map call. EPERM from a write says why when it can (a frozen
     * or read-only map), which is not the missing privilege BpfPermissionException assumes.
     */
    static BpfException failure(BpfMap map, String operation, int errno, String detail) {
        if (errno == Errno.EPERM) {
            Map<String, String> fdInfo = fields(map);
            String why = frozen(fdInfo) ? "the map is frozen: user space can no longer write it"
                    : (parseOctal(fdInfo.get("flags")) & O_ACCMODE) == O_RDONLY
                    ? "this fd of the map is read-only (created or opened with BPF_F_RDONLY)" : null;
            if (why != null) {
                detail = detail == null ? why : why + "; " + detail;
            }
        }
        return BpfException.of(operation, map.name, errno, detail);
    }
}
