package dev.jbpf.reliability;

import dev.jbpf.testing.Figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.TestGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile objects: mutated copies of the real objects in build/bpf (truncated, bits flipped,
 * section headers, symbols, relocations, BTF and program text corrupted, sizes and offsets out
 * of the file, a wrong machine) go through {@code BpfObject.open} and, for those that open,
 * {@code load()}, in forked JVMs ({@link HostileObjectDriver}). Every case must end in a Java
 * exception or a clean open/load: no JVM crash (non-zero exit, hs_err file), no hang, no fd
 * left open. A JVM that dies is recorded with its case (the mutated file is kept under
 * build/reliability/crashes) and the rest run in a new JVM.
 *
 * <p>The seed is fixed (so that every run tries the same cases and the figures compare) unless
 * {@code -Djbpf.fuzz.seed=N} says otherwise; {@code -Djbpf.fuzz.open=N} and
 * {@code -Djbpf.fuzz.load=N} change the numbers of cases.
 */
// A kernel test, but not @KernelTest: without privileges it still runs its open campaign (and
// says it leaves the load campaign out), so no privilege gate; TestGate only records the tag.
@Tag("kernel")
@ExtendWith(TestGate.class)
class HostileObjectFuzzTest {
    private static final long SEED = Long.getLong("jbpf.fuzz.seed", 20261125L);
    private static final int OPEN_CASES = Integer.getInteger("jbpf.fuzz.open", 10_000);
    private static final int LOAD_CASES = Integer.getInteger("jbpf.fuzz.load", 1_000);
    /** Seconds without a line from the child before it is declared hung. */
    private static final int WATCHDOG_SECONDS = 30;
    /** Objects whose programs load fast and without kernel features this machine lacks. */
    private static final List<String> LOAD_OBJECTS = List.of("maps", "testrun", "globals", "verifier_reject",
            "map_kinds", "user_ringbuf", "bench_ringbuf", "opensnoop");

    @TempDir
    Path tmp;

    /** What one campaign (open or load) saw. */
    static final class Campaign {
        final String mode;
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, Integer> kinds = new TreeMap<>();
        final List<String> crashes = new ArrayList<>();
        final List<String> leaks = new ArrayList<>();
        int cases;
        int loads;
        int jvms;
        long millis;

        Campaign(String mode) {
            this.mode = mode;
        }

        int count(String prefix) {
            return outcomes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToInt(Map.Entry::getValue).sum();
        }
    }

    @Test
    void hostileObjectsNeverCrashTheJvmNorLeakFds() throws Exception {
        Figures figures = new Figures("hostile-objects", "Hostile objects");
        List<Path> all;
        try (Stream<Path> files = Files.list(TestSupport.bpfObject("maps").getParent())) {
            all = files.filter(p -> p.toString().endsWith(".bpf.o")).sorted().toList();
        }
        List<Path> loadable = LOAD_OBJECTS.stream().map(TestSupport::bpfObject).toList();
        boolean privileged = TestSupport.isPrivileged();
        if (!privileged) {
            System.out.println("hostile objects: not root, so no load campaign (open only)");
        }
        long start = System.nanoTime();
        Path crashes = Figures.dir().resolve("crashes");
        CompletableFuture<Campaign> opens = CompletableFuture.supplyAsync(
                () -> run("open", 0, OPEN_CASES, 0, all, List.of(), crashes));
        Campaign loads = privileged ? run("load", 0, 200L * LOAD_CASES, LOAD_CASES, loadable, List.of(), crashes)
                : new Campaign("load");
        Campaign open = opens.join();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        List<Path> hsErr;
        try (Stream<Path> files = Files.list(tmp)) {
            hsErr = files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
        }
        for (Path file : hsErr) {
            Files.createDirectories(Figures.dir().resolve("crashes"));
            Files.copy(file, Figures.dir().resolve("crashes").resolve(file.getFileName()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        print(open);
        print(loads);
        System.out.printf("hostile objects: seed %d, %d open cases (%d opened) in %d JVMs, %d load cases (%d loaded) "
                + "in %d JVMs, %d s%n", SEED, open.cases, open.count("opened"), open.jvms, loads.loads,
                loads.count("loaded"), loads.jvms, seconds);

        figures.add("mutated .bpf.o files through BpfObject.open (seed " + SEED + ", " + all.size() + " objects, "
                + ElfMutator.KINDS.size() + " mutation kinds)", open.cases + " cases",
                verdict(open) + ": " + open.count("opened") + " opened, " + open.count("rejected")
                        + " BpfException, " + open.count("java:") + " other Java exception; "
                        + open.crashes.size() + " JVM crashes or hangs, " + open.leaks.size() + " cases leaving fds open");
        figures.add("mutated objects that open, through load() (" + loadable.size() + " objects)",
                loads.loads + " cases", privileged ? verdict(loads) + ": " + loads.count("loaded") + " loaded, "
                        + loads.count("load-rejected") + " BpfException (verifier or kernel), " + loads.count("load-java:")
                        + " other Java exception; " + loads.crashes.size() + " JVM crashes or hangs, " + loads.leaks.size()
                        + " cases leaving fds open" : "skipped: not root");
        figures.write();

        assertEquals(List.of(), open.crashes, "open cases that crashed or hung the JVM");
        assertEquals(List.of(), loads.crashes, "load cases that crashed or hung the JVM");
        assertEquals(List.of(), hsErr, "hs_err files of crashed JVMs");
        assertEquals(List.of(), open.leaks, "open cases that left fds open");
        assertEquals(List.of(), loads.leaks, "load cases that left fds open");
        assertTrue(open.cases >= OPEN_CASES, "open cases run: " + open.cases);
        if (privileged) {
            assertTrue(loads.loads >= LOAD_CASES, "load cases run: " + loads.loads);
        }
    }

    private static String verdict(Campaign c) {
        return c.crashes.isEmpty() && c.leaks.isEmpty() ? "pass" : "FAIL";
    }

    private static void print(Campaign c) {
        System.out.println("hostile objects, " + c.mode + ": " + c.cases + " cases, " + c.loads + " loads, "
                + c.jvms + " JVMs, " + c.millis + " ms");
        System.out.println("  by mutation kind: " + c.kinds);
        c.outcomes.forEach((outcome, n) -> System.out.println("  " + n + "\t" + outcome));
        c.crashes.forEach(crash -> System.out.println("  CRASH " + crash));
        c.leaks.forEach(leak -> System.out.println("  FD LEAK " + leak));
    }

    /**
     * The harness itself: a JVM that crashes (SIGSEGV) at case 7 is recorded with that case,
     * the cases after it run in a new JVM, and an fd left open at case 12 is reported.
     */
    @Test
    void harnessRecordsACrashAndAnFdLeakAndGoesOn() throws Exception {
        List<Path> objects = List.of(TestSupport.bpfObject("maps"), TestSupport.bpfObject("testrun"));
        Campaign c = run("open", 0, 20, 0, objects, List.of("-Djbpf.fuzz.crashAt=7", "-Djbpf.fuzz.leakAt=12"),
                tmp.resolve("crashes"));
        print(c);
        assertEquals(2, c.jvms, "a new JVM after the crash");
        assertEquals(19, c.cases, "every case but the one that crashed");
        assertEquals(1, c.crashes.size(), "crashes: " + c.crashes);
        assertTrue(c.crashes.getFirst().startsWith("open case 7 "), c.crashes.getFirst());
        assertTrue(!c.crashes.getFirst().contains("exit status 0"), c.crashes.getFirst());
        assertEquals(1, c.leaks.size(), "leaks: " + c.leaks);
        assertTrue(c.leaks.getFirst().matches("open case 12: \\[/proc/\\d+/stat]"), c.leaks.getFirst());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("hs_err")).count(), "hs_err files");
        }
    }

