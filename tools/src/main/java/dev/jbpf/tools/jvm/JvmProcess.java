package dev.jbpf.tools.jvm;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ProcessMaps;
import dev.jbpf.elf.UsdtProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A running HotSpot JVM, found by its process id: the {@code libjvm.so} it has mapped (from
 * {@code /proc/PID/maps}, through {@link ProcessMaps}), opened through {@code /proc/PID/root} when
 * the JVM has another root (a container), so that it is read from its own file system. The JVM tools attach their programs
 * to this file's USDT probes (provider {@code hotspot}) for this process only.
 *
 * <p>A plain value: holds no file descriptor and no native memory. What it says about the
 * process is read once, by {@link #of}; {@link #isAlive()} and {@link #booleanFlag} read
 * {@code /proc} again.
 */
public final class JvmProcess {
    /** The provider of HotSpot's USDT probes. */
    public static final String PROVIDER = "hotspot";
    private static final String LIBJVM = "/libjvm.so";
    /** What the kernel appends in /proc/PID/maps to the path of a file deleted (or replaced) since it was mapped. */
    private static final String DELETED = " (deleted)";

    private final int pid;
    private final String command;
    private final Path libjvm;
    private final Path libjvmFile;
    /** When the process started (clock ticks after boot, /proc/PID/stat): tells a reused pid from it. */
    private final long startTime;
    /** From the JDK's release file, read while the process lives (its file system is gone with it). */
    private final Optional<String> javaVersion;

    private JvmProcess(int pid, String command, Path libjvm, Path libjvmFile, long startTime) {
        this.pid = pid;
        this.command = command;
        this.libjvm = libjvm;
        this.libjvmFile = libjvmFile;
        this.startTime = startTime;
        this.javaVersion = readJavaVersion();
    }

    /**
     * The JVM running as process {@code pid}.
     *
     * @throws IllegalArgumentException when pid is not positive, there is no such process, or the
     *     process is not a JVM (no libjvm.so in its memory map), each said in one sentence
     * @throws IllegalStateException when the process's maps cannot be read, or its libjvm.so was
     *     deleted since it started (a JDK updated under a running JVM)
     */
    public static JvmProcess of(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("a process id is positive, not " + pid);
        }
        List<ProcessMaps.Mapping> maps;
        try {
            maps = ProcessMaps.read(pid);
        } catch (BpfNotFoundException e) {
            throw new IllegalArgumentException("no process " + pid, e);
        }
        String command = command(pid);
        for (ProcessMaps.Mapping mapping : maps) {
            String path = mapping.path();
            if (path.endsWith(LIBJVM + DELETED)) {
                throw new IllegalStateException("process " + pid + " (" + command + ") runs a libjvm.so that was deleted"
                        + " since it started (" + path.substring(0, path.length() - DELETED.length()) + ", a JDK updated"
                        + " under it?): its probes cannot be attached; restart the JVM");
            }
            if (!path.endsWith(LIBJVM)) {
                continue;
            }
            long startTime = startTime(pid);
            Path file = ProcessMaps.executableFiles(pid).stream().filter(mapped -> mapped.path().toString().equals(path))
                    .map(ProcessMaps.MappedFile::localPath).findFirst().orElse(null);
            if (startTime < 0 || file == null) {
                throw new IllegalArgumentException("no process " + pid); // it exited meanwhile
            }
            return new JvmProcess(pid, command, Path.of(path), file, startTime);
        }
        if (maps.isEmpty()) {
            // a zombie or a kernel thread: no memory map at all
            throw new IllegalArgumentException("process " + pid + " (" + command + ") is not a JVM: it has no memory map"
                    + " (a kernel thread, or a process that has exited)");
        }
        throw new IllegalArgumentException("process " + pid + " (" + command + ") is not a JVM: no libjvm.so in /proc/"
                + pid + "/maps");
    }

    /**
     * Field 22 of /proc/PID/stat (starttime), or -1 when the process is gone or a zombie. The
     * fields after the command (which may hold anything) are counted from its closing parenthesis.
     */
    private static long startTime(int pid) {
        try {
            // whole lines: a read of a /proc file at an offset is not always its continuation
            String stat = String.join("\n", Files.readAllLines(Path.of("/proc", Integer.toString(pid), "stat")));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is the state (field 3), so starttime (field 22) is fields[19]
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return -1;
            }
            return Long.parseLong(fields[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The process's name as the kernel has it ({@code /proc/PID/comm}, 15 characters at most), or "?". */
    static String command(int pid) {
        try {
            return String.join("", Files.readAllLines(Path.of("/proc", Integer.toString(pid), "comm"))).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    public int pid() {
        return pid;
    }

    /** The process's name ({@code /proc/PID/comm}, e.g. "java"), as read by {@link #of}. */
    public String command() {
        return command;
    }

    /** The libjvm.so the process runs, as a path in its own file system ("/usr/lib/jvm/.../lib/server/libjvm.so"). */
    public Path libjvm() {
        return libjvm;
    }

    /**
     * The same file as this process opens it ({@link ProcessMaps.MappedFile#localPath()}): the
     * path itself when the process has this process's root, else through {@code /proc/PID/root}
     * (a JVM in another mount namespace), valid while it runs. The programs attach to this file.
     */
    public Path libjvmFile() {
        return libjvmFile;
    }

    /** The JDK's (or JRE's) home: the directory above {@code lib/server/libjvm.so} (or {@code lib/client}), in the target's file system. */
    public Path javaHome() {
        Path vmDirectory = libjvm.getParent();
        Path lib = vmDirectory == null ? null : vmDirectory.getParent();
        Path home = lib == null ? null : lib.getParent();
        return home == null ? libjvm : home;
    }

    /**
     * The JDK's version as its {@code release} file says ({@code JAVA_VERSION="17.0.15"}), when it
     * has one; read by {@link #of}.
     */
    public Optional<String> javaVersion() {
        return javaVersion;
    }

    private Optional<String> readJavaVersion() {
        Path release = Path.of("/proc", Integer.toString(pid), "root").resolve(javaHome().toString().substring(1)).resolve("release");
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return Optional.of(line.substring("JAVA_VERSION=".length()).replace("\"", "").strip());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // a JDK without a release file (some distributions' JREs): no version to tell
        }
        return Optional.empty();
    }

    /** The JDK's feature release from {@link #javaVersion()} ("17.0.15" → 17, "1.8.0_402" → 8), when it says. */
    public OptionalInt featureVersion() {
        return javaVersion().flatMap(version -> {
            String[] parts = version.split("[._+-]");
            try {
                int first = Integer.parseInt(parts[0]);
                return Optional.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** "process 1234 (java, JDK 17.0.15)": how the tools name their target. */
    public String describe() {
        return "process " + pid + " (" + command + javaVersion().map(version -> ", JDK " + version).orElse("") + ")";
    }

    /** HotSpot's USDT probes in the process's libjvm.so ({@link #PROVIDER}); empty when the JDK was built without them. */
    public List<UsdtProbe> probes() {
        return ElfFile.read(libjvmFile()).usdtProbes().stream().filter(probe -> probe.provider().equals(PROVIDER)).toList();
    }

    /**
     * Whether the process still runs: it exists, has not exited (a zombie waits for its parent,
     * yet runs no more), and is the same process (a pid reused by a later process does not count).
     */
    public boolean isAlive() {
        return startTime(pid) == startTime;
    }

    /**
     * The value of one of HotSpot's boolean flags ({@code -XX:+Name}) in the running JVM, as it
     * is now, however it was set (command line, {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS},
     * an {@code @argfile}, {@code -XX:VMOptionsFile}, ergonomics): read from the process's memory at
     * the flag's symbol in libjvm.so's symbol table, without disturbing the JVM. When libjvm.so has
     * no symbol table (stripped), {@code jcmd PID VM.flags -all} of the target's JDK answers instead.
     * Empty when this JVM has no such flag.
     *
     * @throws IllegalStateException when neither way can tell (saying why)
     */
    public Optional<Boolean> booleanFlag(String name) {
        Objects.requireNonNull(name, "name");
        return JvmFlags.booleanFlag(this, name);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JvmProcess process && process.pid == pid && process.startTime == startTime
                && process.libjvm.equals(libjvm);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pid, startTime, libjvm);
    }

    @Override
    public String toString() {
        return describe() + " " + libjvm;
    }
}
