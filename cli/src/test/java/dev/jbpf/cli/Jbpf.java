package dev.jbpf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the jbpf CLI for tests: in this JVM, or as the user does, through bin/jbpf. */
final class Jbpf {
    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Jbpf() {
    }

    static Path projectDir() {
        return Path.of(System.getProperty("jbpf.project.dir", "..")).toAbsolutePath().normalize();
    }

    /**
     * This JVM's fds of BPF objects, counted by kind ("bpf-prog", "bpf-map", ...): a program an
     * in-process command left loaded is one of these (or pinned). Unlike the kernel's list of
     * all programs, it does not see what other processes load meanwhile.
     */
    static java.util.Map<String, Integer> bpfFds() {
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String kind = dev.jbpf.internal.Fd.kind(Integer.parseInt(fd.getFileName().toString()));
                if (kind.startsWith("bpf") || kind.equals("btf")) {
                    kinds.merge(kind, 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return kinds;
    }

    /** Runs jbpf in this JVM. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    /** jbpf running in this JVM on a thread of its own (a foreground attach): its output so far, then its result. */
    static final class Running {
        private final StringWriter out = new StringWriter(); // a StringBuffer inside: safe to read while written
        private final StringWriter err = new StringWriter();
        private final java.util.concurrent.CompletableFuture<Integer> exit;

        private Running(String... args) {
            exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        }

        /** Waits until stdout contains {@code text}; fails when jbpf ends first or the time is out. */
        void awaitOutput(String text, java.time.Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!out.toString().contains(text)) {
                if (exit.isDone() || System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' in the output of jbpf:\n--- stdout\n" + out
                            + "--- stderr\n" + err);
                }
                Thread.sleep(20);
            }
        }

        /** Its result, once it ended. */
        Result result(java.time.Duration timeout) throws Exception {
            int code = exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(code, out.toString(), err.toString());
        }
    }

    /** Starts jbpf in this JVM on another thread. */
    static Running start(String... args) {
        return new Running(args);
    }

    /** Runs bin/jbpf in a new process, optionally behind a prefix command (e.g. setpriv ...). */
    static Result runProcess(List<String> prefix, String... args) throws IOException, InterruptedException {
        Path launcher = projectDir().resolve("bin/jbpf");
        if (!Files.isRegularFile(projectDir().resolve("cli/target/jbpf.jar"))) {
            throw new IllegalStateException("cli/target/jbpf.jar is missing: run 'make build' first");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(projectDir().toFile()).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("jbpf " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
