package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import dev.jbpf.map.TypedMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects another JVM allocates, counted by class in the kernel ({@code jbpf jvm alloc}):
 * the packaged program bpf-src/jvm_alloc.bpf.c attaches to HotSpot's probe {@code object__alloc}
 * in the target's libjvm.so, for the target's process only, and adds each allocation to its
 * class's count and bytes in a hash map that {@link #byClass()} reads.
 *
 * <p>HotSpot fires {@code object__alloc} only in a JVM started with {@code -XX:+DTraceAllocProbes}
 * (JDKs up to 23 also have {@code -XX:+ExtendedDTraceProbes}, which sets it): every allocation then
 * calls into the VM, which makes allocation-heavy code several times slower. {@link #attach}
 * reads the flag's value in the target first and refuses a JVM without it, naming the flag.
 *
 * <p>Sizes: JDKs 9 to 17 pass a wrong size to {@code object__alloc} for the objects their
 * interpreter and JIT-compiled code allocate (whatever a register holds: HotSpot's bug
 * JDK-8276209, fixed in JDK 18), so on those JDKs the counts are right but the bytes are not, and
 * {@link #byClass()} reports -1 bytes ({@link #sizesReported()} is false).
 *
 * <p><b>Native memory.</b> An instance owns its BPF object (loaded by {@code attach}), its link to
 * the target and the map's fd; {@link #close()} detaches and releases them. {@link #byClass()}
 * copies the counts into Java records. Thread-safe as {@link dev.jbpf.LoadedObject} is: reads may
 * run in several threads, and close waits for them.
 */
public final class JvmAllocations implements AutoCloseable {
    static final String FLAG = "DTraceAllocProbes";
    private static final Map<String, String> PROBES = Map.of("jvm_object_alloc", "object__alloc");

    /** {@code struct jvm_class_key} (bpf-src/jvm_alloc.bpf.c). */
    private record ClassKey(byte[] name) {
    }

    /** {@code struct jvm_alloc_count}. */
    private record RawCount(long count, long bytes, @BtfMember("name_len") int nameLen) {
    }

    /** JDK-8276209: before JDK 18 HotSpot's object__alloc has no reliable size. */
    private static final int FIRST_JDK_WITH_SIZES = 18;

    private final JvmProbeSession session;
    /** A view of the object's {@code allocations} map: shares (does not own) its fd. */
    private final TypedMap<ClassKey, RawCount> counts;
    private final boolean sizesReported;

    private JvmAllocations(JvmProbeSession session, TypedMap<ClassKey, RawCount> counts) {
        this.session = session;
        this.counts = counts;
        this.sizesReported = session.target().featureVersion().orElse(FIRST_JDK_WITH_SIZES) >= FIRST_JDK_WITH_SIZES;
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmAllocations attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /**
     * Checks the target's flag, loads the program and attaches it; nothing stays loaded when this fails.
     *
     * @throws IllegalStateException when the target runs without {@code -XX:+DTraceAllocProbes}
     *     (saying so and which flag to start it with), or its libjvm.so lacks the probe
     * @throws dev.jbpf.BpfException when the kernel refuses to load or attach
     */
    public static JvmAllocations attach(JvmProcess target) {
        JvmFlags.require(Objects.requireNonNull(target, "target"), FLAG, "object__alloc");
        return JvmProbeSession.start(target, "jvm_alloc", PROBES, session -> new JvmAllocations(session, session.map("allocations").typed(
                BtfRecordCodec.of(ClassKey.class, session.btf(), "jvm_class_key"),
                BtfRecordCodec.of(RawCount.class, session.btf(), "jvm_alloc_count"))));
    }

    public JvmProcess target() {
        return session.target();
    }

    /**
     * Whether the target's HotSpot reports object sizes: false on JDKs 9 to 17 (by the JDK's
     * {@code release} file), whose {@code object__alloc} passes a wrong size (JDK-8276209).
     */
    public boolean sizesReported() {
        return sizesReported;
    }

    /**
     * The counts since {@code attach}, by class: the most bytes first, or when sizes are not
     * reported (bytes -1) the most objects first; then by name.
     */
    public List<AllocationCount> byClass() {
        List<AllocationCount> result = new ArrayList<>();
        for (Map.Entry<ClassKey, RawCount> entry : counts.entries()) {
            RawCount count = entry.getValue();
            result.add(new AllocationCount(Names.className(entry.getKey().name(), count.nameLen()), count.count(),
                    sizesReported ? count.bytes() : -1));
        }
        result.sort(Comparator.comparingLong(AllocationCount::bytes).thenComparingLong(AllocationCount::count).reversed()
                .thenComparing(AllocationCount::className));
        return result;
    }

    /** Allocations not counted because the map was full (16384 classes). */
    public long lost() {
        return session.lost();
    }

    /** The kernel ids of the programs attached to the target's probes. */
    public List<Integer> programIds() {
        return session.programIds();
    }

    /** Detaches from the target and unloads; closing twice does nothing. */
    @Override
    public void close() {
        session.close();
    }
}
