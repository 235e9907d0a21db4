package dev.jbpf.cli;

import dev.jbpf.exporter.Exporter;
import dev.jbpf.exporter.ExporterOptions;
import dev.jbpf.exporter.ListenAddress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf export --config.dir DIR --config.names A,B [--web.listen-address :9435]}: Cloudflare
 * ebpf_exporter's configs (NAME.yaml beside NAME.bpf.o) served as Prometheus metrics under the same
 * series names, until Ctrl-C or {@code --duration}. The work is the exporter module's
 * {@link Exporter}; this class parses flags, prints where it serves, and closes it (detaching
 * everything) on the way out.
 */
@Command(name = "export", description = {
        "Serve Prometheus metrics from Cloudflare ebpf_exporter's configs: DIR/NAME.yaml describes the maps of DIR/NAME.bpf.o.",
        "Same flags, series names and labels as ebpf_exporter; /metrics reads the maps when scraped; /healthz, /readyz.",
        "A config key jbpf does not support is refused with its file and line.",
        "SIGHUP reloads the configs: unchanged ones keep their counts, changed ones are loaded anew, a bad one keeps the old set.",
        "Beyond ebpf_exporter: labels_from_btf, ringbuf counters (see exporter/README.md)."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--config.dir", required = true, paramLabel = "DIR", description = "Directory of NAME.yaml and NAME.bpf.o.")
    Path configDir;
    @Option(names = "--config.names", paramLabel = "NAMES",
            description = "Comma-separated names of the configs to load (default: every NAME.yaml of DIR, also at each reload).")
    String configNames;
    @Option(names = "--web.listen-address", paramLabel = "[HOST]:PORT",
            description = "Address to serve on (default: ${DEFAULT-VALUE}, as ebpf_exporter).")
    String listenAddress = ":" + ExporterOptions.DEFAULT_PORT;
    @Option(names = "--config.strict", description = "Fail when a program does not attach (default: report it and serve the rest).")
    boolean strict;
    @Option(names = "--config.check", description = "Load and attach the configs, then exit (0: they work).")
    boolean check;
    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds (default: at Ctrl-C).")
    Double durationSeconds;
    @Option(names = "--debug", description = "Print libbpf's debug messages and stack traces of failures.")
    boolean debug;

    @Override
    public Integer call() {
        if (durationSeconds != null && !(durationSeconds > 0 && Double.isFinite(durationSeconds))) {
            throw new UsageException("--duration must be a positive number of seconds");
        }
        List<String> names = configNames == null ? List.of()
                : Arrays.stream(configNames.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (configNames != null && names.isEmpty()) {
            throw new UsageException("--config.names names no config");
        }
        ListenAddress address;
        try {
            address = ListenAddress.parse(listenAddress);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Exporter exporter = Exporter.start(new ExporterOptions(configDir, names, address, strict));
        ForegroundStop stop;
        ReloadSignal hangUp = null;
        try {
            stop = ForegroundStop.install("jbpf-export-stop");
        } catch (RuntimeException | Error e) {
            exporter.close();
            throw e;
        }
        try {
            hangUp = ReloadSignal.install();
            String served = String.join(", ", exporter.configs().stream().map(c -> c.name()).toList());
            exporter.attachFailures().forEach(failure -> err.println("Warning: " + failure));
            err.flush();
            if (check) {
                int count = exporter.configs().size();
                out.println("Config check successful: " + count + " config" + (count == 1 ? "" : "s")
                        + " loaded and attached (" + served + ")");
                return Main.EXIT_OK;
            }
            String host = address.host() == null ? "0.0.0.0" : address.host().contains(":") ? "[" + address.host() + "]" : address.host();
            out.println("Serving " + served + " on http://" + host + ":" + exporter.port() + "/metrics; "
                    + (durationSeconds == null ? "Ctrl-C to stop." : "stopping in " + durationSeconds + " s."));
            out.flush();
            long end = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (durationSeconds * 1e9);
            try {
                while (!stop.requested() && System.nanoTime() < end) {
                    TimeUnit.MILLISECONDS.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    if (hangUp.take()) {
                        reload(exporter, out, err);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Main.EXIT_OK;
        } finally {
            if (hangUp != null) {
                hangUp.close();
            }
            // stops serving, detaches and unloads; then lets a pending Ctrl-C exit go on
            stop.releaseAfter(exporter::close);
        }
    }

    /** SIGHUP: one line either way; a failed reload keeps the configs that serve (the exporter's self metrics say it failed). */
    private static void reload(Exporter exporter, PrintWriter out, PrintWriter err) {
        try {
            Exporter.Reload reload = exporter.reload();
            out.println("Reloaded: " + reload);
            out.flush();
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            err.println("Reload failed, still serving the configs before it: " + message);
            err.flush();
        }
    }
}
