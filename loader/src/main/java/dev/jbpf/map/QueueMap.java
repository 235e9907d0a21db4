package dev.jbpf.map;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@link MapType#QUEUE} (first in, first out) or {@link MapType#STACK} (last in, first out)
 * map, made by {@link BpfMap#asQueue()}: values without keys, pushed, popped and peeked with
 * {@code bpf_map_update_elem}, {@code bpf_map_lookup_and_delete_elem} and {@code
 * bpf_map_lookup_elem} without key. {@link #typed} encodes the values with a {@link Codec}.
 *
 * <p><b>Ownership.</b> The view owns nothing: no fd (the map owns it, or the map's object) and
 * no native memory (every buffer lives in a confined arena of one call; values are copied into
 * Java arrays). It lives as long as its map: once the map or its object is closed, every method
 * throws {@link IllegalStateException}. Safe to use from several threads (the kernel serialises
 * pushes and pops).
 */
public final class QueueMap {
    private final BpfMap map;

    /** For {@link BpfMap#asQueue()}: the map must be of the right type. */
    QueueMap(BpfMap map) {
        MapElements.requireView(map, "asQueue", MapType.QUEUE, MapType.STACK);
        this.map = map;
    }

    /** The map this view acts on. */
    public BpfMap map() {
        return map;
    }

    /**
     * Adds value ({@code bpf_map_update_elem} without key). A full queue or stack fails with
     * E2BIG.
     *
     * @throws IllegalArgumentException when value is not {@link BpfMap#valueSize()} bytes
     */
    public void push(byte[] value) {
        push(value, UpdateFlag.ANY);
    }

    /**
     * {@link #push(byte[])} as flag says: {@link UpdateFlag#ANY}, or {@link UpdateFlag#EXIST},
     * which makes room in a full map by dropping its oldest value ({@code BPF_EXIST}). {@link
     * UpdateFlag#NO_EXIST} means nothing here (IllegalArgumentException).
     */
    public void push(byte[] value, UpdateFlag flag) {
        map.checkOpen();
        MapElements.checkPlainValue(map, value);
        Objects.requireNonNull(flag, "flag");
        if (flag == UpdateFlag.NO_EXIST) {
            throw new IllegalArgumentException("push " + map.name + ": a " + map.type.displayName()
                    + " map does not take " + flag);
        }
        MapElements.push(map, value, flag);
    }

    /**
     * Removes and returns the next value: of a queue the oldest, of a stack the newest ({@code
     * bpf_map_lookup_and_delete_elem} without key); empty when there is none.
     */
    public Optional<byte[]> pop() {
        map.checkOpen();
        return MapElements.take(map, "pop", true);
    }

    /** The value {@link #pop()} would return, left in place ({@code bpf_map_lookup_elem} without key). */
    public Optional<byte[]> peek() {
        map.checkOpen();
        return MapElements.take(map, "peek", false);
    }

    /**
     * A typed view of this queue or stack (no copy; it shares the map's lifetime).
     *
     * @throws IllegalArgumentException when the codec size differs from {@link BpfMap#valueSize()}
     */
    public <V> TypedQueue<V> typed(Codec<V> value) {
        map.checkOpen();
        MapElements.checkValueCodec(map, value);
        return new TypedQueue<>(this, value);
    }

    @Override
    public String toString() {
        return "QueueMap[" + map + "]";
    }
}
