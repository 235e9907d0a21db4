package dev.jbpf.ringbuf;

import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A ring buffer map whose records decode to {@code R}: a generated record, or {@code byte[]}
 * (a copy of the record's bytes). Generated skeletons hand these out
 * ({@code skeleton.events(ExecEvent.class)}); {@link #subscribe} makes a {@link RingBuffer} over
 * this one map, {@link #handler} a handler for a {@link RingBuffer.Builder} over several.
 *
 * <p>Owns no native memory: the map belongs to its object, and the RingBuffers made here to the
 * caller (close them; closing the object closes them too). Decoding copies the record into Java
 * values during the callback, so the {@code R} a consumer receives stays valid after it.
 *
 * @param <R> what each record decodes to
 */
public final class RingBufferMap<R> {
    private final BpfMap map;
    private final Function<MemorySegment, R> decoder;

    /**
     * A ring buffer map and how its records decode ({@code RingBuffer::copy} for raw bytes).
     *
     * @throws IllegalArgumentException when the map is not a ring buffer
     */
    public RingBufferMap(BpfMap map, Function<MemorySegment, R> decoder) {
        this.map = Objects.requireNonNull(map, "map");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        if (map.type() != MapType.RINGBUF) {
            throw new IllegalArgumentException("map " + map.name() + " is a " + map.type().displayName()
                    + " map, not a ringbuf map");
        }
    }

    /** The map itself. */
    public BpfMap map() {
        return map;
    }

    /** Decodes one record (at least as many bytes as R's type; longer records are read from the start). */
    public R decode(MemorySegment record) {
        return decoder.apply(record);
    }

    /** A handler that decodes each record and passes it to consumer, for {@link RingBuffer.Builder#add}. */
    public RecordHandler handler(Consumer<? super R> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return record -> consumer.accept(decoder.apply(record));
    }

    /**
     * A RingBuffer over this map alone that passes each decoded record to consumer during
     * {@link RingBuffer#poll}; owned by the caller.
     */
    public RingBuffer subscribe(Consumer<? super R> consumer) {
        return RingBuffer.builder().add(map, handler(consumer)).build();
    }

    @Override
    public String toString() {
        return "RingBufferMap[" + map.name() + "]";
    }
}
