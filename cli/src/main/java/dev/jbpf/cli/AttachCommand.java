package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.internal.Errno;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfBuffer;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.OpenedProgram;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * all (or the named) programs by their section, or where --at says. Like bpftool, it attaches
 * what it can: each program that cannot attach is reported on stderr in one line (why, and the
 * --at form that would give it a target), and it goes on while one at least attached (--strict:
 * all or nothing). In the foreground it streams the object's ring and perf buffers until
 * Ctrl-C or the duration ends, then detaches; with --pin it pins programs, maps and links and
 * exits, leaving them attached. Every option is checked against the object before anything is
 * loaded.
 */
@Command(name = "attach", description = "Load a BPF object and attach its programs (all, or the named ones):"
        + " those that can attach do, each one that cannot is reported (--strict: all or nothing).")
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
    @Option(names = "--pid", paramLabel = "PID",
            description = "Trace only process PID at the user-space targets of --at (uprobe, uretprobe, uprobe.multi, usdt;"
                    + " default: every process that runs the binary), e.g. --at PROG=usdt/BINARY:PROVIDER:NAME --pid PID"
                    + " (jbpf usdt list --pid PID lists the probes of a process).")
    Integer pid;
    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Set a global variable before load: a number, true/false, text for char arrays, or hex:BYTES.")
    Map<String, String> globalSettings = new LinkedHashMap<>();
    @Option(names = "--duration", paramLabel = "SECONDS", description = "Detach after this many seconds (default: at Ctrl-C).")
    Double durationSeconds;
    @Option(names = "--dump-maps", description = "Print the object's maps (but ring and perf buffers) when detaching.")
    boolean dumpMaps;
    @Option(names = "--all", description = "List (--pin) or dump (--dump-maps) libbpf's own maps too ("
            + LoadCommand.LIBBPF_MAPS + "); they are pinned either way.")
    boolean all;
    @Option(names = "--record-type", paramLabel = "STRUCT",
            description = "Print ring buffer records field by field as this struct of the object's BTF (default: hex).")
    String recordType;
    @Option(names = "--verifier-log", description = "Print the verifier's log of each program (log level 1; text output only).")
    boolean verifierLog;
    @Option(names = "--strict", description = "Attach every program (or every named one) or none: exit 1 when one cannot attach.")
    boolean strict;

    /** The programs whose --at target traces only --pid. */
    private final Set<String> pidFiltered = new HashSet<>();

    /** Perf events that sampling attach points opened; closed after the object (see AttachSpec.PerfSampling). */
    private final List<PerCpuPerfEvents> perfEvents = new ArrayList<>();

    /** A program that attached: its links (one per CPU for perf events) and where (the --at SPEC, else its section). */
    private record Attached(BpfProgram program, List<BpfLink> links, String point) {
    }

    /** A program that did not attach: why, and the --at PROG=SPEC that gives one of its type a target (or null). */
    private record NotAttached(BpfProgram program, String reason, String hint, String at) {
        /** The one line that reports it (after "Warning: " or "Error: "). */
        String line() {
            return program.name() + " (" + program.section() + ") not attached: " + reason + hint;
        }
    }

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
        if (pinDir != null && (durationSeconds != null || dumpMaps || recordType != null)) {
            throw new UsageException("--duration, --dump-maps and --record-type apply to the foreground;"
                    + " with --pin jbpf exits at once");
        }
        Map<String, AttachSpec> points = new LinkedHashMap<>();
        attachPoints.forEach((program, spec) -> points.put(program, AttachSpec.parse(spec)));
        if (pid != null) {
            filterByPid(points);
        }
        if (pinDir == null && pinOptions.given()) {
            throw new UsageException("--force and --pin-mode apply to --pin");
        }
        PinDirectory pins = pinDir == null ? null : PinDirectory.prepare(pinDir, pinOptions);
        OpenedObject opened = BpfObject.open(objectPath);
        try {
            checkBeforeLoad(opened, points);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        try (LoadedObject loaded = LoadCommand.load(opened, verifierLog)) {
            if (verifierLog && !options.json()) {
                LoadCommand.printVerifierLogs(loaded, spec.commandLine().getOut());
            }
            if (pins == null) {
                List<Attached> attached = new ArrayList<>();
                List<NotAttached> failed = new ArrayList<>();
                attachAll(loaded, points, attached, failed);
                if (!goOn(loaded, attached, failed)) {
                    return Main.EXIT_FAILED; // the object's close detaches what did attach
                }
                return runInForeground(loaded, attached, failed);
            }
            return attachAndPin(loaded, points, pins);
        }
    }

    /**
     * --pid: every user-space --at target traces only that process. A usage error when no --at
     * target is one (a program attached by its section traces every process: its --at form
     * gives it a pid), and a failure when there is no such process.
     */
    private void filterByPid(Map<String, AttachSpec> points) {
        if (pid <= 0) {
            throw new UsageException("--pid must be a positive process id");
        }
        for (Map.Entry<String, AttachSpec> entry : points.entrySet()) {
            AttachSpec withPid = entry.getValue().withPid(pid);
            if (withPid != null) {
                entry.setValue(withPid);
                pidFiltered.add(entry.getKey());
            }
        }
        if (pidFiltered.isEmpty()) {
            throw new UsageException("--pid applies to the uprobe, uretprobe, uprobe.multi and usdt targets of --at,"
                    + " and no --at names one: e.g. --at PROG=usdt/BINARY:PROVIDER:NAME --pid " + pid);
        }
        if (!Files.isDirectory(Path.of("/proc", pid.toString()))) {
            throw new IllegalArgumentException("no process " + pid);
        }
    }

    /**
     * Everything the command line says about the object, checked against it while it is only
     * opened, so a typo costs no load: global variables (set here), program names, --at
     * programs and targets, --record-type.
     */
    private void checkBeforeLoad(OpenedObject opened, Map<String, AttachSpec> points) {
        GlobalSettings.apply(opened.globals(), globalSettings);
        selectPrograms(opened);
        for (String name : points.keySet()) {
            opened.program(name); // --at must name a program the object has (the message offers the closest)
            if (!programNames.isEmpty() && !programNames.contains(name)) {
                throw new UsageException("--at " + name + ": " + name + " is not among the programs named to attach ("
                        + String.join(", ", programNames) + ")");
            }
        }
        if (recordType != null) {
            RecordPrinter.recordType(opened.btf(), recordType);
            boolean streams = opened.maps().stream().map(OpenedMap::type)
                    .anyMatch(type -> type == MapType.RINGBUF || type == MapType.PERF_EVENT_ARRAY);
            if (!streams) {
                throw new UsageException("--record-type " + recordType + ": object " + opened.name()
                        + " has no ring buffer or perf buffer whose records it would print");
            }
        }
        for (AttachSpec point : points.values()) {
            point.check();
        }
    }

    /** Attaches each selected program, sorting them into those that attached and those that did not. */
    private void attachAll(LoadedObject loaded, Map<String, AttachSpec> points, List<Attached> attached,
            List<NotAttached> failed) {
        for (BpfProgram program : selected(loaded)) {
            AttachSpec at = points.get(program.name());
            try {
                List<BpfLink> links = at == null ? List.of(program.attach()) : at.attach(program, perfEvents);
                attached.add(new Attached(program, links, at == null ? program.section() : attachPoints.get(program.name())));
            } catch (RuntimeException e) {
                if (!Main.isFailure(e)) {
                    throw e;
                }
                failed.add(notAttached(loaded, program, at != null, e));
            }
        }
    }

    private NotAttached notAttached(LoadedObject loaded, BpfProgram program, boolean explicit, RuntimeException e) {
        AttachSpec.Target target = AttachSpec.Target.of(program.section(), program.type());
        String reason;
        // libbpf answers EOPNOTSUPP when the section names no target (SEC("kprobe"), SEC("uprobe"),
        // SEC("usdt")) or the type has no auto-attach at all (perf_event, xdp, tc, socket filters)
        boolean lackedTarget = !explicit && e instanceof BpfException failure && failure.errno() == Errno.EOPNOTSUPP;
        if (lackedTarget) {
            reason = "it needs a target (" + target.what() + "), which its section does not name";
        } else {
            reason = Main.reason(e, options.debug);
            String prefix = "attach program " + loaded.name() + "/" + program.name() + ": ";
            if (reason.startsWith(prefix)) {
                reason = reason.substring(prefix.length()); // the line names the program already
            }
        }
        return new NotAttached(program, reason, target.hint(program.name(), program.type(), lackedTarget),
                target.form() == null ? null : program.name() + "=" + target.form());
    }

    /**
     * Reports the programs that did not attach and says whether the command goes on: while one
     * at least attached (each failure a warning), unless --strict (each failure an error, and
     * nothing stays attached). In JSON the failure is also on stdout, as the summary object.
     */
    private boolean goOn(LoadedObject loaded, List<Attached> attached, List<NotAttached> failed) {
        boolean fails = attached.isEmpty() || (strict && !failed.isEmpty());
        PrintWriter err = spec.commandLine().getErr();
        for (NotAttached notAttached : failed) {
            err.println((fails ? "Error: " : "Warning: ") + notAttached.line());
        }
        if (fails && failed.isEmpty()) {
            err.println("Error: object " + loaded.name() + " has no program to attach");
        } else if (fails && !attached.isEmpty()) {
            err.println("Error: --strict: nothing stays attached, since " + failed.size() + " of "
                    + (attached.size() + failed.size()) + " programs could not attach");
        }
        err.flush();
        if (fails && options.json()) {
            ObjectNode summary = Output.object();
            summary.put("object", loaded.name());
            summary.putArray("attached");
            summary.set("not_attached", notAttachedJson(failed));
            Output.printJson(spec.commandLine().getOut(), summary, options);
        }
        return !fails;
    }

    /** --pin: pins programs and maps, attaches, pins the links; exits leaving them attached. */
    private int attachAndPin(LoadedObject loaded, Map<String, AttachSpec> points, PinDirectory pins) {
        List<Attached> attached = new ArrayList<>();
        List<NotAttached> failed = new ArrayList<>();
        try {
            LoadCommand.pinAll(loaded, pins);
            attachAll(loaded, points, attached, failed);
            for (Attached program : List.copyOf(attached)) {
                List<BpfLink> links = program.links();
                for (int i = 0; i < links.size(); i++) {
                    // several links (one per CPU for perf events): NAME, NAME-1, NAME-2, ... (bpffs refuses dots)
                    try {
                        pins.pin("links", linkName(program, i), links.get(i)::pin);
                    } catch (RuntimeException e) {
                        if (i > 0 || !Main.isFailure(e)) {
                            throw e; // a program half pinned: roll everything back
                        }
                        // e.g. USDT: libbpf's link is one uprobe per call site, with no fd to pin;
                        // such a program would detach when jbpf exits, so it counts as not attached
                        links.forEach(BpfLink::close);
                        attached.remove(program);
                        failed.add(new NotAttached(program.program(), "its link cannot be pinned, so it would detach when"
                                + " jbpf exits: " + Main.reason(e, options.debug), "; attach it in the foreground (without --pin)",
                                null));
                        break;
                    }
                }
            }
            if (!goOn(loaded, attached, failed)) {
                pins.rollBack();
                return Main.EXIT_FAILED;
            }
            pins.commit();
        } catch (RuntimeException e) {
            pins.rollBack();
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json()) {
            ObjectNode report = LoadCommand.json(loaded, pins, all);
            report.set("attached", attachedJson(attached, pins));
            report.set("not_attached", notAttachedJson(failed));
            Output.printJson(out, report, options);
        } else {
            LoadCommand.printText(loaded, pins, out, all);
            for (Attached program : attached) {
                for (int i = 0; i < program.links().size(); i++) {
                    BpfLink link = program.links().get(i);
                    out.printf("  link %-24s id %-6s %s%s%n", linkName(program, i),
                            link.isKernelLink() ? String.valueOf(link.id()) : "-", program.point(),
                            LoadCommand.pinSuffix(pins, "links", linkName(program, i)));
                }
            }
            out.flush();
        }
        return Main.EXIT_OK;
    }

    private static String linkName(Attached program, int index) {
        return program.program().name() + (index == 0 ? "" : "-" + index);
    }

    /** [{name, section, type, id, attach_point[, pid], links: [{id[, pinned]}]}] of the programs that attached. */
    private ArrayNode attachedJson(List<Attached> attached, PinDirectory pins) {
        ArrayNode array = Output.array();
        for (Attached program : attached) {
            ObjectNode node = array.addObject();
            node.put("name", program.program().name());
            node.put("section", program.program().section());
            node.put("type", MapCommand.typeName(program.program().type()));
            node.put("id", program.program().id());
            node.put("attach_point", program.point());
            if (pidFiltered.contains(program.program().name())) {
                node.put("pid", pid);
            }
            ArrayNode links = node.putArray("links");
            for (int i = 0; i < program.links().size(); i++) {
                BpfLink link = program.links().get(i);
                ObjectNode linkNode = links.addObject();
                if (link.isKernelLink()) {
                    linkNode.put("id", link.id()); // netlink attachments (tc clsact, xdp) have none
                }
                java.nio.file.Path pinned = pins == null ? null : pins.pinned("links", linkName(program, i));
                if (pinned != null) {
                    linkNode.put("pinned", pinned.toString());
                }
            }
        }
        return array;
    }

    /** [{name, section, type, id, reason, at}]: "at" is the --at PROG=SPEC for its type, or null. */
    private static ArrayNode notAttachedJson(List<NotAttached> failed) {
        ArrayNode array = Output.array();
        for (NotAttached notAttached : failed) {
            ObjectNode node = array.addObject();
            node.put("name", notAttached.program().name());
            node.put("section", notAttached.program().section());
            node.put("type", MapCommand.typeName(notAttached.program().type()));
            node.put("id", notAttached.program().id());
            node.put("reason", notAttached.reason());
            node.put("at", notAttached.at());
        }
        return array;
    }

    /** Turns autoload off for the programs not named on the command line (unknown names fail). */
    private void selectPrograms(OpenedObject opened) {
        if (programNames.isEmpty()) {
            return;
        }
        Set<String> wanted = new HashSet<>(programNames);
        for (String name : programNames) {
            opened.program(name); // throws BpfNotFoundException offering the closest names
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

    private int runInForeground(LoadedObject loaded, List<Attached> attached, List<NotAttached> failed) {
        PrintWriter out = spec.commandLine().getOut();
        List<BpfMap> ringMaps = loaded.maps().stream().filter(map -> map.type() == MapType.RINGBUF).toList();
        List<BpfMap> perfMaps = loaded.maps().stream().filter(map -> map.type() == MapType.PERF_EVENT_ARRAY).toList();
        List<String> streamed = new ArrayList<>();
        ringMaps.forEach(map -> streamed.add("ring buffer " + map.name()));
        perfMaps.forEach(map -> streamed.add("perf buffer " + map.name()));
        if (options.json()) {
            // JSON Lines: this summary, then one object per record, per dumped map, and the end
            ObjectNode summary = Output.object();
            summary.put("object", loaded.name());
            summary.set("attached", attachedJson(attached, null));
            summary.set("not_attached", notAttachedJson(failed));
            ArrayNode streams = summary.putArray("streaming");
            for (BpfMap map : loaded.maps()) {
                if (map.type() == MapType.RINGBUF || map.type() == MapType.PERF_EVENT_ARRAY) {
                    streams.addObject().put("map", map.name()).put("type", MapCommand.typeName(map.type()));
                }
            }
            if (durationSeconds != null) {
                summary.put("duration", durationSeconds);
            }
            Output.printJson(out, summary, options);
        } else {
            out.printf("Attached %d program%s of %s:%n", attached.size(), attached.size() == 1 ? "" : "s", loaded.name());
            for (Attached program : attached) {
                out.printf("  %-24s %s (prog id %d)%s%n", program.program().name(), program.program().section(),
                        program.program().id(), pidFiltered.contains(program.program().name()) ? " in process " + pid : "");
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
        // the object's BTF, borrowed: the object outlives the printer
        try (RecordPrinter printer = new RecordPrinter(recordType == null ? null : loaded.btf(), recordType, out, options)) {
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
                for (BpfMap map : LoadCommand.listed(loaded, all)) {
                    if (map.type() != MapType.RINGBUF && map.type() != MapType.PERF_EVENT_ARRAY) {
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
            if (options.json()) {
                ObjectNode end = Output.object();
                end.put("detached", true);
                end.put("records", records);
                Output.printJson(out, end, options);
            } else {
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
