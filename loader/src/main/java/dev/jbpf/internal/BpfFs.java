package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The BPF file system (bpffs), where programs, maps and links are pinned. Shared by every
 * pin operation (programs, links, maps, the CLI's --pin). Not API; owns no native memory.
 */
public final class BpfFs {
    /** Where bpffs is mounted by convention, and where {@link #ensureMounted} mounts it. */
    public static final Path DEFAULT_MOUNT = Path.of("/sys/fs/bpf");
    private static final Path MOUNTS = Path.of("/proc/self/mounts");
    private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private BpfFs() {
    }

    /**
     * Makes sure {@code path} lies on a mounted bpffs. When it lies under /sys/fs/bpf and
     * nothing is mounted there yet, mounts bpffs there (needs root), as {@code bpftool} does.
     * Throws a {@link BpfException} saying so when the path is elsewhere, or mounting fails.
     */
    public static void ensureMounted(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if ("bpf".equals(fileSystemType(absolute))) {
            return;
        }
        if (!absolute.startsWith(DEFAULT_MOUNT)) {
            throw new BpfException("pin", path.toString(), Errno.EINVAL,
                    "is not on a BPF file system (bpffs); pin under " + DEFAULT_MOUNT);
        }
        int errno = LibC.mount("bpf", DEFAULT_MOUNT.toString(), "bpf");
        if (errno != 0) {
            throw BpfException.of("mount bpffs on", DEFAULT_MOUNT.toString(), errno, null);
        }
    }

    /** {@link #ensureMounted} for a pin path, then creates its missing parent directories. */
    public static void preparePin(Path pinPath) {
        ensureMounted(pinPath);
        Path parent = pinPath.toAbsolutePath().normalize().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new BpfException("create directory", parent.toString(), e.toString());
        }
    }

    /** The type of the file system mounted closest above {@code absolute} ("bpf", "sysfs", ...). */
    static String fileSystemType(Path absolute) {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTS);
        } catch (IOException e) {
            return null;
        }
        Path best = null;
        String type = null;
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(fields[1]));
            // later lines win on equal paths: they are mounted on top of the earlier ones
            if (absolute.startsWith(mountPoint) && (best == null || mountPoint.getNameCount() >= best.getNameCount())) {
                best = mountPoint;
                type = fields[2];
            }
        }
        return type;
    }

    /** /proc/mounts writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        Matcher matcher = OCTAL_ESCAPE.matcher(field);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(
                    String.valueOf((char) Integer.parseInt(matcher.group(1), 8))));
        }
        return matcher.appendTail(result).toString();
    }
}
