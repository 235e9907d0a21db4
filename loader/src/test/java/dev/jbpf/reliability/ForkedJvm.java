package dev.jbpf.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test classpath, whose stdout is read line by line
 * with a watchdog: {@link #nextLine} gives up after a timeout, so a hung child is noticed. Its
 * fatal-error logs (hs_err) go to a directory of the caller's choosing, to be checked after.
 */
final class ForkedJvm implements AutoCloseable {
    private static final String END = "\u0000end";
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();

    private ForkedJvm(Process process) {
        this.process = process;
        Thread out = Thread.ofVirtual().start(() -> pump(process.inputReader(StandardCharsets.UTF_8), true));
        Thread err = Thread.ofVirtual().start(() -> pump(process.errorReader(StandardCharsets.UTF_8), false));
        out.setName("forked-jvm-stdout");
        err.setName("forked-jvm-stderr");
    }

    /**
     * Starts {@code java [jvmOptions] mainClass args} with this JVM's classpath; hs_err files go
     * to {@code errorDir}, and no core dump is written.
     */
    static ForkedJvm start(Path errorDir, List<String> jvmOptions, Class<?> mainClass, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:ErrorFile=" + errorDir.resolve("hs_err_pid%p.log"));
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-Xshare:auto");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        return new ForkedJvm(new ProcessBuilder(command).start());
    }

    private void pump(java.io.Reader reader, boolean isOut) {
        try (BufferedReader in = new BufferedReader(reader)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (isOut) {
                    lines.add(line);
                } else {
                    synchronized (stderr) {
                        if (stderr.length() < 20_000) {
                            stderr.append(line).append('\n');
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            if (isOut) {
                lines.add(END);
            }
        }
    }

    /** The next stdout line; null at the end of the output; throws when none came within the timeout. */
    String nextLine(long timeoutSeconds) throws InterruptedException, WatchdogTimeout {
        String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new WatchdogTimeout();
        }
        return line == END ? null : line;
    }

    /** The exit status, after the output ended (waits at most 30 s, then kills). */
    int exitStatus() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** No line came from the child within the watchdog's time. */
    static final class WatchdogTimeout extends Exception {
        WatchdogTimeout() {
            super("no output from the forked JVM within the watchdog's time");
        }
    }
}
