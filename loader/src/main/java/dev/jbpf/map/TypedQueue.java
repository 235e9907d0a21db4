package dev.jbpf.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A view of a {@link MapType#QUEUE} (first in, first out) or {@link MapType#STACK} (last in,
 * first out) map that encodes values with a {@link Codec}. Holds no native memory and no fd:
 * it lives as long as its map (after the map or its object is closed every method throws
 * {@link IllegalStateException}). Made by {@link QueueMap#typed(Codec)}:
 * {@code map.asQueue().typed(Codec.LONG)}.
 *
 * @param <V> value type
 */
public final class TypedQueue<V> {
    private final QueueMap queue;
    private final Codec<V> codec;

    TypedQueue(QueueMap queue, Codec<V> codec) {
        this.queue = queue;
        this.codec = codec;
    }

    /** The underlying raw map. */
    public BpfMap raw() {
        return queue.map();
    }

    /** Adds value; a full map fails with E2BIG ({@link QueueMap#push(byte[])}). */
    public void push(V value) {
        queue.push(codec.encode(value));
    }

    /**
     * Adds value as flag says: {@link UpdateFlag#EXIST} makes room in a full map by dropping
     * its oldest value ({@link QueueMap#push(byte[], UpdateFlag)}).
     */
    public void push(V value, UpdateFlag flag) {
        queue.push(codec.encode(value), flag);
    }

    /** Removes and returns the next value (the oldest of a queue, the newest of a stack), or empty. */
    public Optional<V> pop() {
        return queue.pop().map(codec::decode);
    }

    /** The value {@link #pop()} would return, left in place, or empty. */
    public Optional<V> peek() {
        return queue.peek().map(codec::decode);
    }

    /**
     * Pops the values there are now, in pop order: until the map is empty, or at most {@link
     * BpfMap#maxEntries()} values (so that a program pushing as fast as this pops cannot keep
     * it going forever).
     */
    public List<V> drain() {
        List<V> values = new ArrayList<>();
        int limit = queue.map().maxEntries();
        for (Optional<V> next; values.size() < limit && (next = pop()).isPresent(); ) {
            values.add(next.get());
        }
        return values;
    }

    @Override
    public String toString() {
        return "TypedQueue[" + queue.map() + ", " + Objects.toString(codec) + "]";
    }
}
