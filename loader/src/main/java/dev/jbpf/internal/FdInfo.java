package dev.jbpf.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields of {@code /proc/self/fdinfo/FD} for a BPF object's fd: what the kernel tells only
 * there, not in the object's info struct ({@code memlock}, a map's {@code frozen}, a prog
 * array's {@code owner_prog_type}). Not API; reads a file, owns no fd (the caller's fd must
 * stay open while it reads).
 */
public final class FdInfo {
    private FdInfo() {
    }

    /** Every "key: value" line of the fd's fdinfo; empty when it cannot be read (no /proc). */
    public static Map<String, String> of(int fd) {
        Map<String, String> fields = new HashMap<>();
        // FileInputStream, not Files: the JVM loaded it at start, Files would load the NIO channel classes
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/fdinfo/" + fd)) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            // no /proc or the fd is gone: the caller shows what the info struct gives
        }
        return fields;
    }

    /**
     * {@link #of} for the map with this kernel id, through an fd opened and closed here; empty
     * when no map has that id (any more).
     */
    public static Map<String, String> ofMapId(int id) {
        int fd = dev.jbpf.bindings.LibBpf.bpf_map_get_fd_by_id(id); // never prints: no LibBpfLog callback
        if (fd < 0) {
            return Map.of();
        }
        try (Fd map = Fd.adopt(fd)) {
            return of(map.value());
        }
    }

    /** A numeric field of {@link #of}, or {@code absent} when the kernel does not give it. */
    public static long number(Map<String, String> fields, String key, long absent) {
        String value = fields.get(key);
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return absent;
        }
    }
}
