package dev.jbpf.perf;

import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@code PERF_EVENT_ARRAY} map whose samples decode to {@code R}: a generated record, or
 * {@code byte[]} (a copy of the sample). Generated skeletons hand these out
 * ({@code skeleton.events(ExecEvent.class)}). {@link #builder} gives a {@link PerfBuffer.Builder}
 * with the sample handler set (set pages or a lost handler, then build); {@link #subscribe}
 * builds one with the defaults.
 *
 * <p>Owns no native memory: the map belongs to its object, the PerfBuffers made here to the
 * caller. Decoding copies each sample into Java values during the callback.
 *
 * @param <R> what each sample decodes to
 */
public final class PerfBufferMap<R> {
    private final BpfMap map;
    private final Function<MemorySegment, R> decoder;

    /**
     * A perf event array and how its samples decode.
     *
     * @throws IllegalArgumentException when the map is not a perf event array
     */
    public PerfBufferMap(BpfMap map, Function<MemorySegment, R> decoder) {
        this.map = Objects.requireNonNull(map, "map");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        if (map.type() != MapType.PERF_EVENT_ARRAY) {
            throw new IllegalArgumentException("map " + map.name() + " is a " + map.type().displayName()
                    + " map, not a perf_event_array map");
        }
    }

    /** The map itself. */
    public BpfMap map() {
        return map;
    }

    /** Decodes one sample (read from its start; perf samples carry up to 7 bytes of padding). */
    public R decode(MemorySegment sample) {
        return decoder.apply(sample);
    }

    /** A PerfBuffer builder over this map whose samples are decoded and passed to consumer. */
    public PerfBuffer.Builder builder(Consumer<? super R> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return PerfBuffer.builder(map).onSample((cpu, data) -> consumer.accept(decoder.apply(data)));
    }

    /** {@code builder(consumer).build()}: a PerfBuffer with the default ring size, owned by the caller. */
    public PerfBuffer subscribe(Consumer<? super R> consumer) {
        return builder(consumer).build();
    }

    @Override
    public String toString() {
        return "PerfBufferMap[" + map.name() + "]";
    }
}
