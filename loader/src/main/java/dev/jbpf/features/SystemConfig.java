package dev.jbpf.features;

import java.util.List;

/**
 * The BPF sysctls and kernel build options of the running kernel: what {@code bpftool feature
 * probe kernel} prints as {@code system_config}. A sysctl that cannot be read is -1, as in bpftool.
 * A plain value.
 *
 * @param unprivilegedBpfDisabled {@code /proc/sys/kernel/unprivileged_bpf_disabled}: 0 unprivileged
 *        bpf(2) allowed, 1 refused for good, 2 refused until an admin changes it
 * @param jitEnable {@code /proc/sys/net/core/bpf_jit_enable}: 0 interpreter, 1 JIT, 2 JIT with debug traces
 * @param jitHarden {@code /proc/sys/net/core/bpf_jit_harden}: 0 off, 1 for unprivileged users, 2 for all
 * @param jitKallsyms {@code /proc/sys/net/core/bpf_jit_kallsyms}: 1 when JIT images are in kallsyms for root
 * @param jitLimit {@code /proc/sys/net/core/bpf_jit_limit}: bytes of JIT images unprivileged users may hold
 * @param configFile the kernel config that was read ({@code /boot/config-RELEASE} or {@code /proc/config.gz}), or null
 * @param kernelConfig the options bpftool reports, in its order; values null when not set or unread
 */
public record SystemConfig(int unprivilegedBpfDisabled, int jitEnable, int jitHarden, int jitKallsyms, long jitLimit,
        String configFile, List<ConfigOption> kernelConfig) {
    public SystemConfig {
        kernelConfig = List.copyOf(kernelConfig);
    }
}
