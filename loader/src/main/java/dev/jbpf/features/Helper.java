package dev.jbpf.features;

/**
 * A BPF helper function: its {@code BPF_FUNC_*} id and the name bpftool prints
 * ("bpf_map_lookup_elem"), from the kernel's BTF ({@link dev.jbpf.asm.HelperNames}). A plain value.
 *
 * @param id the helper id, the immediate of a {@code call} instruction
 * @param name "bpf_" and the name of {@code BPF_FUNC_x}
 */
public record Helper(int id, String name) {
}
