package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import java.util.Map;

/**
 * The classes another JVM loads and unloads ({@code jbpf jvm classes}): one {@link ClassEvent}
 * each. The packaged program bpf-src/jvm_classes.bpf.c attaches to HotSpot's probes {@code
 * class__loaded} and {@code class__unloaded} in the target's libjvm.so, for the target's process
 * only; they fire for instance classes (hidden classes and lambdas' included), not for array classes.
 *
 * <p>Ownership and threads as for every {@link JvmEvents}: this instance owns the loaded object,
 * its links and the ring buffer until {@link #close()}.
 */
public final class JvmClassEvents extends JvmEvents<ClassEvent> {
    private static final Map<String, String> PROBES = Map.of(
            "jvm_class_loaded", "class__loaded",
            "jvm_class_unloaded", "class__unloaded");

    /** {@code struct jvm_class_event} (bpf-src/jvm_classes.bpf.c), bound by member name through BTF. */
    private record RawClass(@BtfMember("time_ns") long timeNs, long loader, @BtfMember("name_len") int nameLen, byte kind,
            byte shared, byte[] name) {
    }

    private JvmClassEvents(JvmProbeSession session, BtfRecordCodec<RawClass> codec) {
        super(session, record -> event(session.clock(), codec.decode(record)));
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmClassEvents attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /** As {@link JvmGcEvents#attach(JvmProcess)}, for class loads and unloads. */
    public static JvmClassEvents attach(JvmProcess target) {
        return start(target, "jvm_classes", PROBES,
                session -> new JvmClassEvents(session, BtfRecordCodec.of(RawClass.class, session.btf(), "jvm_class_event")));
    }

    private static ClassEvent event(Names.Clock clock, RawClass raw) {
        return new ClassEvent(raw.kind() == 1 ? ClassEvent.Kind.LOADED : ClassEvent.Kind.UNLOADED, clock.instant(raw.timeNs()),
                Names.className(raw.name(), raw.nameLen()), raw.loader(), raw.shared() != 0);
    }
}
