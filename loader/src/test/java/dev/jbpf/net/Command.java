package dev.jbpf.net;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command (ip, tc, bash) for the network fixtures and waits for it. Test code. */
public final class Command {
    private static final long TIMEOUT_SECONDS = 30;

    private Command() {
    }

    /** What a finished command left: its exit code and its stdout and stderr, merged. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Throws an AssertionError with the command and its output unless it exited 0. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ": " + output.strip());
            }
            return this;
        }
    }

    /** Runs {@code command}, killing it (by its pid) after 30 s. */
    public static Result run(String... command) {
        Path output = null;
        try {
            // a file, not a pipe: a chatty command can never block on a full pipe
            output = Files.createTempFile("jbpf-command", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(List.of(command), process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", command), e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /** Runs {@code command} and asserts it exited 0. */
    public static Result ok(String... command) {
        return run(command).orThrow();
    }
}
