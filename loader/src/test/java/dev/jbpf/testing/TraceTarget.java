package dev.jbpf.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running build/test-bin/trace_target (test-programs/trace_target.c), waiting for the test
 * to attach before it fires its probes. Owns the process: close() kills it if still running.
 */
public final class TraceTarget implements AutoCloseable {
    private final Process process;
    private final BufferedReader output;

    private TraceTarget(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the target for {@code iterations} iterations and waits until it is ready. */
    public static TraceTarget start(int iterations) {
        return start(TracingSupport.traceTargetBinary(), iterations);
    }

    /** Starts {@code binary}, a copy of trace_target, and waits until it is ready. */
    public static TraceTarget start(Path binary, int iterations) {
        return start(List.of(binary.toString(), Integer.toString(iterations)));
    }

    /**
     * Starts {@code command}, which runs a trace_target in the end (through exec, so that the
     * process's pid is trace_target's: {@code unshare ... sh -c '... exec trace_target N'}), and
     * waits until it is ready.
     */
    public static TraceTarget start(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            TraceTarget target = new TraceTarget(process);
            String ready = target.output.readLine();
            if (!"ready".equals(ready)) {
                target.close();
                throw new AssertionError(String.join(" ", command) + " said " + ready + " instead of ready");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a copy of trace_target in a mount namespace of its own (unshare(1); root only), as
     * a process in a container runs: the copy is on a tmpfs mounted at {@code hidden} in that
     * namespace only, so {@code hidden/trace_target} leads nowhere outside it.
     */
    public static TraceTarget startInOwnMountNamespace(Path hidden, int iterations) {
        try {
            java.nio.file.Files.createDirectories(hidden);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String script = "mount -t tmpfs jbpf-test '" + hidden + "' && cp '" + TracingSupport.traceTargetBinary() + "' '"
                + hidden + "/trace_target' && exec '" + hidden + "/trace_target' " + iterations;
        return start(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script));
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Lets it run its iterations; returns the sum it printed once it exited with status 0. */
    public long run() {
        try {
            try (OutputStream input = process.getOutputStream()) {
                input.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            String sum = output.readLine();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError("trace_target did not exit");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("trace_target exited with " + process.exitValue());
            }
            return Long.parseLong(sum.strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            output.close();
        } catch (IOException ignored) {
            // the process is gone either way
        }
    }
}
