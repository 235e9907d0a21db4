package dev.jbpf.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures one reliability test measured, written to {@code build/reliability/FILE.txt} for
 * {@code scripts/reliability-report}, which puts every file's lines into the table of
 * RELIABILITY.md. One line per check: {@code area<TAB>check<TAB>count<TAB>outcome} (the format
 * RELIABILITY.md defines); tabs and newlines inside fields become spaces.
 */
final class Figures {
    private final String file;
    private final String area;
    private final List<String> lines = new ArrayList<>();

    /**
     * Deletes the previous run's file, so that a test that fails before {@link #write()} leaves
     * no stale figures behind; make one at the start of the test.
     *
     * @param file the file name without .txt, e.g. "hostile-objects"
     */
    Figures(String file, String area) {
        this.file = file;
        this.area = area;
        try {
            Files.deleteIfExists(dir().resolve(file + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a check: what was tried, how many (with the unit, e.g. "10000 cases"), what came out. */
    Figures add(String check, String count, String outcome) {
        lines.add(String.join("\t", clean(area), clean(check), clean(count), clean(outcome)));
        System.out.println("[reliability] " + area + " | " + check + " | " + count + " | " + outcome);
        return this;
    }

    /** Writes the file (replacing the previous run's). */
    void write() {
        try {
            Files.createDirectories(dir());
            Files.write(dir().resolve(file + ".txt"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir() {
        return Path.of(System.getProperty("jbpf.project.dir", "."), "build", "reliability");
    }

    private static String clean(String field) {
        return field.replace('\t', ' ').replace('\n', ' ');
    }
}
