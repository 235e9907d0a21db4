package dev.jbpf.examples.counters;

import dev.jbpf.BpfException;
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
        if (args.length == 0 || args.length > 2 || !args[0].matches("[1-9][0-9]{0,8}")
                || (args.length == 2 && !args[1].matches("[1-9][0-9]{0,8}"))) {
            System.err.println("usage: CountersMain PID [SECONDS]   (a process id; whole seconds, default 10)");
            System.exit(2);
        }
        int pid = Integer.parseInt(args[0]);
        Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        try {
            count(pid, duration);
        } catch (BpfException e) {
            // not root, no BTF, verifier refusal...: the loader's message says which
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void count(int pid, Duration duration) throws InterruptedException {
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
