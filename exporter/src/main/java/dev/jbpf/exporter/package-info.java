/**
 * {@code jbpf export}: a Prometheus exporter that reads Cloudflare ebpf_exporter's configs.
 * {@link dev.jbpf.exporter.Exporter#start} takes ebpf_exporter's layout ({@code NAME.yaml}
 * beside {@code NAME.bpf.o} in {@code --config.dir}, {@code --config.names}), loads and attaches
 * each object as ebpf_exporter does (libbpf auto-attach by section, plus its {@code xdp/IFACE}
 * and {@code perf_event/...} sections), and serves each metric's map on {@code /metrics} under
 * the same series names and labels ({@code ebpf_exporter_} prefix, its label decoders, its
 * histogram buckets), read when Prometheus scrapes; a config's {@code cgroup_id_map} is kept
 * filled with the matching cgroups. {@link dev.jbpf.exporter.ConfigParser} refuses, with file
 * and line, every key it does not support.
 *
 * <p>Native resources: the {@link dev.jbpf.exporter.Exporter} owns the objects, links and perf
 * events of its configs, their ring buffer pollers and cgroup_id_map threads (with their inotify
 * fds), and the HTTP server; the config records hold none.
 */
package dev.jbpf.exporter;
