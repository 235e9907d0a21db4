package dev.jbpf.tools.jvm;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Asks a running JVM through the JDK's attach mechanism by running {@code jcmd PID COMMAND}: the
 * target's own jcmd first (beside its libjvm.so, reached through /proc/PID/root), so the client
 * speaks the target's version of the protocol and knows its commands; the jcmd of the JDK running
 * jbpf where the target's Java has none (a JRE, a jlink image) or it cannot run here (a
 * container's). jcmd, not the attach API in this process: that API's command call
 * ({@code HotSpotVirtualMachine.executeJCmd}) is not exported by module jdk.attach, and a child
 * process keeps the attach listener's output and failures out of jbpf. jcmd attaches to a JVM in
 * a container by itself (it finds the NSpid and the container's /tmp).
 */
final class Jcmd {
    private static final long TIMEOUT_SECONDS = 30;
    /** A line of jcmd that reports an exception of the attach client or the JVM. */
    private static final String EXCEPTION = "[\\w.$]+(Exception|Error)\\b.*";
    private static final int SIGQUIT = 3;

    private Jcmd() {
    }

    /** The jcmd programs to try, best first: the target's Java's (as reached from here), then ours; only those that exist. */
    static List<Path> candidates(JvmProcess target) {
        Set<Path> candidates = new LinkedHashSet<>();
        // JAVA_HOME/lib/server/libjvm.so, as this process opens it
        Path home = target.libjvmFile().getParent().getParent().getParent();
        candidates.add(home.resolve("bin/jcmd"));
        candidates.add(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
        return candidates.stream().filter(Files::isExecutable).toList();
    }

    /**
     * Runs jcmd with {@code command} on the target: its output.
     *
     * @throws IllegalStateException with jcmd's last words when it fails, does not finish in 30 s,
     *     or there is no jcmd; also, before any jcmd runs, when the process does not catch SIGQUIT
     *     (the attach client's knock, which would kill a process that is no running HotSpot)
     */
    static String run(JvmProcess target, String... command) {
        String what = "jcmd " + target.pid() + " " + String.join(" ", command);
        if (!catchesSigquit(target.pid())) {
            throw new IllegalStateException(what + " cannot ask " + target.describe() + ": it does not catch SIGQUIT, with"
                    + " which jcmd starts the JVM's attach listener (a JVM started with -Xrs, or no running HotSpot)");
        }
        List<Path> jcmds = candidates(target);
        if (jcmds.isEmpty()) {
            throw new IllegalStateException("no jcmd to ask " + target.describe() + " with: neither its Java ("
                    + target.javaHome() + ") nor this one (" + System.getProperty("java.home") + ") has bin/jcmd");
        }
        String failure = null;
        for (Path jcmd : jcmds) {
            List<String> line = new ArrayList<>(List.of(jcmd.toString(), Integer.toString(target.pid())));
            line.addAll(List.of(command));
            Path output = null;
            try {
                // its output to a file, not a pipe: no reader thread, and a full pipe cannot stall it
                output = Files.createTempFile("jbpf-jcmd-", ".txt");
                Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                process.getOutputStream().close();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    failure = String.join(" ", line) + " did not finish in " + TIMEOUT_SECONDS + " s";
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

    /** Whether SIGQUIT is in the SigCgt mask of /proc/PID/status (a handler installed), as the JDK's own attach client checks. */
    private static boolean catchesSigquit(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("SigCgt:")) {
                    return new BigInteger(line.substring("SigCgt:".length()).strip(), 16).testBit(SIGQUIT - 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable: jcmd would fail too, and say why
            return true;
        }
        return true;
    }

    /** What jcmd said went wrong: its exception's line ("java.io.IOException: No such process"), else its last line. */
    private static String lastWords(String text) {
        List<String> lines = text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.matches("\\d+:") && !l.startsWith("at ")).toList();
        return lines.stream().filter(l -> l.matches(EXCEPTION)).findFirst()
                .orElse(lines.isEmpty() ? "no output" : lines.getLast());
    }
}
