package dev.jbpf.cli;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfBuffer;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.OpenedProgram;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf attach OBJ [--pin DIR] [--duration S] [PROG...]}: loads an object and attaches
 * all (or the named) programs by their section. In the foreground it streams the object's
 * ring buffers until Ctrl-C or the duration ends, then detaches; with --pin it pins programs,
 * maps and links and exits, leaving them attached.
 */
@Command(name = "attach", description = "Load a BPF object and attach its programs (all, or the named ones).")
final class AttachCommand implements Callable<Integer> {
    /** How long one ring buffer poll may block, so Ctrl-C and --duration are noticed promptly. */
    private static final Duration POLL_SLICE = Duration.ofMillis(100);

    @Mixin
    CommonOptions options;
    @Mixin
    PinOptions pinOptions;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "OBJ", description = "A compiled BPF object (.bpf.o).")
    Path objectPath;
    @Parameters(index = "1..*", paramLabel = "PROG", description = "Programs to attach (default: all).")
    List<String> programNames = new ArrayList<>();
    @Option(names = "--pin", paramLabel = "DIR",
            description = "Pin programs, maps and links under DIR (bpffs) and exit, leaving them attached.")
    Path pinDir;
    @Option(names = "--at", paramLabel = "PROG=SPEC",
            description = "Attach PROG at SPEC instead of where its section says: " + AttachSpec.SYNTAX + ".")
    Map<String, String> attachPoints = new LinkedHashMap<>();
    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Set a global variable before load: a number, true/false, text for char arrays, or hex:BYTES.")
    Map<String, String> globalSettings = new LinkedHashMap<>();
    @Option(names = "--duration", paramLabel = "SECONDS", description = "Detach after this many seconds (default: at Ctrl-C).")
    Double durationSeconds;
    @Option(names = "--dump-maps", description = "Print the object's maps (but ring buffers and global data) when detaching.")
    boolean dumpMaps;
    @Option(names = "--record-type", paramLabel = "STRUCT",
            description = "Print ring buffer records field by field as this struct of the object's BTF (default: hex).")
    String recordType;
    @Option(names = "--verifier-log", description = "Print the verifier's log of each program (log level 1; text output only).")
    boolean verifierLog;

    /** Perf events that sampling attach points opened; closed after the object (see AttachSpec.PerfSampling). */
    private final List<PerCpuPerfEvents> perfEvents = new ArrayList<>();

    @Override
    public Integer call() {
        try {
            return attachAndRun();
        } finally {
            for (PerCpuPerfEvents events : perfEvents) {
                if (pinDir != null) {
                    events.enable(); // the pinned links go on sampling after this process
                }
                events.close();
            }
        }
    }

    private int attachAndRun() {
        if (durationSeconds != null && (durationSeconds <= 0 || durationSeconds.isNaN() || durationSeconds.isInfinite())) {
            throw new UsageException("--duration must be a positive number of seconds");
        }
        if (pinDir != null && durationSeconds != null) {
            throw new UsageException("--duration applies to the foreground; with --pin jbpf exits at once");
        }
        Map<String, AttachSpec> points = new LinkedHashMap<>();
        attachPoints.forEach((program, spec) -> points.put(program, AttachSpec.parse(spec)));
        if (pinDir == null && pinOptions.given()) {
            throw new UsageException("--force and --pin-mode apply to --pin");
        }
        PinDirectory pins = pinDir == null ? null : PinDirectory.prepare(pinDir, pinOptions);
        OpenedObject opened = BpfObject.open(objectPath);
        try {
            GlobalSettings.apply(opened.globals(), globalSettings);
            selectPrograms(opened);
            for (String name : points.keySet()) {
                opened.program(name); // --at must name a program the object has
            }
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        try (LoadedObject loaded = LoadCommand.load(opened, verifierLog)) {
            if (verifierLog && !options.json()) {
                LoadCommand.printVerifierLogs(loaded, spec.commandLine().getOut());
            }
            List<BpfLink> links = new ArrayList<>();
            List<BpfProgram> attached = new ArrayList<>();
            if (pins == null) {
                for (BpfProgram program : selected(loaded)) {
                    links.addAll(attach(program, points));
                    attached.add(program);
                }
                return runInForeground(loaded, attached);
            }
            try {
                LoadCommand.pinAll(loaded, pins);
                for (BpfProgram program : selected(loaded)) {
                    List<BpfLink> programLinks = attach(program, points);
                    for (int i = 0; i < programLinks.size(); i++) {
                        // several links (one per CPU for perf events): NAME, NAME-1, NAME-2, ... (bpffs refuses dots)
                        pins.pin("links", program.name() + (i == 0 ? "" : "-" + i), programLinks.get(i)::pin);
                    }
                }
                pins.commit();
            } catch (RuntimeException e) {
                pins.rollBack();
                throw e;
            }
            LoadCommand.report(loaded, pins, spec.commandLine().getOut(), options);
            return Main.EXIT_OK;
        }
    }

    /** Attaches where --at says, else where the program's section says. */
    private List<BpfLink> attach(BpfProgram program, Map<String, AttachSpec> points) {
        AttachSpec spec = points.get(program.name());
        return spec == null ? List.of(program.attach()) : spec.attach(program, perfEvents);
    }

    /** Turns autoload off for the programs not named on the command line (unknown names fail). */
    private void selectPrograms(OpenedObject opened) {
        if (programNames.isEmpty()) {
            return;
        }
        Set<String> wanted = new HashSet<>(programNames);
        for (String name : wanted) {
            opened.program(name); // throws BpfNotFoundException naming the programs that exist
        }
        for (OpenedProgram program : opened.programs()) {
            program.autoload(wanted.contains(program.name()));
        }
    }

    private List<BpfProgram> selected(LoadedObject loaded) {
        return loaded.programs().stream()
                .filter(program -> programNames.isEmpty() || programNames.contains(program.name()))
                .toList();
    }

    private int runInForeground(LoadedObject loaded, List<BpfProgram> attached) {
        PrintWriter out = spec.commandLine().getOut();
        List<BpfMap> ringMaps = loaded.maps().stream().filter(map -> map.type() == MapType.RINGBUF).toList();
        List<BpfMap> perfMaps = loaded.maps().stream().filter(map -> map.type() == MapType.PERF_EVENT_ARRAY).toList();
        List<String> streamed = new ArrayList<>();
        ringMaps.forEach(map -> streamed.add("ring buffer " + map.name()));
        perfMaps.forEach(map -> streamed.add("perf buffer " + map.name()));
        if (!options.json()) {
            out.printf("Attached %d program%s of %s:%n", attached.size(), attached.size() == 1 ? "" : "s", loaded.name());
            for (BpfProgram program : attached) {
                out.printf("  %-24s %s (prog id %d)%n", program.name(), program.section(), program.id());
            }
            out.println((streamed.isEmpty() ? "Nothing to stream" : "Streaming " + String.join(", ", streamed))
                    + "; " + (durationSeconds == null ? "Ctrl-C to detach." : "detaching in " + durationSeconds + " s."));
            out.flush();
        }

        ForegroundStop stop = ForegroundStop.install("jbpf-detach-on-exit");
        long deadline = durationSeconds == null ? Long.MAX_VALUE
                : System.nanoTime() + (long) (durationSeconds * 1_000_000_000L);
        long records = 0;
        List<AutoCloseable> streams = new ArrayList<>();
        try (RecordPrinter printer = new RecordPrinter(objectPath, recordType, out, options)) {
            List<EventSource> sources = new ArrayList<>();
            if (!ringMaps.isEmpty()) {
                RingBuffer ring = printer.ringBuffer(ringMaps);
                streams.add(ring);
                sources.add(ring::poll);
            }
            for (BpfMap map : perfMaps) {
                PerfBuffer perf = printer.perfBuffer(map);
                streams.add(perf);
                sources.add(perf::poll);
            }
            // each source may block for its share of the slice, so Ctrl-C and --duration are noticed promptly
            Duration share = POLL_SLICE.dividedBy(Math.max(1, sources.size()));
            while (!stop.requested() && System.nanoTime() < deadline) {
                if (sources.isEmpty()) {
                    Thread.sleep(POLL_SLICE.toMillis());
                }
                for (EventSource source : sources) {
                    records += source.poll(share);
                }
            }
            if (dumpMaps) {
                for (BpfMap map : loaded.maps()) {
                    if (map.type() != MapType.RINGBUF && map.type() != MapType.PERF_EVENT_ARRAY && !map.isInternal()) {
                        if (!options.json()) {
                            out.println("Map " + map.name() + " (" + MapCommand.typeName(map.type()) + "):");
                        }
                        printer.dump(map);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (AutoCloseable stream : streams) {
                try {
                    stream.close();
                } catch (Exception e) {
                    // closing a stream does not fail in ways worth reporting at exit
                }
            }
            if (!options.json()) {
                out.println("Detached after " + records + " record" + (records == 1 ? "" : "s") + ".");
                out.flush();
            }
        }
        // The object (closed by the caller's try) detaches the links; the hook waits for that.
        stop.releaseAfter(loaded);
        return Main.EXIT_OK;
    }

    /** A ring or perf buffer, polled by the foreground loop. */
    @FunctionalInterface
    private interface EventSource {
        int poll(Duration timeout);
    }
}
