package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import java.lang.foreign.MemorySegment;

/**
 * The LSM hook of a BPF LSM program ({@code SEC("lsm/file_open")}), through
 * {@code bpf_program__attach_lsm}: the hook is fixed when the program loads, from its section.
 * Needs a kernel with CONFIG_BPF_LSM and "bpf" in its active LSMs ({@code lsm=} boot
 * parameter, /sys/kernel/security/lsm). Holds no native memory.
 */
public record Lsm() implements AttachPoint {
    @Override
    public String describe() {
        return "LSM hook (chosen at load)";
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_lsm(program));
    }
}
