package dev.jbpf.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads glibc's {@code /etc/ld.so.cache}, the library name → path table {@code ldconfig}
 * writes and the dynamic linker consults: both the current format ("glibc-ld.so.cache1.1")
 * and the old one ("ld.so-1.7.0", which may carry the new one after its own entries). An
 * unreadable or unknown file gives an empty table (the linker then just searches directories).
 */
final class LdSoCache {
    static final Path SYSTEM = Path.of("/etc/ld.so.cache");
    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    /** Header of the new format: magic+version (20), nlibs, len_strings, flags+pad, extension offset, 3 unused. */
    private static final int NEW_HEADER = 48, NEW_ENTRY = 24;
    /** Header of the old format: magic padded to 12, nlibs. */
    private static final int OLD_HEADER = 16, OLD_ENTRY = 12;

    private LdSoCache() {
    }

    /** The system's table, parsed again only when ldconfig rewrote the file. */
    private static final ParsedFileCache<Map<String, List<Path>>> CACHE = new ParsedFileCache<>(1);

    static Map<String, List<Path>> system() {
        return CACHE.get(SYSTEM, LdSoCache::read);
    }

    /** Library name → paths, in the cache's order (the linker takes the first usable one). */
    static Map<String, List<Path>> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Map.of();
        }
        return parse(bytes);
    }

    static Map<String, List<Path>> parse(byte[] bytes) {
        // The cache is written in the machine's own byte order.
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        Map<String, List<Path>> table = new LinkedHashMap<>();
        try {
            if (startsWith(bytes, 0, NEW_MAGIC)) {
                readNew(data, 0, table);
            } else if (startsWith(bytes, 0, OLD_MAGIC)) {
                int count = data.getInt(12);
                long end = OLD_HEADER + (long) count * OLD_ENTRY;
                long newStart = (end + 7) & ~7L; // the new table follows, 8-byte aligned
                if (count >= 0 && newStart + NEW_HEADER <= bytes.length && startsWith(bytes, (int) newStart, NEW_MAGIC)) {
                    readNew(data, (int) newStart, table);
                } else if (count >= 0 && end <= bytes.length) {
                    // Old-only format: strings follow the entries and offsets count from there.
                    for (int i = 0; i < count; i++) {
                        int entry = OLD_HEADER + i * OLD_ENTRY;
                        add(table, string(bytes, end + Integer.toUnsignedLong(data.getInt(entry + 4))),
                                string(bytes, end + Integer.toUnsignedLong(data.getInt(entry + 8))));
                    }
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return Map.of(); // a damaged cache is as good as none
        }
        table.replaceAll((name, paths) -> List.copyOf(paths));
        return java.util.Collections.unmodifiableMap(table); // shared by every caller (CACHE)
    }

    private static void readNew(ByteBuffer data, int start, Map<String, List<Path>> table) {
        int count = data.getInt(start + 20);
        for (int i = 0; i < count; i++) {
            int entry = start + NEW_HEADER + i * NEW_ENTRY;
            // String offsets of the new format count from the start of its header.
            add(table, string(data.array(), start + Integer.toUnsignedLong(data.getInt(entry + 4))),
                    string(data.array(), start + Integer.toUnsignedLong(data.getInt(entry + 8))));
        }
    }

    private static void add(Map<String, List<Path>> table, String name, String path) {
        if (!name.isEmpty() && !path.isEmpty()) {
            table.computeIfAbsent(name, k -> new ArrayList<>()).add(Path.of(path));
        }
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        if (offset < 0 || offset + prefix.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] bytes, long offset) {
        if (offset < 0 || offset >= bytes.length) {
            return "";
        }
        int end = (int) offset;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }
}
