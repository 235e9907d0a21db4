package dev.jbpf.tools.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real JVMs for the Java profiling tests (tools' and the CLI's, through this module's
 * test-jar): the JDKs installed here, and test-programs/JavaHot.java (whose CPU time goes to
 * {@code JavaHot.spinHotMethod}) running on one of them through the source launcher.
 */
public final class JavaTargets {
    /** The hot method's frame name, as jbpf names JIT-compiled frames: CLASS.METHOD. */
    public static final String HOT_METHOD = "JavaHot.spinHotMethod";

    private JavaTargets() {
    }

    /**
     * A JDK.
     *
     * @param home its JAVA_HOME (real path)
     * @param feature its feature release (17, 25)
     */
    public record Jdk(Path home, int feature) {
        public Path java() {
            return home.resolve("bin/java");
        }

        public Path jcmd() {
            return home.resolve("bin/jcmd");
        }

        @Override
        public String toString() {
            return "JDK " + feature;
        }
    }

    /**
     * One JDK per feature release from 17 on (the first with Compiler.perfmap) that has java
     * and jcmd: those under /usr/lib/jvm and the one running the tests, oldest first. On the
     * project's machine: 17 (Debian's) and 25 (Temurin).
     */
    public static List<Jdk> jdks() {
        Map<Integer, Jdk> byFeature = new TreeMap<>();
        List<Path> homes = new ArrayList<>();
        try (Stream<Path> installed = Files.list(Path.of("/usr/lib/jvm"))) {
            installed.sorted().forEach(homes::add);
        } catch (IOException e) {
            // none installed there
        }
        homes.add(Path.of(System.getProperty("java.home")));
        for (Path home : homes) {
            try {
                Path real = home.toRealPath();
                int feature = feature(real);
                if (feature >= 17 && Files.isExecutable(real.resolve("bin/java")) && Files.isExecutable(real.resolve("bin/jcmd"))) {
                    byFeature.putIfAbsent(feature, new Jdk(real, feature));
                }
            } catch (IOException | RuntimeException e) {
                // not a JDK
            }
        }
        return List.copyOf(byFeature.values());
    }

    /** The feature release of the JDK at {@code home}, from its release file (JAVA_VERSION="17.0.12"). */
    private static int feature(Path home) throws IOException {
        for (String line : Files.readAllLines(home.resolve("release"))) {
            if (line.startsWith("JAVA_VERSION=")) {
                String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                return Integer.parseInt(version.split("[.+-]")[0]);
            }
        }
        return -1;
    }

    /** A running JavaHot; {@link #close()} kills it and removes the perf map it may have written. */
    public static final class Target implements AutoCloseable {
        private final Process process;
        private final int pid;
        private final int namespacePid;
        private final CompletableFuture<String> rest;

        private Target(Process process, int pid, int namespacePid, CompletableFuture<String> rest) {
            this.process = process;
            this.pid = pid;
            this.namespacePid = namespacePid;
            this.rest = rest;
        }

        /** The JVM's pid as the tests see it. */
        public int pid() {
            return pid;
        }

        /** Its pid in its own pid namespace (1 in {@link #startInNamespaces}). */
        public int namespacePid() {
            return namespacePid;
        }

        /** The perf map the JVM writes, /tmp/perf-NSPID.map in its own /tmp, as the tests reach it. */
        public Path perfMap() {
            return namespacePid == pid ? Path.of("/tmp", "perf-" + pid + ".map")
                    : Path.of("/proc", Integer.toString(pid), "root/tmp/perf-" + namespacePid + ".map");
        }

        /** Waits for it to exit by itself; its output after "ready". */
        public String awaitExit(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("JavaHot " + pid() + " still runs after " + seconds + " s");
            }
            return rest.join();
        }

        @Override
        public void close() throws InterruptedException, IOException {
            if (namespacePid == pid) {
                Files.deleteIfExists(perfMap());
            } else {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // the JVM; unshare exits with it
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            if (namespacePid == pid) {
                Files.deleteIfExists(perfMap()); // written as it exited (-XX:+DumpPerfMapAtExit)
            }
        }
    }

