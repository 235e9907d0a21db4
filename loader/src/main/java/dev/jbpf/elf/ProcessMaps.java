package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.Errno;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The memory map of a running process ({@code /proc/PID/maps}) and the files it runs code
 * from, each named as the process names it and as this process reaches it: through
 * {@code /proc/PID/root}, which leads into the process's mount namespace, so a process in a
 * container (or a chroot) works like any other. Reading another user's process needs the
 * right to trace it (root, or CAP_SYS_PTRACE). Static methods only; reads /proc, holds nothing.
 */
public final class ProcessMaps {
    /** What the kernel appends to the path of a file deleted (or replaced) since it was mapped. */
    private static final String DELETED = " (deleted)";

    private ProcessMaps() {
    }

    /**
     * One line of {@code /proc/PID/maps}: the addresses {@code [start, end)} map
     * {@code path} from {@code offset} on.
     *
     * @param permissions "r-xp": read, write, execute, then private (p) or shared (s)
     * @param path the file as the process names it (ending with " (deleted)" when the file was
     *     deleted or replaced since), a name in brackets ("[heap]", "[vdso]"), or empty for
     *     anonymous memory
     */
    public record Mapping(long start, long end, String permissions, long offset, String path) {
        public Mapping {
            Objects.requireNonNull(permissions, "permissions");
            Objects.requireNonNull(path, "path");
        }

        /** Whether the mapped memory may be executed (its code runs from there). */
        public boolean executable() {
            return permissions.length() > 2 && permissions.charAt(2) == 'x';
        }

        /** Whether a file that is still at its path is mapped (not anonymous, not special, not deleted since). */
        public boolean mapsFile() {
            return path.startsWith("/") && !path.endsWith(DELETED);
        }
    }

    /**
     * A file a process has mapped.
     *
     * @param pid the process
     * @param path the file's path as the process names it, in its own mount namespace
     * @param file the same file as this process reaches it: {@code /proc/PID/root} followed by
     *     {@code path}, in whatever mount namespace the process is, for as long as it runs
     * @param sameRoot whether the process sees the files this process sees under the same paths
     *     (the same mount namespace and root directory): then {@code path} names the same file here
     */
    public record MappedFile(int pid, Path path, Path file, boolean sameRoot) {
        public MappedFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(file, "file");
        }

        /**
         * The name of the file in this process: {@code path} when the process has the same root,
         * else {@code file}. The name to give {@code Uprobe}, {@code Usdt} or {@code jbpf attach
         * --at} to probe this very file.
         */
        public Path localPath() {
            return sameRoot ? path : file;
        }
    }

    /**
     * The lines of {@code /proc/PID/maps}, in address order.
     *
     * @throws IllegalArgumentException when {@code pid} is not positive
     * @throws BpfNotFoundException when there is no such process
     * @throws BpfException when its map cannot be read (EACCES: no right to trace it)
     */
    public static List<Mapping> read(int pid) {
        requirePid(pid);
        Path maps = Path.of("/proc", Integer.toString(pid), "maps");
        List<String> lines;
        try {
            lines = Files.readAllLines(maps);
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException("read the memory map of", "process " + pid, "no such process", e);
        } catch (AccessDeniedException e) {
            throw new BpfException("read the memory map of", "process " + pid, Errno.EACCES,
                    "reading another user's process needs root or CAP_SYS_PTRACE", e);
        } catch (IOException e) {
            throw new BpfException("read the memory map of", "process " + pid, e.getMessage(), e);
        }
        List<Mapping> mappings = new ArrayList<>(lines.size());
        for (String line : lines) {
            mappings.add(parse(line, maps));
        }
        return List.copyOf(mappings);
    }

    /**
     * The distinct files process {@code pid} has mapped executable (its program, its shared
     * libraries, the JVM's libjvm.so...), in the order of {@code /proc/PID/maps}. A file deleted
     * or replaced since it was mapped is left out: its path no longer leads to it.
     *
     * @throws IllegalArgumentException when {@code pid} is not positive
     * @throws BpfNotFoundException when there is no such process
     * @throws BpfException when its map cannot be read (EACCES: no right to trace it)
     */
    public static List<MappedFile> executableFiles(int pid) {
        List<Mapping> mappings = read(pid);
        boolean sameRoot = sameRoot(pid);
        Path root = Path.of("/proc", Integer.toString(pid), "root");
        Set<String> seen = new LinkedHashSet<>();
        List<MappedFile> files = new ArrayList<>();
        for (Mapping mapping : mappings) {
            if (mapping.executable() && mapping.mapsFile() && seen.add(mapping.path())) {
                Path path = Path.of(mapping.path());
                files.add(new MappedFile(pid, path, root.resolve(mapping.path().substring(1)), sameRoot));
            }
        }
        return List.copyOf(files);
    }

    /** "start-end perms offset dev inode [path]", the path padded with spaces and possibly containing some. */
    static Mapping parse(String line, Path source) {
        String[] fields = line.strip().split("\\s+", 6);
        String[] range = fields[0].split("-", 2);
        if (fields.length < 5 || range.length != 2) {
            throw new BpfException("read", source.toString(), "unexpected line '" + line + "'");
        }
        try {
            return new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), fields[1],
                    Long.parseUnsignedLong(fields[2], 16), fields.length == 6 ? fields[5] : "");
        } catch (NumberFormatException e) {
            throw new BpfException("read", source.toString(), "unexpected line '" + line + "'", e);
        }
    }

    /** Whether process pid has this process's mount namespace and root directory (false when that cannot be told). */
    private static boolean sameRoot(int pid) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            return Files.readSymbolicLink(proc.resolve("ns/mnt")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")))
                    && Files.isSameFile(proc.resolve("root"), Path.of("/proc/self/root"));
        } catch (IOException | SecurityException e) {
            return false; // the /proc/PID/root path works either way
        }
    }

    /** The exception of a process that is gone (or never was). */
    static BpfNotFoundException noSuchProcess(int pid, String operation) {
        return new BpfNotFoundException(operation, "process " + pid, "no such process");
    }

    private static void requirePid(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be a process id (positive), was " + pid);
        }
    }
}
