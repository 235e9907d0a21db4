package dev.jbpf.map;

import java.lang.foreign.MemorySegment;

/**
 * Receives a map's entries one chunk at a time from {@link BatchOperations#forEach}, straight
 * from the native buffers the kernel filled, so that walking a large map allocates nothing per
 * entry.
 *
 * <p>The segments are read-only and belong to {@code forEach}: they are valid only during
 * the call and are overwritten by the next chunk (copy what must outlive it). Entry {@code i}'s
 * key is at byte offset {@code i * keySize()} of {@code keys}, its value at {@code i *
 * valueBufferSize()} of {@code values} (per-CPU maps: every CPU's value, each padded to 8 bytes).
 */
@FunctionalInterface
public interface BatchVisitor {
    /**
     * @param keys {@code count * keySize()} bytes
     * @param values {@code count * valueBufferSize()} bytes
     * @param count entries in this chunk (at least 1)
     */
    void visit(MemorySegment keys, MemorySegment values, int count);
}
