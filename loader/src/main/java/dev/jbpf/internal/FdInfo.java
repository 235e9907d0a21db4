package dev.jbpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
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