    /** Runs cases first..last (in load mode until loadTarget loads), starting a new JVM after each crash. */
    private Campaign run(String mode, long first, long last, int loadTarget, List<Path> objects,
            List<String> extraOptions, Path crashDir) {
        Campaign c = new Campaign(mode);
        long started = System.nanoTime();
        long next = first;
        try {
            while (next < last && (loadTarget == 0 || c.loads < loadTarget)) {
                List<String> args = new ArrayList<>(List.of(mode, Long.toString(SEED), Long.toString(next),
                        Long.toString(last), Integer.toString(loadTarget - c.loads), tmp.toString()));
                objects.forEach(o -> args.add(o.toString()));
                c.jvms++;
                long current = -1;
                boolean done = false;
                List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1"));
                options.addAll(extraOptions);
                try (ForkedJvm jvm = ForkedJvm.start(tmp, options, HostileObjectDriver.class, args)) {
                    try {
                        String line;
                        while ((line = jvm.nextLine(WATCHDOG_SECONDS)) != null) {
                            String[] f = line.split(" ", 4);
                            switch (f[0]) {
                                case "B" -> current = Long.parseLong(f[1]);
                                case "R" -> {
                                    c.cases++;
                                    c.kinds.merge(f[2], 1, Integer::sum);
                                    c.outcomes.merge(f[3], 1, Integer::sum);
                                    if (mode.equals("load") && (f[3].startsWith("load") || f[3].equals("loaded"))) {
                                        c.loads++;
                                    }
                                    current = -1;
                                    next = Long.parseLong(f[1]) + 1;
                                }
                                case "L" -> c.leaks.add(mode + " case " + f[1] + ": " + f[2]);
                                case "DONE" -> done = true;
                                default -> System.out.println("driver: " + line);
                            }
                        }
                        int status = jvm.exitStatus();
                        if (done && status == 0) {
                            break;
                        }
                        c.crashes.add(record(mode, current, objects, crashDir,
                                "exit status " + status + " " + firstLines(jvm.stderr())));
                    } catch (ForkedJvm.WatchdogTimeout e) {
                        c.crashes.add(record(mode, current, objects, crashDir, "hung for " + WATCHDOG_SECONDS + " s"));
                    }
                }
                if (current < 0) {
                    break; // died outside a case: nothing to skip, do not loop
                }
                next = current + 1;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        c.millis = (System.nanoTime() - started) / 1_000_000L;
        return c;
    }

    /** Keeps the case that killed a JVM under build/reliability/crashes; returns its description. */
    private static String record(String mode, long index, List<Path> objects, Path crashDir, String how)
            throws IOException {
        if (index < 0) {
            return mode + ": JVM died outside a case: " + how;
        }
        Path base = objects.get((int) (index % objects.size()));
        ElfMutator.Case c = new ElfMutator(base.getFileName().toString(), Files.readAllBytes(base))
                .mutate(SEED, index, mode.equals("load"));
        Path dir = Files.createDirectories(crashDir);
        Path file = dir.resolve(mode + "-" + index + "-" + c.kind() + "-" + base.getFileName());
        Files.write(file, c.bytes());
        return mode + " case " + index + " (" + c.kind() + " of " + base.getFileName() + ", kept as " + file + "): "
                + how;
    }

    private static String firstLines(String text) {
        return text.lines().limit(6).reduce((a, b) -> a + " | " + b).orElse("");
    }
}
