package dev.jbpf.features;

/**
 * A map type libbpf names, and whether the running kernel creates a map of that type
 * ({@code libbpf_probe_bpf_map_type}). A plain value.
 *
 * @param type the {@code BPF_MAP_TYPE_*} value
 * @param name libbpf's name ({@code libbpf_bpf_map_type_str}), as bpftool prints it: "hash", "ringbuf"
 * @param available true when the kernel created the probe map
 */
public record MapTypeSupport(int type, String name, boolean available) {
}
