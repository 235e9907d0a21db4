package dev.jbpf.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * tracefs, where the kernel lists its tracepoints (events/CAT/NAME/id): libbpf reads it to
 * attach tracepoint programs, at /sys/kernel/tracing or under debugfs. Not API; owns no
 * native memory.
 */
public final class TraceFs {
    /** statfs f_type of tracefs (TRACEFS_MAGIC in linux/magic.h). */
    static final long TRACEFS_MAGIC = 0x74726163L;
    public static final Path DEFAULT_MOUNT = Path.of("/sys/kernel/tracing");
    private static final Path UNDER_DEBUGFS = Path.of("/sys/kernel/debug/tracing");
    /** Where tracefs is looked for, in libbpf's order: the usual mount, then under debugfs. */
    public static final List<Path> LOCATIONS = List.of(DEFAULT_MOUNT, UNDER_DEBUGFS);

    private TraceFs() {
    }

    /** True when tracefs is mounted where libbpf looks for it. */
    public static boolean isMounted() {
        return LibC.statfsType(DEFAULT_MOUNT.toString()) == TRACEFS_MAGIC
                || LibC.statfsType(UNDER_DEBUGFS.toString()) == TRACEFS_MAGIC;
    }

    /** The {@code events} directory of the first location that has one (tracefs mounted there). */
    public static Optional<Path> eventsDir() {
        return LOCATIONS.stream().map(root -> root.resolve("events")).filter(Files::isDirectory).findFirst();
    }

    /**
     * The explanation for a tracepoint attach that failed with ENOENT: tracefs missing, when it
     * is, else null (the tracepoint itself does not exist, which libbpf's words say).
     */
    public static String missingHint() {
        if (isMounted()) {
            return null;
        }
        return "tracefs is not mounted, and tracepoints are found through it: mount it (mount -t tracefs tracefs "
                + DEFAULT_MOUNT + "), or attach to a raw tracepoint (raw_tp/NAME), which needs no tracefs";
    }
}