    /**
     * Starts test-programs/JavaHot.java on {@code jdk} with {@code jvmOptions}, to run
     * {@code seconds} in all, and waits for its "ready" (it has spun a second: its hot method is
     * compiled). {@code environment} is added to the child's.
     */
    public static Target start(Jdk jdk, double seconds, Map<String, String> environment, String... jvmOptions)
            throws IOException {
        return start(List.of(), jdk, seconds, environment, jvmOptions);
    }

    /**
     * As {@link #start(Jdk, double, String...)}, in a pid and a mount namespace of its own, as
     * in a container: the JVM is pid 1 there and has a /tmp of its own (a tmpfs), so its perf
     * map is /tmp/perf-1.map there and nowhere here. Needs root and util-linux's unshare.
     */
    public static Target startInNamespaces(Jdk jdk, double seconds, String... jvmOptions) throws IOException {
        // the program's directory is bound to /mnt first: the project itself may be under /tmp
        // (a CI clone in /tmp/ci), which the private /tmp hides
        Path programs = projectDir().resolve("test-programs").toAbsolutePath();
        return start(List.of("unshare", "--pid", "--mount", "--fork", "--mount-proc", "--", "sh", "-c",
                "mount --bind \"" + programs + "\" /mnt && mount -t tmpfs jbpf-test-tmp /tmp && exec \"$0\" \"$@\""),
                Path.of("/mnt/JavaHot.java"), jdk, seconds, Map.of(), jvmOptions);
    }

    private static Target start(List<String> prefix, Jdk jdk, double seconds, Map<String, String> environment,
            String... jvmOptions) throws IOException {
        return start(prefix, projectDir().resolve("test-programs/JavaHot.java"), jdk, seconds, environment, jvmOptions);
    }

    private static Target start(List<String> prefix, Path source, Jdk jdk, double seconds, Map<String, String> environment,
            String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(jdk.java().toString());
        command.addAll(List.of(jvmOptions));
        command.add(source.toString());
        command.add(Double.toString(seconds));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        // own threads, not the common pool (one thread on two CPUs): these reads block for long
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                StringBuilder before = new StringBuilder();
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.equals("ready")) {
                        first.complete("ready");
                        return;
                    }
                    before.append(line).append('\n');
                }
                first.complete(before.toString());
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        });
        String said;
        try {
            said = first.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("JavaHot on " + jdk + " did not get ready in 60 s", e);
        }
        if (!said.equals("ready")) {
            process.destroyForcibly();
            throw new IllegalStateException("JavaHot on " + jdk + " " + command + " exited before it was ready:\n" + said);
        }
        CompletableFuture<String> rest = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                rest.complete(String.join("\n", reader.lines().toList()));
            } catch (UncheckedIOException e) {
                rest.complete("");
            }
        });
        // the JVM: the process itself, or the one descendant that runs java (unshare forks, sh execs it)
        int pid = prefix.isEmpty() ? (int) process.pid() : process.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToInt(h -> (int) h.pid()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no java under " + command));
        return new Target(process, pid, namespacePid(pid), rest);
    }

    /** The pid's last NSpid (its pid in its own namespace). */
    private static int namespacePid(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("NSpid:")) {
                String[] f = line.trim().split("\\s+");
                return Integer.parseInt(f[f.length - 1]);
            }
        }
        return pid;
    }

    /** As {@link #start(Jdk, double, Map, String...)} with no change to the environment. */
    public static Target start(Jdk jdk, double seconds, String... jvmOptions) throws IOException {
        return start(jdk, seconds, Map.of(), jvmOptions);
    }

    private static Path projectDir() {
        return Path.of(System.getProperty("jbpf.project.dir", "..")).toAbsolutePath().normalize();
    }

    /** JDKs for a parameterized test, or a failure naming what is missing when there is none. */
    public static Stream<Jdk> jdksForTests() {
        List<Jdk> jdks = jdks();
        if (jdks.isEmpty()) {
            throw new IllegalStateException("no JDK 17 or later with bin/jcmd under /usr/lib/jvm");
        }
        return jdks.stream().sorted(Comparator.comparingInt(Jdk::feature));
    }
}
