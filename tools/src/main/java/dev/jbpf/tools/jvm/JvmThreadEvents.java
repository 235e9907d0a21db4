package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import java.util.Map;

/**
 * The Java threads of another JVM starting and stopping ({@code jbpf jvm threads}): one {@link
 * ThreadEvent} each, with the thread's name, its Java id and its kernel tid. The packaged program
 * bpf-src/jvm_threads.bpf.c attaches to HotSpot's probes {@code thread__start} and {@code
 * thread__stop} in the target's libjvm.so, for the target's process only. Threads the JVM
 * attaches from native code (JNI AttachCurrentThread) and its own non-Java threads (GC workers,
 * the VM thread) fire neither.
 *
 * <p>Ownership and threads as for every {@link JvmEvents}: this instance owns the loaded object,
 * its links and the ring buffer until {@link #close()}.
 */
public final class JvmThreadEvents extends JvmEvents<ThreadEvent> {
    private static final Map<String, String> PROBES = Map.of(
            "jvm_thread_start", "thread__start",
            "jvm_thread_stop", "thread__stop");

    /** {@code struct jvm_thread_event} (bpf-src/jvm_threads.bpf.c), bound by member name through BTF. */
    private record RawThread(@BtfMember("time_ns") long timeNs, @BtfMember("java_id") long javaId,
            @BtfMember("native_tid") long nativeTid, @BtfMember("name_len") int nameLen, byte kind, byte daemon, byte[] name) {
    }

    private JvmThreadEvents(JvmProbeSession session, BtfRecordCodec<RawThread> codec) {
        super(session, record -> event(session.clock(), codec.decode(record)));
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmThreadEvents attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /** As {@link JvmGcEvents#attach(JvmProcess)}, for thread starts and stops. */
    public static JvmThreadEvents attach(JvmProcess target) {
        return start(target, "jvm_threads", PROBES,
                session -> new JvmThreadEvents(session, BtfRecordCodec.of(RawThread.class, session.btf(), "jvm_thread_event")));
    }

    private static ThreadEvent event(Names.Clock clock, RawThread raw) {
        return new ThreadEvent(raw.kind() == 1 ? ThreadEvent.Kind.STARTED : ThreadEvent.Kind.STOPPED, clock.instant(raw.timeNs()),
                Names.text(raw.name(), raw.nameLen()), raw.javaId(), raw.nativeTid(), raw.daemon() != 0);
    }
}
