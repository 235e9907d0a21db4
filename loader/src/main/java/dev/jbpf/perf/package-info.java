/**
 * Perf events from Java and the perf buffer.
 *
 * <ul>
 *   <li>{@link dev.jbpf.perf.PerfEvent} (owns one perf event fd, opened with perf_event_open(2))
 *       and {@link dev.jbpf.perf.PerCpuPerfEvents} (one per online CPU, owns them all): counting
 *       or sampling {@link dev.jbpf.perf.PerfEventType}s — software, hardware, tracepoint, raw or
 *       any PMU by name; read their counters ({@link dev.jbpf.perf.PerfCount}), enable, disable,
 *       reset them, put them in {@code PERF_EVENT_ARRAY} maps for {@code bpf_perf_event_read_value}.</li>
 *   <li>{@link dev.jbpf.link.PerfEventAttach}: the attach point of a {@code SEC("perf_event")}
 *       program (or a tracepoint program) on a perf event, with an optional BPF cookie.</li>
 *   <li>{@link dev.jbpf.perf.PerfBuffer} (owns libbpf's {@code perf_buffer} and an epoll fd;
 *       reads the per-CPU rings from their mappings in Java): the samples programs send with {@code bpf_perf_event_output}, per CPU, and the
 *       kernel's reports of samples lost.</li>
 * </ul>
 *
 * <p>Events this machine lacks (hardware events in most virtual machines) fail with {@link
 * dev.jbpf.perf.PerfEventUnavailableException}.
 */
package dev.jbpf.perf;
