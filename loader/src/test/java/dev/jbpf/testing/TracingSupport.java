package dev.jbpf.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.program.OpenedProgram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Helpers of the tracing tests: libc calls made from this very thread (so per-thread counters
 * are exact), kernel feature probes that skip a test with a printed reason, and loading an
 * object with only the programs a test needs.
 */
public final class TracingSupport {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETPID = libc("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETPPID = libc("getppid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETTID = libc("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle SETENV = libc("setenv", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static Set<String> kallsyms;

    private TracingSupport() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** The kernel's id of the calling thread: the key of the per-thread counters. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** Calls libc's getpid() n times from this thread; returns what it returned. */
    public static int getpid(int times) {
        try {
            int result = 0;
            for (int i = 0; i < times; i++) {
                result = (int) GETPID.invokeExact();
            }
            return result;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** Calls libc's getppid() n times from this thread; returns what it returned. */
    public static int getppid(int times) {
        try {
            int result = 0;
            for (int i = 0; i < times; i++) {
                result = (int) GETPPID.invokeExact();
            }
            return result;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** Sets a variable in this process's C environment (what libbpf's getenv sees; Java's is a copy). */
    public static void setenv(String name, String value) {
        try (Arena arena = Arena.ofConfined()) {
            int result = (int) SETENV.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            if (result != 0) {
                throw new AssertionError("setenv " + name + " failed");
            }
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** The u64 a per-thread map holds for {@code tid}, 0 when absent. */
    public static long valueOf(BpfMap map, int tid) {
        return map.typed(Codec.INT, Codec.LONG).get(tid).orElse(0L);
    }

    /** Prints "SKIPPED: reason" and aborts the test as skipped. */
    public static void skip(String reason) {
        System.out.println("SKIPPED: " + reason);
        assumeTrue(false, reason);
    }

    /** Whether /proc/kallsyms lists the kernel symbol. */
    public static synchronized boolean kernelHasSymbol(String symbol) {
        if (kallsyms == null) {
            Set<String> names = new HashSet<>();
            try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
                lines.forEach(line -> {
                    String[] fields = line.split("\\s+");
                    if (fields.length >= 3) {
                        names.add(fields[2]);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            kallsyms = names;
        }
        return kallsyms.contains(symbol);
    }

    /** The kernel symbol of getppid(2)'s entry on this architecture. */
    public static String getppidKernelSymbol() {
        for (String symbol : List.of("__x64_sys_getppid", "__arm64_sys_getppid", "sys_getppid")) {
            if (kernelHasSymbol(symbol)) {
                return symbol;
            }
        }
        skip("no getppid entry symbol in /proc/kallsyms");
        return null;
    }

    /**
     * Opens the object, turns autoload off for every program but {@code programs}, and loads it.
     * Whether the kernel has what they need is the test's {@code @Requires}: a refusal here fails.
     */
    public static LoadedObject loadOnly(Path object, String... programs) {
        OpenedObject opened = BpfObject.open(object);
        Set<String> wanted = Set.of(programs);
        for (OpenedProgram program : opened.programs()) {
            program.autoload(wanted.contains(program.name()));
        }
        return opened.load();
    }

    /** EPERM, EACCES, ENOTSUPP, EOPNOTSUPP, ESRCH, ENOENT: what kernels without a feature answer. */
    public static boolean isMissingFeature(BpfException e) {
        return Set.of(Errno.EPERM, Errno.EACCES, Errno.ENOTSUPP, Errno.EOPNOTSUPP, Errno.ESRCH, Errno.ENOENT)
                .contains(e.errno());
    }

    /** The first of {@code functions} that the kernel's BTF describes (fentry/fexit need one). */
    public static Optional<String> btfFunction(String... functions) {
        MemorySegment btf = LibBpf.btf__load_vmlinux_btf();
        if (btf.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            for (String function : functions) {
                if (LibBpf.btf__find_by_name_kind(btf, arena.allocateFrom(function), BpfConstants.BTF_KIND_FUNC) > 0) {
                    return Optional.of(function);
                }
            }
            return Optional.empty();
        } finally {
            LibBpf.btf__free(btf);
        }
    }

    /** Where `make bpf` builds the trace target. */
    public static Path traceTargetBinary() {
        return testBinary("trace_target");
    }

    /** Where `make bpf` builds test-programs/usdt_target.c: USDT probes with semaphores, two providers, PIE. */
    public static Path usdtTargetBinary() {
        return testBinary("usdt_target");
    }

    /** Where `make bpf` builds the profiler's target, which has no USDT probe. */
    public static Path busyTargetBinary() {
        return testBinary("busy_target");
    }

    private static Path testBinary(String name) {
        Path path = Path.of(System.getProperty("jbpf.project.dir", "."), "build", "test-bin", name);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: run 'make bpf' first");
        }
        return path.toAbsolutePath().normalize();
    }

    /**
     * The libjvm.so of this JVM and of every JDK installed under /usr/lib/jvm, each file once
     * (real paths; Debian's java-1.17.0-openjdk-amd64 is a link to java-17-openjdk-amd64), this
     * JVM's first. HotSpot built with DTrace support has 500+ USDT probes in it.
     */
    public static List<Path> libjvms() {
        Set<Path> files = new java.util.LinkedHashSet<>();
        List<Path> homes = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        try (Stream<Path> installed = Files.list(Path.of("/usr/lib/jvm"))) {
            installed.sorted().forEach(homes::add);
        } catch (IOException e) {
            // no JDK there: this JVM's is enough
        }
        for (Path home : homes) {
            Path libjvm = home.resolve("lib/server/libjvm.so");
            if (Files.isRegularFile(libjvm)) {
                try {
                    files.add(libjvm.toRealPath());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return List.copyOf(files);
    }
}
