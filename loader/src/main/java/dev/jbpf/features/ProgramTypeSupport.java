package dev.jbpf.features;

/**
 * A program type libbpf names, and whether the running kernel loads a program of that type
 * ({@code libbpf_probe_bpf_prog_type}). A plain value.
 *
 * @param type the {@code BPF_PROG_TYPE_*} value
 * @param name libbpf's name ({@code libbpf_bpf_prog_type_str}), as bpftool prints it: "socket_filter"
 * @param available true when the kernel loaded the probe program
 */
public record ProgramTypeSupport(int type, String name, boolean available) {
}
