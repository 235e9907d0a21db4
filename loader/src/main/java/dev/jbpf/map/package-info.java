/**
 * BPF maps: {@link dev.jbpf.map.OpenedMap} (before load), {@link dev.jbpf.map.BpfMap} (a map in
 * the kernel, created from Java with {@link dev.jbpf.map.MapOptions}, opened by pin or id, or
 * an object's: raw-bytes access, stack traces, map-of-maps, freezing, pins) and its views, which
 * own nothing ({@link dev.jbpf.map.BatchOperations} with {@link dev.jbpf.map.BatchCursor} and
 * {@link dev.jbpf.map.BatchVisitor}; {@link dev.jbpf.map.QueueMap} for queues and stacks; {@link
 * dev.jbpf.map.BloomFilterMap} for bloom filters), typed views ({@link dev.jbpf.map.TypedMap},
 * {@link dev.jbpf.map.TypedQueue} with {@link dev.jbpf.map.Codec}s, {@link dev.jbpf.map.LpmKey}
 * for LPM tries), {@link dev.jbpf.map.MapInfo} (listing every map in the kernel). Every native
 * buffer used to talk to the kernel lives in a confined arena of one call (a {@code
 * BatchVisitor}'s segments: of one {@code forEach}); results are Java arrays and records.
 */
package dev.jbpf.map;
