/**
 * BPF ring buffers ({@code BPF_MAP_TYPE_RINGBUF}) read with libbpf's {@code ring_buffer}
 * consumer: {@link dev.jbpf.ringbuf.RingBuffer} owns the libbpf consumer and the upcall stubs
 * of its {@link dev.jbpf.ringbuf.RecordHandler}s.
 */
package dev.jbpf.ringbuf;
