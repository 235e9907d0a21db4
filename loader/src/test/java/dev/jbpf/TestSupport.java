package dev.jbpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** True when this process may load BPF programs (root, or CAP_BPF + CAP_PERFMON). */
    public static boolean isPrivileged() {
        return dev.jbpf.internal.Capabilities.canLoadBpf();
    }

    /** Skips the calling test, with the reason printed, unless this process may load BPF programs. */
    public static void assumePrivileged() {
        boolean privileged = isPrivileged();
        if (!privileged) {
            System.out.println("SKIPPED: needs root (or CAP_BPF + CAP_PERFMON) to load BPF programs");
        }
        assumeTrue(privileged, "needs root (or CAP_BPF + CAP_PERFMON) to load BPF programs");
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
}
