package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import dev.jbpf.map.TypedMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Contended monitors of another JVM, counted by the class of the object locked, in the kernel
 * ({@code jbpf jvm monitors}): the packaged program bpf-src/jvm_monitors.bpf.c attaches to
 * HotSpot's probes {@code monitor__contended__enter} (a thread has to wait for a monitor) and
 * {@code monitor__contended__entered} (it got it) in the target's libjvm.so, for the target's
 * process only; {@link #byClass()} reads the counts and wait times.
 *
 * <p>HotSpot fires these probes only in a JVM started with {@code -XX:+DTraceMonitorProbes} (JDKs
 * up to 23 also have {@code -XX:+ExtendedDTraceProbes}, which sets it); {@link #attach} reads the
 * flag's value in the target first and refuses a JVM without it, naming the flag.
 *
 * <p><b>Native memory.</b> An instance owns its BPF object (loaded by {@code attach}), its links to
 * the target and the maps' fds; {@link #close()} detaches and releases them. {@link #byClass()}
 * copies the counts into Java records. Thread-safe as {@link dev.jbpf.LoadedObject} is.
 */
public final class JvmMonitors implements AutoCloseable {
    static final String FLAG = "DTraceMonitorProbes";
    private static final Map<String, String> PROBES = Map.of(
            "jvm_monitor_enter", "monitor__contended__enter",
            "jvm_monitor_entered", "monitor__contended__entered");

    /** {@code struct jvm_class_key} (bpf-src/jvm_monitors.bpf.c). */
    private record ClassKey(byte[] name) {
    }

    /** {@code struct jvm_monitor_count}. */
    private record RawCount(long contended, @BtfMember("wait_ns") long waitNs, @BtfMember("max_wait_ns") long maxWaitNs,
            long entered, @BtfMember("name_len") int nameLen) {
    }

    private final JvmProbeSession session;
    /** A view of the object's {@code monitors} map: shares (does not own) its fd. */
    private final TypedMap<ClassKey, RawCount> counts;

    private JvmMonitors(JvmProbeSession session, TypedMap<ClassKey, RawCount> counts) {
        this.session = session;
        this.counts = counts;
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmMonitors attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /**
     * Checks the target's flag, loads the program and attaches it; nothing stays loaded when this fails.
     *
     * @throws IllegalStateException when the target runs without {@code -XX:+DTraceMonitorProbes}
     *     (saying so and which flag to start it with), or its libjvm.so lacks the probes
     * @throws dev.jbpf.BpfException when the kernel refuses to load or attach
     */
    public static JvmMonitors attach(JvmProcess target) {
        JvmFlags.require(Objects.requireNonNull(target, "target"), FLAG, "monitor__contended__enter");
        return JvmProbeSession.start(target, "jvm_monitors", PROBES, session -> new JvmMonitors(session, session.map("monitors").typed(
                BtfRecordCodec.of(ClassKey.class, session.btf(), "jvm_class_key"),
                BtfRecordCodec.of(RawCount.class, session.btf(), "jvm_monitor_count"))));
    }

    public JvmProcess target() {
        return session.target();
    }

    /** The contention since {@code attach}, by class, the most contended first (then by name). */
    public List<MonitorContention> byClass() {
        List<MonitorContention> result = new ArrayList<>();
        for (Map.Entry<ClassKey, RawCount> entry : counts.entries()) {
            RawCount count = entry.getValue();
            result.add(new MonitorContention(Names.className(entry.getKey().name(), count.nameLen()), count.contended(),
                    count.entered(), Duration.ofNanos(count.waitNs()), Duration.ofNanos(count.maxWaitNs())));
        }
        result.sort(Comparator.comparingLong(MonitorContention::contended).reversed()
                .thenComparing(MonitorContention::className));
        return result;
    }

    /** Contended enters not counted because the map was full (4096 classes). */
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
