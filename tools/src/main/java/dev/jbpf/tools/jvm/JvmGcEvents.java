package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The garbage collections of another JVM ({@code jbpf jvm gc}): one {@link GcEvent} per pause, as
 * it ends. The packaged program bpf-src/jvm_gc.bpf.c attaches to HotSpot's probes
 * {@code gc__begin}, {@code gc__end} (around each collection in a safepoint) and {@code
 * mem__pool__gc__begin}/{@code end} (the collector's name, every pool's usage before and after)
 * in the target's libjvm.so, for the target's process only, and sends one record per pause.
 *
 * <pre>{@code
 * try (JvmGcEvents gc = JvmGcEvents.attach(pid)) {
 *     gc.poll(Duration.ofSeconds(1), event -> System.out.println(event.collector() + ": " + event.duration()));
 * }
 * }</pre>
 *
 * Ownership and threads as for every {@link JvmEvents}: this instance owns the loaded object, its
 * links and the ring buffer until {@link #close()}.
 */
public final class JvmGcEvents extends JvmEvents<GcEvent> {
    /** program → probe */
    private static final Map<String, String> PROBES = Map.of(
            "jvm_gc_begin", "gc__begin",
            "jvm_gc_end", "gc__end",
            "jvm_gc_pool_begin", "mem__pool__gc__begin",
            "jvm_gc_pool_end", "mem__pool__gc__end");

    /** {@code struct jvm_gc_pool} (bpf-src/jvm_gc.bpf.c), bound by member name through BTF. */
    private record RawPool(byte[] name, @BtfMember("name_len") int nameLen, @BtfMember("used_before") long usedBefore,
            @BtfMember("used_after") long usedAfter, @BtfMember("committed_after") long committedAfter,
            @BtfMember("max_after") long maxAfter) {
    }

    /** {@code struct jvm_gc_event}: a change of the C struct fails at {@link #attach}, not as wrong numbers. */
    private record RawGc(@BtfMember("start_ns") long startNs, @BtfMember("end_ns") long endNs, int tid, byte full,
            @BtfMember("pools_begun") byte poolsBegun, @BtfMember("pools_ended") byte poolsEnded,
            @BtfMember("manager_len") int managerLen, byte[] manager, RawPool[] pools) {
    }

    private JvmGcEvents(JvmProbeSession session, BtfRecordCodec<RawGc> codec) {
        super(session, record -> event(session.clock(), codec.decode(record)));
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmGcEvents attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /**
     * Loads the program, attaches it to the target's probes and starts recording; nothing stays
     * loaded when this fails.
     *
     * @throws IllegalStateException when the target's libjvm.so lacks the probes
     * @throws dev.jbpf.BpfException when the kernel refuses to load or attach (no uprobes, no privileges)
     */
    public static JvmGcEvents attach(JvmProcess target) {
        return start(target, "jvm_gc", PROBES,
                session -> new JvmGcEvents(session, BtfRecordCodec.of(RawGc.class, session.btf(), "jvm_gc_event")));
    }

    private static GcEvent event(Names.Clock clock, RawGc raw) {
        int begun = Byte.toUnsignedInt(raw.poolsBegun());
        int ended = Byte.toUnsignedInt(raw.poolsEnded());
        List<GcEvent.PoolUsage> pools = new ArrayList<>();
        for (int i = 0; i < Math.min(begun, raw.pools().length); i++) {
            RawPool pool = raw.pools()[i];
            boolean hasEnd = i < ended;
            pools.add(new GcEvent.PoolUsage(Names.text(pool.name(), pool.nameLen()), pool.usedBefore(),
                    hasEnd ? pool.usedAfter() : -1, hasEnd ? pool.committedAfter() : -1, hasEnd ? pool.maxAfter() : -1));
        }
        return new GcEvent(clock.instant(raw.startNs()), Duration.ofNanos(raw.endNs() - raw.startNs()), raw.full() != 0,
                Names.text(raw.manager(), raw.managerLen()), raw.tid(), pools);
    }
}
