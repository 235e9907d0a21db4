package dev.jbpf.examples.counters;

import dev.jbpf.examples.counters.bpf.Counters;
import java.time.Duration;

/**
 * Counts the getppid(2) and getpid(2) calls of one process (PID, the first argument) for N
 * seconds (the second, default 10), printing the counters every second. Run as root.
 */
public final class CountersMain {
    private CountersMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.err.println("usage: CountersMain PID [SECONDS]");
            System.exit(2);
        }
        int pid = Integer.parseInt(args[0]);
        Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        Counters.Opened opened = Counters.open();
        opened.cfg(new Counters.Config(pid, true)); // .rodata: fixed once loaded
        try (Counters counters = opened.load()) {
            counters.attachAll();
            for (long s = 0; s < duration.toSeconds(); s++) {
                Thread.sleep(1000);
                long[] byKind = counters.callsByKind();
                System.out.printf("getppid %d, getpid %d, last %s%n", byKind[Counters.SyscallKind.KIND_GETPPID.ordinal()],
                        byKind[Counters.SyscallKind.KIND_GETPID.ordinal()], counters.lastKind());
            }
        }
    }
}
