package dev.jbpf.tools.jvm;

/** Lines of {@code /proc/PID/maps}. Static methods only. */
final class ProcMaps {
    private static final String DELETED = " (deleted)";

    private ProcMaps() {
    }

    /**
     * One mapping: {@code [start, end)} maps the file {@code path} from {@code offset}.
     *
     * @param deleted the file was deleted (or replaced) after it was mapped
     */
    record Mapping(long start, long end, long offset, String path, boolean deleted) {
        /** Whether the mapping is of a file called {@code fileName} ("libjvm.so"). */
        boolean isFile(String fileName) {
            return path.endsWith("/" + fileName);
        }
    }

    /** The mapping of one line, or null for an anonymous mapping or a line it cannot read. */
    static Mapping parse(String line) {
        // start-end perms offset dev inode path: the path may contain spaces
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 6 || !fields[5].startsWith("/")) {
            return null;
        }
        try {
            int dash = fields[0].indexOf('-');
            long start = Long.parseUnsignedLong(fields[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(fields[0].substring(dash + 1), 16);
            long offset = Long.parseUnsignedLong(fields[2], 16);
            String path = fields[5];
            boolean deleted = path.endsWith(DELETED);
            if (deleted) {
                path = path.substring(0, path.length() - DELETED.length());
            }
            return new Mapping(start, end, offset, path, deleted);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
