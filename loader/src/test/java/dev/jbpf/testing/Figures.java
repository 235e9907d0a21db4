package dev.jbpf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures one reliability test measured, written to {@code build/reliability/FILE.txt} for
 * {@code scripts/reliability-report}, which puts every file's lines into the table of
 * RELIABILITY.md. One line per check: {@code area<TAB>check<TAB>count<TAB>outcome} (the format
 * RELIABILITY.md defines); tabs and newlines inside fields become spaces. A check is either
 * added with its figures ({@link #add}) or counted case by case ({@link #check}). The CLI's
 * reliability tests use it too (the loader's test jar).
 */
public final class Figures {
    private final String file;
    private final String area;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Count> counted = new LinkedHashMap<>();

    /** One case of a counted check; it passes when it returns without throwing. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static final class Count {
        final String outcome;
        int tried;
        int passed;

        Count(String outcome) {
            this.outcome = outcome;
        }
    }

    /**
     * Deletes the previous run's file, so that a test that fails before {@link #write()} leaves
     * no stale figures behind; make one at the start of the test.
     *
     * @param file the file name without .txt, e.g. "hostile-objects"
     */
    public Figures(String file, String area) {
        this.file = file;
        this.area = area;
        try {
            Files.deleteIfExists(dir().resolve(file + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a check: what was tried, how many (with the unit, e.g. "10000 cases"), what came out. */
    public Figures add(String check, String count, String outcome) {
        lines.add(String.join("\t", clean(area), clean(check), clean(count), clean(outcome)));
        System.out.println("[reliability] " + area + " | " + check + " | " + count + " | " + outcome);
        return this;
    }

    /**
     * Runs one case of a check, counting it (tried, and passed when it returns); {@code outcome}
     * says what passing means, e.g. "one-line error naming the missing capability". Rethrows
     * what the case threw, so the test fails as well.
     */
    public void check(String check, String outcome, ThrowingRunnable oneCase) throws Exception {
        Count count;
        synchronized (counted) {
            count = counted.computeIfAbsent(check, name -> new Count(outcome));
            count.tried++;
        }
        oneCase.run();
        synchronized (counted) {
            count.passed++;
        }
    }

    /** Writes the file (replacing the previous run's): the added lines, then the counted checks. */
    public void write() {
        List<String> all = new ArrayList<>(lines);
        synchronized (counted) {
            counted.forEach((check, count) -> all.add(String.join("\t", clean(area), clean(check),
                    count.tried + (count.tried == 1 ? " case" : " cases"),
                    clean((count.passed == count.tried ? "pass: " : "FAIL: ") + count.passed + " of " + count.tried
                            + " " + count.outcome))));
        }
        if (all.isEmpty()) {
            return;
        }
        try {
            Files.createDirectories(dir());
            Files.write(dir().resolve(file + ".txt"), all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path dir() {
        return Path.of(System.getProperty("jbpf.project.dir", "."), "build", "reliability");
    }

    private static String clean(String field) {
        return field.replace('\t', ' ').replace('\n', ' ');
    }
}
