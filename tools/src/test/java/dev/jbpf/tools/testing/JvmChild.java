package dev.jbpf.tools.testing;

import dev.jbpf.testing.TracingSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A real JVM child process for the tests of the JVM tools (here and in the CLI's tests, through
 * this module's test-jar): {@code jbpf.child.JvmChild} (the resource JvmChild.java.txt, compiled
 * here with {@code --release 17}) run by one of this machine's JDKs. The handshake: the child
 * prints "ready PID" and waits on stdin; the test attaches its tool, then calls {@link #go()}; the
 * child does its mode's work, prints a line for each thing it did, then "done", and exits, which
 * ends the tool. No sleeps: each side waits for the other's line.
 */
public final class JvmChild implements AutoCloseable {
    /** The JDKs (feature releases) the JVM tools are tested on. */
    public static final List<Integer> JDKS = List.of(17, 25);
    public static final String MAIN_CLASS = "jbpf.child.JvmChild";
    private static final long TIMEOUT_SECONDS = 120;
    /** The end of the child's stdout in {@link #lines}. */
    private static final String EOF = "\0EOF";
    private static Path classes;

    private final Process process;
    private final int pid;
    private final LinkedBlockingQueue<String> lines;
    private final StringBuffer stderr;
    private final List<String> output = new ArrayList<>();

    private JvmChild(Process process, LinkedBlockingQueue<String> lines, StringBuffer stderr) throws InterruptedException {
        this.process = process;
        this.lines = lines;
        this.stderr = stderr;
        String ready = take();
        if (ready == null || !ready.startsWith("ready ")) {
            throw new IllegalStateException("the child JVM did not start: " + ready + "\n--- its stderr\n" + stderr);
        }
        this.pid = Integer.parseInt(ready.substring("ready ".length()).strip());
        if (pid != process.pid()) {
            throw new IllegalStateException("the child says it is process " + pid + ", the process started is " + process.pid());
        }
    }

    /**
     * The home of this machine's JDK of that feature release: {@code $JBPF_TEST_JDK17} (...) when
     * set, else the one {@link JavaTargets#jdks()} finds (under /usr/lib/jvm, with java and jcmd); or empty.
     */
    public static Optional<Path> jdkHome(int feature) {
        String override = System.getenv("JBPF_TEST_JDK" + feature);
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override));
        }
        return JavaTargets.jdks().stream().filter(jdk -> jdk.feature() == feature).map(JavaTargets.Jdk::home).findFirst();
    }

    /** The JDK of that feature release; without one the test is skipped, saying so. */
    public static Path requireJdk(int feature) {
        Optional<Path> home = jdkHome(feature);
        if (home.isEmpty()) {
            TracingSupport.skip("no JDK " + feature + " on this machine (none with java and jcmd in /usr/lib/jvm; set JBPF_TEST_JDK"
                    + feature + ")");
        }
        return home.get();
    }

    /** The child's classes, compiled once per test JVM from the resource with this JDK's javac, --release 17. */
    private static synchronized Path classes() throws IOException {
        if (classes != null) {
            return classes;
        }
        Path dir = Files.createTempDirectory("jbpf-jvm-child");
        Path source = dir.resolve("src/jbpf/child/JvmChild.java");
        Files.createDirectories(source.getParent());
        try (InputStream in = JvmChild.class.getResourceAsStream("JvmChild.java.txt")) {
            if (in == null) {
                throw new IllegalStateException("the resource dev/jbpf/tools/testing/JvmChild.java.txt is missing");
            }
            Files.write(source, in.readAllBytes());
        }
        Path out = dir.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        int status = javac.run(null, null, new OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        }, "--release", "17", "-d", out.toString(), source.toString());
        if (status != 0) {
            throw new IllegalStateException("the child JVM's source does not compile:\n" + diagnostics);
        }
        classes = out;
        return out;
    }

    /**
     * Starts {@code jdk/bin/java [jvmOptions] jbpf.child.JvmChild mode [args]} and waits for its
     * "ready" line. Close it: that kills it if it still runs.
     */
    public static JvmChild start(Path jdk, List<String> jvmOptions, String mode, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(jdk.resolve("bin/java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classes().toString(), MAIN_CLASS, mode));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuffer stderr = new StringBuffer();
        Thread.ofPlatform().daemon().name("jvm-child-" + process.pid() + "-out").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                lines.add(EOF);
            }
        });
        Thread.ofPlatform().daemon().name("jvm-child-" + process.pid() + "-err").start(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process is gone
            }
        });
        try {
            return new JvmChild(process, lines, stderr);
        } catch (RuntimeException | InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The next line of the child's stdout; null at its end. */
    private String take() throws InterruptedException {
        String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("the child JVM printed nothing in " + TIMEOUT_SECONDS + " s\n--- its stderr\n" + stderr);
        }
        if (line.equals(EOF)) {
            lines.add(EOF); // still at the end for the next take
            return null;
        }
        return line;
    }

    public int pid() {
        return pid;
    }

    /** Tells the child to do its work (the tool watching it is attached). */
    public void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Closes the child's stdin: a child in mode "wait" (or still waiting for go) ends. */
    public void endInput() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Waits for the child to print "done" and exit 0; returns the lines it printed after "ready"
     * (without "done").
     *
     * @throws AssertionError when it exits otherwise (with its output)
     */
    public List<String> finish() throws InterruptedException {
        for (String line = take(); line != null; line = take()) {
            output.add(line);
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the child JVM did not exit in " + TIMEOUT_SECONDS + " s: " + output);
        }
        if (process.exitValue() != 0 || output.isEmpty() || !output.get(output.size() - 1).equals("done")) {
            throw new AssertionError("the child JVM exited " + process.exitValue() + " after " + output + "\n--- its stderr\n" + stderr);
        }
        return List.copyOf(output.subList(0, output.size() - 1));
    }

    /** What the child wrote on stderr so far. */
    public String stderr() {
        return stderr.toString();
    }

    /** Kills the child if it still runs, and waits for it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
