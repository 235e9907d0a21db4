package dev.jbpf.tools.jvm;

import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.btf.Btf;
import dev.jbpf.elf.UsdtProbe;
import dev.jbpf.link.Usdt;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.ringbuf.RecordHandler;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.tools.BundledObjects;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One JVM tool's object loaded for one target: the packaged {@code jvm_*.bpf.o} (bpf-src/jvm.h),
 * its programs attached to the target's HotSpot probes for the target's process only, and the
 * ring buffer that reads its records. Owns the loaded object (and through it the links and map
 * fds) and the ring buffer; {@link #close()} releases them, the ring buffer first. Not API: the
 * public classes of this package wrap it.
 */
final class JvmProbeSession implements AutoCloseable {
    private final JvmProcess target;
    private final LoadedObject loaded;
    private final Names.Clock clock = new Names.Clock();
    private RingBuffer ring;

    private JvmProbeSession(JvmProcess target, LoadedObject loaded) {
        this.target = target;
        this.loaded = loaded;
    }

    /**
     * Checks that the target's libjvm.so has the probes, then loads the packaged object
     * {@code objectName}; nothing is attached yet (see {@link #attach}), nothing stays loaded when this fails.
     *
     * @param probes program name → the HotSpot probe it attaches to ("gc__begin")
     * @throws IllegalStateException when the JVM's libjvm.so lacks one of the probes (a JDK built
     *     without DTrace support has none)
     */
    static JvmProbeSession load(JvmProcess target, String objectName, Map<String, String> probes) {
        requireProbes(target, probes.values());
        OpenedObject opened = BundledObjects.open(objectName);
        return new JvmProbeSession(target, opened.load());
    }

    /**
     * Loads {@code objectName}, makes the tool ({@code bind}, given the session: binds its maps
     * and ring buffer) and attaches the programs to the probes; nothing stays loaded or attached
     * when this fails.
     */
    static <T> T start(JvmProcess target, String objectName, Map<String, String> probes, Function<JvmProbeSession, T> bind) {
        Objects.requireNonNull(target, "target");
        JvmProbeSession session = load(target, objectName, probes);
        try {
            T tool = bind.apply(session);
            session.attach(probes);
            return tool;
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    private static void requireProbes(JvmProcess target, Collection<String> names) {
        List<UsdtProbe> probes = target.probes();
        if (probes.isEmpty()) {
            throw new IllegalStateException("the JVM of " + target.describe() + " has no HotSpot USDT probes: its libjvm.so ("
                    + target.libjvm() + ") was built without DTrace support (configure --enable-dtrace)");
        }
        Set<String> present = probes.stream().map(UsdtProbe::name).collect(Collectors.toSet());
        List<String> missing = names.stream().filter(name -> !present.contains(name)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the JVM of " + target.describe() + " lacks the probe"
                    + (missing.size() == 1 ? " " : "s ") + missing.stream().map(name -> JvmProcess.PROVIDER + ":" + name)
                    .collect(Collectors.joining(", ")) + " in " + target.libjvm());
        }
    }

    JvmProcess target() {
        return target;
    }

    /** The loaded object's BTF (borrowed: it lives as long as this session). */
    Btf btf() {
        return loaded.btf();
    }

    /** One of the object's maps (borrowed). */
    BpfMap map(String name) {
        return loaded.map(name);
    }

    /** Reads the object's ring buffer {@code mapName} with {@code handler}; owned by this session. */
    void readRing(String mapName, RecordHandler handler) {
        ring = RingBuffer.builder().add(loaded.map(mapName), handler).build();
    }

    RingBuffer ring() {
        return ring;
    }

    Names.Clock clock() {
        return clock;
    }

    /** Attaches each program to its probe of the target's libjvm.so, for the target's process only. */
    void attach(Map<String, String> probes) {
        for (Map.Entry<String, String> entry : new LinkedHashMap<>(probes).entrySet()) {
            BpfProgram program = loaded.program(entry.getKey());
            program.attach(Usdt.of(target.libjvmFile(), JvmProcess.PROVIDER, entry.getValue()).withPid(target.pid()));
        }
    }

    /** Records the programs could not keep: the ring buffer was full, or a counting map (the {@code lost} global of jvm.h). */
    long lost() {
        return loaded.globals().getLong("lost");
    }

    List<Integer> programIds() {
        return loaded.programs().stream().map(BpfProgram::id).toList();
    }

    @Override
    public void close() {
        try {
            if (ring != null) {
                ring.close();
            }
        } finally {
            loaded.close();
        }
    }
}
