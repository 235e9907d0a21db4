package dev.jbpf.features;

/**
 * One option of the running kernel's build configuration, as {@code bpftool feature probe}
 * reports it. A plain value.
 *
 * @param name the option, "CONFIG_BPF_SYSCALL"
 * @param value its value as the config file spells it ("y", "m", "250"), or null when it is not set
 *        (or no config file was found)
 */
public record ConfigOption(String name, String value) {
}
