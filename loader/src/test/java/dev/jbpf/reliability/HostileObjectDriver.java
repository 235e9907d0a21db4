package dev.jbpf.reliability;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.program.OpenedProgram;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The forked JVM of {@link HostileObjectFuzzTest}: runs a range of hostile-object cases through
 * {@link BpfObject#open} (and, in load mode, {@code load()}) and reports each on stdout, so that
 * when this JVM dies the parent knows the case that killed it.
 *
 * <p>Arguments: {@code open|load SEED FIRST LAST LOAD_TARGET TMPDIR OBJECT...}. Case i mutates
 * object {@code i % objects}. Lines: {@code B i} before a case, {@code R i OUTCOME} after it,
 * {@code L i NEWFDS} when the case left fds open, {@code DONE} at the end. In load mode it stops
 * after LOAD_TARGET calls of {@code load()}.
 */
public final class HostileObjectDriver {
    /** Maps whose kernel memory would exceed this are not loaded (the case counts as open only). */
    static final long MAX_MAP_BYTES = 64L << 20;
    /** For the harness's own test: the case at which to crash the JVM (SIGSEGV), -1 for none. */
    private static final long CRASH_AT = Long.getLong("jbpf.fuzz.crashAt", -1);
    /** For the harness's own test: the case at which to leave an fd open, -1 for none. */
    private static final long LEAK_AT = Long.getLong("jbpf.fuzz.leakAt", -1);
    /** Kept so that the logger configuration is not collected. */
    private static final Logger LIBBPF_LOGGER = Logger.getLogger("dev.jbpf.libbpf");

    private HostileObjectDriver() {
    }

    public static void main(String[] args) throws IOException {
        LIBBPF_LOGGER.setLevel(Level.OFF); // hostile objects make libbpf warn a lot: not the subject here
        boolean load = args[0].equals("load");
        long seed = Long.parseLong(args[1]);
        long first = Long.parseLong(args[2]), last = Long.parseLong(args[3]);
        int loadTarget = Integer.parseInt(args[4]);
        Path tmp = Path.of(args[5]);
        List<ElfMutator> bases = new ArrayList<>();
        for (int i = 6; i < args.length; i++) {
            Path object = Path.of(args[i]);
            bases.add(new ElfMutator(object.getFileName().toString(), Files.readAllBytes(object)));
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        Path file = tmp.resolve("case-" + ProcessHandle.current().pid() + ".bpf.o");
        warmUp(bases.getFirst(), file);
        int loads = 0;
        for (long i = first; i < last && (!load || loads < loadTarget); i++) {
            ElfMutator base = bases.get((int) (i % bases.size()));
            ElfMutator.Case c = base.mutate(seed, i, load);
            out.println("B " + i);
            out.flush(); // before native code runs: a crash must not lose the line
            Map<Integer, String> before = openFds();
            injectFault(i);
            String outcome;
            if (load) {
                String[] result = openAndLoad(c);
                outcome = result[0];
                if (result[1] != null) {
                    loads++;
                }
            } else {
                outcome = openOnly(c, i % 2 == 0 ? file : null);
            }
            Map<Integer, String> after = openFds();
            after.entrySet().removeAll(before.entrySet()); // same fd, same file: not new
            out.println("R " + i + " " + c.kind() + " " + outcome);
            if (!after.isEmpty()) {
                out.println("L " + i + " " + after.values().toString().replace(' ', '_'));
            }
            out.flush();
        }
        Files.deleteIfExists(file);
        out.println("DONE");
        out.flush();
    }

    @SuppressWarnings("resource")
    private static void injectFault(long i) throws IOException {
        if (i == LEAK_AT) {
            new java.io.FileInputStream("/proc/self/stat"); // left open on purpose
        }
        if (i == CRASH_AT) {
            try {
                java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
                linker.downcallHandle(linker.defaultLookup().find("raise").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                                java.lang.foreign.ValueLayout.JAVA_INT)).invoke(11); // SIGSEGV, as a libbpf bug would
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** One valid open and close first, so that fds the JVM opens once (jars, libbpf) are not counted. */
    private static void warmUp(ElfMutator base, Path file) {
        openOnly(new ElfMutator.Case(base.baseName(), "none", base.mutate(0, 0, false).bytes()), file);
        try (OpenedObject object = BpfObject.open(file)) {
            object.programs();
        } catch (BpfException e) {
            // the warm-up case may be malformed too; only its side effects matter
        } catch (RuntimeException e) {
            // same
        }
    }

    /** Opens (through a file when {@code file} is given, else from memory), looks around, closes. */
    static String openOnly(ElfMutator.Case c, Path file) {
        try {
            if (file != null) {
                Files.write(file, c.bytes());
            }
            try (OpenedObject object = file != null ? BpfObject.open(file) : BpfObject.open(c.bytes(), "fuzz")) {
                inspect(object);
            }
            return "opened";
        } catch (Throwable t) {
            return rejected(t);
        }
    }

    /** {outcome, "loaded" when load() was called}. */
    private static String[] openAndLoad(ElfMutator.Case c) {
        OpenedObject object;
        try {
            object = BpfObject.open(c.bytes(), "fuzz");
        } catch (Throwable t) {
            return new String[] {"open-" + rejected(t), null};
        }
        try (object) {
            inspect(object);
            for (OpenedMap map : object.maps()) {
                long entryBytes = Math.max(1, map.keySize() + map.valueSize());
                long bytes = entryBytes * Integer.toUnsignedLong(map.maxEntries());
                if (bytes > MAX_MAP_BYTES) {
                    return new String[] {"skipped-huge-map", null};
                }
            }
            try (LoadedObject loaded = object.load()) {
                loaded.programs().forEach(p -> {
                    if (p.isLoaded()) {
                        p.id();
                    }
                });
                loaded.maps().forEach(m -> m.id());
            }
            return new String[] {"loaded", "load"};
        } catch (Throwable t) {
            return new String[] {"load-" + rejected(t), "load"};
        }
    }

    private static void inspect(OpenedObject object) {
        for (OpenedProgram program : object.programs()) {
            program.name();
            program.section();
            program.type();
            program.instructionCount();
        }
        for (OpenedMap map : object.maps()) {
            map.name();
            map.type();
        }
    }

    /** "rejected:ExceptionClass:ERRNO" for the library's exceptions, "java:Class" for any other. */
    private static String rejected(Throwable t) {
        if (t instanceof BpfException e) {
            return "rejected:" + e.getClass().getSimpleName() + ":" + (e.errno() == 0 ? "-" : e.errnoName());
        }
        return "java:" + t.getClass().getName() + (t.getStackTrace().length > 0
                ? "@" + t.getStackTrace()[0].getClassName() + "." + t.getStackTrace()[0].getMethodName() : "");
    }

    /** fd number to what it refers to, for this process. */
    static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new HashMap<>();
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd"; // the listing's own fd
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : list.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.equals(listing)) {
                        fds.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // the directory stream's own fd, closed by now
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }
}
