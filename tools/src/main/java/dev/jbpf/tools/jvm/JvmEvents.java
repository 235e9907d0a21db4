package dev.jbpf.tools.jvm;

import dev.jbpf.ringbuf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Events of another JVM, as its HotSpot USDT probes fire, delivered in this process by polling,
 * like a {@link RingBuffer}: {@link JvmGcEvents}, {@link JvmThreadEvents}, {@link JvmClassEvents},
 * {@link JvmCompileEvents}.
 *
 * <pre>{@code
 * try (JvmGcEvents gc = JvmGcEvents.attach(pid)) {
 *     while (gc.target().isAlive()) {
 *         gc.poll(Duration.ofMillis(100), event -> System.out.println(event.collector() + " " + event.duration()));
 *     }
 *     gc.consume(event -> System.out.println(event.collector() + " " + event.duration())); // what came before the exit
 * }
 * }</pre>
 *
 * <p><b>Native memory.</b> An instance owns its BPF object (loaded into the kernel by {@code
 * attach}), the links that attach its programs to the target's libjvm.so, and the memory
 * mappings and epoll fd of the ring buffer it reads; {@link #close()} detaches and releases
 * them all. The events handed to a handler are plain Java records, copied out of the ring: keep
 * them as long as you like. A target that exits detaches nothing by itself: the probes just stop
 * firing, so close the instance when {@link JvmProcess#isAlive()} turns false (after a last
 * {@link #consume} for what came before).
 *
 * <p><b>Threads.</b> {@link #poll} and {@link #consume} run one at a time (callers from other
 * threads wait); {@link #close()} may be called from any thread, also during a poll, which then
 * returns soon.
 *
 * @param <E> the event record
 */
public abstract sealed class JvmEvents<E extends Record> implements AutoCloseable
        permits JvmGcEvents, JvmThreadEvents, JvmClassEvents, JvmCompileEvents {
    private final JvmProbeSession session;
    private final Object polling = new Object();
    private Consumer<? super E> handler;

    /**
     * Takes the session over: reads its ring buffer {@code events}, each record decoded by
     * {@code decode} (which must copy what it keeps: the segment lives for the call only).
     */
    JvmEvents(JvmProbeSession session, Function<MemorySegment, E> decode) {
        this.session = session;
        session.readRing("events", record -> handler.accept(decode.apply(record)));
    }

    /** As {@link JvmProbeSession#start}, for an event stream. */
    static <T extends JvmEvents<?>> T start(JvmProcess target, String objectName, Map<String, String> probes,
            Function<JvmProbeSession, T> bind) {
        return JvmProbeSession.start(target, objectName, probes, bind);
    }

    /** The JVM whose events these are. */
    public JvmProcess target() {
        return session.target();
    }

    /**
     * Waits up to {@code timeout} for events and hands each to {@code handler}, in the order the
     * target produced them; returns how many. 0 on timeout, and once closed by another thread.
     *
     * @throws IllegalStateException when closed
     * @throws RuntimeException what {@code handler} threw (the event that failed counts as delivered)
     */
    public int poll(Duration timeout, Consumer<? super E> handler) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(handler, "handler");
        synchronized (polling) {
            this.handler = handler;
            try {
                return session.ring().poll(timeout);
            } finally {
                this.handler = null;
            }
        }
    }

    /** Hands every event there is now to {@code handler}, without waiting; returns how many. Same rules as {@link #poll}. */
    public int consume(Consumer<? super E> handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (polling) {
            this.handler = handler;
            try {
                return session.ring().consume();
            } finally {
                this.handler = null;
            }
        }
    }

    /**
     * Events the target produced that are lost: the ring buffer had no room for them because
     * they came faster than they were polled. Counted in the kernel since {@code attach}.
     */
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
