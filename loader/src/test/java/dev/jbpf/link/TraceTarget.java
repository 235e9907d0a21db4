package dev.jbpf.link;

import dev.jbpf.testing.TracingSupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A running build/test-bin/trace_target (test-programs/trace_target.c), waiting for the test
 * to attach before it fires its probes. Owns the process: close() kills it if still running.
 */
final class TraceTarget implements AutoCloseable {
    private final Process process;
    private final BufferedReader output;

    private TraceTarget(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the target for {@code iterations} iterations and waits until it is ready. */
    static TraceTarget start(int iterations) {
        return start(TracingSupport.traceTargetBinary(), iterations);
    }

    /** Starts {@code binary}, a copy of trace_target, and waits until it is ready. */
    static TraceTarget start(java.nio.file.Path binary, int iterations) {
        try {
            Process process = new ProcessBuilder(binary.toString(),
                    Integer.toString(iterations)).redirectErrorStream(true).start();
            TraceTarget target = new TraceTarget(process);
            String ready = target.output.readLine();
            if (!"ready".equals(ready)) {
                target.close();
                throw new AssertionError("trace_target said " + ready + " instead of ready");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int pid() {
        return (int) process.pid();
    }

    /** Lets it run its iterations; returns the sum it printed once it exited with status 0. */
    long run() {
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
        }
        try {
            output.close();
        } catch (IOException ignored) {
            // the process is gone either way
        }
    }
}
