package dev.jbpf.elf;

import java.util.Objects;

/**
 * One USDT (user statically-defined tracing) probe of a binary, from its {@code .note.stapsdt}
 * notes, as {@code <sys/sdt.h>}'s {@code DTRACE_PROBE*} macros record them. A plain value.
 *
 * @param provider the probe's provider ("libc", "python", ...)
 * @param name the probe's name
 * @param address the virtual address of the probe's instruction, adjusted for prelinking
 *     (against {@code .stapsdt.base}) like the tools do
 * @param semaphore the virtual address of its semaphore, 0 when it has none (a semaphore lets
 *     the program skip computing the arguments while nobody traces it)
 * @param arguments the argument specification, e.g. {@code "-8@%rbx 8@%rax"} (size@location,
 *     negative sizes are signed); empty when the probe has no arguments
 */
public record UsdtProbe(String provider, String name, long address, long semaphore, String arguments) {
    public UsdtProbe {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** How tools name it: "provider:name". */
    public String qualifiedName() {
        return provider + ":" + name;
    }

    /**
     * Whether {@code provider} and {@code name} select this probe: the same provider, and the
     * same name or {@code name} null (every probe of the provider).
     */
    public boolean matches(String provider, String name) {
        return this.provider.equals(provider) && (name == null || this.name.equals(name));
    }

    /** How many arguments the probe passes. */
    public int argumentCount() {
        return arguments.isBlank() ? 0 : arguments.strip().split("\\s+").length;
    }
}
