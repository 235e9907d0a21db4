package dev.jbpf.testing;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared helpers for the tests that load real programs into the running kernel. */
public final class TestSupport {
    private TestSupport() {
    }

    /**
     * True when this process may load BPF programs (root, or CAP_BPF + CAP_PERFMON). Tests do not
     * check it themselves: {@code @KernelTest} (dev.jbpf.testing) skips them, with the reason.
     */
    public static boolean isPrivileged() {
        return dev.jbpf.internal.Capabilities.canLoadBpf();
    }

    /** The path of a BPF object that `make build` compiled from bpf-src/NAME.bpf.c. */
    public static Path bpfObject(String name) {
        String dir = System.getProperty("jbpf.bpf.dir", "build/bpf");
        Path path = Path.of(dir, name + ".bpf.o");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: run 'make build' first");
        }
        return path;
    }

    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    /** Calls getppid(2) {@code times} times: the syscall that maps.bpf.o's count_getppid counts. */
    public static void getppid(int times) {
        try {
            for (int i = 0; i < times; i++) {
                int unused = (int) GETPPID.invokeExact();
            }
        } catch (Throwable e) {
            throw new AssertionError("getppid failed", e);
        }
    }

    private static final MethodHandle SCHED_SETAFFINITY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sched_setaffinity").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS));

    /**
     * Runs {@code body} on this thread pinned to {@code cpu} (sched_setaffinity of the calling
     * thread), then lets it run on every CPU again: for tests whose kernel effect is per CPU.
     */
    public static void onCpu(int cpu, Runnable body) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment mask = arena.allocate(128); // cpu_set_t: 1024 CPUs
            java.lang.foreign.MemorySegment all = arena.allocate(128);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            all.fill((byte) 0xff);
            if ((int) SCHED_SETAFFINITY.invokeExact(0, 128L, mask) != 0) {
                throw new AssertionError("sched_setaffinity to CPU " + cpu + " failed");
            }
            try {
                body.run();
            } finally {
                int unused = (int) SCHED_SETAFFINITY.invokeExact(0, 128L, all);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("sched_setaffinity", t);
        }
    }
}
