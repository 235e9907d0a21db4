/**
 * BPF ring buffers. {@link dev.jbpf.ringbuf.RingBuffer} reads {@code BPF_MAP_TYPE_RINGBUF} maps
 * (kernel to user space) directly from their memory mappings, which it owns with its epoll fd,
 * handing each record to a {@link dev.jbpf.ringbuf.RecordHandler}; {@link dev.jbpf.ringbuf.UserRingBuffer}
 * writes {@code BPF_MAP_TYPE_USER_RINGBUF} maps (user space to kernel, drained by programs with
 * {@code bpf_user_ringbuf_drain}) with libbpf's {@code user_ring_buffer} producer, which it owns.
 */
package dev.jbpf.ringbuf;
