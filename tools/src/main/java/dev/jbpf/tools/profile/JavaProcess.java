package dev.jbpf.tools.profile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running HotSpot JVM (a process that maps libjvm.so), seen from outside: its JDK, its pid in
 * its own pid namespace, whether it keeps frame pointers, and a way to make it write its perf map.
 *
 * <p>The JVM is asked through the JDK's attach mechanism by running {@code jcmd PID COMMAND}:
 * the target's own jcmd (the JDK its /proc/PID/exe, or else its libjvm.so, is in, reached
 * through /proc/PID/root), so the client always speaks the target's version of the protocol and
 * knows its commands; the jcmd of the JDK running jbpf where the target's JDK has none (a JRE,
 * a jlink image) or it cannot run here (a container's). jcmd, not the attach API in this
 * process: that API's command call ({@code HotSpotVirtualMachine.executeJCmd}) is not exported
 * by module jdk.attach, and a child process keeps the attach listener's output and failures out
 * of jbpf. jcmd attaches to a JVM in a container by itself (it finds the NSpid and the
 * container's /tmp). Each call costs the start of a small JVM (about half a second).
 *
 * <p>Plain Java data; {@link #writePerfMap} and {@link #framePointers(boolean)} start jcmd
 * and wait for it (30 s at most, then it is killed).
 */
public final class JavaProcess {
    private static final long JCMD_TIMEOUT_SECONDS = 30;
    /** A line of jcmd that reports an exception of the attach client or the JVM. */
    private static final String EXCEPTION = "[\\w.$]+(Exception|Error)\\b.*";
    private static final Pattern PRESERVE_FLAG = Pattern.compile("\\bPreserveFramePointer\\s*=\\s*(true|false)\\b");
    /** Launcher options whose value is the next argument: not the main class. */
    private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens",
            "--patch-module", "--enable-native-access", "--source");

    private final int pid;
    private final int namespacePid;
    private final Path javaHome;
    private final Path root;
    private final boolean sameMountNamespace;

    private JavaProcess(int pid, int namespacePid, Path javaHome, boolean sameMountNamespace) {
        this.pid = pid;
        this.namespacePid = namespacePid;
        this.javaHome = javaHome;
        this.root = Path.of("/proc", Integer.toString(pid), "root");
        this.sameMountNamespace = sameMountNamespace;
    }

    /**
     * Process {@code pid} when it is a HotSpot JVM (it maps a libjvm.so), else empty (also when
     * it does not exist or its /proc files are unreadable).
     */
    public static Optional<JavaProcess> of(int pid) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        String libjvm = null;
        try {
            for (String line : Files.readAllLines(proc.resolve("maps"))) {
                int slash = line.indexOf('/');
                String path = line.endsWith(" (deleted)") ? line.substring(0, line.length() - " (deleted)".length()) : line;
                if (slash > 0 && path.endsWith("/libjvm.so")) {
                    libjvm = path.substring(slash); // a JDK replaced while the JVM runs is "(deleted)"
                    break;
                }
            }
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        if (libjvm == null) {
            return Optional.empty();
        }
        // JAVA_HOME/lib/server/libjvm.so (JDK 9+), as the process sees its files
        Path home = Path.of(libjvm).getParent().getParent().getParent();
        try {
            Path exe = Files.readSymbolicLink(proc.resolve("exe"));
            if (exe.getFileName().toString().equals("java") && exe.getParent() != null && exe.getParent().getParent() != null) {
                home = exe.getParent().getParent(); // JAVA_HOME/bin/java: the launcher's JDK
            }
        } catch (IOException | SecurityException e) {
            // the library's JDK, then
        }
        int nsPid = pid;
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] f = line.trim().split("\\s+");
                    nsPid = Integer.parseInt(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        boolean same;
        try {
            same = Files.readSymbolicLink(proc.resolve("ns/mnt")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
        } catch (IOException | SecurityException e) {
            same = false;
        }
        return Optional.of(new JavaProcess(pid, nsPid, home, same));
    }

    /**
     * Process {@code pid}, which must be a HotSpot JVM: else an IllegalArgumentException saying
     * what it is ("process 42 (/usr/bin/sleep) is not a HotSpot JVM ...").
     */
    public static JavaProcess require(int pid) {
        return of(pid).orElseThrow(() -> {
            Path proc = Path.of("/proc", Integer.toString(pid));
            String what;
            try {
                what = Files.readSymbolicLink(proc.resolve("exe")).toString();
            } catch (IOException | SecurityException e) {
                what = Files.isDirectory(proc) ? "its executable unreadable" : "no such process";
            }
            return new IllegalArgumentException("process " + pid + " (" + what + ") is not a HotSpot JVM (it maps no"
                    + " libjvm.so): only a JVM can be asked to write a perf map");
        });
    }

    /** The process id, as this process sees it. */
    public int pid() {
        return pid;
    }

    /** Its pid in its own pid namespace (NSpid): in a container, the pid its perf map is named by. */
    public int namespacePid() {
        return namespacePid;
    }

    /** The JDK it runs from, as the process sees its files (its own mount namespace). */
    public Path javaHome() {
        return javaHome;
    }

    /** Its perf map as this process reaches it: /proc/PID/root/tmp/perf-NSPID.map. */
    public Path perfMapFile() {
        return root.resolve("tmp").resolve("perf-" + namespacePid + ".map");
    }

    /**
     * Whether the JVM keeps frame pointers in JIT-compiled code ({@code -XX:+PreserveFramePointer}),
     * and how that was decided.
     *
     * @param preserved true when it does
     * @param source where the answer comes from: "jcmd VM.flags" (the JVM itself), or its
     *     command line and environment (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, _JAVA_OPTIONS)
     */
    public record FramePointers(boolean preserved, String source) { }

    /**
     * Whether the JVM keeps frame pointers: asked through {@code jcmd PID VM.flags -all} when
     * {@code askTheJvm} (it attaches to the JVM, which then starts its attach listener thread;
     * the command line is the fallback if jcmd fails), else read from its command line and
     * environment variables without touching it (an option in an @argfile or a
     * {@code -XX:Flags} file is missed there).
     */
    public FramePointers framePointers(boolean askTheJvm) {
        if (askTheJvm) {
            try {
                Matcher flag = PRESERVE_FLAG.matcher(jcmd("VM.flags", "-all"));
                if (flag.find()) {
                    return new FramePointers(Boolean.parseBoolean(flag.group(1)), "jcmd " + pid + " VM.flags");
                }
            } catch (IllegalStateException e) {
                // the command line, then
            }
        }
        Boolean preserved = null;
        // HotSpot reads JAVA_TOOL_OPTIONS first, then the command line (JDK_JAVA_OPTIONS is the
        // launcher's, put in front of it), then _JAVA_OPTIONS: the last setting wins
        List<String> options = new ArrayList<>();
        options.addAll(environmentOptions("JAVA_TOOL_OPTIONS"));
        options.addAll(environmentOptions("JDK_JAVA_OPTIONS"));
        options.addAll(launcherOptions());
        options.addAll(environmentOptions("_JAVA_OPTIONS"));
        for (String option : options) {
            if (option.equals("-XX:+PreserveFramePointer")) {
                preserved = true;
            } else if (option.equals("-XX:-PreserveFramePointer")) {
                preserved = false;
            }
        }
        // off by default on every platform HotSpot runs on
        return new FramePointers(preserved != null && preserved, "the command line and environment of process " + pid);
    }

    /** The JVM options of the command line: the arguments before the main class, -jar, -m or a source file. */
    private List<String> launcherOptions() {
        List<String> options = new ArrayList<>();
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\0");
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("-") || arg.equals("-jar") || arg.equals("-m") || arg.equals("--module")) {
                    break;
                }
                options.add(arg);
                if (TAKES_VALUE.contains(arg)) {
                    i++;
                }
            }
        } catch (IOException | SecurityException e) {
            // unreadable: no options seen
        }
        return options;
    }

    private List<String> environmentOptions(String variable) {
        try {
            for (String entry : new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")),
                    StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith(variable + "=")) {
                    return List.of(entry.substring(variable.length() + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException | SecurityException e) {
            // unreadable: none seen
        }
        return List.of();
    }

    /**
     * Makes the JVM write its perf map now ({@code jcmd PID Compiler.perfmap}, JDK 17 or later):
     * /tmp/perf-NSPID.map in its own /tmp, every piece of code its code cache holds. Throws an
     * {@link IllegalStateException} saying why when jcmd fails or no map appears.
     */
    public void writePerfMap() {
        jcmd("Compiler.perfmap");
        if (!Files.isRegularFile(perfMapFile())) {
            throw new IllegalStateException("jcmd " + pid + " Compiler.perfmap reported success, yet there is no " + perfMapFile());
        }
    }

    /** The jcmd programs to try, best first: the target's JDK's (as reached from here), then ours. */
    List<Path> jcmds() {
        Set<Path> candidates = new LinkedHashSet<>();
        Path own = javaHome.resolve("bin/jcmd");
        candidates.add(sameMountNamespace ? own : root.resolve(own.toString().substring(1)));
        candidates.add(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
        return candidates.stream().filter(Files::isExecutable).toList();
    }

    /** Runs jcmd with {@code command} on this JVM: its output, or an IllegalStateException with jcmd's last words. */
    String jcmd(String... command) {
        List<Path> jcmds = jcmds();
        if (jcmds.isEmpty()) {
            throw new IllegalStateException("no jcmd to ask JVM " + pid + " with: neither its JDK (" + javaHome
                    + ") nor this one (" + System.getProperty("java.home") + ") has bin/jcmd");
        }
        String failure = null;
        for (Path jcmd : jcmds) {
            List<String> line = new ArrayList<>(List.of(jcmd.toString(), Integer.toString(pid)));
            line.addAll(List.of(command));
            Path output = null;
            try {
                // its output to a file, not a pipe: no reader thread, and a full pipe cannot stall it
                output = Files.createTempFile("jbpf-jcmd-", ".txt");
                Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                process.getOutputStream().close();
                if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    failure = String.join(" ", line) + " did not finish in " + JCMD_TIMEOUT_SECONDS + " s";
                    continue;
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (process.exitValue() == 0) {
                    return text;
                }
                failure = String.join(" ", line) + " failed (exit " + process.exitValue() + "): " + lastWords(text);
                if (text.lines().anyMatch(l -> l.strip().matches(EXCEPTION))) {
                    break; // the attach client ran and the JVM (or its absence) answered: another jcmd would hear the same
                }
            } catch (IOException e) {
                failure = "cannot run " + jcmd + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + String.join(" ", line) + " ran", e);
            } finally {
                if (output != null) {
                    try {
                        Files.deleteIfExists(output);
                    } catch (IOException e) {
                        // a temporary file left behind
                    }
                }
            }
        }
        throw new IllegalStateException(failure);
    }

    /** What jcmd said went wrong: its exception's line ("java.io.IOException: No such process"), else its last line. */
    private static String lastWords(String text) {
        List<String> lines = text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.matches("\\d+:") && !l.startsWith("at ")).toList();
        return lines.stream().filter(l -> l.matches(EXCEPTION)).findFirst()
                .orElse(lines.isEmpty() ? "no output" : lines.getLast());
    }

    @Override
    public String toString() {
        return "JVM " + pid + (namespacePid != pid ? " (pid " + namespacePid + " in its namespace)" : "") + " of " + javaHome;
    }
}
