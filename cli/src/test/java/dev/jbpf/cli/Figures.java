package dev.jbpf.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures a reliability test class leaves for RELIABILITY.md in build/reliability/FILE.txt,
 * one line per check: "area TAB check TAB N cases TAB pass|FAIL: outcome", which
 * scripts/reliability-report puts into the table. Counts the cases of each check that were
 * tried and those that came out as the test expects.
 */
final class Figures {
    private final String file;
    private final String area;
    private final Map<String, Count> checks = new LinkedHashMap<>();

    private static final class Count {
        final String outcome;
        int tried;
        int passed;

        Count(String outcome) {
            this.outcome = outcome;
        }
    }

    Figures(String file, String area) {
        this.file = file;
        this.area = area;
    }

    /**
     * Runs one case of a check, counting it; it passed when it returns without throwing.
     * outcome says what passing means ("one-line error naming the missing capability").
     */
    void check(String check, String outcome, ThrowingRunnable oneCase) throws Exception {
        Count count;
        synchronized (checks) {
            count = checks.computeIfAbsent(check, name -> new Count(outcome));
            count.tried++;
        }
        oneCase.run();
        synchronized (checks) {
            count.passed++;
        }
    }

    /** Writes the lines (replacing the last run's); nothing when every case was skipped. */
    void write() {
        StringBuilder lines = new StringBuilder();
        synchronized (checks) {
            checks.forEach((check, count) -> lines.append(area).append('\t').append(check).append('\t')
                    .append(count.tried).append(count.tried == 1 ? " case" : " cases").append('\t')
                    .append(count.passed == count.tried ? "pass: " : "FAIL: ").append(count.passed).append(" of ")
                    .append(count.tried).append(' ').append(count.outcome).append('\n'));
        }
        if (lines.isEmpty()) {
            return; // skipped (no privileges): leave the figures of the last run that had them
        }
        Path dir = Jbpf.projectDir().resolve("build/reliability");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(file + ".txt"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
