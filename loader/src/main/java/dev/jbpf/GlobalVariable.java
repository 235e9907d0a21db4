package dev.jbpf;

/**
 * One global variable of a BPF object, as its BTF describes it: {@code section} is the ELF
 * section (".rodata", ".data", ".bss", ".data.custom", ...), {@code type} the BTF type as C
 * writes it ("const volatile int", "char[16]"), {@code offset} and {@code size} its place in
 * the section, {@code readOnly} whether the {@link GlobalVariables} view that made it refuses
 * writes (.rodata and .kconfig after load, .kconfig always). A plain value: holds no native memory.
 */
public record GlobalVariable(String name, String section, String type, int typeId, int offset, int size,
        boolean readOnly) {
}
