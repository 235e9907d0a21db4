package dev.jbpf.cli;

import dev.jbpf.tools.profile.FlameGraph;
import dev.jbpf.tools.profile.Profile;
import dev.jbpf.tools.profile.StackProfiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf profile [--pid P] [--freq HZ] [--duration S] [--folded FILE] [--svg FILE]}: a
 * sampling CPU profiler (dev.jbpf.tools.profile.StackProfiler) on every CPU; prints the hottest
 * stacks and writes folded stacks and an SVG flame graph. Ctrl-C ends sampling early and still
 * writes the results.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, description = "Sample kernel and user stacks on every CPU; write folded stacks and a flame graph.")
final class ProfileCommand implements Callable<Integer> {
    private static final int SHOWN_STACKS = 10;

    @Mixin
    CommonOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--pid", paramLabel = "PID", description = "Sample only this process (default: every process).")
    Integer pid;

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
        if (pid != null && !Files.isDirectory(Path.of("/proc", pid.toString()))) {
            throw new IllegalArgumentException("no process " + pid);
        }
        PrintWriter out = spec.commandLine().getOut();
        StackProfiler.Settings settings = new StackProfiler.Settings(pid == null ? 0 : pid, frequency,
                Duration.ofNanos((long) (durationSeconds * 1e9)));
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
                Files.writeString(svgFile, FlameGraph.svg(profile.folded(), title));
            }
            print(profile, out);
        } finally {
            stop.done(); // after the output: at Ctrl-C the JVM exits once this lets the hook return
        }
        return Main.EXIT_OK;
    }

    private void print(Profile profile, PrintWriter out) {
        long stacked = profile.stacks().stream().mapToLong(Profile.Stack::count).sum();
        if (options.json()) {
            // written as it goes (a generator, no tree): a long profile has many thousands of stacks
            Output.printJson(out, options, json -> {
                json.writeStartObject();
                json.writeStringField("event", profile.event());
                json.writeNumberField("frequency", profile.frequency());
                json.writeNumberField("duration_ns", profile.duration().toNanos());
                json.writeNumberField("samples", profile.samples());
                json.writeNumberField("dropped", profile.dropped());
                json.writeArrayFieldStart("stacks");
                for (Profile.Stack stack : profile.stacks()) {
                    json.writeStartObject();
                    json.writeNumberField("pid", stack.tgid());
                    json.writeStringField("comm", stack.comm());
                    json.writeNumberField("count", stack.count());
                    json.writeArrayFieldStart("frames");
                    for (String frame : stack.frames()) {
                        json.writeString(frame);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            });
            return;
        }
        out.printf(Locale.ROOT, "%d samples of %s in %.1f s, %d distinct stacks%s%n", profile.samples(), profile.event(),
                profile.duration().toNanos() / 1e9, profile.stacks().size(),
                profile.dropped() == 0 ? "" : " (" + profile.dropped() + " samples dropped: too many stacks)");
        out.println("Hottest stacks (samples, share, folded stack):");
        profile.stacks().stream().limit(SHOWN_STACKS).forEach(stack -> out.printf(Locale.ROOT, "%8d %5.1f%%  %s%n",
                stack.count(), stacked == 0 ? 0.0 : 100.0 * stack.count() / stacked, stack.folded()));
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
