/**
 * BPF ring buffers. {@link dev.jbpf.ringbuf.RingBuffer} reads {@code BPF_MAP_TYPE_RINGBUF} maps
 * (kernel to user space) with libbpf's {@code ring_buffer} consumer and owns it and the upcall
 * stubs of its {@link dev.jbpf.ringbuf.RecordHandler}s; {@link dev.jbpf.ringbuf.UserRingBuffer}
 * writes {@code BPF_MAP_TYPE_USER_RINGBUF} maps (user space to kernel, drained by programs with
 * {@code bpf_user_ringbuf_drain}) with libbpf's {@code user_ring_buffer} producer, which it owns.
 */
package dev.jbpf.ringbuf;
