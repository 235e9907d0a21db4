package dev.jbpf.cli;

import dev.jbpf.tools.tcptrack.TcpTracker;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf tcptrack [--duration S] [--interval S] [--variant kprobe|tracepoint]}: the guide's
 * TCP connection tracker. Every interval it prints each live TCP connection that moved data
 * since the start, with the bytes user space sent (TX) and received (RX) through its socket;
 * closed sockets drop out. The tracker itself (its BPF side built in) is the tools module's {@link TcpTracker}.
 */
@Command(name = "tcptrack", mixinStandardHelpOptions = true, description = {
        "Track TCP connections: bytes sent and received per socket, listed every interval; closed sockets drop out.",
        "Counts start when jbpf attaches. Variants: kprobe (tcp_sendmsg, tcp_cleanup_rbuf) and, for kernels without"
                + " kprobes, tracepoint (sock:sock_send_length, sock:sock_recv_length)."})
final class TcpTrackCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    @Mixin
    CommonOptions options;
    @Spec
    CommandSpec spec;
    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds (default: at Ctrl-C).")
    Double durationSeconds;
    @Option(names = "--interval", paramLabel = "SECONDS", description = "Seconds between two listings (default: 1).")
    double intervalSeconds = 1;
    @Option(names = "--variant", paramLabel = "kprobe|tracepoint",
            description = "Which programs to use (default: kprobe when the kernel has kprobes, else tracepoint).")
    String variantName;

    @Override
    public Integer call() {
        if (durationSeconds != null && !(durationSeconds > 0 && Double.isFinite(durationSeconds))) {
            throw new UsageException("--duration must be a positive number of seconds");
        }
        if (!(intervalSeconds > 0 && Double.isFinite(intervalSeconds))) {
            throw new UsageException("--interval must be a positive number of seconds");
        }
        TcpTracker.Variant variant = variant();
        PrintWriter out = spec.commandLine().getOut();
        TcpTracker tracker = TcpTracker.start(variant);
        ForegroundStop stop;
        try {
            stop = ForegroundStop.install("jbpf-tcptrack-stop");
        } catch (RuntimeException | Error e) {
            tracker.close();
            throw e;
        }
        try {
            if (!options.json()) {
                out.println("Tracking TCP connections with the " + variant.displayName() + " variant (" + variant.source()
                        + "; prog ids " + tracker.programIds().stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("")
                        + "); " + (durationSeconds == null ? "Ctrl-C to stop." : "stopping in " + durationSeconds + " s."));
                out.flush();
            }
            long start = System.nanoTime();
            long end = durationSeconds == null ? Long.MAX_VALUE : start + (long) (durationSeconds * 1e9);
            long interval = (long) (intervalSeconds * 1e9);
            for (long next = start + interval; !stop.requested(); next += interval) {
                long wake = Math.min(next, end);
                if (!sleepUntil(wake, stop)) {
                    break;
                }
                print(out, tracker.connections());
                if (System.nanoTime() >= end) {
                    break;
                }
            }
        } finally {
            // detaches and unloads, then lets a pending Ctrl-C exit go on
            stop.releaseAfter(tracker.object());
        }
        return Main.EXIT_OK;
    }

    /** Sleeps in slices so that Ctrl-C is noticed promptly; false when asked to stop (Ctrl-C, interrupt). */
    private static boolean sleepUntil(long wake, ForegroundStop stop) {
        try {
            while (!stop.requested() && System.nanoTime() < wake) {
                TimeUnit.NANOSECONDS.sleep(Math.min(100_000_000L, Math.max(0, wake - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !stop.requested();
    }

    private TcpTracker.Variant variant() {
        if (variantName == null) {
            return TcpTracker.Variant.forThisKernel();
        }
        return switch (variantName.toLowerCase(Locale.ROOT)) {
            case "kprobe" -> TcpTracker.Variant.KPROBE;
            case "tracepoint" -> TcpTracker.Variant.TRACEPOINT;
            default -> throw new UsageException("--variant must be kprobe or tracepoint, not '" + variantName + "'");
        };
    }

    private void print(PrintWriter out, List<TcpTracker.Connection> connections) {
        Instant now = Instant.now();
        if (options.json()) {
            // one line per interval, written as it goes (a generator, no tree)
            Output.printJson(out, options, json -> {
                json.writeStartObject();
                json.writeStringField("time", now.toString());
                json.writeArrayFieldStart("connections");
                for (TcpTracker.Connection c : connections) {
                    json.writeStartObject();
                    json.writeStringField("saddr", TcpTracker.Connection.text(c.source()));
                    json.writeNumberField("sport", c.sourcePort());
                    json.writeStringField("daddr", TcpTracker.Connection.text(c.destination()));
                    json.writeNumberField("dport", c.destinationPort());
                    json.writeNumberField("tx", c.tx());
                    json.writeNumberField("rx", c.rx());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            });
            return;
        }
        out.println(TIME.format(now) + " UTC: " + connections.size() + " connection" + (connections.size() == 1 ? "" : "s"));
        for (TcpTracker.Connection c : connections) {
            out.println("  " + c.line());
        }
        out.flush();
    }
}
