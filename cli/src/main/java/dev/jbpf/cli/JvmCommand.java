package dev.jbpf.cli;

import dev.jbpf.tools.jvm.AllocationCount;
import dev.jbpf.tools.jvm.ClassEvent;
import dev.jbpf.tools.jvm.CompileEvent;
import dev.jbpf.tools.jvm.GcEvent;
import dev.jbpf.tools.jvm.JvmAllocations;
import dev.jbpf.tools.jvm.JvmClassEvents;
import dev.jbpf.tools.jvm.JvmCompileEvents;
import dev.jbpf.tools.jvm.JvmEvents;
import dev.jbpf.tools.jvm.JvmGcEvents;
import dev.jbpf.tools.jvm.JvmMonitors;
import dev.jbpf.tools.jvm.JvmProcess;
import dev.jbpf.tools.jvm.JvmThreadEvents;
import dev.jbpf.tools.jvm.Log2Histogram;
import dev.jbpf.tools.jvm.MonitorContention;
import dev.jbpf.tools.jvm.ThreadEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf jvm gc|threads|classes|compile|alloc|monitors --pid PID [--duration S]}: another
 * JVM's garbage collections, threads, class loading, JIT compilations, allocations and contended
 * monitors from HotSpot's USDT probes, through the tools of {@code dev.jbpf.tools.jvm}; this class
 * only parses and prints. Each runs until Ctrl-C, --duration or the JVM's exit, then prints what it
 * had. Text, or -j: JSON Lines (a first line naming the target, one line per event, a last line
 * with the totals and why it ended), as {@code jbpf attach -j} streams.
 */
@Command(name = "jvm", mixinStandardHelpOptions = true,
        description = "Watch a running JVM through HotSpot's USDT probes (libjvm.so, provider hotspot): garbage"
                + " collections, threads, class loading, JIT compilations, allocations, contended monitors.",
        subcommands = {JvmCommand.Gc.class, JvmCommand.Threads.class, JvmCommand.Classes.class, JvmCommand.Compile.class,
                JvmCommand.Alloc.class, JvmCommand.Monitors.class})
