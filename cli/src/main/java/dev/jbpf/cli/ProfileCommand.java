package dev.jbpf.cli;

import dev.jbpf.tools.profile.FlameGraph;
import dev.jbpf.tools.jvm.JvmProcess;
import dev.jbpf.tools.profile.Profile;
import dev.jbpf.tools.profile.StackProfiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf profile [--pid P [--jvm-perfmap]] [--freq HZ] [--duration S] [--folded FILE] [--svg FILE]}:
 * a sampling CPU profiler (dev.jbpf.tools.profile.StackProfiler) on every CPU; prints the hottest
 * stacks and writes folded stacks and an SVG flame graph. Ctrl-C ends sampling early and still
 * writes the results. For a JVM: its JIT-compiled methods are named from its perf map
 * ({@code --jvm-perfmap} has it written), and a JVM without -XX:+PreserveFramePointer is
 * reported with what that costs (JvmProcess decides).
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Sample kernel and user stacks on every CPU; write folded stacks and a flame graph.",
            "",
            "Java: a JVM's JIT-compiled methods are named from its perf map, /tmp/perf-PID.map (in its own /tmp and pid "
                + "namespace, so a JVM in a container works): --jvm-perfmap has the JVM write it, otherwise one already "
                + "there is used (jcmd PID Compiler.perfmap, -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit). Run the JVM with "
                + "-XX:+PreserveFramePointer: without it, its Java stacks are cut at the first JIT-compiled frame "
                + "(jbpf warns). Frames are marked in the folded stacks as FlameGraph does (_[j] Java, _[k] kernel) "
                + "and coloured by kind in the flame graph; -j gives each frame's kind and address."})
final class ProfileCommand implements Callable<Integer> {
    private static final int SHOWN_STACKS = 10;

    @Mixin
    CommonOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--pid", paramLabel = "PID", description = "Sample only this process (default: every process).")
    Integer pid;

    @Option(names = "--jvm-perfmap", description = {"With --pid of a HotSpot JVM (JDK 17+): have it write its perf map "
            + "(jcmd PID Compiler.perfmap, with the JVM's own jcmd) at the start and again at the end of sampling, so "
            + "the methods it compiled meanwhile are named too. Also asks it (jcmd VM.flags) whether it keeps frame pointers."})
    boolean jvmPerfMap;

    @Option(names = "--freq", paramLabel = "HZ", description = "Samples per second on each CPU (default: ${DEFAULT-VALUE}).", defaultValue = "99")
    long frequency;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Sample this long (default: ${DEFAULT-VALUE}; Ctrl-C, or the exit of --pid, ends early).", defaultValue = "10")
    double durationSeconds;

    @Option(names = "--folded", paramLabel = "FILE", description = "Write folded stacks ('comm;frame;frame count' lines).")
    Path foldedFile;

