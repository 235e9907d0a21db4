package dev.jbpf.exporter;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cgroup v2 hierarchy as the exporter sees it: where it is mounted, and its directories by
 * cgroup id (the inode number of a cgroup's directory, what {@code bpf_get_current_cgroup_id}
 * returns), as full paths ({@code /sys/fs/cgroup/system.slice/ssh.service}): what the
 * {@code cgroup} decoder prints and what {@code cgroup_id_map}'s regexps are matched against, as
 * in ebpf_exporter. Static helpers; holds nothing.
 */
final class CgroupTree {
    private CgroupTree() {
    }

    /**
     * Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup when it is cgroup2, else the first
     * cgroup2 mount (/sys/fs/cgroup/unified on hybrid systems), null when there is none. Walking
     * cgroup v1 hierarchies instead would give wrong paths: their directories' inodes repeat the
     * v2 ids (every root is inode 1).
     */
    static Path cgroup2Root(Path mountinfo) {
        try {
            Path first = null;
            for (String line : Files.readAllLines(mountinfo)) {
                String[] halves = line.split(" - ", 2);
                String[] fields = halves[0].split(" ");
                if (halves.length == 2 && halves[1].startsWith("cgroup2 ") && fields.length > 4) {
                    Path mount = Path.of(fields[4].replace("\\040", " "));
                    if (mount.equals(Path.of("/sys/fs/cgroup"))) {
                        return mount;
                    }
                    first = first == null ? mount : first;
                }
            }
            return first;
        } catch (IOException e) {
            return null;
        }
    }

    /** The cgroup2 mount of this process (null: none). */
    static Path cgroup2Root() {
        return cgroup2Root(Path.of("/proc/self/mountinfo"));
    }

    /**
     * Every directory under {@code root} (itself included) by inode number. Directories removed
     * while walking are left out; an unreadable hierarchy gives what was read of it.
     *
     * @param beforeListing called with each directory before its entries are read (null: none),
     *     so that a watch set there also sees the subdirectories made after the walk read it
     */
    static Map<Long, String> walk(Path root, Consumer<Path> beforeListing) {
        Map<Long, String> paths = new HashMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (beforeListing != null) {
                        beforeListing.accept(dir);
                    }
                    try {
                        paths.put(((Number) Files.getAttribute(dir, "unix:ino")).longValue(), dir.toString());
                    } catch (IOException | UnsupportedOperationException gone) {
                        // removed while walking
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed while walking, or unreadable
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    return FileVisitResult.CONTINUE; // a directory removed while listing it
                }
            });
        } catch (IOException | RuntimeException e) {
            // what was read stands
        }
        return paths;
    }
}
