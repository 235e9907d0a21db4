package dev.jbpf.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The figures a reliability test class leaves for RELIABILITY.md: one line "area TAB cases TAB
 * outcome" in build/reliability/FILE.txt, which scripts/reliability-report turns into the table.
 * Counts the cases a class tried and those that came out as the test expects.
 */
final class Figures {
    private final String file;
    private final String area;
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger passed = new AtomicInteger();

    Figures(String file, String area) {
        this.file = file;
        this.area = area;
    }

    /** Runs one case, counting it; it passed when it returns without throwing. */
    void check(ThrowingRunnable oneCase) throws Exception {
        tried.incrementAndGet();
        oneCase.run();
        passed.incrementAndGet();
    }

    /** Writes the line: "N of M cases OUTCOME" (the outcome text says what passing means). */
    void write(String outcome) {
        if (tried.get() == 0) {
            return; // skipped (no privileges): leave the figures of the last run that had them
        }
        Path dir = Jbpf.projectDir().resolve("build/reliability");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(file + ".txt"),
                    area + "\t" + tried.get() + "\t" + passed.get() + " of " + tried.get() + " " + outcome + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