    @Option(names = "--svg", paramLabel = "FILE", description = "Write an SVG flame graph.")
    Path svgFile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (pid != null && pid <= 0) {
            throw new UsageException("--pid must be a positive process id");
        }
        if (frequency <= 0) {
            throw new UsageException("--freq must be a positive number of samples per second");
        }
        if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
            throw new UsageException("--duration must be a positive number of seconds");
        }
        if (jvmPerfMap && pid == null) {
            throw new UsageException("--jvm-perfmap needs --pid: it asks one JVM to write its perf map");
        }
        if (pid != null && !Files.isDirectory(Path.of("/proc", pid.toString()))) {
            throw new IllegalArgumentException("no process " + pid);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<JvmProcess> jvm = pid == null ? Optional.empty()
                : jvmPerfMap ? Optional.of(JvmProcess.of(pid)) : JvmProcess.find(pid);
        jvm.ifPresent(java -> warnWithoutFramePointers(java, err));
        StackProfiler.Settings settings = new StackProfiler.Settings(pid == null ? 0 : pid, frequency,
                Duration.ofNanos((long) (durationSeconds * 1e9)), jvmPerfMap);
        Runnable started = () -> {
            if (!options.json()) {
                out.printf(Locale.ROOT, "Sampling %s at %d Hz on every CPU for %s s; Ctrl-C to stop early.%n",
                        pid == null ? "every process" : "process " + pid, frequency, trim(durationSeconds));
                out.flush();
            }
        };
        ForegroundStop stop = ForegroundStop.install("jbpf-profile-stop");
        try {
            Profile profile = StackProfiler.run(settings, started, stop::requested);
            if (profile.samples() == 0) {
                // an empty flame graph would look like a result: say why there is none instead
                throw new IllegalStateException("no sample arrived in " + trim(durationSeconds) + " s: "
                        + (pid == null ? "no CPU ran anything sampled" : "process " + pid
                        + " did not run on a CPU (idle or sleeping)") + "; nothing written");
            }
            if (foldedFile != null) {
                profile.writeFolded(foldedFile);
            }
            if (svgFile != null) {
                String title = "jbpf profile: " + (pid == null ? "every process" : "pid " + pid) + ", " + profile.event()
                        + " at " + frequency + " Hz";
                Files.writeString(svgFile, FlameGraph.svg(profile, title));
            }
            profile.warnings().forEach(warning -> err.println("Warning: " + warning));
            err.flush();
            print(profile, out);
        } finally {
            stop.done(); // after the output: at Ctrl-C the JVM exits once this lets the hook return
        }
        return Main.EXIT_OK;
    }

    /** Says on stderr what a JVM without -XX:+PreserveFramePointer costs the profile. */
    private static void warnWithoutFramePointers(JvmProcess java, PrintWriter err) {
        JvmProcess.FramePointers framePointers;
        try {
            framePointers = java.framePointers();
        } catch (IllegalStateException e) {
            err.println("Warning: " + e.getMessage() + "; without -XX:+PreserveFramePointer its Java stacks are cut at the"
                    + " first compiled frame");
            err.flush();
            return;
        }
        if (!framePointers.preserved()) {
            err.println("Warning: JVM " + java.pid() + " runs without -XX:+PreserveFramePointer (from " + framePointers.source()
                    + "): its JIT-compiled code uses the frame pointer register for data, so its Java stacks are cut at the"
                    + " first compiled frame: the method sampled is named, its callers are lost or wrong. Restart it with"
                    + " -XX:+PreserveFramePointer (a few per cent of CPU) for whole stacks.");
            err.flush();
        }
    }

    private void print(Profile profile, PrintWriter out) {
        if (options.json()) {
            // written as it goes (a generator, no tree): a long profile has many thousands of stacks
            Output.printJson(out, options, json -> {
                json.writeStartObject();
                json.writeStringField("event", profile.event());
                json.writeNumberField("frequency", profile.frequency());
                json.writeNumberField("duration_ns", profile.duration().toNanos());
                json.writeNumberField("samples", profile.samples());
                json.writeNumberField("dropped", profile.dropped());
                json.writeArrayFieldStart("warnings");
                for (String warning : profile.warnings()) {
                    json.writeString(warning);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("stacks");
                for (Profile.Stack stack : profile.stacks()) {
                    json.writeStartObject();
                    json.writeNumberField("pid", stack.tgid());
                    json.writeStringField("comm", stack.comm());
                    json.writeNumberField("count", stack.count());
                    json.writeArrayFieldStart("frames");
                    for (Profile.Frame frame : stack.frames()) {
                        json.writeStartObject();
                        json.writeStringField("name", frame.name());
                        json.writeStringField("kind", frame.kind().id());
                        json.writeStringField("address", frame.hexAddress());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            });
            return;
        }
        // stacks that differ only in addresses within the same functions add up here
        Map<String, Long> folded = profile.folded();
        long stacked = folded.values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "%d samples of %s in %.1f s, %d distinct stacks%s%n", profile.samples(), profile.event(),
                profile.duration().toNanos() / 1e9, folded.size(),
                profile.dropped() == 0 ? "" : " (" + profile.dropped() + " samples dropped: too many stacks)");
        out.println("Hottest stacks (samples, share, folded stack):");
        folded.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(SHOWN_STACKS)
                .forEach(stack -> out.printf(Locale.ROOT, "%8d %5.1f%%  %s%n", stack.getValue(),
                        stacked == 0 ? 0.0 : 100.0 * stack.getValue() / stacked, stack.getKey()));
        if (foldedFile != null) {
            out.println("Folded stacks: " + foldedFile);
        }
        if (svgFile != null) {
            out.println("Flame graph: " + svgFile);
        }
        out.flush();
    }

    private static String trim(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
