package dev.jbpf.testing;

import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Test helpers that make the kernel do something and read what the BPF programs saw
 * ({@link TestSupport#getppid} is the other half).
 */
public final class KernelEffects {
    private KernelEffects() {
    }

    /** This process's tgid, the key the test programs count under. */
    public static int pid() {
        return (int) ProcessHandle.current().pid();
    }

    /** Opens (and closes) a file n times, each an openat(2) opensnoop counts. */
    public static void openFiles(int times) {
        for (int i = 0; i < times; i++) {
            try {
                Files.newInputStream(Path.of("/proc/self/stat")).close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The u64 counter of this process in a map keyed by tgid (u32), 0 when absent. */
    public static long counterOfThisProcess(BpfMap map) {
        return map.typed(Codec.INT, Codec.LONG).get(pid()).orElse(0L);
    }

    /** How many fds this process has open. */
    public static long openFdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits up to timeout for condition (kernel clean-up may lag a little behind close). */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
