package dev.jbpf.tools.profile;

import dev.jbpf.kallsyms.KernelSymbols;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapEntry;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.perf.PerfEventUnavailableException;
import dev.jbpf.perf.SoftwareEvent;
import dev.jbpf.tools.BundledObjects;
import dev.jbpf.tools.jvm.JvmProcess;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Samples stacks on every CPU with a BPF {@code perf_event} program (bpf-src/profile.bpf.c):
 * CPU cycles where a hardware PMU exists, else the cpu-clock software event. The program
 * counts samples by (process, thread name, kernel stack id, user stack id) and keeps the stacks
 * in a {@code BPF_MAP_TYPE_STACK_TRACE} map; this class reads both at the end and names the
 * addresses (kernel: /proc/kallsyms; user: {@link UserSymbols}, the ELF symbols of the files in
 * /proc/PID/maps, read while sampling so that processes which exit before the end are still
 * named, and a JIT's perf map for its code).
 *
 * <p>Java: a JVM's JIT-compiled methods are named from its perf map, /tmp/perf-PID.map. With
 * {@link Settings#jvmPerfMap()} the JVM sampled is asked to write it ({@link JvmProcess}) before
 * sampling starts and again once it ends; otherwise a map already there is read (one written by
 * {@code jcmd PID Compiler.perfmap} before, or by {@code -XX:+DumpPerfMapAtExit} as the JVM
 * exited while sampled). The kernel walks user stacks by frame pointers, so a JVM without
 * {@code -XX:+PreserveFramePointer} gives stacks cut at its first compiled frame
 * ({@link JvmProcess#framePointers}).
 *
 * <p>Native resources: {@link #run} opens and closes everything it uses (object, perf events,
 * links) before it returns, also when it fails.
 */
public final class StackProfiler {
    private static final long REMEMBER_EVERY_NANOS = 500_000_000L;
    private static final long SLICE_MILLIS = 50;

    /**
     * What to sample.
     *
     * @param pid the process to sample, or 0 for every process (except the idle task)
     * @param frequency samples per second on each CPU
     * @param duration how long to sample at most
     * @param jvmPerfMap make the process, a HotSpot JVM, write its perf map at the start and
     *     again at the end of sampling ({@link JvmProcess#writePerfMap}), so that the code it
     *     compiled by then is named; needs a {@code pid}
     */
    public record Settings(int pid, long frequency, Duration duration, boolean jvmPerfMap) {
        public Settings {
            if (pid < 0) {
                throw new IllegalArgumentException("pid must be >= 0 (0: every process), not " + pid);
            }
            if (frequency <= 0) {
                throw new IllegalArgumentException("frequency must be positive, not " + frequency);
            }
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive, not " + duration);
            }
            if (jvmPerfMap && pid == 0) {
                throw new IllegalArgumentException("jvmPerfMap needs a pid: it asks one JVM to write its perf map");
            }
        }

        /** Settings that ask no JVM for its perf map (one already in /tmp is still read). */
        public Settings(int pid, long frequency, Duration duration) {
            this(pid, frequency, duration, false);
        }
    }

    private StackProfiler() {
    }

    /**
     * Profiles with the program packaged in this module (bpf-src/profile.bpf.c, see
     * {@link BundledObjects}) until the duration ends, the process sampled exits, or {@code stop}
     * says so (polled every 50 ms; e.g. at Ctrl-C); calls {@code started} once sampling has begun.
     */
    public static Profile run(Settings settings, Runnable started, BooleanSupplier stop) throws InterruptedException {
        return run(BundledObjects.open("profile"), settings, started, stop);
    }

    /**
     * Profiles with the program of {@code profileObject} (bpf-src/profile.bpf.c, opened; this
     * method takes it over: it loads and closes it) until the duration ends, the process sampled
     * exits, or {@code stop} says so (polled every 50 ms; e.g. at Ctrl-C).
     */
    public static Profile run(OpenedObject profileObject, Settings settings, BooleanSupplier stop)
            throws InterruptedException {
        return run(profileObject, settings, () -> { }, stop);
    }

    /** As {@link #run(OpenedObject, Settings, BooleanSupplier)}, calling {@code started} once sampling has begun. */
    public static Profile run(OpenedObject profileObject, Settings settings, Runnable started, BooleanSupplier stop)
            throws InterruptedException {
        OpenedObject opened = Objects.requireNonNull(profileObject, "profileObject");
        UserSymbols users = new UserSymbols();
        JvmProcess jvm = null;
        List<String> warnings = new ArrayList<>();
        try {
            if (settings.jvmPerfMap()) {
                jvm = JvmProcess.of(settings.pid());
                jvm.writePerfMap(); // before sampling: its jcmd's own CPU time is not in the profile
            }
            if (settings.pid() != 0) {
                opened.globals().setInt("target_tgid", settings.pid());
                users.remember(settings.pid());
                users.readPerfMap(settings.pid()); // one written earlier, or just now
            }
        } catch (RuntimeException | Error e) {
            opened.close(); // load() would have taken it over; now nobody else will close it
            throw e;
        }
        try (LoadedObject loaded = opened.load();
             PerCpuPerfEvents clocks = openClocks(settings.frequency())) {
            BpfMap counts = loaded.map("counts");
            String event = clocks.events().get(0).type().description();
            long start = System.nanoTime();
            long deadline = start + settings.duration().toNanos();
            List<BpfLink> links = clocks.attach(loaded.program("sample_stack"));
            try {
                started.run();
                long nextRemember = 0;
                while (!stop.getAsBoolean() && System.nanoTime() < deadline) {
                    if (System.nanoTime() >= nextRemember) {
                        if (!rememberProcesses(counts, users, settings.pid())) {
                            break; // the process sampled exited, as perf record -p stops then
                        }
                        nextRemember = System.nanoTime() + REMEMBER_EVERY_NANOS;
                    }
                    Thread.sleep(Math.max(1, Math.min(SLICE_MILLIS, (deadline - System.nanoTime()) / 1_000_000)));
                }
            } finally {
                links.forEach(BpfLink::close);
            }
            Duration sampled = Duration.ofNanos(System.nanoTime() - start);
            rememberProcesses(counts, users, settings.pid());
            if (jvm != null && isAlive(settings.pid())) {
                try {
                    jvm.writePerfMap(); // again: what it compiled while sampled is named too
                } catch (IllegalStateException e) {
                    warnings.add("the perf map of JVM " + settings.pid() + " was not written again at the end ("
                            + e.getMessage() + "): code it compiled while sampled may be unnamed");
                }
            }
            if (settings.pid() != 0) {
                users.readPerfMap(settings.pid()); // also one -XX:+DumpPerfMapAtExit wrote as it exited
            }
            return collect(loaded, event, settings.frequency(), sampled, users, settings.pid() == 0, warnings);
        }
    }

    /** Cycles on every CPU when the hardware counts them, else the cpu-clock software timer. */
    private static PerCpuPerfEvents openClocks(long frequency) {
        try {
            return PerfEvent.builder(PerfEventType.hardware(HardwareEvent.CPU_CYCLES)).sampleFrequency(frequency).openOnEveryCpu();
        } catch (PerfEventUnavailableException e) {
            return PerfEvent.builder(PerfEventType.software(SoftwareEvent.CPU_CLOCK)).sampleFrequency(frequency).openOnEveryCpu();
        }
    }

    /**
     * Reads the mappings of processes sampled so far that are not known yet (and the target's
     * again). False when the one process sampled is gone.
     */
    private static boolean rememberProcesses(BpfMap counts, UserSymbols users, int target) {
        if (target != 0) {
            users.remember(target); // again: it may have mapped more libraries since
            return isAlive(target);
        }
        Set<Integer> seen = new HashSet<>();
        for (byte[] key : counts.keys()) {
            seen.add(ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getInt(0));
        }
        for (int tgid : seen) {
            if (!users.knows(tgid)) {
                users.remember(tgid);
            }
        }
        return true;
    }

    /** Whether the process exists and has not exited (a zombie waits for its parent, yet runs no more). */
    private static boolean isAlive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int state = stat.lastIndexOf(')') + 2; // "pid (comm) S ...": comm may hold anything
            return state < stat.length() && stat.charAt(state) != 'Z' && stat.charAt(state) != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static Profile collect(LoadedObject loaded, String event, long frequency, Duration sampled, UserSymbols users,
            boolean everyProcess, List<String> warnings) {
        KernelSymbols kernel = null; // read only when some sample has a kernel stack
        BpfMap stacks = loaded.map("stacks");
        Map<Integer, Optional<long[]>> stackCache = new HashMap<>();
        Set<Integer> perfMapsRead = new HashSet<>();
        List<Profile.Stack> result = new ArrayList<>();
        for (MapEntry entry : loaded.map("counts").entries()) {
            ByteBuffer key = ByteBuffer.wrap(entry.key()).order(ByteOrder.nativeOrder());
            int tgid = key.getInt(0);
            int kernelStack = key.getInt(4);
            int userStack = key.getInt(8);
            String comm = cString(entry.key(), 16, 16);
            long count = ByteBuffer.wrap(entry.value()).order(ByteOrder.nativeOrder()).getLong(0);
            if (everyProcess && perfMapsRead.add(tgid)) {
                users.readPerfMap(tgid); // a JIT's, if it wrote one
            }
            List<Profile.Frame> frames = new ArrayList<>();
            long[] user = addresses(stacks, userStack, stackCache);
            for (int i = user.length - 1; i >= 0; i--) {
                // callers' addresses are return addresses: one byte back is inside the call
                Profile.Frame frame = users.frame(tgid, i == 0 ? user[i] : user[i] - 1);
                frames.add(new Profile.Frame(frame.name(), frame.kind(), user[i]));
            }
            long[] kernelAddresses = addresses(stacks, kernelStack, stackCache);
            if (kernelAddresses.length > 0 && kernel == null) {
                kernel = KernelSymbols.load();
            }
            for (int i = kernelAddresses.length - 1; i >= 0; i--) {
                String name = kernel.name(i == 0 ? kernelAddresses[i] : kernelAddresses[i] - 1);
                frames.add(name.equals("[unknown]")
                        ? new Profile.Frame("0x" + Long.toHexString(kernelAddresses[i]), Profile.FrameKind.UNKNOWN, kernelAddresses[i])
                        : new Profile.Frame(name, Profile.FrameKind.KERNEL, kernelAddresses[i]));
            }
            if (frames.isEmpty()) {
                frames.add(new Profile.Frame("[no stack]", Profile.FrameKind.UNKNOWN, 0));
            }
            result.add(new Profile.Stack(tgid, comm.replace(';', '_').replace(' ', '_'), frames, count));
        }
        result.sort(Comparator.comparingLong(Profile.Stack::count).reversed().thenComparing(Profile.Stack::folded));
        long[] totals = new long[2];
        BpfMap totalsMap = loaded.map("totals");
        for (int slot = 0; slot < 2; slot++) {
            for (byte[] perCpu : totalsMap.lookupPerCpu(intKey(slot))) {
                totals[slot] += ByteBuffer.wrap(perCpu).order(ByteOrder.nativeOrder()).getLong(0);
            }
        }
        return new Profile(event, frequency, sampled, result, totals[0], totals[1], warnings);
    }

    /** The addresses of stack {@code id}, innermost first; none for a negative id (no stack). */
    private static long[] addresses(BpfMap stacks, int id, Map<Integer, Optional<long[]>> cache) {
        if (id < 0) {
            return new long[0];
        }
        return cache.computeIfAbsent(id, i -> stacks.lookup(intKey(i)).map(raw -> {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
            int n = 0;
            while (n < raw.length / 8 && b.getLong(n * 8) != 0) {
                n++;
            }
            long[] out = new long[n];
            for (int j = 0; j < n; j++) {
                out[j] = b.getLong(j * 8);
            }
            return out;
        })).orElse(new long[0]);
    }

    private static byte[] intKey(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    private static String cString(byte[] bytes, int offset, int max) {
        int end = offset;
        while (end < offset + max && end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }
}
