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
 * the JVM has another root (a container), so that it is read from its own file system; its pid
 * in its own pid namespace; its flags; its perf map. The JVM tools attach their programs to
 * this file's USDT probes (provider {@code hotspot}) for this process only; the profiler names
 * its JIT-compiled frames from its perf map and checks that it keeps frame pointers.
 *
 * <p>A plain value: holds no file descriptor and no native memory. What it says about the
 * process is read once, by {@link #of}; {@link #isAlive()}, {@link #booleanFlag} and
 * {@link #framePointers()} read {@code /proc} again. {@link #writePerfMap()} (and a flag of a
 * libjvm.so without a symbol table) asks the JVM through its attach mechanism by running
 * {@code jcmd} as a child process, which costs the start of a small JVM (about half a second).
 */
public final class JvmProcess {
    /** The provider of HotSpot's USDT probes. */
    public static final String PROVIDER = "hotspot";
    private static final String LIBJVM = "/libjvm.so";
    /** What the kernel appends in /proc/PID/maps to the path of a file deleted (or replaced) since it was mapped. */
    private static final String DELETED = " (deleted)";

    private final int pid;
    /** Its pid in its own pid namespace (NSpid): the pid its perf map is named by. */
    private final int namespacePid;
    private final String command;
    private final Path libjvm;
    private final Path libjvmFile;
    /** When the process started (clock ticks after boot, /proc/PID/stat): tells a reused pid from it. */
    private final long startTime;
    /** From the JDK's release file, read while the process lives (its file system is gone with it). */
    private final Optional<String> javaVersion;

    private JvmProcess(int pid, int namespacePid, String command, Path libjvm, Path libjvmFile, long startTime) {
        this.pid = pid;
        this.namespacePid = namespacePid;
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
            int namespacePid = namespacePid(pid);
            if (startTime < 0 || file == null || namespacePid < 0) {
                throw new IllegalArgumentException("no process " + pid); // it exited meanwhile
            }
            return new JvmProcess(pid, namespacePid, command, Path.of(path), file, startTime);
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
     * The JVM running as process {@code pid}, or empty when there is no such process or it is not
     * a JVM (or one whose libjvm.so was deleted since it started): for callers that treat a JVM
     * specially when they meet one, as the profiler does.
     */
    public static Optional<JvmProcess> find(int pid) {
        try {
            return Optional.of(of(pid));
        } catch (IllegalArgumentException | IllegalStateException notAJvm) {
            return Optional.empty();
        }
    }

    /** The last pid of the NSpid line of /proc/PID/status (the pid in its own namespace), or -1 when the process is gone. */
    private static int namespacePid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] pids = line.strip().split("\\s+");
                    return Integer.parseInt(pids[pids.length - 1]);
                }
            }
            return pid; // a kernel without pid namespaces
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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

    /** The process id, as this process sees it. */
    public int pid() {
        return pid;
    }

    /** Its pid in its own pid namespace (NSpid): in a container, the pid its perf map is named by; else {@link #pid()}. */
    public int namespacePid() {
        return namespacePid;
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

    /**
     * Whether the JVM keeps frame pointers in JIT-compiled code ({@code -XX:+PreserveFramePointer}),
     * and how that was decided.
     *
     * @param preserved true when it does
     * @param source where the answer comes from, for messages: "the flag in its memory", or
     *     "jcmd PID VM.flags" for a libjvm.so without a symbol table
     */
    public record FramePointers(boolean preserved, String source) { }

    /**
     * Whether the JVM keeps frame pointers, read as {@link #booleanFlag} reads a flag: however it
     * was set, and without disturbing the JVM when its libjvm.so has a symbol table.
     *
     * @throws IllegalStateException when it cannot be told (saying why)
     */
    public FramePointers framePointers() {
        JvmFlags.Reading reading = JvmFlags.read(this, "PreserveFramePointer");
        // off by default on every platform HotSpot runs on, and absent where it cannot be had
        return new FramePointers(reading.value().orElse(false), reading.source());
    }

    /** Its perf map as this process reaches it: /proc/PID/root/tmp/perf-NSPID.map (HotSpot writes it to its own /tmp). */
    public Path perfMapFile() {
        return Path.of("/proc", Integer.toString(pid), "root", "tmp", "perf-" + namespacePid + ".map");
    }

    /**
     * Makes the JVM write its perf map now ({@code jcmd PID Compiler.perfmap}, JDK 17 or later):
     * {@link #perfMapFile()}, every piece of code its code cache holds.
     *
     * @throws IllegalStateException saying why, when jcmd fails or no map appears
     */
    public void writePerfMap() {
        Jcmd.run(this, "Compiler.perfmap");
        if (!Files.isRegularFile(perfMapFile())) {
            throw new IllegalStateException("jcmd " + pid + " Compiler.perfmap reported success, yet there is no " + perfMapFile());
        }
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
