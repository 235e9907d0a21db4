package dev.jbpf.examples.exectrace;

import dev.jbpf.BpfException;
import dev.jbpf.examples.exectrace.bpf.ExecTrace;
import dev.jbpf.ringbuf.RingBuffer;
import java.time.Duration;

/**
 * Prints every exec on the machine for N seconds (default 10), then how many execs each
 * (uid, command) made. Run as root, on the module path: {@code java
 * --enable-native-access=dev.jbpf.bindings,dev.jbpf.loader -p ... -m
 * dev.jbpf.examples.exectrace/dev.jbpf.examples.exectrace.ExecTraceMain 5}.
 */
public final class ExecTraceMain {
    private ExecTraceMain() {
    }

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("[1-9][0-9]{0,8}"))) {
            System.err.println("usage: ExecTraceMain [SECONDS]   (a whole number of seconds, default 10)");
            System.exit(2);
        }
        Duration duration = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
        try {
            trace(duration);
        } catch (BpfException e) {
            // not root, no BTF, verifier refusal...: the loader's message says which
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void trace(Duration duration) {
        try (ExecTrace trace = ExecTrace.load()) {
            trace.attachAll();
            try (RingBuffer ring = trace.events(ExecTrace.ExecEvent.class).subscribe(e ->
                    System.out.printf("%-7d %-7d %-5d %-16s %s%n", e.pid(), e.ppid(), e.uid(), e.comm(), e.filename()))) {
                System.out.printf("%-7s %-7s %-5s %-16s %s%n", "PID", "PPID", "UID", "COMM", "FILENAME");
                long end = System.nanoTime() + duration.toNanos();
                while (System.nanoTime() < end) {
                    ring.poll(Duration.ofMillis(100));
                }
            }
            System.out.println();
            trace.execs().entries().forEach(entry -> System.out.printf("uid %-5d %-16s %d execs, last pid %d%n",
                    entry.getKey().uid(), entry.getKey().comm(), entry.getValue().count(), entry.getValue().lastPid()));
        }
    }
}