final class JvmCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    /** How long one wait may block, so that Ctrl-C, --duration and the JVM's exit are noticed promptly. */
    private static final Duration SLICE = Duration.ofMillis(100);

    private JvmCommand() {
    }

    /** The options every jvm command has: which JVM, how long. */
    static final class Target {
        @Option(names = "--pid", required = true, paramLabel = "PID", description = "The JVM's process id.")
        int pid;
        @Option(names = "--duration", paramLabel = "SECONDS",
                description = "Stop after this many seconds (default: at Ctrl-C, or when the JVM exits).")
        Double durationSeconds;

        /** The JVM, after checking the options (usage errors) and the process (one-line failures). */
        JvmProcess jvm() {
            if (durationSeconds != null && !(durationSeconds > 0 && Double.isFinite(durationSeconds))) {
                throw new UsageException("--duration must be a positive number of seconds");
            }
            if (pid <= 0) {
                throw new UsageException("--pid must be a positive process id");
            }
            return JvmProcess.of(pid);
        }

        long deadline(long start) {
            return durationSeconds == null ? Long.MAX_VALUE : start + (long) (durationSeconds * 1e9);
        }

        /** "until it exits" or "for 10 s (or until it exits)" */
        String until() {
            return durationSeconds == null ? "until it exits" : "for " + seconds(durationSeconds) + " s (or until it exits)";
        }
    }

    /** Why a command stopped watching, as its last line says it ("ended"). */
    enum Ended {
        EXITED("the JVM exited"), DURATION("--duration passed"), INTERRUPTED("interrupted");

        final String text;

        Ended(String text) {
            this.text = text;
        }

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Waits in slices (each {@code waitSlice}, which returns after at most {@link #SLICE}) until
     * Ctrl-C, the duration or the JVM's exit; every second calls {@code tick} (may be null).
     */
    static Ended watch(JvmProcess jvm, Target target, ForegroundStop stop, Consumer<Duration> waitSlice, Runnable tick) {
        long start = System.nanoTime();
        long deadline = target.deadline(start);
        long nextTick = start + 1_000_000_000L;
        while (true) {
            if (stop.requested() || Thread.currentThread().isInterrupted()) {
                return Ended.INTERRUPTED;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                return Ended.DURATION;
            }
            if (!jvm.isAlive()) {
                return Ended.EXITED;
            }
            waitSlice.accept(Duration.ofNanos(Math.min(SLICE.toNanos(), deadline - now)));
            if (tick != null && System.nanoTime() >= nextTick) {
                tick.run();
                nextTick += 1_000_000_000L;
            }
        }
    }

    /** Sleeps for one slice (the tools that count in the kernel have nothing to poll); an interrupt ends the watch. */
    static void sleep(Duration slice) {
        try {
            Thread.sleep(slice);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How a watch ended, and the events the programs could not keep. */
    record Watched(Ended ended, long lost) {
    }

    /**
     * Installs the Ctrl-C hook, runs {@code started} (the first lines), streams {@code events} to
     * {@code handler} until the watch ends, hands over what came before the end, closes the
     * events (detaching) and runs {@code finish} (the last lines); only then lets a pending Ctrl-C
     * exit go on, so that the end is printed at Ctrl-C too.
     */
    static <E extends Record> void stream(JvmEvents<E> events, Target target, String stopName, Runnable started,
            Consumer<E> handler, Runnable tick, Consumer<Watched> finish) {
        ForegroundStop stop;
        try {
            stop = ForegroundStop.install(stopName);
        } catch (RuntimeException | Error e) {
            events.close();
            throw e;
        }
        try {
            started.run(); // the first line says it is attached: from here on Ctrl-C ends the watch cleanly
            Ended ended = watch(events.target(), target, stop, slice -> events.poll(slice, handler), tick);
            events.consume(handler); // what the JVM sent before it exited (or before the end)
            Watched watched = new Watched(ended, events.lost());
            events.close();
            finish.accept(watched);
        } finally {
            stop.releaseAfter(events::close); // closing again does nothing
        }
    }

    /**
     * For the tools that count in the kernel: installs the Ctrl-C hook, runs {@code started} (the
     * first line), waits until the watch ends, reads the counts ({@code read}), closes the tool
     * ({@code close}) and prints them ({@code finish}); only then lets a pending Ctrl-C exit go on.
     */
    static <T> void countUntilEnd(JvmProcess jvm, Target target, String stopName, Runnable started, Runnable close,
            Function<Ended, T> read, Consumer<T> finish) {
        ForegroundStop stop;
        try {
            stop = ForegroundStop.install(stopName);
        } catch (RuntimeException | Error e) {
            close.run();
            throw e;
        }
        try {
            started.run();
            T counted = read.apply(watch(jvm, target, stop, JvmCommand::sleep, null));
            close.run();
            finish.accept(counted);
        } finally {
            stop.releaseAfter(close); // closing again does nothing
        }
    }

    /** The first line: which JVM, which probes, and for how long, then the table's header (text); or a JSON object. */
    static void printStart(PrintWriter out, CommonOptions options, String doing, String tool, JvmProcess jvm, List<Integer> programIds,
            Target target, String header) {
        if (options.json()) {
            Output.printJson(out, options, json -> {
                json.writeStartObject();
                json.writeStringField("tool", tool);
                json.writeNumberField("pid", jvm.pid());
                json.writeStringField("command", jvm.command());
                json.writeStringField("java_version", jvm.javaVersion().orElse(null));
                json.writeStringField("libjvm", jvm.libjvm().toString());
                json.writeArrayFieldStart("prog_ids");
                for (int id : programIds) {
                    json.writeNumber(id);
                }
                json.writeEndArray();
                if (target.durationSeconds != null) {
                    json.writeNumberField("duration", target.durationSeconds);
                }
                json.writeEndObject();
            });
            return;
        }
        out.println(doing + " of " + jvm.describe() + " " + target.until() + "; Ctrl-C to stop. (" + jvm.libjvm() + ", prog ids "
                + programIds.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
        if (header != null) {
            out.println(header);
        }
        out.flush();
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }

    static String millis(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toNanos() / 1e6);
    }

    static String seconds(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    /** Bytes as people read them: "512B", "1.4K", "23.0M", "2.0G". */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String units = "KMGTPE";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length() - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%c", value, units.charAt(unit));
    }

    /** "1 class", "2 classes", "3 threads" */
    static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : noun.endsWith("s") ? "es" : "s");
    }

    /** The text end line's tail: "; 3 lost (the ring buffer was full)" or nothing. */
    static String lostText(long lost, String why) {
        return lost == 0 ? "" : "; " + lost + " lost (" + why + ")";
    }

    /** {@code jbpf jvm gc}: each collection as it ends, then a histogram of pause times. */
    @Command(name = "gc", mixinStandardHelpOptions = true, description = {
            "Each garbage collection pause of a JVM as it ends: its collector (the GarbageCollectorMXBean's name), whether"
                    + " full, how long, and the memory pools whose usage it changed; at the end a log2 histogram of pause times.",
            "Probes: hotspot:gc__begin, gc__end, mem__pool__gc__begin, mem__pool__gc__end."})
    static final class Gc implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmGcEvents events = JvmGcEvents.attach(jvm);
            long start = System.nanoTime();
            String header = String.format(Locale.ROOT, "%-12s  %9s  %-30s  %s", "TIME(UTC)", "PAUSE ms", "COLLECTOR",
                    "POOLS (used before -> after)");
            Log2Histogram pauses = new Log2Histogram();
            Map<String, Long> byCollector = new TreeMap<>();
            stream(events, target, "jbpf-jvm-gc-stop",
                    () -> printStart(out, options, "Tracing garbage collections", "gc", jvm, events.programIds(), target, header), event -> {
                pauses.add(event.duration().toNanos() / 1000);
                byCollector.merge(event.collector(), 1L, Long::sum);
                print(out, event);
            }, null, watched -> {
                long elapsed = System.nanoTime() - start;
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeNumberField("collections", pauses.total());
                        json.writeObjectFieldStart("by_collector");
                        for (Map.Entry<String, Long> entry : byCollector.entrySet()) {
                            json.writeNumberField(entry.getKey(), entry.getValue());
                        }
                        json.writeEndObject();
                        json.writeArrayFieldStart("pause_histogram_us");
                        for (Log2Histogram.Bucket bucket : pauses.buckets()) {
                            json.writeStartObject();
                            json.writeNumberField("from", bucket.low());
                            json.writeNumberField("to", bucket.high());
                            json.writeNumberField("count", bucket.count());
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                        json.writeNumberField("lost", watched.lost());
                        json.writeStringField("ended", watched.ended().json());
                        json.writeEndObject();
                    });
                    return;
                }
                out.println(plural(pauses.total(), "collection") + " in " + String.format(Locale.ROOT, "%.1f", elapsed / 1e9) + " s"
                        + (byCollector.isEmpty() ? "" : " (" + byCollector.entrySet().stream()
                                .map(entry -> (entry.getKey().isEmpty() ? "collector not reported" : entry.getKey()) + ": " + entry.getValue())
                                .collect(Collectors.joining(", ")) + ")")
                        + "; " + watched.ended().text + lostText(watched.lost(), "the ring buffer was full"));
                if (pauses.total() > 0) {
                    out.println("Pause times:");
                    pauses.lines("usecs").forEach(out::println);
                }
                out.flush();
            });
            return Main.EXIT_OK;
        }

        private void print(PrintWriter out, GcEvent event) {
            if (options.json()) {
                Output.printJson(out, options, json -> {
                    json.writeStartObject();
                    json.writeStringField("time", event.start().toString());
                    json.writeNumberField("duration_ns", event.duration().toNanos());
                    json.writeStringField("collector", event.collector());
                    json.writeBooleanField("full", event.full());
                    json.writeNumberField("thread", event.thread());
                    json.writeArrayFieldStart("pools");
                    for (GcEvent.PoolUsage pool : event.pools()) {
                        json.writeStartObject();
                        json.writeStringField("name", pool.name());
                        json.writeNumberField("used_before", pool.usedBefore());
                        json.writeNumberField("used_after", pool.usedAfter());
                        json.writeNumberField("committed_after", pool.committedAfter());
                        json.writeNumberField("max", pool.max());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                });
                return;
            }
            String pools = event.pools().stream().filter(pool -> pool.usedAfter() >= 0 && pool.usedAfter() != pool.usedBefore())
                    .map(pool -> pool.name() + " " + size(pool.usedBefore()) + " -> " + size(pool.usedAfter()))
                    .collect(Collectors.joining(", "));
            String collector = (event.collector().isEmpty() ? "(not reported)" : event.collector()) + (event.full() ? " (full)" : "");
            out.printf(Locale.ROOT, "%-12s  %9s  %-30s  %s%n", time(event.start()), millis(event.duration()), collector,
                    pools.isEmpty() ? "-" : pools);
            out.flush();
        }
    }

    /** {@code jbpf jvm threads}: Java threads starting and stopping. */
    @Command(name = "threads", mixinStandardHelpOptions = true, description = {
            "Java threads of a JVM starting and stopping, with their names, Java ids and kernel tids.",
            "Probes: hotspot:thread__start, thread__stop."})
    static final class Threads implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmThreadEvents events = JvmThreadEvents.attach(jvm);
            String header = String.format(Locale.ROOT, "%-12s  %-5s  %8s  %8s  %-6s  %s", "TIME(UTC)", "EVENT", "TID", "JAVA ID",
                    "DAEMON", "NAME");
            long[] counts = new long[2];
            stream(events, target, "jbpf-jvm-threads-stop",
                    () -> printStart(out, options, "Tracing threads", "threads", jvm, events.programIds(), target, header), event -> {
                counts[event.kind().ordinal()]++;
                print(out, event);
            }, null, watched -> {
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeNumberField("started", counts[0]);
                        json.writeNumberField("stopped", counts[1]);
                        json.writeNumberField("lost", watched.lost());
                        json.writeStringField("ended", watched.ended().json());
                        json.writeEndObject();
                    });
                } else {
                    out.println(plural(counts[0], "thread") + " started, " + counts[1] + " stopped; " + watched.ended().text
                            + lostText(watched.lost(), "the ring buffer was full"));
                    out.flush();
                }
            });
            return Main.EXIT_OK;
        }

        private void print(PrintWriter out, ThreadEvent event) {
            String kind = event.kind() == ThreadEvent.Kind.STARTED ? "start" : "stop";
            if (options.json()) {
                Output.printJson(out, options, json -> {
                    json.writeStartObject();
                    json.writeStringField("time", event.time().toString());
                    json.writeStringField("event", kind);
                    json.writeStringField("name", event.name());
                    json.writeNumberField("tid", event.nativeTid());
                    json.writeNumberField("java_id", event.javaId());
                    json.writeBooleanField("daemon", event.daemon());
                    json.writeEndObject();
                });
                return;
            }
            out.printf(Locale.ROOT, "%-12s  %-5s  %8d  %8d  %-6s  %s%n", time(event.time()), kind, event.nativeTid(), event.javaId(),
                    event.daemon() ? "yes" : "no", event.name());
            out.flush();
        }
    }

    /** {@code jbpf jvm classes}: classes loaded and unloaded, counted each second; every one with -v. */
    @Command(name = "classes", mixinStandardHelpOptions = true, description = {
            "Classes a JVM loads and unloads: counted each second (a line for each second that had some), and at the end;"
                    + " with -v each class by name as it comes.",
            "Probes: hotspot:class__loaded, class__unloaded (instance classes; array classes have none)."})
    static final class Classes implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;
        @Option(names = {"-v", "--verbose"}, description = "Print each class loaded or unloaded, by name.")
        boolean verbose;

        private final long[] total = new long[2];
        private final long[] second = new long[2];

        @Override
        public Integer call() {
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmClassEvents events = JvmClassEvents.attach(jvm);
            String header = verbose ? String.format(Locale.ROOT, "%-12s  %-6s  %-6s  %s", "TIME(UTC)", "EVENT", "SHARED", "CLASS")
                    : String.format(Locale.ROOT, "%-12s  %8s  %8s", "TIME(UTC)", "LOADED", "UNLOADED");
            stream(events, target, "jbpf-jvm-classes-stop",
                    () -> printStart(out, options, "Tracing class loading", "classes", jvm, events.programIds(), target, header), event -> {
                total[event.kind().ordinal()]++;
                second[event.kind().ordinal()]++;
                if (verbose) {
                    print(out, event);
                }
            }, () -> printSecond(out), watched -> {
                if (!verbose) {
                    printSecond(out);
                }
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeNumberField("loaded", total[0]);
                        json.writeNumberField("unloaded", total[1]);
                        json.writeNumberField("lost", watched.lost());
                        json.writeStringField("ended", watched.ended().json());
                        json.writeEndObject();
                    });
                } else {
                    out.println(plural(total[0], "class") + " loaded, " + total[1] + " unloaded; "
                            + watched.ended().text + lostText(watched.lost(), "the ring buffer was full"));
                    out.flush();
                }
            });
            return Main.EXIT_OK;
        }

        /** Without -v: the counts of the second that ended, when it had some. */
        private void printSecond(PrintWriter out) {
            if (verbose || second[0] + second[1] == 0) {
                return;
            }
            Instant now = Instant.now();
            long loaded = second[0];
            long unloaded = second[1];
            second[0] = 0;
            second[1] = 0;
            if (options.json()) {
                Output.printJson(out, options, json -> {
                    json.writeStartObject();
                    json.writeStringField("time", now.toString());
                    json.writeNumberField("loaded", loaded);
                    json.writeNumberField("unloaded", unloaded);
                    json.writeEndObject();
                });
                return;
            }
            out.printf(Locale.ROOT, "%-12s  %8d  %8d%n", time(now), loaded, unloaded);
            out.flush();
        }

        private void print(PrintWriter out, ClassEvent event) {
            String kind = event.kind() == ClassEvent.Kind.LOADED ? "load" : "unload";
            if (options.json()) {
                Output.printJson(out, options, json -> {
                    json.writeStartObject();
                    json.writeStringField("time", event.time().toString());
                    json.writeStringField("event", kind);
                    json.writeStringField("class", event.name());
                    json.writeNumberField("loader", event.loader());
                    json.writeBooleanField("shared", event.shared());
                    json.writeEndObject();
                });
                return;
            }
            out.printf(Locale.ROOT, "%-12s  %-6s  %-6s  %s%n", time(event.time()), kind, event.shared() ? "yes" : "no", event.name());
            out.flush();
        }
    }

    /** {@code jbpf jvm compile}: JIT compilations as they end. */
    @Command(name = "compile", mixinStandardHelpOptions = true, description = {
            "JIT compilations of a JVM as they end: the method (class.method and descriptor), the compiler (C1, C2), how long.",
            "Probes: hotspot:method__compile__begin, method__compile__end."})
    static final class Compile implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmCompileEvents events = JvmCompileEvents.attach(jvm);
            String header = String.format(Locale.ROOT, "%-12s  %-8s  %9s  %s", "TIME(UTC)", "COMPILER", "ms", "METHOD");
            Map<String, Long> byCompiler = new TreeMap<>();
            long[] failed = new long[1];
            stream(events, target, "jbpf-jvm-compile-stop",
                    () -> printStart(out, options, "Tracing JIT compilations", "compile", jvm, events.programIds(), target, header), event -> {
                byCompiler.merge(event.compiler(), 1L, Long::sum);
                if (!event.success()) {
                    failed[0]++;
                }
                print(out, event);
            }, null, watched -> {
                long compilations = byCompiler.values().stream().mapToLong(Long::longValue).sum();
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeNumberField("compilations", compilations);
                        json.writeObjectFieldStart("by_compiler");
                        for (Map.Entry<String, Long> entry : byCompiler.entrySet()) {
                            json.writeNumberField(entry.getKey(), entry.getValue());
                        }
                        json.writeEndObject();
                        json.writeNumberField("failed", failed[0]);
                        json.writeNumberField("lost", watched.lost());
                        json.writeStringField("ended", watched.ended().json());
                        json.writeEndObject();
                    });
                } else {
                    out.println(plural(compilations, "compilation") + (byCompiler.isEmpty() ? "" : " (" + byCompiler.entrySet().stream()
                            .map(entry -> entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining(", ")) + ")")
                            + ", " + failed[0] + " failed; " + watched.ended().text + lostText(watched.lost(), "the ring buffer was full"));
                    out.flush();
                }
            });
            return Main.EXIT_OK;
        }

        private void print(PrintWriter out, CompileEvent event) {
            if (options.json()) {
                Output.printJson(out, options, json -> {
                    json.writeStartObject();
                    json.writeStringField("time", event.start().toString());
                    json.writeStringField("compiler", event.compiler());
                    json.writeNumberField("duration_ns", event.duration().toNanos());
                    json.writeStringField("class", event.className());
                    json.writeStringField("method", event.methodName());
                    json.writeStringField("signature", event.signature());
                    json.writeBooleanField("success", event.success());
                    json.writeNumberField("thread", event.compilerThread());
                    json.writeEndObject();
                });
                return;
            }
            out.printf(Locale.ROOT, "%-12s  %-8s  %9s  %s%s%s%n", time(event.start()), event.compiler(), millis(event.duration()),
                    event.method(), event.signature(), event.success() ? "" : " (failed)");
            out.flush();
        }
    }

    /** --top for the tools that print a table at the end. */
    static final class Top {
        @Option(names = "--top", paramLabel = "N", defaultValue = "20",
                description = "Print the first N classes (default: ${DEFAULT-VALUE}; 0: all).")
        int top;

        <T> List<T> first(List<T> all) {
            if (top < 0) {
                throw new UsageException("--top must be 0 (all) or a positive number");
            }
            return top == 0 ? all : all.subList(0, Math.min(top, all.size()));
        }
    }

    /** {@code jbpf jvm alloc}: allocations by class, counted in the kernel, printed at the end. */
    @Command(name = "alloc", mixinStandardHelpOptions = true, description = {
            "Objects a JVM allocates, counted by class (objects, bytes) in the kernel and printed at the end, the most bytes first"
                    + " (JDKs 9 to 17 report no usable sizes: HotSpot's bug JDK-8276209; then objects only).",
            "Probe: hotspot:object__alloc, which HotSpot fires only with -XX:+DTraceAllocProbes (JDKs before 24 also:"
                    + " -XX:+ExtendedDTraceProbes); it makes every allocation call into the VM, several times slower."
                    + " A JVM without the flag is refused, naming it."})
    static final class Alloc implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Mixin
        Top top;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            top.first(List.of()); // checks --top before anything else
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmAllocations allocations = JvmAllocations.attach(jvm);
            record Counted(Ended ended, List<AllocationCount> counts, long lost) {
            }
            boolean sizes = allocations.sizesReported();
            countUntilEnd(jvm, target, "jbpf-jvm-alloc-stop",
                    () -> printStart(out, options, "Counting allocations", "alloc", jvm, allocations.programIds(), target, null),
                    allocations::close,
                    ended -> new Counted(ended, allocations.byClass(), allocations.lost()), counted -> {
                long objects = counted.counts().stream().mapToLong(AllocationCount::count).sum();
                long bytes = sizes ? counted.counts().stream().mapToLong(AllocationCount::bytes).sum() : -1;
                List<AllocationCount> shown = top.first(counted.counts());
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeArrayFieldStart("allocations");
                        for (AllocationCount count : shown) {
                            json.writeStartObject();
                            json.writeStringField("class", count.className());
                            json.writeNumberField("count", count.count());
                            writeBytes(json, count.bytes());
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                        json.writeNumberField("classes", counted.counts().size());
                        json.writeNumberField("objects", objects);
                        writeBytes(json, bytes);
                        json.writeBooleanField("sizes_reported", sizes);
                        json.writeNumberField("lost", counted.lost());
                        json.writeStringField("ended", counted.ended().json());
                        json.writeEndObject();
                    });
                    return;
                }
                out.printf(Locale.ROOT, "%12s  %14s  %s%n", "OBJECTS", "BYTES", "CLASS");
                for (AllocationCount count : shown) {
                    out.printf(Locale.ROOT, "%12d  %14s  %s%n", count.count(), count.bytes() < 0 ? "-" : Long.toString(count.bytes()),
                            count.className());
                }
                out.println(plural(objects, "object") + " of " + plural(counted.counts().size(), "class")
                        + (sizes ? ", " + size(bytes) : "") + (shown.size() < counted.counts().size() ? " (the first " + shown.size()
                        + " classes shown)" : "") + "; " + counted.ended().text + lostText(counted.lost(), "the map of classes was full"));
                if (!sizes) {
                    out.println("(no bytes: JDK " + jvm.javaVersion().orElse("?") + "'s object__alloc passes a wrong size, HotSpot's"
                            + " bug JDK-8276209, fixed in JDK 18)");
                }
                out.flush();
            });
            return Main.EXIT_OK;
        }

        /** "bytes": N, or null when the JVM does not report sizes. */
        private static void writeBytes(com.fasterxml.jackson.core.JsonGenerator json, long bytes) throws java.io.IOException {
            if (bytes < 0) {
                json.writeNullField("bytes");
            } else {
                json.writeNumberField("bytes", bytes);
            }
        }
    }

    /** {@code jbpf jvm monitors}: contended monitors by class, counted in the kernel, printed at the end. */
    @Command(name = "monitors", mixinStandardHelpOptions = true, description = {
            "Contended monitor enters of a JVM (a thread waiting for a synchronized lock another thread holds), counted by the"
                    + " class of the object locked, with the time waited; printed at the end, the most contended first.",
            "Probes: hotspot:monitor__contended__enter, monitor__contended__entered, which HotSpot fires only with"
                    + " -XX:+DTraceMonitorProbes (JDKs before 24 also: -XX:+ExtendedDTraceProbes). A JVM without the flag is"
                    + " refused, naming it."})
    static final class Monitors implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        Target target;
        @Mixin
        Top top;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            top.first(List.of());
            JvmProcess jvm = target.jvm();
            PrintWriter out = spec.commandLine().getOut();
            JvmMonitors monitors = JvmMonitors.attach(jvm);
            record Counted(Ended ended, List<MonitorContention> counts, long lost) {
            }
            countUntilEnd(jvm, target, "jbpf-jvm-monitors-stop",
                    () -> printStart(out, options, "Counting contended monitors", "monitors", jvm, monitors.programIds(), target, null),
                    monitors::close,
                    ended -> new Counted(ended, monitors.byClass(), monitors.lost()), counted -> {
                long contended = counted.counts().stream().mapToLong(MonitorContention::contended).sum();
                List<MonitorContention> shown = top.first(counted.counts());
                if (options.json()) {
                    Output.printJson(out, options, json -> {
                        json.writeStartObject();
                        json.writeArrayFieldStart("monitors");
                        for (MonitorContention count : shown) {
                            json.writeStartObject();
                            json.writeStringField("class", count.className());
                            json.writeNumberField("contended", count.contended());
                            json.writeNumberField("entered", count.entered());
                            json.writeNumberField("waited_ns", count.waited().toNanos());
                            json.writeNumberField("max_wait_ns", count.maxWait().toNanos());
                            json.writeEndObject();
                        }
                        json.writeEndArray();
                        json.writeNumberField("classes", counted.counts().size());
                        json.writeNumberField("contended", contended);
                        json.writeNumberField("lost", counted.lost());
                        json.writeStringField("ended", counted.ended().json());
                        json.writeEndObject();
                    });
                    return;
                }
                out.printf(Locale.ROOT, "%10s  %10s  %12s  %10s  %s%n", "CONTENDED", "ENTERED", "WAITED ms", "MAX ms", "CLASS");
                for (MonitorContention count : shown) {
                    out.printf(Locale.ROOT, "%10d  %10d  %12s  %10s  %s%n", count.contended(), count.entered(), millis(count.waited()),
                            millis(count.maxWait()), count.className());
                }
                out.println(plural(contended, "contended enter") + " on objects of " + plural(counted.counts().size(), "class") + (shown.size() < counted.counts().size() ? " (the first " + shown.size()
                        + " shown)" : "") + "; " + counted.ended().text + lostText(counted.lost(), "the map of classes was full"));
                out.flush();
            });
            return Main.EXIT_OK;
        }
    }
}
